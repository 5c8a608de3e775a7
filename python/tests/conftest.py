"""Shared fixtures: the shared test vectors, and `sluice_api`, a small HTTP server answering the worker API's
routes as the web app does (web/app/api/worker/v1/…), for the client's and the worker's unit tests. The real web
app is in the end-to-end tests (test/python/*.test.ts)."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[2] / "test" / "vectors"
TOKEN = "sluice_worker_test"


def vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@dataclass
class FakeSluice:
    url: str
    protocol: dict[str, int] = field(default_factory=lambda: {"current": 1, "oldest": 1})
    #: Statuses to answer the next requests with (then normal answers again), e.g. [503, 503].
    fail_next: list[int] = field(default_factory=list)
    flows: dict[str, list[str]] = field(default_factory=dict)
    #: The runs (workflow id, run id) on the token's task queues; empty: every run is.
    runs: set[tuple[str, str]] = field(default_factory=set)
    batches: list[dict[str, Any]] = field(default_factory=list)
    published: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def lines(self) -> list[dict[str, Any]]:
        return [line for b in self.batches for line in b["lines"]]


@pytest.fixture
def sluice_api() -> Iterator[FakeSluice]:
    state: FakeSluice

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def handle_one(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            state.requests.append((method, self.path, dict(self.headers)))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.answer(401, {"error": {"code": "unauthorized", "message": "no valid worker token"}})
            if state.fail_next:
                status = state.fail_next.pop(0)
                return self.answer(status, {"error": {"code": "failed", "message": f"answered {status} on purpose"}})
            body = json.loads(gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw or b"null")
            path = self.path.split("?")[0]
            if method == "GET" and path == "/api/worker/v1/hello":
                return self.answer(200, {"server": {"version": "0.3.0"}, "protocol": state.protocol})
            if method == "GET" and path == "/api/worker/v1/flows":
                queue = self.path.split("taskQueue=")[-1]
                return self.answer(200, {"flows": [{"name": n, "goneAt": 1 if n == "gone" else None} for n in state.flows.get(queue, [])]})
            if method == "POST" and path == "/api/worker/v1/logs":
                outside = sorted({(x["workflowId"], x["runId"]) for x in body["lines"]} - state.runs) if state.runs else []
                if outside:
                    runs = [{"workflowId": w, "runId": r} for w, r in outside]
                    return self.answer(403, {"error": {"code": "forbidden", "message": "runs outside the token's task queues", "runs": runs}})
                state.batches.append(body)
                return self.answer(200, {"written": len(body["lines"])})
            if method == "POST" and path == "/api/worker/v1/tasks":
                state.published.append(body)
                return self.answer(200, {})
            return self.answer(404, {"error": {"code": "not_found", "message": f"no route {method} {path}"}})

        def do_GET(self) -> None:
            self.handle_one("GET")

        def do_POST(self) -> None:
            self.handle_one("POST")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = FakeSluice(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
