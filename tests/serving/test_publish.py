"""The serving copy: what it holds, that readers never see it half-written, that 1.x opens it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.warehouse import Warehouse
from pipelines.serving.publish import STORAGE_VERSION, publish_serving_copy
from tests.serving.conftest import DAYS, LOADED_AT, MONTHS, WEEKS

TODAY = date(2026, 11, 23)


def _publish(warehouse_path: Path) -> Path:
    with Warehouse(warehouse_path).connect() as con:
        report = publish_serving_copy(con, warehouse_path.parent / "serving", today=TODAY)
    return report.path


def test_table_status_matches_the_warehouse(warehouse_path: Path) -> None:
    path = _publish(warehouse_path)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = {
            f"{schema}.{table}": (n, last, refreshed, status, failed, warning)
            for table, schema, n, last, refreshed, status, failed, warning in con.execute(
                "SELECT table_name, schema_name, rows, last_date, refreshed_at, check_status,"
                " failed_checks, freshness_warning FROM meta.table_status"
            ).fetchall()
        }
    with duckdb.connect(str(warehouse_path), read_only=True) as wh:
        expected_tables = {
            f"{s}.{t}" for s, t in wh.execute(
                "SELECT schema_name, table_name FROM duckdb_tables()"
                " WHERE schema_name IN ('staging', 'marts')"
            ).fetchall()
        }
        for table in expected_tables:
            count = f"SELECT count(*) FROM {table}"  # noqa: S608 (catalog names)
            assert rows[table][0] == wh.execute(count).fetchall()[0][0]
    assert set(rows) == expected_tables
    assert rows["marts.yield_spreads_daily"][:2] == (DAYS, date(2026, 11, 20))
    assert rows["marts.japan_ust_holdings_monthly"][:2] == (MONTHS, date(2026, 9, 1))
    assert rows["marts.us_net_liquidity_weekly"][:2] == (WEEKS, date(2026, 11, 18))
    # jgb_yields: loaded from raw.loaded_files; the later fresh_as_of failure is a warning,
    # the keys_unique pass re-evaluated later still counts once.
    n, last, refreshed, status, failed, warning = rows["staging.jgb_yields"]
    # The serving copy holds UTC TIMESTAMPs (no TIMESTAMPTZ: BI drivers need no pytz).
    assert (n, last, refreshed, status, failed) == (
        DAYS, date(2026, 11, 20), LOADED_AT.astimezone(UTC).replace(tzinfo=None), "warn",
        "fresh_as_of")
    assert warning and "fresh_as_of" in warning
    assert rows["staging.jgb_yields_history"][0] == DAYS + 1  # one revised value
    assert rows["staging.jgb_yields_history"][3] == "warn"
    assert rows["marts.yield_spreads_daily"][3:] == ("none", None, None)


def test_a_failed_error_check_and_a_stale_mart_show_in_table_status(
    warehouse_path: Path,
) -> None:
    from pipelines.lib.publish import ERROR, CheckOutcome
    from pipelines.validation.results import record_outcomes

    with Warehouse(warehouse_path).connect() as con:
        record_outcomes(con, "staging.jgb_yields", "mof/jgb_yields",
                        [CheckOutcome("keys_unique", False, ERROR, "one row per key")])
        publish_serving_copy(con, warehouse_path.parent / "serving", today=date(2027, 3, 1))
    with duckdb.connect(str(warehouse_path.parent / "serving" / "analytics.duckdb"),
                        read_only=True) as con:
        status = dict(con.execute(
            "SELECT table_name, check_status || ':' || coalesce(failed_checks, '')"
            " FROM meta.table_status").fetchall())
        warning = con.execute(
            "SELECT freshness_warning FROM meta.table_status"
            " WHERE table_name = 'yield_spreads_daily'").fetchall()[0][0]
    assert status["jgb_yields"] == "fail:fresh_as_of, keys_unique"
    assert "days old" in warning


def test_comments_and_parquet_are_served(warehouse_path: Path) -> None:
    with Warehouse(warehouse_path).connect() as con:
        report = publish_serving_copy(con, warehouse_path.parent / "serving", today=TODAY)
    assert report.storage_version == STORAGE_VERSION
    with duckdb.connect(str(report.path), read_only=True) as con:
        uncommented = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns()"
            " WHERE schema_name IN ('marts', 'meta') AND comment IS NULL"
            " AND table_name <> 'threshold_events'"
        ).fetchall()
        table_comments = dict(con.execute(
            "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables()").fetchall())
    assert uncommented == []
    assert all(table_comments[t] for t in report.tables), table_comments
    assert "国債金利情報" in table_comments["staging.jgb_yields"]
    names = sorted(p.name for p in report.parquet)
    assert "yield_spreads_daily.parquet" in names and "threshold_events.parquet" in names
    with duckdb.connect() as con:
        parquet = report.path.parent / "parquet" / "yield_spreads_daily.parquet"
        n = con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet)]).fetchall()[0][0]
    assert n == DAYS
    assert not list(report.path.parent.glob(".*tmp*")), "temp files left behind"
    assert not list(report.path.parent.glob("parquet/.*"))


READER = textwrap.dedent("""
    import json, sys, time
    import duckdb
    path, mode, stop = sys.argv[1], sys.argv[2], sys.argv[3]
    import os
    seen, errors, iterations = set(), [], 0
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None
    while not os.path.exists(stop) or iterations < 20:
        try:
            con = held or duckdb.connect(path, read_only=True)
            n = con.execute("SELECT count(*) FROM marts.yield_spreads_daily").fetchall()[0][0]
            listed = con.execute("SELECT rows FROM meta.table_status"
                                 " WHERE table_name = 'yield_spreads_daily'").fetchall()[0][0]
            con.execute("SELECT count(*) FROM staging.jgb_yields_history").fetchall()
            if n != listed:
                errors.append(f"table has {n} rows, table_status says {listed}")
            seen.add(n)
            if held is None:
                con.close()
        except Exception as exc:
            errors.append(repr(exc))
        iterations += 1
    print(json.dumps({"iterations": iterations, "seen": sorted(seen), "errors": errors[:5],
                      "n_errors": len(errors)}))
