"""The client of the web app's worker API (web/app/api/worker/v1/…): how a Python worker reaches Sluice's store
without holding its credentials. It sends its token (SLUICE_WORKER_TOKEN, a token with role `worker` scoped to
its task queues) to SLUICE_URL; the server writes the lines of runs on those queues only.

    api = WorkerApi("http://web:3000", token)
    api.hello()                                   # raises WorkerApiError if this client is too old or too new
    api.post_logs(batch_body(lines, progress))    # gzip JSON; Unavailable while the server or its store is down

Errors split by what the caller does next: `Unavailable` (503, another 5xx, no connection, a timeout) is retried
with capped backoff; `WorkerApiError` (400, 401, 403, 404, 409, 413) is a refusal that retrying the same request does
not change, with the server's own message."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from .wire import PROTOCOL, VERSION

TIMEOUT_S = 30.0


class WorkerApiError(Exception):
    """The server refused a request (a 4xx): `status` and `code` are the server's, the message says what to do."""

    def __init__(self, message: str, status: int, code: str | None = None, runs: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        #: A refused POST /logs names the runs outside the token's task queues (their run ids) in `runs`.
        self.runs = runs


class Unavailable(Exception):
    """The server cannot take the request now (503 while its store is down, another 5xx, no connection, a
    timeout): the same request may succeed later."""


def check_url(url: str) -> str | None:
    """Why SLUICE_URL is no base URL, or None."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return f"SLUICE_URL={url!r}: must be the web app's base URL, for example http://web:3000"
    return None


class WorkerApi:
    def __init__(self, base_url: str, token: str, timeout_s: float = TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout_s

    def hello(self) -> dict[str, Any]:
        """The server's version, after checking it speaks this client's protocol (it accepts `oldest`..`current`)."""
        answer = self._request("GET", "/api/worker/v1/hello")
        protocol = answer.get("protocol") if isinstance(answer, dict) else None
        current = protocol.get("current") if isinstance(protocol, dict) else None
        oldest = protocol.get("oldest") if isinstance(protocol, dict) else None
        if not isinstance(current, int) or not isinstance(oldest, int):
            raise WorkerApiError(f"{self.base_url} answered GET /api/worker/v1/hello without a protocol: is SLUICE_URL the Sluice web app?", 200)
        version = (answer.get("server") or {}).get("version", "unknown")
        if PROTOCOL < oldest:
            raise WorkerApiError(
                f"Sluice at {self.base_url} (version {version}) no longer accepts this worker's protocol {PROTOCOL} "
                f"(oldest it takes: {oldest}): update the sluice Python package",
                200,
            )
        if PROTOCOL > current:
            raise WorkerApiError(
                f"Sluice at {self.base_url} (version {version}) speaks protocol {current} at most, this worker {PROTOCOL}: "
                "update the Sluice web app, or use an older sluice Python package",
                200,
            )
        return answer

    def post_logs(self, body: bytes) -> int:
        """Writes one batch (`wire.batch_body`); the number of lines written."""
        answer = self._request("POST", "/api/worker/v1/logs", body)
        written = answer.get("written") if isinstance(answer, dict) else None
        return written if isinstance(written, int) else 0

    def publish_tasks(self, task_queue: str, tasks: Mapping[str, Mapping[str, Any]], worker: str) -> None:
        """Publishes the whole set of tasks the queue serves (the others of the queue are marked gone); `tasks`
        maps a name to its options as TypeScript's TaskOptions."""
        body = {"taskQueue": task_queue, "worker": worker, "tasks": dict(tasks)}
        self._request("POST", "/api/worker/v1/tasks", json.dumps(body, separators=(",", ":")).encode())

    def flows_on_queue(self, task_queue: str) -> list[str]:
        """The names of the live flows published on the queue (a Python worker must not share their queue)."""
        answer = self._request("GET", "/api/worker/v1/flows?" + urllib.parse.urlencode({"taskQueue": task_queue}))
        flows = answer.get("flows") if isinstance(answer, dict) else None
        return [f["name"] for f in flows or [] if isinstance(f, dict) and isinstance(f.get("name"), str) and f.get("goneAt") is None]

    def _request(self, method: str, path: str, body: bytes | None = None) -> Any:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": f"sluice-python/{VERSION}",
            # What this worker is, judged by the server (sluice/compat): a protocol it does not serve is refused (409).
            "Sluice-Worker": f"{VERSION}; protocol={PROTOCOL}",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
            headers["Content-Encoding"] = "gzip"
            body = gzip.compress(body, compresslevel=5)
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as err:
            code, message, runs = _error_of(err)
            where = f"Sluice at {self.base_url} refused {method} {path.split('?')[0]} ({err.code}{' ' + code if code else ''})"
            if err.code >= 500 or err.code == 429:
                raise Unavailable(f"{where}: {message}") from None
            raise WorkerApiError(f"{where}: {message}{_advice(err.code)}", err.code, code, runs) from None
        except (urllib.error.URLError, OSError) as err:  # no connection, refused, reset, timed out
            reason = getattr(err, "reason", err)
            raise Unavailable(f"cannot reach Sluice at {self.base_url}: {reason}") from None
        try:
            return json.loads(text) if text else {}
        except ValueError:
            raise Unavailable(f"Sluice at {self.base_url} answered {method} {path.split('?')[0]} with no JSON") from None


def _error_of(err: urllib.error.HTTPError) -> tuple[str | None, str, frozenset[str]]:
    """The `{ error: { code, message, runs? } }` the worker API answers with (sdk/src/worker-api/wire.ts), or the
    status text."""
    try:
        error = json.loads(err.read() or b"{}").get("error") or {}
        runs = frozenset(str(r.get("runId")) for r in error.get("runs") or [] if isinstance(r, dict))
        return (error.get("code") if isinstance(error.get("code"), str) else None), str(error.get("message") or err.reason), runs
    except Exception:
        return None, str(err.reason), frozenset()


def _advice(status: int) -> str:
    if status == 401:
        return " (check SLUICE_WORKER_TOKEN: a token with role worker, made in Sluice)"
    if status == 403:
        return " (the worker token is not scoped to this task queue)"
    if status == 404:
        return " (is SLUICE_URL the Sluice web app, of version 0.3 or later?)"
    return ""
