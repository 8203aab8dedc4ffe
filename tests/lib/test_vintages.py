"""The vintage upsert: unchanged costs nothing, a revision keeps the old value queryable."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import polars as pl
import pytest

from pipelines.lib.vintages import (
    VintagedTable,
    Window,
    batch_is_current,
    upsert_with_vintages,
)
from pipelines.lib.warehouse import transaction

SPEC = VintagedTable("staging.obs", keys=("series_id", "date"), tracked=("value",),
                     carried=("units",))
T1 = datetime(2026, 1, 1, tzinfo=UTC)
T2 = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute(
        "CREATE TABLE staging.obs (series_id VARCHAR, date DATE, value DOUBLE, units VARCHAR,"
        " PRIMARY KEY (series_id, date))"
    )
    con.execute("COMMENT ON COLUMN staging.obs.value IS 'value as published'")
    return con


def batch(values: list[float], units: str = "Percent") -> pl.DataFrame:
    return pl.DataFrame({
        "series_id": ["DGS10"] * len(values),
        "date": [date(2026, 1, d + 1) for d in range(len(values))],
        "value": values,
        "units": [units] * len(values),
    })


def test_first_load_inserts_every_row_and_opens_its_history(con):
    stats = upsert_with_vintages(con, SPEC, batch([4.5, 4.6]), known_at=T1)
    assert (stats.inserted, stats.revised, stats.unchanged) == (2, 0, 0)
    assert con.execute("SELECT count(*) FROM staging.obs_history WHERE valid_to IS NULL"
                       ).fetchone() == (2,)


def test_same_values_printed_with_more_decimals_rewrite_nothing(con):
    upsert_with_vintages(con, SPEC, batch([4.69, 4.6]), known_at=T1)
    again = batch([float("4.6900000000"), float("4.6000000000")])
    stats = upsert_with_vintages(con, SPEC, again, known_at=T2)
    assert stats.written == 0 and stats.unchanged == 2
    assert con.execute("SELECT count(*) FROM staging.obs_history").fetchone() == (2,)


def test_revised_value_keeps_its_earlier_vintage_queryable(con):
    upsert_with_vintages(con, SPEC, batch([4.5, 4.6]), known_at=T1)
    with transaction(con):
        stats = upsert_with_vintages(con, SPEC, batch([4.5, 4.7]), known_at=T2)
    assert (stats.inserted, stats.revised, stats.unchanged) == (0, 1, 1)
    assert con.execute("SELECT value FROM staging.obs WHERE date = '2026-01-02'"
                       ).fetchone() == (4.7,)
    as_known_mid_january = con.execute(
        "SELECT value FROM staging.obs_history WHERE date = '2026-01-02'"
        " AND valid_from <= ? AND coalesce(valid_to, 'infinity'::TIMESTAMPTZ) > ?",
        [datetime(2026, 1, 15, tzinfo=UTC)] * 2,
    ).fetchall()
    assert as_known_mid_january == [(4.6,)]


def test_carried_column_change_updates_in_place_without_a_vintage(con):
    upsert_with_vintages(con, SPEC, batch([4.5]), known_at=T1)
    stats = upsert_with_vintages(con, SPEC, batch([4.5], units="Percent p.a."), known_at=T2)
    assert (stats.revised, stats.carried_updates) == (0, 1)
    assert con.execute("SELECT units FROM staging.obs").fetchone() == ("Percent p.a.",)
    assert con.execute("SELECT count(*) FROM staging.obs_history").fetchone() == (1,)


def test_failed_transaction_leaves_previous_values(con):
    upsert_with_vintages(con, SPEC, batch([4.5]), known_at=T1)
    with pytest.raises(RuntimeError), transaction(con):
        upsert_with_vintages(con, SPEC, batch([9.9]), known_at=T2)
        raise RuntimeError("audit failed")
    assert con.execute("SELECT value FROM staging.obs").fetchone() == (4.5,)


def test_history_table_inherits_column_comments(con):
    upsert_with_vintages(con, SPEC, batch([4.5]), known_at=T1)
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'obs_history'"
        " AND column_name = 'value'"
    ).fetchone()
    assert comment == ("value as published",)


def test_unsafe_identifier_is_refused():
    with pytest.raises(ValueError, match="not a safe SQL identifier"):
        VintagedTable("staging.obs; DROP TABLE x", keys=("date",), tracked=("value",))


def test_batch_is_current_only_when_merging_would_write_nothing(con):
    with transaction(con):
        upsert_with_vintages(con, SPEC, batch([1.0, 2.0, 3.0]), known_at=T1)
    assert batch_is_current(con, SPEC, batch([1.0, 2.0]))  # a window of stored rows
    assert batch_is_current(con, SPEC, batch([1.0, 2.0, 3.0]))
    assert not batch_is_current(con, SPEC, batch([1.0, 2.5]))  # a revision
    assert not batch_is_current(con, SPEC, batch([1.0, 2.0, 3.0, 4.0]))  # a new row
    assert not batch_is_current(con, SPEC, batch([1.0], units="Basis points"))  # carried
    assert not batch_is_current(con, SPEC, batch([]))


# --- issue 13.6: withdrawals -------------------------------------------------------------------

def test_a_value_the_refetched_window_no_longer_holds_is_closed_and_counted(con):
    window = Window("date", ((date(2026, 1, 1), None),), {"series_id": "DGS10"})
    with transaction(con):
        upsert_with_vintages(con, SPEC, batch([4.5, 4.6]), known_at=T1, window=window)
    with transaction(con):
        stats = upsert_with_vintages(con, SPEC, batch([4.5]), known_at=T2, window=window)
    assert stats.withdrawn == 1 and stats.written == 1
    assert con.execute("SELECT date FROM staging.obs").fetchall() == [(date(2026, 1, 1),)]
    assert con.execute(
        "SELECT date, value, valid_from, valid_to FROM staging.obs_history ORDER BY date"
    ).fetchall() == [(date(2026, 1, 1), 4.5, T1, None), (date(2026, 1, 2), 4.6, T1, T2)]


def test_only_values_inside_the_refetched_window_and_scope_can_be_withdrawn(con):
    upsert_with_vintages(con, SPEC, batch([4.5, 4.6, 4.7]), known_at=T1)
    other = batch([1.0, 2.0]).with_columns(series_id=pl.lit("DGS2"))
    upsert_with_vintages(con, SPEC, other, known_at=T1)
    # The re-fetch asked from 01-03 only: 01-01 and 01-02 were not asked about.
    window = Window("date", ((date(2026, 1, 3), None),), {"series_id": "DGS10"})
    later = batch([4.7]).with_columns(date=pl.lit(date(2026, 1, 3)))
    stats = upsert_with_vintages(con, SPEC, later, known_at=T2, window=window)
    assert stats.withdrawn == 0
    assert con.execute("SELECT count(*) FROM staging.obs").fetchone() == (5,)
    empty_window = Window("date", ((date(2026, 1, 2), date(2026, 1, 2)),), {"series_id": "DGS10"})
    stats = upsert_with_vintages(con, SPEC, later, known_at=T2, window=empty_window)
    assert stats.withdrawn == 1  # 01-02 of DGS10 only; DGS2's 01-02 is out of scope
    assert con.execute("SELECT series_id, date FROM staging.obs ORDER BY 1, 2").fetchall() == [
        ("DGS10", date(2026, 1, 1)), ("DGS10", date(2026, 1, 3)),
        ("DGS2", date(2026, 1, 1)), ("DGS2", date(2026, 1, 2))]
