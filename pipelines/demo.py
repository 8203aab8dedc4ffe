"""`make demo` (offline, against the local replica) and `make run` (the real publishers).

Materialises every asset in one real Dagster run, recorded in the instance under
DAGSTER_HOME so `make dev` shows it, then prints what landed and where.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import dagster as dg
import duckdb

DATE_COLUMNS = ("date", "month", "week_end", "week")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live", action="store_true", help="fetch from the real publishers")
    args = parser.parse_args(argv)

    replica = None
    if not args.live:
        from pipelines.replica import Replica

        replica = Replica.start()
        os.environ.update(replica.env())
        print(f"replica of FRED, MOF and TIC serving on {replica.url}")
    try:
        from pipelines.definitions import defs
        from pipelines.lib.settings import Settings

        settings = Settings.from_env()
        job = defs.resolve_job_def("refresh_all")
        instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
        # INFO, not DEBUG: the summary below is what a new user should read.
        quiet = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
        result = job.execute_in_process(instance=instance, run_config=quiet,
                                        raise_on_error=False)
    finally:
        if replica is not None:
            replica.stop()

    print(f"\nDagster run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    if settings.warehouse_path.exists():
        rows = summarise(settings.warehouse_path)
        width = max((len(t) for t, _, _ in rows), default=10)
        print(f"\n{'table':<{width}}  {'rows':>9}  latest")
        for table, n, last in rows:
            print(f"{table:<{width}}  {n:>9,}  {last}")
    print(f"\nwarehouse:    {settings.warehouse_path}")
    print(f"serving copy: {settings.serving_dir / 'analytics.duckdb'} (open this one)")
    print(f"raw landing:  {settings.raw_dir}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
