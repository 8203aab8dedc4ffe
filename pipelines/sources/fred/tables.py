"""FRED staging tables: observations, series metadata, unit changes and ALFRED vintages."""

from __future__ import annotations

from pipelines.lib.tables import Column, TableDef

FRED_OBSERVATIONS = TableDef(
    name="staging.fred_observations",
    comment=(
        "FRED observations, one row per series and date, latest value. FRED's missing marker"
        " ('.' or empty) is never stored: the row is absent. History of every changed value in"
        " staging.fred_observations_history."
    ),
    columns=(
        Column("series_id", "VARCHAR", "FRED series id, e.g. DGS10", nullable=False),
        Column("date", "DATE", "Observation date as FRED dates it (period start; H.4.1 weekly"
               " series on their Wednesday)", nullable=False),
        Column("value", "DOUBLE", "Value as published, in the unit named by `units`"),
        Column("units", "VARCHAR", "Unit as FRED states it (API mode) or as the catalogue"
               " declares it (keyless mode, checked against the values' magnitude)"),
        Column("value_usd_bn", "DOUBLE", "Dollar amounts normalised to billions of US dollars;"
               " NULL for rates, prices and FX"),
        Column("value_normalised", "DOUBLE", "value_usd_bn for dollar amounts, else value:"
               " revisions are detected on this, so a change of unit is not a revision"),
        Column("fetch_mode", "VARCHAR", "'keyless' (fredgraph.csv) or 'api'"),
        Column("realtime_start", "DATE", "API mode: first day of FRED's real-time period for"
               " this value; NULL in keyless mode"),
    ),
    keys=("series_id", "date"),
    tracked=("value_normalised",),
)

FRED_SERIES = TableDef(
    name="staging.fred_series",
    comment="FRED series metadata, one row per series; refreshed on each ingest.",
    columns=(
        Column("series_id", "VARCHAR", "FRED series id", nullable=False),
        Column("title", "VARCHAR", "Title as FRED publishes it (API mode) or the catalogue's"
               " title (keyless mode)"),
        Column("units", "VARCHAR", "Unit as FRED states it, or as the catalogue declares it"),
        Column("units_short", "VARCHAR", "FRED's short unit label (API mode)"),
        Column("frequency", "VARCHAR", "Frequency as FRED states it, or the catalogue's"),
        Column("seasonal_adjustment", "VARCHAR", "FRED's seasonal adjustment (API mode)"),
        Column("last_updated", "TIMESTAMPTZ", "When FRED last updated the series (API mode;"
               " parsed from its hours-only St. Louis offset)"),
        Column("observation_start", "DATE", "First observation date FRED reports"),
        Column("observation_end", "DATE", "Last observation date FRED reports"),
        Column("usd_bn_scale", "DOUBLE", "Multiplier from `units` to billions of US dollars;"
               " NULL for non-dollar units"),
        Column("metadata_source", "VARCHAR", "'api' or 'catalogue'"),
    ),
    keys=("series_id",),
    tracked=("title", "units", "frequency", "last_updated", "observation_start",
             "observation_end"),
)

FRED_UNIT_CHANGES_DDL = """
CREATE TABLE IF NOT EXISTS staging.fred_unit_changes (
    series_id VARCHAR NOT NULL,
    detected_at TIMESTAMPTZ NOT NULL,
    old_units VARCHAR,
    new_units VARCHAR,
    old_usd_bn_scale DOUBLE,
    new_usd_bn_scale DOUBLE,
    rows_reexpressed BIGINT,
    PRIMARY KEY (series_id, detected_at)
);
COMMENT ON TABLE staging.fred_unit_changes IS 'One row per change of unit by FRED (e.g. WTREGEN
 billions to millions): an event of its own, never a flood of false revisions.';
COMMENT ON COLUMN staging.fred_unit_changes.rows_reexpressed IS 'Rows whose published value
 changed only because of the unit (normalised value unchanged)';
"""

FRED_VINTAGES_DDL = """
CREATE TABLE IF NOT EXISTS staging.fred_vintages (
    series_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    realtime_start DATE NOT NULL,
    realtime_end DATE NOT NULL,
    value DOUBLE,
    PRIMARY KEY (series_id, date, realtime_start)
);
COMMENT ON TABLE staging.fred_vintages IS 'ALFRED real-time periods (API mode, on request): the
 value of each date as known between realtime_start and realtime_end. As known on day D:
 WHERE realtime_start <= D AND realtime_end >= D.';
COMMENT ON COLUMN staging.fred_vintages.value IS 'Value as published then; a date whose
 value was FRED''s missing marker in a vintage has no row for that vintage';
"""
