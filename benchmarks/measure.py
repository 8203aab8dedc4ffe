"""Run one scenario in a child process and measure it from outside.

Wall time is the child's whole life (interpreter start, imports, work), because a scheduled
run pays all of it. CPU time and the largest single-process RSS come from `os.wait4` (the
child's own rusage, descendants included once reaped); the tree's summed RSS is sampled from
/proc every 20 ms, since a run may fork helpers whose memory adds up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE_S = 0.02


@dataclass
class Measurement:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    result: dict[str, Any] = field(default_factory=dict)  # what the child wrote to --out
    stderr_tail: str = ""


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            kids.extend(int(k) for k in text.split())
    except OSError:
        pass
    return kids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    """RSS summed over `root` and all its descendants, now."""
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_kb(pid)
        todo.extend(_children(pid))
    return total


def run_child(name: str, args: list[str], env: dict[str, str], out: Path, *,
              cwd: Path, timeout_s: float = 900.0, log: Path | None = None) -> Measurement:
    """Run `python -m <args>` with `--out out`, measuring wall, CPU and peak tree RSS."""
    out.unlink(missing_ok=True)
    stderr = open(log, "wb") if log else subprocess.DEVNULL
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", *args, "--out", str(out)], env=env,
                            cwd=cwd, stdout=stderr, stderr=stderr)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            done.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = started + timeout_s
    status, usage = 0, None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if log:
        stderr.close()  # type: ignore[union-attr]
    cpu = usage.ru_utime + usage.ru_stime if usage else 0.0
    maxrss_kb = usage.ru_maxrss if usage else 0
    result = json.loads(out.read_text()) if out.exists() else {}
    tail = ""
    if proc.returncode != 0 and log and log.exists():
        tail = log.read_text(errors="replace")[-2000:]
    return Measurement(name, wall, cpu, max(peak[0], maxrss_kb) / 1024, proc.returncode,
                       result, tail)
