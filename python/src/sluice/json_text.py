"""A log line's fields as the same JSON text TypeScript's `fieldsText` writes (sdk/src/log-fields.ts,
sdk/src/store/json-text.ts): compact, non-ASCII kept, numbers as JavaScript prints them, identity keys
renamed to `field.<key>`. It never raises: a line must not be lost because of what its fields hold."""

from __future__ import annotations

import json
import math
import traceback
from decimal import Decimal
from typing import Any

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode  # type: ignore[assignment]
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]

#: What the worker sets on every line itself: a line's own fields with these names are renamed.
IDENTITY = frozenset(["runId", "workflowId", "task", "attempt", "activityId", "flow", "sluiceFieldsText"])
_IDENTITY_DISJOINT = IDENTITY.isdisjoint


def fields_text(fields: dict[str, Any] | None) -> str | None:
    """JSON text of a line's fields, or None when it has none (like `fieldsText(undefined)`)."""
    if type(fields) is dict and _IDENTITY_DISJOINT(fields):
        flat = _flat(fields)  # the usual line first, with as few calls as possible
        if flat is not None:
            return flat
    if fields is None or not isinstance(fields, dict):
        return None
    if not IDENTITY.isdisjoint(fields):
        fields = {(f"field.{k}" if k in IDENTITY else k): v for k, v in fields.items()}
    return to_json_text(fields)


def _plain_scalar(v: object) -> bool:
    """True when `json` writes `v` exactly as JavaScript's JSON.stringify does."""
    t = type(v)
    if t is str or t is int or t is bool or v is None:
        return True
    if t is float:
        a = abs(v)  # type: ignore[arg-type]
        # Python and JavaScript differ on whole floats (1.0 vs 1) and on small ones (1e-05 vs 0.00001).
        return 1e-4 <= a < 1e16 and not v.is_integer()  # type: ignore[union-attr]
    return False


def _flat(value: dict[str, Any]) -> str | None:
    """The usual fields, strings and whole numbers: written here, in one pass (the hot path of every line)."""
    parts: list[str] = []
    append = parts.append
    for k, v in value.items():
        if type(k) is not str:
            return None
        t = type(v)
        if t is str:
            append(_string(k) + ":" + _string(v))
        elif t is int:
            append(_string(k) + ":" + str(v))
        elif v is None:
            append(_string(k) + ":null")
        elif t is bool:
            append(_string(k) + (":true" if v else ":false"))
        else:
            return None
    return "{" + ",".join(parts) + "}"


def to_json_text(value: Any) -> str:
    try:
        if type(value) is dict:
            flat = _flat(value)
            if flat is not None:
                return flat
            # Flat with floats JavaScript prints as Python does: the C encoder, one call.
            if all(type(k) is str and _plain_scalar(v) for k, v in value.items()):
                return _dumps(value)
        out: list[str] = []
        _write(value, out, set())
        return "".join(out)
    except Exception as err:  # a failing __str__ or the like: keep the line, say why its fields are missing
        return _dumps({"unserializableFields": str(err)})


def js_number(f: float) -> str:
    """A float as JavaScript's Number#toString prints it (JSON.stringify writes NaN and Infinity as null)."""
    if not math.isfinite(f):
        return "null"
    if f == 0:
        return "0"
    if f.is_integer() and abs(f) < 1e21:
        return str(int(f))
    sign, digits, exponent = Decimal(repr(f)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    n = len(digits) + int(exponent)  # the decimal point sits after n digits
    k = len(ds)
    s = "-" if sign else ""
    if k <= n <= 21:
        return s + ds + "0" * (n - k)
    if 0 < n <= 21:
        return s + ds[:n] + "." + ds[n:]
    if -6 < n <= 0:
        return s + "0." + "0" * (-n) + ds
    e = n - 1
    return s + ds[0] + ("." + ds[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))


def _write(v: Any, out: list[str], seen: set[int]) -> None:
    t = type(v)
    if v is None:
        out.append("null")
    elif t is bool:
        out.append("true" if v else "false")
    elif t is str:
        out.append(_string(v))
    elif t is int:
        out.append(str(v))
    elif t is float or isinstance(v, float):
        out.append(js_number(float(v)))
    elif isinstance(v, (int, str)):  # enums and other subclasses
        _write(int(v) if isinstance(v, int) else str(v), out, seen)
    elif isinstance(v, (dict, list, tuple, set, frozenset, BaseException)) or hasattr(v, "tolist"):
        # Like TypeScript's WeakSet, an object met a second time (not only a cycle) is written as "[Circular]".
        if id(v) in seen:
            out.append('"[Circular]"')
            return
        seen.add(id(v))
        if isinstance(v, dict):
            out.append("{")
            first = True
            for key, item in v.items():
                if not first:
                    out.append(",")
                first = False
                out.append(_string(str(key)))
                out.append(":")
                _write(item, out, seen)
            out.append("}")
        elif isinstance(v, BaseException):
            # As TypeScript keeps an Error: its name, message and stack.
            stack = "".join(traceback.format_exception(v)).rstrip("\n")
            _write({**{k: x for k, x in vars(v).items() if not k.startswith("_")}, "name": type(v).__name__, "message": str(v), "stack": stack}, out, seen)
        elif hasattr(v, "tolist") and not isinstance(v, (list, tuple, set, frozenset)):
            _write(v.tolist(), out, seen)  # numpy arrays and scalars, pandas series
        else:
            out.append("[")
            for i, item in enumerate(v):
                if i:
                    out.append(",")
                _write(item, out, seen)
            out.append("]")

    elif hasattr(v, "isoformat"):
        out.append(_string(v.isoformat()))  # datetime, date
    else:
        out.append(_string(str(v)))
