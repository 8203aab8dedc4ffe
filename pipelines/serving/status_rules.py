"""The rules of `meta.table_status` that come from the declarations (lib/datasets.py): how old
a mart's newest row may be, and which staging tables are written beside another one."""

from __future__ import annotations

from pipelines.lib.datasets import registered

# A mart's newest row may be as old as the most lenient declared cadence of its frequency allows
# (`Cadence.lateness.max_days`: daily 5 business days = 7 days, weekly 14 days). Staging tables
# are judged by their own `fresh_as_of` check instead, which reads the same cadences.
MART_FREQUENCY: dict[str, str] = {
    "yield_spreads_daily": "daily",
    "yield_spillover_daily": "daily",
    "latest_indicators": "daily",
    "us_net_liquidity_weekly": "weekly",  # H.4.1 Wednesday, published Thursday
}
# Monthly marts are as late as their slowest input's publication lag, which no one cadence
# states: the JPY 3-month leg is carried (fx_hedged), TIC month m appears mid m+2.
MONTHLY_MART_MAX_AGE_DAYS: dict[str, int] = {
    "fx_hedged_yields_monthly": 40,  # current month's row appears with its first yields
    "japan_ust_holdings_monthly": 110,
    "capital_flow_monthly": 110,
}


def mart_max_age_days(table: str) -> int | None:
    """Oldest acceptable age in days of a mart's newest row; None: not judged."""
    if table in MONTHLY_MART_MAX_AGE_DAYS:
        return MONTHLY_MART_MAX_AGE_DAYS[table]
    frequency = MART_FREQUENCY.get(table)
    if frequency is None:
        return None
    return max(c.lateness.max_days for ds in registered().values() for c in ds.all_cadences()
               if c.frequency == frequency)


def fed_with() -> dict[str, str]:
    """Staging tables written alongside another one by the same assets -> that one (the
    declarations' `companions`): they have no refresh row of their own."""
    return {companion: ds.table_name for ds in registered().values()
            for companion in ds.companions}
