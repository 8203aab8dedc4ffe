"""The peer: what a user would write instead of this pipeline, run as a child process.

A loop over the FRED catalogue on the pipeline's own endpoint: `fredapi` against the API
(`--fred api`), or `pandas.read_csv` on fredgraph.csv (`--fred keyless`); full history of
each series, one request each; `pandas.read_csv` for the MOF and TIC files; all written to
DuckDB; no validation, no history, no incremental logic. A 429 surfaces as a ValueError
(fredapi) or an HTTPError (read_csv), and a plain loop simply loses that series, which is
what is counted.

    python -m benchmarks.peer --db peer.duckdb --fred api --pause 0.5 --key <32> --out r.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from fredapi import Fred

from pipelines.sources.fred import load_catalogue

MOF_FLOWS = "/policy/international_policy/reference/itn_transactions_in_securities"
MOF_JGB = "/english/policy/jgbs/reference/interest_rate"
TIC_DOCS = "/resource-center/data-chart-center/tic/Documents"
# (table, path, read_csv options): the settings a user finds by looking at each file once.
FILES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("mof_jgb_all", f"{MOF_JGB}/historical/jgbcme_all.csv", {"skiprows": 1, "na_values": "-"}),
    ("mof_jgb_current", f"{MOF_JGB}/jgbcme.csv", {"skiprows": 1, "na_values": "-"}),
    ("mof_week", f"{MOF_FLOWS}/week.csv",
     {"encoding": "cp932", "skiprows": 6, "header": None, "thousands": ","}),
    ("mof_montha1", f"{MOF_FLOWS}/montha1.csv",
     {"encoding": "cp932", "skiprows": 6, "header": None, "thousands": ","}),
    ("mof_monthb3", f"{MOF_FLOWS}/monthb3.csv",
     {"encoding": "cp932", "skiprows": 5, "header": None, "thousands": ","}),
    ("tic_slt_table5", f"{TIC_DOCS}/slt_table5.txt", {"sep": "\t", "skiprows": 6}),
    ("tic_mfhhis01", f"{TIC_DOCS}/mfhhis01.txt", {"sep": "\t", "skiprows": 8, "header": None}),
)


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    frame = frame.copy()
    frame.columns = [f"c{i}" if not isinstance(c, str) else c for i, c in enumerate(frame.columns)]
    frame.columns = [f"c{i}" for i in range(len(frame.columns))] if frame.columns.duplicated(
    ).any() else frame.columns
    con.register("_frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _frame")  # noqa: S608
    con.unregister("_frame")
    return len(frame)


def _api(fred: Fred, series_id: str) -> pd.DataFrame:
    series = fred.get_series(series_id)
    return pd.DataFrame({"series_id": series_id, "date": series.index,
                         "value": series.to_numpy()}).dropna()


def _keyless(graph: str, spec: Any) -> pd.DataFrame:
    """fredgraph.csv from the catalogue start; '.' is FRED's missing value."""
    raw = pd.read_csv(f"{graph}?id={spec.id}&cosd={spec.start.isoformat()}", na_values=".")
    frame = pd.DataFrame({"series_id": spec.id, "date": pd.to_datetime(raw.iloc[:, 0]),
                          "value": pd.to_numeric(raw.iloc[:, 1], errors="coerce")})
    return frame.dropna()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.peer")
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--fred", choices=("keyless", "api"), default="api")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    fred = Fred(api_key=args.key, api_key_file=None)
    fred.root_url = os.environ["FRED_API_URL"].rstrip("/") + "/fred"
    graph = os.environ["FRED_GRAPH_URL"].rstrip("/") + "/graph/fredgraph.csv"
    con = duckdb.connect(str(args.db))
    con.execute("CREATE TABLE IF NOT EXISTS fred_observations"
                " (series_id VARCHAR, date DATE, value DOUBLE)")
    lost: dict[str, str] = {}
    rows = 0
    for spec in load_catalogue(os.environ.get("FRED_CATALOGUE") or None):
        try:
            frame = _api(fred, spec.id) if args.fred == "api" else _keyless(graph, spec)
        except (ValueError, OSError) as exc:
            lost[spec.id] = str(exc)[:120]
        else:
            con.register("_obs", frame)
            con.execute("INSERT INTO fred_observations SELECT series_id, date, value FROM _obs")
            con.unregister("_obs")
            rows += len(frame)
        if args.pause:
            time.sleep(args.pause)
    files_failed: dict[str, str] = {}
    base = os.environ["MOF_URL"].rstrip("/")
    for table, path, options in FILES:
        url = (os.environ["TIC_URL"].rstrip("/") if table.startswith("tic") else base) + path
        try:
            rows += _write(con, table, pd.read_csv(url, on_bad_lines="skip", **options))
        except (ValueError, OSError, pd.errors.ParserError) as exc:
            files_failed[table] = str(exc)[:120]
    con.close()
    args.out.write_text(json.dumps({
        "wall_in_child_s": time.perf_counter() - started,
        "series": len(load_catalogue(os.environ.get("FRED_CATALOGUE") or None)),
        "series_lost": sorted(lost), "lost_reasons": lost, "rows_written": rows,
        "files_failed": files_failed, "pause_s": args.pause, "fred": args.fred,
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
