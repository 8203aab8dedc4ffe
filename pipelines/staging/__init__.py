"""FRED's staging table declarations (columns, comments, keys, vintage rules).

MOF's and TIC's live in their publisher folders (`pipelines/sources/<publisher>/tables.py`)
beside their parsers; FRED's move there too once defs/fred reads them from its dataset.
"""
