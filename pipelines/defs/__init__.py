"""Dagster wiring, one folder per domain. The plain-Python work lives in sources/ and lib/."""
