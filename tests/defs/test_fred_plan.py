"""When a keyless FRED series is worth a request at all."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.ingest.fred.plan import asked_today, next_observation_date, nothing_due
from pipelines.ingest.fred.state import StoredSeries
from pipelines.sources.fred import load_catalogue

SPECS = {s.id: s for s in load_catalogue()}


@pytest.mark.parametrize(("frequency", "last", "expected"), [
    ("daily", date(2026, 11, 20), date(2026, 11, 21)),
    ("weekly", date(2026, 11, 18), date(2026, 11, 25)),
    ("monthly", date(2026, 9, 1), date(2026, 10, 1)),
    ("monthly", date(2026, 12, 1), date(2027, 1, 1)),
])
def test_next_observation_date(frequency: str, last: date, expected: date) -> None:
    assert next_observation_date(frequency, last) == expected


def test_a_series_is_due_once_its_next_observation_can_exist() -> None:
    dgs10, walcl = SPECS["DGS10"], SPECS["WALCL"]
    today = date(2026, 11, 20)
    stored = StoredSeries(rows=1, last_date=today, units=dgs10.units)
    assert nothing_due(dgs10, stored, today)  # a same-day re-run
    assert not nothing_due(dgs10, stored, date(2026, 11, 21))
    wednesday = StoredSeries(rows=1, last_date=date(2026, 11, 18), units=walcl.units)
    assert nothing_due(walcl, wednesday, today)
    assert not nothing_due(walcl, wednesday, date(2026, 11, 25))


def test_first_loads_unit_changes_and_unknown_dates_are_always_due() -> None:
    dgs10 = SPECS["DGS10"]
    today = date(2026, 11, 20)
    assert not nothing_due(dgs10, StoredSeries(), today)
    assert not nothing_due(dgs10, StoredSeries(rows=1, last_date=today, units="Basis points"),
                           today)
    assert not nothing_due(dgs10, StoredSeries(rows=1, last_date=today, units=dgs10.units), None)


def test_a_monthly_series_holding_the_latest_possible_month_waits_for_the_next_month_end() -> None:
    # IR3TIB01JPM156N is monthly, dated the 1st. On 20 November the latest month that can
    # exist is October (November is not over): holding it, nothing is due until 1 December.
    ir3 = SPECS["IR3TIB01JPM156N"]
    october = StoredSeries(rows=1, last_date=date(2026, 10, 1), units=ir3.units)
    assert nothing_due(ir3, october, date(2026, 11, 2))
    assert nothing_due(ir3, october, date(2026, 11, 30))
    assert not nothing_due(ir3, october, date(2026, 12, 1))
    # Still waiting for October (the OECD is late): asked at each refresh.
    september = StoredSeries(rows=1, last_date=date(2026, 9, 1), units=ir3.units)
    assert not nothing_due(ir3, september, date(2026, 11, 20))


def test_a_due_monthly_series_is_asked_at_most_once_a_day() -> None:
    ir3, dgs10 = SPECS["IR3TIB01JPM156N"], SPECS["DGS10"]
    today = date(2026, 11, 20)
    september = StoredSeries(rows=1, last_date=date(2026, 9, 1), units=ir3.units)
    assert not nothing_due(ir3, september, today)  # October may exist: due
    assert asked_today(ir3, september, today, today)  # but asked today already
    assert not asked_today(ir3, september, date(2026, 11, 19), today)  # yesterday: ask
    assert not asked_today(ir3, september, None, today)  # never asked
    assert not asked_today(ir3, september, today, None)  # no day known: ask
    # A first load and a unit change are always asked; daily series are never held back.
    assert not asked_today(ir3, StoredSeries(), today, today)
    assert not asked_today(ir3, StoredSeries(rows=1, last_date=date(2026, 9, 1),
                                             units="Index"), today, today)
    yesterday = StoredSeries(rows=1, last_date=date(2026, 11, 19), units=dgs10.units)
    assert not asked_today(dgs10, yesterday, today, today)
