"""Session fixtures: one port for every replica, a small catalogue, baselines built once."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import session_port
from tests.reliability import harness as h

RESULTS_ENV = "FAULT_MATRIX_RESULTS"  # where the session writes the observed outcome table

T = TypeVar("T")
# tests/integrity re-exports these fixtures, which makes pytest hold a second copy of each:
# both copies return the one value made here, so the baselines are built once per process.
_MADE: dict[str, Any] = {}


def _once(name: str, make: Callable[[], T]) -> T:
    if name not in _MADE:
        _MADE[name] = make()
    return _MADE[name]


@pytest.fixture(scope="session")
def port() -> int:
    """Every replica of the session binds this port, so URLs logged in a baseline's
    raw.loaded_files still match in the copies of it (conditional GET works across them)."""
    return _once("port", session_port)


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _once("catalogue",
                 lambda: h.write_catalogue(tmp_path_factory.mktemp("catalogue")))


@pytest.fixture(scope="session")
def assets(catalogue: Path) -> h.Definitions:
    return _once("assets", lambda: h.all_assets(catalogue))


@dataclass
class Baseline:
    """A warehouse after one good run on D0 (every asset), and per-source references: the
    same warehouse after one good run on D1 of that source and its downstream assets."""

    dir: Path
    references: dict[str, dict[str, object]]


class Baselines:
    """Built lazily, once per FRED mode, and reused (copied) by every case."""

    def __init__(self, root: Path, port: int, catalogue: Path,
                 assets: h.Definitions) -> None:
        self.root, self.port, self.catalogue, self.assets = root, port, catalogue, assets
        self._built: dict[bool, Baseline] = {}

    def get(self, api: bool) -> Baseline:
        if api not in self._built:
            folder = self.root / ("api" if api else "keyless") / "assets"
            rep = h.start_replica(h.D0, self.port)
            try:
                with h.environment(rep, folder, self.catalogue, api=api, as_of=h.D0):
                    result = h.materialize(self.assets, folder)
            finally:
                rep.stop()
            assert result.success, h.failure_messages(result)
            self._built[api] = Baseline(folder, {})
        return self._built[api]

    def reference(self, src: h.Source) -> dict[str, object]:
        """State after a clean D1 run of `src` (and downstream) on a copy of the baseline."""
        base = self.get(src.api)
        if src.name not in base.references:
            folder = self.root / "reference" / src.name.replace(" ", "_") / "assets"
            shutil.copytree(base.dir, folder)
            rep = h.start_replica(h.D1, self.port)
            try:
                with h.environment(rep, folder, self.catalogue, api=src.api, as_of=h.D1):
                    result = h.materialize(self.assets, folder, src.keys)
            finally:
                rep.stop()
            assert result.success, h.failure_messages(result)
            base.references[src.name] = state(folder, src)
        return base.references[src.name]


def state(assets_dir: Path, src: h.Source) -> dict[str, object]:
    """What the invariants compare: the source's staging rows (and, for a FRED series, the
    other series' rows), marts, and what a reader of the serving copy sees."""
    others = f"NOT ({src.staging_where})" if src.staging_where else "false"
    with h.connect_ro(assets_dir / "warehouse.duckdb") as con:
        staging = h.table_digest(con, src.staging, src.staging_where)
        staging_others = h.table_digest(con, src.staging, others)
        marts = h.schema_digest(con, "marts", lambda t: t in h.GROWING_MARTS)
        last_fetch = con.execute("SELECT coalesce(max(fetch_id), 0) FROM raw.fetch_log"
                                 ).fetchall()[0][0]
    serving = assets_dir / "serving" / "analytics.duckdb"
    served: dict[str, tuple[int, int]] = {}
    served_staging = served_others = (0, 0)
    statuses: dict[str, tuple[bool, str | None]] = {}
    if serving.exists():
        with h.connect_ro(serving) as con:
            served = h.schema_digest(con, "marts", lambda t: t in h.GROWING_MARTS)
            served_staging = h.table_digest(con, src.staging, src.staging_where)
            served_others = h.table_digest(con, src.staging, others)
            statuses = {f"{s}.{t}": (bool(stale), reason) for s, t, stale, reason in con.execute(
                "SELECT schema_name, table_name, is_stale, stale_reason FROM meta.table_status"
            ).fetchall()}
    return {"staging": staging, "staging_others": staging_others, "marts": marts,
            "serving_marts": served, "serving_staging": served_staging,
            "serving_staging_others": served_others, "table_status": statuses,
            "serving_sha256": h.file_sha256(serving), "last_fetch_id": last_fetch}


@pytest.fixture(scope="session")
def baselines(tmp_path_factory: pytest.TempPathFactory, port: int, catalogue: Path,
              assets: h.Definitions) -> Baselines:
    return _once("baselines", lambda: Baselines(tmp_path_factory.mktemp("baselines"), port,
                                                 catalogue, assets))


@pytest.fixture(scope="session")
def matrix_results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict]]:
    """Each matrix case appends its observed outcome; the session writes them out as JSON."""
    rows: list[dict] = []
    yield rows
    if not rows:
        return
    out = Path(os.environ.get(RESULTS_ENV) or tmp_path_factory.getbasetemp() / "fault-matrix.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nfault matrix: {len(rows)} outcomes written to {out}")
