"""FRED as real Dagster runs against the replica over real HTTP, in keyless and API modes."""

from __future__ import annotations

import json
import logging
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests
import yaml

from pipelines.defs.fred import FredConfig, build_fred_series, series_key
from pipelines.defs.outcomes import build_outcome_checks
from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.replica import Replica
from pipelines.sources.fred import load_catalogue
from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE

API_KEY = "k3y0fthet3st0nlyabcdefghijklmnop"  # 32 lowercase alphanumerics, as FRED issues
SMALL = ("DGS10", "WTREGEN", "IR3TIB01JPM156N")  # daily rate, weekly USD amount, revised monthly
OBSERVATIONS = "/fred/series/observations"


@pytest.fixture
def api_mode(pipeline_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRED_API_KEY", API_KEY)
    return pipeline_env


def small_catalogue(tmp_path: Path, ids: tuple[str, ...] = SMALL, extra: list | None = None):
    """A catalogue of a few real entries (plus `extra` raw entries), written to tmp_path."""
    document = yaml.safe_load(DEFAULT_CATALOGUE.read_text())
    entries = [e for e in document["series"] if e["id"] in ids] + (extra or [])
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"series": entries}))
    return build_fred_series(path)


def run(
    assets_dir: Path,
    asset: dg.AssetsDefinition,
    instance: dg.DagsterInstance | None = None,
    **config: object,
) -> dg.ExecuteInProcessResult:
    """The asset and the run's `refresh_outcomes` gate, which fails the run if a series failed."""
    return dg.materialize(
        [asset, build_outcome_checks(asset.keys)],
        instance=instance,
        resources={
            "warehouse": WarehouseResource(assets_dir=str(assets_dir)),
            "publishers": PublishersResource(fred_requests_per_second=2, backoff_base_s=0.05,
                                             rate_limited_wait_s=1.0),
        },
        run_config=dg.RunConfig({"fred_series": FredConfig(**config)}) if config else None,
        raise_on_error=False,
    )


