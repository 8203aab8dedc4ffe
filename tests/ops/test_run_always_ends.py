"""A run always ends: Dagster's in-process executor spin, reproduced in four ops, and the fix.

The trigger (pipelines/lib/runguard.py explains it against Dagster's source): a step fails, a
step downstream of it is abandoned, and a step fed by the abandoned one *and* by a step that
succeeded without producing its output becomes skippable only after the abandon. Dagster
1.13's in-process executor then loops in `get_next_step()` forever at full CPU, ignoring
SIGINT/SIGTERM. The multiprocess executor ends. `runguard.drain_plan_events()` makes the
in-process executor end too; the end-to-end version (a TIC parse error on a day the other
sources had nothing new) is in test_entry_points.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import REPO_ROOT

# The smallest job that spins: run as a script so a hang can be killed from outside.
SPIN_JOB = '''
import sys
import dagster as dg

if sys.argv[1] == "fixed":
    from pipelines.lib.runguard import drain_plan_events
    drain_plan_events()


@dg.op(out=dg.Out(is_required=False), tags={"dagster/priority": "1"})
def nothing_new():
    return
    yield  # succeeds without producing its output (a skippable asset with nothing new)


@dg.op
def fails():
    raise dg.Failure("boom")


@dg.op
def after_failure(x):  # abandoned: its input failed
    return x


@dg.op
def joins(a, b):  # skippable only once after_failure is abandoned
    return 1


@dg.job(executor_def=dg.multiprocess_executor if sys.argv[1] == "multiprocess"
        else dg.in_process_executor)
def spin():
    joins(nothing_new(), after_failure(fails()))


if __name__ == "__main__":
    print("started", flush=True)
    if sys.argv[1] == "multiprocess":
        with dg.instance_for_test() as instance:
            result = dg.execute_job(dg.reconstructable(spin), instance=instance)
            skipped = {e.step_key for e in result.all_events if e.is_step_skipped}
    else:
        result = spin.execute_in_process(raise_on_error=False)
        skipped = {e.step_key for e in result.all_events if e.is_step_skipped}
    print(f"ended success={result.success} skipped={sorted(skipped)}", flush=True)
'''


# Ctrl-C landing while a step's garbage is collected: the handler's exception is raised inside
# `__del__` (as it was in a SQLAlchemy weakref callback in CI) and Python drops it.
LOST_INTERRUPT_JOB = '''
import signal
import sys
import dagster as dg

if sys.argv[1] == "fixed":
    from pipelines.lib.runguard import never_lose_an_interrupt
    never_lose_an_interrupt()


class SignalWhenCollected:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)  # runs the handler here, inside __del__


@dg.op
def interrupted():
    SignalWhenCollected()  # collected at once: the handler raises inside __del__
    return 1


@dg.op
def after(x):
    print("after ran", flush=True)


@dg.job(executor_def=dg.in_process_executor)
def lost():
    after(interrupted())


if __name__ == "__main__":
    result = lost.execute_in_process(raise_on_error=False)
    ran = sorted(e.step_key for e in result.all_events if e.is_step_success)
    print(f"ended success={result.success} succeeded={ran}", flush=True)
'''


def _run_spin_job(tmp_path: Path, mode: str, timeout_s: float,
                  job: str = SPIN_JOB) -> tuple[str | None, str]:
    """Run the job; (final line, output) or (None, output) when it was still running."""
    script = tmp_path / "spin_job.py"
    script.write_text(job)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.Popen([sys.executable, str(script), mode], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()  # SIGKILL: the spinning executor ignores SIGTERM and SIGINT
        out, _ = proc.communicate()
        return None, out
    ended = [line for line in out.splitlines() if line.startswith("ended")]
    return (ended[-1] if ended else f"exit {proc.returncode}"), out


def test_dagster_in_process_executor_spins_forever_without_the_fix(tmp_path: Path) -> None:
    """Dagster's bug, as it stands in the pinned release. When this test fails because the run
    ended, Dagster has fixed it: runguard.drain_plan_events() can then go."""
    script = tmp_path / "spin_job.py"
    script.write_text(SPIN_JOB)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.Popen([sys.executable, str(script), "unfixed"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # The abandon is logged right before the spin starts; give it ample time after.
        deadline = time.monotonic() + 240
        seen = ""
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            seen += line
            if "Dependencies for step after_failure failed" in line or not line:
                break
        assert "Dependencies for step after_failure failed" in seen, seen[-2000:]
        time.sleep(10)
        assert proc.poll() is None, "the in-process executor ended: Dagster fixed the spin?"
        proc.send_signal(2)  # SIGINT is captured and never acted on while it spins
        time.sleep(5)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def test_the_fix_ends_the_same_run_with_the_joining_step_skipped(tmp_path: Path) -> None:
    ended, out = _run_spin_job(tmp_path, "fixed", timeout_s=240)
    assert ended == "ended success=False skipped=['joins']", out[-3000:]


@pytest.mark.slow
def test_the_multiprocess_executor_ends_the_same_run(tmp_path: Path) -> None:
    ended, out = _run_spin_job(tmp_path, "multiprocess", timeout_s=300)
    assert ended == "ended success=False skipped=['joins']", out[-3000:]


def test_an_interrupt_that_lands_in_a_gc_callback_is_lost_without_the_fix(
        tmp_path: Path) -> None:
    """Dagster's handler raising inside `__del__`: Python drops it and the run succeeds. When
    this fails, Dagster or Python keeps the interrupt: never_lose_an_interrupt() can then go."""
    ended, out = _run_spin_job(tmp_path, "unfixed", timeout_s=240, job=LOST_INTERRUPT_JOB)
    assert ended == "ended success=True succeeded=['after', 'interrupted']", out[-3000:]
    assert "Exception ignored in" in out and "DagsterExecutionInterruptedError" in out


def test_an_interrupt_swallowed_where_it_landed_still_stops_the_step_it_arrived_in(
        tmp_path: Path) -> None:
    ended, out = _run_spin_job(tmp_path, "fixed", timeout_s=240, job=LOST_INTERRUPT_JOB)
    assert ended == "ended success=False succeeded=[]", out[-3000:]
    assert "after ran" not in out
    assert "Exception ignored" not in out  # no traceback that reads as a crash


def test_loading_the_code_location_guards_every_run_against_the_spin() -> None:
    """Every job here runs in process (definitions.py), whoever launches it: the CLI, the UI
    and the daemon's run workers load the code location, so the guard must come with it."""
    from dagster._core.execution.plan.active import ActiveExecution

    import pipelines.definitions as definitions

    assert definitions.defs.executor is dg.in_process_executor
    assert getattr(ActiveExecution.plan_events_iterator, "_jgb_guarded", False)
    from dagster._core import errors
    assert getattr(errors.raise_interrupts_as, "_jgb_guarded", False)