""")


def test_readers_never_block_and_never_see_a_half_written_copy(
    warehouse_path: Path, tmp_path: Path
) -> None:
    """One reader holds the file open; another reopens it each loop; we republish 6 times."""
    path = _publish(warehouse_path)
    stop = tmp_path / "stop"
    readers = {
        mode: subprocess.Popen(
            [sys.executable, "-c", READER, str(path), mode, str(stop)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for mode in ("hold", "reopen")
    }
    valid = {DAYS}
    timings = []
    try:
        time.sleep(1.0)  # let both readers open the file first
        for i in range(1, 7):
            with Warehouse(warehouse_path).connect() as con:
                con.execute(
                    "INSERT INTO marts.yield_spreads_daily (date, ust_10y_pct)"
                    " SELECT DATE '2027-01-01' + r::INT, 4.0 FROM range(?) t(r)", [i * 500])
                valid.add(con.execute(
                    "SELECT count(*) FROM marts.yield_spreads_daily").fetchall()[0][0])
                started = time.monotonic()
                publish_serving_copy(con, path.parent, today=TODAY)
                timings.append(time.monotonic() - started)
            time.sleep(0.2)
    finally:
        stop.touch()
        results = {m: json.loads(p.communicate(timeout=120)[0] or "{}")
                   for m, p in readers.items()}
    for mode, result in results.items():
        assert result["n_errors"] == 0, (mode, result)
        assert set(result["seen"]) <= valid, (mode, result)
        assert result["iterations"] >= 20
    assert results["hold"]["seen"] == [DAYS], "the held file must stay the old copy"
    assert len(results["reopen"]["seen"]) > 1, "a fresh open must see new copies"
    print(f"\npublish seconds {[round(t, 3) for t in timings]};"
          f" reader iterations {({m: r['iterations'] for m, r in results.items()})}")


def _uv() -> list[str] | None:
    if shutil.which("uv"):
        return ["uv"]
    probe = subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True)
    return [sys.executable, "-m", "uv"] if probe.returncode == 0 else None


OPEN_WITH_1X = textwrap.dedent("""
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(json.dumps({
        "version": duckdb.__version__,
        "status": con.execute("SELECT count(*) FROM meta.table_status").fetchall()[0][0],
        "spreads": con.execute("SELECT count(*) FROM marts.yield_spreads_daily").fetchall()[0][0],
        "refreshed": con.execute("SELECT max(refreshed_at)::VARCHAR FROM meta.table_status")
            .fetchall()[0][0],
        "comment": con.execute("SELECT comment FROM duckdb_columns() WHERE table_name ="
                               " 'table_status' AND column_name = 'check_status'").fetchall()[0][0],
    }))
""")


@pytest.mark.parametrize("requirement", ["duckdb<2", "duckdb==1.0.0"])
def test_the_serving_copy_opens_in_duckdb_1x(warehouse_path: Path, requirement: str) -> None:
    """A BI driver on DuckDB 1.x (the newest, and the oldest 1.0.0) opens the file."""
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (neither `uv` nor `python -m uv`)")
    path = _publish(warehouse_path)
    base_python = getattr(sys, "_base_executable", sys.executable)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    run = subprocess.run(
        [*uv, "run", "--isolated", "--no-project", "--python", base_python,
         "--with", requirement, "python", "-c", OPEN_WITH_1X, str(path)],
        capture_output=True, text=True, env=env, timeout=600, cwd=path.parent,
    )
    offline = ("Failed to fetch", "error sending request", "dns error", "Could not connect",
               "network")
    if run.returncode != 0 and any(marker in run.stderr for marker in offline):
        pytest.skip(f"cannot install {requirement} from the package registry: {run.stderr[-300:]}")
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["version"].startswith("1."), result
    assert result["spreads"] == DAYS
    assert result["status"] >= 8
    assert result["refreshed"] and result["comment"]
    print(f"\nopened with DuckDB {result['version']} ({requirement})")
