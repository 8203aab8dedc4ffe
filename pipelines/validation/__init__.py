"""Validation of staging batches (write-audit-publish): declared checks, GX suites, audit,
results history and the analysts' report.

Import `pipelines.validation.checks` at definitions load (no GX); the audit imports GX lazily.
"""
