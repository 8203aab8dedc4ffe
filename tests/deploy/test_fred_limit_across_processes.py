"""FRED's rate limit is per API key: two runs started at once, in two processes, get no 429.

The FRED step takes a slot of the `warehouse` pool (limit 1, claimed in PostgreSQL), so only
one process fetches from FRED at a time, whatever the number of runs. The replica enforces
FRED's real limit (2 requests/s, 120/min per key) and answers 429 past it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.replica import Replica
from pipelines.serve import postgres_url, prepare_home, set_pool_limits
from tests.conftest import REPO_ROOT
from tests.defs.conftest import AS_OF
from tests.deploy.postgres import Postgres

pytestmark = pytest.mark.slow
TEST_KEY = "abcdefghijklmnopqrstuvwxyz012345"  # the replica's format: 32 lowercase alnum
JOBS = ("fred_weekly", "fred_monthly")


def test_two_fred_runs_at_once_share_the_key_without_a_429(postgres: Postgres, tmp_path: Path):
    db = "fred_limit"
    url = postgres_url({"DAGSTER_POSTGRES_URL": postgres.create_database(db)})
    home = tmp_path / "dagster_home"
    with Replica.start(as_of=AS_OF) as replica:
        env = {**os.environ, **replica.env(), "DAGSTER_HOME": str(home),
               "DAGSTER_POSTGRES_URL": url, "ASSETS_DIR": str(tmp_path / "assets"),
               "AS_OF_DATE": AS_OF.isoformat(), "FRED_API_KEY": TEST_KEY}
        prepare_home(home, env)
        set_pool_limits(env)
        runs = [subprocess.Popen([sys.executable, "-m", "dagster", "job", "execute",
                                  "-m", "pipelines.definitions", "-j", job],
                                 cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
                for job in JOBS]
        outputs = [r.communicate(timeout=600)[0] for r in runs]
        seen = [r for r in replica.requests if r.path.startswith("/fred/")]

    for job, run, out in zip(JOBS, runs, outputs, strict=True):
        assert run.returncode == 0, f"{job} failed:\n{out[-3000:]}"
    statuses = [r.status for r in seen]
    assert len(statuses) >= 8, "both runs should have used the FRED API"
    assert 429 not in statuses, f"{statuses.count(429)} of {len(statuses)} FRED calls got 429"

    # The pool, not luck or the file lock, kept them apart: the two FRED steps never
    # overlapped (step records in PostgreSQL; the pool is claimed before a step starts).
    steps = postgres.query(db, """
        SELECT run_id,
               min(timestamp) FILTER (WHERE dagster_event_type = 'STEP_START'),
               max(timestamp) FILTER (WHERE dagster_event_type = 'STEP_SUCCESS')
        FROM event_logs WHERE step_key = 'fred_series' GROUP BY run_id ORDER BY 2""")
    assert len(steps) == 2, steps
    (_, _, first_end), (_, second_start, _) = steps
    assert first_end <= second_start, steps
