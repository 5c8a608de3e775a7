"""Python tasks, served by `python -m sluice worker python/rain_stats.py` on the task queue __NAME__-python
(the image's SLUICE_TASK_QUEUE). A task is a plain function with its retry policy; call it in unit tests as it is.
The flow that calls them is TypeScript: workflows/rainfall-percentiles.ts."""

from statistics import quantiles

from sluice import log, progress, task


class NoReadings(Exception):
    """Nothing to compute: retrying cannot help, so it is declared non-retryable."""


@task(retries=2, timeout="2m", non_retryable_errors=[NoReadings])
def rainfall_percentiles(readings: list[dict], percentiles: list[int]) -> dict:
    """The given percentiles (1..99) of the readings' millimetres, by name ("p50", "p90")."""
    amounts = [float(r["mm"]) for r in readings]
    if not amounts:
        raise NoReadings("no readings to compute percentiles of")
    log.info("computing percentiles", readings=len(amounts), percentiles=percentiles)
    cuts = quantiles(amounts, n=100, method="inclusive") if len(amounts) > 1 else [amounts[0]] * 99
    result = {}
    for i, p in enumerate(percentiles):
        result[f"p{p}"] = round(cuts[p - 1], 2)
        progress(i + 1, len(percentiles), f"p{p}")
    return result
