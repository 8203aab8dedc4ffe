"""Japan MOF staging tables: JGB yields and the securities-flow tables (columns, comments,
keys, vintage rules), declared beside their parsers; `datasets.py` wraps each in a Dataset."""

from __future__ import annotations

from pipelines.lib.tables import Column, TableDef
from pipelines.sources.mof.flows_columns import (
    COLUMN_COMMENTS,
    DEFINITION_BREAK_NOTE,
    DIFFERENCE_COLUMNS,
    FLOW_COLUMNS,
)

JGB_YIELDS = TableDef(
    name="staging.jgb_yields",
    comment=(
        "JGB constant-maturity yields from the Japan Ministry of Finance (国債金利情報), one row"
        " per date and tenor. History file plus current-month file; the current month wins."
        " MOF's '-' (tenor not yet issued, or a gap) is never stored: the row is absent."
    ),
    columns=(
        Column("date", "DATE", "Base date (基準日) of the quote, a Tokyo business day",
               nullable=False),
        Column("tenor_years", "SMALLINT", "Residual maturity in years: 1-10, 15, 20, 25, 30, 40",
               nullable=False),
        Column("yield_pct", "DOUBLE", "Yield in percent as MOF publishes it (3 decimals);"
               " negative values are real (2014-2024)"),
        Column("source_file", "VARCHAR", "MOF file the value came from (e.g. jgbcme_all.csv)"),
    ),
    keys=("date", "tenor_years"),
    tracked=("yield_pct",),
)


def _flow_columns(names: tuple[str, ...]) -> tuple[Column, ...]:
    return tuple(Column(n, "BIGINT", COLUMN_COMMENTS[n]) for n in names)


_SOURCE = Column("source_file", "VARCHAR", "MOF file the row came from")

MOF_FLOWS_WEEKLY = TableDef(
    name="staging.mof_securities_flows_weekly",
    comment=(
        "Japan MOF International Transactions in Securities, weekly (designated major"
        " investors), 100 million yen. Weeks run Sunday to Saturday as MOF dates them."
        " Values are preliminary and not revised by MOF. " + DEFINITION_BREAK_NOTE
    ),
    columns=(
        Column("week_start", "DATE", COLUMN_COMMENTS["week_start"]),
        Column("week_end", "DATE", COLUMN_COMMENTS["week_end"], nullable=False),
        *_flow_columns(FLOW_COLUMNS),
        _SOURCE,
    ),
    keys=("week_end",),
    tracked=FLOW_COLUMNS,
)

MOF_FLOWS_MONTHLY = TableDef(
    name="staging.mof_securities_flows_monthly",
    comment=(
        "Japan MOF International Transactions in Securities, monthly (montha1.csv), 100 million"
        " yen. Months not yet published are absent, never zero. " + DEFINITION_BREAK_NOTE
    ),
    columns=(
        Column("month", "DATE", COLUMN_COMMENTS["month"], nullable=False),
        *_flow_columns(FLOW_COLUMNS + DIFFERENCE_COLUMNS),
        _SOURCE,
    ),
    keys=("month",),
    tracked=FLOW_COLUMNS + DIFFERENCE_COLUMNS,
)

MOF_FLOWS_BY_INVESTOR = TableDef(
    name="staging.mof_securities_flows_by_investor",
    comment=(
        "Japanese residents' transactions in foreign long-term debt securities by investor"
        " type (monthb3.csv), monthly, 100 million yen. Life insurers and trust accounts"
        " (mostly pension money) are the swing buyers of the thesis. " + DEFINITION_BREAK_NOTE
    ),
    columns=(
        Column("month", "DATE", COLUMN_COMMENTS["month"], nullable=False),
        Column("investor_type", "VARCHAR", COLUMN_COMMENTS["investor_type"], nullable=False),
        Column("investor_label_ja", "VARCHAR", COLUMN_COMMENTS["investor_label_ja"]),
        *_flow_columns(("acquisition_jpy_100m", "disposition_jpy_100m", "net_jpy_100m")),
        _SOURCE,
    ),
    keys=("month", "investor_type"),
    tracked=("acquisition_jpy_100m", "disposition_jpy_100m", "net_jpy_100m"),
)
