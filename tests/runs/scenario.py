"""Real refreshes against the replica, and what the tests read back from them.

Plain functions (no pytest), shared by the tests and by the subprocess runner. Every refresh
is a real Dagster run of the real `refresh_all` job (pipelines.definitions) over real HTTP to
a replica on 127.0.0.1; only the FRED catalogue is cut to a few series so runs stay short.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import yaml

from pipelines.definitions import REFRESH_ALL, build_definitions
from pipelines.replica import Replica
from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE
from tests.envvars import patched_environ

ROOT = Path(__file__).resolve().parents[2]
# Between these two days the JGB current-month file, MOF week.csv, DGS10, DEXJPUS and WALCL
# change; MOF's monthly files, TIC and the JGB history do not: an ordinary next day.
D0 = date(2026, 11, 25)
D1 = date(2026, 11, 27)
SERIES = ("DGS10", "DEXJPUS", "WALCL")
MISSING_SERIES = "DGS1"  # in the catalogue, not on the replica: every request is a 404

MONTHA1 = "/policy/international_policy/reference/itn_transactions_in_securities/montha1.csv"
TABLE5 = "/resource-center/data-chart-center/tic/Documents/slt_table5.txt"


def write_catalogue(folder: Path, ids: Sequence[str] = SERIES, *, missing: bool = False) -> Path:
    """A catalogue of a few real entries; `missing` adds DGS1, which the replica lacks."""
    document = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    entries = [e for e in document["series"] if e["id"] in ids]
    if missing:
        dgs10 = next(e for e in document["series"] if e["id"] == "DGS10")
        entries.append({**dgs10, "id": MISSING_SERIES, "title": "1-year UST yield",
                        "purpose": "A series added to the catalogue that the publisher lacks."})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("catalogue_missing.yaml" if missing else "catalogue.yaml")
    path.write_text(yaml.safe_dump({"series": entries}), encoding="utf-8")
    return path


@contextmanager
def environment(replica: Replica | None, assets_dir: Path, catalogue: Path, as_of: date,
                **extra: str | None) -> Iterator[dict[str, str]]:
    """The variables of a run against `replica`, restored afterwards; yields them."""
    values: dict[str, str | None] = {
        **(replica.env() if replica else {}), "ASSETS_DIR": str(assets_dir),
        "AS_OF_DATE": as_of.isoformat(), "FRED_CATALOGUE": str(catalogue),
        "FRED_API_KEY": None, "REPLAY": None, "ALERT_WEBHOOK_URL": None, **extra,
    }
    with patched_environ(values):
        yield {k: v for k, v in values.items() if v is not None}


@cache
def _job(catalogue: str) -> dg.JobDefinition:
    return build_definitions(catalogue).resolve_job_def(REFRESH_ALL)


def refresh(replica: Replica, assets_dir: Path, catalogue: Path, as_of: date,
            instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    """One real `refresh_all` run, in this process (an ephemeral instance unless given)."""
    with environment(replica, assets_dir, catalogue, as_of):
        return _job(str(catalogue)).execute_in_process(instance=instance, raise_on_error=False)


# --- subprocess runs ---------------------------------------------------------------------------


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`refresh_all` in a child process, as `make demo` runs it (tests/runs/runner.py)."""
    out = log.open("wb")
    return subprocess.Popen([sys.executable, "-m", "tests.runs.runner"], cwd=ROOT,
                            env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_for_line(log: Path, needle: str, proc: subprocess.Popen[bytes],
                  timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if needle in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise AssertionError(f"runner exited ({proc.returncode}) before {needle!r}:\n"
                                 + log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)
    raise AssertionError(f"no {needle!r} within {timeout_s}s:\n"
                         + log.read_text(errors="replace")[-3000:])


def stop(proc: subprocess.Popen[bytes], sig: int, grace_s: float = 60) -> int:
    """Send `sig` to the runner; SIGKILL it if it has not ended `grace_s` later."""
    os.killpg(proc.pid, sig)
    try:
        return proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait(timeout=30)


# --- what a run left -----------------------------------------------------------------------------


def naive_utc(moment: datetime | None) -> datetime | None:
    """The serving copy stores UTC TIMESTAMPs (no zone) for DuckDB 1.x readers; the
    warehouse TIMESTAMPTZ. This puts a warehouse time in the copy's form."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment and moment.tzinfo else moment


def connect_ro(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def digest(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """(rows, order-independent hash) of a table, doubles rounded to 1e-9 (a parallel AVG may
    differ in the last bit between two builds over the same rows)."""
    schema, name = table.split(".")
    cols = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ?"
                       " AND table_name = ? ORDER BY column_index", [schema, name]).fetchall()
    exprs = ", ".join(f'round("{c}", 9)' if t in ("DOUBLE", "FLOAT") else f'"{c}"'
                      for c, t in cols)
    n, h = con.execute(f"SELECT count(*), coalesce(sum(hash(row({exprs}))::HUGEINT), 0)"  # noqa: S608
                       f' FROM "{schema}"."{name}"').fetchall()[0]
    return int(n), int(h)


def tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [f"{schema}.{r[0]}" for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? ORDER BY 1", [schema]
    ).fetchall()]


def file_sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def serving_path(assets_dir: Path) -> Path:
    return assets_dir / "serving" / "analytics.duckdb"


def table_status(assets_dir: Path) -> dict[str, dict[str, Any]]:
    """meta.table_status of the serving copy, by schema.table."""
    with connect_ro(serving_path(assets_dir)) as con:
        cur = con.execute("SELECT * FROM meta.table_status")
        names = [d[0] for d in cur.description]
        return {f"{r['schema_name']}.{r['table_name']}": r
                for r in (dict(zip(names, row, strict=True)) for row in cur.fetchall())}


def served_marts(assets_dir: Path) -> dict[str, tuple[int, int]]:
    with connect_ro(serving_path(assets_dir)) as con:
        return {t: digest(con, t) for t in tables(con, "marts")}


def warehouse_marts(assets_dir: Path) -> dict[str, tuple[int, int]]:
    with connect_ro(assets_dir / "warehouse.duckdb") as con:
        return {t: digest(con, t) for t in tables(con, "marts")}


def scalar(path: Path, sql: str, params: Sequence[object] = ()) -> Any:
    with connect_ro(path) as con:
        return con.execute(sql, list(params)).fetchall()[0][0]


def mart_builds(assets_dir: Path) -> dict[str, Any]:
    with connect_ro(assets_dir / "warehouse.duckdb") as con:
        return dict(con.execute("SELECT mart, built_at FROM meta.mart_builds").fetchall())


def refresh_status(assets_dir: Path) -> dict[str, dict[str, Any]]:
    with connect_ro(assets_dir / "warehouse.duckdb") as con:
        cur = con.execute("SELECT * FROM meta.refresh_status")
        names = [d[0] for d in cur.description]
        return {r["asset_key"]: r
                for r in (dict(zip(names, row, strict=True)) for row in cur.fetchall())}


def newest_common_date(assets_dir: Path) -> date:
    """The newest date on which staging holds both DGS10 and the 10-year JGB."""
    return scalar(assets_dir / "warehouse.duckdb",
                  "SELECT max(f.date) FROM staging.fred_observations f JOIN staging.jgb_yields j"
                  " ON j.date = f.date AND j.tenor_years = 10 WHERE f.series_id = 'DGS10'"
                  " AND f.value IS NOT NULL AND j.yield_pct IS NOT NULL")


def check_evaluations(result: dg.ExecuteInProcessResult, name: str) -> dict[str, bool]:
    """asset key -> passed, for the named check in this run."""
    return {e.asset_key.to_user_string(): e.passed
            for e in result.get_asset_check_evaluations() if e.check_name == name}


def run_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.message or "" for e in result.all_events]


def report_html(assets_dir: Path) -> str:
    return (assets_dir / "serving" / "report.html").read_text(encoding="utf-8")
