"""How `make test` shares the suite between its processes: longest work first, measured.

Tests go to whichever process is idle, one work unit at a time. A unit is a test alone, except
tests that share what one process builds (a module fixture, a module-level list): a whole file
of ONE_PROCESS, or the fault-matrix cases of one source. Units are handed out longest first
(the classic longest-processing-time rule): a five-minute test started last would make the
suite five minutes longer. A unit's length is the sum of its tests' seconds in
tests/durations.json (from a `--durations` run), or an estimate by kind for a test not listed.

Rebuild the table from a run's output (`pytest ... --durations=100 > log`):

    python -m tests.scheduling log
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DURATIONS = Path(__file__).with_name("durations.json")
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
# Seconds assumed for a test the table does not list, by kind (typical of each kind on
# 2 cores): marked slow or part of a shared unit, other end-to-end runs, the rest.
ESTIMATE_S = {"slow": 30.0, "end_to_end": 10.0, "other": 0.5}
# One line of pytest's `--durations` report: "12.34s call     tests/x.py::test_y[a]".
DURATION_LINE = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+(\S+)")


def work_unit(nodeid: str) -> str:
    """What the scheduler hands to one process at once: a whole file of ONE_PROCESS, the
    fault-matrix cases of one source, or else the test alone."""
    path = nodeid.split("::", 1)[0]
    if path in ONE_PROCESS:
        return path
    case = MATRIX_CASE.match(nodeid)
    return case.group(1) if case else nodeid


@cache
def measured() -> dict[str, float]:
    """Seconds per test node id, as last measured (setup + call + teardown)."""
    if not DURATIONS.exists():
        return {}
    return json.loads(DURATIONS.read_text(encoding="utf-8"))["seconds"]


def estimated_s(item: pytest.Item) -> float:
    """The test's measured seconds, else the estimate for its kind."""
    seconds = measured().get(item.nodeid)
    if seconds is not None:
        return seconds
    if item.get_closest_marker("slow") or work_unit(item.nodeid) != item.nodeid:
        return ESTIMATE_S["slow"]
    if END_TO_END.intersection(getattr(item, "fixturenames", ())):
        return ESTIMATE_S["end_to_end"]
    return ESTIMATE_S["other"]


def longest_first(items: list[pytest.Item]) -> None:
    """Sort in place: units by their total seconds, longest first. The sort is stable, so a
    unit's tests keep their order, and so do units of equal length (the short tests of one
    module stay together, sharing its fixtures)."""
    totals: dict[str, float] = {}
    for item in items:
        unit = work_unit(item.nodeid)
        totals[unit] = totals.get(unit, 0.0) + estimated_s(item)
    items.sort(key=lambda item: -totals[work_unit(item.nodeid)])


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's loadscope scheduler, grouping by `work_unit` and keeping our order. (Its
    `xdist_group` marks do not group under pytest 9.2: they rewrite a node id pytest no
    longer reads, pytest-xdist issue 1386.)"""
    from xdist.scheduler import LoadScopeScheduling

    # xdist would otherwise reorder units by their number of tests.
    config.option.loadscopereorder = False

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return ByWorkUnit(config, log)


def durations_from(lines: Iterable[str]) -> dict[str, float]:
    """Seconds per node id from pytest's `--durations` report (phases added up)."""
    seconds: dict[str, float] = {}
    for line in lines:
        match = DURATION_LINE.match(line)
        if match:
            nodeid = match.group(3)
            seconds[nodeid] = round(seconds.get(nodeid, 0.0) + float(match.group(1)), 2)
    return seconds


def main(argv: list[str]) -> int:
    """Rebuild tests/durations.json from `--durations` logs; tests absent from them keep
    their previous value."""
    table = dict(measured())
    for name in argv:
        table.update(durations_from(Path(name).read_text(encoding="utf-8").splitlines()))
    document = {"source": "pytest --durations, setup + call + teardown seconds per test"
                          " (python -m tests.scheduling LOG)",
                "seconds": dict(sorted(table.items(), key=lambda kv: -kv[1]))}
    DURATIONS.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"{DURATIONS}: {len(table)} tests")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
