"""The benchmark harness runs end to end in --quick mode (speed is measured, not asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_bench_writes_a_report(tmp_path: Path) -> None:
    work, report = tmp_path / "work", tmp_path / "REPORT.md"
    env = {k: v for k, v in os.environ.items() if k not in ("FRED_API_KEY", "DAGSTER_HOME")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--dirty", "--work", str(work),
         "--out", str(report)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    text = report.read_text()
    for heading in ("## Machine", "## Scenarios", "## Queries against the serving copy",
                    "## Publication latency", "## The peer", "## Targets"):
        assert heading in text
    for mode in ("keyless", "api"):  # every scenario in both FRED modes
        for scenario in ("cold-backfill", "nothing-new", "one-new-day", "marts-only"):
            assert f"| {mode}/{scenario} |" in text, scenario  # present and not marked FAILED
    # A refresh with nothing new writes nothing and never imports Great Expectations.
    assert "| nothing new: zero rows rewritten | 0 rows, 0 materialisations, Great" \
        " Expectations imported: False | met |" in text


def test_a_dirty_tree_is_named_and_refused_without_dirty(tmp_path: Path) -> None:
    from benchmarks.facts import git_state
    from benchmarks.run import main

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=b@x", "-c", "user.name=b", *args], cwd=tmp_path,
                       check=True, capture_output=True)

    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "benchmarks" / "REPORT.md").write_text("old\n")
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "one")
    (tmp_path / "benchmarks" / "REPORT.md").write_text("new\n")  # the output never counts
    head, dirty = git_state(tmp_path)
    assert len(head) == 40 and dirty == []
    (tmp_path / "a.py").write_text("x = 2\n")
    assert git_state(tmp_path)[1] == ["a.py"]
    if git_state(ROOT)[1]:  # this checkout is dirty: the harness refuses before any work
        assert main(["--quick", "--work", str(tmp_path / "w")]) == 2
        assert not (tmp_path / "w").exists()
