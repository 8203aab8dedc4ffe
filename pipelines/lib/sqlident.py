"""SQL identifiers cannot be bound as parameters; the few we splice in are checked here first."""

from __future__ import annotations

import re

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def ident(name: str) -> str:
    """`name` or `schema.name`, lower-case letters, digits and underscores only."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 2 or not all(_IDENT.match(p) for p in parts):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


def comment_literal(text: str) -> str:
    """A string literal for `COMMENT ON … IS`, which DuckDB does not let us bind."""
    return "'" + text.replace("'", "''") + "'"
