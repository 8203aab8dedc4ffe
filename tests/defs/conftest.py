"""A replica of the publishers and a pipeline environment pointed at it, for Dagster runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.replica import Replica

AS_OF = date(2026, 11, 20)


@pytest.fixture
def replica() -> Iterator[Replica]:
    rep = Replica.start(as_of=AS_OF)
    yield rep
    rep.stop()


@pytest.fixture
def pipeline_env(replica: Replica, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environment variables of a run against the replica; returns the assets dir."""
    for key, value in replica.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ASSETS_DIR", str(tmp_path / "assets"))
    monkeypatch.setenv("AS_OF_DATE", AS_OF.isoformat())
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    return tmp_path / "assets"


def fast_resources(assets_dir: Path) -> dict[str, object]:
    """Resources with fast retries, so fault tests do not wait minutes."""
    return {
        "warehouse": WarehouseResource(assets_dir=str(assets_dir)),
        "publishers": PublishersResource(
            backoff_base_s=0.05, rate_limited_wait_s=0.5, max_attempts=3, read_timeout_s=3.0
        ),
    }
