"""Asset checks on every mart, declared in the mart's own header, evaluated after each build.

    -- keys: date                          the grain: unique and never NULL (blocking)
    -- range: spread_10y_bp -1000 2000     plausible values, NULL ignored (warning)
    -- max_row_drop: 0.2                   rows may fall at most this share per build (warning)

Each mart must declare its keys; `max_row_drop` defaults to DEFAULT_MAX_ROW_DROP. Outcomes are
`CheckOutcome`s, the same shape the staging audits produce, so Dagster shows them as asset
checks and `meta.check_results` (hence `meta.table_status`) keeps them. The row count of each
build is kept in `meta.mart_row_counts`, the "previous build" the next one is compared with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from pipelines.lib.publish import ERROR, WARN, CheckDecl, CheckOutcome
from pipelines.lib.refresh import create_once
from pipelines.lib.sqlident import ident
from pipelines.marts.build import MartError, MartSql, header_comments

DEFAULT_MAX_ROW_DROP = 0.10
KEYS_CHECK = "keys_unique_not_null"
RANGE_CHECK = "values_in_plausible_range"
ROWS_CHECK = "row_count_not_falling"

ROW_COUNTS_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.mart_row_counts (
    mart VARCHAR NOT NULL,
    built_at TIMESTAMPTZ NOT NULL,
    rows BIGINT NOT NULL
);
COMMENT ON TABLE meta.mart_row_counts IS 'Row count of each mart build, the baseline of the
 row_count_not_falling check of the next build';
COMMENT ON COLUMN meta.mart_row_counts.mart IS 'Mart table name, e.g. yield_spreads_daily';
COMMENT ON COLUMN meta.mart_row_counts.built_at IS 'When the build''s checks ran (UTC)';
COMMENT ON COLUMN meta.mart_row_counts.rows IS 'Rows in the mart after that build';
"""


@dataclass(frozen=True)
class Range:
    column: str
    low: float
    high: float


@dataclass(frozen=True)
class MartChecks:
    keys: tuple[str, ...]
    ranges: tuple[Range, ...]
    max_row_drop: float


def declared(mart: MartSql) -> MartChecks:
    """The checks a mart's header declares; a mart without `-- keys:` is an error."""
    keys: tuple[str, ...] = ()
    ranges: list[Range] = []
    max_drop = DEFAULT_MAX_ROW_DROP
    for body in header_comments(mart.sql):
        name, _, rest = body.partition(":")
        parts = rest.split()
        try:
            if name == "keys":
                keys = tuple(ident(p) for p in parts)
            elif name == "range":
                column, low, high = parts
                ranges.append(Range(ident(column), float(low), float(high)))
            elif name == "max_row_drop":
                (share,) = parts
                max_drop = float(share)
                if not 0 <= max_drop <= 1 or math.isnan(max_drop):
                    raise ValueError(share)
        except ValueError:
            raise MartError(f"{mart.path}: bad check header line {body!r}") from None
    if not keys:
        raise MartError(f"{mart.path}: no '-- keys: <columns>' line (the mart's grain)")
    return MartChecks(keys, tuple(ranges), max_drop)


def check_declarations(mart: MartSql) -> list[CheckDecl]:
    """What Dagster shows before any run: one entry per check, with its severity."""
    spec = declared(mart)
    ranges = ", ".join(f"{r.column} in [{r.low:g}, {r.high:g}]" for r in spec.ranges)
    out = [CheckDecl(KEYS_CHECK, ERROR,
                     f"({', '.join(spec.keys)}) is unique and never NULL: the mart's grain")]
    if spec.ranges:
        out.append(CheckDecl(RANGE_CHECK, WARN, f"Plausible values (NULL allowed): {ranges}"))
    out.append(CheckDecl(
        ROWS_CHECK, WARN,
        f"Rows do not fall by more than {spec.max_row_drop:.0%} from the previous build"))
    return out


