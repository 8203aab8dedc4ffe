"""lib/settings.py is the one reader of the environment, and its readers say what is wrong."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipelines.lib import settings
from pipelines.lib.errors import ConfigError
from pipelines.lib.redact import known_secrets

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"
READS_ENVIRONMENT = re.compile(
    r"\bos\.(environ|getenv|putenv)\b|\bfrom os import\b.*\b(environ|getenv)\b")


def test_no_module_but_settings_reads_the_environment() -> None:
    readers = sorted(
        rel for path in PACKAGE.rglob("*.py")
        if READS_ENVIRONMENT.search(path.read_text(encoding="utf-8"))
        and (rel := path.relative_to(PACKAGE).as_posix()) != "lib/settings.py"
    )
    assert readers == [], (
        "read the environment through a function in pipelines/lib/settings.py instead")


def test_the_pattern_catches_each_way_of_reading_the_environment() -> None:
    for line in ('os.environ.get("X")', 'os.getenv("X")', "dict(os.environ)",
                 "from os import environ", "from os import getenv, path"):
        assert READS_ENVIRONMENT.search(line), line
    assert not READS_ENVIRONMENT.search("os.path.join(a, b)")


@pytest.mark.parametrize(("read", "variable", "values", "bad", "message"), [
    (settings.fred_catalogue_path, "FRED_CATALOGUE",
     {None: None, " /tmp/cat.yaml ": Path("/tmp/cat.yaml")}, None, ""),
    (settings.mof_jgb_language, "MOF_JGB_LANGUAGE", {None: "en", "ja": "ja"},
     "fr", "MOF_JGB_LANGUAGE must be 'en' or 'ja', not 'fr'"),
    (settings.as_of, "AS_OF_DATE", {"2026-11-26": date(2026, 11, 26)},
     "26/11/2026", "AS_OF_DATE='26/11/2026' is not a YYYY-MM-DD date"),
    (settings.watch_interval_s, "JGB_WATCH_INTERVAL_S", {None: 60, " 2 ": 2}, "0",
     "JGB_WATCH_INTERVAL_S='0' is not a whole number of seconds (1 or more)"),
    (settings.automation_interval_s, "JGB_AUTOMATION_INTERVAL_S", {None: 30, "3": 3}, "1.5",
     "JGB_AUTOMATION_INTERVAL_S='1.5' is not a whole number of seconds (1 or more)"),
])
def test_each_reader_gives_its_default_its_value_and_names_the_variable_it_refuses(
    monkeypatch: pytest.MonkeyPatch, read, variable: str, values: dict, bad: str | None,
    message: str,
) -> None:
    for text, expected in values.items():
        if text is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, text)
        assert read() == expected, text
    if bad is not None:
        monkeypatch.setenv(variable, bad)
        with pytest.raises(ConfigError, match=re.escape(message)):
            read()


def test_serve_addresses_default_to_localhost_and_refuse_a_bad_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DAGSTER_WEBSERVER_HOST", "DAGSTER_WEBSERVER_PORT", "DAGSTER_GRPC_HOST",
                 "DAGSTER_GRPC_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert settings.webserver_address() == ("127.0.0.1", 3000)
    assert settings.grpc_address() == ("127.0.0.1", 4266)
    monkeypatch.setenv("DAGSTER_GRPC_PORT", "4300")
    assert settings.grpc_address() == ("127.0.0.1", 4300)
    monkeypatch.setenv("DAGSTER_WEBSERVER_PORT", "http")
    with pytest.raises(ConfigError, match="DAGSTER_WEBSERVER_PORT='http' is not a TCP port"):
        settings.webserver_address()


def test_the_api_key_is_scrubbed_as_set_at_the_moment_of_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    assert known_secrets() == []
    monkeypatch.setenv("FRED_API_KEY", " abcdef0123456789 ")
    assert known_secrets() == ["abcdef0123456789"]
    assert settings.Settings.from_env().fred_api_key == "abcdef0123456789"


def test_the_daemon_evaluates_the_sensors_at_the_intervals_the_environment_sets() -> None:
    """Read when the code location loads: defaults, then the variables set and the module
    loaded again, in a fresh interpreter (reloading here would replace shared sensor objects)."""
    code = ("import importlib, os; from pipelines.defs import sensors as s\n"
            "for step in (0, 1):\n"
            "    print(s.WATCH_INTERVAL_S, s.automation_sensor.minimum_interval_seconds)\n"
            "    os.environ.update(JGB_WATCH_INTERVAL_S='5', JGB_AUTOMATION_INTERVAL_S='2')\n"
            "    s = importlib.reload(s)\n")
    env = {k: v for k, v in os.environ.items()
           if k not in (settings.WATCH_INTERVAL_ENV, settings.AUTOMATION_INTERVAL_ENV)}
    run = subprocess.run([sys.executable, "-c", code], env=env, cwd=PACKAGE.parent,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split("\n")[:2] == ["60 30", "5 2"]
