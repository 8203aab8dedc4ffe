"""Shared fixtures.

Real-file tests read the publisher files shipped in `tests/data/publishers/` (provenance, URL,
retrieval date and terms of use of each in its SOURCES.md). They are part of the repository,
so a plain clone runs every real-file test: nothing is read from outside it.

`make test` runs the suite in parallel processes (pytest-xdist). Tests go to whichever process
is free, one at a time, except the units of `work_unit`: tests that share state a process
builds once (a module fixture, a module-level list) run together in one process.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PUBLISHERS_DIR = REPO_ROOT / "tests" / "data" / "publishers"
# Files whose tests share what one process builds: the docs clone after `make demo` (and
# _WORKED), the crash tests' module baselines and LANDED (read by test_zz), the entry points'
# baseline refresh, the four runs of the replay-history fixture.
ONE_PROCESS = frozenset({
    "tests/docs/test_doc_commands.py",
    "tests/reliability/test_crash_safety.py",
    "tests/ops/test_entry_points.py",
    "tests/integrity/test_replay_history.py",
})
# A fault-matrix case id starts with its source: the cases of one source share its D1
# reference run (and their FRED mode's baseline), so they run in one process.
MATRIX_CASE = re.compile(r"^(tests/reliability/test_fault_matrix\.py::\w+\[[a-z_]+)-")
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


def work_unit(nodeid: str) -> str:
    """What the scheduler hands to one process at once: a whole file of ONE_PROCESS, the
    fault-matrix cases of one source, or else the test alone."""
    path = nodeid.split("::", 1)[0]
    if path in ONE_PROCESS:
        return path
    case = MATRIX_CASE.match(nodeid)
    return case.group(1) if case else nodeid


def run_cost(item: pytest.Item) -> int:
    """0 for the slowest tests (marked slow, or sharing what one process builds), 1 for other
    end-to-end runs, 2 for the rest."""
    if item.get_closest_marker("slow") or work_unit(item.nodeid) != item.nodeid:
        return 0
    return 1 if END_TO_END.intersection(getattr(item, "fixturenames", ())) else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In parallel processes, hand out the longest tests first: a five-minute test started
    last would make the suite five minutes longer. (The scheduler then sends the largest
    units first; the sort is stable, so a unit's tests keep their order.)"""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=run_cost)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's own loadgroup scheduler, but grouping by `work_unit`. (Its `xdist_group` marks
    do not group under pytest 9.2: they rewrite a node id pytest no longer reads,
    pytest-xdist issue 1386, so the units are named here, from node ids.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return ByWorkUnit(config, log)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of real publisher files (reference-data layout: fred/, mof_jgb/, tic/)."""
    return PUBLISHERS_DIR
