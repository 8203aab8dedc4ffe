"""FRED's API rate limit, per api_key: at most N requests per second and M per minute."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class RateLimiter:
    """Sliding windows over accepted requests; rejected ones do not count (0 = no limit)."""

    def __init__(self, per_second: int = 2, per_minute: int = 120) -> None:
        self.per_second = per_second
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._seen[key]
            while q and now - q[0] >= 60.0:
                q.popleft()
            if self.per_minute and len(q) >= self.per_minute:
                return False
            if self.per_second and sum(1 for t in q if now - t < 1.0) >= self.per_second:
                return False
            q.append(now)
            return True
