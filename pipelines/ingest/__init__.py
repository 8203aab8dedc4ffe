"""Plain-Python ingest engines (no Dagster): the Dagster wiring in pipelines/defs calls them."""
