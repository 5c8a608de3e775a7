"""Sluice tasks in Python: declare with `@task`, log with `log` (or print), report `progress()`, `publish` results for the run page, check
`cancelled()`; serve a module's tasks with `python -m sluice worker MODULE --task-queue QUEUE` and call them from
a TypeScript flow with `pythonTasks()`. See python/README.md."""

from .artifacts import publish
from .durations import Duration
from .options import DeclarationError, TaskOptions
from .task import Progress, cancelled, check_cancelled, last_progress, log, progress, task

__all__ = [
    "DeclarationError",
    "Duration",
    "Progress",
    "TaskOptions",
    "cancelled",
    "check_cancelled",
    "last_progress",
    "log",
    "progress",
    "publish",
    "task",
]
