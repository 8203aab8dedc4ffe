"""Write-audit-publish with the real audit: an ERROR failure quarantines the batch and leaves
the previous good rows; a WARN failure publishes and shows."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.lib.publish import BatchRejected, publish_batch
from pipelines.sources.mof.tables import JGB_YIELDS
from pipelines.validation import checks as c
from pipelines.validation.audit import auditor
from pipelines.validation.warehouse import query
from tests.validation import batches as b


def test_error_check_quarantines_the_batch_and_keeps_good_rows() -> None:
    con = b.connect()
    good = b.jgb_batch(end=date(2026, 11, 20), count=10)
    report = publish_batch(con, JGB_YIELDS, good, dataset="mof_jgb",
                           audit=auditor(c.JGB_YIELDS, b.ctx()))
    assert report.stats.inserted == good.height
    assert all(o.passed for o in report.outcomes)
    before = query(con, "SELECT * FROM staging.jgb_yields ORDER BY date, tenor_years")

    bad = b.jgb_batch(end=b.AS_OF, count=10).with_columns(yield_pct=pl.lit(99.0))
    with pytest.raises(BatchRejected) as caught:
        publish_batch(con, JGB_YIELDS, bad, dataset="mof_jgb",
                      audit=auditor(c.JGB_YIELDS, b.ctx()), source_url="https://example.test/x")
    failed = [o for o in caught.value.outcomes if o.blocks]
    assert [o.name for o in failed] == [c.VALUES_IN_PLAUSIBLE_RANGE]
    assert failed[0].unexpected_count == bad.height
    assert "values_in_plausible_range" in str(caught.value)

    after = query(con, "SELECT * FROM staging.jgb_yields ORDER BY date, tenor_years")
    assert after.equals(before)
    kept = query(con, "SELECT quarantine_table, failed_checks, rows FROM quarantine.batches")
    assert kept.rows() == [(caught.value.quarantine_table, c.VALUES_IN_PLAUSIBLE_RANGE,
                            bad.height)]
    quarantined = query(con, f"SELECT * FROM {caught.value.quarantine_table}")  # noqa: S608
    assert quarantined.sort("date", "tenor_years").equals(bad.sort("date", "tenor_years"))


def test_warn_failure_publishes() -> None:
    con = b.connect()
    old = b.jgb_batch(end=date(2026, 9, 30), count=5)
    report = publish_batch(con, JGB_YIELDS, old, dataset="mof_jgb",
                           audit=auditor(c.JGB_YIELDS, b.ctx()))
    stale = [o for o in report.outcomes if not o.passed]
    assert [(o.name, o.severity) for o in stale] == [(c.FRESH_AS_OF, "WARN")]
    assert query(con, "SELECT count(*) AS n FROM staging.jgb_yields")["n"][0] == old.height


def test_gap_against_staging_blocks_the_next_batch() -> None:
    con = b.connect()
    publish_batch(con, JGB_YIELDS, b.jgb_batch(end=date(2026, 10, 30), count=5),
                  dataset="mof_jgb", audit=auditor(c.JGB_YIELDS, b.ctx()))
    later = b.jgb_batch(end=b.AS_OF, count=5)  # starts 2026-11-20: three weeks missing
    with pytest.raises(BatchRejected) as caught:
        publish_batch(con, JGB_YIELDS, later, dataset="mof_jgb",
                      audit=auditor(c.JGB_YIELDS, b.ctx()))
    gap = next(o for o in caught.value.outcomes if o.name == c.NO_GAP_IN_NEW_WINDOW)
    assert gap.unexpected_count == 3  # one per tenor
    assert "10: 2026-10-30..2026-11-20 (21 days)" in gap.sample
