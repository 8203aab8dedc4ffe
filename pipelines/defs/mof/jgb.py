"""JGB yields by tenor from the Japan Ministry of Finance (declared in sources/mof/datasets.py)."""

from pipelines.defs.files import file_ingest_asset
from pipelines.sources.mof.datasets import PUBLISHER

mof_jgb_yields = file_ingest_asset(PUBLISHER, "mof_jgb_yields")
