"""SIGKILL a writer mid-write: the warehouse and the serving copy must survive, for real.

A subprocess (crash_writer.py) does the write; the test kills it with SIGKILL at spread-out
moments of a measured clean write (and once paused inside the publishing transaction), then
reopens what it left and checks that it holds either the previous state or the complete new
one, never a mix, and that the next write succeeds. Where each kill landed is printed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.mof.jgb import mof_jgb_yields
from pipelines.lib.publish import publish_batch
from pipelines.lib.warehouse import Warehouse
from pipelines.serving.publish import SERVING_FILE, publish_serving_copy
from pipelines.staging.mof import JGB_YIELDS
from tests.reliability import harness as h
from tests.reliability.conftest import Baselines
from tests.reliability.crash_writer import jgb_batch

ROOT = Path(__file__).resolve().parents[2]
ROWS = 450_000
KILLS = 5
FRACTIONS = [(k + 0.5) / KILLS for k in range(KILLS)]  # kill at 10 %, 30 % … 90 % of a write
LANDED: list[str] = []


@dataclass
class Killed:
    saw: list[str]  # the writer's progress words before the kill
    after_s: float  # seconds after START


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_writer", *args], cwd=ROOT,
        stdout=subprocess.PIPE, text=True,
        stderr=None if os.environ.get("CRASH_DEBUG") else subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def read_until(proc: subprocess.Popen[str], word: str, saw: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        saw.append(line.strip())
        if line.strip() == word:
            return
    raise AssertionError(f"writer exited ({proc.wait()}) before {word}: {saw}")


def run_to_end(*args: str, env: dict[str, str] | None = None) -> float:
    """A clean write in the subprocess; returns its START-to-DONE seconds."""
    proc, saw = spawn(*args, env=env), []
    read_until(proc, "START", saw)
    started = time.monotonic()
    read_until(proc, "DONE", saw)
    elapsed = time.monotonic() - started
    assert proc.wait(timeout=60) == 0
    return elapsed


def kill_after(delay_s: float, *args: str, wait_for: str = "START",
               env: dict[str, str] | None = None) -> Killed:
    """Start the writer, wait for `wait_for`, SIGKILL it `delay_s` later."""
    proc, saw = spawn(*args, env=env), []
    read_until(proc, wait_for, saw)
    started = time.monotonic()
    time.sleep(delay_s)
    os.kill(proc.pid, signal.SIGKILL)
    code = proc.wait(timeout=30)
    assert proc.stdout is not None
    saw.extend(line.strip() for line in proc.stdout)
    assert code == -signal.SIGKILL or "DONE" in saw, f"writer failed ({code}): {saw}"
    return Killed(saw, time.monotonic() - started)


def jgb_digest(path: Path) -> tuple[tuple[int, int], int]:
    """staging.jgb_yields and the row count of its history (whose stamps are the write's
    clock time). Opening read-write replays (or drops) the WAL, as the next run would."""
    con = duckdb.connect(str(path))
    try:
        return (h.table_digest(con, "staging.jgb_yields"),
                h.table_digest(con, "staging.jgb_yields_history")[0])
    finally:
        con.close()


# --- publish_batch ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A warehouse holding one batch, the digests before/after a second one, its duration."""
    folder = tmp_path_factory.mktemp("crash_publish")
    base = folder / "base.duckdb"
    with Warehouse(base).connect() as con:
        publish_batch(con, JGB_YIELDS, jgb_batch(ROWS, 0.0), dataset="crash_test")
    done = folder / "done.duckdb"
    shutil.copy(base, done)
    seconds = run_to_end("publish", str(done), str(ROWS), "0.01")
    return {"base": base, "before": jgb_digest(base), "after": jgb_digest(done),
            "seconds": seconds}


def recover_and_check(path: Path, published: dict[str, object]) -> None:
    """The next run succeeds and leaves exactly the state a run without a crash leaves."""
    with Warehouse(path, lock_timeout_s=5).connect() as con:
        publish_batch(con, JGB_YIELDS, jgb_batch(ROWS, 0.01), dataset="crash_test")
    assert jgb_digest(path) == published["after"]


