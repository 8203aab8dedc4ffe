"""Getting a source's bodies: over HTTP into the landing zone and the fetch log, or, in replay
mode, back from the landing zone alone; and whether a body changed since it was last loaded."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from pipelines.lib.errors import FetchError
from pipelines.lib.fetch_log import (
    INSERT_LOG,
    LOG_COLUMNS,
    LoadedFile,
    ensure_raw_tables,
    flag_bodies,
    log_identity,
)
from pipelines.lib.http import HttpClient, full_url
from pipelines.lib.http_response import FetchResult, ResponseRecord, Validators
from pipelines.lib.manifest import Manifest, replay_key
from pipelines.lib.raw_store import RawStore
from pipelines.lib.redact import redact_url


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

    def detach(self) -> None:
        """Stop writing through the connection, before the writer lock is given up: rows of
        later responses wait for the next `attach` (a download goes on between lock visits)."""
        with self._lock:
            if self._cursor is not None:
                self._cursor.close()
            self._cursor = None

    def _sync_fetch_log(self) -> None:
        """Keep the fetch log and the manifest in step across a lost warehouse or an older
        landing zone: an empty fetch log is refilled from the manifest, and a landing zone
        without a manifest gets one listing the fetch log's responses."""
        assert self._cursor is not None
        logged = self._cursor.execute("SELECT count(*) FROM raw.fetch_log").fetchall()[0][0]
        if logged == 0:
            # The responses downloaded while detached are in the manifest too: they are
            # inserted once, from the pending rows, after this.
            pending = {log_identity(row) for row in self._pending}
            for rec in self.manifest.records("fetch"):
                if log_identity(rec) not in pending:
                    self._insert_log(rec)
        elif not self.manifest.path.exists():
            rows = self._cursor.execute(
                "SELECT source, url, status, etag, last_modified, content_type, size_bytes,"
                " sha256, raw_path, fetched_at, elapsed_s, attempt, problem, body_redacted"
                " FROM raw.fetch_log ORDER BY fetch_id").fetchall()
            for row in rows:
                rec = dict(zip(LOG_COLUMNS, row, strict=True))
                self.manifest.append("fetch", **rec, replay_key=replay_key(rec["url"]))

    def _insert_log(self, rec: dict[str, Any]) -> None:
        assert self._cursor is not None
        self._cursor.execute(INSERT_LOG, [rec.get(c) for c in LOG_COLUMNS])

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
        with self._lock:  # a download thread asks while the publisher may detach: ask inside
            if self._cursor is None:
                return self._snapshot.get((dataset, url))
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
        rows: list[Any] = []
        if entry is None:
            with self._lock:
                if self._cursor is not None:
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
