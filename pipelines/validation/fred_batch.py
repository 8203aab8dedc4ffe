"""Placeholder: per-series validation (replaced by one batch)."""

from __future__ import annotations

import polars as pl

from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext
from pipelines.validation.suites import ExpectationResult, validate


def validate_catalogue(
    batches: list[tuple[pl.DataFrame, AuditContext]],
) -> dict[str, list[ExpectationResult]]:
    return {ctx.series.id: validate(c.FRED_OBSERVATIONS, b, ctx) for b, ctx in batches
            if ctx.series is not None}
