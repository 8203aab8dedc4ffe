"""Keyless `GET /graph/fredgraph.csv?id=<ID>[,<ID2>]&cosd=&coed=`: FRED's web-graph export.

Current generation: `observation_date,<ID>` with an empty cell for missing; legacy
generation (option): `DATE,<ID>` with `.`. LF line ends, no ETag/Last-Modified. Real files
are filtered by cosd/coed line by line, so an unfiltered request returns them byte for byte.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .responses import Response, html_page
from .sample.calendars import iso
from .sample.fred import FredSeries


def _bound(params: dict[str, str], key: str, default: str) -> str:
    value = params.get(key) or default
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return default


def _filter_real(body: bytes, lo: str, hi: str) -> bytes:
    lines = body.splitlines(keepends=True)
    keep = [ln for ln in lines[1:] if lo <= ln[:10].decode("ascii", "replace") <= hi]
    if len(keep) == len(lines) - 1:
        return body
    return b"".join(lines[:1] + keep)


def fredgraph(params: dict[str, str], series: dict[str, FredSeries],
              real: dict[str, bytes], *, legacy: bool) -> Response:
    ids = [i.strip() for i in params.get("id", "").split(",") if i.strip()]
    unknown = [i for i in ids if i not in series and i not in real]
    if not ids or unknown:
        return html_page(404, "Series Not Found | FRED | St. Louis Fed",
                         f"Error: series {', '.join(unknown) or '(none)'} does not exist.")
    lo = _bound(params, "cosd", "1600-01-01")
    hi = _bound(params, "coed", "9999-12-31")
    if len(ids) == 1 and ids[0] in real:
        return Response(200, _filter_real(real[ids[0]], lo, hi), "text/csv")
    missing = "." if legacy else ""
    cols: list[dict[int, str]] = []
    all_dates: set[int] = set()
    lo_o, hi_o = date.fromisoformat(lo).toordinal(), date.fromisoformat(hi).toordinal()
    for sid in ids:
        dates, texts = series[sid].current
        a, b = np.searchsorted(dates, lo_o), np.searchsorted(dates, hi_o, side="right")
        col = dict(zip(dates[a:b].tolist(), texts[a:b].tolist(), strict=True))
        cols.append(col)
        all_dates |= col.keys()
    head = ("DATE" if legacy else "observation_date") + "," + ",".join(ids)
    rows = [head]
    for o in sorted(all_dates):
        rows.append(iso(o) + "," + ",".join(c.get(o, "") or missing for c in cols))
    return Response(200, ("\n".join(rows) + "\n").encode(), "text/csv")
