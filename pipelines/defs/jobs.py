"""One ingestion job per publisher release: what a schedule tick or a watcher sensor runs.

Jobs select ingestion assets only. Marts and serving follow by declarative automation (eager),
so a release that changed nothing (skipped materialisations) rebuilds nothing downstream.
FRED series are split by their catalogue frequency, because H.15, H.4.1 and the monthly
OECD/TIC series are published on different days.
"""

from __future__ import annotations

import os

import dagster as dg

from pipelines.sources.fred.catalogue import load_catalogue

MOF_JGB = dg.AssetKey(["mof", "jgb_yields"])
MOF_FLOWS_WEEKLY = dg.AssetKey(["mof", "securities_flows_weekly"])
MOF_FLOWS_MONTHLY = (
    dg.AssetKey(["mof", "securities_flows_monthly"]),
    dg.AssetKey(["mof", "securities_flows_by_investor"]),
)
TIC_HOLDINGS = dg.AssetKey(["tic", "tic_holdings"])


def fred_keys(frequency: str) -> list[dg.AssetKey]:
    """Asset keys of the catalogue's FRED series of one frequency (same catalogue as assets)."""
    specs = load_catalogue(os.environ.get("FRED_CATALOGUE") or None)
    return [dg.AssetKey(["fred", s.id]) for s in specs if s.frequency == frequency]


def _job(name: str, keys: list[dg.AssetKey], description: str) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(name, selection=dg.AssetSelection.assets(*keys),
                               description=description, tags={"kind": "ingest"})


fred_daily_job = _job("fred_daily", fred_keys("daily"),
                      "FRED daily series: H.15 yields, H.10 USD/JPY, SOFR, RRP, Bitcoin.")
fred_weekly_job = _job("fred_weekly", fred_keys("weekly"),
                       "FRED H.4.1 weekly series: Fed total assets and the TGA.")
fred_monthly_job = _job("fred_monthly", fred_keys("monthly"),
                        "FRED monthly series: OECD Japan rates and TIC flows for Japan.")
mof_jgb_job = _job("mof_jgb", [MOF_JGB], "MOF JGB constant-maturity yields.")
mof_flows_weekly_job = _job("mof_flows_weekly", [MOF_FLOWS_WEEKLY],
                            "MOF weekly portfolio flows (week.csv).")
mof_flows_monthly_job = _job("mof_flows_monthly", list(MOF_FLOWS_MONTHLY),
                             "MOF monthly portfolio flows, total and by investor type.")
tic_job = _job("tic", [TIC_HOLDINGS], "TIC major foreign holders of US Treasuries.")

JOBS = [
    fred_daily_job,
    fred_weekly_job,
    fred_monthly_job,
    mof_jgb_job,
    mof_flows_weekly_job,
    mof_flows_monthly_job,
    tic_job,
]
