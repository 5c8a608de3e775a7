"""The worker API's shapes as this side writes them (the TypeScript twin is sdk/src/worker-api/wire.ts, whose zod
schemas the web app validates with): a log line is one JSON object, `{time, level, message, fieldsText?,
workflowId, runId, flow, task, activityId, attempt}`, the fields already JSON text (sluice.json_text) made when the
line was logged; a batch is `{"lines": [...], "progress": [...]}`. test/vectors/log-batch.json holds the cases both
sides check."""

from __future__ import annotations

import json
import math
import re
from typing import Any, NamedTuple

#: The worker API's protocol this client speaks; GET /api/worker/v1/hello says which ones the server accepts.
PROTOCOL = 1
#: This package's version, declared with the protocol on every worker API call (the `Sluice-Worker` header);
#: kept equal to pyproject.toml's and to the TypeScript package's (sdk/package.json) by test/python/vectors.test.ts.
VERSION = "0.3.0"

_SURROGATE = re.compile("[\ud800-\udfff]")
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _json(value: object) -> str:
    return "null" if value is None else _string(value if type(value) is str else str(value))


def run_suffix(workflow_id: str, run_id: str, flow: str | None, task: str | None, activity_id: str | None, attempt: int | None) -> str:
    """The end of every line one task attempt writes, encoded once per attempt: a line costs only its own parts."""
    return (
        f',"workflowId":{_json(workflow_id)},"runId":{_json(run_id)},"flow":{_json(flow)},"task":{_json(task)},'
        f'"activityId":{_json(activity_id)},"attempt":{"null" if attempt is None else int(attempt)}}}'
    )


def line_json(time_ms: int, level: str, message: str, fields_text: str | None, suffix: str, artifact_json: str | None = None) -> str:
    """One log line as the JSON text the batch carries (and the spool keeps): `suffix` is `run_suffix(...)`;
    `artifact_json`, what `publish` published with the line, as JSON text (sluice.artifacts)."""
    fields = "" if fields_text is None else ',"fieldsText":' + _string(fields_text)
    artifact = "" if artifact_json is None else ',"artifact":' + artifact_json
    return '{"time":' + str(time_ms) + ',"level":"' + level + '","message":' + _string(message) + fields + artifact + suffix


class ProgressRecord(NamedTuple):
    """What a task last reported with `progress()`: the shipper keeps the latest per task of a run."""

    time: int
    workflow_id: str
    run_id: str
    task: str | None
    activity_id: str
    attempt: int
    done: Any
    total: Any
    message: str | None = None


def _finite(value: object) -> float | int | None:
    if isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        try:
            value = float(value)  # type: ignore[arg-type]  # numpy numbers, Decimal
        except (TypeError, ValueError):
            return None
    return value if math.isfinite(value) else None


def progress_json(p: ProgressRecord) -> dict[str, Any] | None:
    """A report as the batch carries it; None for one whose done or total is no finite number (left out, as the
    server would refuse the whole batch for it)."""
    done, total = _finite(p.done), _finite(p.total)
    if done is None or total is None:
        return None
    return {
        "time": p.time,
        "workflowId": p.workflow_id,
        "runId": p.run_id,
        "task": p.task,
        "activityId": p.activity_id,
        "attempt": p.attempt,
        "done": done,
        "total": total,
        "message": p.message,
    }


def batch_body(lines: list[bytes], progress: list[ProgressRecord]) -> bytes:
    """The body of POST /api/worker/v1/logs, before gzip: the lines' JSON (UTF-8, as the spool keeps them) is used
    as it is, never parsed again."""
    reports = [r for r in map(progress_json, progress) if r is not None]
    body = b'{"lines":[' + b",".join(lines) + b"]"
    if reports:
        body += b',"progress":' + encode_text(json.dumps(reports, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
    return body + b"}"


def encode_text(text: str) -> bytes:
    """UTF-8; a lone surrogate (Python strings can hold one, UTF-8 cannot) becomes U+FFFD rather than failing a line."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")
