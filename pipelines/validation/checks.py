"""Check names, thresholds and the reasons analysts read, as builders each Dataset uses.

Which checks apply to a table is its declaration's business (`Dataset.checks`, in
`pipelines/sources/<publisher>/datasets.py`). Plain data with no Great Expectations import,
so the Dagster layer can declare one `AssetCheckSpec` per check at definitions load time
without paying GX's import. The audit
(`pipelines.validation.audit`) returns exactly one `CheckOutcome` per declared check, in this
order; a check that does not apply to a batch passes and says why in its details.
"""

from __future__ import annotations

from pipelines.lib.publish import ERROR, WARN, CheckDecl

FRED_OBSERVATIONS = "staging.fred_observations"
JGB_YIELDS = "staging.jgb_yields"
TIC_HOLDINGS = "staging.tic_holdings"
MOF_FLOWS_WEEKLY = "staging.mof_securities_flows_weekly"
MOF_FLOWS_MONTHLY = "staging.mof_securities_flows_monthly"
MOF_FLOWS_BY_INVESTOR = "staging.mof_securities_flows_by_investor"

# Check names: module constants, snake_case, stable (they are Dagster asset-check names).
SCHEMA_MATCHES = "schema_matches"
KEYS_UNIQUE = "keys_unique"
NO_FUTURE_DATES = "no_future_dates"
MONTH_IS_FIRST_DAY = "month_is_first_day"
WEEK_SPANS_SEVEN_DAYS = "week_spans_seven_days"
SERIES_MATCHES_ASSET = "series_matches_asset"
TENOR_KNOWN = "tenor_known"
VALUES_IN_PLAUSIBLE_RANGE = "values_in_plausible_range"
UNITS_MATCH_MAGNITUDE = "units_match_magnitude"
NET_EQUALS_ACQUISITION_MINUS_DISPOSITION = "net_equals_acquisition_minus_disposition"
INVESTOR_TYPE_MAPPED = "investor_type_mapped"
COUNTRIES_SUM_TO_GRAND_TOTAL = "countries_sum_to_grand_total"
OFFICIAL_BILLS_PLUS_BONDS_EQUAL_TOTAL = "official_bills_plus_bonds_equal_total"
NO_GAP_IN_NEW_WINDOW = "no_gap_in_new_window"
ROW_COUNT_NOT_BELOW_PREVIOUS_COPY = "row_count_not_below_previous_copy"
FRESH_AS_OF = "fresh_as_of"
JGB_10Y_AGREES_WITH_OECD = "jgb_10y_agrees_with_oecd"

# Thresholds the descriptions state; the audit modules read them from here.
JGB_YIELD_RANGE_PCT = (-0.5, 20.0)
TIC_HOLDINGS_MAX_USD_BN = 20_000.0
TIC_IDENTITY_TOLERANCE_USD_BN = 0.5
# 1,000 trillion yen: far beyond any month's flow, far below a unit slip (yen for 100m yen).
MOF_ABS_MAX_JPY_100M = 10_000_000
MOF_NET_TOLERANCE_JPY_100M = 2  # components are rounded separately
ROW_DROP_TOLERANCE = 0.001  # share of the previous copy's rows a new copy may lack
CROSS_SOURCE_TOLERANCE_PP = 0.10
CROSS_SOURCE_MIN_SHARE = 0.90


def schema(what: str) -> CheckDecl:
    return CheckDecl(
        SCHEMA_MATCHES, ERROR,
        f"Every column staging declares is present with its type ({what}): a missing, shifted or"
        " text-typed column would load wrong numbers silently.",
    )


def keys(keys: str) -> CheckDecl:
    return CheckDecl(
        KEYS_UNIQUE, ERROR,
        f"Exactly one row per {keys}, none null: a duplicate means a file read twice or two"
        " files disagreeing, and marts would double count.",
    )


def future(column: str) -> CheckDecl:
    return CheckDecl(
        NO_FUTURE_DATES, ERROR,
        f"No {column} after the as-of date: a future date is a misread date (wrong era year,"
        " swapped day and month), never data.",
    )


MONTH_FIRST = CheckDecl(
    MONTH_IS_FIRST_DAY, ERROR,
    "Months are dated on their first day (the data contract), so joins across sources line up.",
)


def gap(cadence: str) -> CheckDecl:
    return CheckDecl(
        NO_GAP_IN_NEW_WINDOW, ERROR,
        f"The newly loaded window has no gap longer than the cadence allows ({cadence}); known"
        " historical gaps are accepted. A hole in new data is a partial download.",
    )


ROW_COUNT = CheckDecl(
    ROW_COUNT_NOT_BELOW_PREVIOUS_COPY, ERROR,
    f"A new copy of a source file has no fewer rows than the previous copy of the same file for"
    f" the same period (tolerance {ROW_DROP_TOLERANCE:.1%}): fewer rows means a truncated"
    " download.",
)


def fresh(cadence: str) -> CheckDecl:
    return CheckDecl(
        FRESH_AS_OF, WARN,
        f"The newest observation is recent enough for the source's cadence ({cadence}) as of the"
        " as-of date. A warning only: old data is still true data, but the publisher or our"
        " fetch may have stopped.",
    )


NET_IDENTITY = CheckDecl(
    NET_EQUALS_ACQUISITION_MINUS_DISPOSITION, WARN,
    f"Net = acquisition - disposition within {MOF_NET_TOLERANCE_JPY_100M} (100 million yen,"
    " MOF rounds each column): a larger difference means columns were read in the wrong place.",
)


def mof_range() -> CheckDecl:
    return CheckDecl(
        VALUES_IN_PLAUSIBLE_RANGE, ERROR,
        f"Every _jpy_100m amount is within +/-{MOF_ABS_MAX_JPY_100M:,} (100 million yen) and gross"
        " acquisitions and dispositions are not negative: anything else is a unit slip (yen for"
        " 100 million yen) or a misplaced sign.",
    )


def declared_checks(table: str) -> tuple[CheckDecl, ...]:
    """The checks declared for a staging table (its Dataset), in the order the audit returns."""
    from pipelines.lib.datasets import dataset

    return dataset(table).checks
