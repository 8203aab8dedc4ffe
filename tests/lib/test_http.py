"""The shared HTTP client, against a real local HTTP server."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pipelines.lib.errors import FetchError
from pipelines.lib.http import HttpClient
from pipelines.lib.http_response import Validators
from pipelines.lib.ratelimit import RateLimit, SlidingWindowLimiter

KEY = "abcdefghij0123456789abcdefghij01"


def fast_client(**kw) -> HttpClient:
    defaults = dict(backoff_base_s=0.01, backoff_max_s=0.05, rate_limited_wait_s=0.05,
                    read_timeout_s=2.0, max_attempts=3)
    defaults.update(kw)
    return HttpClient(**defaults)


def test_retries_a_5xx_burst_then_returns_the_body(httpserver: HTTPServer):
    httpserver.expect_ordered_request("/f.csv").respond_with_data("boom", status=503)
    httpserver.expect_ordered_request("/f.csv").respond_with_data("boom", status=502)
    httpserver.expect_ordered_request("/f.csv").respond_with_data("a,b\n1,2\n")
    result = fast_client().get("mof", httpserver.url_for("/f.csv"))
    assert (result.status, result.body, result.attempts) == (200, b"a,b\n1,2\n", 3)


def test_gives_up_after_max_attempts_naming_source_and_url(httpserver: HTTPServer):
    httpserver.expect_request("/f.csv").respond_with_data("down", status=503)
    with pytest.raises(FetchError, match=r"^tic \(http://.*/f.csv\): gave up after 3 attempts"):
        fast_client().get("tic", httpserver.url_for("/f.csv"))


def test_honours_retry_after_on_429(httpserver: HTTPServer):
    httpserver.expect_ordered_request("/x").respond_with_data(
        '{"error_code":429,"error_message":"Too Many Requests.  Exceeded Rate Limit"}',
        status=429, headers={"Retry-After": "1"})
    httpserver.expect_ordered_request("/x").respond_with_data("{}", content_type="application/json")
    started = time.monotonic()
    result = fast_client().get("fred", httpserver.url_for("/x"), expect="json")
    assert result.status == 200 and time.monotonic() - started >= 1.0


def test_html_page_served_with_200_is_refused_and_key_is_not_shown(httpserver: HTTPServer):
    httpserver.expect_request("/fred/series/observations").respond_with_data(
        "<!DOCTYPE html><html><body>Maintenance</body></html>", content_type="text/html")
    with pytest.raises(FetchError) as err:
        fast_client().get("fred", httpserver.url_for("/fred/series/observations"),
                          params={"series_id": "DGS10", "api_key": KEY}, expect="json")
    message = str(err.value)
    assert "expected JSON but received an HTML page" in message
    assert "series_id=DGS10" in message and "api_key=REDACTED" in message
    assert KEY not in message


def test_empty_body_is_refused(httpserver: HTTPServer):
    httpserver.expect_request("/f.csv").respond_with_data("")
    with pytest.raises(FetchError, match="empty body"):
        fast_client().get("mof", httpserver.url_for("/f.csv"))


def test_body_over_the_cap_is_refused(httpserver: HTTPServer):
    httpserver.expect_request("/big").respond_with_data("x" * 5000)
    with pytest.raises(FetchError, match="exceeds the cap of 1000 bytes"):
        fast_client(max_body_bytes=1000).get("tic", httpserver.url_for("/big"), expect="text")


def test_conditional_get_sends_validators_and_returns_not_modified(httpserver: HTTPServer):
    httpserver.expect_request(
        "/f.csv", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Tue, 01 Sep 2026"}
    ).respond_with_data("", status=304)
    result = fast_client().get("mof", httpserver.url_for("/f.csv"),
                               validators=Validators('"v1"', "Tue, 01 Sep 2026"))
    assert result.not_modified and result.body is None


def test_timeout_is_retried(httpserver: HTTPServer):
    calls = []

    def slow_then_fast(request):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(1.5)
        return Response("a\n1\n")

    httpserver.expect_request("/slow").respond_with_handler(slow_then_fast)
    result = fast_client(read_timeout_s=0.5).get("mof", httpserver.url_for("/slow"))
    # The test server is single-threaded, so a retry can queue behind the slow reply.
    assert result.body == b"a\n1\n" and result.attempts >= 2


def test_every_response_is_handed_to_the_landing_zone(httpserver: HTTPServer):
    httpserver.expect_ordered_request("/f").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/f").respond_with_data("ok\n")
    seen = []
    fast_client(on_response=seen.append).get("mof", httpserver.url_for("/f"))
    assert [(r.status, r.body) for r in seen] == [(500, b"oops"), (200, b"ok\n")]


def test_user_agent_names_the_project(httpserver: HTTPServer):
    httpserver.expect_request("/f").respond_with_data("ok\n")
    fast_client().get("mof", httpserver.url_for("/f"))
    (request, _), = httpserver.log
    assert request.headers["User-Agent"].startswith("jgb-ust-flows/")


def test_limiter_never_admits_more_than_the_limit_in_any_second():
    limiter = SlidingWindowLimiter(RateLimit(per_second=2, per_minute=120))
    stamps = []
    for _ in range(6):
        limiter.acquire()
        stamps.append(time.monotonic())
    assert all(b - a >= 1.0 for a, b in zip(stamps, stamps[2:], strict=False))


# --- issue 14: redirects, 304, deadlines, Retry-After, key echoes; issue 13.7: limiter --------


def test_redirect_to_another_host_is_refused_and_that_host_sees_nothing(httpserver: HTTPServer):
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/steal").respond_with_data("{}")
        httpserver.expect_request("/fred/series").respond_with_data(
            "", status=302, headers={"Location": other.url_for("/steal") + f"?api_key={KEY}"})
        seen = []
        with pytest.raises(FetchError, match="redirect to another host .* refused") as err:
            fast_client(on_response=seen.append).get(
                "fred", httpserver.url_for("/fred/series"),
                params={"series_id": "DGS10", "api_key": KEY}, expect="json")
        assert other.log == []
        assert KEY not in str(err.value) and "api_key=REDACTED" in str(err.value)
        assert [r.status for r in seen] == [302] and KEY not in seen[0].problem
    finally:
        other.clear()
        other.stop()


def test_same_host_redirect_is_followed_and_each_hop_is_recorded(httpserver: HTTPServer):
    httpserver.expect_request("/old.csv").respond_with_data(
        "", status=301, headers={"Location": "/new.csv"})
    httpserver.expect_request("/new.csv").respond_with_data("a\n1\n")
    seen = []
    result = fast_client(on_response=seen.append).get("mof", httpserver.url_for("/old.csv"))
    assert result.body == b"a\n1\n"
    assert [(r.status, (r.problem or "")[:22]) for r in seen] == [
        (301, "HTTP 301 redirect to h"), (200, "")]


def test_redirect_loop_names_source_and_url(httpserver: HTTPServer):
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match=r"^mof \(http://.*/loop\): redirect loop: more than 5"):
        fast_client().get("mof", httpserver.url_for("/loop"))


def test_304_to_an_unconditional_get_is_an_error_not_unchanged(httpserver: HTTPServer):
    httpserver.expect_request("/jgbcme_all.csv").respond_with_data("", status=304)
    with pytest.raises(FetchError, match="HTTP 304 Not Modified to a request without"):
        fast_client().get("mof", httpserver.url_for("/jgbcme_all.csv"))


def test_a_body_trickling_in_is_cut_off_at_the_total_deadline(httpserver: HTTPServer):
    def trickle(request):
        def gen():
            for _ in range(100):
                time.sleep(0.1)
                yield b"x"
        return Response(gen(), headers={"Content-Length": "100"})

    httpserver.expect_request("/slow.csv").respond_with_handler(trickle)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^mof \(http://.*/slow.csv\): deadline of 1 s passed"):
        fast_client(deadline_s=1.0, read_timeout_s=0.5).get(
            "mof", httpserver.url_for("/slow.csv"))
    assert time.monotonic() - started < 2.5  # not 10 s, and not retried


def test_retry_after_beyond_the_cap_fails_at_once_with_a_clear_message(httpserver: HTTPServer):
    httpserver.expect_request("/x").respond_with_data("slow down", status=429,
                                                      headers={"Retry-After": "86400"})
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"asks to wait 86400 s .*more than the 120 s"):
        fast_client(max_retry_after_s=120).get("fred", httpserver.url_for("/x"))
    assert time.monotonic() - started < 1.0


def test_an_error_body_echoing_the_key_is_stored_redacted_and_marked(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FRED_API_KEY", KEY)
    httpserver.expect_request("/fred/series").respond_with_data(
        f'{{"error_code":400,"error_message":"Bad Request: /fred/series?api_key={KEY}"}}',
        status=400, content_type="application/json")
    seen = []
    with pytest.raises(FetchError) as err:
        fast_client(on_response=seen.append).get(
            "fred", httpserver.url_for("/fred/series"), params={"api_key": KEY}, expect="json")
    assert KEY not in str(err.value)
    (rec,) = seen
    assert KEY.encode() not in rec.body and b"api_key=REDACTED" in rec.body
    assert rec.body_redacted and KEY not in (rec.problem or "")


def test_a_2xx_body_is_kept_byte_exact_even_if_it_holds_the_key(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FRED_API_KEY", KEY)
    httpserver.expect_request("/f").respond_with_data(f"note,{KEY}\n")
    seen = []
    fast_client(on_response=seen.append).get("mof", httpserver.url_for("/f"))
    assert seen[0].body == f"note,{KEY}\n".encode() and not seen[0].body_redacted


def test_a_url_with_credentials_is_refused_before_anything_is_sent(httpserver: HTTPServer):
    url = httpserver.url_for("/f").replace("http://", "http://admin:hunter2pass@")
    with pytest.raises(FetchError, match="carries credentials") as err:
        fast_client().get("mof", url)
    assert "hunter2pass" not in str(err.value) and httpserver.log == []


def test_limiter_honours_a_fractional_rate():
    limiter = SlidingWindowLimiter(RateLimit(per_second=0.5, per_minute=120))
    stamps = []
    for _ in range(3):
        limiter.acquire()
        stamps.append(time.monotonic())
    assert all(b - a >= 2.0 for a, b in zip(stamps, stamps[1:], strict=False))
