"""Shared fixtures.

Real-file tests read the publisher files shipped in `tests/data/publishers/` (provenance, URL,
retrieval date and terms of use of each in its SOURCES.md). They are part of the repository,
so a plain clone runs every real-file test: nothing is read from outside it.

`make test` runs the suite in parallel processes (pytest-xdist, `--dist loadgroup`): a test
module whose tests share state beyond its fixtures (a module-level list, one clone built per
process) keeps them together with `pytest.mark.xdist_group`.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PUBLISHERS_DIR = REPO_ROOT / "tests" / "data" / "publishers"
# Fixtures of a real end-to-end run (a warehouse built by Dagster, a database server).
END_TO_END = frozenset({"baseline", "baselines", "assets_dir", "replica_at", "postgres"})
# Below Linux's ephemeral range (32768-60999): no socket asking for port 0 is ever given one.
SESSION_PORTS = range(20000, 30000)


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


def run_cost(item: pytest.Item) -> int:
    """0 for the slowest tests (marked slow, or a group sharing an expensive fixture), 1 for
    other end-to-end runs, 2 for the rest."""
    if item.get_closest_marker("slow") or item.get_closest_marker("xdist_group"):
        return 0
    return 1 if END_TO_END.intersection(getattr(item, "fixturenames", ())) else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In parallel processes, hand out the longest tests first: a five-minute test started
    last would make the suite five minutes longer. (xdist then puts the largest groups first;
    the sort is stable, so a group's tests keep their order.)"""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=run_cost)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of real publisher files (reference-data layout: fred/, mof_jgb/, tic/)."""
    return PUBLISHERS_DIR
