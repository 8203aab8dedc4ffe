"""Tiny staging tables written by hand, and a way to build one mart with its upstream marts.

The tables are created from the staging TableDefs, so a renamed staging column breaks these
tests rather than going unnoticed. Only the columns the marts read are filled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.tables import TableDef, create_table
from pipelines.lib.warehouse import ensure_schemas
from pipelines.marts.build import MartSql, build_mart, discover_marts
from pipelines.sources.fred import tables as fred
from pipelines.sources.mof import tables as mof
from pipelines.sources.tic import tables as tic

Day = date | str

# Used only if pipelines/sources/mof/tables.py does not (yet) declare the securities-flow tables.
_MOF_FALLBACK_DDL = """
CREATE TABLE IF NOT EXISTS staging.mof_securities_flows_weekly (
    week_start DATE, week_end DATE NOT NULL, foreign_long_term_debt_net_jpy_100m BIGINT);
CREATE TABLE IF NOT EXISTS staging.mof_securities_flows_monthly (
    month DATE NOT NULL, foreign_long_term_debt_net_jpy_100m BIGINT);
CREATE TABLE IF NOT EXISTS staging.mof_securities_flows_by_investor (
    month DATE NOT NULL, investor_type VARCHAR NOT NULL, acquisition_jpy_100m BIGINT,
    disposition_jpy_100m BIGINT, net_jpy_100m BIGINT);
"""
_MOF_FLOW_TABLES = (
    "staging.mof_securities_flows_weekly",
    "staging.mof_securities_flows_monthly",
    "staging.mof_securities_flows_by_investor",
)


def _day(value: Day) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _table_def(module: Any, name: str) -> TableDef | None:
    return next(
        (v for v in vars(module).values() if isinstance(v, TableDef) and v.name == name), None
    )


def staging_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with every staging table the marts read, all empty."""
    return create_staging(duckdb.connect())


def create_staging(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Every staging table the marts read, empty, in `con` (in memory or a warehouse file)."""
    ensure_schemas(con)
    for table in (fred.FRED_OBSERVATIONS, mof.JGB_YIELDS, tic.TIC_HOLDINGS):
        create_table(con, table)
    flow_defs = [_table_def(mof, name) for name in _MOF_FLOW_TABLES]
    if all(flow_defs):
        for table in flow_defs:
            create_table(con, table)
    else:
        con.execute(_MOF_FALLBACK_DDL)
    return con


def add_fred(
    con: duckdb.DuckDBPyConnection,
    series_id: str,
    rows: Iterable[tuple[Day, float]],
    *,
    units: str = "Percent",
    usd_bn_scale: float | None = None,
) -> None:
    """FRED observations; value_usd_bn = value x usd_bn_scale for dollar amounts."""
    observations = [(_day(d), float(v)) for d, v in rows]
    frame = pl.DataFrame(  # noqa: F841 - read by the INSERT below (DuckDB replacement scan)
        observations, schema={"date": pl.Date, "value": pl.Float64}, orient="row"
    )
    con.execute(
        "INSERT INTO staging.fred_observations (series_id, date, value, units, value_usd_bn,"
        " value_normalised, fetch_mode) SELECT ?, date, value, ?, value * ?,"
        " coalesce(value * ?, value), 'keyless' FROM frame",
        [series_id, units, usd_bn_scale, usd_bn_scale],
    )


def add_jgb(
    con: duckdb.DuckDBPyConnection, rows: Iterable[tuple[Day, Mapping[int, float]]]
) -> None:
    """JGB yields: (date, {tenor_years: yield_pct}); an absent tenor has no row, like MOF's '-'."""
    frame = pl.DataFrame(  # noqa: F841 - read by the INSERT below
        [(_day(d), tenor, float(y)) for d, tenors in rows for tenor, y in tenors.items()],
        schema={"date": pl.Date, "tenor_years": pl.Int16, "yield_pct": pl.Float64},
        orient="row",
    )
    con.execute(
        "INSERT INTO staging.jgb_yields (date, tenor_years, yield_pct)"
        " SELECT date, tenor_years, yield_pct FROM frame"
    )


def add_tic(
    con: duckdb.DuckDBPyConnection, month: Day, holdings: Mapping[str, tuple[str, float]]
) -> None:
    """TIC holdings for one month: {holder_code: (holder_type, usd_bn)}; code doubles as label."""
    con.executemany(
        "INSERT INTO staging.tic_holdings (holder_code, month, country, holder_type,"
        " holdings_usd_bn) VALUES (?, ?, ?, ?, ?)",
        [(code, _day(month), code, kind, v) for code, (kind, v) in holdings.items()],
    )


def add_mof_monthly(con: duckdb.DuckDBPyConnection, month: Day, net_jpy_100m: int) -> None:
    con.execute(
        "INSERT INTO staging.mof_securities_flows_monthly (month,"
        " foreign_long_term_debt_net_jpy_100m) VALUES (?, ?)",
        [_day(month), net_jpy_100m],
    )


def add_mof_weekly(
    con: duckdb.DuckDBPyConnection, week_start: Day, week_end: Day, net_jpy_100m: int
) -> None:
    con.execute(
        "INSERT INTO staging.mof_securities_flows_weekly (week_start, week_end,"
        " foreign_long_term_debt_net_jpy_100m) VALUES (?, ?, ?)",
        [_day(week_start), _day(week_end), net_jpy_100m],
    )


def add_mof_investor(
    con: duckdb.DuckDBPyConnection, month: Day, investor_type: str, net_jpy_100m: int
) -> None:
    con.execute(
        "INSERT INTO staging.mof_securities_flows_by_investor (month, investor_type,"
        " acquisition_jpy_100m, disposition_jpy_100m, net_jpy_100m) VALUES (?, ?, ?, ?, ?)",
        [_day(month), investor_type, max(net_jpy_100m, 0), max(-net_jpy_100m, 0), net_jpy_100m],
    )


def marts_for(name: str) -> list[MartSql]:
    """The mart and every mart it reads, in build order."""
    marts = {m.name: m for m in discover_marts()}
    needed: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current not in needed:
            needed.add(current)
            todo.extend(marts[current].upstream_marts)
    return [m for m in marts.values() if m.name in needed]


def build(con: duckdb.DuckDBPyConnection, name: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Build `name` (and its upstream marts); return its rows as dicts, in table order."""
    for mart in marts_for(name):
        build_mart(con, mart, **kwargs)
    return rows(con, f"marts.{name}")


def rows(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    """All rows of a table in its stored order (the marts are written ORDER BY their grain)."""
    cursor = con.execute(f"SELECT * FROM {table}")  # noqa: S608 - test tables only
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def by(rows_: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    """Rows keyed by one column (dates as date objects)."""
    return {r[key]: r for r in rows_}
