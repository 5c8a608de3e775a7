"""Serves each comparison flow as a deployment named `bench`, as Prefect's `flow.serve()` does (several at once
through `prefect.serve`), polling the server for runs to start with Prefect's default settings."""
from prefect import serve

from prefect_flows import first_task, log_lines, parallel, sequential

if __name__ == "__main__":
    serve(*(f.to_deployment(name="bench") for f in (sequential, parallel, first_task, log_lines)))
