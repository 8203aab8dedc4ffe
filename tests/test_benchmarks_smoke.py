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
        [sys.executable, "-m", "benchmarks.run", "--quick", "--work", str(work),
         "--out", str(report)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    text = report.read_text()
    for heading in ("## Machine", "## Scenarios", "## Queries against the serving copy",
                    "## Publication latency", "## The peer", "## Targets"):
        assert heading in text
    for scenario in ("cold-backfill", "nothing-new", "one-new-day", "marts-only"):
        assert f"| {scenario} |" in text, scenario  # present and not marked FAILED
    # A refresh with nothing new writes nothing and never imports Great Expectations.
    assert "| nothing new: zero rows rewritten | 0 rows, 0 materialisations, Great" \
        " Expectations imported: False | met |" in text
