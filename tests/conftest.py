"""Shared fixtures.

Real-file tests read ../shared/reference-data. Where it is absent they skip with a reason;
with REQUIRE_REFERENCE_DATA=1 (set by .ci/run) they fail instead, so CI can never go green
by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = Path(
    os.environ.get("REFERENCE_DATA_DIR", REPO_ROOT.parent / "shared" / "reference-data")
)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of real publisher files, or skip (fail under REQUIRE_REFERENCE_DATA=1)."""
    if REFERENCE_DIR.is_dir():
        return REFERENCE_DIR
    reason = f"reference data not found at {REFERENCE_DIR} (set REFERENCE_DATA_DIR)"
    if os.environ.get("REQUIRE_REFERENCE_DATA") == "1":
        pytest.fail(f"REQUIRE_REFERENCE_DATA=1 but {reason}")
    pytest.skip(reason)
