"""The FRED API key never leaves the process environment: a whole API-mode refresh, failures
included, then every byte it left behind is searched for the key.

Searched: every file under the assets dir and DAGSTER_HOME (bytes and names), every string
column of every table in the warehouse, the serving copy and the Parquet files (both
compress strings, so a byte search alone could miss a stored key), the captured stdout and
stderr, and every log record, urllib3's DEBUG request lines included.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import dagster as dg
import pytest

from tests.reliability import harness as h
from tests.reliability.secret_search import secret_hits

KEY = h.API_KEY.encode()


def test_api_key_absent_from_every_byte_a_failing_api_mode_refresh_leaves(
    port: int, catalogue: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assets_dir, home = tmp_path / "assets", tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # 127.0.0.1 only
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    caplog.set_level(logging.DEBUG, logger="urllib3")  # request lines, query string and all
    defs = dg.Definitions(
        assets=h.all_assets(catalogue),
        jobs=[dg.define_asset_job("refresh_all", selection=dg.AssetSelection.all())],
        resources=h.fast_resources(assets_dir),
    )
    job = defs.resolve_job_def("refresh_all")
    rep = h.start_replica(h.D0, port)
    try:
        with h.environment(rep, assets_dir, catalogue, api=True, as_of=h.D0), \
                dg.DagsterInstance.get() as instance:
            first = job.execute_in_process(instance=instance, raise_on_error=False)
            assert first.success, h.failure_messages(first)  # so a serving copy exists
            rep.publish_day(h.D1)
            # Failures whose messages quote the request: an outage (status) and a reset
            # (requests' ConnectionError text carries the URL, key and all), and a 429.
            rep.inject(f"{h.OBSERVATIONS}?series_id=DGS10", "status", times=0, code=503)
            rep.inject(f"{h.OBSERVATIONS}?series_id=DEXJPUS", "reset", times=0)
            rep.inject("/fred/series?series_id=WALCL", "429", times=1, retry_after=0)
            # FRED and what follows it, not refresh_all again: with an ingest step failing
            # and another skipped, refresh_all's in-process run never ends (see the report).
            assets = h.all_assets(catalogue)
            result = h.materialize(assets, assets_dir, h.SOURCES["FRED API"].keys,
                                   instance=instance)
            requests_with_key = [r for r in rep.requests if "api_key=" in r.query]
    finally:
        rep.stop()

    messages = h.failure_messages(result)
    assert not result.success and any("DGS10" in m for m in messages)
    assert any("REDACTED" in m for m in messages)  # the URL is there, the key is not
    assert requests_with_key, "the run did not use the API"
    out, err = capfd.readouterr()

    texts = {"stdout": out, "stderr": err,
             "log records": "\n".join(r.getMessage() for r in caplog.records),
             "failure messages": "\n".join(messages)}
    hits = secret_hits([h.API_KEY], roots=[assets_dir, home], results=[first, result],
                       texts=texts)
    assert any("api_key=REDACTED" in r.getMessage() for r in caplog.records
               if r.name.startswith("urllib3")), "urllib3 DEBUG lines were not captured"
    assert hits == [], f"the API key leaked into: {hits}"
    assert os.environ.get("FRED_API_KEY") is None  # environment() restored it
