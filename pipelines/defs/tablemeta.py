"""Dagster's standard table metadata for a warehouse table: name, row count, column schema.

The UI shows `dagster/column_schema` as the asset's columns (each with its type and the
DuckDB COMMENT analysts read as the data dictionary) and plots `dagster/row_count` over
materialisations, so every table asset reports the three keys from the table itself.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import duckdb

from pipelines.lib.sqlident import ident


def table_schema(con: duckdb.DuckDBPyConnection, table: str) -> dg.TableSchema | None:
    """Columns in table order with type and comment; None when the table does not exist."""
    schema, name = ident(table).split(".")
    rows = con.execute(
        "SELECT column_name, data_type, comment, is_nullable FROM duckdb_columns()"
        " WHERE schema_name = ? AND table_name = ? ORDER BY column_index", [schema, name],
    ).fetchall()
    if not rows:
        return None
    return dg.TableSchema(columns=[
        dg.TableColumn(column, data_type, description=comment or None,
                       constraints=dg.TableColumnConstraints(nullable=bool(nullable)))
        for column, data_type, comment, nullable in rows
    ])


def table_metadata(
    con: duckdb.DuckDBPyConnection, table: str, *, where: tuple[str, object] | None = None,
) -> dict[str, Any]:
    """`dagster/table_name`, `dagster/row_count` and `dagster/column_schema` of `table`
    (schema-qualified); {} when it does not exist. `where=(column, value)` counts only the
    asset's own rows of a shared table, e.g. ("series_id", "DGS10") in fred_observations."""
    schema = table_schema(con, table)
    if schema is None:
        return {}
    sql = f"SELECT count(*) FROM {ident(table)}"  # noqa: S608 (checked identifier)
    params: list[object] = []
    if where is not None:
        sql += f" WHERE {ident(where[0])} = ?"
        params.append(where[1])
    return metadata_of(table, schema, con.execute(sql, params).fetchall()[0][0])


def metadata_of(table: str, schema: dg.TableSchema, rows: int) -> dict[str, Any]:
    """The three keys from a schema and a row count read beforehand."""
    return {
        "dagster/table_name": table,
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.MetadataValue.table_schema(schema),
    }


def keyed_row_counts(
    con: duckdb.DuckDBPyConnection, table: str, column: str, keys: list[str]
) -> dict[str, int]:
    """Each key's row count in `table` (0 for a key with none), in one query for all keys."""
    out = dict.fromkeys(keys, 0)
    out.update(con.execute(
        f"SELECT {ident(column)}, count(*) FROM {ident(table)}"  # noqa: S608 (checked)
        f" WHERE list_contains(?, {ident(column)}) GROUP BY ALL", [keys]).fetchall())
    return out
