"""Freshness policies for every asset, from the cadence its declaration states.

A policy judges the time since an asset's last materialisation. Every refresh reports every
selected ingestion asset (unchanged and failed ones too, with their data version), so for
ingestion assets a policy says whether the refresh ran, not whether data changed: a source that
stopped publishing shows in its `fresh_as_of` check, one that keeps failing in its
`refresh_succeeded` check and in meta.table_status (is_stale). Both windows come from the
asset's `Cadence` (lib/cadence.py): warn after `expected_every` (the longest normal gap between
two releases), fail after `late_after` (that gap plus a margin: Golden Week, Tokyo's New Year
close, TIC release dates 28-34 days apart).

Marts and serving assets rebuild whenever an input changes, so a mart inherits the cadence of
the frequency in its name (`_daily`, `_weekly`, `_monthly`; daily otherwise), defs/cadence.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import dagster as dg

from pipelines.defs.cadence import cadence_of
from pipelines.lib.cadence import Cadence
from pipelines.lib.datasets import Publisher

A = TypeVar("A", dg.AssetsDefinition, dg.AssetSpec)


def policy(cadence: Cadence) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=cadence.late_after,
                                          warn_window=cadence.expected_every)


def apply_freshness(assets: Sequence[A], publishers: Sequence[Publisher]) -> list[A]:
    """Every asset spec gets its cadence's policy, unless it declares its own."""
    return list(dg.map_asset_specs(
        lambda spec: dg.apply_freshness_policy(spec, policy(cadence_of(spec, publishers)),
                                               overwrite_existing=False),
        assets,
    ))
