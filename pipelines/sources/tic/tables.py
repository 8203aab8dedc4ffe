"""US Treasury TIC staging tables, declared beside their parsers; `datasets.py` wraps them."""

from __future__ import annotations

from pipelines.lib.tables import Column, TableDef

TIC_HOLDINGS = TableDef(
    name="staging.tic_holdings",
    comment=(
        "Major foreign holders of US Treasury securities (TIC), billions of USD at end of"
        " month. From mfhhis01.txt (history from March 2000) and slt_table5.txt (latest ~13"
        " months); the later release wins. Aggregate lines carry holder_type 'total', 'memo'"
        " or 'regional_group' and must never be summed with or ranked among countries."
    ),
    columns=(
        Column("holder_code", "VARCHAR", "Stable code: a slug of the country label, or the"
               " aggregate's code (grand_total, all_other, foreign_official, ...)",
               nullable=False),
        Column("month", "DATE", "Month of the holdings (first day of month; end-of-month"
               " positions)", nullable=False),
        Column("country", "VARCHAR", "TIC label with footnote marks removed; aggregates under"
               " one canonical label whatever the file called them"),
        Column("holder_type", "VARCHAR", "'country', 'regional_group' (Oil Exporters, Carib"
               " Bnkng Ctrs, 2000-2011), 'total' (All Other, Grand Total) or 'memo' (foreign"
               " official lines, which overlap the countries)"),
        Column("holdings_usd_bn", "DOUBLE", "Holdings in billions of US dollars; '*' (less than"
               " $50 million) is stored as 0.025"),
        Column("old_series_usd_bn", "DOUBLE", "Billions of USD, at a TIC series break only: the"
               " previous series' estimate for this month, which mfhhis01.txt prints beside the"
               " new series 'for comparison only' (June 2002-2011, March 2000). NOT the holding:"
               " holdings_usd_bn is. NULL in every other month and for slt_table5.txt rows."
               " Lets a change across the break be measured within one series."),
        Column("source_file", "VARCHAR", "mfhhis01.txt or slt_table5.txt"),
        Column("release_date", "DATE", "Release the value came from (history stamp, or the"
               " fetch date of Table 5 when it carries none)"),
    ),
    keys=("holder_code", "month"),
    tracked=("holdings_usd_bn",),
)

TIC_REVISIONS_DDL = """
CREATE TABLE IF NOT EXISTS staging.tic_revisions (
    data_year INTEGER NOT NULL,
    revised_on DATE NOT NULL,
    release_date DATE NOT NULL,
    PRIMARY KEY (data_year, revised_on)
);
COMMENT ON TABLE staging.tic_revisions IS 'Revision stamps from the mfhhis01.txt trailer, e.g.
 "(2025 revised March 18, 2026)": which data year Treasury last revised, and when.';
COMMENT ON COLUMN staging.tic_revisions.release_date IS 'Date stamp of the history file that
 carried this revision line';
"""
