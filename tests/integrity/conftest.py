"""The reliability harness's session fixtures (one replica port, a three-series catalogue)."""

from tests.reliability.conftest import catalogue, port

__all__ = ["catalogue", "port"]
