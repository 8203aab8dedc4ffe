"""Fault matrix: every source through every way a publisher misbehaves, on the real pipeline.

Each case copies the source's baseline warehouse (a good D0 run), lets the replica publish
D1 with one fault, runs the source and everything downstream, and then proves the
invariants: a fault either recovers by retry (the result equals a clean D1 run) or fails the
run with a message naming the source and URL (no secret) while the faulted rows keep the
previous good data, everything downstream is still rebuilt from what the warehouse holds, and
the republished serving copy marks the faulted table stale with a one-line reason; the bad
bytes are kept in the landing zone with a fetch-log row saying what was wrong; a clean run
afterwards recovers fully and clears the stale flags. The observed outcomes are
written out (see conftest.RESULTS_ENV) and rendered into docs/fault-matrix.md.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.defs.serving.assets import ANALYTICS_KEY
from pipelines.serving.status import FED_WITH
from tests.reliability import harness as h
from tests.reliability.conftest import Baselines, state

# What each fault must end in. A retryable fault lasting fewer attempts than MAX_ATTEMPTS
# recovers; a body that cannot be data fails the table at once (retrying cannot fix an
# HTML maintenance page, and an empty 200 is not a transient network error).
EXPECTED = {
    "5xx burst (503 x2)": "recovered",
    "5xx outage (503 every attempt)": "failed",
    "429 with Retry-After: 1": "recovered",
    "429 without Retry-After": "recovered",
    "timeout": "recovered",
    "connection reset": "recovered",
    "truncated body": "recovered",
    "empty body (200)": "failed",
    "HTML page with status 200": "failed",
    "changed header": "failed",
    "wrong encoding (UTF-16)": "failed",
    "garbage rows": "failed",
    "duplicate dates": "failed",
    "out-of-range value": "failed",
    "frozen file (stopped updating)": "warned",
}
# The whole matrix (75 real Dagster runs, ~20-45 min on 2 cores) runs with FAULT_MATRIX=full,
# as `python -m tests.reliability.fault_matrix_doc` does before it rewrites docs/fault-matrix.md.
# The default suite keeps CI inside its time budget with one case per fault, rotating over the
# sources: every fault and every source (3 faults each) still runs on every change.
FULL_ENV = "FAULT_MATRIX"


def _cases(full: bool) -> list[Any]:
    sources = list(h.SOURCES)
    return [pytest.param(s, f, id=f"{h.slug(s)}-{h.slug(f)}")
            for j, f in enumerate(h.FAULTS)
            for i, s in enumerate(sources) if full or i == j % len(sources)]


CASES = _cases(os.environ.get(FULL_ENV) == "full")


def new_fetches(assets_dir: Path, src: h.Source, after: int) -> list[tuple]:
    """Fetch-log rows of this case for the faulted URL: (status, problem, sha256, raw_path)."""
    with h.connect_ro(assets_dir / "warehouse.duckdb") as con:
        return con.execute(
            "SELECT status, problem, sha256, raw_path FROM raw.fetch_log"
            " WHERE fetch_id > ? AND source = ? AND strpos(url, ?) > 0 ORDER BY fetch_id",
            [after, src.source, src.put_target()],
        ).fetchall()


def freshness_warned(result: dg.ExecuteInProcessResult, src: h.Source) -> bool:
    keys = set(src.keys)
    return any(e.check_name == "fresh_as_of" and not e.passed and e.asset_key in keys
               for e in result.get_asset_check_evaluations())


def classify(result: dg.ExecuteInProcessResult, fetches: list[tuple], src: h.Source,
             replica_url: str) -> tuple[str, str]:
    """(outcome class, what an operator would read) for the matrix."""
    problems = [p for _, p, _, _ in fetches if p]
    if result.success:
        if problems:
            return "recovered", (f"recovered by retry on attempt {len(fetches)} after:"
                                 f" {problems[0]}")
        if freshness_warned(result, src):
            return "warned", "run succeeds, previous data served; fresh_as_of WARN"
        return "loaded", "loaded without complaint"
    messages = h.failure_messages(result)
    ours = [m for m in messages if src.put_target() in m] or messages
    return "failed", h.redact_replica(ours[0], replica_url)


@pytest.mark.parametrize(("source", "fault"), CASES)
def test_fault_recovers_or_fails_cleanly_keeping_good_data(
    source: str, fault: str, baselines: Baselines, port: int, catalogue: Path,
    assets: h.Definitions, tmp_path: Path, matrix_results: list[dict],
) -> None:
    src, flt = h.SOURCES[source], h.FAULTS[fault]
    started = time.monotonic()
    reference = baselines.reference(src)
    case = tmp_path / "assets"
    shutil.copytree(baselines.get(src.api).dir, case)
    before = state(case, src)

    frozen = flt.kind == "frozen"
    rep = h.start_replica(h.D0 if frozen else h.D1, port)
    bad_body = None
    try:
        if flt.kind == "inject":
            rep.inject(src.fault_prefix, flt.inject, times=flt.times, **dict(flt.options))
        elif flt.kind == "content":
            bad_body = h.mutate(src, h.clean_body(rep, src), flt.mutate or "")
            rep.put(src.put_target(), bad_body)
        as_of = h.FROZEN_AS_OF if frozen else h.D1
        with h.environment(rep, case, catalogue, api=src.api, as_of=as_of):
            result = h.materialize(assets, case, src.keys)
    finally:
        rep.stop()
    fetches = new_fetches(case, src, int(before["last_fetch_id"]))
    outcome, message = classify(result, fetches, src, rep.url)
    after = state(case, src)
    matrix_results.append({"source": source, "fault": fault, "outcome": outcome,
                           "message": message, "attempts": len(fetches)})

    # The response (good or bad) is in the landing zone, byte for byte, with its log row.
    # (Frozen: FRED may send no request at all when no new observation is due yet.)
    assert fetches or frozen, "no fetch-log row for the faulted URL"
    for _, _, sha, raw_path in fetches:
        kept = case / "raw" / raw_path
        assert kept.exists() and hashlib.sha256(kept.read_bytes()).hexdigest() == sha
    if flt.kind == "inject":
        assert any(p for _, p, _, _ in fetches), "the bad response has no problem logged"
    if bad_body is not None:
        sha = hashlib.sha256(bad_body).hexdigest()
        assert [p for _, p, s, _ in fetches if s == sha and p], "bad body not flagged in log"

    assert outcome == EXPECTED[fault], message
    if outcome == "failed":
        assert src.source in message and f"<replica>{src.path}" in message, message
        assert all(h.API_KEY not in m for m in h.failure_messages(result))
        assert_failed_refresh_reported(result, src)
        # The faulted rows keep the previous good data, in the warehouse and the copy.
        assert after["staging"] == before["staging"]
        assert after["serving_staging"] == before["serving_staging"]
        # The copy was republished: its verdict on the faulted table changed.
        assert after["serving_sha256"] != before["serving_sha256"]
        assert_stale(after, src, message)
        if src.source == "fred":
            # The other series loaded D1 in the same run, and marts were rebuilt from them.
            assert after["staging_others"] == reference["staging_others"]
            assert after["serving_staging_others"] == reference["serving_staging_others"]
            assert after["serving_marts"] == after["marts"]
            untouched = [t for t, (stale, _) in after["table_status"].items()
                         if t.startswith("marts.") and not stale and t in before["marts"]]
            assert untouched, "every mart is marked stale"
            for t in untouched:
                assert after["marts"][t] == before["marts"][t], t
        else:  # nothing else changed on D1 for this file: every mart keeps its data
            assert after["marts"] == before["marts"]
            assert after["serving_marts"] == before["serving_marts"]
    elif outcome == "warned":
        # Nothing new to load: the data is as it was and nothing is stale (only late).
        for part in ("staging", "staging_others", "marts", "serving_marts", "serving_staging"):
            assert after[part] == before[part], part
        assert stale_tables(after) == {}
    else:  # recovered by retry: as good as a clean run
        assert_as_reference(after, reference)

    if outcome != "recovered":  # the next clean run recovers fully
        rep = h.start_replica(h.D1, port)
        try:
            with h.environment(rep, case, catalogue, api=src.api, as_of=h.D1):
                again = h.materialize(assets, case, src.keys)
        finally:
            rep.stop()
        assert again.success, h.failure_messages(again)
        assert_as_reference(state(case, src), reference)
    matrix_results[-1]["seconds"] = round(time.monotonic() - started, 1)


def stale_tables(st: dict) -> dict[str, str | None]:
    return {t: reason for t, (stale, reason) in st["table_status"].items() if stale}


def assert_as_reference(st: dict, reference: dict) -> None:
    """What a clean D1 run gives: same rows, same marts, same copy, nothing stale."""
    for part in ("staging", "staging_others", "marts", "serving_marts", "serving_staging",
                 "serving_staging_others"):
        assert st[part] == reference[part], part
    assert stale_tables(st) == {}


def assert_stale(st: dict, src: h.Source, message: str) -> None:
    """The copy marks the faulted table stale, in one line naming the source; no table that
    cannot be built from it is marked."""
    stale = stale_tables(st)
    assert src.staging in stale, f"{src.staging} not marked stale; stale: {stale}"
    for table, reason in stale.items():
        assert reason and "\n" not in reason and len(reason) <= 300, (table, reason)
        assert reason.startswith(src.source), (table, reason)
        assert h.API_KEY not in reason
    for table in stale:
        base = table.removesuffix("_history")
        assert table.startswith("marts.") or src.staging in (base, FED_WITH.get(base)), table


def assert_failed_refresh_reported(result: dg.ExecuteInProcessResult, src: h.Source) -> None:
    """Ingestion reported `outcome: failed` (no step failed for it), marts and the serving
    copy still ran, and `refresh_succeeded` failed on the faulted asset."""
    outcomes = {e.asset_key: e.materialization.metadata.get("outcome")
                for e in result.get_asset_materialization_events()
                if e.asset_key is not None}
    faulted = [k for k in src.keys if getattr(outcomes.get(k), "value", None) == "failed"]
    assert faulted, {k.to_user_string(): outcomes.get(k) for k in src.keys}
    assert ANALYTICS_KEY in outcomes, "the serving copy did not run"
    failed_checks = {e.asset_key for e in result.get_asset_check_evaluations()
                     if e.check_name == "refresh_succeeded" and not e.passed}
    assert set(faulted) <= failed_checks
