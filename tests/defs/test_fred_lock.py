"""FRED waits for the publisher without the writer lock (issue 13 point 7, issue 14 point 5).

A real Dagster run against the replica, whose FRED answers one series with a 429 and a
Retry-After. While the client obeys it, another writer takes the warehouse's writer lock with
a short timeout; then the run completes, lands every series, and judges the new batches in one
Great Expectations validation.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.lib.warehouse import Warehouse
from pipelines.replica import Replica
from pipelines.validation import audit, fred_batch, suites
from tests.defs.test_fred_assets import (
    API_KEY,
    OBSERVATIONS,
    loaded,
    query,
    replica_counts,
    run,
    small_catalogue,
    staged_counts,
)

IDS = ("DGS10", "WTREGEN")
RETRY_AFTER_S = 4


@pytest.mark.parametrize("mode", ["keyless", "api"])
def test_another_writer_gets_the_lock_while_fred_asks_to_retry_after(
    mode: str, replica: Replica, pipeline_env: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer_once_with_429(mode, replica, monkeypatch, RETRY_AFTER_S)
    validations = count_calls(monkeypatch, audit, "validate")
    stacked = count_calls(monkeypatch, fred_batch, "_validate_stacked")
    asset = small_catalogue(tmp_path, IDS)
    outcome: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: outcome.update(result=run(pipeline_env, asset)))
    started = time.monotonic()
    worker.start()
    try:
        while not any(r.fault == "429" for r in replica.requests):
            assert time.monotonic() - started < 60, "the run never reached the 429"
            assert worker.is_alive(), "the run ended before FRED asked it to wait"
            time.sleep(0.02)
        asked = time.monotonic()
        with Warehouse(pipeline_env / "warehouse.duckdb", lock_timeout_s=1.0).connect() as con:
            got = time.monotonic()
            con.execute("SELECT 1")  # another writer is in while the run obeys Retry-After
        assert got - asked < RETRY_AFTER_S - 1
        assert worker.is_alive(), "the run did not wait out the Retry-After"
    finally:
        worker.join(timeout=120)
    result: dg.ExecuteInProcessResult = outcome["result"]
    assert result.success, [e.message for e in result.get_step_failure_events()]
    assert time.monotonic() - started >= RETRY_AFTER_S
    assert set(loaded(result)) == {f"fred/{sid}" for sid in IDS}
    assert staged_counts(pipeline_env) == replica_counts(replica, IDS)
    # The fetch log, written once the lock was taken again, holds the 429 and every answer.
    logged = dict(query(pipeline_env, "SELECT status, count(*) FROM raw.fetch_log GROUP BY 1"))
    assert logged[429] == 1 and logged[200] == (len(IDS) if mode == "keyless" else 2 * len(IDS))
    # Each new batch was judged with the others of its chunk in one Great Expectations
    # validation, none on its own: WTREGEN's chunk while DGS10 waited, then DGS10's.
    assert (len(stacked), len(validations)) == (2, 0)


@pytest.mark.parametrize("mode", ["keyless", "api"])
def test_a_series_is_published_while_another_still_waits_for_fred(
    mode: str, replica: Replica, pipeline_env: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Short lock visits: what has downloaded is published while the rest still waits."""
    answer_once_with_429(mode, replica, monkeypatch, RETRY_AFTER_S + 2)
    # As in a process that has audited before: the first chunk's validation does not wait
    # for the Great Expectations import (seconds on a loaded machine).
    suites._batch_definition()
    asset = small_catalogue(tmp_path, IDS)
    outcome: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: outcome.update(result=run(pipeline_env, asset)))
    worker.start()
    seen: dict[str, int] = {}
    waiting = ""
    try:
        while worker.is_alive() and not seen:
            faulted = [r for r in replica.requests if r.fault == "429"]
            waiting = next((i for i in IDS if faulted and f"id={i}&" in faulted[0].query), "")
            answered = any(r.status == 200 and f"id={waiting}&" in r.query
                           for r in replica.requests if r.path != "/fred/series")
            if waiting and not answered:
                with Warehouse(pipeline_env / "warehouse.duckdb",
                               lock_timeout_s=30.0).connect() as con:  # between two visits
                    if con.execute("SELECT count(*) FROM duckdb_tables()"
                                   " WHERE table_name = 'fred_observations'").fetchall()[0][0]:
                        seen = dict(con.execute(
                            "SELECT series_id, count(*) FROM staging.fred_observations"
                            " GROUP BY 1").fetchall())
            time.sleep(0.2)
    finally:
        worker.join(timeout=120)
    # The other series landed while the one answered 429 still waited out its Retry-After.
    assert waiting and set(seen) == set(IDS) - {waiting}
    result: dg.ExecuteInProcessResult = outcome["result"]
    assert result.success, [e.message for e in result.get_step_failure_events()]
    assert set(loaded(result)) == {f"fred/{sid}" for sid in IDS}
    assert staged_counts(pipeline_env) == replica_counts(replica, IDS)


def answer_once_with_429(mode: str, replica: Replica, monkeypatch: pytest.MonkeyPatch,
                         retry_after: int) -> None:
    """The first observations request (API: whichever series asks first; keyless: DGS10)
    is answered 429 with a Retry-After."""
    if mode == "api":
        monkeypatch.setenv("FRED_API_KEY", API_KEY)
        prefix = f"{OBSERVATIONS}?"
    else:
        prefix = "/graph/fredgraph.csv?id=DGS10"
    replica.inject(prefix, "429", times=1, retry_after=retry_after)


def count_calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[None]:
    calls: list[None] = []
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls
