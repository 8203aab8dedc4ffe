"""The plain-Python parts of the FRED layer: windows, batches, unit changes. No network."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import polars as pl
import pytest

from pipelines.ingest.fred.batch import observations_batch, usd_bn
from pipelines.ingest.fred.plan import metadata_unchanged, observation_window
from pipelines.ingest.fred.state import StoredSeries, ensure_fred_tables, read_state
from pipelines.ingest.fred.unit_changes import detect_unit_change
from pipelines.lib.warehouse import ensure_schemas
from pipelines.sources.fred import load_catalogue

SPECS = {s.id: s for s in load_catalogue()}
STAMP = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)


def test_first_load_reads_from_the_catalogue_start_then_only_the_revision_window():
    spec = SPECS["IR3TIB01JPM156N"]  # 400-day window
    assert observation_window(spec, StoredSeries()).start == spec.start
    stored = StoredSeries(rows=10, last_date=date(2026, 9, 1), units="Percent")
    window = observation_window(spec, stored)
    assert (window.start, window.full_history) == (date(2025, 7, 28), False)
    assert observation_window(spec, stored, reload=True).start == spec.start


def test_observations_are_asked_for_only_when_fred_updated_the_series():
    stored = StoredSeries(rows=1, last_date=date(2026, 11, 18), units="Percent",
                          last_updated=STAMP)
    assert metadata_unchanged(stored, "Percent", STAMP)
    assert not metadata_unchanged(stored, "Percent", datetime(2026, 11, 20, tzinfo=UTC))
    assert not metadata_unchanged(stored, "Index", STAMP)  # a new unit: re-read everything
    assert not metadata_unchanged(StoredSeries(), "Percent", STAMP)


@pytest.mark.parametrize("millions", [364375.0, 6662200.0, 4750.0, 324457.0, 1.1])
def test_the_same_amount_in_millions_and_billions_normalises_to_the_same_bits(millions):
    frame = pl.DataFrame({"m": [millions], "b": [float(f"{millions / 1000:.4f}")]})
    out = frame.select(usd_bn(pl.col("m"), 0.001).alias("m"), usd_bn(pl.col("b"), 1.0).alias("b"))
    assert out["m"][0] == out["b"][0]


def test_a_batch_keeps_the_stated_unit_and_the_current_vintage_only():
    frame = pl.DataFrame({
        "date": [date(2026, 1, 7), date(2026, 1, 7), date(2026, 1, 14)],
        "value": [100.0, 101.0, 102.5],
        "realtime_start": [date(2026, 1, 8), date(2026, 2, 1), date(2026, 1, 15)],
        "realtime_end": [date(2026, 1, 31), date(9999, 12, 31), date(9999, 12, 31)],
    })
    batch = observations_batch("WALCL", frame, units="Millions of U.S. Dollars", scale=0.001,
                               mode="api")
    assert batch.columns == ["series_id", "date", "value", "units", "value_usd_bn",
                             "value_normalised", "fetch_mode", "realtime_start"]
    assert batch["value"].to_list() == [101.0, 102.5]
    assert batch["value_usd_bn"].to_list() == [0.101, 0.1025]
    rates = observations_batch("DGS10", frame.drop("realtime_start", "realtime_end").tail(1),
                               units="Percent", scale=None, mode="keyless")
    assert rates.row(0) == ("DGS10", date(2026, 1, 14), 102.5, "Percent", None, 102.5,
                            "keyless", None)


def test_a_unit_change_counts_rows_re_expressed_not_revised():
    con = duckdb.connect()
    ensure_schemas(con)
    ensure_fred_tables(con)
    frame = pl.DataFrame({"date": [date(2026, 1, 7), date(2026, 1, 14)], "value": [324.457, 1.5]})
    old = observations_batch("WTREGEN", frame, units="Billions of U.S. Dollars", scale=1.0,
                             mode="keyless")
    con.register("old", old.to_arrow())
    con.execute("INSERT INTO staging.fred_observations SELECT * FROM old")
    stored = read_state(con, ["WTREGEN", "DGS10"])
    assert stored["DGS10"] == StoredSeries()
    assert stored["WTREGEN"].units == "Billions of U.S. Dollars"
    new = observations_batch("WTREGEN", frame.with_columns(pl.col("value") * 1000),
                             units="Millions of U.S. Dollars", scale=0.001, mode="api")
    change = detect_unit_change(con, stored["WTREGEN"], new)
    assert change is not None
    assert (change.old_usd_bn_scale, change.new_usd_bn_scale, change.rows_reexpressed) == (
        1.0, 0.001, 2)
    assert detect_unit_change(con, stored["WTREGEN"], old) is None
