"""GX expectation builders and derived columns the dataset declarations pick from.

A declaration (`pipelines/sources/<publisher>/datasets.py`) says which of these apply to its
table; the suite (suites.py) adds the ones every table gets (schema, keys, no future dates).
Great Expectations is imported inside each builder: it takes seconds to import, and
definitions load must stay fast.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl

from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext

if TYPE_CHECKING:
    from great_expectations.expectations.expectation import Expectation

Items = list[tuple[str, "Expectation"]]


def month_first_day() -> Items:
    import great_expectations.expectations as E

    return [(c.MONTH_IS_FIRST_DAY,
             E.ExpectColumnValuesToMatchRegex(column="_month_iso", regex=r"^\d{4}-\d{2}-01$"))]


def month_iso(batch: pl.DataFrame, ctx: AuditContext) -> list[pl.Expr]:
    """`_month_iso`, which month_first_day() reads."""
    if batch.schema.get("month") != pl.Date:
        return []
    return [pl.col("month").cast(pl.String).alias("_month_iso")]


def week_start_plus_6(batch: pl.DataFrame, ctx: AuditContext) -> list[pl.Expr]:
    """`_week_start_plus_6`, which week_spans_seven_days() reads."""
    if batch.schema.get("week_start") != pl.Date:
        return []
    return [(pl.col("week_start") + timedelta(days=6)).alias("_week_start_plus_6")]


def week_spans_seven_days() -> Items:
    import great_expectations.expectations as E

    return [(c.WEEK_SPANS_SEVEN_DAYS, E.ExpectColumnPairValuesToBeEqual(
        column_A="week_end", column_B="_week_start_plus_6"))]


def in_set(check: str, column: str, values: list) -> Items:
    import great_expectations.expectations as E

    return [(check, E.ExpectColumnValuesToBeInSet(column=column, value_set=values))]


def between(check: str, column: str, low: float | None, high: float | None,
            strict_max: bool = False) -> Items:
    import great_expectations.expectations as E

    return [(check, E.ExpectColumnValuesToBeBetween(column=column, min_value=low,
                                                    max_value=high, strict_max=strict_max))]


def not_matching(check: str, column: str, regex: str) -> Items:
    import great_expectations.expectations as E

    return [(check, E.ExpectColumnValuesToNotMatchRegex(column=column, regex=regex))]


def not_null(check: str, column: str) -> Items:
    import great_expectations.expectations as E

    return [(check, E.ExpectColumnValuesToNotBeNull(column=column))]


# --- MOF amounts: every _jpy_100m column, and net = acquisition - disposition ----------------


def net_triplets(columns: list[str]) -> list[tuple[str, str, str]]:
    """(acquisition, disposition, net) column names present together in a MOF batch."""
    out = []
    for name in columns:
        if name.endswith("acquisition_jpy_100m"):
            base = name.removesuffix("acquisition_jpy_100m")
            disp, net = f"{base}disposition_jpy_100m", f"{base}net_jpy_100m"
            if disp in columns and net in columns:
                out.append((name, disp, net))
    return out


def net_residuals(batch: pl.DataFrame, ctx: AuditContext) -> list[pl.Expr]:
    """`_residual_<net>` = net - (acquisition - disposition), for the amounts' identity."""
    numeric = [n for n, t in batch.schema.items() if t.is_numeric()]
    return [(pl.col(net) - (pl.col(acq) - pl.col(disp))).alias(f"_residual_{net}")
            for acq, disp, net in net_triplets(numeric)]


def jpy_amounts(ctx: AuditContext, columns: list[str]) -> Items:
    """Every _jpy_100m amount in range (gross ones not negative), and the net identity."""
    import great_expectations.expectations as E

    bound = c.MOF_ABS_MAX_JPY_100M
    items: Items = []
    for name in columns:
        if not name.endswith("_jpy_100m"):
            continue
        gross = name.endswith(("acquisition_jpy_100m", "disposition_jpy_100m"))
        items.append((c.VALUES_IN_PLAUSIBLE_RANGE, E.ExpectColumnValuesToBeBetween(
            column=name, min_value=0 if gross else -bound, max_value=bound)))
    tol = c.MOF_NET_TOLERANCE_JPY_100M
    items += [
        (c.NET_EQUALS_ACQUISITION_MINUS_DISPOSITION, E.ExpectColumnValuesToBeBetween(
            column=f"_residual_{net}", min_value=-tol, max_value=tol))
        for _, _, net in net_triplets(columns)
    ]
    return items
