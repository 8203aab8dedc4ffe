"""Build the constructed stand-ins for publisher files whose terms forbid copying them here.

`fred/fredgraph_csv_legacy_DATE_header/CBBTCUSD.csv`: FRED shows Coinbase's prices under a
third-party copyright notice, and FRED's legal notice leaves redistribution of such series to
the copyright owner, so the real download is not kept in this repository (SOURCES.md). This
stand-in has the real file's *layout* (legacy `DATE,CBBTCUSD` header, LF, daily 7-day rows
from 2019-02-09 to 2024-02-09, one `.` row on 2020-09-04, values printed as FRED prints them:
up to two decimals, trailing zeros dropped) and made-up values: a seeded random walk between
about 3,000 and 70,000 USD. No Coinbase value is in it.

Run `.venv/bin/python tests/data/publishers/build_standins.py` after editing; a test checks
the committed file is exactly what this script builds.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CBBTCUSD = HERE / "fred" / "fredgraph_csv_legacy_DATE_header" / "CBBTCUSD.csv"
FIRST, LAST = date(2019, 2, 9), date(2024, 2, 9)
MISSING = {date(2020, 9, 4)}  # the real file's one `.` row, kept so the layout is the same


def _fred_number(value: float) -> str:
    """`45345.80` -> `45345.8`, `3700.00` -> `3700`: FRED drops trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text


def cbbtcusd() -> bytes:
    rng = random.Random(20190209)
    lines = ["DATE,CBBTCUSD"]
    log_price = math.log(3600.0)
    day = FIRST
    while day <= LAST:
        # A mean-reverting walk in log space around a slow made-up trend, kept in range.
        trend = math.log(3600.0) + 2.5 * math.sin((day - FIRST).days / 420.0) ** 2
        log_price += 0.035 * rng.gauss(0.0, 1.0) + 0.01 * (trend - log_price)
        log_price = min(max(log_price, math.log(3000.0)), math.log(69000.0))
        value = "." if day in MISSING else _fred_number(math.exp(log_price))
        lines.append(f"{day.isoformat()},{value}")
        day += timedelta(days=1)
    return ("\n".join(lines) + "\n").encode("ascii")


def build() -> dict[Path, bytes]:
    return {CBBTCUSD: cbbtcusd()}


if __name__ == "__main__":
    for path, body in build().items():
        path.write_bytes(body)
        print(f"wrote {path.relative_to(HERE)} ({len(body):,} bytes)")
