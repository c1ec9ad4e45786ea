"""Reading a table or query from a database, through the same checks as files.

`connection` is what the caller already holds: a DuckDB connection, any DB-API connection
(sqlite3, psycopg, ...) or SQLAlchemy connectable, or a URI. `sqlite:///path` opens the file
read-only with the standard library; other URIs go to `pl.read_database_uri`, which needs
ConnectorX or an ADBC driver installed. The runtime itself imports no database driver.

Drivers hand back their own idea of a type: PostgreSQL integers arrive as Int64, numerics as
Decimal(38, s), UUIDs as Python objects, SQLite dates as text, DuckDB zoned timestamps in the
session's zone. Each column is brought to the contract's dtype when every value fits, and each
value that does not is reported with its row, never nulled or truncated.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl

from contractgen.runtime import text
from contractgen.runtime.check import coercion, live_names, validate
from contractgen.runtime.errors import MAX_SAMPLES, Violation
from contractgen.runtime.io import DataReadError
from contractgen.runtime.spec import Column, Table, Unexpected, unexpected_policy

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}\Z")
_ROW = "__contractgen_row__"


def read_database(  # noqa: PLR0913 -- the reader options every generated reader passes on
    query_or_table: str,
    connection: Any,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> pl.DataFrame:
    """Read a table (a name such as `invoices` or `billing.invoices`) or a SELECT query and check
    the result against the contract."""
    unexpected = unexpected_policy(unexpected)
    named = _NAME.match(query_or_table.strip()) is not None
    query = f"SELECT * FROM {_quoted(query_or_table.strip())}" if named else query_or_table
    label = f"database table {query_or_table.strip()}" if named else "database query"
    frame = _read(query, connection, label)
    frame, violations = _conform(frame, table)
    return validate(
        frame,
        table,
        unexpected=unexpected,
        source=label,
        extra=violations,
        freshness=freshness,
        now=now,
        whole_table=whole_table,
    )


def _quoted(name: str) -> str:
    """A dotted table name with each part quoted as an identifier (the name matched `_NAME`)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def _read(query: str, connection: Any, label: str) -> pl.DataFrame:
    try:
        if isinstance(connection, str):
            if connection.startswith("sqlite:///"):
                return _read_sqlite(query, connection.removeprefix("sqlite:///"))
            return pl.read_database_uri(query, connection)
        if type(connection).__module__.startswith("duckdb"):
            return connection.sql(query).pl()  # type: ignore[no-any-return]
        return pl.read_database(query, connection)
    except ImportError as exc:
        raise DataReadError(
            f"cannot read {label}: {exc}; install ConnectorX or an ADBC driver for this URI, "
            "or pass an open connection instead"
        ) from None
    except Exception as exc:  # every driver's own errors: one readable message, never a traceback
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataReadError(f"cannot read {label}: {detail}") from None


def _read_sqlite(query: str, path: str) -> pl.DataFrame:
    """Read from a SQLite file opened read-only. The path is percent-encoded into the URI, so a
    `?` or `#` in it is part of the name, never a URI option (`mode=rwc`) that could write."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        return pl.read_database(query, db)
    finally:
        db.close()


def _conform(frame: pl.DataFrame, table: Table) -> tuple[pl.DataFrame, list[Violation]]:
    """Bring each column the driver typed its own way to the contract's dtype, where every value
    fits; report the values that do not."""
    names = live_names(table, frame.columns)  # a column under its old name is conformed too
    objects = [n for n, d in frame.schema.items() if isinstance(d, pl.Object) and n in names]
    if objects:  # UUIDs and the like, as Python objects: their text is what the contract checks
        frame = frame.with_columns(pl.col(n).map_elements(str, return_dtype=pl.String) for n in objects)
    convert: dict[str, pl.Expr] = {}
    for name, actual in frame.schema.items():
        if name in names:
            conversion = _conversion(name, actual, table.schema[names[name]], table.column(names[name]))
            if conversion is not None:
                convert[name] = conversion
    if not convert:
        return frame, []
    failed = {n: pl.col(n).is_not_null() & e.is_null() for n, e in convert.items()}
    counts = frame.select(**{n: bad.sum() for n, bad in failed.items()}).row(0, named=True)
    violations = []
    for name, count in counts.items():
        if not count:
            continue
        rows = frame.with_row_index(_ROW).filter(failed[name]).select(_ROW, name).head(MAX_SAMPLES)
        wanted = names[name]
        message = f"'{wanted}': {count:,} row{'s' * (count != 1)} not representable as {table.schema[wanted]}"
        violations.append(Violation("dtype", wanted, message, count, tuple(rows.iter_rows())))
    return frame.with_columns(**convert), violations


def _conversion(name: str, actual: pl.DataType, expected: pl.DataType, column: Column) -> pl.Expr | None:  # noqa: PLR0911 -- one return per way a driver types a column
    """The expression that brings a column to the contract's dtype (null where a value does not
    fit), or None when it needs none or none exists (the dtype check then speaks)."""
    if coercion(actual, expected) is not None:
        return None
    value = pl.col(name)
    if isinstance(actual, pl.Datetime) and isinstance(expected, pl.Datetime):
        if actual.time_zone and expected.time_zone:  # the same instants, in the contract's zone
            return value.dt.convert_time_zone(expected.time_zone).dt.cast_time_unit(
                expected.time_unit or "us"
            )
        return None  # naive against zoned: the dtype violation says so
    if isinstance(actual, pl.String):
        parser = text.parser(name, expected, column.layout)
        return parser.value if parser is not None else None
    if actual.is_integer() and isinstance(expected, pl.Boolean):  # SQLite stores 0 and 1
        return pl.when(value == 1).then(True).when(value == 0).then(False)
    if (actual.is_numeric() and expected.is_numeric()) or isinstance(actual, pl.Null):
        return value.cast(expected, strict=False)
    return None
