"""The asset graph as a reviewable text: keys, deps, groups, kinds, owners, tags, checks.

`python -m tests.definitions.snapshot` rewrites asset_graph.json beside this file from
`build_definitions()`; test_asset_graph.py fails on any difference, so a renamed key, a lost
dependency or a dropped check is a visible diff in review (as dagster-open-platform does).
Code versions are left out: they change with every edit of the code that defines an asset.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Any

import dagster as dg

SNAPSHOT = Path(__file__).with_name("asset_graph.json")
REGENERATE = "uv run python -m tests.definitions.snapshot"
KIND_TAG = "dagster/kind/"


def describe(defs: dg.Definitions) -> dict[str, Any]:
    """Everything the snapshot holds, in sorted order."""
    graph = defs.resolve_asset_graph()
    assets: dict[str, Any] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "kinds": sorted(node.kinds),
            "owners": sorted(node.owners),
            "tags": {k: v for k, v in sorted(node.tags.items()) if not k.startswith(KIND_TAG)},
            "checks": sorted(c.name for c in graph.asset_check_keys if c.asset_key == key),
        }
    return {
        "assets": assets,
        "jobs": sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in defs.schedules or []),
        "sensors": sorted(s.name for s in defs.sensors or []),
    }


def render(defs: dg.Definitions) -> str:
    return json.dumps(describe(defs), indent=1, sort_keys=True) + "\n"


def diff(expected: str, actual: str) -> str:
    return "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                        actual.splitlines(keepends=True),
                                        str(SNAPSHOT.name), "build_definitions()"))


def main() -> int:
    from pipelines.definitions import build_definitions

    text = render(build_definitions())
    old = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    SNAPSHOT.write_text(text, encoding="utf-8")
    changed = diff(old, text)
    print(changed or "asset graph unchanged", end="" if changed else "\n")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
