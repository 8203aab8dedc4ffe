"""One measured scenario, run as a child process by `benchmarks.run` (never imported by it).

    python -m benchmarks.scenario pipeline --job refresh_all --out r.json
    python -m benchmarks.scenario floor --job marts_only --graph g.json [--materialise k.json]
    python -m benchmarks.scenario query --db assets/serving/analytics.duckdb --runs 50
    python -m benchmarks.scenario describe --out g.json

The child reports what only it can see (import vs run time, what was materialised, rows
written, whether Great Expectations was imported); the parent measures wall, CPU and RSS.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()

LATEST_SQL = "SELECT indicator, value, as_of, chg_1w, chg_1m FROM marts.latest_indicators"
SPREAD_SQL = (
    "SELECT date, spread_10y_bp FROM marts.yield_spreads_daily"
    " WHERE date BETWEEN DATE '2016-01-01' AND DATE '2026-12-31' ORDER BY date"
)


def _number(value: Any) -> float:
    raw = getattr(value, "value", value)
    return float(raw) if isinstance(raw, int | float) else 0.0


def _rewrote(meta: Any) -> bool:
    """Whether a materialisation rewrote anything. Every run reports every selected asset
    (issue 13); its metadata says whether rows landed, a mart was rebuilt, the serving copy
    or the report was rewritten, or an alert was raised."""
    def value(key: str) -> Any:
        return getattr(meta.get(key), "value", meta.get(key))

    if value("outcome") is not None:
        return value("outcome") in ("loaded", "built")
    if value("published") is not None or value("written") is not None:
        return bool(value("published") or value("written"))
    return _number(meta.get("alerts_this_run")) > 0


def run_summary(result: Any) -> dict[str, Any]:
    """Keys rewritten, check results and rows written, from a run's events."""
    materialised: list[str] = []
    staging_rows = mart_rows = checks = 0
    for event in result.all_events:
        kind = event.event_type_value
        if kind == "ASSET_CHECK_EVALUATION":
            checks += 1
        if kind != "ASSET_MATERIALIZATION":
            continue
        mat = event.event_specific_data.materialization
        key = mat.asset_key.to_user_string()
        meta = mat.metadata
        if not _rewrote(meta):
            continue  # reported with an unchanged data version: nothing was rewritten
        materialised.append(key)
        if key.startswith("marts/"):
            mart_rows += int(_number(meta.get("rows")))
        else:
            staging_rows += int(sum(_number(meta.get(k)) for k in
                                    ("rows_added", "rows_revised", "rows_restated")))
    steps = {e.step_key for e in result.all_events if e.step_key}
    return {
        "success": result.success,
        "materialised": sorted(materialised),
        "check_results": checks,
        "staging_rows_written": staging_rows,
        "mart_rows_written": mart_rows,
        "steps": len(steps),
    }


def _execute(job: Any, selection: list[Any] | None) -> Any:
    return job.execute_in_process(raise_on_error=False, asset_selection=selection)


def pipeline(job_name: str, profile: Path | None = None) -> dict[str, Any]:
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    import dagster as dg

    from pipelines.definitions import defs

    imported = time.perf_counter()
    if job_name == "marts_only":
        keys = [s.key for s in defs.resolve_all_asset_specs() if s.group_name == "marts"]
        job = defs.resolve_implicit_global_asset_job_def()
        selection: list[dg.AssetKey] | None = keys
    else:
        job, selection = defs.resolve_job_def(job_name), None
    result = _execute(job, selection)
    if profiler is not None and profile is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    out = run_summary(result)
    out.update(import_s=imported - STARTED, run_s=time.perf_counter() - imported,
               gx_imported="great_expectations" in sys.modules)
    return out


def floor(job_name: str, graph: Path, materialise: Path | None) -> dict[str, Any]:
    from benchmarks.floor import build

    keys = set(json.loads(materialise.read_text())) if materialise else None
    defs = build(json.loads(graph.read_text()), keys)
    imported = time.perf_counter()
    result = _execute(defs.resolve_job_def(job_name), None)
    out = run_summary(result)
    out.update(import_s=imported - STARTED, run_s=time.perf_counter() - imported)
    return out


def query(db: Path, runs: int) -> dict[str, Any]:
    import duckdb

    opened = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    open_ms = (time.perf_counter() - opened) * 1000
    out: dict[str, Any] = {"open_ms": open_ms, "runs": runs}
    for name, sql in (("latest_indicators", LATEST_SQL), ("spread_10y_range", SPREAD_SQL)):
        times, rows = [], 0
        for _ in range(runs):
            t = time.perf_counter()
            rows = len(con.execute(sql).fetchall())
            times.append((time.perf_counter() - t) * 1000)
        out[name] = {"median_ms": statistics.median(times), "max_ms": max(times), "rows": rows}
    con.close()
    return out


def describe(out: Path) -> None:
    """The graph's shape for the floor; importing the peer's and GX's modules here also
    fills the bytecode cache, so no scenario pays a first-ever compile."""
    import fredapi  # noqa: F401
    import great_expectations  # noqa: F401
    import pandas  # noqa: F401

    from benchmarks.floor import describe as shape
    from pipelines.definitions import defs

    out.write_text(json.dumps(shape(defs), indent=1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scenario")
    ap.add_argument("mode", choices=("pipeline", "floor", "query", "describe"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--job", default="refresh_all", choices=("refresh_all", "marts_only"))
    ap.add_argument("--graph", type=Path)
    ap.add_argument("--materialise", type=Path)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--profile", type=Path, help="pipeline: write cProfile stats here")
    args = ap.parse_args(argv)
    if args.mode == "describe":
        describe(args.out)
        return 0
    if args.mode == "pipeline":
        result = pipeline(args.job, args.profile)
    elif args.mode == "floor":
        result = floor(args.job, args.graph, args.materialise)
    else:
        result = query(args.db, args.runs)
    args.out.write_text(json.dumps(result, indent=1, default=str))
    return 0 if result.get("success", True) else 1


if __name__ == "__main__":
    sys.exit(main())