def evaluate(
    con: duckdb.DuckDBPyConnection, mart: MartSql, *, now: datetime | None = None
) -> list[CheckOutcome]:
    """Run the mart's checks on the table just built, and record its row count."""
    spec = declared(mart)
    decls = {d.name: d for d in check_declarations(mart)}
    table = ident(mart.table)
    outcomes = [_keys(con, table, spec, decls[KEYS_CHECK])]
    if spec.ranges:
        outcomes.append(_ranges(con, table, spec, decls[RANGE_CHECK]))
    outcomes.append(_row_count(con, mart.name, table, spec, decls[ROWS_CHECK], now))
    return outcomes


def _keys(con: duckdb.DuckDBPyConnection, table: str, spec: MartChecks,
          decl: CheckDecl) -> CheckOutcome:
    keys = ", ".join(spec.keys)
    any_null = " OR ".join(f"{k} IS NULL" for k in spec.keys)
    nulls = con.execute(f"SELECT count(*) FROM {table} WHERE {any_null}").fetchall()[0][0]  # noqa: S608
    duplicates = con.execute(
        f"SELECT {keys}, count(*) AS n FROM {table} GROUP BY ALL HAVING n > 1"  # noqa: S608
        f" ORDER BY n DESC LIMIT 10").fetchall()
    duplicate_groups = con.execute(
        f"SELECT count(*) FROM (SELECT {keys} FROM {table} GROUP BY ALL"  # noqa: S608
        " HAVING count(*) > 1)").fetchall()[0][0]
    bad = int(nulls) + int(duplicate_groups)
    return CheckOutcome(
        decl.name, bad == 0, decl.severity, decl.description, bad,
        [str(r) for r in duplicates],
        {"keys": list(spec.keys), "rows_with_null_key": int(nulls),
         "duplicate_keys": int(duplicate_groups)},
    )


def _ranges(con: duckdb.DuckDBPyConnection, table: str, spec: MartChecks,
            decl: CheckDecl) -> CheckOutcome:
    outside: dict[str, int] = {}
    sample: list[str] = []
    for r in spec.ranges:
        condition = f"{r.column} < ? OR {r.column} > ?"
        n = con.execute(f"SELECT count(*) FROM {table} WHERE {condition}",  # noqa: S608
                        [r.low, r.high]).fetchall()[0][0]
        if n:
            outside[r.column] = int(n)
            sample += [f"{r.column}={v}" for (v,) in con.execute(
                f"SELECT {r.column} FROM {table} WHERE {condition} LIMIT 3",  # noqa: S608
                [r.low, r.high]).fetchall()]
    total = sum(outside.values())
    return CheckOutcome(
        decl.name, total == 0, decl.severity, decl.description, total, sample[:10],
        {"ranges": {r.column: [r.low, r.high] for r in spec.ranges}, "outside": outside},
    )


def _row_count(con: duckdb.DuckDBPyConnection, name: str, table: str, spec: MartChecks,
               decl: CheckDecl, now: datetime | None) -> CheckOutcome:
    create_once(con, "meta.mart_row_counts", ROW_COUNTS_DDL)
    rows = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608
    previous = con.execute(
        "SELECT rows FROM meta.mart_row_counts WHERE mart = ? ORDER BY built_at DESC LIMIT 1",
        [name]).fetchall()
    con.execute("INSERT INTO meta.mart_row_counts VALUES (?, ?, ?)",
                [name, now or datetime.now(UTC), rows])
    before = int(previous[0][0]) if previous else None
    floor = None if before is None else math.ceil(before * (1 - spec.max_row_drop))
    passed = before is None or rows >= floor
    return CheckOutcome(
        decl.name, passed, decl.severity, decl.description,
        0 if passed else (before or 0) - rows, [] if passed else [f"{before} -> {rows} rows"],
        {"rows": rows, "previous_rows": before, "max_row_drop": spec.max_row_drop,
         # a reason, like every other check's (validation.html escapes and prints it)
         "not_applicable": "no previous row count to compare with" if before is None else None},
    )
