"""Configuration from the environment. Defaults are the real publishers (DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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


def fred_catalogue_path() -> Path | None:
    """Another catalogue.yaml for FRED (FRED_CATALOGUE: tests, experiments), read at load time."""
    value = os.environ.get("FRED_CATALOGUE", "").strip()
    return Path(value) if value else None


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _base_url(name: str, default: str) -> str:
    """A publisher's base URL from the environment; one with `user:password@` is refused."""
    try:
        return refuse_credentials(name, _env(name, default)).rstrip("/")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


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

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            fred_graph_url=_base_url("FRED_GRAPH_URL", DEFAULT_FRED_GRAPH_URL),
            fred_api_url=_base_url("FRED_API_URL", DEFAULT_FRED_API_URL),
            mof_url=_base_url("MOF_URL", DEFAULT_MOF_URL),
            tic_url=_base_url("TIC_URL", DEFAULT_TIC_URL),
            assets_dir=Path(_env("ASSETS_DIR", "assets")).resolve(),
            fred_api_key=os.environ.get("FRED_API_KEY", "").strip() or None,
            alert_webhook_url=os.environ.get("ALERT_WEBHOOK_URL", "").strip() or None,
            replay=os.environ.get("REPLAY", "") == "1",
            serving_root=Path(serving).resolve() if (serving := _env("SERVING_DIR", "")) else None,
            automation=automation_enabled(),
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
