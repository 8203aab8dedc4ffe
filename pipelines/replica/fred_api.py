"""FRED API: `/fred/series/observations`, `/fred/series`, `/fred/series/vintagedates`,
`/fred/series/updates`.

JSON (`file_type=json`) as FORMATS §1.2/1.3, and FRED's default XML when file_type is absent
(the shape the `fredapi` package reads). Values are strings with "." for missing; count,
offset, limit and sort_order page the result; realtime_start/realtime_end select vintages
ALFRED-style (each (date, value) once per real-time interval, clipped to the request).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from xml.sax.saxutils import quoteattr

import numpy as np

from .ratelimit import RateLimiter
from .responses import Response
from .sample.calendars import MAX_ORDINAL, iso
from .sample.fred import FredSeries, vintage_dates

KEY_RE = re.compile(r"[a-z0-9]{32}")
KEY_DOC = "Read https://fred.stlouisfed.org/docs/api/api_key.html for more information."
MSG_BAD_KEY = ("Bad Request.  The value for variable api_key is not a 32 character "
               f"alpha-numeric lower-case string.  {KEY_DOC}")
MSG_NO_KEY = f"Bad Request.  Variable api_key is not set.  {KEY_DOC}"
MSG_NO_SERIES = "Bad Request.  The series does not exist."
MSG_429 = "Too Many Requests.  Exceeded Rate Limit"
EARLIEST = "1776-07-04"
LATEST = "9999-12-31"


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def error_response(code: int, message: str, file_type: str) -> Response:
    if file_type == "json":
        body = json.dumps({"error_code": code, "error_message": message},
                          separators=(",", ":")).encode()
        return Response(code, body, "application/json")
    body = (f'<?xml version="1.0" encoding="utf-8" ?>\n<error code="{code}" '
            f"message={quoteattr(message)}/>\n").encode()
    return Response(code, body, "text/xml")


def _date(params: dict[str, str], key: str, default: str) -> str:
    value = params.get(key)
    if not value:
        return default
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ApiError(400, f"Bad Request.  Variable {key} is not a valid date.") from None


def _int(params: dict[str, str], key: str, default: int, lo: int, hi: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    if not value.isdigit() or not lo <= int(value) <= hi:
        raise ApiError(400, f"Bad Request.  Variable {key} is not between {lo} and {hi}.")
    return int(value)


def _ord(s: str) -> int:
    return MAX_ORDINAL if s == LATEST else date.fromisoformat(s).toordinal()


def _realtime(params: dict[str, str], as_of: date, default_start: str | None = None,
              default_end: str | None = None) -> tuple[str, str]:
    rs = _date(params, "realtime_start", default_start or as_of.isoformat())
    re_ = _date(params, "realtime_end", default_end or as_of.isoformat())
    if rs > re_:
        raise ApiError(400, "Bad Request.  Variable realtime_start can not be after "
                            "realtime_end.")
    return rs, re_


def _sort(params: dict[str, str]) -> str:
    order = params.get("sort_order", "asc")
    if order not in ("asc", "desc"):
        raise ApiError(400, "Bad Request.  Variable sort_order is not one of the values: "
                            "'asc', 'desc'")
    return order


def observations(s: FredSeries, params: dict[str, str], as_of: date, file_type: str) -> Response:
    rs, re_ = _realtime(params, as_of)
    os_ = _date(params, "observation_start", "1600-01-01")
    oe = _date(params, "observation_end", "9999-12-31")
    limit = _int(params, "limit", 100000, 1, 100000)
    offset = _int(params, "offset", 0, 0, 10**9)
    order = _sort(params)
    v = s.versions
    a, b = _ord(rs), _ord(re_)
    mask = ((v.start <= b) & (v.end >= a) & (v.obs >= date.fromisoformat(os_).toordinal())
            & (v.obs <= _ord(oe)))
    idx = np.flatnonzero(mask)
    if order == "desc":
        idx = idx[::-1]
    count = len(idx)
    page = idx[offset:offset + limit]
    starts = np.maximum(v.start[page], a).tolist()
    ends = np.minimum(v.end[page], b).tolist()
    obs = v.obs[page].tolist()
    texts = v.text[page].tolist()
    head = dict(realtime_start=rs, realtime_end=re_, observation_start=os_, observation_end=oe,
                units="lin", output_type=1, file_type=file_type, order_by="observation_date",
                sort_order=order, count=count, offset=offset, limit=limit)
    rows = zip(starts, ends, obs, texts, strict=True)
    if file_type == "json":
        items = ",".join(
            f'{{"realtime_start":"{iso(r1)}","realtime_end":"{_iso(r2)}","date":"{iso(o)}",'
            f'"value":"{t}"}}' for r1, r2, o, t in rows)
        body = json.dumps(head, separators=(",", ":"))[:-1] + ',"observations":[' + items + "]}"
        return Response(200, body.encode(), "application/json")
    lines = [f'  <observation realtime_start="{iso(r1)}" realtime_end="{_iso(r2)}" '
             f'date="{iso(o)}" value="{t}"/>' for r1, r2, o, t in rows]
    return Response(200, _xml("observations", head, lines), "text/xml")


def _iso(o: int) -> str:
    return LATEST if o >= MAX_ORDINAL else iso(o)


def _xml(tag: str, attrs: dict[str, object], children: list[str]) -> bytes:
    a = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items())
    return (f'<?xml version="1.0" encoding="utf-8" ?>\n<{tag} {a}>\n' + "\n".join(children)
            + ("\n" if children else "") + f"</{tag}>\n").encode()


NOTES = {
    "D": "For further information, please refer to the Board of Governors of the Federal Reserve "
         "System's H.15 release.\r\n\r\nSample data served by the jgb-ust-flows replica.",
    "W": "This series is published in the H.4.1 release.\r\n\r\nSample data served by the "
         "jgb-ust-flows replica.",
    "M": "OECD / Treasury International Capital data.\r\n\r\nSample data served by the "
         "jgb-ust-flows replica.",
}


def series_meta(s: FredSeries, params: dict[str, str], as_of: date, file_type: str) -> Response:
    rs, re_ = _realtime(params, as_of)
    dates, _ = s.current
    sp = s.spec
    item = dict(id=sp.id, realtime_start=rs, realtime_end=re_, title=sp.title,
                observation_start=iso(dates[0]), observation_end=iso(dates[-1]),
                frequency=sp.frequency[0], frequency_short=sp.frequency[1], units=sp.units[0],
                units_short=sp.units[1], seasonal_adjustment="Not Seasonally Adjusted",
                seasonal_adjustment_short="NSA", last_updated=s.last_updated,
                popularity=sp.popularity, notes=NOTES[sp.frequency[1]])
    if file_type == "json":
        body = json.dumps({"realtime_start": rs, "realtime_end": re_, "seriess": [item]},
                          separators=(",", ":"))
        return Response(200, body.encode(), "application/json")
    attrs = " ".join(f"{k}={quoteattr(str(v))}" for k, v in item.items())
    return Response(200, _xml("seriess", {"realtime_start": rs, "realtime_end": re_},
                              [f"  <series {attrs}/>"]), "text/xml")


def vintagedates(s: FredSeries, params: dict[str, str], as_of: date, file_type: str) -> Response:
    rs, re_ = _realtime(params, as_of, EARLIEST, LATEST)
    limit = _int(params, "limit", 10000, 1, 10000)
    offset = _int(params, "offset", 0, 0, 10**9)
    order = _sort(params)
    dates = [d for d in vintage_dates(s) if rs <= d <= re_]
    if order == "desc":
        dates.reverse()
    page = dates[offset:offset + limit]
    head = dict(realtime_start=rs, realtime_end=re_, order_by="vintage_date", sort_order=order,
                count=len(dates), offset=offset, limit=limit)
    if file_type == "json":
        body = json.dumps({**head, "vintage_dates": page}, separators=(",", ":"))
        return Response(200, body.encode(), "application/json")
    return Response(200, _xml("vintage_dates", head,
                              [f"  <vintage_date>{d}</vintage_date>" for d in page]), "text/xml")


UPDATES_KEPT = timedelta(days=14)  # FRED lists updates of about the last two weeks only


def _minute(params: dict[str, str], key: str) -> datetime | None:
    value = params.get(key)
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M")
    except ValueError:
        raise ApiError(400, f"Bad Request.  Variable {key} is not a valid date time in"
                            " YYYYMMDDHhmm format.") from None


def _stamp(last_updated: str) -> datetime:
    """`2026-11-20 15:17:03-06` as naive St. Louis local time (start_time/end_time's clock)."""
    return datetime.strptime(last_updated[:19], "%Y-%m-%d %H:%M:%S")


def updates(series: dict[str, FredSeries], params: dict[str, str], as_of: date,
            file_type: str) -> Response:
    """Series sorted by last_updated, newest first; start_time and end_time (YYYYMMDDHhmm,
    compared with last_updated's local time) come together; only updates of the last two
    weeks before as_of are kept, as FRED keeps them."""
    rs, re_ = _realtime(params, as_of)
    limit = _int(params, "limit", 1000, 1, 1000)
    offset = _int(params, "offset", 0, 0, 10**9)
    filter_value = params.get("filter_value", "all") or "all"
    if filter_value not in ("macro", "regional", "all"):
        raise ApiError(400, "Bad Request.  Variable filter_value is not one of the values:"
                            " 'macro', 'regional', 'all'")
    start, end = _minute(params, "start_time"), _minute(params, "end_time")
    if (start is None) != (end is None):
        raise ApiError(400, "Bad Request.  Variable start_time requires end_time and"
                            " end_time requires start_time.")
    kept = datetime.combine(as_of, datetime.min.time()) - UPDATES_KEPT
    rows = []
    for s in series.values():
        stamp = _stamp(s.last_updated)
        if stamp < kept or (start is not None and not start <= stamp <= end):  # type: ignore
            continue
        if filter_value == "regional":  # every sample series is national ("macro")
            continue
        rows.append((stamp, s))
    rows.sort(key=lambda r: (r[0], r[1].spec.id), reverse=True)
    items = []
    for _, s in rows[offset:offset + limit]:
        dates, _ = s.current
        sp = s.spec
        items.append(dict(id=sp.id, realtime_start=rs, realtime_end=re_, title=sp.title,
                          observation_start=iso(dates[0]), observation_end=iso(dates[-1]),
                          frequency=sp.frequency[0], frequency_short=sp.frequency[1],
                          units=sp.units[0], units_short=sp.units[1],
                          seasonal_adjustment="Not Seasonally Adjusted",
                          seasonal_adjustment_short="NSA", last_updated=s.last_updated,
                          popularity=sp.popularity))
    head = dict(realtime_start=rs, realtime_end=re_, filter_variable="geography",
                filter_value=filter_value, order_by="last_updated", sort_order="desc",
                count=len(rows), offset=offset, limit=limit)
    if file_type == "json":
        body = json.dumps({**head, "seriess": items}, separators=(",", ":"))
        return Response(200, body.encode(), "application/json")
    return Response(200, _xml("seriess", head, [
        "  <series " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in i.items()) + "/>"
        for i in items]), "text/xml")


