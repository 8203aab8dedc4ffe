"""jgb-ust-flows: the Dagster code location."""
