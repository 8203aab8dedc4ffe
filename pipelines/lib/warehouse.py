"""The DuckDB warehouse: one writing process at a time, schemas, transactions.

DuckDB admits a single writing process per file. Every writer takes an exclusive `flock` on
a lock file beside the database first, so two refreshes started at once queue up instead of
failing half-way with DuckDB's own lock error; a writer that cannot get the lock in time fails
with a message that says who holds it.

Local damage ends in one line that says what to do (`WarehouseError`): a file held open by
another program (a reader that belongs on the serving copy) after a bounded wait, a truncated
or corrupt file (with the command that rebuilds it from the landing zone), a read-only or
full disk.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.errors import WarehouseError
from pipelines.lib.redact import redact_text

SCHEMAS = ("raw", "staging", "marts", "quarantine", "meta")
_DISK_ERRNOS = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
                errno.EACCES: "permission denied", errno.EDQUOT: "the disk quota is exhausted"}
_DUCKDB_DISK = re.compile(r"No space left|Read-only file system|Permission denied|"
                          r"Disk quota", re.IGNORECASE)
_DUCKDB_DAMAGE = re.compile(r"not a valid DuckDB database|Could not read enough bytes|"
                            r"checksum|Corrupt|INTERNAL Error|Serialization", re.IGNORECASE)
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (\S+) \(PID (\d+)\)")


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8  # glibc mallopt()


def _c_heap() -> Callable[[int], int] | None:
    """glibc's malloc_trim, after bounding its heap's retention; None under another libc.

    DuckDB allocates through glibc malloc, from worker threads that each get an arena whose
    freed pages stay mapped. Fewer arenas, large blocks mapped on their own (returned on
    free), and a heap top that is trimmed at once keep one step's high-water mark from
    becoming the next step's floor.
    """
    try:
        libc = ctypes.CDLL(None)  # the C library already loaded
        trim, mallopt = libc.malloc_trim, libc.mallopt
    except (OSError, AttributeError):
        return None
    mallopt(_M_ARENA_MAX, 2)
    mallopt(_M_MMAP_THRESHOLD, 256 * 1024)
    mallopt(_M_TRIM_THRESHOLD, 1024 * 1024)
    return trim


_MALLOC_TRIM = _c_heap()


class WarehouseBusy(WarehouseError):
    """Another process held the writer lock for longer than we were willing to wait."""


@dataclass(frozen=True)
class Warehouse:
    path: Path
    lock_timeout_s: float = 900.0
    # How long to wait for a program that opened the file without our lock (a DuckDB CLI,
    # a BI tool pointed at the warehouse instead of the serving copy).
    open_timeout_s: float = 30.0

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, held under the writer lock for its whole life."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise disk_error(self.path.parent, exc) from None
        with _exclusive_lock(self.lock_path, self.lock_timeout_s):
            con = self._open()
            try:
                ensure_schemas(con)
                yield con
            except (duckdb.IOException, duckdb.OperationalError) as exc:
                if _DUCKDB_DISK.search(str(exc)):
                    raise WarehouseError(
                        f"warehouse {self.path}: a write failed ({_first_line(exc)}): free"
                        " space or fix permissions; the failed batch was rolled back, so the"
                        " next run starts clean") from exc
                raise
            finally:
                con.close()
                release_freed_memory()

    def _open(self) -> duckdb.DuckDBPyConnection:
        """duckdb.connect, waiting a bounded time for another program's DuckDB lock, and
        turning a damaged file into one line with the command that rebuilds it."""
        deadline = time.monotonic() + self.open_timeout_s
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                text = str(exc)
                holder = _DUCKDB_HOLDER.search(text)
                if holder and time.monotonic() < deadline:
                    time.sleep(0.5)
                    continue
                if holder:
                    raise WarehouseBusy(
                        f"warehouse {self.path} is held open by {holder[1]} (PID {holder[2]});"
                        f" waited {self.open_timeout_s:.0f} s. Readers belong on the serving"
                        f" copy ({self.path.parent / 'serving' / 'analytics.duckdb'}, read-only),"
                        " never on the warehouse: close that program and run again") from None
                if _DUCKDB_DISK.search(text):
                    raise WarehouseError(
                        f"warehouse {self.path} cannot be opened ({_first_line(exc)}): free"
                        " space or fix permissions, then run again") from None
                if _DUCKDB_DAMAGE.search(text):
                    raise WarehouseError(
                        f"warehouse {self.path} is damaged ({_first_line(exc)}). Restore:"
                        f" mv {self.path} {self.path}.damaged && REPLAY=1 make run (rebuilds"
                        " staging, with history, from assets/raw/; marts and serving follow)"
                    ) from None
                raise


def release_freed_memory() -> None:
    """Hand the C heap's free pages back to the OS (glibc `malloc_trim`).

    DuckDB allocates through glibc malloc from its worker threads, whose arenas keep freed
    pages mapped; a run that opens the warehouse once per step would otherwise carry every
    step's high-water mark into the next. A no-op where glibc is not the C library.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def disk_error(where: Path, exc: OSError) -> WarehouseError:
    """One line for a local write that the disk refused."""
    why = _DISK_ERRNOS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return WarehouseError(f"cannot write under {where}: {why}; free space or fix permissions,"
                          " then run again (nothing half-written is kept)")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]

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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise disk_error(path.parent, exc) from None
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
                        f" ({holder or 'unknown holder'}); waited {timeout_s:.0f}s; run again"
                        " when it has finished"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, {_command()}".encode(), 0)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _command() -> str:
    """This process's command line, short, for the lock file (who holds the warehouse)."""
    try:
        with open(f"/proc/{os.getpid()}/cmdline", "rb") as fh:
            text = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
            return redact_text(text)[:150]
    except OSError:
        return "unknown command"
