"""Every asset of the code location has owners, the standard tags and a code version."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipelines.definitions import defs
from pipelines.defs.marts.versions import code_version
from pipelines.defs.standard import OWNERS
from pipelines.marts.build import discover_marts

ROOT = Path(__file__).resolve().parents[2]
SPECS = {spec.key.to_user_string(): spec for a in defs.assets for spec in a.specs}


def _sha(relative: str) -> str:
    return hashlib.sha256((ROOT / relative).read_bytes()).hexdigest()[:16]


def test_every_asset_has_the_team_as_owner_and_a_layer() -> None:
    assert len(SPECS) >= 30
    for key, spec in SPECS.items():
        assert list(OWNERS) == spec.owners[: len(OWNERS)], key
        assert spec.tags["layer"] == {"marts": "marts", "serving": "serving"}.get(
            key.split("/")[0], "staging"), key
        assert spec.tags["cadence"] in ("daily", "weekly", "monthly"), key


@pytest.mark.parametrize(("key", "publisher", "cadence"), [
    ("fred/DGS10", "fred", "daily"), ("fred/WALCL", "fred", "weekly"),
    ("mof/securities_flows_monthly", "mof", "monthly"), ("tic/tic_holdings", "tic", "monthly"),
])
def test_ingestion_assets_name_their_publisher_and_cadence(
    key: str, publisher: str, cadence: str
) -> None:
    assert (SPECS[key].tags["publisher"], SPECS[key].tags["cadence"]) == (publisher, cadence)


def test_marts_keep_the_hash_of_their_sql() -> None:
    for mart in discover_marts():
        assert SPECS[f"marts/{mart.name}"].code_version == code_version(mart)
        assert "publisher" not in SPECS[f"marts/{mart.name}"].tags


@pytest.mark.parametrize(("key", "source"), [
    ("fred/DGS10", "pipelines/defs/fred/assets.py"),
    ("mof/jgb_yields", "pipelines/defs/files.py"),  # one builder for every file dataset
    ("tic/tic_holdings", "pipelines/defs/files.py"),
    ("serving/report", "pipelines/defs/serving/assets.py"),
])
def test_other_assets_are_versioned_by_the_file_that_defines_them(key: str, source: str) -> None:
    assert SPECS[key].code_version == _sha(source)
