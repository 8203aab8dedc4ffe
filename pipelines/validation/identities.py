"""TIC accounting identities, per month of the batch (a month's rows always arrive together).

Countries + regional groups (2000-2011) + All Other = Grand Total, and foreign official bills +
bonds & notes = foreign official, each within the file's rounding. A broken identity means a
row was lost, doubled or read from the wrong line; never sum the memo lines with countries.
"""

from __future__ import annotations

import polars as pl

from pipelines.validation import checks as c
from pipelines.validation.findings import Finding, not_applicable

_NEEDED = ("holder_code", "holder_type", "month", "holdings_usd_bn")


def _pivot(batch: pl.DataFrame) -> pl.DataFrame:
    part = (pl.col("holder_type").is_in(["country", "regional_group"])
            | (pl.col("holder_code") == "all_other"))
    value = pl.col("holdings_usd_bn")

    def code_sum(code: str) -> pl.Expr:
        hit = pl.col("holder_code") == code
        return pl.when(hit.any()).then(value.filter(hit).sum()).alias(code)

    return batch.group_by("month").agg(
        value.filter(part).sum().alias("parts"),
        part.any().alias("has_parts"),
        *(code_sum(k) for k in ("grand_total", "foreign_official", "foreign_official_bills",
                                 "foreign_official_bonds_notes")),
    ).sort("month")


def _finding(name: str, months: pl.DataFrame, total: str, parts: pl.Expr, what: str) -> Finding:
    # Rounded so that a residual of exactly the tolerance (0.5 bn occurs) is not lost to floats.
    residual = (parts - pl.col(total)).round(6).alias("residual")
    checked = months.with_columns(residual)
    bad = checked.filter(pl.col("residual").is_null() | (pl.col("residual").abs()
                                                         > c.TIC_IDENTITY_TOLERANCE_USD_BN))
    sample = [
        f"{r['month']}: {what} off by {r['residual']:+.1f} bn" if r["residual"] is not None
        else f"{r['month']}: a line of the identity is missing"
        for r in bad.head(10).to_dicts()
    ]
    worst = checked["residual"].abs().max()
    return Finding(name, bad.is_empty(), bad.height, sample,
                   {"months_checked": checked.height,
                    "largest_abs_residual_usd_bn": None if worst is None else round(worst, 3),
                    "tolerance_usd_bn": c.TIC_IDENTITY_TOLERANCE_USD_BN})


def tic_identities(batch: pl.DataFrame) -> list[Finding]:
    names = (c.COUNTRIES_SUM_TO_GRAND_TOTAL, c.OFFICIAL_BILLS_PLUS_BONDS_EQUAL_TOTAL)
    if not set(_NEEDED) <= set(batch.columns) or not batch.schema["holdings_usd_bn"].is_numeric():
        return [not_applicable(n, "batch lacks the TIC columns (see schema_matches)")
                for n in names]
    months = _pivot(batch)
    totals = months.filter(pl.col("has_parts") | pl.col("grand_total").is_not_null())
    official = months.filter(pl.any_horizontal(
        pl.col(k).is_not_null() for k in ("foreign_official", "foreign_official_bills",
                                          "foreign_official_bonds_notes")))
    return [
        _finding(names[0], totals, "grand_total", pl.col("parts"),
                 "countries + groups + All Other vs Grand Total"),
        _finding(names[1], official, "foreign_official",
                 pl.col("foreign_official_bills") + pl.col("foreign_official_bonds_notes"),
                 "bills + bonds & notes vs Foreign Official"),
    ]
