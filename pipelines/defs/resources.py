"""The two resources every asset uses: the warehouse and the publishers.

`location_resources()` binds each setting that is set in the environment as `dg.EnvVar`, so
the UI shows which variable a value comes from and Dagster resolves it in the run, not when
the code location loaded; an unset one leaves the field empty and the default applies
(lib/settings.py, the real publishers). Timeouts and retries default to `HttpClient`'s own.

Neither resource holds the FRED API key: Dagster keeps resource config in run storage, so the
key is read from the environment (`settings.fred_api_key()`, through `Settings.from_env()` in
`PublishersResource.settings()`) when a run builds its requests, and is kept nowhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.lib import settings as env
from pipelines.lib.errors import ConfigError
from pipelines.lib.fetcher import Fetcher
from pipelines.lib.http import HttpClient
from pipelines.lib.ratelimit import RateLimit
from pipelines.lib.raw_store import RawStore
from pipelines.lib.redact import refuse_credentials
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import Warehouse

# Resource field -> the environment variable it comes from when set.
WAREHOUSE_ENV = {"assets_dir": "ASSETS_DIR"}
PUBLISHERS_ENV = {"fred_graph_url": "FRED_GRAPH_URL", "fred_api_url": "FRED_API_URL",
                  "mof_url": "MOF_URL", "tic_url": "TIC_URL"}


class WarehouseResource(dg.ConfigurableResource):
    """`assets/warehouse.duckdb`, written by one process at a time (see lib/warehouse.py)."""

    assets_dir: str | None = None
    lock_timeout_s: float = 900.0

    def settings(self) -> Settings:
        settings = Settings.from_env()
        if self.assets_dir:
            settings = dataclasses.replace(settings, assets_dir=Path(self.assets_dir).resolve())
        return settings

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.settings().warehouse_path, lock_timeout_s=self.lock_timeout_s)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.warehouse.connect() as con:
            yield con


class PublishersResource(dg.ConfigurableResource):
    """Where the publishers are and how politely to ask them. Empty fields fall back to env."""

    fred_graph_url: str | None = None
    fred_api_url: str | None = None
    mof_url: str | None = None
    tic_url: str | None = None
    fred_requests_per_second: float = 2.0
    fred_requests_per_minute: int = 120
    connect_timeout_s: float = HttpClient.connect_timeout_s
    read_timeout_s: float = HttpClient.read_timeout_s
    deadline_s: float = HttpClient.deadline_s  # connect + every read of one exchange
    max_retry_after_s: float = HttpClient.max_retry_after_s  # longer fails the source
    max_attempts: int = HttpClient.max_attempts
    backoff_base_s: float = HttpClient.backoff_base_s
    rate_limited_wait_s: float = HttpClient.rate_limited_wait_s
    max_body_bytes: int = HttpClient.max_body_bytes
    replay: bool = False

    def settings(self) -> Settings:
        s = Settings.from_env()
        urls = {name: _base_url(var, getattr(self, name) or getattr(s, name))
                for name, var in PUBLISHERS_ENV.items()}
        return dataclasses.replace(s, **urls, replay=self.replay or s.replay)

    def client(self) -> HttpClient:
        return HttpClient(
            connect_timeout_s=self.connect_timeout_s,
            read_timeout_s=self.read_timeout_s,
            deadline_s=self.deadline_s,
            max_retry_after_s=self.max_retry_after_s,
            max_attempts=self.max_attempts,
            backoff_base_s=self.backoff_base_s,
            rate_limited_wait_s=self.rate_limited_wait_s,
            max_body_bytes=self.max_body_bytes,
            rate_limits={
                "fred": RateLimit(self.fred_requests_per_second, self.fred_requests_per_minute)
            },
        )

    def fetcher(self, con: duckdb.DuckDBPyConnection, raw_dir: Path) -> Fetcher:
        settings = self.settings()
        client = None if settings.replay else self.client()
        return Fetcher(con, RawStore(raw_dir), client, replay=settings.replay)


def _base_url(name: str, url: str) -> str:
    """A configured base URL, refused if it carries `user:password@` (as settings does)."""
    try:
        return refuse_credentials(name, url).rstrip("/")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _from_env(fields: dict[str, str]) -> dict[str, dg.EnvVar]:
    """`dg.EnvVar` for each field whose variable is set now; unset ones keep their default."""
    return {name: dg.EnvVar(var) for name, var in fields.items() if env.env_value(var)}


def location_resources(*, bind_env: bool = True) -> dict[str, dg.ConfigurableResource]:
    """The code location's resources (definitions.py). `bind_env=False` leaves every field
    empty, so each run reads the environment as it is then: for definitions that a test
    harness keeps across runs while it sets and unsets variables (an EnvVar bound to a
    variable that is later unset fails the run)."""
    if not bind_env:
        return {"warehouse": WarehouseResource(), "publishers": PublishersResource()}
    return {
        "warehouse": WarehouseResource(**_from_env(WAREHOUSE_ENV)),
        "publishers": PublishersResource(**_from_env(PUBLISHERS_ENV)),
    }
