"""The marts: one SQL file per table under sql/marts/, built in dependency order (no Dagster)."""
