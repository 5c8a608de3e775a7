"""The health report's format (sluice.health): what the worker writes and what the healthcheck decides from it.
The worker writing a real report against Temporal is tested end to end in test/python/python-worker.test.ts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import vectors

from sluice.health import CONTRACT, INTERVAL_S, POLL_FRESH_S, REPORT_MAX_AGE_S, health_of, problem_with_report, report_of, write_report

NOW = 1_796_013_000.0  # 2026-11-30T04:30:00Z
ID = "123@host (python)"


def written(tmp_path: Path, report: dict) -> str:
    path = str(tmp_path / "sluice-health.json")
    write_report(path, report)
    return path


def test_a_fresh_ok_report_is_healthy(tmp_path: Path) -> None:
    path = written(tmp_path, report_of(True, "q", ID, NOW - 20))
    assert problem_with_report(path, now=NOW) is None
    assert problem_with_report(path, now=NOW - 20 + 60) is None, "60 s old is still fresh"


def test_the_report_is_the_spec_s_json_and_replaced_whole(tmp_path: Path) -> None:
    path = written(tmp_path, report_of(True, "q", ID, NOW))
    assert Path(path).read_text() == '{"ok":true,"checkedAt":"2026-11-30T04:30:00.000Z","taskQueue":"q","identity":"123@host (python)"}\n'
    write_report(path, report_of(False, "q", ID, NOW + 15.25, "why"))
    assert json.loads(Path(path).read_text()) == {"ok": False, "checkedAt": "2026-11-30T04:30:15.250Z", "taskQueue": "q", "identity": ID, "reason": "why"}
    assert [p.name for p in tmp_path.iterdir()] == ["sluice-health.json"], "no temporary file left beside it"


def test_a_missing_report(tmp_path: Path) -> None:
    path = str(tmp_path / "none.json")
    assert problem_with_report(path, now=NOW) == f"no health report at {path} yet (the worker writes one every 15 s once it polls)"


def test_an_unparsable_or_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text('{"ok":tru')
    problem = problem_with_report(str(path), now=NOW)
    assert problem is not None and problem.startswith(f"{path} is not a health report: Expecting value"), problem
    for foreign in ['{"ok":"yes","checkedAt":"2026-11-30T04:30:00.000Z"}', '{"ok":true,"checkedAt":"yesterday"}', '{"ok":true}', "[1]", "null"]:
        path.write_text(foreign)
        assert problem_with_report(str(path), now=NOW) == f"{path} is not a health report: it has no ok and checkedAt", foreign
    path.write_bytes(b"\xff\xfe")
    assert (problem_with_report(str(path), now=NOW) or "").startswith(f"{path} is not a health report: 'utf-8' codec")


def test_a_stale_report(tmp_path: Path) -> None:
    path = written(tmp_path, report_of(True, "q", ID, NOW - 61))
    assert problem_with_report(path, now=NOW) == f"the last health report ({path}) is 61 s old: the worker has stopped checking in"


def test_a_report_that_is_not_ok(tmp_path: Path) -> None:
    reason = f"Temporal lists no poll from this worker ({ID}) on task queue q in the last 90 s"
    path = written(tmp_path, report_of(False, "q", ID, NOW - 16, reason))
    assert problem_with_report(path, now=NOW) == f"{reason} (16 s ago)"


def test_only_a_recent_poll_by_this_very_worker_is_healthy() -> None:
    assert health_of([("9@host (python)", NOW), (ID, NOW - 89)], "q", ID, NOW)["ok"] is True
    for pollers in ([], [(ID, NOW - 90)], [("123@host", NOW)], [("1234@host (python)", NOW)]):
        report = health_of(pollers, "q", ID, NOW)
        assert report == {
            "ok": False,
            "checkedAt": "2026-11-30T04:30:00.000Z",
            "taskQueue": "q",
            "identity": ID,
            "reason": f"Temporal lists no poll from this worker ({ID}) on task queue q in the last 90 s",
        }, pollers


def test_the_healthcheck_reads_the_report_without_loading_temporalio(tmp_path: Path) -> None:
    # It runs every 30 s in each worker container: temporalio alone is 0.4 s of CPU. The command, as run there.
    path = written(tmp_path, report_of(True, "q", ID, time.time()))
    probe = "import sys; from sluice.__main__ import main; code = main(['healthcheck']); print(code, sorted(m for m in sys.modules if m.startswith('temporalio')))"
    env = {"SLUICE_HEALTH_FILE": path, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "0 []", run.stdout + run.stderr


# The contract's shared cases (test/vectors/health.json), decided alike by the TypeScript worker and healthcheck.
HEALTH = vectors("health.json")
VECTOR_NOW = datetime.fromisoformat(HEALTH["now"]).timestamp()


def test_the_contract_is_the_one_file_typescript_reads() -> None:
    here = Path(__file__).resolve().parents[1] / "src" / "sluice" / "health_contract.json"
    assert here.samefile(Path(__file__).resolve().parents[2] / "sdk" / "src" / "worker" / "health-contract.json"), "a link, not a copy"
    assert (INTERVAL_S, POLL_FRESH_S, REPORT_MAX_AGE_S) == (CONTRACT["checkEverySeconds"], CONTRACT["pollFreshSeconds"], CONTRACT["reportMaxAgeSeconds"])


@pytest.mark.parametrize("case", HEALTH["polls"], ids=lambda c: c["name"])
def test_shared_vector_health_of(case: dict) -> None:
    pollers = [(p["identity"], VECTOR_NOW - p["secondsAgo"]) for p in case["pollers"]]
    assert health_of(pollers, case["taskQueue"], case["identity"], VECTOR_NOW) == case["report"]
    assert set(CONTRACT["required"]) <= set(case["report"]) <= set(CONTRACT["fields"])


@pytest.mark.parametrize("case", HEALTH["reports"], ids=lambda c: c["name"])
def test_shared_vector_reports(tmp_path: Path, case: dict) -> None:
    path = tmp_path / "sluice-health.json"
    if case["text"] is not None:
        at = lambda m: datetime.fromtimestamp(VECTOR_NOW - int(m.group(1)), timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        path.write_text(re.sub(r"\{ago:(-?\d+)\}", at, case["text"]))
    problem = problem_with_report(str(path), now=VECTOR_NOW)
    if "problemStartsWith" in case:
        assert problem is not None and problem.startswith(case["problemStartsWith"].replace("{file}", str(path))), problem
    else:
        assert problem == (case["problem"] and case["problem"].replace("{file}", str(path)))
