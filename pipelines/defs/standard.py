"""Owners, tags and a code version on every asset, applied once in definitions.py.

- owners: the one team that runs this code location (`OWNERS`);
- tags: `layer` (staging for what a publisher feeds, marts, serving), `cadence` (daily,
  weekly, monthly: the one freshness.py judges it by) and, on ingestion assets, `publisher`
  (fred, mof, tic), so the UI's filters answer "what does MOF feed?" or "what is daily?";
- code_version: kept where an asset has one (a mart's is the hash of its SQL), else the hash
  of the file that defines the asset, so a change to that code shows as a new version in the
  UI and to `code_version_changed()` in the automation condition (defs/automation.py).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import dagster as dg

from pipelines.defs.freshness import cadence_of

OWNERS = ("team:jgb-ust-flows",)
PUBLISHERS = frozenset({"fred", "mof", "tic"})  # the first part of an ingestion asset's key
LAYERS = {"marts": "marts", "serving": "serving"}  # any other first part: staging


@cache
def file_version(path: str) -> str:
    """The first 16 hex digits of the file's sha256."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def source_file(asset: dg.AssetsDefinition) -> str:
    """The file of the function an asset (or multi-asset) runs."""
    return inspect.getfile(asset.op.compute_fn.decorated_fn)


def standard_tags(spec: dg.AssetSpec) -> dict[str, str]:
    first = spec.key.path[0]
    tags = {"layer": LAYERS.get(first, "staging"), "cadence": cadence_of(spec)}
    if first in PUBLISHERS:
        tags["publisher"] = first
    return tags


def apply_standard(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Every asset with OWNERS, the standard tags (its own win) and a code version."""
    out = []
    for asset in assets:
        version = file_version(source_file(asset))
        out.extend(dg.map_asset_specs(
            lambda spec, v=version: spec.replace_attributes(
                owners=list(dict.fromkeys([*OWNERS, *spec.owners])),
                tags={**standard_tags(spec), **spec.tags},
                code_version=spec.code_version or v,
            ),
            [asset],
        ))
    return out
