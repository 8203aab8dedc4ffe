"""A local replica of the FRED, MOF and TIC web sites for the demo, tests and benchmarks.

One server serves all three publishers at their real paths, so a client only swaps
scheme+host (see `Replica.env()`). Data come from a deterministic sample snapshot
(`pipelines.replica.sample`) or, in real-files mode, from a reference-data folder.
"""

from .replica import Replica
from .server import RequestRecord

__all__ = ["Replica", "RequestRecord"]
