"""Serves the throughput flow as the deployment `chain/bench`, as Prefect's `flow.serve()` does. Several of these
processes serve the same deployment (each polls the server and claims runs). SERVE_LIMIT bounds the flow runs
one process runs at once: without it `serve` starts a Python process for every run it sees."""
import os

from prefect_flows import chain

if __name__ == "__main__":
    limit = os.environ.get("SERVE_LIMIT")
    chain.serve(name="bench", limit=int(limit) if limit else None)
