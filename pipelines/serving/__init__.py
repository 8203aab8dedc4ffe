"""Serving: the read-only copy analysts and BI tools open, the HTML report, threshold alerts.

Plain Python with no Dagster in it; `pipelines.defs.serving` wires it as assets.
"""
