"""Threshold alerts: each new row of marts.threshold_events is announced once, and only once.

`meta.alerts` remembers every event already raised (key: date, indicator, threshold, direction),
so reruns, retries and backfills never repeat one. When a webhook is configured the message is
POSTed; a failed POST is recorded and retried on the next run, never within the same run. An
event older than `max_age_days` when first seen (a new level added to thresholds.yaml, a late
revision) is recorded but not sent, so adding a level does not post decades of history. Age
counts from the day the event became known (`confirmed_on`: threshold events use hysteresis, so
a crossing is dated on its first day but confirmed later).

An event on a provisional value (a hedged pickup whose JPY rate is carried forward, a partial
month) says so in its message, with the input's date: it may still disappear or move.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import requests

from pipelines.lib.warehouse import transaction

KEY = ("date", "indicator", "threshold", "direction")
MAX_AGE_DAYS = 45  # monthly indicators are dated on the 1st and can first appear mid-month
TIMEOUT_S = (5.0, 10.0)  # connect, read
PENDING, SENT, FAILED, NOT_CONFIGURED, TOO_OLD = (
    "pending", "sent", "failed", "no webhook configured", "not sent: older than max age"
)

ALERTS_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.alerts (
    date DATE NOT NULL,
    indicator VARCHAR NOT NULL,
    threshold DOUBLE NOT NULL,
    direction VARCHAR NOT NULL,
    value DOUBLE,
    unit VARCHAR,
    message VARCHAR NOT NULL,
    raised_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    webhook_status VARCHAR NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (date, indicator, threshold, direction)
);
COMMENT ON TABLE meta.alerts IS 'Every threshold crossing (marts.threshold_events) already
 announced: one row per event, so no event is ever announced twice.';
COMMENT ON COLUMN meta.alerts.date IS 'Date of the crossing, as in marts.threshold_events';
COMMENT ON COLUMN meta.alerts.indicator IS 'Indicator name, as in marts.threshold_events';
COMMENT ON COLUMN meta.alerts.threshold IS 'Level crossed, in unit';
COMMENT ON COLUMN meta.alerts.direction IS 'up or down';
COMMENT ON COLUMN meta.alerts.value IS 'Indicator value on date, in unit';
COMMENT ON COLUMN meta.alerts.unit IS 'pct, bp, yen_per_usd or zscore';
COMMENT ON COLUMN meta.alerts.message IS 'The text logged and POSTed';
COMMENT ON COLUMN meta.alerts.raised_at IS 'When the pipeline first saw the event (UTC)';
COMMENT ON COLUMN meta.alerts.sent_at IS 'When the webhook accepted the message (UTC); NULL if
 not (yet) sent';
COMMENT ON COLUMN meta.alerts.webhook_status IS 'sent (HTTP 2xx), failed: <reason> (retried next
 run), pending (a run died mid-send: retried), no webhook configured, or not sent: older than
 max age (first seen long after the event)';
COMMENT ON COLUMN meta.alerts.attempts IS 'Webhook POSTs tried for this event';
ALTER TABLE meta.alerts ADD COLUMN IF NOT EXISTS is_provisional BOOLEAN;
COMMENT ON COLUMN meta.alerts.is_provisional IS 'True when the event was raised on a
 provisional value (marts.threshold_events.is_provisional); the message says so';
"""

LABELS = {
    "jgb_10y_pct": "10-year JGB",
    "jgb_30y_pct": "30-year JGB",
    "ust_10y_pct": "10-year UST",
    "usdjpy": "USD/JPY",
    "spread_2y_bp": "2-year UST-JGB spread",
    "spread_10y_bp": "10-year UST-JGB spread",
    "spread_30y_bp": "30-year UST-JGB spread",
    "spread_2y_zscore": "2-year spread z-score",
    "spread_10y_zscore": "10-year spread z-score",
    "spread_30y_zscore": "30-year spread z-score",
    "hedged_pickup_bp": "Yen-hedged 10-year UST pickup over JGB",
}


