"""A refresh always ends: two in-process executor fixes, one refresh at a time, signals.

**The in-process executor can spin forever (Dagster 1.13, `dagster/_core/execution/plan/
execute_plan.py` and `plan/active.py`).** Its loop is

    while not active_execution.is_complete:
        step = active_execution.get_next_step()   # None when nothing is executable
        if not step:
            active_execution.sleep_til_ready()    # sleeps 0 s unless a retry or pool claim waits
            continue
        ... run the step ...
        for event in active_execution.plan_events_iterator(job_context): ...

and `plan_events_iterator` first drains the steps to skip, then the steps to abandon, once.
Abandoning a step can make another step skippable: a step whose inputs come from an abandoned
step *and* from a step that succeeded without producing its output (a skippable asset that had
nothing new, `Out(is_required=False)`) is moved to `_pending_skip` by the `_update()` inside
`get_steps_to_abandon()`, after the skip loop has already run. If no other step is left to run,
nothing calls `plan_events_iterator` again: `is_complete` stays False (`_pending_skip` is not
empty), `get_next_step()` returns None, `sleep_til_ready()` sleeps 0 s, and the loop spins at
full CPU. Interrupts are only raised inside a step, so SIGINT/SIGTERM are captured and never
acted on, and the run stays STARTED. The multiprocess executor calls `plan_events_iterator` on
every turn of its loop, so it ends; but this code location runs every job in process (one
warehouse writer at a time, so a process per step bought nothing but start-up time).

In this project: TIC (or any source) fails → the marts fed by it are abandoned → the serving
assets, whose other inputs were skipped because the other sources had nothing new, become
skippable after the abandon → spin. Smallest reproduction: tests/ops/test_run_always_ends.py.

`drain_plan_events()` wraps `ActiveExecution.plan_events_iterator` so it repeats until neither
skips nor abandons are pending (a fixpoint; each pass consumes what it found, so it ends).
`pipelines/definitions.py` applies it as the code location loads, so every process that runs
a job of ours (make demo, `dagster job execute`, the daemon's run workers) has it, with
`never_lose_an_interrupt()` below (`guard_in_process_runs()` applies both); nothing else in
Dagster changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.execution.plan.active import ActiveExecution

_PATCHED = "_jgb_guarded"  # marks a Dagster function this module has wrapped


def drain_plan_events() -> None:
    """Make every executor drain skips and abandons to a fixpoint (idempotent)."""
    original = ActiveExecution.plan_events_iterator
    if getattr(original, _PATCHED, False):
        return

    def plan_events_iterator(self: ActiveExecution, job_context: Any) -> Iterator[Any]:
        while True:
            yield from original(self, job_context)
            # The private lists are read defensively: if a Dagster release renames them, this
            # falls back to Dagster's own behaviour (one pass).
            pending_skip = getattr(self, "_pending_skip", None)
            pending_abandon = getattr(self, "_pending_abandon", None)
            if not (pending_skip or pending_abandon):
                return

    setattr(plan_events_iterator, _PATCHED, True)
    plan_events_iterator.__doc__ = original.__doc__
    ActiveExecution.plan_events_iterator = plan_events_iterator  # type: ignore[method-assign]


def never_lose_an_interrupt() -> None:
    """Make a signal that lands in a GC callback still stop the step it arrived in (idempotent).

    Inside a step Dagster's SIGINT/SIGTERM handler raises DagsterExecutionInterruptedError
    (`dagster/_utils/interrupts.py`, `raise_interrupts_as`). Python runs signal handlers at
    whatever bytecode the main thread is on; when that is a `__del__` or a weakref callback (a
    SQLAlchemy registry being collected, say), the exception is printed as "Exception ignored in"
    and dropped, and the run goes on to SUCCESS as if Ctrl-C had never been pressed. This wraps
    the handler so it also remembers the signal: if the step's block then ends without the
    exception having come out of it, the block raises it at its end instead; the dropped one
    is not printed (it is not lost any more, and a traceback would read as a crash).
    """
    from dagster._core import errors
    from dagster._utils import interrupts

    original = interrupts.raise_interrupts_as
    if getattr(original, _PATCHED, False):
        return

    @contextlib.contextmanager
    def raise_interrupts_as(error_cls: type[BaseException]) -> Iterator[None]:
        with original(error_cls):
            if threading.current_thread() is not threading.main_thread():
                yield  # Dagster installs no handler off the main thread either
                return
            raising = signal.getsignal(signal.SIGINT)
            received: list[int] = []

            def remembering(signum: int, frame: Any) -> None:
                received.append(signum)
                raising(signum, frame)

            for signum in (signal.SIGINT, signal.SIGTERM):  # Dagster maps SIGTERM to SIGINT's
                signal.signal(signum, remembering)
            try:
                yield
            except BaseException:
                received.clear()  # it came out (or something else ended the block anyway)
                raise
            if received:
                raise error_cls()  # it was swallowed where it landed: the step ends here

    printing = sys.unraisablehook

    def unraisable(hook_args: Any) -> None:
        if not isinstance(hook_args.exc_value, errors.DagsterExecutionInterruptedError):
            printing(hook_args)

    sys.unraisablehook = unraisable
    setattr(raise_interrupts_as, _PATCHED, True)
    interrupts.raise_interrupts_as = raise_interrupts_as  # type: ignore[assignment]
    errors.raise_interrupts_as = raise_interrupts_as  # type: ignore[attr-defined]


def guard_in_process_runs() -> None:
    """Both fixes above, for every process that runs a job of ours (idempotent)."""
    drain_plan_events()
    never_lose_an_interrupt()


# --- one refresh at a time -------------------------------------------------------------------


class RefreshBusy(Exception):
    """Another refresh (make demo / make run) holds the assets folder."""

    def __init__(self, holder: str) -> None:
        self.holder = holder
        super().__init__(f"another refresh holds the warehouse ({holder}); retry later")


@dataclass(frozen=True)
class RefreshLock:
    path: Path


def lock_path(assets_dir: Path) -> Path:
    return assets_dir / ".refresh.lock"


@contextlib.contextmanager
def refresh_lock(assets_dir: Path) -> Iterator[RefreshLock]:
    """Hold `assets/.refresh.lock` for a whole refresh; RefreshBusy at once if it is taken.

    A second `make demo` or `make run` must not interleave its steps with the first one's (each
    step takes the warehouse writer lock on its own, so two runs would alternate and each
    would see the other's half-built state). flock is released by the kernel when the holder
    dies, so a killed refresh never leaves a stale lock.
    """
    assets_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(assets_dir)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "pid unknown"
            raise RefreshBusy(holder) from None
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {started}".encode(), 0)
        try:
            yield RefreshLock(path)
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- signals and the run's final status ---------------------------------------------------------


def sigterm_as_interrupt() -> None:
    """SIGTERM behaves like Ctrl-C everywhere in this process (not only inside a Dagster run),
    so `finally` blocks run and the run is closed in the instance."""

    def _raise(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _raise)


UNFINISHED = (dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
              dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.QUEUED,
              dg.DagsterRunStatus.CANCELING)


def close_unfinished_runs(instance: dg.DagsterInstance, tags: dict[str, str],
                          why: str) -> list[str]:
    """Mark every run with `tags` that is not finished as CANCELED; returns their ids."""
    closed = []
    runs = instance.get_runs(filters=dg.RunsFilter(tags=tags, statuses=list(UNFINISHED)))
    for run in runs:
        instance.report_run_canceled(run, message=why)
        closed.append(run.run_id)
    return closed


ENTRY_TAG = "jgb/entry"  # set on every run make demo / make run start


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Close the refreshes a SIGKILL left STARTED and give back the pool slots they held.

    Call it under `refresh_lock`: no other make demo/run is alive then, so an unfinished run of
    theirs is dead. Without this the next refresh waits forever for the `warehouse` pool slot
    the dead run still claims; the daemon's run monitoring frees such slots, but make demo runs
    with no daemon. Finished runs still holding a slot (a killed step) are released too.
    """
    closed = [run_id for entry in ("make demo", "make run")
              for run_id in close_unfinished_runs(
                  instance, {ENTRY_TAG: entry}, "its process died (found by the next refresh)")]
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return closed
    for run_id in storage.get_concurrency_run_ids():
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            storage.free_concurrency_slots_for_run(run_id)
    return closed
