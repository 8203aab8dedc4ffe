"""Which cadence each asset follows, read from the publishers' declarations.

An ingestion asset follows its dataset's cadence (FRED: the cadence of the series'
`frequency`); a mart or serving asset follows the frequency its name says (`_daily`,
`_weekly`, `_monthly`; daily otherwise), at the most lenient declared cadence of that
frequency. Jobs, schedules, the watcher and freshness policies are all built from this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dagster as dg

from pipelines.lib.cadence import Cadence
from pipelines.lib.datasets import Dataset, Publisher
from pipelines.lib.polling import Window

FREQUENCIES = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Release:
    """One cadence and the ingestion assets (and datasets) it refreshes: one job."""

    cadence: Cadence
    keys: tuple[dg.AssetKey, ...]
    datasets: tuple[Dataset, ...]


def _datasets(publishers: Iterable[Publisher]) -> list[Dataset]:
    return [ds for p in publishers for ds in p.datasets]


def dataset_of(key: dg.AssetKey, publishers: Iterable[Publisher]) -> Dataset | None:
    """The dataset an asset key ingests: its own key, or a per-series dataset's prefix."""
    path = tuple(key.path)
    for ds in _datasets(publishers):
        if path == ds.asset_key or (ds.series_column and path[:-1] == ds.asset_key):
            return ds
    return None


def ingest_cadence(spec: dg.AssetSpec, publishers: Iterable[Publisher]) -> Cadence | None:
    """The cadence of an ingestion asset (FRED: by its `frequency` metadata), else None."""
    ds = dataset_of(spec.key, publishers)
    if ds is None:
        return None
    frequency = spec.metadata.get("frequency")
    return ds.cadence_for(frequency if isinstance(frequency, str) else None)


def release_windows(publishers: Iterable[Publisher]) -> dict[str, Window]:
    """Every declared release window, by name (the watcher's plan; the benchmark's latency)."""
    return {c.window.name: c.window for ds in _datasets(publishers) for c in ds.all_cadences()
            if c.window is not None}


def frequency_cadence(frequency: str, publishers: Iterable[Publisher]) -> Cadence:
    """The most lenient declared cadence of a frequency: what a derived asset inherits."""
    found = [c for ds in _datasets(publishers) for c in ds.all_cadences()
             if c.frequency == frequency]
    if not found:
        raise ValueError(f"no publisher declares a {frequency} cadence")
    return max(found, key=lambda c: (c.late_after, c.lateness.max_days))


def name_frequency(key: dg.AssetKey) -> str:
    """daily, weekly or monthly, from a derived asset's name."""
    name = key.path[-1]
    return next((f for f in ("weekly", "monthly") if name.endswith(f"_{f}")), "daily")


def cadence_of(spec: dg.AssetSpec, publishers: Sequence[Publisher]) -> Cadence:
    return ingest_cadence(spec, publishers) or frequency_cadence(name_frequency(spec.key),
                                                                 publishers)


def releases(
    assets: Iterable[dg.AssetsDefinition], publishers: Sequence[Publisher]
) -> list[Release]:
    """Ingestion assets grouped by cadence, in the order the publishers declare them."""
    by_name: dict[str, tuple[Cadence, list[dg.AssetKey], list[Dataset]]] = {}
    order = [c.name for ds in _datasets(publishers) for c in ds.all_cadences()]
    for asset in assets:
        for spec in asset.specs:
            cadence = ingest_cadence(spec, publishers)
            if cadence is None:
                continue
            _, keys, datasets = by_name.setdefault(cadence.name, (cadence, [], []))
            keys.append(spec.key)
            ds = dataset_of(spec.key, publishers)
            if ds is not None and ds not in datasets:
                datasets.append(ds)
    return [Release(c, tuple(keys), tuple(dss))
            for name in dict.fromkeys(order) if name in by_name
            for c, keys, dss in [by_name[name]]]
