"""Configuration from the environment. Defaults are the real publishers (DESIGN.md).

The one module that reads `os.environ` (tests/lib/test_settings.py enforces it): everything
else asks a function here, so every variable the project understands is listed in one file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.lib.errors import ConfigError
from pipelines.lib.redact import refuse_credentials

DEFAULT_FRED_GRAPH_URL = "https://fred.stlouisfed.org"
DEFAULT_FRED_API_URL = "https://api.stlouisfed.org"
DEFAULT_MOF_URL = "https://www.mof.go.jp"
DEFAULT_TIC_URL = "https://ticdata.treasury.gov"

# Schedules and sensors start STOPPED unless this is on: a checkout, `make dev` or a test
# never calls the publishers by itself. Production sets JGB_AUTOMATION=on (README).
AUTOMATION_ENV = "JGB_AUTOMATION"
AUTOMATION_ON = frozenset({"on", "1", "true", "yes"})


def automation_enabled() -> bool:
    """Whether schedules and sensors start RUNNING (JGB_AUTOMATION=on), read at load time."""
    return os.environ.get(AUTOMATION_ENV, "").strip().lower() in AUTOMATION_ON


# How often the daemon evaluates the two sensors (pipelines/defs/sensors.py). Production keeps
# the defaults; the deploy tests shorten them so the daemon's ticks do not set their pace.
WATCH_INTERVAL_ENV = "JGB_WATCH_INTERVAL_S"
AUTOMATION_INTERVAL_ENV = "JGB_AUTOMATION_INTERVAL_S"


def _seconds(name: str, default: int) -> int:
    text = _env(name, str(default))
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{name}={text!r} is not a whole number of seconds (1 or more)")
    return int(text)


def watch_interval_s() -> int:
    """JGB_WATCH_INTERVAL_S: seconds between the publisher-file watcher's ticks (default 60)."""
    return _seconds(WATCH_INTERVAL_ENV, 60)


def automation_interval_s() -> int:
    """JGB_AUTOMATION_INTERVAL_S: seconds between the automation sensor's evaluations (30)."""
    return _seconds(AUTOMATION_INTERVAL_ENV, 30)


FRED_CATALOGUE_ENV = "FRED_CATALOGUE"  # path to another catalogue.yaml (tests, experiments)
MOF_JGB_LANGUAGE_ENV = "MOF_JGB_LANGUAGE"
MOF_JGB_LANGUAGES = ("en", "ja")
AS_OF_ENV = "AS_OF_DATE"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def fred_api_key() -> str | None:
    """FRED_API_KEY, read when a request is built: it is never kept in resource config."""
    return os.environ.get("FRED_API_KEY", "").strip() or None


def fred_catalogue_path() -> Path | None:
    """FRED_CATALOGUE: another catalogue.yaml to use; None means the default one."""
    value = _env(FRED_CATALOGUE_ENV, "")
    return Path(value) if value else None


def mof_jgb_language() -> str:
    """MOF_JGB_LANGUAGE: which edition of MOF's JGB yield files to read, `en` (default) or `ja`."""
    language = _env(MOF_JGB_LANGUAGE_ENV, "en")
    if language not in MOF_JGB_LANGUAGES:
        raise ConfigError(f"{MOF_JGB_LANGUAGE_ENV} must be 'en' or 'ja', not {language!r}")
    return language


def as_of() -> date:
    """AS_OF_DATE=YYYY-MM-DD if set (tests, replays), else today in UTC."""
    text = _env(AS_OF_ENV, "")
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{AS_OF_ENV}={text!r} is not a YYYY-MM-DD date") from None


def env_value(name: str) -> str | None:
    """One variable as set (stripped), or None: for modules that take a mapping of them."""
    return os.environ.get(name, "").strip() or None


def dagster_home() -> Path | None:
    """DAGSTER_HOME, when set: a persistent Dagster instance lives there."""
    value = _env("DAGSTER_HOME", "")
    return Path(value) if value else None


def _port(name: str, default: int) -> int:
    text = _env(name, str(default))
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{name}={text!r} is not a TCP port (1-65535)")
    return int(text)


def webserver_address() -> tuple[str, int]:
    """DAGSTER_WEBSERVER_HOST and _PORT for `make serve` (default 127.0.0.1:3000)."""
    return _env("DAGSTER_WEBSERVER_HOST", "127.0.0.1"), _port("DAGSTER_WEBSERVER_PORT", 3000)


def grpc_address() -> tuple[str, int]:
    """DAGSTER_GRPC_HOST and _PORT of the code server `make serve` starts (127.0.0.1:4266)."""
    return _env("DAGSTER_GRPC_HOST", "127.0.0.1"), _port("DAGSTER_GRPC_PORT", 4266)


def child_environment() -> dict[str, str]:
    """A copy of this process's environment, to hand to a child process."""
    return dict(os.environ)


def export(values: Mapping[str, str]) -> None:
    """Set variables for this process and the code it runs (the demo points it at the replica)."""
    os.environ.update(values)


def _base_url(name: str, default: str) -> str:
    """A publisher's base URL from the environment; one with `user:password@` is refused."""
    try:
        return refuse_credentials(name, _env(name, default)).rstrip("/")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def publisher_url(name: str, default: str) -> str:
    """The base URL of a publisher without a field of its own: `<NAME>_URL`, else `default`.
    A new publisher's declaration reads it here, so adding one needs no edit to this module."""
    return _base_url(f"{name.upper()}_URL", default)


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about where to fetch from and where to write."""

    fred_graph_url: str = DEFAULT_FRED_GRAPH_URL
    fred_api_url: str = DEFAULT_FRED_API_URL
    mof_url: str = DEFAULT_MOF_URL
    tic_url: str = DEFAULT_TIC_URL
    assets_dir: Path = Path("assets")
    # repr=False: the key must never reach a log line through a dataclass repr.
    fred_api_key: str | None = field(default=None, repr=False)
    alert_webhook_url: str | None = field(default=None, repr=False)
    replay: bool = False
    # Where the serving copy is published (SERVING_DIR): a shared volume or a mounted bucket
    # when readers are on other machines; default assets/serving beside the warehouse.
    serving_root: Path | None = None
    automation: bool = False
    mof_jgb_language: str = "en"  # MOF_JGB_LANGUAGE: which JGB files, English or Japanese

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            fred_graph_url=_base_url("FRED_GRAPH_URL", DEFAULT_FRED_GRAPH_URL),
            fred_api_url=_base_url("FRED_API_URL", DEFAULT_FRED_API_URL),
            mof_url=_base_url("MOF_URL", DEFAULT_MOF_URL),
            tic_url=_base_url("TIC_URL", DEFAULT_TIC_URL),
            assets_dir=Path(_env("ASSETS_DIR", "assets")).resolve(),
            fred_api_key=fred_api_key(),
            alert_webhook_url=os.environ.get("ALERT_WEBHOOK_URL", "").strip() or None,
            replay=os.environ.get("REPLAY", "") == "1",
            serving_root=Path(serving).resolve() if (serving := _env("SERVING_DIR", "")) else None,
            automation=automation_enabled(),
            mof_jgb_language=_env("MOF_JGB_LANGUAGE", "en"),
        )

    @property
    def warehouse_path(self) -> Path:
        return self.assets_dir / "warehouse.duckdb"

    @property
    def raw_dir(self) -> Path:
        return self.assets_dir / "raw"

    @property
    def serving_dir(self) -> Path:
        return self.serving_root or self.assets_dir / "serving"
