"""The pipeline against the replica, as the reliability tests drive it: sources, faults, digests.

Plain functions (no pytest) so the fault-matrix doc generator and the crash-safety
subprocesses can share them. Every run is a real Dagster run of the real assets over real
HTTP to a replica on 127.0.0.1; only the FRED catalogue is cut to three series and the HTTP
client's waits are shortened, so the whole matrix fits in a few minutes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import requests
import yaml

from pipelines.defs import location
from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.lib.sqlident import ident
from pipelines.replica import Replica
from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE
from tests.envvars import patched_environ

# Baseline day and the next release day: between them the JGB current-month file, week.csv,
# Table 5 and every FRED series in SERIES change (checked against the replica's calendars).
D0 = date(2026, 11, 17)
D1 = date(2026, 11, 19)
FROZEN_AS_OF = D0 + timedelta(days=100)  # long after every cadence's freshness limit
API_KEY = "r3l1ab1l1tyk3yzq9x8w7v6u5t4s3r2p"  # 32 lower-case alphanumerics, as FRED issues
SERIES = ("DGS10", "DEXJPUS", "WALCL")  # daily rate, daily FX, weekly USD amount
FAULTED_SERIES = "DGS10"
FRED_RATE = 20  # requests/s for both the replica's limiter and ours: FRED's 2/s is not tested here
MAX_ATTEMPTS = 3
READ_TIMEOUT_S = 1.0

JGB_CURRENT = "/english/policy/jgbs/reference/interest_rate/jgbcme.csv"
FLOWS_WEEKLY = "/policy/international_policy/reference/itn_transactions_in_securities/week.csv"
TIC_TABLE5 = "/resource-center/data-chart-center/tic/Documents/slt_table5.txt"
FREDGRAPH = "/graph/fredgraph.csv"
OBSERVATIONS = "/fred/series/observations"

# Grows by one row per publication, so two equally good runs never agree on it.
GROWING_MARTS = frozenset({"indicator_snapshots"})

Definitions = list[dg.AssetsDefinition | dg.AssetChecksDefinition]


def write_catalogue(folder: Path, ids: Sequence[str] = SERIES) -> Path:
    """A catalogue of a few real entries, so FRED runs stay small."""
    document = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    entries = [e for e in document["series"] if e["id"] in ids]
    path = folder / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"series": entries}), encoding="utf-8")
    return path


def all_assets(catalogue: Path) -> Definitions:
    """Every asset and check of the code location (the `refresh_outcomes` gate included),
    with the small FRED catalogue."""
    return location.all_assets(catalogue)


def fast_resources(assets_dir: Path) -> dict[str, Any]:
    """The real resources with short waits: retries in tens of ms, 1 s read timeout."""
    return {
        "warehouse": WarehouseResource(assets_dir=str(assets_dir), lock_timeout_s=30.0),
        "publishers": PublishersResource(
            backoff_base_s=0.02, rate_limited_wait_s=0.2, max_attempts=MAX_ATTEMPTS,
            read_timeout_s=READ_TIMEOUT_S, connect_timeout_s=2.0,
            fred_requests_per_second=FRED_RATE, fred_requests_per_minute=FRED_RATE * 60,
        ),
    }


def start_replica(as_of: date, port: int = 0) -> Replica:
    return Replica.start(as_of=as_of, port=port, fred_rate_limit=(FRED_RATE, FRED_RATE * 60))


@contextmanager
def environment(replica: Replica, assets_dir: Path, catalogue: Path, *, api: bool,
                as_of: date) -> Iterator[None]:
    """The variables of a run against `replica`, restored afterwards."""
    values = {**replica.env(), "ASSETS_DIR": str(assets_dir), "AS_OF_DATE": as_of.isoformat(),
              "FRED_CATALOGUE": str(catalogue), "FRED_API_KEY": API_KEY if api else None,
              "REPLAY": None}
    with patched_environ(values):
        yield


def materialize(assets: Definitions, assets_dir: Path,
                keys: Sequence[dg.AssetKey] | None = None, *,
                instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    """A real run of `keys` and everything downstream of them (all assets when None)."""
    selection = (dg.AssetSelection.assets(*keys).downstream() if keys is not None
                 else dg.AssetSelection.all())
    return dg.materialize(assets, selection=selection, resources=fast_resources(assets_dir),
                          instance=instance, raise_on_error=False)


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """Every error text a failed run shows an operator: step failures and their details."""
    out: list[str] = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data is not None:
            out.append(data.user_failure_data.description or "")
            for value in data.user_failure_data.metadata.values():
                if isinstance(getattr(value, "value", None), list):
                    out.extend(str(v) for v in value.value)
        elif data.error is not None:
            out.append(data.error.message.strip())
    return [m for m in out if m]


# --- digests: what "intact" and "recovered" are compared on ---------------------------------


def connect_ro(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def table_digest(con: duckdb.DuckDBPyConnection, table: str, where: str = "",
                 params: Sequence[object] = ()) -> tuple[int, int]:
    """(rows, order-independent hash of every row) of a table; (0, 0) when it is absent.

    Doubles are rounded to 1e-9: DuckDB's parallel AVG/SUM may differ in the last bit
    between two runs over the same rows.
    """
    schema, name = ident(table).split(".")
    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ?"
        " AND table_name = ? ORDER BY column_index", [schema, name]).fetchall()
    if not cols:
        return (0, 0)
    exprs = ", ".join(
        f'round("{c}", 9)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in cols
    )
    sql = (f"SELECT count(*), coalesce(sum(hash(row({exprs}))::HUGEINT), 0)"  # noqa: S608
           f" FROM {table}" + (f" WHERE {where}" if where else ""))
    n, h = con.execute(sql, list(params)).fetchall()[0]
    return int(n), int(h)


def schema_digest(con: duckdb.DuckDBPyConnection, schema: str,
                  skip: Callable[[str], bool] = lambda t: False) -> dict[str, tuple[int, int]]:
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? ORDER BY 1", [schema]
    ).fetchall()]
    return {f"{schema}.{n}": table_digest(con, f"{schema}.{n}") for n in names if not skip(n)}


def current_tables(name: str) -> bool:
    """Skip what differs between two equally good runs: vintage stamps and bookkeeping."""
    return name.endswith("_history") or name in ("fred_unit_changes", "tic_revisions")


def file_sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


# --- sources and faults ------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One publisher file (or FRED series) the matrix breaks, and how to judge its staging."""

    name: str  # matrix row label
    source: str  # the name errors start with ("fred", "mof", "tic")
    api: bool  # FRED API mode
    keys: tuple[dg.AssetKey, ...]  # what a run materialises (plus downstream)
    path: str  # the publisher path the faults hit
    fault_prefix: str  # path + query prefix the replica matches
    staging: str  # table holding this file's rows
    staging_where: str = ""  # the rows that file feeds (FRED: one series)
    encoding: str = "ascii"
    delimiter: str = ","

    def clean_target(self) -> str:
        """The request whose clean D1 body the content faults start from."""
        since = (D0 - timedelta(days=14)).isoformat()
        if self.path == FREDGRAPH:
            return f"{FREDGRAPH}?id={FAULTED_SERIES}&cosd={since}"
        if self.path == OBSERVATIONS:
            return (f"{OBSERVATIONS}?series_id={FAULTED_SERIES}&api_key={API_KEY}"
                    f"&file_type=json&observation_start={since}")
        return self.path

    def put_target(self) -> str:
        """Where an override must be put to replace the body the pipeline will ask for."""
        if self.path == FREDGRAPH:
            return f"{FREDGRAPH}?id={FAULTED_SERIES}"
        if self.path == OBSERVATIONS:
            return f"{OBSERVATIONS}?series_id={FAULTED_SERIES}"
        return self.path


