"""Session fixtures: one replica port, small catalogues, one good D0 warehouse to copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.replica import Replica
from tests.conftest import session_port
from tests.runs import scenario as s


@pytest.fixture(scope="session")
def port() -> int:
    """Every replica of the session binds this port: the URLs the warehouse has loaded stay
    the same from run to run, as the real publishers' do (so unchanged files are unchanged)."""
    return session_port()


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return s.write_catalogue(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(scope="session")
def catalogue_with_missing_series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return s.write_catalogue(tmp_path_factory.mktemp("catalogue"), missing=True)


@pytest.fixture
def replica_at(port: int) -> Iterator:
    """replica_at(day): a replica serving `day` on the session port; stopped after the test."""
    started: list[Replica] = []

    def start(day):
        for rep in started:
            rep.stop()
        started.clear()
        rep = Replica.start(as_of=day, port=port)
        started.append(rep)
        return rep

    yield start
    for rep in started:
        rep.stop()


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory, port: int, catalogue: Path) -> Path:
    """assets/ after one good refresh on D0 (serving copy, report and all)."""
    folder = tmp_path_factory.mktemp("baseline") / "assets"
    rep = Replica.start(as_of=s.D0, port=port)
    try:
        result = s.refresh(rep, folder, catalogue, s.D0)
    finally:
        rep.stop()
    assert result.success
    assert s.serving_path(folder).exists()
    return folder


@pytest.fixture
def assets_dir(baseline: Path, tmp_path: Path) -> Path:
    """A private copy of the D0 baseline."""
    folder = tmp_path / "assets"
    shutil.copytree(baseline, folder)
    return folder
