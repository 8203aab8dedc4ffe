"""Owners, tags and a code version on every asset, applied once in definitions.py.

- owners: the one team that runs this code location (`OWNERS`);
- tags: `layer` (staging for what a publisher feeds, marts, serving), `cadence` (daily,
  weekly, monthly: the declared cadence freshness.py judges it by) and, on ingestion assets,
  `publisher` (the declaring publisher's name), so the UI's filters answer "what does MOF
  feed?" or "what is daily?";
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

from pipelines.defs.cadence import cadence_of, dataset_of
from pipelines.lib.datasets import Publisher

OWNERS = ("team:jgb-ust-flows",)
LAYERS = {"marts": "marts", "serving": "serving"}  # any other first part: staging


@cache
def file_version(path: str) -> str:
    """The first 16 hex digits of the file's sha256."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def source_file(asset: dg.AssetsDefinition) -> str:
    """The file of the function an asset (or multi-asset) runs."""
    return inspect.getfile(asset.op.compute_fn.decorated_fn)


def standard_tags(spec: dg.AssetSpec, publishers: Sequence[Publisher]) -> dict[str, str]:
    tags = {"layer": LAYERS.get(spec.key.path[0], "staging"),
            "cadence": cadence_of(spec, publishers).frequency}
    if (dataset := dataset_of(spec.key, publishers)) is not None:
        tags["publisher"] = dataset.publisher
    return tags


def apply_standard(
    assets: Sequence[dg.AssetsDefinition], publishers: Sequence[Publisher]
) -> list[dg.AssetsDefinition]:
    """Every asset with OWNERS, the standard tags (its own win) and a code version."""
    out = []
    for asset in assets:
        version = file_version(source_file(asset))
        out.extend(dg.map_asset_specs(
            lambda spec, v=version: spec.replace_attributes(
                owners=list(dict.fromkeys([*OWNERS, *spec.owners])),
                tags={**standard_tags(spec, publishers), **spec.tags},
                code_version=spec.code_version or v,
            ),
            [asset],
        ))
    return out
