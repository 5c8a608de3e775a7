"""The example's Python task (activities/hydrology.py) on made-up readings: pandas totals, numpy interpolation."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from sluice.task import declared_task, set_log_destination

spec = importlib.util.spec_from_file_location("hydrology", Path(__file__).resolve().parents[2] / "activities" / "hydrology.py")
assert spec and spec.loader
hydrology = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hydrology)


def readings(mm_per_hour: float, hours: int = 48) -> list[dict]:
    return [{"time": f"2026-01-0{1 + h // 24}T{h % 24:02d}:00:00.000Z", "mm": mm_per_hour} for h in range(hours)]


def test_totals_per_day_and_an_interpolated_surface_between_the_stations() -> None:
    lines: list[str] = []
    set_log_destination(lines.append, "error")
    series = {"DeBilt": readings(1.0), "Eelde": readings(0.5), "Maastricht": readings(0.0) + [{"time": "2026-01-02T23:00:00.000Z", "mm": -1}, {"time": "2026-01-02T23:00:00.000Z", "mm": None}]}
    out = ActivityEnvironment().run(declared_task(hydrology.rainfall_surface).activity, series, 8)  # type: ignore[union-attr]
    assert out["days"] == ["2026-01-01", "2026-01-02"]
    assert out["daily"]["DeBilt"] == [24.0, 24.0]
    assert out["totals"] == {"DeBilt": 48.0, "Eelde": 24.0, "Maastricht": 0.0}
    mm = out["grid"]["mm"]
    assert len(mm) == 8 and all(len(row) == 8 for row in mm)
    assert all(0.0 <= v <= 48.0 for row in mm for v in row), "inverse distance weighting stays within the stations' range"
    assert out["wettest"]["mm"] == max(v for row in mm for v in row)
    assert ("warn", "dropped invalid readings", '{"count":2}') in [(r["level"], r["message"], r.get("fieldsText")) for r in map(json.loads, lines)]


def test_no_readings_fails_at_once() -> None:
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(declared_task(hydrology.rainfall_surface).activity, {"DeBilt": []}, 4)  # type: ignore[union-attr]
    assert raised.value.type == "NoReadings" and raised.value.non_retryable
