"""Japanese investors' securities flows (MOF): weekly, monthly, by investor (sources/mof)."""

from pipelines.defs.files import file_ingest_asset
from pipelines.sources.mof.datasets import PUBLISHER

mof_securities_flows = file_ingest_asset(PUBLISHER, "mof_securities_flows")
