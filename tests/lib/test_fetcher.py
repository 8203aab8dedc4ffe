"""The Fetcher between lock visits: a download thread asking what was loaded while the
publisher detaches at a chunk boundary (pipelines/defs/fred/assets.py) gets an answer.

Seen in a full suite run: one FRED series of a cold backfill failed with "AttributeError:
'NoneType' object has no attribute 'execute'": `loaded` saw a cursor, the publisher detached,
then `loaded` used the cursor it no longer had.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType

import duckdb

from pipelines.lib.fetch_log import LoadedFile, ensure_raw_tables
from pipelines.lib.fetcher import Fetched, Fetcher
from pipelines.lib.http_response import FetchResult, Validators
from pipelines.lib.raw_store import RawStore
from pipelines.lib.warehouse import ensure_schemas

URL = "https://fred.example/graph/fredgraph.csv?id=DGS10"


class DetachesFirst:
    """The fetcher's lock, except that the first caller to take it finds the publisher has
    detached just before: the interleaving of a chunk boundary, made certain."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.inner = threading.Lock()
        self.fetcher = fetcher
        self.armed = True

    def __enter__(self) -> None:
        if self.armed:
            self.armed = False
            self.fetcher.detach()  # takes this lock too, unarmed now
        self.inner.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.inner.release()


def _fetcher(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> Fetcher:
    ensure_schemas(con)
    ensure_raw_tables(con)
    published = FetchResult(source="fred", url=URL, status=200, body=b"", etag=None,
                            last_modified=None, content_type=None, attempts=1, elapsed_s=0.0)
    Fetcher.mark_loaded(con, "fred", Fetched(published, "in-the-warehouse"), rows=3)
    snapshot = {("fred", URL): _loaded("in-the-snapshot")}
    return Fetcher(con, RawStore(tmp_path / "raw"), None, snapshot=snapshot)


def _loaded(sha: str) -> LoadedFile:
    return LoadedFile(sha, Validators(etag=None, last_modified=None), 3, None)


def test_loaded_reads_the_warehouse_while_attached_and_the_snapshot_once_detached(
        tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    fetcher = _fetcher(tmp_path, con)
    attached = fetcher.loaded("fred", URL)
    fetcher.detach()
    assert attached is not None and attached.sha256 == "in-the-warehouse"
    detached = fetcher.loaded("fred", URL)
    assert detached is not None and detached.sha256 == "in-the-snapshot"


def test_a_detach_between_the_question_and_the_lock_answers_from_the_snapshot(
        tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    fetcher = _fetcher(tmp_path, con)
    fetcher._lock = DetachesFirst(fetcher)  # type: ignore[assignment]

    answer = fetcher.loaded("fred", URL)  # failed with AttributeError before the fix

    assert answer is not None and answer.sha256 == "in-the-snapshot"
