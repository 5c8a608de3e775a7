"""Sluice's store from Python: where it is (the same settings as the TypeScript worker: DATABASE_URL, else a
SQLite file in SLUICE_DATA_DIR; sdk/src/store/store-url.ts), writing log lines, and publishing this worker's
tasks to the catalog. The schema is TypeScript's (its migrations): this side only checks it is there."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from .log_rows import LOG_COLUMNS, PROGRESS_COLUMNS, CleanRecord, LogRecord, ProgressRecord, log_row, progress_row

#: The PostgreSQL advisory lock every log writer takes (sdk/src/store/store.ts LOG_WRITE_LOCK, "sluice" in ASCII):
#: batches of all workers commit one at a time, so the run page's tail, which reads by id, never skips a line.
LOG_WRITE_LOCK = 0x736C75696365
BUSY_TIMEOUT_MS = 5_000
_INSERT = f"insert into logs ({', '.join(LOG_COLUMNS)}) values ({', '.join(['?'] * len(LOG_COLUMNS))})"
_INSERT_PG = _INSERT.replace("?", "%s")
# The latest report of a task of a run wins: a later attempt, or the same attempt reported at the same time or
# later (sdk/src/store/progress-rows.ts), so a late batch never moves a task's progress back.
_UPSERT_PROGRESS = (
    f"insert into task_progress ({', '.join(PROGRESS_COLUMNS)}) values ({', '.join(['?'] * len(PROGRESS_COLUMNS))}) "
    "on conflict (run_id, activity_id) do update set "
    + ", ".join(f"{c} = excluded.{c}" for c in PROGRESS_COLUMNS[2:])
    + " where task_progress.attempt < excluded.attempt"
    " or (task_progress.attempt = excluded.attempt and task_progress.time <= excluded.time)"
)
_UPSERT_PROGRESS_PG = _UPSERT_PROGRESS.replace("?", "%s")


class StoreError(Exception):
    """The store cannot be used: its URL is wrong, it cannot be opened, or it lacks Sluice's tables."""


@dataclass(frozen=True)
class StoreLocation:
    dialect: Literal["sqlite", "postgres"]
    target: str  # a file path or a connection string


def store_url_from_env(env: Mapping[str, str] = os.environ) -> str:
    url = (env.get("DATABASE_URL") or "").strip()
    if url:
        return url
    data_dir = re.sub(r"[\\/]+$", "", (env.get("SLUICE_DATA_DIR") or "").strip() or "./data") or "/"
    return f"sqlite:{'' if data_dir == '/' else data_dir}/sluice.db"


def redact_url(url: str) -> str:
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:/@]*:)[^@]*@", r"\1***@", url, flags=re.IGNORECASE)


def parse_store_url(url: str) -> StoreLocation:
    trimmed = url.strip()
    if not trimmed:
        raise StoreError("The store URL is empty: set DATABASE_URL to postgres://… or leave it unset to use a SQLite file.")
    if re.match(r"^postgres(ql)?://", trimmed, re.IGNORECASE):
        return StoreLocation("postgres", trimmed)
    sqlite = re.match(r"^sqlite:(//)?(.*)$", trimmed, re.IGNORECASE | re.DOTALL)
    if sqlite:
        if not sqlite.group(2):
            raise StoreError(f"The store URL '{trimmed}' names no file: write sqlite:PATH, e.g. sqlite:./data/sluice.db.")
        return StoreLocation("sqlite", sqlite.group(2))
    scheme = re.match(r"^([a-z][a-z0-9+.-]+):", trimmed, re.IGNORECASE)
    if scheme:
        raise StoreError(
            f"The store URL '{redact_url(trimmed)}' uses '{scheme.group(1)}:', which Sluice cannot store logs in: "
            "set DATABASE_URL to postgres://USER:PASSWORD@HOST:PORT/DB, or unset it to use a SQLite file (sqlite:PATH)."
        )
    return StoreLocation("sqlite", trimmed)


