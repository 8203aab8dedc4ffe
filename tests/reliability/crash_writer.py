"""A writer for the crash-safety tests to SIGKILL: `python -m tests.reliability.crash_writer`.

Modes (argv[1]):
  publish <warehouse> <rows> <shift>  publish_batch of a large JGB batch (yields + shift);
                                      with CRASH_PAUSE=1 it stops inside the transaction,
                                      after the merge, so the kill lands there
  serving <warehouse> <serving_dir>   publish_serving_copy
  jgb <assets_dir>                    a Dagster run of the JGB asset (env points at a replica);
                                      it also says IN_COMMIT inside the staging transaction and
                                      COMMITTED once it returned, pausing CRASH_SIGNAL_PAUSE_S
                                      after each, so a kill on either word lands in that phase
It prints START when the write begins, IN_TRANSACTION at the pause and DONE when it returned.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.publish import publish_batch
from pipelines.lib.warehouse import Warehouse
from pipelines.sources.mof.tables import JGB_YIELDS

TENORS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40)


def say(word: str) -> None:
    print(word, flush=True)


def jgb_batch(rows: int, shift: float) -> pl.DataFrame:
    """`rows` synthetic JGB quotes (days x tenors) from 1900 on, yields + `shift`."""
    days = rows // len(TENORS) + 1
    first = date(1900, 1, 1)
    frame = pl.DataFrame({"date": [first + timedelta(days=i) for i in range(days)]}).join(
        pl.DataFrame({"tenor_years": list(TENORS)}, schema={"tenor_years": pl.Int16}),
        how="cross",
    ).head(rows)
    return frame.with_columns(
        yield_pct=((pl.col("tenor_years").cast(pl.Float64) / 10) + shift).round(3),
        source_file=pl.lit("synthetic.csv"),
    )


def publish(warehouse: Path, rows: int, shift: float) -> None:
    batch = jgb_batch(rows, shift)

    def pause(con: duckdb.DuckDBPyConnection) -> None:
        if os.environ.get("CRASH_PAUSE") == "1":
            say("IN_TRANSACTION")
            time.sleep(120)

    with Warehouse(warehouse, lock_timeout_s=30).connect() as con:
        say("START")
        publish_batch(con, JGB_YIELDS, batch, dataset="crash_test", also_in_transaction=pause)
    say("DONE")


def serving(warehouse: Path, serving_dir: Path) -> None:
    from pipelines.serving.publish import publish_serving_copy

    with Warehouse(warehouse, lock_timeout_s=30).connect() as con:
        say("START")
        publish_serving_copy(con, serving_dir)
    say("DONE")


def jgb(assets_dir: Path) -> None:
    import dagster as dg

    from pipelines.defs.mof.jgb import mof_jgb_yields
    from pipelines.ingest import files as ingest
    from tests.reliability.harness import fast_resources

    pause_s = float(os.environ.get("CRASH_SIGNAL_PAUSE_S", "0"))
    real = ingest.publish_batch

    def signalling(con: duckdb.DuckDBPyConnection, *args: object, **kw: object) -> object:
        inner = kw.get("also_in_transaction")

        def in_commit(c: duckdb.DuckDBPyConnection) -> None:
            if callable(inner):
                inner(c)
            say("IN_COMMIT")
            time.sleep(pause_s)

        report = real(con, *args, **{**kw, "also_in_transaction": in_commit})  # type: ignore[arg-type]
        say("COMMITTED")
        time.sleep(pause_s)
        return report

    ingest.publish_batch = signalling  # type: ignore[assignment]

    say("START")
    result = dg.materialize([mof_jgb_yields], resources=fast_resources(assets_dir),
                            raise_on_error=False)
    say("DONE" if result.success else "FAILED")


def main(argv: list[str]) -> None:
    mode, *args = argv
    if mode == "publish":
        publish(Path(args[0]), int(args[1]), float(args[2]))
    elif mode == "serving":
        serving(Path(args[0]), Path(args[1]))
    elif mode == "jgb":
        jgb(Path(args[0]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
