"""Major foreign holders of US Treasuries (TIC), declared in sources/tic/datasets.py."""

from pipelines.defs.files import file_ingest_asset
from pipelines.sources.tic.datasets import PUBLISHER

tic_major_foreign_holders = file_ingest_asset(PUBLISHER, "tic_major_foreign_holders")