def _fred_keys() -> tuple[dg.AssetKey, ...]:
    return tuple(dg.AssetKey(["fred", s]) for s in SERIES)


SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("FRED keyless", "fred", False, _fred_keys(), FREDGRAPH,
           f"{FREDGRAPH}?id={FAULTED_SERIES}", "staging.fred_observations",
           f"series_id = '{FAULTED_SERIES}'", encoding="utf-8"),
    Source("FRED API", "fred", True, _fred_keys(), OBSERVATIONS,
           f"{OBSERVATIONS}?series_id={FAULTED_SERIES}", "staging.fred_observations",
           f"series_id = '{FAULTED_SERIES}'", encoding="utf-8"),
    Source("MOF JGB", "mof", False, (dg.AssetKey(["mof", "jgb_yields"]),), JGB_CURRENT,
           JGB_CURRENT, "staging.jgb_yields", encoding="cp932"),
    Source("MOF flows", "mof", False,
           tuple(dg.AssetKey(["mof", n]) for n in ("securities_flows_weekly",
                                                    "securities_flows_monthly",
                                                    "securities_flows_by_investor")),
           FLOWS_WEEKLY, FLOWS_WEEKLY, "staging.mof_securities_flows_weekly",
           encoding="cp932"),
    Source("TIC", "tic", False, (dg.AssetKey(["tic", "tic_holdings"]),), TIC_TABLE5,
           TIC_TABLE5, "staging.tic_holdings", delimiter="\t"),
)}


@dataclass(frozen=True)
class Fault:
    """One way a publisher misbehaves. Transport faults go through Replica.inject; content
    faults replace the body with a mutation of the clean one; `frozen` publishes nothing."""

    name: str
    kind: str  # "inject" | "content" | "frozen"
    inject: str | None = None
    times: int = 1
    options: tuple[tuple[str, Any], ...] = ()
    mutate: str | None = None


