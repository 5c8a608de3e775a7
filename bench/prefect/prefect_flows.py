"""The comparison's flows for Prefect 3, the same as bench/prefect/sluice/flows.ts: light tasks one after
another, light tasks in parallel, one task that writes when it began, and a task writing timestamped log lines."""
import time

from prefect import flow, get_run_logger, task


@task
def step(i: int) -> int:
    return i


@flow
def sequential(n: int = 40) -> int:
    total = 0
    for i in range(n):
        total += step(i)
    return total


@flow
def parallel(n: int = 200) -> int:
    return sum(f.result() for f in step.map(range(n)))


@task
def stamp(stamp_file: str) -> None:
    with open(stamp_file, "w") as f:
        f.write(str(int(time.time() * 1000)))


@flow
def first_task(stamp_file: str) -> None:
    stamp(stamp_file)


@task
def ticks(rate: int, seconds: int) -> int:
    logger = get_run_logger()
    total = rate * seconds
    began = time.time()
    for n in range(total):
        logger.info(f"tick {n} at {int(time.time() * 1000)}")
        time.sleep(max(0.0, began + (n + 1) / rate - time.time()))
    return total


@flow
def log_lines(rate: int = 10, seconds: int = 10) -> int:
    return ticks(rate, seconds)
