"""The checks each staging table declares: stable names, severities and the analyst's reason.

Plain data with no Great Expectations import, so the Dagster layer can declare one
`AssetCheckSpec` per check at definitions load time without paying GX's import. The audit
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
TABLES: tuple[str, ...] = (
    FRED_OBSERVATIONS,
    JGB_YIELDS,
    TIC_HOLDINGS,
    MOF_FLOWS_WEEKLY,
    MOF_FLOWS_MONTHLY,
    MOF_FLOWS_BY_INVESTOR,
)

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


def _schema(what: str) -> CheckDecl:
    return CheckDecl(
        SCHEMA_MATCHES, ERROR,
        f"Every column staging declares is present with its type ({what}): a missing, shifted or"
        " text-typed column would load wrong numbers silently.",
    )


def _keys(keys: str) -> CheckDecl:
    return CheckDecl(
        KEYS_UNIQUE, ERROR,
        f"Exactly one row per {keys}, none null: a duplicate means a file read twice or two"
        " files disagreeing, and marts would double count.",
    )


def _future(column: str) -> CheckDecl:
    return CheckDecl(
        NO_FUTURE_DATES, ERROR,
        f"No {column} after the as-of date: a future date is a misread date (wrong era year,"
        " swapped day and month), never data.",
    )


_MONTH_FIRST = CheckDecl(
    MONTH_IS_FIRST_DAY, ERROR,
    "Months are dated on their first day (the data contract), so joins across sources line up.",
)


def _gap(cadence: str) -> CheckDecl:
    return CheckDecl(
        NO_GAP_IN_NEW_WINDOW, ERROR,
        f"The newly loaded window has no gap longer than the cadence allows ({cadence}); known"
        " historical gaps are accepted. A hole in new data is a partial download.",
    )


_ROW_COUNT = CheckDecl(
    ROW_COUNT_NOT_BELOW_PREVIOUS_COPY, ERROR,
    f"A new copy of a source file has no fewer rows than the previous copy of the same file for"
    f" the same period (tolerance {ROW_DROP_TOLERANCE:.1%}): fewer rows means a truncated"
    " download.",
)


def _fresh(cadence: str) -> CheckDecl:
    return CheckDecl(
        FRESH_AS_OF, WARN,
        f"The newest observation is recent enough for the source's cadence ({cadence}) as of the"
        " as-of date. A warning only: old data is still true data, but the publisher or our"
        " fetch may have stopped.",
    )


_NET_IDENTITY = CheckDecl(
    NET_EQUALS_ACQUISITION_MINUS_DISPOSITION, WARN,
    f"Net = acquisition - disposition within {MOF_NET_TOLERANCE_JPY_100M} (100 million yen,"
    " MOF rounds each column): a larger difference means columns were read in the wrong place.",
)


def _mof_range() -> CheckDecl:
    return CheckDecl(
        VALUES_IN_PLAUSIBLE_RANGE, ERROR,
        f"Every _jpy_100m amount is within +/-{MOF_ABS_MAX_JPY_100M:,} (100 million yen) and gross"
        " acquisitions and dispositions are not negative: anything else is a unit slip (yen for"
        " 100 million yen) or a misplaced sign.",
    )


_DECLARED: dict[str, tuple[CheckDecl, ...]] = {
    FRED_OBSERVATIONS: (
        _schema("series_id, date, value, units, value_usd_bn, value_normalised, fetch_mode,"
                " realtime_start"),
        _keys("series_id and date"),
        CheckDecl(
            SERIES_MATCHES_ASSET, ERROR,
            "Every row belongs to the asset's FRED series: a mixed-up response must not land"
            " under another series id.",
        ),
        _future("observation date"),
        CheckDecl(
            VALUES_IN_PLAUSIBLE_RANGE, ERROR,
            "Every value lies within the catalogue's plausible min..max for the series (in the"
            " catalogue's unit): a value outside it is a misread number or a changed series.",
        ),
        CheckDecl(
            UNITS_MATCH_MAGNITUDE, ERROR,
            "Each row states its unit, and the values' magnitude fits that unit (FRED re-expressed"
            " WTREGEN from billions to millions in place): a 1000-fold slip must never reach"
            " net liquidity.",
        ),
        _gap("daily series: 7 calendar days; weekly: 8 days; monthly: one month"),
        _ROW_COUNT,
        _fresh("daily: 5 business days; weekly: 14 days; monthly (OECD, TIC): 4 months"),
    ),
    JGB_YIELDS: (
        _schema("date, tenor_years, yield_pct, source_file"),
        _keys("date and tenor_years"),
        _future("date"),
        CheckDecl(
            TENOR_KNOWN, ERROR,
            "tenor_years is one MOF publishes (1-10, 15, 20, 25, 30, 40): any other is a misread"
            " header.",
        ),
        CheckDecl(
            VALUES_IN_PLAUSIBLE_RANGE, ERROR,
            f"Every yield lies within {JGB_YIELD_RANGE_PCT[0]}..{JGB_YIELD_RANGE_PCT[1]} % at"
            " every tenor (history: -0.39 % in 2016, 12.1 % in 1974-80): outside it is a"
            " misread cell.",
        ),
        _gap("10 calendar days, for Golden Week and New Year; the 1-3 year tenors'"
             " 1978-05-22..1980-08-21 gap is known"),
        _ROW_COUNT,
        _fresh("5 business days"),
        CheckDecl(
            JGB_10Y_AGREES_WITH_OECD, WARN,
            f"The monthly mean of MOF's 10-year yield is within {CROSS_SOURCE_TOLERANCE_PP} pp of"
            f" OECD's IRLTLT01JPM156N (FRED) in at least {CROSS_SOURCE_MIN_SHARE:.0%} of"
            " overlapping months: two publishers of one number should agree.",
        ),
    ),
    TIC_HOLDINGS: (
        _schema("holder_code, month, country, holder_type, holdings_usd_bn, source_file,"
                " release_date"),
        _keys("holder_code and month"),
        _future("month"),
        _MONTH_FIRST,
        CheckDecl(
            VALUES_IN_PLAUSIBLE_RANGE, ERROR,
            f"Holdings are >= 0 and < {TIC_HOLDINGS_MAX_USD_BN:,.0f} billion USD: a negative or"
            " larger number is a misread cell or a unit slip (millions for billions).",
        ),
        CheckDecl(
            COUNTRIES_SUM_TO_GRAND_TOTAL, ERROR,
            f"Each month, countries + regional groups (where present) + All Other = Grand Total"
            f" within {TIC_IDENTITY_TOLERANCE_USD_BN} bn: otherwise a row was lost or misread.",
        ),
        CheckDecl(
            OFFICIAL_BILLS_PLUS_BONDS_EQUAL_TOTAL, ERROR,
            f"Each month, foreign official Treasury bills + T-bonds & notes = foreign official"
            f" within {TIC_IDENTITY_TOLERANCE_USD_BN} bn: otherwise the memo lines were misread.",
        ),
        _gap("one month"),
        _ROW_COUNT,
        _fresh("data for month m appear around the 18th of m+2: the newest month should be"
               " month(D)-2 after the 20th, else month(D)-3"),
    ),
    MOF_FLOWS_WEEKLY: (
        _schema("week_start, week_end and the _jpy_100m amounts"),
        _keys("week_end"),
        _future("week_end"),
        CheckDecl(
            WEEK_SPANS_SEVEN_DAYS, ERROR,
            "Each MOF week runs seven days (week_end = week_start + 6): otherwise the period"
            " cell was misread.",
        ),
        _mof_range(),
        _NET_IDENTITY,
        _gap("8 days"),
        _ROW_COUNT,
        _fresh("14 days"),
    ),
    MOF_FLOWS_MONTHLY: (
        _schema("month and the _jpy_100m amounts"),
        _keys("month"),
        _future("month"),
        _MONTH_FIRST,
        _mof_range(),
        _NET_IDENTITY,
        _gap("one month"),
        _ROW_COUNT,
        _fresh("2 months"),
    ),
    MOF_FLOWS_BY_INVESTOR: (
        _schema("month, investor_type and the _jpy_100m amounts"),
        _keys("month and investor_type"),
        _future("month"),
        _MONTH_FIRST,
        CheckDecl(
            INVESTOR_TYPE_MAPPED, WARN,
            "Every investor type has a stable English code: an 'unmapped_' code means MOF added"
            " or renamed a type, which analysts filtering by life_insurers would miss.",
        ),
        _mof_range(),
        _NET_IDENTITY,
        _gap("one month"),
        _ROW_COUNT,
        _fresh("2 months"),
    ),
}


def declared_checks(table: str) -> tuple[CheckDecl, ...]:
    """The checks declared for a staging table, in the order the audit returns them."""
    try:
        return _DECLARED[table]
    except KeyError:
        raise ValueError(f"no checks declared for {table!r}; known: {', '.join(TABLES)}") from None
