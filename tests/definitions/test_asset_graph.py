"""The asset graph equals the committed snapshot (asset_graph.json): every change is a diff."""

from __future__ import annotations

import json

from pipelines.definitions import build_definitions
from tests.definitions import snapshot


def test_the_asset_graph_matches_the_committed_snapshot() -> None:
    actual = snapshot.render(build_definitions())
    expected = snapshot.SNAPSHOT.read_text(encoding="utf-8")
    assert actual == expected, (
        f"the asset graph changed; if that is intended, run `{snapshot.REGENERATE}` and commit"
        f" {snapshot.SNAPSHOT.name}:\n{snapshot.diff(expected, actual)}")


def test_the_snapshot_sees_a_lost_dependency() -> None:
    document = json.loads(snapshot.SNAPSHOT.read_text(encoding="utf-8"))
    spreads = document["assets"]["marts/yield_spreads_daily"]
    assert "fred/DGS10" in spreads["deps"] and "keys_unique_not_null" in spreads["checks"]
    spreads["deps"].remove("fred/DGS10")
    changed = json.dumps(document, indent=1, sort_keys=True) + "\n"
    text = snapshot.diff(snapshot.SNAPSHOT.read_text(encoding="utf-8"), changed)
    assert '-    "fred/DGS10",' in text.splitlines()