def run_logs(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[tuple]:
    """(level, message) of every line the run wrote to Dagster's event log (context.log)."""
    return [(e.level, e.user_message) for e in instance.all_logs(result.run_id)]


def api_get(rep: Replica, path: str, **params: str) -> dict:
    """A test's own request to the replica's API, waiting out its 2 requests/s limit."""
    for _ in range(10):
        resp = requests.get(f"{rep.url}{path}", timeout=10,
                            params={"api_key": API_KEY, "file_type": "json", **params})
        if resp.status_code != 429:
            resp.raise_for_status()
            return resp.json()
        time.sleep(0.6)
    raise AssertionError(f"{path}: still rate limited")


def query(assets_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(assets_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def materialized(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    """Every series the run reported (all selected ones, whatever happened), with metadata."""
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def loaded(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    """The series whose rows changed in this run (outcome `loaded`)."""
    return {k: m for k, m in materialized(result).items() if m["outcome"] == "loaded"}


def data_versions(result: dg.ExecuteInProcessResult) -> dict[str, str | None]:
    return {e.asset_key.to_user_string(): e.materialization.tags.get("dagster/data_version")
            for e in result.get_asset_materialization_events()}


def replica_counts(rep: Replica, ids) -> dict[str, int]:
    """Non-missing observations per series from the catalogue start, read from the CSV alone."""
    starts = {s.id: s.start for s in load_catalogue()}
    counts = {}
    for sid in ids:
        text = requests.get(f"{rep.url}/graph/fredgraph.csv",
                            params={"id": sid, "cosd": starts[sid].isoformat()}, timeout=10).text
        values = [line.split(",")[1] for line in text.splitlines()[1:]]
        counts[sid] = sum(1 for v in values if v not in ("", "."))
    return counts


def staged_counts(assets_dir: Path) -> dict[str, int]:
    return dict(query(assets_dir, "SELECT series_id, count(*) FROM staging.fred_observations"
                                  " GROUP BY series_id"))


def settled_count(rep: Replica) -> int:
    """Requests logged so far, once the server has logged the test's own last request.

    The replica logs a request just after answering it, so a count taken right after a
    direct call can miss that call and count it as the pipeline's.
    """
    count = -1
    while count != len(rep.requests):
        count = len(rep.requests)
        time.sleep(0.2)
    return count


def requests_to(rep: Replica, since: int, path: str) -> list:
    """Requests the replica answered (a 429 is not an answer: the client asks again)."""
    return [r for r in rep.requests[since:] if r.path == path and r.status != 429]


# --- the whole catalogue, once per mode -------------------------------------------------------


@pytest.mark.parametrize("mode", ["keyless", "api"])
def test_a_run_lands_the_whole_catalogue(
    mode: str, replica: Replica, pipeline_env: Path, monkeypatch: pytest.MonkeyPatch
):
    if mode == "api":
        monkeypatch.setenv("FRED_API_KEY", API_KEY)
    ids = [s.id for s in load_catalogue()]
    result = run(pipeline_env, build_fred_series())
    assert result.success, [e.message for e in result.get_step_failure_events()]
    assert set(loaded(result)) == {f"fred/{sid}" for sid in ids}
    assert staged_counts(pipeline_env) == replica_counts(replica, ids)
    # Dagster's standard table metadata counts each series' own rows, from the CSV alone.
    reported = materialized(result)
    assert {sid: reported[f"fred/{sid}"]["dagster/row_count"] for sid in ids} == \
        replica_counts(replica, ids)
    columns = {c.name: c for c in reported["fred/DGS10"]["dagster/column_schema"].columns}
    assert columns["value_usd_bn"].type == "DOUBLE"
    assert "billions of US dollars" in (columns["value_usd_bn"].description or "")
    sources = dict(query(pipeline_env,
                         "SELECT series_id, metadata_source FROM staging.fred_series"))
    assert sources == dict.fromkeys(ids, "catalogue" if mode == "keyless" else "api")
    walcl = query(pipeline_env, "SELECT value, value_usd_bn, value_normalised, units"
                                " FROM staging.fred_observations WHERE series_id = 'WALCL'"
                                " ORDER BY date DESC LIMIT 1")[0]
    assert walcl[1] == pytest.approx(walcl[0] / 1000) and walcl[2] == walcl[1]
    assert walcl[3] == "Millions of U.S. Dollars"
    dgs10 = query(pipeline_env, "SELECT value_usd_bn, value_normalised = value, fetch_mode"
                                " FROM staging.fred_observations WHERE series_id = 'DGS10'"
                                " LIMIT 1")[0]
    assert dgs10 == (None, True, mode)
    per_series = len(requests_to(replica, 0, OBSERVATIONS)) if mode == "api" else 0
    assert per_series == (len(ids) if mode == "api" else 0)


# --- incremental loads ------------------------------------------------------------------------


def history_rows(assets_dir: Path) -> int:
    return query(assets_dir, "SELECT count(*) FROM staging.fred_observations_history")[0][0]


def test_keyless_reruns_rewrite_nothing_and_a_revision_becomes_a_vintage(
    replica: Replica, pipeline_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    asset = small_catalogue(tmp_path, ("WTREGEN", "IR3TIB01JPM156N"))
    first = run(pipeline_env, asset)
    assert first.success and len(loaded(first)) == 2
    history = history_rows(pipeline_env)

    # Nothing new the same day: no request at all. WTREGEN's next Wednesday is after the
    # as-of date; the monthly series' next month is due, but it was asked today already.
    # Nothing is written; each series reports `unchanged` with the data version it had, so
    # nothing downstream is stale.
    before = settled_count(replica)
    instance = dg.DagsterInstance.ephemeral()
    second = run(pipeline_env, asset, instance)
    assert second.success and loaded(second) == {}
    assert {m["outcome"] for m in materialized(second).values()} == {"unchanged"}
    assert data_versions(second) == data_versions(first)
    assert history_rows(pipeline_env) == history
    assert requests_to(replica, before, "/graph/fredgraph.csv") == []
    logs = [m for _, m in run_logs(instance, second)]
    assert len([m for m in logs if "already asked today, not requested again" in m]) == 1

    # The next day the monthly series asks for its revision window (explicit cosd), whose
    # rows staging holds: nothing written. The day after, the same request answered with the
    # same bytes: not even parsed.
    monkeypatch.setenv("AS_OF_DATE", "2026-11-21")
    before = settled_count(replica)
    third = run(pipeline_env, asset)
    assert third.success and loaded(third) == {}
    asked = requests_to(replica, before, "/graph/fredgraph.csv")
    assert sorted(r.query for r in asked) == ["id=IR3TIB01JPM156N&cosd=2025-07-28"]
    assert history_rows(pipeline_env) == history
    monkeypatch.setenv("AS_OF_DATE", "2026-11-22")
    bodies = query(pipeline_env, "SELECT url, loaded_at FROM raw.loaded_files ORDER BY url")
    instance = dg.DagsterInstance.ephemeral()
    again = run(pipeline_env, asset, instance)
    assert again.success and loaded(again) == {}
    assert query(pipeline_env, "SELECT url, loaded_at FROM raw.loaded_files ORDER BY url") == bodies
    logs = [m for _, m in run_logs(instance, again)]
    assert len([m for m in logs if "same bytes for the same request" in m]) == 1
    assert len([m for m in logs if "next observation not due yet, not requested" in m]) == 1

    # FRED revises a month inside the window: one revision, kept as a vintage (read the
    # next day: the monthly series was asked today).
    monkeypatch.setenv("AS_OF_DATE", "2026-11-23")
    body = requests.get(f"{replica.url}/graph/fredgraph.csv", timeout=10,
                        params={"id": "IR3TIB01JPM156N", "cosd": "2025-07-28"}).text
    lines = body.splitlines()
    when, value = lines[-3].split(",")
    lines[-3] = f"{when},{float(value) + 0.1:.5f}"
    replica.put("/graph/fredgraph.csv?id=IR3TIB01JPM156N", ("\n".join(lines) + "\n").encode())
    fourth = run(pipeline_env, asset)
    assert fourth.success
    assert set(loaded(fourth)) == {"fred/IR3TIB01JPM156N"}
    assert data_versions(fourth)["fred/IR3TIB01JPM156N"] != \
        data_versions(first)["fred/IR3TIB01JPM156N"]
    meta = materialized(fourth)["fred/IR3TIB01JPM156N"]
    assert (meta["rows_added"], meta["rows_revised"]) == (0, 1)
    versions = query(pipeline_env, "SELECT value_normalised, valid_to IS NULL"
                                   " FROM staging.fred_observations_history"
                                   " WHERE series_id = 'IR3TIB01JPM156N' AND date = ?"
                                   " ORDER BY valid_from", [date.fromisoformat(when)])
    assert versions == [(float(value), False), (pytest.approx(float(value) + 0.1), True)]


def test_api_reruns_ask_only_for_updates_and_a_revision_becomes_a_vintage(
    replica: Replica, api_mode: Path, tmp_path: Path
):
    asset = small_catalogue(tmp_path, ("DGS10", "IR3TIB01JPM156N"))
    assert run(api_mode, asset).success
    history = history_rows(api_mode)

    # FRED updated nothing since: one fred/series/updates request for the whole catalogue.
    before = settled_count(replica)
    second = run(api_mode, asset)
    assert second.success and loaded(second) == {}
    assert len(requests_to(replica, before, "/fred/series/updates")) == 1
    assert requests_to(replica, before, "/fred/series") == []
    assert requests_to(replica, before, OBSERVATIONS) == []
    assert len(replica.requests) - before == 1
    assert history_rows(api_mode) == history
    # Only freshness is evaluated again; the batch checks carry the last batch's verdict.
    evaluated = {(e.asset_key.to_user_string(), e.check_name)
                 for e in second.get_asset_check_evaluations()
                 if e.check_name != "refresh_succeeded"
                 and e.metadata.get("re_evaluated") is None}
    assert evaluated == {("fred/DGS10", "fresh_as_of"), ("fred/IR3TIB01JPM156N", "fresh_as_of")}
    carried = {e.check_name for e in second.get_asset_check_evaluations()
               if e.metadata.get("re_evaluated") is not None}
    assert {"keys_unique", "schema_matches"} <= carried and "fresh_as_of" not in carried

    # FRED updates DGS10 and revises its last value: observations since the window start.
    (last,) = query(api_mode, "SELECT max(date) FROM staging.fred_observations"
                              " WHERE series_id = 'DGS10'")[0]
    meta = api_get(replica, "/fred/series", series_id="DGS10")
    meta["seriess"][0]["last_updated"] = "2026-11-20 15:30:00-06"
    window = (last - timedelta(days=14)).isoformat()
    observations = api_get(replica, OBSERVATIONS, series_id="DGS10", observation_start=window)
    revised = observations["observations"][-1]
    old_value = float(revised["value"])
    revised["value"] = f"{old_value + 0.05:.2f}"
    replica.put("/fred/series?series_id=DGS10", json.dumps(meta).encode())
    listing = {"realtime_start": "2026-11-20", "realtime_end": "2026-11-20",
               "filter_variable": "geography", "filter_value": "all",
               "order_by": "last_updated", "sort_order": "desc", "count": 1, "offset": 0,
               "limit": 1000, "seriess": meta["seriess"]}
    replica.put("/fred/series/updates", json.dumps(listing).encode())
    replica.put(f"{OBSERVATIONS}?series_id=DGS10", json.dumps(observations).encode())
    before = settled_count(replica)
    third = run(api_mode, asset)
    assert third.success and set(loaded(third)) == {"fred/DGS10"}
    assert materialized(third)["fred/DGS10"]["rows_revised"] == 1
    asked = requests_to(replica, before, OBSERVATIONS)
    assert len(asked) == 1, [(r.status, r.query) for r in replica.requests[before:]]
    assert f"observation_start={window}" in asked[0].query
    versions = query(api_mode, "SELECT value_normalised, valid_to IS NULL"
                               " FROM staging.fred_observations_history"
                               " WHERE series_id = 'DGS10' AND date = ? ORDER BY valid_from",
                     [date.fromisoformat(revised["date"])])
    assert versions == [(old_value, False), (pytest.approx(old_value + 0.05), True)]
    stamp = query(api_mode, "SELECT last_updated FROM staging.fred_series"
                            " WHERE series_id = 'DGS10'")[0][0]
    assert stamp.isoformat().startswith("2026-11-20T21:30:00")


# --- units ------------------------------------------------------------------------------------


def _in_billions(text: str) -> str:
    return "." if text == "." else f"{float(text) / 1000:.4f}"


def test_a_unit_change_is_one_event_and_no_revision(replica: Replica, api_mode, tmp_path):
    asset = small_catalogue(tmp_path, ("WTREGEN",))
    meta = api_get(replica, "/fred/series", series_id="WTREGEN")
    millions = api_get(replica, OBSERVATIONS, series_id="WTREGEN", observation_start="1986-01-08")
    billions = json.loads(json.dumps(millions))
    for obs in billions["observations"]:
        obs["value"] = _in_billions(obs["value"])
    old_meta = json.loads(json.dumps(meta))
    old_meta["seriess"][0] |= {"units": "Billions of U.S. Dollars", "units_short": "Bil. of U.S. $",
                               "last_updated": "2025-04-03 15:00:00-05"}
    replica.put("/fred/series?series_id=WTREGEN", json.dumps(old_meta).encode())
    replica.put(f"{OBSERVATIONS}?series_id=WTREGEN", json.dumps(billions).encode())
    first = run(api_mode, asset)
    assert first.success
    assert query(api_mode, "SELECT DISTINCT units FROM staging.fred_observations") == [
        ("Billions of U.S. Dollars",)]
    history = history_rows(api_mode)

    replica.put("/fred/series?series_id=WTREGEN", json.dumps(meta).encode())
    replica.put(f"{OBSERVATIONS}?series_id=WTREGEN", json.dumps(millions).encode())
    second = run(api_mode, asset)
    assert second.success
    md = materialized(second)["fred/WTREGEN"]
    assert (md["rows_added"], md["rows_revised"]) == (0, 0)
    assert history_rows(api_mode) == history
    rows = staged_counts(api_mode)["WTREGEN"]
    changes = query(api_mode, "SELECT old_units, new_units, old_usd_bn_scale, new_usd_bn_scale,"
                              " rows_reexpressed FROM staging.fred_unit_changes")
    assert changes == [("Billions of U.S. Dollars", "Millions of U.S. Dollars", 1.0, 0.001, rows)]
    assert query(api_mode, "SELECT DISTINCT units FROM staging.fred_observations") == [
        ("Millions of U.S. Dollars",)]


def test_keyless_values_that_do_not_fit_the_catalogue_unit_are_rejected(
    replica: Replica, pipeline_env: Path, tmp_path: Path
):
    """fredgraph.csv states no unit: WTREGEN served in billions while the catalogue says
    millions is an error for that series (quarantined), never a silent 1000-fold slip."""
    asset = small_catalogue(tmp_path, ("WTREGEN", "DGS10"))
    body = requests.get(f"{replica.url}/graph/fredgraph.csv", timeout=10,
                        params={"id": "WTREGEN", "cosd": "1986-01-08"}).text
    lines = body.splitlines()
    billions = [lines[0]] + [f"{d},{float(v) / 1000:.3f}" if v else f"{d},"
                             for d, v in (line.split(",") for line in lines[1:])]
    replica.put("/graph/fredgraph.csv?id=WTREGEN", ("\n".join(billions) + "\n").encode())
    result = run(pipeline_env, asset)
    assert not result.success and set(loaded(result)) == {"fred/DGS10"}
    assert materialized(result)["fred/WTREGEN"]["outcome"] == "failed"
    failed = {e.check_name for e in result.get_asset_check_evaluations()
              if e.asset_key == series_key("WTREGEN") and not e.passed}
    assert "units_match_magnitude" in failed
    assert set(staged_counts(pipeline_env)) == {"DGS10"}
    assert query(pipeline_env, "SELECT dataset FROM quarantine.batches") == [("fred/WTREGEN",)]


# --- failures ---------------------------------------------------------------------------------


NOSUCH = {"id": "NOSUCHSERIES1", "title": "Not a FRED series", "purpose": "Fails on purpose.",
          "units": "Percent", "frequency": "daily", "min": -1, "max": 25,
          "revision_window_days": 14, "start": "2020-01-01"}


def test_an_unknown_series_fails_only_its_own_key(replica, pipeline_env: Path, tmp_path: Path):
    asset = small_catalogue(tmp_path, extra=[NOSUCH])
    instance = dg.DagsterInstance.ephemeral()
    result = run(pipeline_env, asset, instance)
    assert not result.success  # visibly failed for schedulers...
    assert set(loaded(result)) == {f"fred/{sid}" for sid in SMALL}  # ...but good data landed
    assert set(staged_counts(pipeline_env)) == set(SMALL)
    failed = [e for e in result.get_asset_check_evaluations()
              if e.asset_key == series_key("NOSUCHSERIES1")]
    assert [(e.check_name, e.passed) for e in failed] == [("schema_matches", False),
                                                          ("refresh_succeeded", False)]
    # The FRED step succeeded (the good series' downstream assets would run); the run's
    # gate failed it, naming the series.
    (failure,) = result.get_step_failure_events()
    assert failure.step_key == "refresh_outcomes"
    described = failure.step_failure_data.user_failure_data.description
    assert described.startswith("1 refresh(es) failed") and "fred/NOSUCHSERIES1" in described
    errors = [m for level, m in run_logs(instance, result) if level >= logging.ERROR]
    assert any("NOSUCHSERIES1 failed" in m and "fredgraph.csv?id=NOSUCHSERIES1" in m
               for m in errors), errors


def test_a_429_storm_is_survived_and_the_key_is_never_written(
    replica: Replica, api_mode: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)  # urllib3 prints every request line at DEBUG
    asset = small_catalogue(tmp_path, ("DGS10",), extra=[NOSUCH])
    replica.inject(OBSERVATIONS, "429", times=3, retry_after=1)
    instance = dg.DagsterInstance.ephemeral()
    result = run(api_mode, asset, instance)
    assert set(loaded(result)) == {"fred/DGS10"}
    assert not result.success  # NOSUCHSERIES1: FRED answers 400 "The series does not exist."
    injected = [r for r in replica.requests if r.fault == "429"]
    assert len(injected) == 3 and all(r.status == 429 for r in injected)
    # The key: nowhere in the fetch log, raw file names, metadata, events or logs.
    logged = query(api_mode, "SELECT url, coalesce(problem, ''), raw_path FROM raw.fetch_log")
    assert logged and all("api_key=REDACTED" in url for url, _, _ in logged if "/fred/" in url)
    assert API_KEY not in repr(logged)
    assert not [p for p in api_mode.rglob("*") if API_KEY in str(p)]
    assert API_KEY not in repr(result.all_events)
    logs = run_logs(instance, result)
    assert any("NOSUCHSERIES1 failed" in m for _, m in logs)
    assert API_KEY not in repr(logs)
    assert "api_key=REDACTED" in caplog.text and API_KEY not in caplog.text


# --- vintages on request ----------------------------------------------------------------------


def test_alfred_backfill_answers_as_known_on_date_d(replica: Replica, api_mode: Path, tmp_path):
    asset = small_catalogue(tmp_path, ("IR3TIB01JPM156N",))
    before = settled_count(replica)
    result = run(api_mode, asset, alfred_backfill=True, page_limit=200)
    assert result.success
    pages = requests_to(replica, before, OBSERVATIONS)
    assert any("offset=200" in r.query for r in pages)  # both queries paged
    assert any("realtime_start=1776-07-04" in r.query for r in pages)
    (vintages, dates) = query(api_mode, "SELECT count(*), count(DISTINCT date)"
                                        " FROM staging.fred_vintages")[0]
    assert dates == staged_counts(api_mode)["IR3TIB01JPM156N"] and vintages > dates
    # A revised month: the first print as known the day after its release differs from today's.
    revised = query(api_mode, """
        SELECT v.date, v.realtime_start, v.value, o.value
        FROM staging.fred_vintages v JOIN staging.fred_observations o USING (series_id, date)
        WHERE v.realtime_end < DATE '9999-12-31' ORDER BY v.date DESC LIMIT 1""")
    (when, released, first_print, latest) = revised[0]
    known_then = query(api_mode, "SELECT value FROM staging.fred_vintages WHERE date = ?"
                                 " AND realtime_start <= ? AND realtime_end >= ?",
                       [when, released, released])
    assert known_then == [(first_print,)] and first_print != latest


# --- definitions ------------------------------------------------------------------------------


def test_each_catalogue_entry_is_an_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    small_catalogue(tmp_path, ("DGS10", "WALCL"))
    monkeypatch.setenv("FRED_CATALOGUE", str(tmp_path / "catalogue.yaml"))
    asset = build_fred_series()
    assert set(asset.keys) == {series_key("DGS10"), series_key("WALCL")}
    spec = asset.specs_by_key[series_key("WALCL")]
    assert spec.group_name == "fred"
    assert spec.metadata["units"] == "Millions of U.S. Dollars"
    assert spec.description.startswith("Assets: Total Assets")
    assert "net liquidity" in spec.description
    assert {"duckdb", "polars"} <= set(spec.kinds)
    checks = {(k.asset_key, k.name) for k in asset.check_keys}
    assert (series_key("DGS10"), "units_match_magnitude") in checks
    assert (series_key("WALCL"), "fresh_as_of") in checks
    assert asset.can_subset and asset.op.pool == "warehouse"
    full = build_fred_series(DEFAULT_CATALOGUE)
    assert len(full.keys) == len(load_catalogue())
