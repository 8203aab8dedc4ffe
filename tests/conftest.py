"""Shared fixtures.

Real-file tests read the publisher files shipped in `tests/data/publishers/` (provenance, URL,
retrieval date and terms of use of each in its SOURCES.md). They are part of the repository,
so a plain clone runs every real-file test: nothing is read from outside it.

`make test` runs the suite in parallel processes (pytest-xdist), longest work first; tests that
share state a process builds once run together in one process (tests/scheduling.py).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.scheduling import longest_first, make_scheduler

REPO_ROOT = Path(__file__).resolve().parents[1]
PUBLISHERS_DIR = REPO_ROOT / "tests" / "data" / "publishers"
# Where the suite keeps compiled bytecode when the shell forbids writing it beside the sources.
BYTECODE_CACHE = REPO_ROOT / ".pytest_cache" / "pycache"
# Below Linux's ephemeral range (32768-60999): no socket asking for port 0 is ever given one.
SESSION_PORTS = range(20000, 30000)


def cache_bytecode() -> None:
    """Let this process and every child compile each module once, into BYTECODE_CACHE.

    With PYTHONDONTWRITEBYTECODE set (as some shells and containers do), each of the
    hundreds of processes the suite starts (runs, replicas, Dagster's daemon, run workers,
    code servers) compiled Dagster and its dependencies from source again: 4.8 s of CPU to
    import pipelines.definitions against 1.9 s from cached bytecode. The cache is kept out of
    the source tree (PYTHONPYCACHEPREFIX), which is what the variable's users usually want."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    prefix = os.environ.setdefault("PYTHONPYCACHEPREFIX", str(BYTECODE_CACHE))
    Path(prefix).mkdir(parents=True, exist_ok=True)
    sys.dont_write_bytecode = False
    sys.pycache_prefix = prefix


cache_bytecode()


def session_port() -> int:
    """A free localhost port for a session to keep for all its replicas (stopped and started
    again between tests). It lies outside the ephemeral range, so no other server asking for
    "any port" can take it while a replica is down, and each xdist worker has its own slice,
    so two workers never pick the same one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    slice_size = 1000
    first = SESSION_PORTS.start + (int(worker) if worker.isdigit() else 0) % 10 * slice_size
    offset = os.getpid() % slice_size  # two sessions side by side start far apart
    for step in range(slice_size):
        port = first + (offset + step) % slice_size
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {first}-{first + slice_size - 1}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In parallel processes, hand out the longest work first (tests/scheduling.py)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        longest_first(items)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Units of work as tests/scheduling.py groups them, in the order of the collection."""
    return make_scheduler(config, log)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of real publisher files (reference-data layout: fred/, mof_jgb/, tic/)."""
    return PUBLISHERS_DIR
