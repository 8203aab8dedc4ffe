"""The reliability harness's session fixtures (one replica port, a three-series catalogue,
baseline warehouses built once on D0): the same objects as tests/reliability's, so a process
running tests of both builds the baselines once."""

from tests.reliability.conftest import assets, baselines, catalogue, matrix_results, port

__all__ = ["assets", "baselines", "catalogue", "matrix_results", "port"]
