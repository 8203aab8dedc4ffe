"""REPLAY=1 rebuilds staging from the raw landing zone alone, with no HTTP at all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from tests.reliability import harness as h
from tests.reliability.conftest import Baselines

INGEST_KEYS = tuple(dict.fromkeys(k for s in h.SOURCES.values() for k in s.keys))


def staging(assets_dir: Path) -> dict[str, tuple[int, int]]:
    with h.connect_ro(assets_dir / "warehouse.duckdb") as con:
        return h.schema_digest(con, "staging", h.current_tables)


def test_replay_rebuilds_dropped_staging_identically_without_one_request(
    baselines: Baselines, port: int, catalogue: Path, assets: list[dg.AssetsDefinition],
    tmp_path: Path,
) -> None:
    case = tmp_path / "assets"
    shutil.copytree(baselines.get(False).dir, case)
    before = staging(case)
    con = duckdb.connect(str(case / "warehouse.duckdb"))
    con.execute("DROP SCHEMA staging CASCADE")
    con.close()
    rep = h.start_replica(h.D0, port)  # listening, so a stray request would be seen
    try:
        with h.environment(rep, case, catalogue, api=False, as_of=h.D0):
            os.environ["REPLAY"] = "1"
            result = dg.materialize(assets, selection=dg.AssetSelection.assets(*INGEST_KEYS),
                                    resources=h.fast_resources(case), raise_on_error=False)
        assert rep.requests == []
    finally:
        rep.stop()
    assert result.success, h.failure_messages(result)
    assert staging(case) == before
