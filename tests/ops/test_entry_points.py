"""`make run`'s entry point (pipelines.demo --live) against the replica, in real subprocesses.

One baseline refresh (three FRED series, every MOF and TIC file) is built once; each test
copies it. What is asserted is what an operator sees: the console lines, the exit code, the
run's status in the Dagster instance, and the serving copy.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests

from pipelines.replica import Replica
from tests.conftest import REPO_ROOT
from tests.reliability.harness import write_catalogue

pytestmark = pytest.mark.slow

TABLE5 = "/resource-center/data-chart-center/tic/Documents/slt_table5.txt"
JGB = "/english/policy/jgbs/"


def _env(rep: Replica, root: Path, catalogue: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FRED_API_KEY", "REPLAY")}
    return {**env, **rep.env(), "DAGSTER_HOME": str(root / "home"),
            "ASSETS_DIR": str(root / "assets"), "FRED_CATALOGUE": str(catalogue)}


def _demo(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pipelines.demo", *args], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _runs(root: Path) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(root / "home")) as instance:
        return list(instance.get_runs())


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalogue(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    rep = Replica.start()
    yield rep
    rep.stop()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, replica: Replica,
             catalogue: Path) -> Path:
    root = tmp_path_factory.mktemp("baseline")
    (root / "home").mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", root / "home" / "dagster.yaml")
    proc = _demo(_env(replica, root, catalogue), "--live")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, out[-3000:] + err[-3000:]
    assert f"serving copy: {root / 'assets' / 'serving' / 'analytics.duckdb'} (open this one)" \
        in out
    return root


def test_nothing_new_prints_nothing_but_the_summary(
    tmp_path: Path, baseline: Path, replica: Replica, catalogue: Path,
) -> None:
    """Issue 13: a run with nothing new printed 56 "emitted no result" warnings and a
    5,850-character "did not yield or return expected outputs" line."""
    root = _copy(baseline, tmp_path / "run")
    proc = _demo(_env(replica, root, catalogue), "--live")
    out, err = proc.communicate(timeout=400)
    assert proc.returncode == 0, out[-3000:] + err[-3000:]
    assert err == ""
    before_summary = out.split("\nDagster run ", 1)[0].strip()
    assert before_summary == "", before_summary
    assert max(len(line) for line in out.splitlines()) < 300
    assert "serving copy: " in out and "none yet" not in out


def test_a_parse_error_on_a_quiet_day_ends_the_run_with_one_line(
    tmp_path: Path, baseline: Path, replica: Replica, catalogue: Path,
) -> None:
    """Issue 13: TIC's Table 5 with '1183.9x' in Japan's row while every other source has
    nothing new used to spin forever in the in-process executor."""
    root = _copy(baseline, tmp_path / "run")
    body = requests.get(replica.url + TABLE5, timeout=10).content.decode("latin-1")
    lines = body.splitlines(keepends=True)
    japan = next(i for i, line in enumerate(lines) if line.lower().startswith("japan"))
    lines[japan] = re.sub(r"(\d+\.\d)", r"\1x", lines[japan], count=1)
    broken = re.search(r"\d+\.\dx", lines[japan]).group(0)  # type: ignore[union-attr]
    serving = root / "assets" / "serving" / "analytics.duckdb"
    before = serving.stat().st_mtime
    replica.put(TABLE5, "".join(lines).encode("latin-1"), content_type="text/plain")
    started = time.monotonic()
    proc = _demo(_env(replica, root, catalogue), "--live")
    out, err = proc.communicate(timeout=400)  # spinning would never end
    assert time.monotonic() - started < 400
    assert proc.returncode == 1, out[-3000:] + err[-3000:]
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1, out
    # The one line names the step, the table, the source with its URL, and the cause.
    assert failed[0].startswith("FAILED tic_major_foreign_holders: tic/tic_holdings not"
                                " refreshed, previous data kept: tic (")
    assert TABLE5 in failed[0] and f"'{broken}' is not a number" in failed[0]
    for noise in ("Traceback", "Stack Trace", "Blocking asset check", "did not yield",
                  "Dependencies for step"):
        assert noise not in out + err
    runs = _runs(root)
    assert runs[0].status == dg.DagsterRunStatus.FAILURE
    # The serving copy is still there, and the summary says whether this run wrote it.
    assert serving.exists()
    if serving.stat().st_mtime == before:
        assert "NOT updated by this run" in out
    con = duckdb.connect(str(serving), read_only=True)
    try:
        cols = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE"
                                          " table_name = 'table_status'").fetchall()}
        if "is_stale" in cols and serving.stat().st_mtime != before:
            stale = dict(con.execute("SELECT table_name, stale_reason FROM meta.table_status"
                                     " WHERE is_stale").fetchall())
            assert "slt_table5.txt" in (stale.get("tic_holdings") or "")
            assert "stale (" in out and "tic_holdings" in out
    finally:
        con.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_second_refresh_is_refused_and_a_signal_stops_the_first(
    tmp_path: Path, baseline: Path, catalogue: Path, sig: signal.Signals,
) -> None:
    """While a refresh runs, another one prints one line and exits 75; Ctrl-C or SIGTERM then
    stops the first within seconds and its run is CANCELED or FAILURE, never STARTED."""
    root = _copy(baseline, tmp_path / "run")
    with Replica.start() as other:  # another host: every file is fetched again, a long run
        env = _env(other, root, catalogue)
        first = _demo(env, "--live")
        try:
            lock = root / "assets" / ".refresh.lock"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and "pid" not in (
                    lock.read_text() if lock.exists() else ""):
                time.sleep(0.5)
            second = _demo(env, "--live")
            out2, err2 = second.communicate(timeout=120)
            assert second.returncode == 75
            assert out2 == ""
            assert err2.strip().splitlines() == [
                f"another refresh holds the warehouse (pid {first.pid}, since"
                f" {err2.split('since ', 1)[1].split(')', 1)[0]}); retry later (lock: {lock})"]
            # Wait for the first run to be under way in the instance, then signal it.
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and not any(
                    r.status == dg.DagsterRunStatus.STARTED for r in _runs(root)):
                time.sleep(0.5)
            time.sleep(3)
            signalled = time.monotonic()
            first.send_signal(sig)
            out, err = first.communicate(timeout=60)
            stopped_in = time.monotonic() - signalled
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
    assert stopped_in < 30, (stopped_in, out[-2000:], err[-2000:])
    assert first.returncode in (1, 130), out[-2000:] + err[-2000:]
    latest = _runs(root)[0]
    assert latest.tags.get("jgb/entry") == "make run"
    assert latest.status in (dg.DagsterRunStatus.CANCELED, dg.DagsterRunStatus.FAILURE)
    assert "Traceback" not in out + err
