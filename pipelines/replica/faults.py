"""Injected faults: the ways a publisher's server misbehaves, queued per path prefix."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = (
    "status", "429", "timeout", "reset", "truncate", "empty", "html200", "latency",
    # Replies that touch more than was asked, or try to take the key elsewhere (issue 14):
    "extra_rows",    # the real body plus `rows` (default: one row dated long before the window)
    "old_row",       # the JGB current-month file plus a 2020-01-06 row (every tenor 1.5)
    "not_modified",  # 304 whatever the request said, conditional or not
    "redirect",      # `code` (302) to `location` ("{target}" = this request's path and query)
    "echo_400",      # 400 whose body echoes the request target, query string (key) and all
    "slow_body",     # the real body at `bytes_per_s` (default 1) after the headers
)


@dataclass
class Fault:
    prefix: str
    kind: str
    remaining: int | None  # None = until cleared
    options: dict[str, Any] = field(default_factory=dict)


class FaultBook:
    """First matching fault wins; each use counts down `times` (times <= 0: until cleared)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def inject(self, prefix: str, kind: str, times: int = 1, **options: Any) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if not prefix.startswith("/"):
            raise ValueError(f"path_prefix must start with '/': {prefix!r}")
        with self._lock:
            self._faults.append(Fault(prefix, kind, times if times > 0 else None, options))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, target: str) -> Fault | None:
        """The fault for a request target (path plus query), consuming one use of it."""
        with self._lock:
            for f in self._faults:
                if target.startswith(f.prefix):
                    if f.remaining is not None:
                        f.remaining -= 1
                        if f.remaining == 0:
                            self._faults.remove(f)
                    return f
        return None