@dataclass(frozen=True)
class Alert:
    date: date
    indicator: str
    threshold: float
    direction: str
    value: float | None
    unit: str | None
    message: str
    webhook_status: str
    retried: bool = False
    is_provisional: bool = False


def format_value(value: float | None, unit: str | None) -> str:
    if value is None:
        return "n/a"
    if unit == "pct":
        return f"{value:.2f}%"
    if unit == "bp":
        return f"{value:.0f} bp"
    if unit == "yen_per_usd":
        return f"{value:.2f} yen"
    return f"{value:.2f}"


def message(indicator: str, threshold: float, direction: str, on: date, value: float | None,
            unit: str | None, *, confirmed_on: date | None = None,
            confirmed_value: float | None = None, is_provisional: bool = False,
            input_as_of: date | None = None, confirmed_by: str | None = None,
            observations: int | None = None) -> str:
    """'10-year JGB crossed 2.00% up on 2026-11-20 (2.03%)', and when it was confirmed later,
    '; confirmed 2026-11-24 at 2.06%', or, when only the observation count confirmed it (the
    value stayed inside the band, e.g. under a yield cap), '; confirmed after 20 observations
    on 2022-11-07 at 0.25% (it stayed inside the re-arm band)'; on a provisional value, a closing
    'PROVISIONAL: ...'."""
    label = LABELS.get(indicator, indicator)
    text = (f"{label} crossed {format_value(threshold, unit)} {direction} on {on.isoformat()}"
            f" ({format_value(value, unit)})")
    if confirmed_on is not None and confirmed_on != on:
        after = (f" after {observations} observations on" if confirmed_by == "observations"
                 and observations else "")
        text += (f"; confirmed{after} {confirmed_on.isoformat()} at"
                 f" {format_value(confirmed_value, unit)}")
        if after:
            text += " (it stayed inside the re-arm band)"
    if is_provisional:
        basis = (f"inputs as of {input_as_of.isoformat()}"
                 if input_as_of is not None and input_as_of < on else "a partial month")
        text += f". PROVISIONAL: based on {basis}; it may change when the data is final"
    return text


def _unit(indicator: str) -> str | None:
    for suffix, unit in (("_pct", "pct"), ("_bp", "bp"), ("_zscore", "zscore")):
        if indicator.endswith(suffix):
            return unit
    return "yen_per_usd" if indicator == "usdjpy" else None


def raise_alerts(
    con: duckdb.DuckDBPyConnection,
    webhook_url: str | None = None,
    log: Any = None,
    *,
    today: date | None = None,
    max_age_days: int = MAX_AGE_DAYS,
) -> list[Alert]:
    """Record, log and (with a webhook) POST every event not yet in meta.alerts.

    Returns the alerts handled in this run: new events, and earlier ones whose POST failed.
    """
    log = log or logging.getLogger(__name__)
    today = today or datetime.now(UTC).date()
    con.execute(ALERTS_DDL)
    new = _record_new(con, today - timedelta(days=max_age_days), webhook_url is not None)
    backfilled = [a for a in new if a.webhook_status == TOO_OLD]
    for a in new:
        if a.webhook_status != TOO_OLD:
            log.info(f"threshold alert: {a.message}")
    if backfilled:
        # History loaded for the first time: record it, but one line, not hundreds.
        log.info(f"{len(backfilled)} threshold crossings older than {max_age_days} days"
                 " recorded in meta.alerts without alerting")
    if webhook_url is None:
        return new
    handled: list[Alert] = []
    for a in new + _to_retry(con, {(a.date, a.indicator, a.threshold, a.direction) for a in new}):
        if a.webhook_status == TOO_OLD:
            handled.append(a)
            continue
        status = _post(webhook_url, a.message)
        sent = status == SENT
        con.execute(
            "UPDATE meta.alerts SET webhook_status = ?, attempts = attempts + 1,"
            " sent_at = CASE WHEN ? THEN now() END"
            " WHERE date = ? AND indicator = ? AND threshold = ? AND direction = ?",
            [status, sent, a.date, a.indicator, a.threshold, a.direction],
        )
        if not sent:
            log.warning(f"alert webhook: {status}; will retry next run: {a.message}")
        handled.append(Alert(a.date, a.indicator, a.threshold, a.direction, a.value, a.unit,
                             a.message, status, a.retried, a.is_provisional))
    return handled


