"""`make demo` (offline, against the local replica) and `make run` (the real publishers).

Materialises every asset in one real Dagster run, recorded in the instance under
DAGSTER_HOME so `make dev` shows it, then prints what landed, what is stale and where to look.

A refresh always ends and says how (pipelines/lib/runguard.py):
- one refresh at a time: a second one started meanwhile prints one line naming the holder and
  exits 75 (EX_TEMPFAIL) without touching anything;
- Dagster's in-process executor can spin forever after a failure on a day when other sources
  skip; the executor is patched to drain skips and abandons to a fixpoint, so it cannot;
- Ctrl-C and SIGTERM stop the run within seconds; the run is then CANCELED in the instance
  (never left STARTED), and the command exits 130.
The console shows one line per failure and no stack traces (pipelines/lib/console.py).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from pipelines.lib import console, runguard
from pipelines.lib import settings as settings_env
from pipelines.lib.settings import Settings

DATE_COLUMNS = ("date", "month", "week_end", "week")
EX_TEMPFAIL = 75  # sysexits.h: try again later
EX_INTERRUPTED = 130
STALE_COLUMNS = ("is_stale", "stale_reason", "failing_since", "last_success_at")


def summarise(warehouse: Path) -> list[tuple[str, int, str]]:
    """(table, rows, latest date) for every staging and mart table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
            " WHERE schema_name IN ('staging', 'marts', 'meta')"
            " AND table_name NOT LIKE '%\\_history' ESCAPE '\\'"
            " ORDER BY schema_name, table_name"
        ).fetchall()
        out = []
        for schema, table in tables:
            cols = {
                r[0] for r in con.execute(
                    "SELECT column_name FROM duckdb_columns()"
                    " WHERE schema_name = ? AND table_name = ?", [schema, table]
                ).fetchall()
            }
            date_col = next((c for c in DATE_COLUMNS if c in cols), None)
            latest = "max(" + date_col + ")::VARCHAR" if date_col else "NULL"
            rows, last = con.execute(
                f"SELECT count(*), {latest} FROM {schema}.{table}"  # noqa: S608 (catalog names)
            ).fetchall()[0]
            out.append((f"{schema}.{table}", int(rows), last or "-"))
        return out
    finally:
        con.close()


@dataclass(frozen=True)
class Stale:
    table: str
    reason: str
    failing_since: str | None
    last_success_at: str | None


def stale_tables(serving: Path) -> list[Stale] | None:
    """The stale tables `meta.table_status` of the serving copy lists; None when the copy
    does not record staleness (no file, no table, or a copy from before those columns)."""
    if not serving.exists():
        return None
    con = duckdb.connect(str(serving), read_only=True)
    try:
        cols = {r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns()"
            " WHERE schema_name = 'meta' AND table_name = 'table_status'").fetchall()}
        if not set(STALE_COLUMNS) <= cols:
            return None
        rows = con.execute(
            "SELECT schema_name || '.' || table_name, coalesce(stale_reason, 'stale'),"
            " strftime(failing_since AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M UTC'),"
            " strftime(last_success_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M UTC')"
            " FROM meta.table_status WHERE is_stale ORDER BY 1").fetchall()
        return [Stale(*r) for r in rows]
    finally:
        con.close()


@dataclass(frozen=True)
class Outcome:
    """What happened to each step of the run, from its events."""

    failed: list[str]
    skipped: list[str]
    not_run: list[str]


def interrupted(result: Any) -> bool:
    """Whether a step failed because the run was interrupted (Ctrl-C or SIGTERM)."""
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None:
            if error.cls_name == "DagsterExecutionInterruptedError":
                return True
            error = error.cause
    return False


def step_outcome(result: Any) -> Outcome:
    events = list(result.all_events)
    started = {e.step_key for e in events if e.event_type_value == "STEP_START"}
    failed = sorted({e.step_key for e in events if e.event_type_value == "STEP_FAILURE"})
    skipped = sorted({e.step_key for e in events if e.event_type_value == "STEP_SKIPPED"})
    planned = {n.name for n in result.job_def.graph.nodes}
    not_run = sorted(planned - started - set(skipped))
    return Outcome(failed, skipped, not_run)


