"""Per-publisher clients and parsers. Plain Python: no Dagster imports here."""
