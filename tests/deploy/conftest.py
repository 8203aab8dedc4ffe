"""A real PostgreSQL server per test session, or a skip (a failure under REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.deploy.postgres import Postgres, bin_dir, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    bindir = bin_dir()
    if bindir is None:
        reason = "PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    with postgres_server(bindir) as server:
        yield server
