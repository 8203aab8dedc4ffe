"""Parsers for the two TIC Major Foreign Holders files: bytes in, long tables out.

The readers live in `read` (shared), `history` (mfhhis01.txt) and `table5` (slt_table5.txt).

Both files are spreadsheet exports whose layout drifts (rows re-sorted each year, series-break
columns, footnote-decorated labels), so everything is found by content, never by line
number, and any cell we cannot read stops the parse with its line number rather than
producing a quietly wrong holding. Pure functions: no I/O, no Dagster.
"""

from pipelines.sources.tic.history import parse_mfh_history
from pipelines.sources.tic.read import (
    HOLDINGS_SCHEMA,
    LESS_THAN_50M_USD_BN,
    REVISIONS_SCHEMA,
    MfhHistory,
    Table5,
)
from pipelines.sources.tic.table5 import parse_slt_table5

__all__ = [
    "HOLDINGS_SCHEMA",
    "LESS_THAN_50M_USD_BN",
    "REVISIONS_SCHEMA",
    "MfhHistory",
    "Table5",
    "parse_mfh_history",
    "parse_slt_table5",
]
