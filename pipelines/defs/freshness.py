"""Freshness policies for every asset, from the cadence of the publisher behind it.

A policy judges the time since an asset's last materialisation. Every refresh now reports
every selected ingestion asset (unchanged and failed ones too, with their data version), so for
ingestion assets a policy says whether the refresh ran, not whether data changed: a source that
stopped publishing shows in its `fresh_as_of` check, one that keeps failing in its
`refresh_succeeded` check and in meta.table_status (is_stale). The windows are still the
longest normal gap between two releases plus a margin:

- daily (FRED daily series, mof/jgb_yields, daily marts, serving): warn after 4 days, fail
  after 8. Longest normal gap: a weekend plus a holiday; Golden Week; Tokyo's New Year close
  (Dec 31-Jan 3).
- weekly (FRED H.4.1 series, mof/securities_flows_weekly, weekly marts): warn 9, fail 16 days.
  Longest normal gap: a week, two around New Year.
- monthly (FRED OECD/TIC series, TIC, MOF monthly files, monthly marts): warn 36, fail 50
  days. Longest normal gap: TIC release dates 28-34 days apart; OECD lags irregularly.

Marts and serving assets rebuild whenever an input changes, so a mart inherits the cadence in
its name (`_daily`, `_weekly`, `_monthly`); the others follow daily inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

import dagster as dg

WINDOWS: dict[str, tuple[timedelta, timedelta]] = {  # cadence -> (warn, fail)
    "daily": (timedelta(days=4), timedelta(days=8)),
    "weekly": (timedelta(days=9), timedelta(days=16)),
    "monthly": (timedelta(days=36), timedelta(days=50)),
}
# Ingestion assets whose cadence the key alone says (FRED series carry `frequency` metadata).
KEY_CADENCE: dict[str, str] = {
    "mof/jgb_yields": "daily",
    "mof/securities_flows_weekly": "weekly",
    "mof/securities_flows_monthly": "monthly",
    "mof/securities_flows_by_investor": "monthly",
    "tic/tic_holdings": "monthly",
}

A = TypeVar("A", dg.AssetsDefinition, dg.AssetSpec)


def cadence_of(spec: dg.AssetSpec) -> str:
    """daily, weekly or monthly: from metadata, the key table above, or the mart's name."""
    key = spec.key.to_user_string()
    frequency = spec.metadata.get("frequency")
    if isinstance(frequency, str) and frequency in WINDOWS:
        return frequency
    if key in KEY_CADENCE:
        return KEY_CADENCE[key]
    for cadence in ("weekly", "monthly"):
        if key.endswith(f"_{cadence}"):
            return cadence
    return "daily"


def policy_for(spec: dg.AssetSpec) -> dg.FreshnessPolicy:
    warn, fail = WINDOWS[cadence_of(spec)]
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def apply_freshness(assets: Sequence[A]) -> list[A]:
    """Every asset spec gets its cadence's policy, unless it declares its own."""
    return list(dg.map_asset_specs(
        lambda spec: dg.apply_freshness_policy(spec, policy_for(spec), overwrite_existing=False),
        assets,
    ))
