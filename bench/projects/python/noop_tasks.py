"""The Python side of the per-call overhead benchmark (bench/python.ts): a no-op task with the default options."""

from sluice import task


@task
def noop(i: int) -> int:
    return i
