"""Machine and software facts for the report header: numbers mean little without them."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("dagster", "duckdb", "polars", "pyarrow", "great-expectations", "pandas", "fredapi",
            "requests")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


REPORT_PATH = "benchmarks/REPORT.md"  # the outputs themselves never make the tree dirty
OUTPUTS = (REPORT_PATH, "benchmarks/SCALE.md")


def git_state(root: Path) -> tuple[str, list[str]]:
    """(full HEAD hash, changed paths other than the report); ("unknown", []) outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, text=True,
                              capture_output=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, text=True,
                                capture_output=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown", []
    return head, [line[3:] for line in status if line[3:] not in OUTPUTS]


def _git(root: Path) -> str:
    head, dirty = git_state(root)
    return head + (f" + uncommitted changes to {len(dirty)} files (--dirty)" if dirty else "")


def machine_facts(root: Path) -> dict[str, str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": _cpu_model(),
        "cores": f"{os.cpu_count()} logical, {usable} usable by this process",
        "RAM": f"{_ram_gb():.1f} GB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "packages": ", ".join(versions),
        "commit": _git(root),
    }
