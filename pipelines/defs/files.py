"""The one helper that builds every file-based ingestion `multi_asset` from declarations.

Datasets that share `op` (MOF's three securities-flow tables) are one multi_asset, so one
step downloads their files together; each keeps its own key, checks and history. Every
asset takes the one-slot "warehouse" pool; files download before the writer lock.
"""

# No `from __future__ import annotations`: Dagster reads the resource types off the op
# function's signature at definition time.
from collections.abc import Iterable, Iterator

import dagster as dg

from pipelines.defs.ingest import check_specs, ingest_spec, ingest_with
from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.lib.datasets import Dataset, Publisher


def file_datasets(publishers: Iterable[Publisher]) -> dict[str, tuple[Dataset, ...]]:
    """op name -> its file-based datasets, in declaration order."""
    ops: dict[str, list[Dataset]] = {}
    for publisher in publishers:
        for ds in publisher.datasets:
            if ds.files is not None:
                ops.setdefault(ds.op or f"{ds.publisher}_{ds.name}", []).append(ds)
    return {name: tuple(group) for name, group in ops.items()}


def build_file_ingest(name: str, datasets: tuple[Dataset, ...]) -> dg.AssetsDefinition:
    """One multi_asset ingesting `datasets` (each its own asset and checks)."""

    @dg.multi_asset(
        name=name,
        specs=[ingest_spec(ds) for ds in datasets],
        check_specs=[spec for ds in datasets
                     for spec in check_specs(dg.AssetKey(list(ds.asset_key)), ds)],
        can_subset=True,
        pool="warehouse",
    )
    def _ingest(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        publishers: PublishersResource,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        yield from ingest_with(context, warehouse, publishers, datasets)

    return _ingest


def file_ingest_assets(publishers: Iterable[Publisher]) -> list[dg.AssetsDefinition]:
    """Every file-based ingestion asset of these publishers."""
    return [build_file_ingest(name, group) for name, group in file_datasets(publishers).items()]


def file_ingest_asset(publisher: Publisher, op: str) -> dg.AssetsDefinition:
    """The multi_asset `op` of one publisher (the modules that name one import this)."""
    return build_file_ingest(op, file_datasets([publisher])[op])