FAULTS: dict[str, Fault] = {f.name: f for f in (
    Fault("5xx burst (503 x2)", "inject", "status", times=2, options=(("code", 503),)),
    Fault("5xx outage (503 every attempt)", "inject", "status", times=0,
          options=(("code", 503),)),
    Fault("429 with Retry-After: 1", "inject", "429", options=(("retry_after", 1),)),
    Fault("429 without Retry-After", "inject", "429"),
    Fault("timeout", "inject", "timeout", options=(("seconds", READ_TIMEOUT_S + 1),)),
    Fault("connection reset", "inject", "reset"),
    Fault("truncated body", "inject", "truncate"),
    Fault("empty body (200)", "inject", "empty"),
    Fault("HTML page with status 200", "inject", "html200"),
    Fault("changed header", "content", mutate="header"),
    Fault("wrong encoding (UTF-16)", "content", mutate="encoding"),
    Fault("garbage rows", "content", mutate="garbage"),
    Fault("duplicate dates", "content", mutate="duplicate"),
    Fault("out-of-range value", "content", mutate="range"),
    Fault("frozen file (stopped updating)", "frozen"),
)}


# --- content mutations ---------------------------------------------------------------------------

GARBAGE = "#VALUE!"
HUGE = "987654321"


def clean_body(replica: Replica, src: Source) -> bytes:
    resp = requests.get(replica.url + src.clean_target(), timeout=10)
    resp.raise_for_status()
    return resp.content


def mutate(src: Source, body: bytes, how: str) -> bytes:
    """The clean body broken in one way, as a publisher or a proxy might break it."""
    if src.path == OBSERVATIONS:
        return _mutate_json(body, how)
    text = body.decode(src.encoding)
    if how == "encoding":
        return text.encode("utf-16")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    if how == "header":
        lines[_header_index(src, lines)] = _rename_header(src, lines[_header_index(src, lines)])
        return newline.join(lines).encode(src.encoding)
    i = _data_index(src, lines)
    cells = next(csv.reader([lines[i]], delimiter=src.delimiter))
    if how == "garbage":
        bad = [cells[0]] + [GARBAGE] * (len(cells) - 1)
        lines.insert(i, _row(bad, src.delimiter))
    elif how == "duplicate":
        other = [cells[0]] + [_bump(c) for c in cells[1:]]
        lines.insert(i + 1, _row(other, src.delimiter))
    elif how == "range":
        j = next(k for k, c in enumerate(cells) if k > 0 and _number(c) is not None)
        cells[j] = HUGE
        lines[i] = _row(cells, src.delimiter)
    else:
        raise ValueError(how)
    return newline.join(lines).encode(src.encoding)


def _mutate_json(body: bytes, how: str) -> bytes:
    doc = json.loads(body)
    obs = doc["observations"]
    last = dict(obs[-1])
    if how == "encoding":
        return body.decode("utf-8").encode("utf-16")
    if how == "header":
        doc["observations"] = [{("observation_date" if k == "date" else k): v
                                for k, v in o.items()} for o in obs]
    elif how == "garbage":
        obs.insert(len(obs) - 1, {**last, "date": "2026-11-1x", "value": GARBAGE})
    elif how == "duplicate":
        obs.append({**last, "value": _bump(last["value"])})
        doc["count"] = len(obs)
    elif how == "range":
        obs[-1] = {**last, "value": HUGE}
    else:
        raise ValueError(how)
    return json.dumps(doc, separators=(",", ":")).encode()


def _header_index(src: Source, lines: list[str]) -> int:
    starts = {FREDGRAPH: "observation_date", JGB_CURRENT: "Date", FLOWS_WEEKLY: "期間,取得",
              TIC_TABLE5: "Country"}[src.path]
    return next(i for i, ln in enumerate(lines) if ln.startswith(starts))


def _rename_header(src: Source, line: str) -> str:
    """A column renamed or re-labelled: the publisher's kind of header change."""
    old, new = {FREDGRAPH: (FAULTED_SERIES, f"{FAULTED_SERIES}_PCH"), JGB_CURRENT: ("1Y,", "0.5Y,"),
                FLOWS_WEEKLY: ("取得", "購入"), TIC_TABLE5: ("Country", "Holder")}[src.path]
    return line.replace(old, new, 1)


def _data_index(src: Source, lines: list[str]) -> int:
    """The newest data row (TIC: Japan's row)."""
    if src.path == TIC_TABLE5:
        return next(i for i, ln in enumerate(lines) if ln.startswith("Japan"))
    return max(i for i, ln in enumerate(lines) if ln[:1].isdigit())


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", "").strip())
    except ValueError:
        return None


def _bump(cell: str) -> str:
    value = _number(cell)
    return cell if value is None else f"{value + 1:g}"


def _row(cells: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
    return out.getvalue()


def slug(text: str) -> str:
    """A test id without spaces: `MOF JGB` -> `mof_jgb`."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def redact_replica(text: str, replica_url: str) -> str:
    """Messages in the docs show `<replica>` for the test's random port."""
    return re.sub(r"http://127\.0\.0\.1:\d+", "<replica>", text.replace(replica_url, "<replica>"))
