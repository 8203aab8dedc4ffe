"""Raw landing zone: every response body kept byte-for-byte, content-addressed, with a log.

Bodies live under `assets/raw/<source>/<sha256[:2]>/<sha256>`: the name is the hash of the
bytes, so nothing secret can leak into a file name and the same body is stored once. The
fetch log (`raw.fetch_log`) says which URL (secrets removed) gave which body, when, and with
what status. `raw.loaded_files` records the bodies that reached staging: conditional GETs and
"unchanged, skip" decisions are made against it, never against a body that was fetched but
rejected or never loaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.lib.errors import FetchError, LandingZoneError
from pipelines.lib.http import (
    FetchResult,
    HttpClient,
    ResponseRecord,
    Validators,
    full_url,
)
from pipelines.lib.manifest import Manifest, replay_key
from pipelines.lib.redact import redact_url
from pipelines.lib.warehouse import disk_error

__all__ = ["Fetched", "Fetcher", "LoadedFile", "RawStore", "flag_bodies", "loaded_snapshot",
           "replay_key"]

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
            tmp = path.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(tmp, "wb") as fh:
                    fh.write(body)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)  # atomic: a reader never sees half a body
            except OSError as exc:
                tmp.unlink(missing_ok=True)  # a full disk leaves no half-written body behind
                raise disk_error(self.root, exc) from None
        return sha, path

    def get(self, source: str, sha256: str) -> bytes:
        """The body, or LandingZoneError naming the source and the missing file."""
        path = self.path_for(source, sha256)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise LandingZoneError(
                source, None,
                f"raw file {path} cannot be read ({exc.strerror or type(exc).__name__}):"
                " restore assets/raw/ from a backup, or run without REPLAY=1 to fetch again",
            ) from None


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
    """HTTP client + raw landing + fetch log, or, in replay mode, the landing zone alone.

    Without a connection (`con=None`) it downloads without the warehouse: bodies and manifest
    lines are written at once, fetch-log rows wait for `attach`, and `loaded` answers from a
    snapshot read earlier. That is how a slow publisher is waited for without the writer lock.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection | None,
        store: RawStore,
        client: HttpClient | None,
        *,
        replay: bool = False,
        snapshot: dict[tuple[str, str], LoadedFile] | None = None,
    ) -> None:
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self._pending_flags: list[tuple[str, str]] = []
        self._snapshot = snapshot or {}
        self.store = store
        self.manifest = Manifest(store.root)
        self.replay = replay
        self.client = client
        if con is not None:
            self.attach(con)
        if client is not None:
            client.on_response = self._log

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Start writing the fetch log through `con` (under the writer lock), first the rows
        of the responses downloaded while detached."""
        ensure_raw_tables(con)
        with self._lock:
            self._cursor = con.cursor()  # own connection: log rows commit if the asset fails
            self._sync_fetch_log()
            for row in self._pending:
                self._insert_log(row)
            for sha, problem in self._pending_flags:
                flag_bodies(self._cursor, [sha], problem)
            self._pending.clear()
            self._pending_flags.clear()

    def _sync_fetch_log(self) -> None:
        """Keep the fetch log and the manifest in step across a lost warehouse or an older
        landing zone: an empty fetch log is refilled from the manifest, and a landing zone
        without a manifest gets one listing the fetch log's responses."""
        assert self._cursor is not None
        logged = self._cursor.execute("SELECT count(*) FROM raw.fetch_log").fetchall()[0][0]
        if logged == 0:
            # The responses downloaded while detached are in the manifest too: they are
            # inserted once, from the pending rows, after this.
            pending = {_log_identity(row) for row in self._pending}
            for rec in self.manifest.records("fetch"):
                if _log_identity(rec) not in pending:
                    self._insert_log(rec)
        elif not self.manifest.path.exists():
            rows = self._cursor.execute(
                "SELECT source, url, status, etag, last_modified, content_type, size_bytes,"
                " sha256, raw_path, fetched_at, elapsed_s, attempt, problem, body_redacted"
                " FROM raw.fetch_log ORDER BY fetch_id").fetchall()
            for row in rows:
                rec = dict(zip(_LOG_COLUMNS, row, strict=True))
                self.manifest.append("fetch", **rec, replay_key=replay_key(rec["url"]))

    def _insert_log(self, rec: dict[str, Any]) -> None:
        assert self._cursor is not None
        self._cursor.execute(_INSERT_LOG, [rec.get(c) for c in _LOG_COLUMNS])

    def _log(self, rec: ResponseRecord) -> None:
        sha, path = self.store.put(rec.source, rec.body)
        row = {"source": rec.source, "url": rec.url, "status": rec.status, "etag": rec.etag,
               "last_modified": rec.last_modified, "content_type": rec.content_type,
               "size_bytes": len(rec.body), "sha256": sha,
               "raw_path": str(path.relative_to(self.store.root)), "fetched_at": rec.fetched_at,
               "elapsed_s": rec.elapsed_s, "attempt": rec.attempt, "problem": rec.problem,
               "body_redacted": rec.body_redacted}
        self.manifest.append("fetch", **row, replay_key=replay_key(rec.url))
        with self._lock:
            if self._cursor is None:
                self._pending.append(row)
            else:
                self._insert_log(row)

    def flag(self, fetched: Fetched, problem: str) -> None:
        """Record why a body that arrived intact could not be used (see `flag_bodies`)."""
        if fetched.sha256 is not None:
            self.manifest.append("flag", sha256=fetched.sha256, problem=problem[:2000])
            with self._lock:
                if self._cursor is None:
                    self._pending_flags.append((fetched.sha256, problem))
                else:
                    flag_bodies(self._cursor, [fetched.sha256], problem)

    def record_load(
        self, dataset: str, known_at: datetime, bodies: list[tuple[str, Fetched]],
        **extra: Any,
    ) -> None:
        """Note in the manifest that a batch built from `bodies` (name, body) reached
        `dataset` at `known_at`; replay re-applies these in order to rebuild history."""
        self.manifest.append(
            "load", dataset=dataset, known_at=known_at,
            bodies=[{"name": name, "source": f.result.source, "sha256": f.sha256,
                     "url": f.result.url, "replay_key": replay_key(f.result.url),
                     "etag": f.result.etag, "last_modified": f.result.last_modified}
                    for name, f in bodies],
            **extra,
        )

    def body_of(self, entry: dict[str, Any]) -> Fetched:
        """A body the manifest lists, read back from the landing zone."""
        body = self.store.get(entry["source"], entry["sha256"])
        result = FetchResult(
            source=entry["source"], url=entry["url"], status=200, body=body,
            etag=entry.get("etag"), last_modified=entry.get("last_modified"),
            content_type=entry.get("content_type"), attempts=0, elapsed_s=0.0,
        )
        return Fetched(result=result, sha256=entry["sha256"])

    def loaded(self, dataset: str, url: str) -> LoadedFile | None:
        """The body last published for this dataset and URL (redacted), if any."""
        if self._cursor is None:
            return self._snapshot.get((dataset, url))
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
        """The newest good body for this request, from the manifest (whichever host served
        it), else from the fetch log of a landing zone older than the manifest."""
        full = full_url(url, params)
        key = replay_key(full)
        entry = self.manifest.good_body(source, key)
        if entry is None and self._cursor is not None:
            with self._lock:
                rows = self._cursor.execute(
                    "SELECT url, sha256, etag, last_modified, content_type FROM raw.fetch_log"
                    " WHERE source = ? AND status = 200 AND problem IS NULL"
                    " ORDER BY fetched_at DESC, fetch_id DESC", [source]).fetchall()
            entry = next(({"source": source, "url": u, "sha256": sha, "etag": e,
                           "last_modified": lm, "content_type": ct}
                          for u, sha, e, lm, ct in rows if replay_key(u) == key), None)
        if entry is None:
            raise FetchError(source, redact_url(full),
                             "replay: no good response for this request in the landing zone")
        fetched = self.body_of(entry)
        return Fetched(dataclasses.replace(fetched.result, url=redact_url(full)),
                       fetched.sha256)

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


def _log_identity(rec: dict[str, Any]) -> tuple[str, str, str]:
    """One response, as a fetch-log row or as its manifest line (time as ISO text)."""
    when = rec["fetched_at"]
    return rec["url"], rec["sha256"], when.isoformat() if isinstance(when, datetime) else when


_LOG_COLUMNS = ("source", "url", "status", "etag", "last_modified", "content_type",
                "size_bytes", "sha256", "raw_path", "fetched_at", "elapsed_s", "attempt",
                "problem", "body_redacted")
_INSERT_LOG = (f"INSERT INTO raw.fetch_log ({', '.join(_LOG_COLUMNS)})"  # noqa: S608
               f" VALUES ({', '.join('?' * len(_LOG_COLUMNS))})")
