"""The raw schema's bookkeeping: `raw.fetch_log` (which URL gave which body, when, what status) and
`raw.loaded_files` (bodies that reached staging: the only base for conditional GETs and skips)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from pipelines.lib.http_response import Validators

FETCH_LOG_DDL = """
CREATE SEQUENCE IF NOT EXISTS raw.fetch_log_seq;
CREATE TABLE IF NOT EXISTS raw.fetch_log (
    fetch_id BIGINT DEFAULT nextval('raw.fetch_log_seq') PRIMARY KEY,
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    status INTEGER NOT NULL,
    etag VARCHAR,
    last_modified VARCHAR,
    content_type VARCHAR,
    size_bytes BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    raw_path VARCHAR NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    elapsed_s DOUBLE,
    attempt INTEGER,
    problem VARCHAR,
    body_redacted BOOLEAN
);
ALTER TABLE raw.fetch_log ADD COLUMN IF NOT EXISTS body_redacted BOOLEAN;
COMMENT ON TABLE raw.fetch_log IS 'Every HTTP response received, good or bad: URL with secrets
 removed, status, validators, size and sha256 of the body kept under assets/raw/; body_redacted:
 a non-2xx body that echoed a secret, stored with it replaced.';
CREATE TABLE IF NOT EXISTS raw.loaded_files (
    dataset VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    etag VARCHAR,
    last_modified VARCHAR,
    loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    rows_in_file BIGINT,
    period_key VARCHAR,
    PRIMARY KEY (dataset, url)
);
COMMENT ON TABLE raw.loaded_files IS 'The body (sha256) last published into staging for each
 dataset and URL; conditional GETs are made against it.';
"""


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(FETCH_LOG_DDL)


@dataclass(frozen=True)
class LoadedFile:
    """The body last published into staging for a dataset and URL."""

    sha256: str
    validators: Validators
    rows: int | None
    period_key: str | None


def loaded_snapshot(
    con: duckdb.DuckDBPyConnection, datasets: list[str]
) -> dict[tuple[str, str], LoadedFile]:
    """What `Fetcher.loaded` would answer for these datasets, read once under the lock."""
    ensure_raw_tables(con)
    rows = con.execute(
        "SELECT dataset, url, sha256, etag, last_modified, rows_in_file, period_key"
        " FROM raw.loaded_files WHERE list_contains(?, dataset)", [datasets]).fetchall()
    return {(d, u): LoadedFile(sha, Validators(etag=e, last_modified=lm), n, period)
            for d, u, sha, e, lm, n, period in rows}


def flag_bodies(con: duckdb.DuckDBPyConnection, sha256s: list[str], problem: str) -> None:
    """Set `problem` on the newest unflagged fetch-log row of each body never loaded.

    A body that failed to parse or was refused by a check arrived as a clean 200, so the
    HTTP client logged no problem; without this flag an operator could not tell it from a
    good one, and a replay (which takes the newest good body) would load it again. Bodies
    that reached staging before (an unchanged file re-read to combine with a bad one) are
    left alone, and so are older rows of the same bytes.
    """
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw'"
                         " AND table_name = 'fetch_log'").fetchall()[0][0]
    for sha in dict.fromkeys(s for s in sha256s if s):
        if exists:
            con.execute(
                "UPDATE raw.fetch_log SET problem = ? WHERE fetch_id = (SELECT max(fetch_id)"
                " FROM raw.fetch_log WHERE sha256 = ? AND problem IS NULL)"
                " AND sha256 NOT IN (SELECT sha256 FROM raw.loaded_files)",
                [problem[:2000], sha],
            )


def log_identity(rec: dict[str, Any]) -> tuple[str, str, str]:
    """One response, as a fetch-log row or as its manifest line (time as ISO text)."""
    when = rec["fetched_at"]
    return rec["url"], rec["sha256"], when.isoformat() if isinstance(when, datetime) else when


LOG_COLUMNS = ("source", "url", "status", "etag", "last_modified", "content_type",
               "size_bytes", "sha256", "raw_path", "fetched_at", "elapsed_s", "attempt",
               "problem", "body_redacted")
INSERT_LOG = (f"INSERT INTO raw.fetch_log ({', '.join(LOG_COLUMNS)})"  # noqa: S608
              f" VALUES ({', '.join('?' * len(LOG_COLUMNS))})")
