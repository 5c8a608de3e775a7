"""Writing to a real store made by TypeScript's migrations (SQLite file and PostgreSQL), the task catalog, and
the store settings read as the TypeScript worker reads them."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest
from conftest import vectors

from sluice.json_text import fields_text
from sluice.log_rows import LOG_COLUMNS, LogRecord, ProgressRecord
from sluice.store import StoreError, open_store, parse_store_url, store_url_from_env


def records(run_id: str) -> list[LogRecord]:
    out = []
    for case in vectors("log-rows.json")["cases"]:
        r = case["record"]
        out.append(LogRecord(r["time"], r["level"], r["message"], fields_text(r.get("fields")), r["workflowId"], run_id, r["flow"], r["task"], r["activityId"], r["attempt"]))
    return out


def expected_rows(run_id: str) -> list[list]:
    rows = []
    for case in vectors("log-rows.json")["cases"]:
        row = list(case["row"])
        row[LOG_COLUMNS.index("run_id")] = run_id
        rows.append(row)
    return rows


def stored_rows(store, run_id: str) -> list[list]:
    p = "?" if store.location.dialect == "sqlite" else "%s"
    cur = store._connect().execute(f"select {', '.join(LOG_COLUMNS)} from logs where run_id = {p} order by id", (run_id,))
    return [[int(v) if c == "time" else v for c, v in zip(LOG_COLUMNS, row)] for row in cur.fetchall()]


@pytest.mark.parametrize("url_fixture", ["sqlite_url", "pg_url"])
def test_log_lines_land_as_the_vectors_say_and_tasks_publish(url_fixture: str, request: pytest.FixtureRequest) -> None:
    store = open_store(request.getfixturevalue(url_fixture))
    try:
        store.check_schema()
        run_id = f"run-{uuid.uuid4()}"
        store.insert_logs(records(run_id))
        assert stored_rows(store, run_id) == expected_rows(run_id)

        queue = f"py-{uuid.uuid4().hex[:8]}"
        store.publish_tasks(queue, {"a": {"retries": 1}, "b": {"retries": 2}}, "1@host (python)", now_ms=1000)
        store.publish_tasks(queue, {"b": {"retries": 5}}, "2@host (python)", now_ms=2000)
        p = "?" if store.location.dialect == "sqlite" else "%s"
        rows = store._connect().execute(f"select name, options, worker, updated_at, gone_at from tasks where task_queue = {p} order by name", (queue,)).fetchall()
        assert [(n, json.loads(o), w, int(u), g) for n, o, w, u, g in rows] == [
            ("a", {"retries": 1}, "1@host (python)", 1000, 2000),
            ("b", {"retries": 5}, "2@host (python)", 2000, None),
        ]
    finally:
        store.close()


@pytest.mark.parametrize("url_fixture", ["sqlite_url", "pg_url"])
def test_progress_keeps_the_latest_report_of_each_task_and_never_goes_back(url_fixture: str, request: pytest.FixtureRequest) -> None:
    store = open_store(request.getfixturevalue(url_fixture))
    try:
        store.check_schema()
        assert store.has_progress
        run_id = f"run-{uuid.uuid4()}"

        def report(activity: str, attempt: int, at: int, done: float, message: str | None = None) -> ProgressRecord:
            return ProgressRecord(at, "wf", run_id, "slow", activity, attempt, done, 60, message)

        store.insert_logs([], [report("1", 1, 1000, 12, "step 12 of 60"), report("2", 1, 1000, 3)])
        store.insert_logs(records(run_id)[:1], [report("1", 1, 1200, 13, "step 13 of 60")])
        store.insert_logs([], [report("1", 1, 1100, 99)])  # a late report of the same attempt loses
        store.insert_logs([], [report("2", 2, 900, 1)])  # a later attempt wins whatever its clock says
        store.insert_logs([], [report("2", 1, 5000, 50)])  # an earlier attempt never comes back
        store.insert_logs([], [ProgressRecord(1, "wf", run_id, "slow", "3", 1, "many", 60)])  # not progress: left out
        p = "?" if store.location.dialect == "sqlite" else "%s"
        rows = store._connect().execute(
            f"select activity_id, attempt, done, total, message, time from task_progress where run_id = {p} order by activity_id", (run_id,)
        ).fetchall()
        assert [(a, n, float(d), float(t), m, int(at)) for a, n, d, t, m, at in rows] == [
            ("1", 1, 13.0, 60.0, "step 13 of 60", 1200),
            ("2", 2, 1.0, 60.0, None, 900),
        ]
        assert len(stored_rows(store, run_id)) == 1, "the line written with the progress is there too"
    finally:
        store.close()


def test_a_store_without_sluice_tables_is_refused_readably(tmp_path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    store = open_store(f"sqlite:{path}")
    with pytest.raises(StoreError, match=r"has no logs and no tasks table yet: .*Run `sluice migrate` on this store or start the web app"):
        store.check_schema()
    store.close()


def test_store_settings_as_the_typescript_worker_reads_them() -> None:
    assert store_url_from_env({}) == "sqlite:./data/sluice.db"
    assert store_url_from_env({"SLUICE_DATA_DIR": "/srv/sluice/"}) == "sqlite:/srv/sluice/sluice.db"
    assert store_url_from_env({"DATABASE_URL": " postgres://u:p@h/db ", "SLUICE_DATA_DIR": "/x"}) == "postgres://u:p@h/db"
    assert parse_store_url("sqlite:///tmp/x.db").target == "/tmp/x.db"
    assert parse_store_url("postgresql://h/db").dialect == "postgres"
    assert parse_store_url("data/x.db").dialect == "sqlite"
    with pytest.raises(StoreError, match=r"'mysql://u:\*\*\*@h/db' uses 'mysql:'"):
        parse_store_url("mysql://u:secret@h/db")
    with pytest.raises(StoreError, match="names no file"):
        parse_store_url("sqlite:")