def print_summary(settings: Settings, started_at: datetime, run_id: str | None,
                  status: str, outcome: Outcome | None) -> None:
    print(f"\nDagster run {run_id or '-'}: {status}")
    if outcome is not None:
        if outcome.failed:
            print(f"failed steps: {', '.join(outcome.failed)} (details above; stack traces in"
                  " the run's event log: make dev)")
        if outcome.not_run:
            print(f"not run because an upstream step failed: {', '.join(outcome.not_run)}")
        if outcome.skipped:
            print(f"skipped, nothing new upstream: {len(outcome.skipped)} step(s)")
    if settings.warehouse_path.exists():
        rows = summarise(settings.warehouse_path)
        width = max((len(t) for t, _, _ in rows), default=10)
        print(f"\n{'table':<{width}}  {'rows':>9}  latest")
        for table, n, last in rows:
            print(f"{table:<{width}}  {n:>9,}  {last}")
    serving = settings.serving_dir / "analytics.duckdb"
    stale = stale_tables(serving)
    if stale:
        print(f"\nstale ({len(stale)} table(s) keep their last good rows):")
        for s in stale:
            since = f"; failing since {s.failing_since}" if s.failing_since else ""
            last_ok = f"; last success {s.last_success_at or 'never'}"
            print(f"  {s.table}: {s.reason}{since}{last_ok}")
    elif stale is None and serving.exists():
        print("\nstale: not recorded in this serving copy (meta.table_status has no is_stale)")
    print(f"\nwarehouse:    {settings.warehouse_path}")
    print(serving_line(serving, started_at))
    report = settings.serving_dir / "report.html"
    if report.exists():
        print(f"report:       {report}")
    print(f"raw landing:  {settings.raw_dir}")


def serving_line(serving: Path, started_at: datetime) -> str:
    """Where to read from, and whether this run wrote it; never points at a missing file."""
    if not serving.exists():
        return "serving copy: none yet (no run has published one; see the failures above)"
    written = datetime.fromtimestamp(serving.stat().st_mtime, UTC)
    if written >= started_at:
        return f"serving copy: {serving} (open this one)"
    return (f"serving copy: {serving} (open this one; NOT updated by this run, published"
            f" {written:%Y-%m-%d %H:%M UTC})")


def run_refresh(instance: dg.DagsterInstance | None, tags: dict[str, str]) -> Any:
    from pipelines.definitions import defs

    job = defs.resolve_job_def("refresh_all")
    run_config = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    return job.execute_in_process(instance=instance, run_config=run_config, tags=tags,
                                  raise_on_error=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live", action="store_true", help="fetch from the real publishers")
    args = parser.parse_args(argv)

    console.install()
    runguard.guard_in_process_runs()
    runguard.sigterm_as_interrupt()
    settings = Settings.from_env()
    try:
        with runguard.refresh_lock(settings.assets_dir):
            return refresh(settings, live=args.live)
    except runguard.RefreshBusy as busy:
        print(f"{busy} (lock: {runguard.lock_path(settings.assets_dir)})", file=sys.stderr)
        return EX_TEMPFAIL


def refresh(settings: Settings, *, live: bool) -> int:
    started_at = datetime.now(UTC)
    tags = {runguard.ENTRY_TAG: "make run" if live else "make demo",
            "jgb/invocation": uuid.uuid4().hex}
    instance = dg.DagsterInstance.get() if settings_env.dagster_home() else None
    if instance is not None:
        for run_id in runguard.release_dead_runs(instance):
            print(f"run {run_id} of an earlier refresh died with its process: marked CANCELED",
                  flush=True)
    replica = None
    try:
        if not live:
            from pipelines.replica import Replica
            from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE

            # Every series of the catalogue in use, also one the sample lacks (README).
            catalogue = settings_env.fred_catalogue_path() or DEFAULT_CATALOGUE
            replica = Replica.start(catalogue=catalogue)
            settings_env.export(replica.env())
            print(f"replica of FRED, MOF and TIC serving on {replica.url}", flush=True)
        result = run_refresh(instance, tags)
    except KeyboardInterrupt:
        closed = (runguard.close_unfinished_runs(instance, tags, "interrupted (Ctrl-C or"
                                                  " SIGTERM)") if instance is not None else [])
        print(f"\ninterrupted: run {', '.join(closed) or '-'} marked CANCELED; the warehouse"
              " keeps what committed before the interruption", file=sys.stderr)
        return EX_INTERRUPTED
    finally:
        if replica is not None:
            replica.stop()
    if instance is not None:
        # An interrupted in-process run can come back without an exception; never leave it open.
        runguard.close_unfinished_runs(instance, tags, "the refresh ended without closing it")
        run = instance.get_run_by_id(result.run_id)
        status = run.status.value if run is not None else "unknown"
    else:
        status = "SUCCESS" if result.success else "FAILURE"
    label = {"SUCCESS": "succeeded", "FAILURE": "FAILED", "CANCELED": "CANCELED"}.get(status,
                                                                                   status)
    if status == "CANCELED" or interrupted(result):
        print(f"\ninterrupted: run {result.run_id} ended {status}; the warehouse keeps what"
              " committed before the interruption", file=sys.stderr)
        return EX_INTERRUPTED
    print_summary(settings, started_at, result.run_id, label, step_outcome(result))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
