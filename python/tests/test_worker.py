"""The worker's readable refusals: settings, modules and declarations (before anything connects)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import TOKEN, FakeSluice

from sluice.worker import WorkerError, config_from_env, load_module, tasks_of

SLUICE = {"SLUICE_URL": "http://web:3000", "SLUICE_WORKER_TOKEN": TOKEN}


def test_settings_as_the_typescript_worker() -> None:
    c = config_from_env("m", None, {**SLUICE, "SLUICE_TASK_QUEUE": "hydrology", "TEMPORAL_ADDRESS": "temporal:7233", "SLUICE_SHUTDOWN_GRACE": "5s"})
    assert (c.task_queue, c.address, c.namespace, c.shutdown_grace_ms, c.sluice_url, c.worker_token, c.log_echo, c.spool_dir) == (
        "hydrology", "temporal:7233", "default", 5000, "http://web:3000", TOKEN, "WARN", "./data/spool",
    )
    assert config_from_env("m", "q", {**SLUICE, "SLUICE_TASK_QUEUE": "other", "SLUICE_SPOOL_DIR": "/spool"}).spool_dir == "/spool"


def test_bad_settings_are_all_named_at_once() -> None:
    with pytest.raises(WorkerError) as raised:
        config_from_env("m", None, {"TEMPORAL_ADDRESS": "http://x:7233", "SLUICE_SHUTDOWN_GRACE": "soon", "SLUICE_LOG_ECHO": "LOUD", "DATABASE_URL": "postgres://h/db", "SLUICE_SPOOL_MAX_BYTES": "1G"})
    text = str(raised.value)
    for part in [
        "--task-queue QUEUE or set SLUICE_TASK_QUEUE", "TEMPORAL_ADDRESS='http://x:7233': must be host:port", "SLUICE_SHUTDOWN_GRACE: 'soon' is not a duration",
        "SLUICE_LOG_ECHO='LOUD'", "SLUICE_URL and SLUICE_WORKER_TOKEN: the worker sends its log lines", "SLUICE_SPOOL_MAX_BYTES='1G': must be a whole number",
    ]:
        assert part in text
    with pytest.raises(WorkerError, match="SLUICE_URL='web:3000': must be the web app's base URL"):
        config_from_env("m", "q", {**SLUICE, "SLUICE_URL": "web:3000"})


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
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "PATH": "/usr/bin:/bin", **SLUICE}
    done = subprocess.run([sys.executable, "-m", "sluice", "worker", str(tmp_path / "nope.py")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "sluice worker: Invalid worker settings:",
        "  the task queue: pass --task-queue QUEUE or set SLUICE_TASK_QUEUE (a queue of its own, not the flows' queue)",
    ]


def run_config(module: str, queue: str, url: str, tmp_path: Path, token: str = TOKEN):
    import asyncio

    from sluice.worker import run_worker

    env = {"SLUICE_URL": url, "SLUICE_WORKER_TOKEN": token, "TEMPORAL_ADDRESS": "127.0.0.1:1", "SLUICE_SPOOL_DIR": str(tmp_path / "spool")}
    return asyncio.run(run_worker(config_from_env(module, queue, env), say=lambda line: None))


def test_the_flows_queue_another_protocol_and_an_unreachable_temporal_are_refused(tmp_path: Path, sluice_api: FakeSluice) -> None:
    module = module_file(tmp_path, "one_task", "from sluice import task\n@task\ndef f(): pass\n")
    sluice_api.flows = {"flows-q": ["rainfallReport"]}
    with pytest.raises(WorkerError, match=r"Task queue 'flows-q' is the flows' queue \(TypeScript flows rainfallReport run on it\)"):
        run_config(module, "flows-q", sluice_api.url, tmp_path)
    with pytest.raises(WorkerError, match=r"Cannot reach Temporal at 127\.0\.0\.1:1 .*set TEMPORAL_ADDRESS"):
        run_config(module, "own-q", sluice_api.url, tmp_path)
    sluice_api.protocol = {"current": 9, "oldest": 9}
    with pytest.raises(WorkerError, match=r"no longer accepts this worker's protocol 1 \(oldest it takes: 9\): update the sluice Python package"):
        run_config(module, "own-q", sluice_api.url, tmp_path)
    with pytest.raises(WorkerError, match=r"refused GET /api/worker/v1/hello \(401 unauthorized\): no valid worker token \(check SLUICE_WORKER_TOKEN"):
        run_config(module, "own-q", sluice_api.url, tmp_path, token="wrong")
    assert sluice_api.batches == [] and sluice_api.published == [], "nothing published before Temporal is reached"

