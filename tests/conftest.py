"""Shared fixtures.

Real-file tests read the publisher files shipped in `tests/data/publishers/` (provenance, URL,
retrieval date and terms of use of each in its SOURCES.md). They are part of the repository,
so a plain clone runs every real-file test: nothing is read from outside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PUBLISHERS_DIR = REPO_ROOT / "tests" / "data" / "publishers"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of real publisher files (reference-data layout: fred/, mof_jgb/, tic/)."""
    return PUBLISHERS_DIR
