"""The throughput benchmark's flow for Prefect 3, the same as flows.ts and tasks.ts: five tasks one after
another, each writing 20 log lines through Prefect's run logger (which ships them to its server)."""
from prefect import flow, get_run_logger, task

TASKS_PER_RUN = 5
LINES_PER_TASK = 20


@task
def write_lines(step: int) -> int:
    logger = get_run_logger()
    for line in range(LINES_PER_TASK):
        logger.info(f"line {line} of task {step}")
    return step


@flow
def chain() -> int:
    for step in range(TASKS_PER_RUN):
        write_lines(step)
    return TASKS_PER_RUN
