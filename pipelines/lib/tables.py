"""Staging tables declared once, in code: columns, types, comments, keys, vintage rules.

The declaration creates the table (with a COMMENT on it and on every column, the analysts'
data dictionary) and tells the vintage upsert which columns are keys, which changes are
revisions and which are carried along.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.lib.sqlident import comment_literal, ident
from pipelines.lib.vintages import VintagedTable


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str
    nullable: bool = True


@dataclass(frozen=True)
class TableDef:
    name: str  # schema-qualified
    comment: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    tracked: tuple[str, ...]

    def __post_init__(self) -> None:
        ident(self.name)
        names = [c.name for c in self.columns]
        for name in names:
            ident(name)
        unknown = set(self.keys + self.tracked) - set(names)
        if unknown:
            raise ValueError(f"{self.name}: keys/tracked name unknown columns {sorted(unknown)}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def carried(self) -> tuple[str, ...]:
        return tuple(c for c in self.column_names if c not in self.keys + self.tracked)

    @property
    def vintaged(self) -> VintagedTable:
        return VintagedTable(self.name, keys=self.keys, tracked=self.tracked, carried=self.carried)

    @property
    def short_name(self) -> str:
        return self.name.split(".")[-1]


def create_table(con: duckdb.DuckDBPyConnection, table: TableDef) -> None:
    """CREATE TABLE IF NOT EXISTS with its comments; adds columns declared since it was made."""
    cols = ", ".join(
        f"{c.name} {c.type}{'' if c.nullable and c.name not in table.keys else ' NOT NULL'}"
        for c in table.columns
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {table.name} ({cols}, PRIMARY KEY ({', '.join(table.keys)}))"
    )
    schema, name = table.name.split(".")
    existing = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
    }
    for c in table.columns:
        if c.name not in existing:
            con.execute(f"ALTER TABLE {table.name} ADD COLUMN {c.name} {c.type}")
        con.execute(f"COMMENT ON COLUMN {table.name}.{c.name} IS {comment_literal(c.comment)}")
    con.execute(f"COMMENT ON TABLE {table.name} IS {comment_literal(table.comment)}")
