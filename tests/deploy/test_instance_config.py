"""Which instance and workspace `make serve` picks, and what the production files say."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipelines.lib.settings import Settings
from pipelines.serve import POOL_LIMITS, postgres_url, prepare_home
from tests.conftest import REPO_ROOT


def _yaml(name: str) -> dict:
    return yaml.safe_load((REPO_ROOT / name).read_text())


def test_without_postgres_settings_the_instance_stays_on_sqlite(tmp_path: Path):
    env: dict[str, str] = {}
    assert prepare_home(tmp_path, env).name == "dagster.yaml"
    assert "storage" not in yaml.safe_load((tmp_path / "dagster.yaml").read_text())
    assert "DAGSTER_POSTGRES_URL" not in env


def test_postgres_url_selects_the_postgres_instance_with_the_psycopg2_driver(tmp_path: Path):
    env = {"DAGSTER_POSTGRES_URL": "postgresql://dagster:pw@db:5432/dagster"}
    assert prepare_home(tmp_path, env).name == "dagster.postgres.yaml"
    assert env["DAGSTER_POSTGRES_URL"] == "postgresql+psycopg2://dagster:pw@db:5432/dagster"
    storage = yaml.safe_load((tmp_path / "dagster.yaml").read_text())["storage"]
    assert storage == {"postgres": {"postgres_url": {"env": "DAGSTER_POSTGRES_URL"}}}


def test_url_from_the_usual_host_user_password_db_variables_quotes_the_password():
    env = {"DAGSTER_PG_HOST": "pg.internal", "DAGSTER_PG_USERNAME": "dagster",
           "DAGSTER_PG_PASSWORD": "p@ss/w:rd", "DAGSTER_PG_DB": "runs"}
    assert postgres_url(env) == "postgresql+psycopg2://dagster:p%40ss%2Fw%3Ard@pg.internal:5432/runs"
    assert postgres_url({}) is None


def test_production_instance_queues_runs_and_limits_the_warehouse_pool():
    prod = _yaml("dagster.postgres.yaml")
    assert prod["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert prod["concurrency"]["pools"] == {"default_limit": 1, "granularity": "op"}
    assert {"key": "dagster/backfill", "limit": 1} in prod["concurrency"]["runs"][
        "tag_concurrency_limits"]
    assert POOL_LIMITS == {"warehouse": 1}
    dev = _yaml("dagster.yaml")
    for shared in ("auto_materialize", "freshness", "telemetry"):
        assert prod[shared] == dev[shared], shared


def test_grpc_workspace_serves_the_same_code_location():
    (module,) = _yaml("workspace.yaml")["load_from"]
    (grpc,) = _yaml("workspace.grpc.yaml")["load_from"]
    assert grpc["grpc_server"]["location_name"] == module["python_module"]["location_name"]


def test_serving_dir_moves_the_serving_copy_and_nothing_else(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("ASSETS_DIR", str(tmp_path / "assets"))
    monkeypatch.delenv("SERVING_DIR", raising=False)
    assert Settings.from_env().serving_dir == tmp_path / "assets" / "serving"
    monkeypatch.setenv("SERVING_DIR", str(tmp_path / "shared"))
    s = Settings.from_env()
    assert s.serving_dir == tmp_path / "shared"
    assert s.warehouse_path == tmp_path / "assets" / "warehouse.duckdb"
