"""The FRED refresh engine: plan, fetch, parse, audit and publish, without Dagster."""
