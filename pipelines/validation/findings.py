"""A verdict from a check computed outside GX (it needs the warehouse or file metadata)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    check: str
    passed: bool
    unexpected_count: int = 0
    sample: Sequence[Any] = ()
    details: dict[str, Any] = field(default_factory=dict)


def not_applicable(check: str, why: str) -> Finding:
    """A check that does not apply to this batch passes and says why."""
    return Finding(check, True, details={"not_applicable": why})
