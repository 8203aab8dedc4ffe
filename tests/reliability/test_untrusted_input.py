"""Untrusted input stays data: identifiers validated, SQL parameterised, sizes capped, and
parsers that refuse (with ParseError, never another exception) what they do not understand."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.lib.errors import FetchError, ParseError
from pipelines.lib.http import HttpClient
from pipelines.lib.publish import BatchTooLarge, publish_batch
from pipelines.lib.sqlident import ident
from pipelines.lib.warehouse import ensure_schemas
from pipelines.sources.fred import load_catalogue
from pipelines.sources.fred.parse import (
    parse_fredgraph_csv,
    parse_observations_json,
    parse_series_json,
)
from pipelines.sources.fred.urls import fredgraph_request
from pipelines.sources.mof.flows_parse import (
    parse_flows_by_investor,
    parse_flows_monthly,
    parse_flows_weekly,
)
from pipelines.sources.mof.jgb_parse import parse_jgb_csv
from pipelines.sources.mof.tables import JGB_YIELDS
from pipelines.sources.tic.parse import parse_mfh_history, parse_slt_table5
from tests.reliability import harness as h

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_IDS = ["DGS10'; DROP TABLE staging.fred_observations; --", "../../etc/passwd",
               "dgs10", "DGS 10", "", "A" * 65, "DGS10\n"]


@pytest.mark.parametrize("series_id", HOSTILE_IDS)
def test_catalogue_refuses_series_ids_that_could_reach_sql_urls_or_paths(
    series_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.yaml"
    entry = {"id": series_id, "title": "t", "purpose": "p", "units": "Percent",
             "frequency": "daily", "min": 0, "max": 1, "revision_window_days": 1,
             "start": date(2000, 1, 1)}
    import yaml

    path.write_text(yaml.safe_dump({"series": [entry]}))
    with pytest.raises(ValueError, match="invalid FRED series id"):
        load_catalogue(path)
    with pytest.raises(ValueError):
        fredgraph_request("https://fred.stlouisfed.org", series_id, date(2000, 1, 1))


@pytest.mark.parametrize("name", ["staging.x; DROP TABLE y", 'a"b', "a.b.c", "A", "1abc", ""])
def test_sql_identifiers_outside_the_safe_alphabet_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a safe SQL identifier"):
        ident(name)


def test_no_sql_string_splices_a_value_into_quotes() -> None:
    """Values go in as `?` parameters; the only quoted splices are escaped COMMENT/path
    literals (comment_literal) and the constant storage version."""
    spliced = re.compile(r"""f["'].*'\{(?!STORAGE_VERSION\})""")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in (ROOT / "pipelines").rglob("*.py") if "replica" not in p.parts
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if spliced.search(line) and re.search(r"SELECT|INSERT|UPDATE|DELETE|WHERE|ATTACH", line)
    ]
    assert offenders == []


def test_body_over_the_per_source_cap_is_refused_naming_source_and_cap(port: int) -> None:
    rep = h.start_replica(h.D0, port)
    try:
        client = HttpClient(max_attempts=1, body_caps={"mof": 10_000})
        with pytest.raises(FetchError, match=r"body exceeds the cap of 10000 bytes") as caught:
            client.get("mof", rep.url + h.FLOWS_WEEKLY)
        assert caught.value.source == "mof" and h.FLOWS_WEEKLY in str(caught.value)
        small = client.get("tic", rep.url + h.TIC_TABLE5, expect="text")  # default cap
        assert small.status == 200 and small.body
    finally:
        rep.stop()


def test_batch_over_the_row_cap_is_refused_before_any_write() -> None:
    con = duckdb.connect()
    ensure_schemas(con)
    batch = pl.DataFrame({
        "date": [date(2026, 1, d) for d in range(1, 12)],
        "tenor_years": pl.Series([10] * 11, dtype=pl.Int16),
        "yield_pct": [1.0] * 11, "source_file": ["x.csv"] * 11,
    })
    with pytest.raises(BatchTooLarge, match=r"batch of 11 rows from .*jgbcme\.csv exceeds"):
        publish_batch(con, JGB_YIELDS, batch, dataset="jgb_yields", max_rows=10,
                      source_url="http://127.0.0.1/jgbcme.csv")
    tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'staging'"
                         ).fetchall()[0][0]
    assert tables == 0


def _fredgraph(body: bytes) -> object:
    return parse_fredgraph_csv(body, "DGS10")


PARSERS: dict[str, Callable[[bytes], object]] = {
    "fredgraph": _fredgraph, "observations_json": parse_observations_json,
    "series_json": parse_series_json, "jgb": parse_jgb_csv, "flows_weekly": parse_flows_weekly,
    "flows_monthly": parse_flows_monthly, "flows_by_investor": parse_flows_by_investor,
    "tic_history": parse_mfh_history, "tic_table5": parse_slt_table5,
}
JUNK = {
    "empty": b"", "html": b"<!DOCTYPE html><html><body>Maintenance</body></html>",
    "json": b'{"observations": "nope", "count": -1}', "binary": bytes(range(256)) * 4,
    "csv_of_something_else": b"name,age\nalice,30\nbob,31\n",
    "utf16": "Date,1Y\n2026/11/2,0.9\n".encode("utf-16"),
}


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("parser", PARSERS)
def test_parsers_reject_what_they_do_not_understand_with_parse_error(
    parser: str, junk: str
) -> None:
    with pytest.raises(ParseError):
        PARSERS[parser](JUNK[junk])
