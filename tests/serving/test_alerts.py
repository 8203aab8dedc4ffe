"""Threshold alerts: one row and one POST per new event, nothing on a rerun, retry on failure."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipelines.lib.warehouse import Warehouse
from pipelines.serving.alerts import NOT_CONFIGURED, SENT, TOO_OLD, raise_alerts

TODAY = date(2026, 11, 21)


def _alerts(con) -> list[tuple]:
    return con.execute(
        "SELECT date, indicator, threshold, direction, webhook_status, attempts,"
        " sent_at IS NOT NULL FROM meta.alerts ORDER BY date").fetchall()


def test_a_new_event_is_recorded_and_posted_once(
    warehouse_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/hook")
    with Warehouse(warehouse_path).connect() as con, caplog.at_level(logging.INFO):
        first = raise_alerts(con, url, today=TODAY)
        second = raise_alerts(con, url, today=TODAY)
        rows = _alerts(con)
    assert [a.message for a in first] == ["10-year JGB crossed 2.00% up on 2026-11-20 (2.03%)"]
    assert first[0].webhook_status == SENT
    assert second == []
    assert rows == [(date(2026, 11, 20), "jgb_10y_pct", 2.0, "up", SENT, 1, True)]
    assert len(httpserver.log) == 1
    request, _ = httpserver.log[0]
    assert json.loads(request.data) == {"text": first[0].message}
    assert "10-year JGB crossed 2.00% up" in caplog.text


def test_a_failed_post_is_recorded_and_retried_next_run_only(
    warehouse_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request("/hook").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    url = httpserver.url_for("/hook")
    with Warehouse(warehouse_path).connect() as con:
        first = raise_alerts(con, url, today=TODAY)
        assert first[0].webhook_status == "failed: HTTP 503"
        assert _alerts(con)[0][4:] == ("failed: HTTP 503", 1, False)
        second = raise_alerts(con, url, today=TODAY)
        third = raise_alerts(con, url, today=TODAY)
        rows = _alerts(con)
    assert [(a.retried, a.webhook_status) for a in second] == [(True, SENT)]
    assert third == []
    assert rows[0][4:] == (SENT, 2, True)
    assert len(httpserver.log) == 2


def test_an_unreachable_webhook_fails_fast_without_leaking_the_url(warehouse_path: Path) -> None:
    secret = "http://127.0.0.1:9/services/T000/SECRET"  # port 9: connection refused
    with Warehouse(warehouse_path).connect() as con:
        (alert,) = raise_alerts(con, secret, today=TODAY)
    assert alert.webhook_status.startswith("failed: ")
    assert "SECRET" not in alert.webhook_status


def test_without_a_webhook_events_are_logged_once_and_not_posted_later(
    warehouse_path: Path, httpserver: HTTPServer
) -> None:
    with Warehouse(warehouse_path).connect() as con:
        (alert,) = raise_alerts(con, None, today=TODAY)
        assert alert.webhook_status == NOT_CONFIGURED
        assert raise_alerts(con, httpserver.url_for("/hook"), today=TODAY) == []
    assert httpserver.log == []


def test_old_events_first_seen_late_are_recorded_not_posted(
    warehouse_path: Path, httpserver: HTTPServer
) -> None:
    with Warehouse(warehouse_path).connect() as con:
        (alert,) = raise_alerts(con, httpserver.url_for("/hook"), today=date(2027, 6, 1))
        assert alert.webhook_status == TOO_OLD
        assert raise_alerts(con, httpserver.url_for("/hook"), today=date(2027, 6, 1)) == []
    assert httpserver.log == []


def _hysteresis_events(con) -> None:
    """threshold_events as the hysteresis mart writes it: a confirmed crossing, and one on a
    provisional monthly value (a hedged pickup on a carried JPY rate)."""
    con.execute("""
        CREATE OR REPLACE TABLE marts.threshold_events AS
        SELECT * FROM (VALUES
            (DATE '2026-10-01', 'jgb_10y_pct', 2.0, 'up', 2.01, DATE '2026-11-18', 2.06,
             false, DATE '2026-10-01'),
            (DATE '2026-11-01', 'hedged_pickup_bp', 0.0, 'up', 12.5, DATE '2026-11-20', 12.5,
             true, DATE '2026-08-01'))
        t(date, indicator, threshold, direction, value, confirmed_on, confirmed_value,
          is_provisional, input_as_of)""")


def test_alerts_on_provisional_values_say_so_and_age_counts_from_confirmation(
    warehouse_path: Path
) -> None:
    with Warehouse(warehouse_path).connect() as con:
        _hysteresis_events(con)
        alerts = {a.indicator: a for a in raise_alerts(con, None, today=TODAY)}
        stored = dict(con.execute(
            "SELECT indicator, is_provisional FROM meta.alerts").fetchall())
    jgb, pickup = alerts["jgb_10y_pct"], alerts["hedged_pickup_bp"]
    # dated 51 days ago, but confirmed 3 days ago: announced, not filed as history
    assert jgb.webhook_status == NOT_CONFIGURED
    assert jgb.message == ("10-year JGB crossed 2.00% up on 2026-10-01 (2.01%);"
                           " confirmed 2026-11-18 at 2.06%")
    assert "PROVISIONAL" not in jgb.message
    assert pickup.message.endswith(
        "PROVISIONAL: based on inputs as of 2026-08-01; it may change when the data is final")
    assert stored == {"jgb_10y_pct": False, "hedged_pickup_bp": True}


def test_a_crossing_confirmed_by_the_count_says_after_how_many_observations(
    warehouse_path: Path
) -> None:
    """Under a yield cap the band is never reached: the alert says why it comes weeks late."""
    with Warehouse(warehouse_path).connect() as con:
        con.execute("""
            CREATE OR REPLACE TABLE marts.threshold_events AS
            SELECT * FROM (VALUES
                (DATE '2026-10-16', 'jgb_10y_pct', 0.25, 'up', 0.25, DATE '2026-11-13', 0.25,
                 20, 'observations'),
                (DATE '2026-11-16', 'jgb_10y_pct', 0.5, 'up', 0.51, DATE '2026-11-18', 0.56,
                 3, 'band'))
            t(date, indicator, threshold, direction, value, confirmed_on, confirmed_value,
              observations_to_confirm, confirmed_by)""")
        alerts = {a.threshold: a.message for a in raise_alerts(con, None, today=TODAY)}
    assert alerts[0.25] == ("10-year JGB crossed 0.25% up on 2026-10-16 (0.25%); confirmed"
                            " after 20 observations on 2026-11-13 at 0.25% (it stayed inside"
                            " the re-arm band)")
    assert alerts[0.5] == ("10-year JGB crossed 0.50% up on 2026-11-16 (0.51%);"
                           " confirmed 2026-11-18 at 0.56%")
