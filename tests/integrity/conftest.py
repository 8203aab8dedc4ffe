"""The reliability harness's session fixtures (one replica port, a three-series catalogue,
baseline warehouses built once on D0)."""

from tests.reliability.conftest import assets, baselines, catalogue, matrix_results, port

__all__ = ["assets", "baselines", "catalogue", "matrix_results", "port"]