ENDPOINTS = {
    "/fred/series/observations": observations,
    "/fred/series": series_meta,
    "/fred/series/vintagedates": vintagedates,
    "/fred/series/updates": None,  # not per series: dispatched in handle()
}


def handle(path: str, params: dict[str, str], series: dict[str, FredSeries],
           real_json: dict[str, bytes], as_of: date, limiter: RateLimiter) -> Response:
    """Validate key, rate limit and series, then dispatch to the endpoint."""
    file_type = params.get("file_type", "xml") or "xml"
    err_type = "json" if file_type == "json" else "xml"
    key = params.get("api_key")
    if not key:
        return error_response(400, MSG_NO_KEY, err_type)
    if not KEY_RE.fullmatch(key):
        return error_response(400, MSG_BAD_KEY, err_type)
    if not limiter.allow(key):
        return error_response(429, MSG_429, err_type)
    if file_type not in ("xml", "json"):
        return error_response(400, "Bad Request.  Variable file_type is not one of the values: "
                                   "'xml', 'json'.", "xml")
    if path == "/fred/series/updates":
        try:
            return updates(series, params, as_of, file_type)
        except ApiError as e:
            return error_response(e.code, e.message, err_type)
    sid = params.get("series_id", "")
    if not sid:
        return error_response(400, "Bad Request.  Variable series_id is not set.", err_type)
    if path == "/fred/series/observations" and file_type == "json" and sid in real_json:
        return Response(200, real_json[sid], "application/json")
    if sid not in series:
        return error_response(400, MSG_NO_SERIES, err_type)
    try:
        endpoint = ENDPOINTS[path]
        assert endpoint is not None
        return endpoint(series[sid], params, as_of, file_type)
    except ApiError as e:
        return error_response(e.code, e.message, err_type)
