"""MOF International Transactions in Securities (対外及び対内証券売買契約等の状況), FORMATS §4.

Three cumulative CSVs, rewritten in full at each release, Shift_JIS, unit 億円 (100 million
yen), multi-row headers whose cells may hold newlines inside quotes:

* `week.csv`: one row per Sunday–Saturday week; column 0 the period, then 11 outward columns
  (residents' trades in foreign securities) and 11 inward columns (non-residents' trades in
  Japanese securities). Outward long-term debt net (column 6) is the key series.
* `montha1.csv`: the same 22 columns per month plus two MOF-computed differences.
* `monthb3.csv`: residents' trades in foreign long-term debt by investor type, one
  (acquisition, disposition, net) triplet per type, each found by its label.

No committed copy of these files exists; the layout follows FORMATS §4 and its verbatim
weekly row. Every assumption is checked against the file (unit cell, header labels above the
columns read, row widths, period arithmetic) so that a layout change fails with a ParseError
naming the line instead of loading numbers into the wrong columns.

Definitional break: from January 2014 some investment-trust transactions moved from
long-term debt to equity and investment fund shares, so the equity and long-term-debt series
are not continuous across 2014-01; the subtotal (equity + long-term debt) and totals are.
MOF states the sign convention (positive = net acquisition) for data from January 2014.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.sources.mof.flows_columns import (
    _INVESTOR_MISSING,
    DIFFERENCE_COLUMNS,
    FLOW_COLUMNS,
)
from pipelines.sources.mof.flows_investor import (
    _investor_triplets,
)
from pipelines.sources.mof.flows_read import (
    _amount,
    _amounts,
    _cell,
    _check_block_headers,
    _check_first_seen,
    _check_unit,
    _check_width,
    _frame,
    _header_rows,
    _is_month_row,
    _is_period_like,
    _month_rows,
    _parse_period,
    _refuse_unknown_row,
    _rows,
    _unpublished,
)

# ---------------------------------------------------------------------------------------------
# Public parsers


def parse_flows_weekly(body: bytes) -> pl.DataFrame:
    """Parse `week.csv` into one row per week: `week_start`, `week_end`, then FLOW_COLUMNS.

    Weeks whose 22 cells are all blank (not yet published) are skipped, never zero-filled.
    """
    rows = _rows(body)
    header = _header_rows(rows, lambda row: _is_period_like(_cell(row, 0)))
    _check_unit(header)
    _check_block_headers(header, offsets=(1, 12))
    records: list[dict[str, object]] = []
    seen: dict[date, int] = {}
    for line, row in rows:
        period = _parse_period(_cell(row, 0), line)
        if period is None:
            if seen:  # below the header: a row of amounts must be a week, never dropped
                _refuse_unknown_row(row, line)
            continue
        _check_first_seen(seen, period[0], line, "week starting")
        if _unpublished(row[1:]):
            continue
        _check_width(row, 1 + len(FLOW_COLUMNS), line)
        values = _amounts(row[1 : 1 + len(FLOW_COLUMNS)], FLOW_COLUMNS, line)
        records.append({"week_start": period[0], "week_end": period[1], **values})
    schema = {"week_start": pl.Date, "week_end": pl.Date, **dict.fromkeys(FLOW_COLUMNS, pl.Int64)}
    return _frame(records, schema, "week", "week_start")


def parse_flows_monthly(body: bytes) -> pl.DataFrame:
    """Parse `montha1.csv`: `month`, FLOW_COLUMNS, DIFFERENCE_COLUMNS, one row per month.

    Future months (all values blank) and the calendar/fiscal-year total rows are skipped.
    """
    rows = _rows(body)
    header = _header_rows(rows, _is_month_row)
    _check_unit(header)
    _check_block_headers(header, offsets=(3, 14))
    columns = FLOW_COLUMNS + DIFFERENCE_COLUMNS
    records: list[dict[str, object]] = []
    for line, row, month in _month_rows(rows):
        if _unpublished(row[3:]):
            continue
        _check_width(row, 3 + len(columns), line)
        values = _amounts(row[3 : 3 + len(FLOW_COLUMNS)], FLOW_COLUMNS, line)
        start = 3 + len(FLOW_COLUMNS)
        for name, cell in zip(DIFFERENCE_COLUMNS, row[start : start + 2], strict=True):
            values[name] = _amount(cell, name, line)
        records.append({"month": month, **values})
    schema = {"month": pl.Date, **dict.fromkeys(columns, pl.Int64)}
    return _frame(records, schema, "month", "month")


def parse_flows_by_investor(body: bytes) -> pl.DataFrame:
    """Parse `monthb3.csv` into long rows, one per month and investor type.

    Columns: `month`, `investor_type`, `investor_label_ja`, `acquisition_jpy_100m`,
    `disposition_jpy_100m`, `net_jpy_100m`. `-`, `―` and empty cells are missing; a type with
    all three missing has no row that month; months with every cell missing are skipped.
    """
    rows = _rows(body)
    header = _header_rows(rows, _is_month_row)
    _check_unit(header)
    triplets = _investor_triplets(header)
    width = max(column for column, _, _ in triplets) + 3
    records: list[dict[str, object]] = []
    for line, row, month in _month_rows(rows):
        if _unpublished(row[3:], _INVESTOR_MISSING):
            continue
        _check_width(row, width, line)
        for column, code, label in triplets:
            cells = row[column : column + 3]
            if all(c.strip() in _INVESTOR_MISSING for c in cells):
                continue
            acq, disp, net = (
                _amount(cell, f"{code} {part}", line, missing=_INVESTOR_MISSING)
                for cell, part in zip(cells, ("acquisition", "disposition", "net"), strict=True)
            )
            records.append(
                {
                    "month": month,
                    "investor_type": code,
                    "investor_label_ja": label,
                    "acquisition_jpy_100m": acq,
                    "disposition_jpy_100m": disp,
                    "net_jpy_100m": net,
                }
            )
    schema = {
        "month": pl.Date,
        "investor_type": pl.String,
        "investor_label_ja": pl.String,
        "acquisition_jpy_100m": pl.Int64,
        "disposition_jpy_100m": pl.Int64,
        "net_jpy_100m": pl.Int64,
    }
    return _frame(records, schema, "month", "month", "investor_type")
