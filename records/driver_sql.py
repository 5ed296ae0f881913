"""Statements compiled once by SQLAlchemy and run on the driver's own cursor, and bulk loads.

For the hot path of the public service, a search and its log entry (one SELECT and one INSERT
a request): SQLAlchemy's per-execution work (cache keys, parameter processing in Python,
result wrapping) cost more there than the database's own.  The statement is still built and
compiled by SQLAlchemy, once per dialect, with the bind conversions its column types need;
then only the driver runs.  ``copy_rows`` is publishing's bulk load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Table, bindparam, insert
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled for one dialect: its text, the order of its parameters for
    positional drivers (SQLite's "?"), and the conversions its column types need."""

    sql: str
    names: tuple[str, ...] | None
    processors: Mapping[str, Callable[[Any], Any]]

    def arguments(self, params: Mapping[str, Any]) -> Any:
        if self.processors:
            params = {
                k: (self.processors[k](v) if k in self.processors else v) for k, v in params.items()
            }
        if self.names is None:
            return params
        return tuple(params[name] for name in self.names)


@cache
def compiled(statement: ClauseElement, dialect: Dialect) -> DriverStatement:
    # for_executemany: an INSERT without RETURNING (PostgreSQL would add it for the new id).
    result = cast(SQLCompiler, statement.compile(dialect=dialect, for_executemany=True))
    names = tuple(result.positiontup or ()) if result.positional else None
    processors = {}
    for name, bind in result.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return DriverStatement(result.string, names, processors)


def fetch_all(
    connection: Any, dialect: Dialect, statement: ClauseElement, params: Mapping[str, Any]
) -> list[Any]:
    prepared = compiled(statement, dialect)
    cursor = connection.cursor()
    try:
        cursor.execute(prepared.sql, prepared.arguments(params))
        rows: list[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


ROWS_A_STATEMENT = 200


@cache
def _insert_of(table: Table, columns: tuple[str, ...], count: int) -> ClauseElement:
    values = [
        {name: bindparam(f"{name}_{i}", type_=table.c[name].type) for name in columns}
        for i in range(count)
    ]
    return insert(table).values(values)


def insert_rows(
    connection: Any, dialect: Dialect, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """All of ``rows`` (dicts with the same keys) into ``table``, all or none.

    As one multi-row INSERT where they fit (up to ROWS_A_STATEMENT): a single statement is
    atomic on its own in autocommit, so PostgreSQL needs one round trip, not BEGIN, the rows
    and COMMIT.  More rows: several statements between BEGIN and COMMIT.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    chunks = [rows[i : i + ROWS_A_STATEMENT] for i in range(0, len(rows), ROWS_A_STATEMENT)]
    explicit = len(chunks) > 1
    cursor = connection.cursor()
    try:
        if explicit:
            cursor.execute("BEGIN")
        try:
            for chunk in chunks:
                prepared = compiled(_insert_of(table, columns, len(chunk)), dialect)
                params = {
                    f"{name}_{i}": row[name] for i, row in enumerate(chunk) for name in columns
                }
                cursor.execute(prepared.sql, prepared.arguments(params))
            if explicit:
                cursor.execute("COMMIT")
        except BaseException:
            if explicit:
                with suppress(Exception):  # the connection may be gone: nothing to roll back
                    cursor.execute("ROLLBACK")
            raise
    finally:
        cursor.close()


def copy_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many rows into ``table`` in the caller's transaction: PostgreSQL's COPY (no statement
    parsed and no parameters processed per row; publishing a million records spent most of
    its database time there), SQLAlchemy's executemany on other databases.  Every row gives
    the same columns, and COPY applies no Python-side defaults: give every column needed."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
