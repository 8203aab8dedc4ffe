"""Plain-Python ingest engines (no Dagster); the Dagster wiring in pipelines/defs calls them.

File datasets (files.py, replay.py) and FRED (fred/) return plain results (outcome, check
outcomes, metadata); defs/ingest.py, defs/files.py and defs/fred turn them into
materialisations and check results.
"""
