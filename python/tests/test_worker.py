"""The worker's readable refusals: settings, modules and declarations (before anything connects)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sluice.worker import WorkerError, config_from_env, load_module, tasks_of


def test_settings_as_the_typescript_worker() -> None:
    c = config_from_env("m", None, {"SLUICE_TASK_QUEUE": "hydrology", "TEMPORAL_ADDRESS": "temporal:7233", "SLUICE_SHUTDOWN_GRACE": "5s", "DATABASE_URL": "postgres://h/db"})
    assert (c.task_queue, c.address, c.namespace, c.shutdown_grace_ms, c.store_url, c.log_echo) == ("hydrology", "temporal:7233", "default", 5000, "postgres://h/db", "WARN")
    assert config_from_env("m", "q", {"SLUICE_TASK_QUEUE": "other"}).task_queue == "q"


def test_bad_settings_are_all_named_at_once() -> None:
    with pytest.raises(WorkerError) as raised:
        config_from_env("m", None, {"TEMPORAL_ADDRESS": "http://x:7233", "SLUICE_SHUTDOWN_GRACE": "soon", "SLUICE_LOG_ECHO": "LOUD"})
    text = str(raised.value)
    for part in ["--task-queue QUEUE or set SLUICE_TASK_QUEUE", "TEMPORAL_ADDRESS='http://x:7233': must be host:port", "SLUICE_SHUTDOWN_GRACE: 'soon' is not a duration", "SLUICE_LOG_ECHO='LOUD'"]:
        assert part in text


def module_file(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_modules_are_refused_readably(tmp_path: Path) -> None:
    with pytest.raises(WorkerError, match="No such Python file"):
        load_module(str(tmp_path / "missing.py"))
    with pytest.raises(WorkerError, match="Cannot import no_such_module_here"):
        load_module("no_such_module_here")
    with pytest.raises(WorkerError, match=r"A task in .*bad_decl.py is declared wrongly: task 'f', option retries"):
        load_module(module_file(tmp_path, "bad_decl", "from sluice import task\n@task(retries='x')\ndef f(): pass\n"))
    with pytest.raises(WorkerError, match=r"no_tasks declares no tasks: decorate its functions with @task"):
        tasks_of(load_module(module_file(tmp_path, "no_tasks", "def f(): pass\n")))
    tasks = tasks_of(load_module(module_file(tmp_path, "two_tasks", "from sluice import task\n@task\ndef b(): pass\n@task\ndef a(): pass\nalias = a\n")))
    assert list(tasks) == ["a", "b"]


def test_the_command_exits_1_with_one_readable_line(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "sluice", "worker", str(tmp_path / "nope.py")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "sluice worker: Invalid worker settings:",
        "  the task queue: pass --task-queue QUEUE or set SLUICE_TASK_QUEUE (a queue of its own, not the flows' queue)",
    ]


def run_config(module: str, queue: str, store_url: str, address: str = "127.0.0.1:1"):
    import asyncio

    from sluice.worker import run_worker

    config = config_from_env(module, queue, {"DATABASE_URL": store_url, "TEMPORAL_ADDRESS": address})
    return asyncio.run(run_worker(config, say=lambda line: None))


def test_the_flows_queue_and_an_unreachable_temporal_are_refused(tmp_path: Path, sqlite_url: str) -> None:
    import sqlite3

    module = module_file(tmp_path, "one_task", "from sluice import task\n@task\ndef f(): pass\n")
    path = sqlite_url.removeprefix("sqlite:")
    with sqlite3.connect(path) as db:
        db.execute(
            "insert into flows (task_queue, name, description, parameters_schema, deployments, updated_at) values (?, ?, null, '{}', '[]', 0)",
            ("flows-q", "rainfallReport"),
        )
    with pytest.raises(WorkerError, match=r"Task queue 'flows-q' is the flows' queue \(TypeScript flows rainfallReport run on it\)"):
        run_config(module, "flows-q", sqlite_url)
    with pytest.raises(WorkerError, match=r"Cannot reach Temporal at 127\.0\.0\.1:1 .*set TEMPORAL_ADDRESS"):
        run_config(module, "own-q", sqlite_url)
