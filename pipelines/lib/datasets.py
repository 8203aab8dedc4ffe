"""One declaration per staging table (`Dataset`), grouped by publisher (`Publisher`).

A publisher is a folder, `pipelines/sources/<publisher>/`: URLs, parsers, and a `datasets.py`
whose `PUBLISHER` lists its datasets. Everything else derives from these declarations: the GX
suites and warehouse checks (validation/), the asset check specs, ingestion assets, jobs,
schedules, watcher targets and freshness policies (defs/), the marts' staging inputs and the
`meta.table_status` rules. Only `definitions.py` lists the publishers; it registers them here
(`register`), and the validation layer looks a table up by name (`dataset`).

Plain frozen dataclasses, no Dagster: a declaration is data plus a few pure functions (parse,
combine, expectations), which a pydantic model or YAML component would only wrap; parsers
and GX expectation builders are code anyway, and dataclasses keep them importable and typed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from pipelines.lib.cadence import Cadence
from pipelines.lib.publish import CheckDecl
from pipelines.lib.tables import TableDef

if TYPE_CHECKING:
    import duckdb

    from pipelines.lib.fetcher import Fetched
    from pipelines.lib.settings import Settings
    from pipelines.validation.context import AuditContext
    from pipelines.validation.findings import Finding


class FileParse(Protocol):
    """What a parser may return instead of a bare frame: the frame plus the days it skipped
    as empty (every value missing, like a holiday) and the month its title declares."""

    frame: pl.DataFrame
    empty_days: tuple[date, ...]
    month: date | None


@dataclass(frozen=True)
class SourceFile:
    """One publisher file feeding a staging table."""

    name: str
    url: str
    parse: Callable[[bytes], pl.DataFrame | FileParse]
    expect: str = "csv"
    # The period a file covers when it restarts each period (the current-month JGB file), so
    # a row-count drop is judged only against a previous copy of the same period.
    period_of: Callable[[bytes], str | None] | None = None
    # The small file the watcher polls for this dataset's release (sensors.py).
    watched: bool = False


@dataclass(frozen=True)
class ReleaseProbe:
    """A tiny request whose answer changes when a cadence's release lands, for a publisher with
    no small file to watch (FRED): the watcher asks it in the cadence's window (sensors.py)."""

    name: str
    cadence: Cadence  # its window says when to ask densely; its job is run on a change
    # (url, params): params may carry an API key, so only the url is ever logged.
    request: Callable[[Settings], tuple[str, dict[str, str]]]
    # The release the answer identifies (e.g. the newest observation date); raises ParseError.
    version: Callable[[Settings, bytes], str]


@dataclass(frozen=True)
class Parsed:
    file: SourceFile
    fetched: Fetched
    frame: pl.DataFrame
    period_key: str | None
    rows_before: int | None
    empty_days: tuple[date, ...] = ()
    month: date | None = None  # the month the file declares it covers
    shrank: str | None = None  # dates the last accepted copy of the same period had


def with_source_file(parsed: list[Parsed]) -> pl.DataFrame:
    """The default `combine`: every changed file's rows, each stamped with its file name."""
    return pl.concat([p.frame.with_columns(source_file=pl.lit(p.file.name)) for p in parsed])


Expectations = Callable[["AuditContext", list[str]], list[tuple[str, Any]]]
Derived = Callable[[pl.DataFrame, "AuditContext"], list[pl.Expr]]
Judge = Callable[["duckdb.DuckDBPyConnection", pl.DataFrame, "AuditContext"],
                 "Finding | list[Finding]"]


def no_expectations(ctx: AuditContext, columns: list[str]) -> list[tuple[str, Any]]:
    return []


def no_derived(batch: pl.DataFrame, ctx: AuditContext) -> list[pl.Expr]:
    return []


@dataclass(frozen=True)
class WarehouseCheck:
    """A check the GX suite cannot express (it reads staging, or spans rows): the declared
    check name(s) it answers and the function that judges a batch."""

    names: tuple[str, ...]
    judge: Judge


@dataclass(frozen=True)
class KnownGap:
    """A window in which a publisher genuinely has missing dates, per group (FRED series id or
    JGB tenor): a gap whose missing days fall inside it is accepted."""

    group: str | int  # "*": every group
    first_missing: date
    last_missing: date
    why: str


