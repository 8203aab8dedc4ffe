"""The suite's scheduler: shared-state tests stay together, the longest units go first."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests import scheduling

MATRIX = "tests/reliability/test_fault_matrix.py::test_fault_recovers_or_fails_cleanly"


@dataclass
class Item:
    """What the scheduler reads of a pytest item."""

    nodeid: str
    slow: bool = False
    fixturenames: tuple[str, ...] = field(default=())

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "slow" and self.slow else None


def test_shared_state_files_and_a_sources_matrix_cases_are_one_unit() -> None:
    docs = "tests/docs/test_doc_commands.py"
    assert scheduling.work_unit(f"{docs}::test_a[README.md]") == docs
    assert scheduling.work_unit(f"{MATRIX}[tic-timeout]") == f"{MATRIX}[tic"
    assert scheduling.work_unit(f"{MATRIX}[fred_api-timeout]") == f"{MATRIX}[fred_api"
    alone = "tests/lib/test_http.py::test_x"
    assert scheduling.work_unit(alone) == alone


def test_durations_add_up_the_phases_of_each_test() -> None:
    report = ["=== slowest 70 durations ===",
              "300.50s call     tests/test_benchmarks_smoke.py::test_quick",
              "61.91s setup    tests/docs/test_doc_commands.py::test_every[deploy.md]",
              "10.09s call     tests/docs/test_doc_commands.py::test_every[deploy.md]",
              "(4 durations < 0.005s hidden.)"]
    assert scheduling.durations_from(report) == {
        "tests/test_benchmarks_smoke.py::test_quick": 300.5,
        "tests/docs/test_doc_commands.py::test_every[deploy.md]": 72.0}


def test_units_go_longest_first_and_a_units_tests_keep_their_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduling, "measured", lambda: {
        "tests/a.py::test_measured_long": 200.0, f"{MATRIX}[tic-one]": 50.0,
        f"{MATRIX}[tic-two]": 60.0, "tests/a.py::test_measured_short": 0.1})
    items = [Item("tests/a.py::test_quick_1"), Item("tests/a.py::test_measured_short"),
             Item(f"{MATRIX}[tic-one]"), Item("tests/a.py::test_e2e", fixturenames=("baseline",)),
             Item("tests/a.py::test_quick_2"), Item("tests/a.py::test_slow", slow=True),
             Item(f"{MATRIX}[tic-two]"), Item("tests/a.py::test_measured_long")]
    scheduling.longest_first(items)  # type: ignore[arg-type]
    assert [i.nodeid.rsplit("::", 1)[1] for i in items] == [
        "test_measured_long",  # 200 s
        "test_fault_recovers_or_fails_cleanly[tic-one]",  # the tic unit: 110 s in all
        "test_fault_recovers_or_fails_cleanly[tic-two]",
        "test_slow",  # estimated as slow
        "test_e2e",  # estimated as end to end
        "test_quick_1", "test_quick_2",  # estimated short, in their order
        "test_measured_short",
    ]
