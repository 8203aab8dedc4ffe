"""The benchmark harness runs end to end in --quick mode (speed is measured, not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_bench_writes_a_report(tmp_path: Path) -> None:
    """One FRED mode: the API mode is the same harness code with a key set (its one
    mode-specific child, the fredapi peer, is tested below), and `make bench` runs both."""
    work, report = tmp_path / "work", tmp_path / "REPORT.md"
    env = {k: v for k, v in os.environ.items() if k not in ("FRED_API_KEY", "DAGSTER_HOME")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--modes", "keyless", "--dirty",
         "--work", str(work), "--out", str(report)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    text = report.read_text()
    for heading in ("## Machine", "## Scenarios", "## Queries against the serving copy",
                    "## Publication latency", "## The peer", "## Targets"):
        assert heading in text
    for scenario in ("cold-backfill", "nothing-new", "one-new-day", "marts-only"):
        assert f"| keyless/{scenario} |" in text, scenario  # present and not marked FAILED
    assert "| api/" not in text and "### api mode" not in text  # --modes was obeyed
    # A refresh with nothing new writes nothing and never imports Great Expectations.
    assert "| nothing new: zero rows rewritten | 0 rows, 0 materialisations, Great" \
        " Expectations imported: False | met |" in text


def test_the_peers_load_the_same_rows_through_fredapi_and_fredgraph(tmp_path: Path) -> None:
    """The API mode's own child of the harness: the fredapi peer loses no series and writes
    what the keyless peer writes from the same replica."""
    from benchmarks.peer import main as peer
    from pipelines.replica import Replica
    from tests.envvars import patched_environ
    from tests.runs.scenario import write_catalogue

    catalogue = write_catalogue(tmp_path)
    written = {}
    with (Replica.start(fred_rate_limit=(0, 0)) as rep,
          patched_environ({**rep.env(), "FRED_CATALOGUE": str(catalogue)})):
        for mode in ("keyless", "api"):
            out = tmp_path / f"{mode}.json"
            assert peer(["--db", str(tmp_path / f"{mode}.duckdb"), "--fred", mode,
                         "--key", "0" * 32, "--out", str(out)]) == 0
            written[mode] = json.loads(out.read_text())
    for result in written.values():
        assert result["series_lost"] == [] and result["series"] == 3, result
        assert result["files_failed"] == {}, result
    fred_rows = {}
    for mode in written:
        with duckdb.connect(str(tmp_path / f"{mode}.duckdb"), read_only=True) as con:
            fred_rows[mode] = con.execute("SELECT series_id, count(*), sum(value) FROM"
                                          " fred_observations GROUP BY ALL ORDER BY 1").fetchall()
    assert len(fred_rows["api"]) == 3 and fred_rows["api"] == fred_rows["keyless"]
    assert written["api"]["rows_written"] == written["keyless"]["rows_written"] > 0


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