@dataclass(frozen=True)
class Dataset:
    """One staging table: its table definition, cadence, checks and the files it is built from.

    FRED's one table is fed per series (`cadences` by frequency, no `files`): its assets are
    built in defs/fred from the catalogue; every other dataset is whole files, and one helper
    (defs/files.py) builds its ingestion asset from this declaration.
    """

    name: str  # the dataset's name in the landing-zone manifest and raw.loaded_files
    publisher: str
    asset_key: tuple[str, ...]
    table: TableDef
    date_column: str
    cadence: Cadence
    checks: tuple[CheckDecl, ...]
    description: str = ""
    op: str = ""  # the multi_asset this dataset's asset belongs to (defs/files.py)
    files: Callable[[Settings], tuple[SourceFile, ...]] | None = None
    combine: Callable[[list[Parsed]], pl.DataFrame] = with_source_file
    # When one file changed, re-read the others from the landing zone too, so overlaps are
    # resolved on all of them (TIC: the later release wins whichever file changed).
    combine_with_unchanged: bool = False
    # Further writes that must commit with the batch (e.g. TIC revision stamps).
    also_write: Callable[[duckdb.DuckDBPyConnection, list[Parsed]], None] | None = None
    # GX: the table-specific expectations and the derived columns they read.
    expectations: Expectations = no_expectations
    derived: Derived = no_derived
    # Column -> SQL type the schema check requires of a batch (default: every declared column).
    schema: Callable[[list[str]], dict[str, str]] | None = None
    findings: tuple[WarehouseCheck, ...] = ()
    known_gaps: tuple[KnownGap, ...] = ()
    gap_group: str | None = None  # judge gaps per value of this column (series, tenor)
    revision_window: str | None = None  # how far back the publisher revises, in words
    cadences: Mapping[str, Cadence] = field(default_factory=dict)  # FRED: by frequency
    # Staging tables the same assets write beside this one (no refresh row of their own).
    companions: tuple[str, ...] = ()
    # FRED: the column naming the series an asset (and an AuditContext's `series`) covers.
    series_column: str | None = None
    # What the watcher asks when no file of this dataset is `watched` (FRED's dailies).
    probes: tuple[ReleaseProbe, ...] = ()

    @property
    def table_name(self) -> str:
        return self.table.name

    @property
    def key_path(self) -> str:
        return "/".join(self.asset_key)

    @property
    def dated_by_month(self) -> bool:
        return self.date_column == "month"

    def cadence_for(self, frequency: str | None = None) -> Cadence:
        """The cadence of this dataset, or of one FRED frequency."""
        if frequency is not None and frequency in self.cadences:
            return self.cadences[frequency]
        return self.cadence

    def series_filter(self, series_id: str | None) -> tuple[str, list[str]]:
        """SQL WHERE (and params) for one series' rows; ("", []) for the whole table."""
        if self.series_column is None or series_id is None:
            return "", []
        return f"{self.series_column} = ?", [series_id]

    def all_cadences(self) -> tuple[Cadence, ...]:
        return tuple(dict.fromkeys([self.cadence, *self.cadences.values()]))

    def required_columns(self, columns: list[str]) -> dict[str, str]:
        if self.schema is not None:
            return self.schema(columns)
        return {c.name: c.type for c in self.table.columns}


@dataclass(frozen=True)
class Publisher:
    """A publisher's folder as one object: its name and its datasets."""

    name: str
    datasets: tuple[Dataset, ...]


# --- the registry definitions.py fills --------------------------------------------------------

_REGISTRY: dict[str, Dataset] = {}
_LOCK = threading.Lock()


def register(publishers: Iterable[Publisher]) -> None:
    """Make these publishers' datasets known to validation (by table name)."""
    with _LOCK:
        for publisher in publishers:
            for ds in publisher.datasets:
                _REGISTRY[ds.table_name] = ds


def registered() -> Mapping[str, Dataset]:
    """Every registered dataset by table name.

    Before definitions.py has registered its publishers (a test auditing a batch directly),
    the publisher folders under pipelines/sources are found by their `datasets.PUBLISHER`:
    importing definitions.py here would be circular, since building its assets reads this."""
    if not _REGISTRY:
        register(discover())
    return dict(_REGISTRY)


def discover() -> list[Publisher]:
    """The `PUBLISHER` of every `pipelines/sources/<name>/datasets.py`, by folder name."""
    import importlib
    import pkgutil

    import pipelines.sources as sources

    found = []
    for info in sorted(pkgutil.iter_modules(sources.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"{sources.__name__}.{info.name}.datasets")
        except ModuleNotFoundError as exc:
            if exc.name != f"{sources.__name__}.{info.name}.datasets":
                raise
            continue
        found.append(module.PUBLISHER)
    return found


def dataset(table: str) -> Dataset:
    """The declaration of a staging table; ValueError naming the known ones otherwise."""
    known = registered()
    try:
        return known[table]
    except KeyError:
        raise ValueError(f"no checks declared for {table!r}; known: {', '.join(known)}") from None


def staging_tables() -> dict[str, str]:
    """Asset key ("mof/jgb_yields") -> staging table, for every file-based dataset."""
    return {ds.key_path: ds.table_name for ds in registered().values() if ds.files is not None}
