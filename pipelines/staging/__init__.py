"""Staging table declarations (plain Python): columns, comments, keys and vintage rules."""
