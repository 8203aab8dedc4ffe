"""US Treasury TIC: Major Foreign Holders of Treasury securities (Table 5 and its history).

Plain Python, no Dagster: URLs, label normalisation, and parsers from bytes to long tables.
"""

from pipelines.sources.tic.labels import Holder, classify, normalise_label
from pipelines.sources.tic.parse import MfhHistory, Table5, parse_mfh_history, parse_slt_table5
from pipelines.sources.tic.urls import (
    assert_not_legacy,
    mfh_history_url,
    slt_table5_url,
    tic_base_url,
)

__all__ = [
    "Holder",
    "MfhHistory",
    "Table5",
    "assert_not_legacy",
    "classify",
    "mfh_history_url",
    "normalise_label",
    "parse_mfh_history",
    "parse_slt_table5",
    "slt_table5_url",
    "tic_base_url",
]
