"""Shared fixtures. Stores come from the TypeScript side (test/python/pytest.test.ts makes and migrates them and
passes SLUICE_TEST_SQLITE_URL / SLUICE_TEST_PG_URL): the schema is TypeScript's migrations, never a copy."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[2] / "test" / "vectors"


def vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


def _store_url(variable: str) -> str:
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set: run through `npm test -- test/python/pytest.test.ts`, which makes a migrated store")
    return url


@pytest.fixture
def sqlite_url() -> str:
    return _store_url("SLUICE_TEST_SQLITE_URL")


@pytest.fixture
def pg_url() -> str:
    return _store_url("SLUICE_TEST_PG_URL")
