"""The worker API's client against an HTTP server answering as the web app does: the version handshake, gzip
batches with the token, refusals with the server's message, and outages told apart from refusals."""

from __future__ import annotations

import gzip
import socket

import pytest
from conftest import TOKEN, FakeSluice

from sluice.wire import PROTOCOL
from sluice.worker_api import Unavailable, WorkerApi, WorkerApiError


def test_hello_accepts_a_server_that_speaks_this_protocol(sluice_api: FakeSluice) -> None:
    assert WorkerApi(sluice_api.url, TOKEN).hello()["server"] == {"version": "0.3.0"}


@pytest.mark.parametrize(
    "protocol,message",
    [
        ({"current": PROTOCOL + 2, "oldest": PROTOCOL + 1}, "no longer accepts this worker's protocol 1 .*update the sluice Python package"),
        ({"current": PROTOCOL - 1, "oldest": PROTOCOL - 1}, "speaks protocol 0 at most, this worker 1: update the Sluice web app"),
    ],
)
def test_hello_refuses_a_server_of_another_protocol(sluice_api: FakeSluice, protocol: dict, message: str) -> None:
    sluice_api.protocol = protocol
    with pytest.raises(WorkerApiError, match=message):
        WorkerApi(sluice_api.url, TOKEN).hello()


def test_a_batch_goes_gzipped_with_the_token(sluice_api: FakeSluice) -> None:
    body = b'{"lines":[{"time":1,"level":"info","message":"h\xc3\xa9","workflowId":"w","runId":"r","flow":null,"task":null,"activityId":null,"attempt":null}]}'
    assert WorkerApi(sluice_api.url + "/", TOKEN).post_logs(body) == 1
    method, path, headers = sluice_api.requests[-1]
    assert (method, path, headers["Content-Encoding"], headers["Authorization"]) == ("POST", "/api/worker/v1/logs", "gzip", f"Bearer {TOKEN}")
    assert sluice_api.batches == [{"lines": [{"time": 1, "level": "info", "message": "hé", "workflowId": "w", "runId": "r", "flow": None, "task": None, "activityId": None, "attempt": None}]}]
    assert len(gzip.compress(body)) > 0


def test_a_wrong_token_is_a_refusal_that_says_what_to_check(sluice_api: FakeSluice) -> None:
    with pytest.raises(WorkerApiError) as raised:
        WorkerApi(sluice_api.url, "wrong").post_logs(b'{"lines":[]}')
    assert raised.value.status == 401
    assert str(raised.value) == (
        f"Sluice at {sluice_api.url} refused POST /api/worker/v1/logs (401 unauthorized): no valid worker token "
        "(check SLUICE_WORKER_TOKEN: a token with role worker, made in Sluice)"
    )


def test_503_and_no_connection_are_outages_to_retry(sluice_api: FakeSluice) -> None:
    sluice_api.fail_next = [503, 400]
    api = WorkerApi(sluice_api.url, TOKEN)
    with pytest.raises(Unavailable, match=r"\(503 failed\): answered 503 on purpose"):
        api.post_logs(b'{"lines":[]}')
    with pytest.raises(WorkerApiError) as refused:
        api.post_logs(b'{"lines":[]}')
    assert refused.value.status == 400
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(Unavailable, match=f"cannot reach Sluice at {closed}"):
        WorkerApi(closed, TOKEN, timeout_s=2).hello()


def test_publishes_the_task_catalog_and_reads_the_queue_s_flows(sluice_api: FakeSluice) -> None:
    sluice_api.flows = {"flows-q": ["rainfallReport", "gone"]}
    api = WorkerApi(sluice_api.url, TOKEN)
    api.publish_tasks("py-q", {"double": {"retries": 3}}, "1@host (python)")
    assert sluice_api.published == [{"taskQueue": "py-q", "worker": "1@host (python)", "tasks": {"double": {"retries": 3}}}]
    assert api.flows_on_queue("flows-q") == ["rainfallReport"]
    assert api.flows_on_queue("py-q") == []
