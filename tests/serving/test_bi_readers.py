"""BI readers on the serving copy: SQLAlchemy (duckdb_engine) with no pytz, column reflection,
DuckDB 1.0 drivers, and Parquet for staging tables carrying each column's comment.

SQLAlchemy's column reflection (`inspect(...).get_columns`) runs PostgreSQL catalog queries:
it works with a DuckDB 2.x driver under SQLAlchemy 2.0, while SQLAlchemy 2.1, and DuckDB
drivers before 2.0 under any SQLAlchemy, ask for `pg_catalog.pg_collation`, which those
drivers lack; no content of the file can change that (README, "BI tools").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.lib.warehouse import Warehouse
from pipelines.serving.publish import publish_serving_copy
from tests.serving.conftest import DAYS, make_warehouse
from tests.serving.test_publish import TODAY, _uv

# Every table through SQLAlchemy, with `import pytz` made impossible, as on a BI host that
# never installed it. Prints {"schema.table": [rows, [column names or reflected types]]}.
SQLALCHEMY_READ = textwrap.dedent("""
    import importlib.abc, json, sys
    class NoPytz(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "pytz" or name.startswith("pytz."):
                raise ImportError("pytz is not installed here")
    sys.meta_path.insert(0, NoPytz())
    sys.modules.pop("pytz", None)
    import sqlalchemy as sa
    engine = sa.create_engine(f"duckdb:///{sys.argv[1]}", connect_args={"read_only": True})
    seen = {}
    with engine.connect() as con:
        inspector = sa.inspect(con)
        for schema in ("meta", "staging", "marts"):
            for table in inspector.get_table_names(schema=schema):
                result = con.execute(sa.text(f'SELECT * FROM "{schema}"."{table}"'))
                columns = list(result.keys())
                rows = result.fetchall()
                if sys.argv[2] == "reflect":
                    columns = [str(c["type"]) for c in inspector.get_columns(table, schema)]
                seen[f"{schema}.{table}"] = [len(rows), columns]
    print(json.dumps(seen))
""")


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = make_warehouse(tmp_path_factory.mktemp("bi") / "warehouse.duckdb")
    with Warehouse(path).connect() as con:
        return publish_serving_copy(con, path.parent / "serving", today=TODAY).path


def _read_with_sqlalchemy(path: Path, python: list[str], env: dict[str, str] | None = None,
                         mode: str = "select") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*python, "-c", SQLALCHEMY_READ, str(path), mode], capture_output=True,
                          text=True, timeout=600, cwd=path.parent, env=env)


def _isolated(*requirements: str) -> tuple[list[str], dict[str, str]]:
    """A throw-away environment with just these packages, as on a BI host."""
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (neither `uv` nor `python -m uv`)")
    base_python = getattr(sys, "_base_executable", sys.executable)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    withs = [arg for r in requirements for arg in ("--with", r)]
    return [*uv, "run", "--isolated", "--no-project", "--python", base_python, *withs,
            "python"], env


DRIVERS = {  # requirements of a BI host's environment; None: this project's own venv
    "project venv (DuckDB 2.x, SQLAlchemy 2.1)": None,
    "DuckDB 1.4": ("duckdb==1.4.1", "duckdb-engine==0.17.0", "sqlalchemy>=2.0,<2.1"),
    "DuckDB 1.0": ("duckdb==1.0.0", "duckdb-engine==0.17.0", "sqlalchemy>=2.0,<2.1"),
}


def _python(driver: str) -> tuple[list[str], dict[str, str] | None]:
    requirements = DRIVERS[driver]
    return ([sys.executable], None) if requirements is None else _isolated(*requirements)


def test_a_timestamptz_column_trips_a_1x_driver_without_pytz(tmp_path: Path) -> None:
    """The observation behind the UTC TIMESTAMPs: DuckDB 1.x drivers import pytz for it."""
    path = tmp_path / "tz.duckdb"
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS t (STORAGE_VERSION 'v1.0.0')")
        for schema in ("meta", "staging", "marts"):
            con.execute(f"CREATE SCHEMA t.{schema}")
        con.execute("CREATE TABLE t.meta.table_status AS SELECT now() AS refreshed_at")
        con.execute("DETACH t")
    run = _read_with_sqlalchemy(path, *_python("DuckDB 1.4"))
    assert run.returncode != 0 and "Required module 'pytz'" in run.stderr, run.stderr[-1500:]


@pytest.mark.parametrize("driver", list(DRIVERS))
def test_the_serving_copy_reads_through_sqlalchemy_without_pytz(
    serving: Path, driver: str
) -> None:
    run = _read_with_sqlalchemy(serving, *_python(driver))
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["marts.yield_spreads_daily"][0] == DAYS
    assert seen["meta.table_status"][0] >= 8 and "refreshed_at" in seen["meta.table_status"][1]
    assert seen["meta.check_results"][0] > 0
    assert seen["staging.jgb_yields_history"][0] == DAYS + 1


def test_no_time_zone_type_is_served_and_comments_say_utc(serving: Path) -> None:
    with duckdb.connect(str(serving), read_only=True) as con:
        types = con.execute(
            "SELECT DISTINCT data_type FROM duckdb_columns() WHERE database_name ="
            " current_database()").fetchall()
        refreshed = con.execute(
            "SELECT data_type, comment FROM duckdb_columns() WHERE table_name = 'table_status'"
            " AND column_name = 'refreshed_at'").fetchall()[0]
        valid_from = con.execute(
            "SELECT data_type, comment FROM duckdb_columns() WHERE table_name ="
            " 'jgb_yields_history' AND column_name = 'valid_from'").fetchall()[0]
    assert ("TIMESTAMP WITH TIME ZONE",) not in types
    assert refreshed[0] == valid_from[0] == "TIMESTAMP"
    assert "UTC" in refreshed[1] and "in UTC" in valid_from[1]


def test_sqlalchemy_reflects_every_column_with_a_duckdb_2_driver(serving: Path) -> None:
    python, env = _isolated("duckdb==2.0.1", "duckdb-engine==0.17.0", "sqlalchemy>=2.0,<2.1")
    run = _read_with_sqlalchemy(serving, python, env, "reflect")
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["marts.yield_spreads_daily"][0] == DAYS
    types = {t for _, ts in seen.values() for t in ts}
    assert "TIMESTAMP" in types and not any("TIME ZONE" in t.upper() for t in types), types


def test_staging_tables_get_parquet_with_column_comments(serving: Path) -> None:
    folder = serving.parent / "parquet"
    staging = folder / "staging" / "jgb_yields.parquet"
    assert staging.is_file() and (folder / "yield_spreads_daily.parquet").is_file()
    schema = pq.read_schema(staging)
    with duckdb.connect(str(serving), read_only=True) as con:
        comments = dict(con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'staging'"
            " AND table_name = 'jgb_yields' AND comment IS NOT NULL").fetchall())
        rows = con.execute("SELECT count(*) FROM staging.jgb_yields").fetchall()[0][0]
    assert comments
    for name, comment in comments.items():
        assert schema.field(name).metadata[b"comment"].decode() == comment
    assert b"comment" in (schema.metadata or {})
    assert pq.read_metadata(staging).num_rows == rows
