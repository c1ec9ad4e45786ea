"""A live table's schema, from the database's catalog, as the Polars schema the readers compare.

The readers' schema diagnostics (missing, unexpected, probable rename, dtype) are reused as they
are: the catalog's column types become Polars dtypes and an empty frame of that schema goes
through `runtime.validate`. No data is read for it.
"""

from __future__ import annotations

import re

import polars as pl

from contractgen.runtime.check import instance

_DECIMAL = re.compile(r"^(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$", re.I)
_INTS = {
    "tinyint": pl.Int8,
    "int1": pl.Int8,
    "smallint": pl.Int16,
    "int2": pl.Int16,
    "integer": pl.Int32,
    "int": pl.Int32,
    "int4": pl.Int32,
    "bigint": pl.Int64,
    "int8": pl.Int64,
    "hugeint": pl.Int128,
    "utinyint": pl.UInt8,
    "usmallint": pl.UInt16,
    "uinteger": pl.UInt32,
    "ubigint": pl.UInt64,
}
_SIMPLE: dict[str, pl.DataType] = {
    "varchar": pl.String(),
    "text": pl.String(),
    "character varying": pl.String(),
    "character": pl.String(),
    "char": pl.String(),
    "uuid": pl.String(),
    "json": pl.String(),
    "jsonb": pl.String(),
    "citext": pl.String(),
    "user-defined": pl.String(),  # a PostgreSQL enum: its labels are checked like text
    "boolean": pl.Boolean(),
    "bool": pl.Boolean(),
    "real": pl.Float32(),
    "float4": pl.Float32(),
    "float": pl.Float32(),
    "double": pl.Float64(),
    "double precision": pl.Float64(),
    "float8": pl.Float64(),
    "date": pl.Date(),
    "time": pl.Time(),
    "time without time zone": pl.Time(),
    "interval": pl.Duration("us"),
    "blob": pl.Binary(),
    "bytea": pl.Binary(),
}


def dtype(declared: str, expected: pl.DataType | None, dialect: str) -> pl.DataType:  # noqa: PLR0911 -- one return per family of catalog type
    """The Polars dtype of a catalog type. `expected` (the contract's dtype, if the column is in
    the contract) settles what the catalog cannot say: SQLite stores every integer in 64 bits and
    declares dates as text, and a zoned timestamp holds instants in whatever zone the contract
    reads them in."""
    text = " ".join(declared.strip().lower().split())
    if dialect == "sqlite":
        return _sqlite(text, expected)
    if text.endswith("[]") or text == "array":
        inner = instance(expected.inner) if isinstance(expected, pl.List) else None
        return pl.List(
            dtype(text[:-2] or "text", inner, dialect) if text != "array" else inner or pl.String()
        )
    if text in _INTS:
        return _INTS[text]()
    if text in _SIMPLE:
        return _SIMPLE[text]
    if (match := _DECIMAL.match(text)) is not None:
        return pl.Decimal(int(match.group(1)), int(match.group(2) or 0))
    if text in ("numeric", "decimal"):
        return expected if isinstance(expected, pl.Decimal) else pl.Decimal(38, 9)
    if text.startswith("enum"):
        return pl.String()
    if text.startswith("timestamp"):
        zoned = "with time zone" in text or text == "timestamptz"
        zone = expected.time_zone if isinstance(expected, pl.Datetime) and expected.time_zone else "UTC"
        if text.startswith("timestamp_ns"):
            return pl.Datetime("ns", zone if zoned else None)
        if text.startswith("timestamp_ms"):
            return pl.Datetime("ms", zone if zoned else None)
        return pl.Datetime("us", zone if zoned else None)
    if text.startswith(("varchar", "character varying", "char")):
        return pl.String()
    return pl.Object()  # a type the contract cannot describe: reported as a dtype mismatch


def _sqlite(text: str, expected: pl.DataType | None) -> pl.DataType:  # noqa: PLR0911 -- SQLite's type affinities, one return each
    """SQLite's declared types follow its affinity rules; widths are not stored."""
    if "int" in text:
        return expected if expected is not None and expected.is_integer() else pl.Int64()
    if text.startswith(("timestamp", "datetime")):
        zone = expected.time_zone if isinstance(expected, pl.Datetime) else None
        return pl.Datetime("us", zone)
    if text == "date":
        return pl.Date()
    if text in ("boolean", "bool"):
        return pl.Boolean()
    if any(word in text for word in ("char", "clob", "text")):
        return pl.String()
    if text == "" or "blob" in text:
        return pl.Binary()
    if any(word in text for word in ("real", "floa", "doub")):
        return expected if isinstance(expected, (pl.Float32, pl.Float64)) else pl.Float64()
    if (match := _DECIMAL.match(text)) is not None:
        return pl.Decimal(int(match.group(1)), int(match.group(2) or 0))
    return expected if isinstance(expected, pl.Decimal) else pl.Float64()  # NUMERIC affinity


def schema(
    columns: list[tuple[str, str]], expected: pl.Schema, dialect: str, *, loose: bool = False
) -> pl.Schema:
    """The live schema from (name, declared type) pairs, in the catalog's order. `loose`: the
    types were guessed from text (CSV, NDJSON), so a guess in the contract's family stands for
    the contract's dtype."""
    out = {}
    for name, declared in columns:
        found = dtype(declared, expected.get(name), dialect)
        wanted = expected.get(name)
        if loose and wanted is not None and _same_family(found, instance(wanted)):
            found = instance(wanted)
        out[name] = found
    return pl.Schema(out)


def _same_family(found: pl.DataType, wanted: pl.DataType) -> bool:
    if found.is_integer() and wanted.is_integer():
        return True
    if found.is_numeric() and (wanted.is_float() or isinstance(wanted, pl.Decimal)):
        return True
    return isinstance(found, pl.Datetime) and isinstance(wanted, pl.Datetime)
