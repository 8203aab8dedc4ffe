"""The DuckDB warehouse: one writing process at a time, schemas, transactions.

DuckDB admits a single writing process per file. Every writer takes an exclusive `flock` on
a lock file beside the database first, so two refreshes started at once queue up instead of
failing half-way with DuckDB's own lock error; a writer that cannot get the lock in time fails
with a message that says who holds it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.errors import PipelineError

SCHEMAS = ("raw", "staging", "marts", "quarantine", "meta")


class WarehouseBusy(PipelineError):
    """Another process held the writer lock for longer than we were willing to wait."""


@dataclass(frozen=True)
class Warehouse:
    path: Path
    lock_timeout_s: float = 900.0

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, held under the writer lock for its whole life."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive_lock(self.lock_path, self.lock_timeout_s):
            con = duckdb.connect(str(self.path))
            try:
                ensure_schemas(con)
                yield con
            finally:
                con.close()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection; fails while a writer holds the file (DuckDB's rule)."""
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


_IN_TRANSACTION: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN…COMMIT, or ROLLBACK on any exception: a failed write leaves the old tables.

    Nested use on one connection joins the outer transaction (a replay rebuilds a whole table
    from many batches, each published the usual way, and commits once)."""
    if id(con) in _IN_TRANSACTION:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _IN_TRANSACTION.add(id(con))
    try:
        yield con
    except BaseException:
        _IN_TRANSACTION.discard(id(con))
        con.execute("ROLLBACK")
        raise
    _IN_TRANSACTION.discard(id(con))
    con.execute("COMMIT")


@contextmanager
def _exclusive_lock(path: Path, timeout_s: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
                    raise WarehouseBusy(
                        f"warehouse {path.with_suffix('')} is being written by another process"
                        f" ({holder or 'unknown holder'}); waited {timeout_s:.0f}s"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
