"""File ingest without Dagster: download, parse, audit, publish and replay whole-file datasets.

The engine returns plain results (`IngestResult`: outcome, check outcomes, metadata); the
Dagster layer (defs/ingest.py, defs/files.py) turns them into materialisations and checks.
"""
