"""Build the marts from `sql/marts/*.sql`: discover, order by dependency, run each atomically.

Each file is one table: its name is the table's and the asset's. The header says what it
holds and which asset keys it reads, so the Dagster layer can wire dependencies without
parsing SQL:

    -- <one-line description>
    -- depends_on: fred/DGS10 mof/jgb_yields marts/yield_spreads_daily
    CREATE OR REPLACE TABLE marts.<name> AS ... ORDER BY ...;
    COMMENT ON TABLE ...; COMMENT ON COLUMN ...;

The header is checked against the SQL (tables read, FRED series named), so it cannot drift
from what the query really reads. A build runs the whole file in one transaction and fails,
leaving the previous table, if an input is missing or any column lacks a COMMENT.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.datasets import staging_tables
from pipelines.lib.errors import PipelineError
from pipelines.lib.sqlident import ident
from pipelines.lib.warehouse import transaction
from pipelines.marts.thresholds import load_thresholds, write_threshold_levels

SQL_DIR = Path(__file__).resolve().parents[2] / "sql" / "marts"
FRED_TABLE = "staging.fred_observations"
# Tables the builder itself writes before a mart's SQL runs (not assets of their own).
PRELOADED_TABLES: dict[str, str] = {"threshold_events": "marts.threshold_levels"}

_FRED_ID = re.compile(r"^[A-Z0-9]{1,30}$")
_DEPENDS_ON = "depends_on:"
# Scanned left to right, so an apostrophe in a comment or `--` in a string is not misread.
_LITERAL_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")
_TABLE_REFERENCE = re.compile(r"\b((?:staging|marts)\.[a-z_][a-z0-9_]*)\b")
# FRED series selected by `series_id = <literal>` or `series_id IN (<literals>)`, matched on code
# whose literals are replaced by numbered placeholders (so a COMMENT's text is never read).
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_SERIES_SELECTED = re.compile(
    r"\bseries_id\s*(?:=\s*(\x00\d+\x00)|IN\s*\(((?:\s*\x00\d+\x00\s*,?)+)\))", re.I
)


class MartError(PipelineError):
    """A mart file is malformed, or its build failed; the message names the file."""


class MartInputMissing(MartError):
    """A table the mart reads does not exist yet: materialise the named asset first."""


@dataclass(frozen=True)
class MartSql:
    name: str
    path: Path
    description: str
    depends_on: tuple[str, ...]  # asset keys: fred/DGS10, mof/jgb_yields, marts/<name>, ...
    sql: str

    @property
    def table(self) -> str:
        return f"marts.{self.name}"

    @property
    def upstream_marts(self) -> tuple[str, ...]:
        return tuple(k.removeprefix("marts/") for k in self.depends_on if k.startswith("marts/"))

    @property
    def input_tables(self) -> dict[str, str]:
        """Table -> the first asset key that reads it, in header order."""
        tables: dict[str, str] = {}
        for key in self.depends_on:
            tables.setdefault(input_table(key), key)
        return tables


def input_table(asset_key: str) -> str:
    """The table behind an asset key a mart may depend on."""
    prefix, _, rest = asset_key.partition("/")
    if prefix == "fred" and _FRED_ID.match(rest):
        return FRED_TABLE
    if prefix == "marts" and rest:
        return ident(f"marts.{rest}")
    staging = staging_tables()  # non-FRED asset keys a mart may read: the declared datasets
    if asset_key in staging:
        return staging[asset_key]
    raise MartError(
        f"unknown input asset key {asset_key!r}; expected fred/<SERIES_ID>, marts/<name> or "
        f"one of {', '.join(sorted(staging))}"
    )


def parse_mart_file(path: Path) -> MartSql:
    """Read one mart file and check its header against its SQL."""
    name = path.stem
    try:
        ident(name)
    except ValueError:
        raise MartError(f"{path}: file name must be a table name (a-z, 0-9, _)") from None
    sql = path.read_text(encoding="utf-8")
    description, depends_on = _header(sql, path)
    mart = MartSql(name, path, description, depends_on, sql)
    _check_header_matches_sql(mart)
    return mart


def discover_marts(sql_dir: Path | None = None) -> list[MartSql]:
    """Every `*.sql` in sql_dir, ordered so a mart comes after the marts it reads.

    Ties are broken by name, so the order (and so every build) is deterministic.
    """
    sql_dir = sql_dir or SQL_DIR
    marts = {m.name: m for m in (parse_mart_file(p) for p in sorted(sql_dir.glob("*.sql")))}
    for mart in marts.values():
        unknown = [u for u in mart.upstream_marts if u not in marts]
        if unknown:
            raise MartError(f"{mart.path}: depends on marts with no file in {sql_dir}: {unknown}")
    ordered: list[MartSql] = []
    done: set[str] = set()
    pending = dict(marts)
    while pending:
        ready = sorted(n for n, m in pending.items() if set(m.upstream_marts) <= done)
        if not ready:
            raise MartError(f"marts depend on each other in a cycle: {sorted(pending)}")
        for name in ready:
            ordered.append(pending.pop(name))
            done.add(name)
    return ordered


def build_mart(
    con: duckdb.DuckDBPyConnection, mart: MartSql, *, thresholds_path: Path | None = None
) -> int:
    """(Re)build one mart in a single transaction; returns its row count."""
    _require_inputs(con, mart)
    levels = load_thresholds(thresholds_path) if mart.name in PRELOADED_TABLES else None
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    with transaction(con):
        if levels is not None:
            write_threshold_levels(con, levels)
        try:
            con.execute(mart.sql)
        except duckdb.Error as exc:
            raise MartError(f"{mart.path.name}: {exc}") from exc
        _require_comments(con, mart)
    return con.execute(f"SELECT count(*) FROM {ident(mart.table)}").fetchall()[0][0]  # noqa: S608


def build_all(
    con: duckdb.DuckDBPyConnection,
    *,
    sql_dir: Path | None = None,
    thresholds_path: Path | None = None,
) -> dict[str, int]:
    """Build every mart in dependency order; mart name -> row count."""
    return {
        mart.name: build_mart(con, mart, thresholds_path=thresholds_path)
        for mart in discover_marts(sql_dir)
    }


def header_comments(sql: str) -> Iterator[str]:
    """The text of each `--` line before the SQL starts: where a mart declares itself."""
    for line in sql.splitlines():
        text = line.strip()
        if not text:
            continue
        if not text.startswith("--"):
            return
        yield text.removeprefix("--").strip()


def _header(sql: str, path: Path) -> tuple[str, tuple[str, ...]]:
    description = ""
    depends_on: list[str] = []
    for body in header_comments(sql):
        if body.startswith(_DEPENDS_ON):
            depends_on.extend(body.removeprefix(_DEPENDS_ON).split())
        elif not description:
            description = body
    if not description:
        raise MartError(f"{path}: first line must be '-- <one-line description>'")
    if len(set(depends_on)) != len(depends_on):
        raise MartError(f"{path}: depends_on lists an asset twice: {depends_on}")
    return description, tuple(depends_on)


def _check_header_matches_sql(mart: MartSql) -> None:
    """The header must name exactly the tables read and exactly the FRED series selected."""
    where = mart.path
    create = re.compile(rf"CREATE\s+OR\s+REPLACE\s+TABLE\s+{re.escape(mart.table)}\s+AS\b", re.I)
    if not create.search(mart.sql):
        raise MartError(f"{where}: expected 'CREATE OR REPLACE TABLE {mart.table} AS'")
    literals = {t for t in _LITERAL_OR_COMMENT.findall(mart.sql) if t.startswith("'")}
    code = _LITERAL_OR_COMMENT.sub(" ", mart.sql)
    read = set(_TABLE_REFERENCE.findall(code)) - {mart.table}
    read -= {PRELOADED_TABLES[mart.name]} if mart.name in PRELOADED_TABLES else set()
    declared = set(mart.input_tables)
    if read != declared:
        raise MartError(
            f"{where}: depends_on does not match the tables the SQL reads: undeclared "
            f"{sorted(read - declared)}, declared but unread {sorted(declared - read)}"
        )
    unread = [k for k in mart.depends_on if k.startswith("fred/") and f"'{k[5:]}'" not in literals]
    if unread:
        raise MartError(f"{where}: depends_on names FRED series the SQL never selects: {unread}")
    undeclared = sorted(_fred_series_selected(mart.sql) - {
        k.removeprefix("fred/") for k in mart.depends_on if k.startswith("fred/")
    })
    if undeclared:
        raise MartError(f"{where}: selects FRED series it does not declare: {undeclared}")


def _fred_series_selected(sql: str) -> set[str]:
    """Series ids the SQL selects with `series_id = '...'` or `series_id IN ('...', ...)`."""
    literals: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        token = match.group(0)
        if not token.startswith("'"):
            return " "  # a comment
        literals.append(token[1:-1].replace("''", "'"))
        return f"\x00{len(literals) - 1}\x00"

    code = _LITERAL_OR_COMMENT.sub(placeholder, sql)
    return {
        literals[int(index)]
        for match in _SERIES_SELECTED.finditer(code)
        for index in _PLACEHOLDER.findall(match.group(0))
    }


def _require_inputs(con: duckdb.DuckDBPyConnection, mart: MartSql) -> None:
    existing = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
    }
    missing = [(t, key) for t, key in mart.input_tables.items() if t not in existing]
    if missing:
        listed = "; ".join(f"{t} (asset {key})" for t, key in missing)
        raise MartInputMissing(
            f"mart {mart.name} ({mart.path.name}) cannot be built: input table(s) do not exist:"
            f" {listed}. Materialise those assets first."
        )


def _require_comments(con: duckdb.DuckDBPyConnection, mart: MartSql) -> None:
    """Every table and column carries a COMMENT (the analysts' data dictionary)."""
    schema, name = mart.table.split(".")
    uncommented = [
        column
        for column, comment in con.execute(
            "SELECT column_name, comment FROM duckdb_columns()"
            " WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name],
        ).fetchall()
        if not (comment or "").strip()
    ]
    table_comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    if not table_comment or not (table_comment[0][0] or "").strip():
        uncommented.insert(0, "(the table itself)")
    if uncommented:
        raise MartError(f"{mart.path.name}: no COMMENT on {', '.join(uncommented)}")
