"""Secrets are scrubbed from every string that is stored or shown (issue 14.4)."""

from __future__ import annotations

import pytest

from pipelines.lib.errors import ConfigError, FetchError
from pipelines.lib.redact import redact_bytes, redact_text, redact_url
from pipelines.lib.settings import Settings

KEY = "abcdefghij0123456789abcdefghij01"


def test_urls_lose_their_key_and_their_userinfo() -> None:
    url = f"http://admin:hunter2pass@127.0.0.1:8080/fred/series?series_id=DGS10&api_key={KEY}"
    assert redact_url(url) == ("http://REDACTED@127.0.0.1:8080/fred/series"
                               "?series_id=DGS10&api_key=REDACTED")


def test_free_text_loses_the_key_raw_or_percent_encoded_and_any_userinfo() -> None:
    text = f"GET https://u:p@host/x?api_key={KEY} failed; echoed {KEY}"
    assert redact_text(text, [KEY]) == ("GET https://REDACTED@host/x?api_key=REDACTED failed;"
                                        " echoed REDACTED")


def test_error_bodies_are_scrubbed_and_say_so() -> None:
    body, changed = redact_bytes(f'{{"error_message": "bad /x?api_key={KEY}"}}'.encode(), [KEY])
    assert changed and KEY.encode() not in body
    assert redact_bytes(b"clean", [KEY]) == (b"clean", False)


def test_every_source_error_is_scrubbed_even_when_a_caller_forgot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    err = FetchError("fred", f"http://h/x?api_key={KEY}", f"server said: api_key={KEY}")
    assert KEY not in str(err) and str(err).count("REDACTED") == 2


@pytest.mark.parametrize("name", ["FRED_GRAPH_URL", "FRED_API_URL", "MOF_URL", "TIC_URL"])
def test_base_urls_with_credentials_are_refused_without_showing_them(
    name: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(name, "http://admin:hunter2pass@127.0.0.1:9")
    with pytest.raises(ConfigError, match=f"{name} carries credentials") as err:
        Settings.from_env()
    assert "hunter2pass" not in str(err.value) and "admin" not in str(err.value)
