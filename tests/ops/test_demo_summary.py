"""The demo's closing summary: what is stale (from meta.table_status), and a serving-copy line
that never points at a file that is not there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from pipelines.demo import serving_line, stale_tables

STATUS = """
CREATE SCHEMA meta;
CREATE TABLE meta.table_status (table_name VARCHAR, schema_name VARCHAR, is_stale BOOLEAN,
  stale_reason VARCHAR, failing_since TIMESTAMPTZ, last_success_at TIMESTAMPTZ);
INSERT INTO meta.table_status VALUES
  ('tic_holdings', 'staging', TRUE, 'tic slt_table5.txt: line 7: ''1183.9x'' is not a number',
   TIMESTAMPTZ '2026-11-28 21:30:00+00', TIMESTAMPTZ '2026-11-20 21:30:00+00'),
  ('jgb_yields', 'staging', FALSE, NULL, NULL, TIMESTAMPTZ '2026-11-28 06:30:00+00');
"""


def test_stale_tables_come_from_table_status(tmp_path: Path) -> None:
    path = tmp_path / "analytics.duckdb"
    con = duckdb.connect(str(path))
    con.execute(STATUS)
    con.close()
    stale = stale_tables(path)
    assert stale is not None and [s.table for s in stale] == ["staging.tic_holdings"]
    assert "'1183.9x'" in stale[0].reason
    assert stale[0].failing_since == "2026-11-28 21:30 UTC"
    assert stale[0].last_success_at == "2026-11-20 21:30 UTC"


def test_a_copy_without_staleness_columns_or_no_copy_reads_as_unknown(tmp_path: Path) -> None:
    path = tmp_path / "analytics.duckdb"
    assert stale_tables(path) is None
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA meta; CREATE TABLE meta.table_status (table_name VARCHAR)")
    con.close()
    assert stale_tables(path) is None


def test_the_serving_line_never_names_a_missing_copy(tmp_path: Path) -> None:
    path = tmp_path / "analytics.duckdb"
    now = datetime.now(UTC)
    assert "(open this one)" not in serving_line(path, now)
    assert "none yet" in serving_line(path, now)
    path.write_bytes(b"")
    assert serving_line(path, now - timedelta(minutes=1)).endswith("(open this one)")
    assert "NOT updated by this run" in serving_line(path, now + timedelta(minutes=1))
