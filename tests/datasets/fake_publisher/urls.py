"""Where the fake publisher posts its one file: `FAKE_URL` (scheme+host) plus a fixed path."""

from __future__ import annotations

from pipelines.lib.settings import publisher_url

DEFAULT_BASE_URL = "https://rates.fake.example"
RATES_PATH = "/data/policy_rates.csv"


def rates_url() -> str:
    return publisher_url("fake", DEFAULT_BASE_URL).rstrip("/") + RATES_PATH
