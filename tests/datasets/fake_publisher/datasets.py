"""The fake publisher's one staging table, declared once."""

from __future__ import annotations

from datetime import time, timedelta

from pipelines.lib.cadence import BusinessDays, Cadence, Gap
from pipelines.lib.datasets import Dataset, Publisher, SourceFile
from pipelines.lib.polling import Window
from pipelines.lib.tables import Column, TableDef
from pipelines.validation import checks as c
from pipelines.validation import expectations as x
from tests.datasets.fake_publisher.parse import parse_rates
from tests.datasets.fake_publisher.urls import rates_url

RATE_RANGE_PCT = (-1.0, 25.0)

CADENCE = Cadence(
    name="fake_daily", frequency="daily", zone="Europe/London", cron="0 18 * * 1-5",
    release=time(17, 0), description="Fake policy rates, posted by 17:00 London.",
    expected_every=timedelta(days=4), late_after=timedelta(days=8),
    lateness=BusinessDays(3), max_gap=Gap(days=7),
    window=Window("fake_rates", "Europe/London", time(16, 30), time(17, 30)),
)

TABLE = TableDef(
    name="staging.fake_rates",
    comment="Fake policy rates, one row per business day.",
    columns=(
        Column("date", "DATE", "Business day of the rate", nullable=False),
        Column("rate_pct", "DOUBLE", "Policy rate in percent"),
        Column("source_file", "VARCHAR", "File the row came from"),
    ),
    keys=("date",),
    tracked=("rate_pct",),
)

RATES = Dataset(
    name="fake_rates", publisher="fake", asset_key=("fake", "fake_rates"), table=TABLE,
    date_column="date", cadence=CADENCE, op="fake_rates",
    description="Fake policy rates into staging.fake_rates.",
    files=lambda settings: (SourceFile("policy_rates.csv", rates_url(), parse_rates,
                                       watched=True),),
    checks=(
        c.schema("date, rate_pct, source_file"),
        c.keys("date"),
        c.future("date"),
        c.CheckDecl(c.VALUES_IN_PLAUSIBLE_RANGE, c.ERROR,
                    f"Every rate lies within {RATE_RANGE_PCT[0]}..{RATE_RANGE_PCT[1]} %."),
        c.gap(CADENCE.max_gap.describe()),
        c.ROW_COUNT,
        c.fresh(CADENCE.lateness.describe()),
    ),
    expectations=lambda ctx, cols: x.between(c.VALUES_IN_PLAUSIBLE_RANGE, "rate_pct",
                                             *RATE_RANGE_PCT),
)

PUBLISHER = Publisher("fake", (RATES,))