@contextmanager
def _sqlite_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE: take the write lock now (waiting up to busy_timeout for the TypeScript side's writes).
    conn.execute("begin immediate")
    try:
        yield
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


class Store:
    """One connection to the store; used by one thread at a time (the worker's, or the shipper's)."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self._conn: Any = None
        # Whether the store has the task_progress table (TypeScript's migration 0010): a store of an older Sluice
        # has not, and then progress shows through heartbeats only, instead of failing every batch of lines.
        self.has_progress = True

    @property
    def where(self) -> str:
        return self.location.target if self.location.dialect == "sqlite" else redact_url(self.location.target)

    def _connect(self) -> Any:
        if self._conn is not None:
            return self._conn
        if self.location.dialect == "sqlite":
            conn = sqlite3.connect(self.location.target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
            conn.execute("pragma journal_mode = WAL")
            conn.execute("pragma synchronous = NORMAL")
        else:
            import psycopg  # only needed for PostgreSQL

            conn = psycopg.connect(self.location.target, connect_timeout=10, autocommit=True)
        self._conn = conn
        return conn

    def _reset(self) -> None:
        """Drops a connection that failed: the next call reconnects (the database may be back)."""
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                conn.close()
        except Exception:
            pass

    def insert_logs(self, records: Sequence[LogRecord], progress: Sequence[ProgressRecord] | None = None) -> None:
        """Writes lines, and the latest progress of some tasks, in one transaction (the LogSink the shipper writes to)."""
        reports = [row for row in map(progress_row, progress or ()) if row is not None] if self.has_progress else []
        if not records and not reports:
            return
        rows = [r if type(r) is CleanRecord else log_row(r) for r in records]
        try:
            conn = self._connect()
            if self.location.dialect == "sqlite":
                with _sqlite_transaction(conn):
                    conn.executemany(_INSERT, rows)
                    conn.executemany(_UPSERT_PROGRESS, reports)
            else:
                with conn.transaction():
                    conn.execute("select pg_advisory_xact_lock(%s)", (LOG_WRITE_LOCK,))
                    with conn.cursor() as cur:
                        if rows:
                            cur.executemany(_INSERT_PG, rows)
                        if reports:
                            cur.executemany(_UPSERT_PROGRESS_PG, reports)
        except Exception:
            self._reset()
            raise

    def check_schema(self) -> None:
        """Raises StoreError unless the tables this worker writes exist (TypeScript's migrations, run by the web app or `sluice migrate`)."""
        self.has_progress = self._has_table("task_progress")
        missing = [t for t in ("logs", "tasks") if not self._has_table(t)]
        if missing:
            raise StoreError(
                f"The store at {self.where} has no {' and no '.join(missing)} table yet: it is made by Sluice's "
                "TypeScript side (migration 0009 or later), which only the web app and `sluice migrate` run. Run "
                "`sluice migrate` on this store or start the web app (or update them) first, then this worker."
            )

    def _has_table(self, name: str) -> bool:
        conn = self._connect()
        if self.location.dialect == "sqlite":
            row = conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", (name,)).fetchone()
        else:
            row = conn.execute("select to_regclass(%s)", (name,)).fetchone()
            row = row if row and row[0] is not None else None
        return row is not None

    def publish_tasks(self, task_queue: str, tasks: Mapping[str, Mapping[str, Any]], worker: str, now_ms: int | None = None) -> None:
        """Publishes the whole set of tasks a queue serves: upserts each (live again if it was gone), marks the
        queue's other tasks gone. `tasks` maps a name to its options as TypeScript's TaskOptions."""
        now = now_ms if now_ms is not None else time.time_ns() // 1_000_000
        names = list(tasks)
        rows = [(task_queue, name, "python", json.dumps(opts, separators=(",", ":")), worker, now) for name, opts in tasks.items()]
        p = "?" if self.location.dialect == "sqlite" else "%s"
        upsert = (
            f"insert into tasks (task_queue, name, language, options, worker, updated_at, gone_at) values ({p}, {p}, {p}, {p}, {p}, {p}, null) "
            "on conflict (task_queue, name) do update set language = excluded.language, options = excluded.options, "
            "worker = excluded.worker, updated_at = excluded.updated_at, gone_at = null"
        )
        gone = f"update tasks set gone_at = {p} where task_queue = {p} and gone_at is null"
        if names:
            gone += f" and name not in ({', '.join([p] * len(names))})"
        conn = self._connect()
        if self.location.dialect == "sqlite":
            with _sqlite_transaction(conn):
                conn.execute(gone, (now, task_queue, *names))
                conn.executemany(upsert, rows)
        else:
            with conn.transaction():
                conn.execute(gone, (now, task_queue, *names))
                with conn.cursor() as cur:
                    cur.executemany(upsert, rows)

    def flows_on_queue(self, task_queue: str) -> list[str]:
        """Live TypeScript flows on this queue: a Python worker must not share it (each would get the other's work)."""
        p = "?" if self.location.dialect == "sqlite" else "%s"
        conn = self._connect()
        found = [r[0] for r in conn.execute(f"select name from flows where task_queue = {p} and gone_at is null", (task_queue,)).fetchall()]
        return found

    def close(self) -> None:
        self._reset()


def open_store(url: str) -> Store:
    location = parse_store_url(url)
    store = Store(location)
    try:
        store._connect()
    except Exception as err:
        raise StoreError(f"Could not open the store at {store.where}: {err}") from None
    return store
