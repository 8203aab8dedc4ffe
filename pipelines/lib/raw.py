"""Raw landing zone: every response body kept byte-for-byte, content-addressed, with a log.

Bodies live under `assets/raw/<source>/<sha256[:2]>/<sha256>`: the name is the hash of the
bytes, so nothing secret can leak into a file name and the same body is stored once. The
fetch log (`raw.fetch_log`) says which URL (secrets removed) gave which body, when, and with
what status. `raw.loaded_files` records the bodies that reached staging: conditional GETs and
"unchanged, skip" decisions are made against it, never against a body that was fetched but
rejected or never loaded.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import duckdb

from pipelines.lib.errors import FetchError
from pipelines.lib.http import (
    FetchResult,
    HttpClient,
    ResponseRecord,
    Validators,
    full_url,
)
from pipelines.lib.redact import redact_url

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
    problem VARCHAR
);
COMMENT ON TABLE raw.fetch_log IS 'Every HTTP response received, good or bad: URL with secrets
 removed, status, validators, size and sha256 of the body kept under assets/raw/.';
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

# Query parameters that move with every incremental request; replay ignores them.
_VOLATILE_PARAMS = frozenset({"cosd", "coed", "observation_start", "observation_end"})


class RawStore:
    """Content-addressed, write-once storage of response bodies."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, source: str, sha256: str) -> Path:
        return self.root / source / sha256[:2] / sha256

    def put(self, source: str, body: bytes) -> tuple[str, Path]:
        sha = hashlib.sha256(body).hexdigest()
        path = self.path_for(source, sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
            with open(tmp, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)  # atomic: a reader never sees half a body
        return sha, path

    def get(self, source: str, sha256: str) -> bytes:
        return self.path_for(source, sha256).read_bytes()


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(FETCH_LOG_DDL)


@dataclass(frozen=True)
class LoadedFile:
    """The body last published into staging for a dataset and URL."""

    sha256: str
    validators: Validators
    rows: int | None
    period_key: str | None


@dataclass(frozen=True)
class Fetched:
    """A fetch that produced a usable body (or a 304), with the body's hash."""

    result: FetchResult
    sha256: str | None

    @property
    def body(self) -> bytes | None:
        return self.result.body


class Fetcher:
    """HTTP client + raw landing + fetch log, or, in replay mode, the landing zone alone."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        store: RawStore,
        client: HttpClient | None,
        *,
        replay: bool = False,
    ) -> None:
        ensure_raw_tables(con)
        self._cursor = con.cursor()  # own connection: log rows commit even if the asset fails
        self._lock = threading.Lock()
        self.store = store
        self.replay = replay
        self.client = client
        if client is not None:
            client.on_response = self._log

    def _log(self, rec: ResponseRecord) -> None:
        sha, path = self.store.put(rec.source, rec.body)
        with self._lock:
            self._cursor.execute(
                "INSERT INTO raw.fetch_log (source, url, status, etag, last_modified,"
                " content_type, size_bytes, sha256, raw_path, fetched_at, elapsed_s, attempt,"
                " problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [rec.source, rec.url, rec.status, rec.etag, rec.last_modified,
                 rec.content_type, len(rec.body), sha, str(path.relative_to(self.store.root)),
                 rec.fetched_at, rec.elapsed_s, rec.attempt, rec.problem],
            )

    def flag(self, fetched: Fetched, problem: str) -> None:
        """Record why a body that arrived intact could not be used (see `flag_bodies`)."""
        if fetched.sha256 is not None:
            with self._lock:
                flag_bodies(self._cursor, [fetched.sha256], problem)

    def loaded(self, dataset: str, url: str) -> LoadedFile | None:
        """The body last published for this dataset and URL (redacted), if any."""
        with self._lock:
            rows = self._cursor.execute(
                "SELECT sha256, etag, last_modified, rows_in_file, period_key"
                " FROM raw.loaded_files WHERE dataset = ? AND url = ?",
                [dataset, url],
            ).fetchall()
        if not rows:
            return None
        sha, etag, last_modified, n, period = rows[0]
        return LoadedFile(sha, Validators(etag=etag, last_modified=last_modified), n, period)

    def fetch(
        self,
        source: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        expect: str = "csv",
        validators: Validators | None = None,
    ) -> Fetched:
        if self.replay:
            return self._replay(source, url, params)
        if self.client is None:
            raise RuntimeError("Fetcher has no HTTP client and is not in replay mode")
        result = self.client.get(source, url, params=params, expect=expect,
                                 validators=validators)
        sha = None if result.body is None else hashlib.sha256(result.body).hexdigest()
        return Fetched(result=result, sha256=sha)

    def fetch_if_changed(
        self, source: str, dataset: str, url: str, *, expect: str = "csv",
        params: dict[str, str] | None = None, force: bool = False,
    ) -> Fetched | None:
        """The body when it differs from the one last loaded for `dataset`, else None.

        Sends the last loaded body's validators (one cheap 304 where the publisher supports
        them) and, where it does not, compares hashes so an unchanged body is never parsed.
        """
        shown = redact_url(full_url(url, params))
        previous = None if force else self.loaded(dataset, shown)
        fetched = self.fetch(source, url, params=params, expect=expect,
                             validators=previous.validators if previous else None)
        if fetched.result.not_modified:
            return None
        if previous is not None and fetched.sha256 == previous.sha256 and not self.replay:
            return None
        return fetched

    def from_landing_zone(self, source: str, dataset: str, url: str) -> Fetched | None:
        """The body last loaded for this dataset and URL, read back from the landing zone."""
        loaded = self.loaded(dataset, redact_url(url))
        if loaded is None:
            return None
        body = self.store.get(source, loaded.sha256)
        result = FetchResult(
            source=source, url=redact_url(url), status=200, body=body,
            etag=loaded.validators.etag, last_modified=loaded.validators.last_modified,
            content_type=None, attempts=0, elapsed_s=0.0,
        )
        return Fetched(result=result, sha256=loaded.sha256)

    def _replay(self, source: str, url: str, params: dict[str, str] | None) -> Fetched:
        full = full_url(url, params)
        key = replay_key(redact_url(full))
        with self._lock:
            rows = self._cursor.execute(
                "SELECT url, sha256, etag, last_modified, content_type, fetched_at"
                " FROM raw.fetch_log WHERE source = ? AND status = 200 AND problem IS NULL"
                " ORDER BY fetched_at DESC, fetch_id DESC",
                [source],
            ).fetchall()
        for logged_url, sha, etag, last_modified, content_type, _ in rows:
            if replay_key(logged_url) == key:
                body = self.store.get(source, sha)
                result = FetchResult(
                    source=source, url=logged_url, status=200, body=body, etag=etag,
                    last_modified=last_modified, content_type=content_type, attempts=0,
                    elapsed_s=0.0,
                )
                return Fetched(result=result, sha256=sha)
        raise FetchError(source, redact_url(full), "replay: no good response in the landing zone")

    @staticmethod
    def mark_loaded(
        con: duckdb.DuckDBPyConnection,
        dataset: str,
        fetched: Fetched,
        rows: int,
        period_key: str | None = None,
    ) -> None:
        """Record, inside the caller's publishing transaction, that this body reached staging."""
        r = fetched.result
        con.execute(
            "INSERT OR REPLACE INTO raw.loaded_files (dataset, url, sha256, etag,"
            " last_modified, loaded_at, rows_in_file, period_key)"
            " VALUES (?, ?, ?, ?, ?, now(), ?, ?)",
            [dataset, r.url, fetched.sha256, r.etag, r.last_modified, rows, period_key],
        )


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


def replay_key(url: str) -> str:
    """Path and stable query only: the host is left out, so a landing zone filled by the demo
    (a replica on a random localhost port) replays as well as one filled from the publishers."""
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if k not in _VOLATILE_PARAMS)
    return urlunsplit(parts._replace(scheme="", netloc="", query=urlencode(query)))