@pytest.mark.parametrize("attempt", range(KILLS))
def test_sigkill_inside_publish_transaction_leaves_previous_staging(
    attempt: int, published: dict[str, object], tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(published["base"], path)  # type: ignore[arg-type]
    killed = kill_after(0.05 * attempt, "publish", str(path), str(ROWS), "0.01",
                        wait_for="IN_TRANSACTION", env={"CRASH_PAUSE": "1"})
    assert jgb_digest(path) == published["before"]
    LANDED.append(f"publish_batch, paused inside the transaction after the merge, killed"
                  f" {killed.after_s:.2f}s later: previous state")
    recover_and_check(path, published)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_sigkill_during_publish_leaves_previous_or_complete_state(
    fraction: float, published: dict[str, object], tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(published["base"], path)  # type: ignore[arg-type]
    delay = fraction * float(published["seconds"])  # type: ignore[arg-type]
    killed = kill_after(delay, "publish", str(path), str(ROWS), "0.01")
    state = jgb_digest(path)
    assert state in (published["before"], published["after"]), "a half-written batch"
    LANDED.append(f"publish_batch at {fraction:.0%} of a {published['seconds']:.1f}s write"
                  f" ({killed.after_s:.2f}s): "
                  + ("previous state" if state == published["before"] else "committed state")
                  + (" (the write had finished)" if "DONE" in killed.saw else ""))
    recover_and_check(path, published)


# --- the serving copy ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def serving_base(baselines: Baselines, tmp_path_factory: pytest.TempPathFactory
                 ) -> dict[str, object]:
    """A warehouse with a serving copy, then a marker table the next copy will carry."""
    folder = tmp_path_factory.mktemp("crash_serving") / "assets"
    shutil.copytree(baselines.get(False).dir, folder)
    old = folder / "serving" / SERVING_FILE
    before = h.file_sha256(old)
    with Warehouse(folder / "warehouse.duckdb").connect() as con:
        con.execute("CREATE TABLE marts.crash_marker AS SELECT 42 AS answer")
    probe = folder.parent / "probe"
    shutil.copytree(folder, probe)
    seconds = run_to_end("serving", str(probe / "warehouse.duckdb"), str(probe / "serving"))
    return {"dir": folder, "before": before, "seconds": seconds}


def serving_state(serving_dir: Path) -> str:
    """'previous' (the old file, byte for byte) or 'new' (complete, with the marker)."""
    con = duckdb.connect(str(serving_dir / SERVING_FILE), read_only=True)
    try:
        tables = {r[0] for r in con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
        if "marts.crash_marker" not in tables:
            return "previous"
        assert con.execute("SELECT answer FROM marts.crash_marker").fetchall() == [(42,)]
        assert "meta.table_status" in tables  # written last: the file is whole
        return "new"
    finally:
        con.close()


# The rename comes after the slow part (the checkpoint on DETACH), so the kills spread past
# the measured duration too: some land after the swap, in the Parquet writing or after it.
@pytest.mark.parametrize("fraction", [0.1, 0.4, 0.7, 1.0, 1.3])
def test_sigkill_during_serving_publish_keeps_a_whole_serving_copy(
    fraction: float, serving_base: dict[str, object], tmp_path: Path
) -> None:
    folder = tmp_path / "assets"
    shutil.copytree(serving_base["dir"], folder)  # type: ignore[arg-type]
    serving = folder / "serving"
    delay = fraction * float(serving_base["seconds"])  # type: ignore[arg-type]
    killed = kill_after(delay, "serving", str(folder / "warehouse.duckdb"), str(serving))
    landed = serving_state(serving)
    if landed == "previous":
        assert h.file_sha256(serving / SERVING_FILE) == serving_base["before"]
    leftovers = sorted(p.name for p in serving.glob(".*tmp*"))
    LANDED.append(f"publish_serving_copy at {fraction:.0%} of {serving_base['seconds']:.1f}s"
                  f" ({killed.after_s:.2f}s): {landed} copy served; leftovers {leftovers}")
    # The warehouse is intact and the next publish succeeds and sweeps the leftovers.
    with Warehouse(folder / "warehouse.duckdb", lock_timeout_s=5).connect() as con:
        publish_serving_copy(con, serving)
    assert serving_state(serving) == "new"
    assert not list(serving.glob(".*tmp*")) and not list((serving / "parquet").glob(".*tmp"))


# --- a Dagster run of the JGB asset ------------------------------------------------------------


@pytest.fixture(scope="module")
def jgb_run(baselines: Baselines, port: int, catalogue: Path,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The keyless baseline, and a clean run in January (new months in the history file)."""
    base = baselines.get(False).dir
    later = date(2027, 1, 8)
    probe = tmp_path_factory.mktemp("crash_jgb") / "assets"
    shutil.copytree(base, probe)
    rep = h.start_replica(later, port)
    try:
        with h.environment(rep, probe, catalogue, api=False, as_of=later):
            seconds = run_to_end("jgb", str(probe))
    finally:
        rep.stop()
    return {"base": base, "later": later, "seconds": seconds,
            "before": jgb_digest(base / "warehouse.duckdb"),
            "after": jgb_digest(probe / "warehouse.duckdb")}


def kill_jgb_run_then_rerun(
    jgb_run: dict[str, object], port: int, catalogue: Path, tmp_path: Path, delay_s: float,
    wait_for: str = "START",
) -> tuple[Killed, tuple[tuple[int, int], int], tuple[tuple[int, int], int]]:
    """A copy of the baseline, a Dagster JGB run killed `delay_s` after `wait_for`: the state
    the kill left, and the state after the next run (which must succeed)."""
    folder = tmp_path / "assets"
    shutil.copytree(jgb_run["base"], folder)  # type: ignore[arg-type]
    later = jgb_run["later"]
    rep = h.start_replica(later, port)  # type: ignore[arg-type]
    try:
        with h.environment(rep, folder, catalogue, api=False, as_of=later):  # type: ignore[arg-type]
            # the writer pauses after its IN_COMMIT / COMMITTED words, so the kill lands there
            killed = kill_after(delay_s, "jgb", str(folder), wait_for=wait_for,
                                env={"CRASH_SIGNAL_PAUSE_S": "5" if wait_for != "START" else "0"})
            state = jgb_digest(folder / "warehouse.duckdb")
            result = h.materialize([mof_jgb_yields], folder, h.SOURCES["MOF JGB"].keys)
    finally:
        rep.stop()
    assert result.success, h.failure_messages(result)
    return killed, state, jgb_digest(folder / "warehouse.duckdb")


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_sigkill_during_dagster_jgb_run_then_next_run_recovers(
    fraction: float, jgb_run: dict[str, object], port: int, catalogue: Path, tmp_path: Path
) -> None:
    delay = fraction * float(jgb_run["seconds"])  # type: ignore[arg-type]
    killed, state, final = kill_jgb_run_then_rerun(jgb_run, port, catalogue, tmp_path, delay)
    assert state[0] in (jgb_run["before"][0], jgb_run["after"][0])  # type: ignore[index]
    assert final[0] == jgb_run["after"][0]  # type: ignore[index]
    LANDED.append(f"Dagster JGB run at {fraction:.0%} of {jgb_run['seconds']:.1f}s"
                  f" ({killed.after_s:.2f}s): "
                  + ("previous staging" if state[0] == jgb_run["before"][0] else
                     "committed staging"))


@pytest.mark.parametrize("phase", ["IN_COMMIT", "COMMITTED"])
def test_sigkill_on_the_writers_signal_lands_before_and_after_the_commit(
    phase: str, jgb_run: dict[str, object], port: int, catalogue: Path, tmp_path: Path
) -> None:
    """Timed kills all landed before the commit; these kill on the writer's own word, inside
    the staging transaction or just after it returned, so both phases are exercised."""
    killed, state, final = kill_jgb_run_then_rerun(jgb_run, port, catalogue, tmp_path, 0.0,
                                                    wait_for=phase)
    assert "DONE" not in killed.saw
    expected = jgb_run["before"] if phase == "IN_COMMIT" else jgb_run["after"]
    assert state[0] == expected[0]  # type: ignore[index]
    assert final[0] == jgb_run["after"][0]  # type: ignore[index]
    LANDED.append(f"Dagster JGB run killed at {phase}: "
                  + ("previous staging" if phase == "IN_COMMIT" else "committed staging"))


def test_zz_kills_of_the_dagster_run_landed_in_both_phases() -> None:
    """Runs last: the Dagster-run kills covered both sides of the commit point."""
    runs = [line for line in LANDED if line.startswith("Dagster JGB")]
    before = sum(line.endswith("previous staging") for line in runs)
    after = sum(line.endswith("committed staging") for line in runs)
    print(f"\nDagster JGB run kills: {before} before the commit, {after} after")
    assert before >= 1 and after >= 1, runs
