"""The two resources every asset uses: the warehouse and the publishers.

Neither stores the FRED API key in its config: Dagster keeps resource config in run storage,
so the key is read from the environment at the moment a request is built, and nowhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.lib.http import HttpClient, RateLimit
from pipelines.lib.raw import Fetcher, RawStore
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse import Warehouse


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
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    deadline_s: float = 120.0  # connect + every read of one exchange
    max_retry_after_s: float = 120.0  # a longer Retry-After fails the source
    max_attempts: int = 5
    backoff_base_s: float = 1.0
    rate_limited_wait_s: float = 60.0
    max_body_bytes: int = 64 * 1024 * 1024
    replay: bool = False

    def settings(self) -> Settings:
        s = Settings.from_env()
        return dataclasses.replace(
            s,
            fred_graph_url=(self.fred_graph_url or s.fred_graph_url).rstrip("/"),
            fred_api_url=(self.fred_api_url or s.fred_api_url).rstrip("/"),
            mof_url=(self.mof_url or s.mof_url).rstrip("/"),
            tic_url=(self.tic_url or s.tic_url).rstrip("/"),
            replay=self.replay or s.replay,
        )

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
