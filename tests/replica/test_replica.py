"""The publishers' replica over real HTTP: paths, formats, paging, faults, conditional GET."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from pipelines.replica import Replica
from pipelines.replica.sample import (
    FLOWS_DIR,
    JGB_EN_ALL,
    JGB_EN_CUR,
    JGB_JA_ALL,
    JGB_JA_CUR,
    RENDERERS,
    TIC_MFHHIS01,
    TIC_TABLE5,
)

AS_OF = date(2026, 11, 26)
KEY = "abcdefghij0123456789abcdefghij01"
OBS = "/fred/series/observations"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    r = Replica.start(as_of=AS_OF, fred_rate_limit=(0, 0))
    yield r
    r.stop()


def get(r: Replica, target: str, **kw: object) -> requests.Response:
    return requests.get(r.url + target, timeout=10, **kw)  # type: ignore[arg-type]


def api(r: Replica, endpoint: str, **params: str) -> requests.Response:
    return requests.get(r.url + endpoint, params={"api_key": KEY, **params}, timeout=10)


@pytest.mark.parametrize("path", sorted(RENDERERS))
def test_every_publisher_file_is_served(replica: Replica, path: str) -> None:
    resp = get(replica, path)
    assert resp.status_code == 200
    assert resp.content
    assert resp.headers["Content-Type"] in ("text/csv", "text/plain")
    assert resp.headers["ETag"].startswith('"') and "Last-Modified" in resp.headers


def test_env_points_every_publisher_at_the_replica(replica: Replica) -> None:
    assert set(replica.env().values()) == {replica.url}
    assert set(replica.env()) == {"FRED_GRAPH_URL", "FRED_API_URL", "MOF_URL", "TIC_URL"}


def test_fredgraph_filters_by_cosd_coed_and_has_no_validators(replica: Replica) -> None:
    resp = get(replica, "/graph/fredgraph.csv?id=DGS10&cosd=2026-11-01&coed=2026-11-26")
    assert resp.headers["Content-Type"] == "text/csv"
    assert "ETag" not in resp.headers and "Last-Modified" not in resp.headers
    lines = resp.text.split("\n")
    assert lines[0] == "observation_date,DGS10" and lines[-1] == ""
    assert lines[1].startswith("2026-11-02,") and lines[-2] == "2026-11-26,"  # Thanksgiving
    assert "2026-11-11," in lines  # Veterans Day: a row with an empty value
    full = get(replica, "/graph/fredgraph.csv?id=DGS10&cosd=1776-07-04").text.split("\n")
    assert full[1] == "1962-01-02," + full[1].split(",")[1] and len(full) > 16000


def test_fredgraph_legacy_generation() -> None:
    with Replica.start(as_of=AS_OF, legacy_fred_header=True) as r:
        text = get(r, "/graph/fredgraph.csv?id=DGS10&cosd=2026-11-20").text
    assert text.startswith("DATE,DGS10\n") and "2026-11-26,.\n" in text


def test_fredgraph_unknown_id_is_an_html_404(replica: Replica) -> None:
    resp = get(replica, "/graph/fredgraph.csv?id=NOSUCHSERIES")
    assert resp.status_code == 404 and resp.headers["Content-Type"] == "text/html"


def test_api_json_paging_and_order(replica: Replica) -> None:
    first = api(replica, OBS, series_id="DGS10", file_type="json", limit="5",
                sort_order="desc").json()
    second = api(replica, OBS, series_id="DGS10", file_type="json", limit="5", offset="5",
                 sort_order="desc").json()
    assert first["count"] == second["count"] > 16000
    assert (first["limit"], second["offset"]) == (5, 5)
    dates = [o["date"] for o in first["observations"] + second["observations"]]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 10
    assert first["observations"][0] == {"realtime_start": "2026-11-26",
                                        "realtime_end": "2026-11-26", "date": "2026-11-26",
                                        "value": "."}
    assert all(isinstance(o["value"], str) for o in first["observations"])


def test_api_metadata_json(replica: Replica) -> None:
    body = api(replica, "/fred/series", series_id="WALCL", file_type="json").json()
    (meta,) = body["seriess"]
    assert meta["units"] == "Millions of U.S. Dollars" and meta["frequency_short"] == "W"
    assert len(meta["last_updated"]) == len("2026-08-06 15:17:03-05")


def test_api_errors(replica: Replica) -> None:
    bad_key = requests.get(replica.url + OBS, params={"series_id": "DGS10", "api_key": "NOPE",
                                                      "file_type": "json"}, timeout=10)
    assert bad_key.status_code == 400
    assert "is not a 32 character alpha-numeric lower-case string" in bad_key.json()[
        "error_message"]
    unknown = api(replica, OBS, series_id="NOSUCH", file_type="json")
    assert unknown.status_code == 400
    assert unknown.text == ('{"error_code":400,"error_message":"Bad Request.  '
                            'The series does not exist."}')


def test_api_rate_limit_gives_fred_429_body() -> None:
    with Replica.start(as_of=AS_OF) as r:
        codes = [api(r, "/fred/series", series_id="DGS10", file_type="json") for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert codes[2].text == ('{"error_code":429,"error_message":"Too Many Requests.  '
                             'Exceeded Rate Limit"}')


def test_fredgraph_rate_limit_is_off_by_default_and_configurable() -> None:
    """FRED documents no limit for fredgraph.csv: the replica adds one only when asked."""
    target = "/graph/fredgraph.csv?id=DGS10"
    with Replica.start(as_of=AS_OF, fred_rate_limit=(0, 0)) as r:
        assert [get(r, target).status_code for _ in range(4)] == [200] * 4
    with Replica.start(as_of=AS_OF, fredgraph_rate_limit=(2, 120)) as r:
        codes = [get(r, target) for _ in range(3)]
        time.sleep(1.05)
        after = get(r, target).status_code
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert "Too many requests" in codes[2].text and after == 200


def test_api_xml_default_parses(replica: Replica) -> None:
    obs = ET.fromstring(api(replica, OBS, series_id="DGS10", limit="3").content)
    assert obs.tag == "observations" and obs.get("count") and obs.get("limit") == "3"
    assert [set(c.attrib) for c in obs] == [{"realtime_start", "realtime_end", "date",
                                             "value"}] * 3
    seriess = ET.fromstring(api(replica, "/fred/series", series_id="IRSTCI01JPM156N").content)
    assert seriess[0].get("title", "").endswith("for Japan") and "(< 24" in seriess[0].get(
        "title", "")
    err = ET.fromstring(api(replica, OBS, series_id="NOSUCH").content)
    assert err.tag == "error" and err.get("code") == "400"


def test_vintages_for_revised_monthly_series(replica: Replica) -> None:
    body = api(replica, OBS, series_id="IRLTLT01JPM156N", file_type="json",
               realtime_start="1776-07-04", realtime_end="9999-12-31").json()
    by_date: dict[str, list[dict[str, str]]] = {}
    for o in body["observations"]:
        by_date.setdefault(o["date"], []).append(o)
    revised = [v for v in by_date.values() if len(v) > 1]
    assert revised, "the sample should revise some months"
    for versions in revised:
        for older, newer in zip(versions, versions[1:], strict=False):
            assert older["realtime_end"] < newer["realtime_start"]
        assert versions[-1]["realtime_end"] == "9999-12-31"
    vd = api(replica, "/fred/series/vintagedates", series_id="IRLTLT01JPM156N",
             file_type="json").json()
    assert vd["count"] == len(vd["vintage_dates"]) and vd["vintage_dates"][-1] <= "2026-11-26"


def test_cp932_files_decode_strictly_with_era_dates(replica: Replica) -> None:
    hist = get(replica, JGB_JA_ALL).content.decode("cp932")
    assert hist.startswith("国債金利情報,,,,,,,,,,,,,,,(単位 : %)\r\n基準日,1年")
    for d in ("\r\nS49.9.24,", "\r\nH31.4.26,", "\r\nR1.5.7,", "\r\nR8.10.30,"):
        assert d in hist
    assert "\r\nR8.11." not in hist  # history stops at the end of the previous month
    cur = get(replica, JGB_JA_CUR).content.decode("cp932")
    assert cur.startswith("国債金利情報 (令和8年11月)") and "\r\nR8.11.26," in cur
    assert cur.endswith("再度ダウンロードください。,,,,,,,,,,,,,,,\r\n")
    week = get(replica, FLOWS_DIR + "week.csv").content.decode("cp932")
    assert "\r\n2006．12．31～ 2007．1．6," in week and "単位：億円" in week


def test_english_jgb_files(replica: Replica) -> None:
    hist = get(replica, JGB_EN_ALL).content.decode("ascii")
    rows = list(csv.reader(io.StringIO(hist)))
    assert rows[0][0] == "Interest Rate" and rows[1][10] == "10Y"
    assert rows[2][:2] == ["1974/9/24", rows[2][1]] and rows[2][10] == "-"
    assert any(r[0] == "1986/7/5" and r[10] != "-" for r in rows)
    assert any(r[1].startswith("-0.") for r in rows[2:])  # negative yields are values
    cur = get(replica, JGB_EN_CUR).text
    assert cur.startswith("Interest Rate (November 2026),")


def test_flows_identities(replica: Replica) -> None:
    text = get(replica, FLOWS_DIR + "montha1.csv").content.decode("cp932")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("\n" in cell for cell in rows[3])  # a quoted header cell with a newline
    data = [r for r in rows if r[2] in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec")]
    assert data[-1][3] == "" and data[-1][2] == "Dec"  # future months: blank rows
    num = [[int(c.replace(",", "")) for c in r[3:25]] for r in data if r[3]]
    for v in num:
        assert v[2] == v[0] - v[1] and v[5] == v[3] - v[4] and v[6] == v[2] + v[5]
        assert v[10] == v[6] + v[9]
    b3 = list(csv.reader(io.StringIO(
        get(replica, FLOWS_DIR + "monthb3.csv").content.decode("cp932"))))
    assert b3[3][3] == "各部門計" and "生命保険会社" in b3[3]
    b3_data = [r for r in b3 if len(r) > 5 and r[2] in ("Jan", "Sep") and r[3]]
    a1 = {(r[0], r[2]): r for r in data if r[3]}
    assert b3_data and all(r[3:6] == a1[(r[0], r[2])][6:9] for r in b3_data if r[0])


def _tic_rows(text: str) -> dict[str, list[float]]:
    rows = {}
    for line in text.split("\r\n"):
        cells = line.split("\t")
        if cells[0] and cells[1:] and cells[1].replace(".", "").isdigit():
            rows[cells[0]] = [float(c) for c in cells[1:] if c]
    return rows


def test_tic_table5_identities_and_history_agree(replica: Replica) -> None:
    text = get(replica, TIC_TABLE5).text
    header = next(ln for ln in text.split("\r\n") if ln.startswith("Country\t")).split("\t")
    assert header[1:] == [f"2026-{m:02d}" for m in range(9, 0, -1)] + [
        f"2025-{m:02d}" for m in range(12, 8, -1)]
    rows = _tic_rows(text)
    assert "China, Mainland" in rows and "Billions of dollars" in text
    countries = [k for k in rows if k not in ("Grand Total", "All Other")
                 and not k.startswith("Of Which")]
    for j in range(13):
        parts = sum(rows[c][j] for c in countries) + rows["All Other"][j]
        assert abs(parts - rows["Grand Total"][j]) <= 0.05 * len(countries)
        official = rows["Of Which: Foreign Official"][j]
        split = (rows["Of Which: Foreign Official Treasury Bills"][j]
                 + rows["Of Which: Foreign Official T-Bonds & Notes"][j])
        assert abs(official - split) < 0.051
    hist = get(replica, TIC_MFHHIS01).text
    assert hist.index("Country\t2025") < hist.index("Country\t2024")
    japan_2025 = next(ln for ln in hist.split("\r\n") if ln.startswith("Japan\t")).split("\t")
    assert float(japan_2025[1]) == rows["Japan"][9]  # Dec-2025 in both files
    assert '"China, Mainland"\t' in hist and "Oil Exporters 3/" in hist
    assert '"(2025 revised March 18, 2026)"' in hist


def test_conditional_get(replica: Replica) -> None:
    first = get(replica, TIC_TABLE5)
    etag, lm = first.headers["ETag"], first.headers["Last-Modified"]
    by_tag = get(replica, TIC_TABLE5, headers={"If-None-Match": etag})
    assert by_tag.status_code == 304 and by_tag.content == b""
    by_date = get(replica, TIC_TABLE5, headers={"If-Modified-Since": lm})
    assert by_date.status_code == 304
    assert get(replica, TIC_TABLE5, headers={"If-None-Match": '"other"'}).status_code == 200


def test_publish_day_adds_one_row_and_bumps_validators() -> None:
    with Replica.start(as_of=date(2026, 11, 25)) as r:
        before = get(r, "/graph/fredgraph.csv?id=DGS10&cosd=2026-11-01").text.split("\n")
        cur = get(r, JGB_JA_CUR)
        assert r.publish_day() == date(2026, 11, 26)
        after = get(r, "/graph/fredgraph.csv?id=DGS10&cosd=2026-11-01").text.split("\n")
        cur2 = get(r, JGB_JA_CUR, headers={"If-None-Match": cur.headers["ETag"]})
        assert after[:-1] == before[:-1] + ["2026-11-26,"]
        assert cur2.status_code == 200 and cur2.headers["ETag"] != cur.headers["ETag"]
        assert cur2.content.count(b"\r\n") == cur.content.count(b"\r\n") + 1
        assert cur2.headers["Last-Modified"] != cur.headers["Last-Modified"]


def test_current_month_without_business_day_has_header_and_trailer_only() -> None:
    with Replica.start(as_of=date(2027, 1, 1)) as r:
        lines = get(r, JGB_EN_CUR).text.split("\r\n")
    assert lines[0].startswith("Interest Rate (January 2027)") and lines[1].startswith("Date,")
    assert lines[2] == "," * 15 and lines[3].startswith('"If you cannot') and lines[4] == ""


def test_faults(replica: Replica) -> None:
    path = "/resource-center/data-chart-center/tic/Documents/slt_table5.txt"
    replica.inject(path, "status", code=502)
    assert get(replica, path).status_code == 502
    assert get(replica, path).status_code == 200  # times=1
    replica.inject("/fred/", "429", retry_after=7)
    resp = api(replica, "/fred/series", series_id="DGS10", file_type="json")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "7"
    assert resp.json()["error_code"] == 429
    replica.inject(path, "timeout", seconds=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(replica.url + path, timeout=0.3)
    replica.inject(path, "reset")
    with pytest.raises(requests.ConnectionError):
        requests.get(replica.url + path, timeout=5)
    replica.inject(path, "truncate")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(replica.url + path, timeout=5)
    replica.inject(path, "empty")
    resp = get(replica, path)
    assert resp.status_code == 200 and resp.content == b""
    replica.inject(path, "html200")
    resp = get(replica, path)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html"
    replica.inject(path, "latency", seconds=0.3)
    t0 = time.monotonic()
    assert get(replica, path).status_code == 200 and time.monotonic() - t0 >= 0.3
    replica.inject(path, "status", times=0)
    assert get(replica, path).status_code == 503
    replica.clear_faults()
    assert get(replica, path).status_code == 200
    deadline = time.monotonic() + 3  # the timed-out request is logged when its sleep ends
    while time.monotonic() < deadline:
        log = sorted((rec for rec in replica.requests if rec.path == path and rec.fault),
                     key=lambda rec: rec.time)
        if len(log) >= 8:
            break
        time.sleep(0.05)
    assert [rec.fault for rec in log[:3]] == ["status", "timeout", "reset"]
    assert log[2].status == 0  # reset: no response at all


def test_put_overrides_one_file(replica: Replica) -> None:
    replica.put("/graph/fredgraph.csv?id=DGS2", b"garbage\n", content_type="text/csv")
    assert get(replica, "/graph/fredgraph.csv?id=DGS2&cosd=2020-01-01").content == b"garbage\n"
    assert get(replica, "/graph/fredgraph.csv?id=DGS5").text.startswith("observation_date")


def test_request_log_redacts_api_key(replica: Replica) -> None:
    api(replica, "/fred/series", series_id="DGS10", file_type="json")
    assert all(KEY not in rec.query for rec in replica.requests)
    assert any("api_key=REDACTED" in rec.query for rec in replica.requests)


def test_real_files_mode_serves_bytes_as_on_disk(reference_dir: Path) -> None:
    with Replica.start(as_of=AS_OF, data_dir=reference_dir, fred_rate_limit=(0, 0)) as r:
        assert get(r, JGB_JA_ALL).content == (reference_dir / "mof_jgb/jgbcm_all.csv").read_bytes()
        assert get(r, TIC_MFHHIS01).content == (reference_dir / "tic/mfhhis01.txt").read_bytes()
        dgs10 = reference_dir / "fred/fredgraph_csv_observation_date_header/DGS10.csv"
        assert get(r, "/graph/fredgraph.csv?id=DGS10").content == dgs10.read_bytes()
        raw = api(r, OBS, series_id="WALCL", file_type="json").content
        assert raw == (reference_dir / "fred/api_json/WALCL.json").read_bytes()
        assert get(r, TIC_TABLE5).status_code == 200  # not in the folder: the sample


GENERATION_BUDGET_S = 10.0  # a test or `make demo` starting the replica waits this long at most


def test_generation_time_for_today() -> None:
    """A fresh process (caches cold) renders today's whole sample within the budget."""
    code = ("import time; t=time.perf_counter(); from pipelines.replica.sample import snapshot,"
            " today_utc; s=snapshot(today_utc()); n=sum(s.render_all().values());"
            " print(round(time.perf_counter()-t, 3), n)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert float(out[0]) < GENERATION_BUDGET_S, f"sample generation took {out[0]} s"
    assert int(out[1]) > 1_000_000  # every publisher file, full history: megabytes, not a stub


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    port_file = tmp_path / "url"
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.replica", "--as-of", "2026-11-26",
                             "--port-file", str(port_file)], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("replica serving on http://127.0.0.1:")
        url = port_file.read_text().strip()
        assert requests.get(url + JGB_EN_CUR, timeout=10).status_code == 200
        ok = requests.post(url + "/_replica/inject", timeout=10,
                           data=json.dumps({"path_prefix": "/graph", "fault": "status"}))
        assert ok.json() == {"ok": True}
        assert requests.get(url + "/graph/fredgraph.csv?id=DGS10", timeout=10).status_code == 503
        log = requests.get(url + "/_replica/requests", timeout=10).json()
        assert [rec["status"] for rec in log] == [200, 503]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