def _record_new(con: duckdb.DuckDBPyConnection, oldest: date, webhook: bool) -> list[Alert]:
    """Insert the events meta.alerts does not hold yet, committed before anything is sent."""
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns()"
        " WHERE schema_name = 'marts' AND table_name = 'threshold_events'").fetchall()}
    if not columns:
        return []
    def col(name: str, default: str = "NULL") -> str:
        return f"e.{name}" if name in columns else default

    rows = con.execute(
        f"SELECT e.date, e.indicator, e.threshold, e.direction, e.value, {col('unit')},"  # noqa: S608
        f" {col('confirmed_on')}, {col('confirmed_value')},"
        f" coalesce({col('is_provisional', 'false')}, false), {col('input_as_of')},"
        f" {col('confirmed_by')}, {col('observations_to_confirm')}"
        " FROM marts.threshold_events e"
        " ANTI JOIN meta.alerts a USING (date, indicator, threshold, direction)"
        " ORDER BY e.date, e.indicator, e.threshold"
    ).fetchall()
    alerts = []
    for (on, indicator, threshold, direction, value, unit_value, confirmed_on, confirmed_value,
         provisional, input_as_of, confirmed_by, observations) in rows:
        unit_value = unit_value or _unit(indicator)
        known_on = confirmed_on or on
        status = (TOO_OLD if known_on < oldest else PENDING if webhook else NOT_CONFIGURED)
        text = message(indicator, threshold, direction, on, value, unit_value,
                       confirmed_on=confirmed_on, confirmed_value=confirmed_value,
                       is_provisional=provisional, input_as_of=input_as_of,
                       confirmed_by=confirmed_by, observations=observations)
        alerts.append(Alert(on, indicator, threshold, direction, value, unit_value, text, status,
                            is_provisional=bool(provisional)))
    if not alerts:
        return []
    with transaction(con):
        con.executemany(
            "INSERT INTO meta.alerts (date, indicator, threshold, direction, value, unit,"
            " message, raised_at, webhook_status, is_provisional)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, now(), ?, ?)",
            [[a.date, a.indicator, a.threshold, a.direction, a.value, a.unit, a.message,
              a.webhook_status, a.is_provisional] for a in alerts],
        )
    return alerts


def _to_retry(con: duckdb.DuckDBPyConnection, just_added: set[tuple]) -> list[Alert]:
    rows = con.execute(
        "SELECT date, indicator, threshold, direction, value, unit, message, webhook_status,"
        " coalesce(is_provisional, false)"
        " FROM meta.alerts WHERE sent_at IS NULL"
        " AND (webhook_status = ? OR webhook_status LIKE ?)"
        " ORDER BY date, indicator, threshold",
        [PENDING, f"{FAILED}%"],
    ).fetchall()
    return [Alert(*r[:8], retried=True, is_provisional=bool(r[8]))
            for r in rows if tuple(r[:4]) not in just_added]


def _post(url: str, text: str) -> str:
    """'sent', or 'failed: <why>' (never the URL: webhook URLs embed their secret)."""
    try:
        response = requests.post(url, json={"text": text}, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        return f"{FAILED}: {type(exc).__name__}"
    if 200 <= response.status_code < 300:
        return SENT
    return f"{FAILED}: HTTP {response.status_code}"
