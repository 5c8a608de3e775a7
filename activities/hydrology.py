"""Python tasks of the rainfall surface example (workflows/rainfall-surface.ts): the hourly rainfall the TypeScript
task `fetchRainfall` fetched per station, totalled per day with pandas and interpolated over a grid with numpy
(inverse distance weighting). `npm start` serves this file on the task queue named after it, `hydrology`;
by hand: python -m sluice worker activities/hydrology.py --task-queue hydrology"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sluice import cancelled, log, progress, task

# Where the example's stations are (latitude, longitude).
STATIONS = {
    "DeBilt": (52.10, 5.18),
    "Schiphol": (52.32, 4.79),
    "Eelde": (53.12, 6.58),
    "Vlissingen": (51.44, 3.60),
    "Maastricht": (50.91, 5.77),
}


class NoReadings(Exception):
    """No station has a valid reading: there is nothing to interpolate, and retrying cannot change that."""


@task(retries=2, timeout="5m", heartbeat_timeout="30s", non_retryable_errors=[NoReadings])
def rainfall_surface(series: dict[str, list[dict[str, Any]]], cells: int) -> dict[str, Any]:
    """Daily totals per station (pandas) and the period's total interpolated on a cells × cells grid (numpy)."""
    frames = [pd.DataFrame(readings).assign(station=station) for station, readings in series.items() if readings]
    if not frames:
        raise NoReadings("none of the stations has readings")
    df = pd.concat(frames)
    df["mm"] = pd.to_numeric(df["mm"], errors="coerce")
    invalid = int((df["mm"].isna() | (df["mm"] < 0)).sum())
    df = df[df["mm"] >= 0]
    if df.empty:
        raise NoReadings("every reading is missing or negative")
    if invalid:
        log.warning("dropped invalid readings", count=invalid)
    df["day"] = pd.to_datetime(df["time"]).dt.strftime("%Y-%m-%d")
    daily = df.pivot_table(index="day", columns="station", values="mm", aggfunc="sum").round(1)
    totals = df.groupby("station")["mm"].sum().round(1)
    print(f"totals per station: {totals.to_dict()}")  # print() is kept as a log line

    known = [s for s in totals.index if s in STATIONS]
    points = np.array([STATIONS[s] for s in known])
    values = totals[known].to_numpy()
    lat = np.linspace(points[:, 0].min(), points[:, 0].max(), cells)
    lon = np.linspace(points[:, 1].min(), points[:, 1].max(), cells)
    grid = np.empty((cells, cells))
    for i, y in enumerate(lat):
        if cancelled():
            raise RuntimeError("cancelled")
        distance = np.hypot(points[:, 0][None, :] - y, points[:, 1][None, :] - lon[:, None])
        weights = 1.0 / np.maximum(distance, 1e-6) ** 2
        grid[i] = (weights * values).sum(axis=1) / weights.sum(axis=1)
        progress(i + 1, cells, f"row {i + 1} of {cells}")
    wettest = np.unravel_index(np.argmax(grid), grid.shape)
    log.info("surface interpolated", stations=len(known), cells=cells * cells, max_mm=float(grid.max()))
    return {
        "days": daily.index.tolist(),
        "daily": {s: daily[s].fillna(0).tolist() for s in daily.columns},
        "totals": totals.to_dict(),
        "grid": {"lat": lat.round(3).tolist(), "lon": lon.round(3).tolist(), "mm": grid.round(1).tolist()},
        "wettest": {"lat": round(float(lat[wettest[0]]), 3), "lon": round(float(lon[wettest[1]]), 3), "mm": round(float(grid.max()), 1)},
    }
