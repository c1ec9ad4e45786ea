"""The contract checks on Apache Spark: the same violations, counts and messages as the Polars readers.

The one runtime module that imports PySpark (an optional extra: `pip install contractgen[spark]`);
no other module of contractgen imports it, and generated packages import it only inside their
Spark functions, so a generated package stays light until Spark is asked for.

How parity is kept: the schema-level checks (missing, unexpected, probably-renamed columns, dtypes
with the lossless-coercion rules) are not re-implemented. The Spark schema is translated into the
Polars dtypes it holds and an empty Polars frame of that schema goes through `validate`, which
reports exactly what it would report for a Polars frame. The value checks are translated one by
one into Spark column expressions and counted in one aggregation job, uniqueness included (as a
distinct count; a `groupBy` counts repeats exactly only when it falls short); samples are
fetched only for checks that failed.

Row numbers: Spark has no stable row order (a file is split across tasks, and
`monotonically_increasing_id` leaves gaps between partitions), so samples carry the offending
value and no row number. Messages and counts are the same as on Polars.

Parquet files: Spark's types do not say all that Polars reads from a file (the zone of an instant
and a duration, in the Arrow schema Polars writes beside the data; an unsigned integer, held in
the signed type that also holds a signed one; a column of nulls). `read_spark` reads each file's
footer through Spark's own file systems, and `validate` is handed the dtype Polars reads wherever
Spark's type is the one such a column is read as.

Regular expressions: the contract's patterns are written for Rust's regex engine; Spark's `rlike`
is Java's. `java_regex` (`runtime/javaregex.py`) writes each pattern in Java's syntax with Rust's
meaning, and refuses with `SparkPatternError`, when the check is built, what Java cannot match
the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zoneinfo
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

import polars as pl
from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from contractgen.formats import PATTERNS as FORMAT_PATTERNS
from contractgen.runtime import text as csv_text
from contractgen.runtime.check import coercion, instance, validate
from contractgen.runtime.errors import (
    MAX_SAMPLES,
    ContractViolationError,
    Violation,
    ViolationKind,
    column_says,
    rows_text,
    shown,
)
from contractgen.runtime.io import DataReadError, header_present
from contractgen.runtime.javaregex import SparkPatternError, java_regex
from contractgen.runtime.privacy import redact_violations
from contractgen.runtime.quality import RuleCheck, clock, exact, plan, unevaluable
from contractgen.runtime.spec import Column, Rule, Table, Unexpected, today, unexpected_policy

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "SparkPatternError",
    "SparkTypeError",
    "java_regex",
    "read_spark",
    "spark_schema",
    "validate_spark",
]

_CORRUPT = "__contractgen_corrupt__"
_QUOTED_EMPTY = "\x00contractgen:quoted-empty\x00"  # what Spark reads "" as, until it is "" again
# Spark has no unsigned integers: each is held by the next wider signed type, with a range check.
_UNSIGNED: dict[type[pl.DataType], tuple[T.DataType, int]] = {
    pl.UInt8: (T.ShortType(), 2**8 - 1),
    pl.UInt16: (T.IntegerType(), 2**16 - 1),
    pl.UInt32: (T.LongType(), 2**32 - 1),
    pl.UInt64: (T.DecimalType(20, 0), 2**64 - 1),
}
_SIGNED: dict[type[pl.DataType], T.DataType] = {
    pl.Int8: T.ByteType(),
    pl.Int16: T.ShortType(),
    pl.Int32: T.IntegerType(),
    pl.Int64: T.LongType(),
}
_SIMPLE: dict[type[pl.DataType], T.DataType] = {
    pl.Float32: T.FloatType(),
    pl.Float64: T.DoubleType(),
    pl.String: T.StringType(),
    pl.Enum: T.StringType(),  # Spark has no enum type: text, with a membership check
    pl.Categorical: T.StringType(),
    pl.Boolean: T.BooleanType(),
    pl.Date: T.DateType(),
    pl.Binary: T.BinaryType(),
    pl.Null: T.NullType(),
}


class SparkTypeError(TypeError):
    """A contract type that Spark cannot hold without changing its values (Time, nanoseconds...)."""


# -- Schema ---------------------------------------------------------------------------------------


def spark_schema(table: Table) -> T.StructType:
    """The Spark schema of `table`: its columns in contract order, nullable unless required."""
    return T.StructType(
        [
            T.StructField(name, spark_type(instance(dtype)), nullable=not table.column(name).required)
            for name, dtype in table.schema.items()
        ]
    )


def spark_type(dtype: pl.DataType) -> T.DataType:  # noqa: PLR0911 -- one return per kind of type
    """The Spark type holding a Polars dtype; `SparkTypeError` when none holds it unchanged."""
    if type(dtype) in _SIMPLE:
        return _SIMPLE[type(dtype)]
    if type(dtype) in _SIGNED:
        return _SIGNED[type(dtype)]
    if type(dtype) in _UNSIGNED:
        return _UNSIGNED[type(dtype)][0]
    if isinstance(dtype, pl.Decimal):
        return T.DecimalType(dtype.precision or 38, dtype.scale)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_unit == "ns":
            raise SparkTypeError(f"{dtype}: Spark timestamps stop at microseconds")
        # A zoned timestamp is an instant (Spark shows it in the session zone; we use UTC).
        return T.TimestampType() if dtype.time_zone else T.TimestampNTZType()
    if isinstance(dtype, pl.Duration):
        if dtype.time_unit == "ns":
            raise SparkTypeError(f"{dtype}: Spark intervals stop at microseconds")
        return T.DayTimeIntervalType(T.DayTimeIntervalType.DAY, T.DayTimeIntervalType.SECOND)
    if isinstance(dtype, pl.List | pl.Array):
        return T.ArrayType(spark_type(instance(dtype.inner)), containsNull=True)
    if isinstance(dtype, pl.Struct):
        return T.StructType([T.StructField(f.name, spark_type(instance(f.dtype))) for f in dtype.fields])
    raise SparkTypeError(f"{dtype} has no Spark type that holds it unchanged")


def polars_dtype(spark: T.DataType, expected: pl.DataType | None = None) -> pl.DataType | None:  # noqa: PLR0911 -- one return per kind of type
    """The Polars dtype of Spark data, as `coercion` sees it; None when Polars has no such type.

    `expected` (the contract's dtype) settles what Spark cannot say: the zone of an instant, and
    an unsigned column arriving in the wider signed type that holds it (range-checked).
    """
    for polars_type, held in _SIGNED.items():
        if spark == held:
            return _as_unsigned(spark, expected) or polars_type()
    if isinstance(spark, T.DecimalType):
        return _as_unsigned(spark, expected) or pl.Decimal(spark.precision, spark.scale)
    for polars_type, held in _SIMPLE.items():
        if spark == held and polars_type not in (pl.Enum, pl.Categorical):
            return polars_type()
    if isinstance(spark, T.TimestampType):
        zone = expected.time_zone if isinstance(expected, pl.Datetime) and expected.time_zone else "UTC"
        return pl.Datetime(_unit(expected), zone)
    if isinstance(spark, T.TimestampNTZType):
        return pl.Datetime(_unit(expected))
    if isinstance(spark, T.DayTimeIntervalType) and spark.endField == T.DayTimeIntervalType.SECOND:
        return pl.Duration(_unit(expected) if isinstance(expected, pl.Duration) else "us")
    if isinstance(spark, T.ArrayType):
        inner_expected = instance(expected.inner) if isinstance(expected, pl.List) else None
        inner = polars_dtype(spark.elementType, inner_expected)
        return None if inner is None else pl.List(inner)
    if isinstance(spark, T.StructType):
        wanted = (
            {f.name: instance(f.dtype) for f in expected.fields} if isinstance(expected, pl.Struct) else {}
        )
        parts = {f.name: polars_dtype(f.dataType, wanted.get(f.name)) for f in spark.fields}
        fields = [pl.Field(name, dtype) for name, dtype in parts.items() if dtype is not None]
        return pl.Struct(fields) if len(fields) == len(parts) else None
    return None


def _unit(expected: pl.DataType | None) -> Literal["us", "ms"]:
    """Spark holds microseconds only; a contract in milliseconds reads them as its own unit."""
    if isinstance(expected, pl.Datetime | pl.Duration) and expected.time_unit == "ms":
        return "ms"
    return "us"


def _as_unsigned(spark: T.DataType, expected: pl.DataType | None) -> pl.DataType | None:
    if expected is None or type(expected) not in _UNSIGNED:
        return None
    held, _ = _UNSIGNED[type(expected)]
    if isinstance(held, T.DecimalType):
        fits = isinstance(spark, T.DecimalType) and spark.scale == 0 and spark.precision <= held.precision
    else:
        fits = spark in _SIGNED.values() and _width(spark) <= _width(held)
    return expected if fits else None


def _width(spark: T.DataType) -> int:
    widths: list[T.DataType] = [T.ByteType(), T.ShortType(), T.IntegerType(), T.LongType()]
    return widths.index(spark)


# -- Checks ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Check:
    """One value-level expectation: `bad` is true on each offending row, `sample` what is shown."""

    kind: ViolationKind
    column: str | None
    bad: SparkColumn | None  # None: counted by a groupBy over `key` (uniqueness)
    sample: SparkColumn
    message: Callable[[int], str]
    key: tuple[str, ...] = ()  # the columns a uniqueness check groups by
    zone: str | None = None  # an instant's sample is microseconds since the epoch, shown in this zone
    # Quality rules: an aggregate that is the violation's count (0 when it holds), for a rule
    # that is not a count of bad rows (a ratio, a row count, the newest value).
    count: SparkColumn | None = None
    sampled: bool = True
    newest: bool = False  # the sample is the column's largest value (freshness)
    skip_nulls: bool = False  # a key with a null part is no key (a uniqueness rule)
    whole: bool = False  # a uint64 sample: Spark's decimal(20,0), an int to Polars
    expression: str | None = None  # a row rule's SQL: unevaluable if Spark stops at a row


def _col(name: str) -> SparkColumn:
    """A column by its exact name, quoted: dots, spaces and backticks (doubled) are part of it."""
    return F.col("`" + name.replace("`", "``") + "`")


def _lit(value: Any, spark: T.DataType) -> SparkColumn:
    """A bound as a literal of the column's Spark type (a naive datetime in the session zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return F.to_utc_timestamp(F.lit(value).cast(T.TimestampNTZType()), "UTC").cast(spark)
    if isinstance(value, dt.datetime):
        return F.lit(value).cast(T.TimestampNTZType()).cast(spark)
    if isinstance(value, Decimal):
        return F.lit(value)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return F.lit(Decimal(value)).cast(spark)  # Py4J sends an int as a Java long
    return F.lit(value).cast(spark)


def _column_checks(table: Table, name: str, how: str, actual: T.DataType) -> list[_Check]:  # noqa: PLR0912, PLR0915 -- one block per kind of check, in the order check.py runs them
    """The checks of one column: `raw` is the data as it came, `value` in the contract's type."""
    column = table.column(name)
    dtype = instance(table.schema[name])
    target = spark_type(dtype)
    raw = _col(name)
    value = raw if how in ("same", "enum") else raw.cast(target)
    # PySpark turns an instant into a naive local time: sample its microseconds and show them zoned.
    zone = (dtype.time_zone or "UTC") if isinstance(dtype, pl.Datetime) and dtype.time_zone else None
    sample = F.unix_micros(raw) if zone is not None and isinstance(actual, T.TimestampType) else raw
    whole = isinstance(dtype, pl.UInt64)
    checks: list[_Check] = []

    def add(kind: ViolationKind, bad: SparkColumn, message: Callable[[int], str]) -> None:
        checks.append(
            _Check(kind, name, bad, sample, message, zone=zone if sample is not raw else None, whole=whole)
        )

    if column.required:
        add("null", raw.isNull(), column_says(name, "null in a required column"))
    if type(dtype) in _UNSIGNED:
        hi = _UNSIGNED[type(dtype)][1]
        # As a Decimal: Py4J sends a Python int as a Java long, which 2**64 - 1 overflows.
        top = F.lit(Decimal(hi)).cast(target)
        add("dtype", (raw < 0) | (raw > top), column_says(name, f"outside the range of {dtype}"))
    if how == "nested" and _holds_enum(dtype):
        add("dtype", _misfits(value, dtype), column_says(name, f"with nested values that do not fit {dtype}"))
    if isinstance(dtype, pl.Enum):
        allowed = list(dtype.categories)
        add(
            "enum",
            raw.isNotNull() & ~raw.isin(allowed),
            column_says(name, f"not among the allowed values {allowed}"),
        )
    for kind, bad, what in _item_checks(column.name, column.items, dtype, value, raw):
        add(kind, bad, column_says(name, what))
    bounded = column.minimum is not None or column.maximum is not None
    number = ~F.isnan(value) if dtype.is_float() else F.lit(True)
    if bounded and dtype.is_float():
        add("nan", F.isnan(value), column_says(name, "NaN, which no range admits"))
    if column.minimum is not None:
        lo = _lit(column.minimum, target)
        below = (value <= lo) if column.exclusive_minimum else (value < lo)
        word = "at or below" if column.exclusive_minimum else "below"
        add("minimum", below & number, column_says(name, f"{word} the minimum {shown(column.minimum)}"))
    if column.maximum is not None:
        hi_ = _lit(column.maximum, target)
        above = (value >= hi_) if column.exclusive_maximum else (value > hi_)
        word = "at or above" if column.exclusive_maximum else "above"
        add("maximum", above & number, column_says(name, f"{word} the maximum {shown(column.maximum)}"))
    if isinstance(dtype, pl.Date | pl.Datetime):
        year = F.year(value)
        add("maximum", (year < 1) | (year > 9999), column_says(name, "outside the years 1 to 9999"))  # noqa: PLR2004 -- Python's date range
    length = _length(value, dtype)
    if length is not None and column.min_length is not None:
        lo_len = column.min_length
        add("min_length", length < lo_len, column_says(name, f"shorter than {lo_len}"))
    if length is not None and column.max_length is not None:
        hi_len = column.max_length
        add("max_length", length > hi_len, column_says(name, f"longer than {hi_len}"))
    if column.pattern is not None:
        text = value.cast(T.StringType())
        add(
            "pattern",
            raw.isNotNull() & ~text.rlike(_column_regex(name, column.pattern)),
            column_says(name, f"not matching the pattern {column.pattern!r}"),
        )
    if column.format in FORMAT_PATTERNS:
        text = value.cast(T.StringType())
        shape = column.format
        add(
            "format",
            raw.isNotNull() & ~text.rlike(java_regex(FORMAT_PATTERNS[shape])),
            column_says(name, f"not a valid {shape}"),
        )
    if column.unique:
        checks.append(
            _Check(
                "unique",
                name,
                None,
                sample,
                column_says(name, "share a value with another row (the column must be unique)"),
                (name,),
                zone if sample is not raw else None,
                whole=whole,
            )
        )
    return checks


def _any_item(lists: SparkColumn, test: Callable[[SparkColumn], SparkColumn]) -> SparkColumn:
    """Whether any item of each list passes `test` (a null test result is no; a null list has no
    items), as Polars' `list.eval(test.fill_null(False)).list.any().fill_null(False)`."""
    return F.coalesce(F.exists(lists, lambda item: F.coalesce(test(item), F.lit(False))), F.lit(False))


def _item_checks(
    name: str, items: Column | None, dtype: pl.DataType, value: SparkColumn, raw: SparkColumn
) -> list[tuple[ViolationKind, SparkColumn, str]]:
    """The checks on each item of a list column, as `check._item_checks` words and orders them:
    a row is bad when any of its items is (higher-order functions over the array, in the same
    aggregation job as every other check)."""
    if items is None or not isinstance(dtype, pl.List):
        return []
    inner = instance(dtype.inner)
    target = spark_type(inner)
    found: list[tuple[ViolationKind, SparkColumn, str]] = []
    if items.required:
        # On the list as it came in, as Polars checks it.
        found.append(("null", _any_item(raw, lambda item: item.isNull()), "with a null item"))

    def number(item: SparkColumn) -> SparkColumn:
        return ~F.isnan(item) if inner.is_float() else F.lit(True)

    if (items.minimum is not None or items.maximum is not None) and inner.is_float():
        found.append(("nan", _any_item(value, F.isnan), "with a NaN item, which no range admits"))
    if items.minimum is not None:
        lo, exclusive = _lit(items.minimum, target), items.exclusive_minimum
        word = "at or below" if exclusive else "below"
        below = lambda item: ((item <= lo) if exclusive else (item < lo)) & number(item)  # noqa: E731
        found.append(
            ("minimum", _any_item(value, below), f"with an item {word} the minimum {shown(items.minimum)}")
        )
    if items.maximum is not None:
        hi, exclusive_hi = _lit(items.maximum, target), items.exclusive_maximum
        word = "at or above" if exclusive_hi else "above"
        above = lambda item: ((item >= hi) if exclusive_hi else (item > hi)) & number(item)  # noqa: E731
        found.append(
            ("maximum", _any_item(value, above), f"with an item {word} the maximum {shown(items.maximum)}")
        )
    if isinstance(inner, pl.String | pl.Binary | pl.List):
        lo_len, hi_len = items.min_length, items.max_length
        if lo_len is not None:
            shorter = _any_item(value, lambda item: _size(item, inner) < lo_len)
            found.append(("min_length", shorter, f"with an item shorter than {lo_len}"))
        if hi_len is not None:
            longer = _any_item(value, lambda item: _size(item, inner) > hi_len)
            found.append(("max_length", longer, f"with an item longer than {hi_len}"))
    if items.pattern is not None:
        regex = _column_regex(f"{name}[]", items.pattern)
        found.append(
            (
                "pattern",
                _any_item(value, lambda item: ~item.cast(T.StringType()).rlike(regex)),
                f"with an item not matching the pattern {items.pattern!r}",
            )
        )
    if items.format in FORMAT_PATTERNS:
        shape = items.format
        valid = _column_regex(f"{name}[]", FORMAT_PATTERNS[shape])
        found.append(
            (
                "format",
                _any_item(value, lambda item: ~item.cast(T.StringType()).rlike(valid)),
                f"with an item that is not a valid {shape}",
            )
        )
    return found


def _size(item: SparkColumn, dtype: pl.DataType) -> SparkColumn:
    length = _length(item, dtype)
    assert length is not None
    return length


def _holds_enum(dtype: pl.DataType) -> bool:
    """Whether an enum sits anywhere inside a list or struct dtype."""
    if isinstance(dtype, pl.Enum):
        return True
    if isinstance(dtype, pl.List | pl.Array):
        return _holds_enum(instance(dtype.inner))
    if isinstance(dtype, pl.Struct):
        return any(_holds_enum(instance(f.dtype)) for f in dtype.fields)
    return False


def _misfits(value: SparkColumn, dtype: pl.DataType) -> SparkColumn:
    """Whether a nested value holds, at any depth, a text that is not among its enum's values:
    the values Polars' cast to the contract's dtype turns into nulls, which `validate` counts as
    nested values that do not fit. Never null."""
    if isinstance(dtype, pl.Enum):
        return F.coalesce(value.isNotNull() & ~value.isin(list(dtype.categories)), F.lit(False))
    if isinstance(dtype, pl.List | pl.Array):
        inner = instance(dtype.inner)
        return _any_item(value, lambda item: _misfits(item, inner))
    if isinstance(dtype, pl.Struct):
        out = F.lit(False)
        for field in dtype.fields:
            if _holds_enum(instance(field.dtype)):
                out = out | _misfits(value.getField(field.name), instance(field.dtype))
        return out
    return F.lit(False)


def _column_regex(name: str, pattern: str) -> str:
    """A column's pattern in Java's syntax; refused, naming the column, where Java cannot match
    it as Rust does (raised while the checks are built, before any Spark job)."""
    try:
        return java_regex(pattern)
    except SparkPatternError as exc:
        raise SparkPatternError(
            f"column '{name}': {exc}; Spark matches with Java's regex engine: check this column with "
            "the Polars readers, or write the pattern without it"
        ) from None


def _length(value: SparkColumn, dtype: pl.DataType) -> SparkColumn | None:
    if isinstance(dtype, pl.String | pl.Binary):
        return F.length(value)  # characters of text (code points, as Polars counts), bytes of binary
    if isinstance(dtype, pl.List):
        return F.when(value.isNotNull(), F.size(value))
    return None


def _key_check(table: Table, usable: set[str]) -> list[_Check]:
    key = table.primary_key
    if len(key) < 2 or not all(k in usable for k in key):  # noqa: PLR2004 -- a composite key has two columns or more
        return []
    sample = F.struct(*(_col(k) for k in key))
    message = lambda n: f"primary key ({', '.join(key)}): {rows_text(n)} share a key with another row"  # noqa: E731
    return [_Check("primary_key", None, None, sample, message, key)]


# -- Quality rules --------------------------------------------------------------------------------

# A rule's text as `sqlrule` stored it (PostgreSQL, identifiers quoted): quoted names, strings, and
# `IS TRUE`/`IS FALSE`, which are the parts Spark SQL reads differently.
_SQL_TOKENS = re.compile(
    r"\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'|\bIS\s+(?P<not>NOT\s+)?(?P<truth>TRUE|FALSE)\b|[^\"']",
    re.IGNORECASE,
)


def spark_sql(text: str, names: dict[str, str] | None = None) -> str:
    """A row rule as Spark SQL that means what Polars SQL makes of it.

    Names are quoted with backticks (Spark reads `"x"` as text), each mapped through `names`;
    strings are written with Spark's backslash escapes ('it''s' is two literals to Spark). Polars
    keeps a null through `x IS TRUE` (null, so the rule passes on that row), where Spark's
    `IS TRUE` is false: `x = TRUE` is what Polars computes.
    """
    out: list[str] = []
    for match in _SQL_TOKENS.finditer(text):
        token = match.group()
        if match.group("truth"):
            out.append(f"{'<>' if match.group('not') else '='} {match.group('truth').upper()}")
        elif token.startswith('"'):
            name = token[1:-1].replace('""', '"')
            ref = (names or {}).get(name, name)
            out.append("`" + ref.replace("`", "``") + "`")
        elif token.startswith("'"):
            value = token[1:-1].replace("''", "'")
            out.append("'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'")
        else:
            out.append(token)
    return "".join(out)


def _rule_checks(
    df: DataFrame, table: Table, refs: dict[str, str], now: dt.datetime | None, *, whole_table: bool
) -> list[_Check]:
    """The contract's quality rules as Spark checks, planned by `quality.plan` as for Polars (the
    same rules, in the same order, with the same messages). `refs` names the column holding
    each contract column in its contract type."""
    return [
        _rule_check(df, table, refs, rule, part, polars, now)
        for rule, part, polars in plan(table, refs, now, whole_table=whole_table)
        # A rule Polars cannot evaluate is reported by `validate` on the empty frame already.
        if polars.sampled or polars.kind != "rule"
    ]


def _rule_check(  # noqa: PLR0913, PLR0917 -- a planned rule and what Spark needs to check it
    df: DataFrame,
    table: Table,
    refs: dict[str, str],
    rule: Rule,
    part: str,
    polars: RuleCheck,
    now: dt.datetime | None,
) -> _Check:
    col = {name: _col(ref) for name, ref in refs.items()}
    rows = F.count(F.lit(1))
    if rule.kind == "completeness":
        assert rule.min_ratio is not None
        num, den = exact(rule.min_ratio)
        big = T.DecimalType(38, 0)
        nulls = F.count(F.when(col[part].isNull(), 1))
        short = nulls.cast(big) * den > rows.cast(big) * (den - num)
        count = F.when(short, nulls).otherwise(F.lit(0))
        return _Check(polars.kind, part, col[part].isNull(), col[part], polars.message, count=count)
    if rule.kind == "row_count":
        limit = rule.min_rows if part == "min" else rule.max_rows
        assert limit is not None
        missing = (
            F.when(rows < limit, F.lit(limit) - rows) if part == "min" else F.when(rows > limit, rows - limit)
        )
        count = F.coalesce(missing, F.lit(0))
        return _Check(polars.kind, None, None, F.lit(None), polars.message, count=count, sampled=False)
    columns = rule.columns
    sample = col[columns[0]] if len(columns) == 1 else F.struct(*(col[c].alias(c) for c in columns))
    if rule.kind == "uniqueness":
        key = tuple(refs[c] for c in columns)
        return _Check(polars.kind, polars.column, None, sample, polars.message, key, skip_nulls=True)
    if rule.kind == "sql":
        assert rule.expression is not None
        try:
            bad = ~F.expr(spark_sql(rule.expression, refs))
            df.select(bad).schema  # noqa: B018 -- analysing the rule here, not mid-job
        except Exception as exc:  # Spark raises AnalysisException and parse errors alike
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            message = lambda _: unevaluable(rule.expression or "", why)  # noqa: E731
            return _Check("rule", polars.column, None, F.lit(None), message, count=F.lit(1), sampled=False)
        return _Check(polars.kind, polars.column, bad, sample, polars.message, expression=rule.expression)
    return _freshness(table, refs, rule, polars, now)


def _freshness(
    table: Table, refs: dict[str, str], rule: Rule, polars: RuleCheck, now: dt.datetime | None
) -> _Check:
    """Stale when the newest value is older than the cutoff Polars computes; the newest value is
    the sample."""
    assert now is not None and rule.max_age is not None
    name = rule.columns[0]
    dtype = instance(table.schema[name])
    cutoff = now.astimezone(dt.UTC) - rule.max_age
    value = _col(refs[name])
    zone = None
    if isinstance(dtype, pl.Datetime) and dtype.time_zone:
        limit = _lit(cutoff, T.TimestampType())
        zone = dtype.time_zone
        sample = F.unix_micros(value)
    elif isinstance(dtype, pl.Datetime):
        limit = _lit(cutoff.replace(tzinfo=None), T.TimestampNTZType())
        sample = value
    else:
        limit = F.lit(cutoff.date())
        sample = value
    count = F.when(F.max(value) < limit, 1).otherwise(0)
    return _Check(polars.kind, name, None, sample, polars.message, count=count, newest=True, zone=zone)


# -- Validation -----------------------------------------------------------------------------------


def validate_spark(  # noqa: PLR0913 -- the reader options every generated reader passes on
    df: DataFrame,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    source: str | None = None,
    extra: list[Violation] | None = None,
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
    dtypes: dict[str, pl.DataType] | None = None,
) -> DataFrame:
    """Check a Spark DataFrame against `table`; return it in the contract's types and order.

    Raises the same `ContractViolationError`, with the same messages and counts, as the Polars
    readers, except that samples show values without row numbers (Spark has no row order).
    Clean data costs one aggregation job for every check; a unique column or key whose distinct
    count falls short is then counted exactly by a `groupBy`, and each failed check fetches its
    samples with one limited query.

    The contract's quality rules are counted in the same job, under the options of the Polars
    readers: freshness with a clock (`freshness=True`, or `now=` for a replay), row counts with
    `whole_table=True`.

    `dtypes` are the Polars dtypes of columns as Polars reads them where Spark's types do not
    say (`read_spark` passes a Parquet file's own: a zone, an unsigned integer); each is used
    where Spark's type is the one `read_spark` reads it as.
    """
    unexpected = unexpected_policy(unexpected)
    _names_told_apart(df)
    violations = list(extra or ())
    before = df.columns
    df = _apply_renames(df, table)
    known = {new: (dtypes or {}).get(old) for old, new in zip(before, df.columns, strict=True)}
    actual = {f.name: f.dataType for f in df.schema.fields}
    view: dict[str, pl.DataType] = {}
    unknown: list[Violation] = []
    for name, spark in actual.items():
        expected = instance(table.schema[name]) if name in table.schema else None
        file_dtype = known.get(name)
        if file_dtype is not None and _spark_reads(file_dtype) == spark.simpleString():
            held: pl.DataType | None = file_dtype
        else:
            held = polars_dtype(spark, expected)
        if held is None:
            message = f"column '{name}' has Spark type {spark.simpleString()}, the contract says {expected}"
            if expected is not None:
                unknown.append(Violation("dtype", name, message))
            held = pl.Object()
        view[name] = held
    violations += unknown
    reported = {v.column for v in unknown}
    # The warnings about columns (removed, filled) are the Polars side's own: passed on as given.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            empty: pl.DataFrame | None = validate(
                pl.DataFrame(schema=view), table, unexpected=unexpected, source=source
            )
        except ContractViolationError as error:
            violations += [v for v in error.violations if v.column not in reported]
            empty = None
    for warning in caught:
        warnings.warn(warning.message, stacklevel=2)
    bad_columns = {v.column for v in violations if v.kind in ("dtype", "missing_column")}
    usable = {
        name: how
        for name in table.schema.names()
        if name in actual
        and name not in bad_columns
        and (how := coercion(view[name], instance(table.schema[name]))) is not None
    }
    checks = [c for name, how in usable.items() for c in _column_checks(table, name, how, actual[name])]
    checks += _key_check(table, set(usable))
    filled = _filled(table, set(actual), violations)
    work, refs = _in_contract_types(df, table, usable, filled)
    checks += _rule_checks(work, table, refs, clock(freshness, now), whole_table=whole_table)
    violations += _run(work, checks)
    if violations:
        raise ContractViolationError(table.name, table.version, redact_violations(violations, table), source)
    assert empty is not None
    return _output(df, table, empty.columns, filled)


def _names_told_apart(df: DataFrame) -> None:
    """A ValueError, saying what to do, for columns that differ only in case (`b`, `B`) in a
    session that folds case: Spark cannot name one of them there (`read_spark` reads a file
    with such columns case-sensitively by itself)."""
    seen: dict[str, str] = {}
    for name in df.columns:
        twin = seen.setdefault(name.lower(), name)
        if twin != name and (df.sparkSession.conf.get(_CASE_SENSITIVE) or "").lower() != "true":
            raise ValueError(
                f"columns '{twin}' and '{name}' differ only in case, which Spark tells apart only in a "
                f"case-sensitive session: set {_CASE_SENSITIVE}=true to check this DataFrame"
            )


def _in_contract_types(
    df: DataFrame, table: Table, usable: dict[str, str], filled: list[str]
) -> tuple[DataFrame, dict[str, str]]:
    """`df` with each usable column also in its contract type (under a hidden name where the
    data's type differs) and the filled columns added, as Polars checks the rules on them; and
    which column holds each contract column."""
    refs: dict[str, str] = {}
    added: dict[str, SparkColumn] = {}
    for name, how in usable.items():
        if how in ("same", "enum"):
            refs[name] = name
        else:
            refs[name] = f"__contractgen_v{len(added)}"
            added[refs[name]] = _col(name).cast(spark_type(instance(table.schema[name])))
    for name in filled:
        refs[name] = f"__contractgen_v{len(added)}"
        target = spark_type(instance(table.schema[name]))
        added[refs[name]] = F.lit(table.column(name).default).cast(target)
    return (df.withColumns(added) if added else df), refs


def _apply_renames(df: DataFrame, table: Table) -> DataFrame:
    """Columns under an old name (`renamed_from`) are read under the new one while allowed."""
    present = set(df.columns)
    on = today()
    for column in table.columns:
        if column.name in present:
            continue
        for old in column.renamed_from:
            if old not in present or old in table.schema:
                continue
            if column.renamed_until is not None and on > column.renamed_until:
                continue
            from contractgen.runtime.check import RenamedColumnWarning  # noqa: PLC0415 -- only when renaming

            until = (
                f" until {column.renamed_until}" if column.renamed_until else " while the contract lists it"
            )
            warnings.warn(
                f"{table.label}: column '{old}' is the old name of '{column.name}' and was read under "
                f"the new name (accepted{until}). Ask the producer to write '{column.name}'.",
                RenamedColumnWarning,
                stacklevel=3,
            )
            df = df.withColumnRenamed(old, column.name)
            break
    return df


def _filled(table: Table, present: set[str], violations: list[Violation]) -> list[str]:
    """The absent columns the contract lets be filled (`validate` has warned about them)."""
    missing = {v.column for v in violations if v.kind == "missing_column"}
    return [n for n in table.schema.names() if n not in present and n not in missing]


def _output(df: DataFrame, table: Table, names: list[str], filled: list[str]) -> DataFrame:
    """The contract's columns in its types and order (absent optional ones filled), then kept extras."""
    out = []
    for name in names:
        if name in table.schema:
            target = spark_type(instance(table.schema[name]))
            source = F.lit(table.column(name).default) if name in filled else _col(name)
            out.append(source.cast(target).alias(name))
        else:
            out.append(_col(name))
    return df.select(*out)


def _run(df: DataFrame, checks: list[_Check]) -> list[Violation]:
    """Count every check in one aggregation job, then sample the failures.

    Uniqueness rides along as a distinct count: as many distinct keys as keys means no repeat,
    and clean data costs one job. Only a key with fewer is counted exactly, by a `groupBy`.
    """
    counts: list[int] = [0] * len(checks)
    aggregates = [a for i, check in enumerate(checks) for a in _aggregates(i, check)]
    try:
        row = df.agg(*aggregates).first() if aggregates else None
    except Exception as exc:  # Spark raises Py4J and its own errors alike
        stopped = _stopped_rules(df, checks)
        if not stopped:
            raise _job_failed(exc) from None
        return _run(df, [_unevaluable(c, stopped[i]) if i in stopped else c for i, c in enumerate(checks)])
    duplicated: dict[int, DataFrame] = {}
    for i, check in enumerate(checks):
        assert row is not None
        if check.bad is not None or check.count is not None:
            counts[i] = int(row[f"c{i}"] or 0)
        elif row[f"c{i}"]:
            cols = [_col(k) for k in check.key]
            groups = df.groupBy(*cols).count().where(F.col("count") > 1)
            if check.skip_nulls:  # rows with a null among the key's columns share no key
                groups = groups.where(_complete(check.key))
            elif check.column is not None:  # a unique column: nulls are not values
                groups = groups.where(cols[0].isNotNull())
            duplicated[i] = groups.select(
                *(_col(k).alias(f"__contractgen_k{j}") for j, k in enumerate(check.key))
            )
            total = groups.agg(F.sum("count")).first()
            counts[i] = int(total[0] or 0) if total is not None else 0
    violations = []
    for i, (check, n) in enumerate(zip(checks, counts, strict=True)):
        if not n:
            continue
        if not check.sampled:
            violations.append(Violation(check.kind, check.column, check.message(n), n))
            continue
        if check.newest:
            assert row is not None
            newest = ((None, _python(row[f"s{i}"], check)),)
            violations.append(Violation(check.kind, check.column, check.message(n), n, newest))
            continue
        samples = _samples(df, check, duplicated.get(i))
        violations.append(Violation(check.kind, check.column, check.message(n), n, samples))
    return violations


def _job_failed(exc: Exception) -> DataReadError:
    """Spark's failure to run the checks (files of one read in different types, say), in one
    line, as the Polars readers refuse what they cannot read: never a Java stack trace."""
    return DataReadError(f"Spark could not read the data to check it: {_reason(exc)}")


def _stopped_rules(df: DataFrame, checks: list[_Check]) -> dict[int, str]:
    """The row rules Spark stops at, each counted alone, with Spark's reason: in ANSI mode (the
    default from Spark 4) an integer overflow or a division by zero fails the job where Polars
    wraps around or gives null or infinity. Run only when the aggregation job failed."""
    stopped = {}
    for i, check in enumerate(checks):
        if check.expression is None or check.bad is None:
            continue
        try:
            df.agg(F.count(F.when(check.bad, 1))).first()
        except Exception as exc:  # whatever Spark raised is the rule's reason
            text = str(exc).strip()
            stopped[i] = text.splitlines()[0] if text else type(exc).__name__
    return stopped


def _unevaluable(check: _Check, why: str) -> _Check:
    """A row rule Spark could not evaluate, reported as one violation (as `quality` reports a
    rule Polars cannot evaluate) rather than failing the whole check."""
    expression = check.expression or ""
    message = lambda _: unevaluable(expression, f"Spark stopped at a row: {why}")  # noqa: E731
    return replace(check, bad=None, count=F.lit(1), sampled=False, message=message, expression=None)


def _aggregates(i: int, check: _Check) -> list[SparkColumn]:
    """What the one aggregation job computes for check `i`: its count, or for uniqueness whether
    the distinct count falls short (and a freshness rule's newest value, its sample)."""
    if check.count is not None:
        newest = [F.max(check.sample).alias(f"s{i}")] if check.newest else []
        return [check.count.alias(f"c{i}"), *newest]
    if check.bad is not None:
        return [F.count(F.when(check.bad, 1)).alias(f"c{i}")]
    cols = [_col(k) for k in check.key]
    # count(DISTINCT a, b) skips keys with a null part, so such a key is only ever suspect.
    if check.skip_nulls:
        present = F.count(F.when(_complete(check.key), 1))
    else:
        present = F.count(cols[0]) if check.column is not None else F.count(F.lit(1))
    return [(F.count_distinct(*cols) < present).alias(f"c{i}")]


def _samples(df: DataFrame, check: _Check, duplicated: DataFrame | None) -> tuple[tuple[None, Any], ...]:
    """The first offending values of a failed check, by one limited query."""
    if check.bad is not None:
        found = df.where(check.bad)
    else:
        assert duplicated is not None
        on = [_col(k).eqNullSafe(F.col(f"__contractgen_k{j}")) for j, k in enumerate(check.key)]
        found = df.join(duplicated, on, "left_semi")
    try:
        rows = found.select(check.sample.alias("v")).limit(MAX_SAMPLES).collect()
    except (ValueError, OverflowError):  # values Python cannot hold, such as the year 0: as text
        rows = found.select(check.sample.cast(T.StringType()).alias("v")).limit(MAX_SAMPLES).collect()
        return tuple((None, r["v"]) for r in rows)
    return tuple((None, _python(r["v"], check)) for r in rows)


def _complete(key: tuple[str, ...]) -> SparkColumn:
    """Whether a row has a value in every column of `key`."""
    out = _col(key[0]).isNotNull()
    for k in key[1:]:
        out = out & _col(k).isNotNull()
    return out


def _bad(check: _Check) -> SparkColumn:
    assert check.bad is not None
    return check.bad


def _python(value: Any, check: _Check) -> Any:
    """A sample as the Python value Polars shows for it."""
    if value is None:
        return None
    if check.zone is not None:
        instant = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=value)
        return instant.astimezone(zoneinfo.ZoneInfo(check.zone))
    if check.whole and isinstance(value, Decimal):
        return int(value)
    return _plain(value)


def _plain(value: Any) -> Any:
    """Spark's Rows, at any depth of a list, as the dicts Polars shows for structs."""
    if hasattr(value, "asDict"):
        return {k: _plain(v) for k, v in value.asDict(recursive=False).items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- Reading --------------------------------------------------------------------------------------

_FORMATS = {".parquet": "parquet", ".csv": "csv", ".json": "json", ".orc": "orc"}
_STRIP = r"^[ \t]+|[ \t]+\z"  # what `read_csv` strips around a non-text value: spaces and tabs
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SHIFTS = (1800, 3600, 7200)  # seconds a zone's clocks move at a change (30 min, 1 h, 2 h)


def read_spark(  # noqa: PLR0913 -- the reader options every generated reader passes on
    spark: SparkSession,
    path_or_table: str,
    table: Table,
    format: str | None = None,
    *,
    unexpected: Unexpected = "error",
    options: dict[str, str] | None = None,
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> DataFrame:
    """Read a file, folder or catalog table with Spark and check it against `table`.

    `format` defaults to the path's suffix (`.parquet`, `.csv`, `.json`, `.orc`), then Parquet
    for a path with a `/`, then a catalog table. CSV is read as text and parsed strictly, as
    `read_csv` does: a cell that does not parse is reported with its value, never nulled, and a
    row with more or fewer fields than the header is refused (Spark would fill or drop them).
    Quality rules as in `validate_spark`: freshness with `freshness=True` or `now=`, row counts
    with `whole_table=True`.
    """
    unexpected = unexpected_policy(unexpected)
    fmt = format or _guess_format(path_or_table)
    rules = _RuleOptions(freshness, now, whole_table)
    if fmt == "csv":
        return _read_csv(spark, path_or_table, table, unexpected, options or {}, rules)
    df, settings = _load(spark, path_or_table, fmt, options or {})
    with _session(spark, settings):
        dtypes = _parquet_dtypes(spark, df, path_or_table, options or {}) if fmt == "parquet" else {}
        df = _as_polars_reads(df, dtypes)
        if unexpected == "drop":
            keep = [
                n for n in df.columns if n in table.schema or any(n in c.renamed_from for c in table.columns)
            ]
            df = df.select(*(_col(n) for n in keep))
        checked = validate_spark(
            df,
            table,
            unexpected=unexpected,
            source=path_or_table,
            freshness=freshness,
            now=now,
            whole_table=whole_table,
            dtypes=dtypes,
        )
        # The session's own settings come back below, and Spark reads a file again whenever a
        # DataFrame is used: this one is computed under the settings it needs, and kept.
        return checked.localCheckpoint(eager=False) if settings else checked


@dataclass(frozen=True, slots=True)
class _RuleOptions:
    """When the quality rules that need more than the data are checked (see `validate_spark`)."""

    freshness: bool = False
    now: dt.datetime | None = None
    whole_table: bool = False


def _guess_format(path: str) -> str:
    for suffix, fmt in _FORMATS.items():
        if path.lower().endswith(suffix):
            return fmt
    return "parquet" if "/" in path or ":" in path else "table"


def _unreadable(path: str, fmt: str, exc: Exception) -> DataReadError:
    text = str(exc)
    if fmt == "CSV" and "TextParsingException" in text and "quote" in text.lower():
        # `read_csv`'s words; Spark does not say which line
        return DataReadError(
            f"cannot read {path} as CSV: a row has a quote character inside an unquoted field, or a "
            "quoted field that does not close; quote the whole field and double the quotes in it "
            '("5"" screen")'
        )
    return DataReadError(f"cannot read {path} as {fmt}: {_reason(exc)}")


def _reason(exc: Exception) -> str:
    """Spark's reason for a failure, in one line: Py4J puts "An error occurred while calling ..."
    first and Spark's own words (`[ERROR_CLASS] ...`) after it, then a Java stack trace."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    found = next((line for line in lines if line.startswith(("org.apache.spark", "[", ": org.apache"))), None)
    if found is None:
        return lines[0] if lines else type(exc).__name__
    return (
        found.split(": ", 1)[1]
        if found.startswith((": org.apache", "org.apache")) and ": " in found
        else found
    )


def _read_csv(  # noqa: PLR0913, PLR0917 -- the reader options every generated reader passes on
    spark: SparkSession,
    path: str,
    table: Table,
    unexpected: Unexpected,
    options: dict[str, str],
    rules: _RuleOptions,
) -> DataFrame:
    """Text first, then strict parsing in Spark SQL by `read_csv`'s grammar (`runtime/text.py`):
    Spark's own CSV parsing guesses and fills."""
    separator = options.get("sep", options.get("delimiter", ","))
    quote = options.get("quote", '"')
    encoding = options.get("encoding", options.get("charset", "utf-8"))
    try:
        line_end = _csv_lines(spark, path, quote, utf8=encoding.lower().replace("-", "") == "utf8")
        # A quote inside a quoted field is written doubled (RFC 4180), as read_csv reads it; Spark's
        # own default escape is a backslash, which read_csv never treats specially. A quote inside
        # a quoted field that is not doubled is refused, as read_csv refuses it.
        dialect = {"escape": quote, "unescapedQuoteHandling": "RAISE_ERROR"}
        reader = spark.read.options(**{**dialect, **options}).option("header", True)
        if line_end is not None:  # a quoted field holds a line break: the file is read whole
            reader = reader.option("multiLine", True)
            if line_end == "\n" or int(spark.version.split(".")[0]) >= 4:  # noqa: PLR2004 -- Spark 3.5 reads only one-character line ends (and then turns a quoted \r\n into \n)
                reader = reader.option("lineSep", line_end)
        header = reader.csv(path).columns
        if not header:
            raise DataReadError(f"cannot read {path} as CSV: empty CSV")  # `read_csv`'s words
        header_present(header, table, path)  # a first line of data is not shown as column names
        schema = T.StructType(
            [T.StructField(n, T.StringType()) for n in header] + [T.StructField(_CORRUPT, T.StringType())]
        )
        raw = (
            reader.option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", _CORRUPT)
            .option("emptyValue", _QUOTED_EMPTY)
            .schema(schema)
            .csv(path)
            .cache()  # Spark refuses to query the corrupt-record column of an uncached CSV read
        )
        # A quoted empty cell ("") is text, an empty one null, as in `read_csv`: Spark reads both
        # as its null value ("") unless the quoted one is told to be something else.
        text = raw.select(
            *(F.when(_col(n) == _QUOTED_EMPTY, F.lit("")).otherwise(_col(n)).alias(n) for n in header),
            F.col(_CORRUPT),
        )
    except DataReadError:
        raise
    except Exception as exc:  # Spark raises AnalysisException and Py4J errors alike
        raise _unreadable(path, "CSV", exc) from None
    try:
        return _checked_csv(text, header, path, table, unexpected, (separator, quote), rules)
    finally:  # the data returned reads the file again when used: a cache kept would go stale
        raw.unpersist()


def _checked_csv(  # noqa: PLR0913, PLR0917 -- the read text and what `_read_csv` was given
    text: DataFrame,
    header: list[str],
    path: str,
    table: Table,
    unexpected: Unexpected,
    dialect: tuple[str, str],
    rules: _RuleOptions,
) -> DataFrame:
    """The CSV text parsed by the contract's types, its rows' fields counted, then checked."""
    separator, quote = dialect
    cannot_hold: list[Violation] = []
    parsed: dict[str, SparkColumn] = {}
    for name in header:
        if name not in table.schema:
            continue
        dtype = instance(table.schema[name])
        parse = _parse(name, dtype, table.column(name).layout)
        if parse is not None:
            parsed[name] = parse
        elif not isinstance(dtype, pl.String | pl.Enum):
            cannot_hold.append(Violation("dtype", name, f"column '{name}' is {dtype}, which CSV cannot hold"))
    failed = {n: _col(n).isNotNull() & p.isNull() for n, p in parsed.items()}
    corrupt = F.col(_CORRUPT)
    fields = F.size(F.split(F.regexp_replace(corrupt, _quoted(quote), "q"), re.escape(separator), -1))
    counts = text.agg(
        F.count(F.when(corrupt.isNotNull() & (fields < len(header)), 1)).alias("short"),
        F.count(F.when(corrupt.isNotNull() & (fields > len(header)), 1)).alias("long"),
        *(F.count(F.when(bad, 1)).alias(f"bad{i}") for i, bad in enumerate(failed.values())),
        *(F.count(F.when(_col(n).isNull(), 1)).alias(f"null{i}") for i, n in enumerate(failed)),
    ).first()
    assert counts is not None
    if counts["long"]:
        where = rows_text(counts["long"])
        raise DataReadError(
            f"cannot read {path} as CSV: more fields than the header's {len(header)} at {where}"
        )
    if counts["short"]:
        where = rows_text(counts["short"])
        raise DataReadError(
            f"cannot read {path} as CSV: fewer fields than the header's {len(header)} at {where} "
            "(every row needs every field; an empty one is written as nothing between two separators)"
        )
    unread: dict[str, Violation] = {}
    for i, (name, bad) in enumerate(failed.items()):
        n = counts[f"bad{i}"]
        if n:
            cells = [r[0] for r in text.where(bad).select(_col(name)).limit(MAX_SAMPLES).collect()]
            dtype = table.schema[name]
            message = f"'{name}': {rows_text(n)} not readable as {dtype}: {_hints(name, dtype, table, cells)}"
            unread[name] = Violation("dtype", name, message, n, tuple((None, c) for c in cells))
    df = text.select(
        *(parsed.get(n, _col(n)).alias(n) for n in header if unexpected != "drop" or n in table.schema)
    )
    nulls = {n: counts[f"null{i}"] for i, n in enumerate(failed)}
    try:
        checked = validate_spark(
            df,
            table,
            unexpected=unexpected,
            source=path,
            extra=cannot_hold,
            freshness=rules.freshness,
            now=rules.now,
            whole_table=rules.whole_table,
        )
    except ContractViolationError as error:
        found = [_without_unread(v, unread, nulls) for v in error.violations]
        every = [*redact_violations(list(unread.values()), table), *(v for v in found if v is not None)]
        raise ContractViolationError(table.name, table.version, every, path) from None
    if unread:
        raise ContractViolationError(
            table.name, table.version, redact_violations(list(unread.values()), table), path
        )
    return checked


def _quoted(quote: str) -> str:
    q = re.escape(quote)
    return f"{q}(?:[^{q}]|{q}{q})*{q}"


def _csv_lines(spark: SparkSession, path: str, quote: str, *, utf8: bool) -> str | None:
    """What `read_csv` refuses in the file's lines, found by one job over its text: bytes that
    are not UTF-8 (Spark's CSV reader replaces them) and a blank line inside the data (which it
    skips; blank lines at the end are fine), each a `DataReadError` in `read_csv`'s words.

    Returns None, or the line end of the rows (`\n` or `\r\n`) when a quoted field holds a line
    break (a line has an odd number of quotes): Spark's CSV reader splits a file at every line
    break unless told to read it whole (`multiLine`, one task per file), and then at the one line
    end it is given, keeping every other in the field's text, as `read_csv` does."""
    value = F.col("value")
    quotes = F.length(value) - F.length(F.translate(value, quote, "")) if quote else F.lit(0)
    lines = (
        spark.read.option("lineSep", "\n")  # as `read_csv` counts lines; a \r stays at the end
        .text(path)
        .select(
            F.monotonically_increasing_id().alias("i"),
            (F.regexp_replace(value, "\\r$", "") == "").alias("blank"),
            (quotes % 2 == 1).alias("odd"),
            value.endswith("\r").alias("cr"),
            (_valid_utf8(value) if utf8 else F.lit(True)).alias("valid"),
        )
    )
    ends = lines.agg(
        F.min(F.when(F.col("blank"), F.col("i"))).alias("first_blank"),
        F.max(F.when(~F.col("blank"), F.col("i"))).alias("last_text"),
        F.max(F.col("i")).alias("last"),
        F.count(F.when(F.col("odd"), 1)).alias("odd"),
        F.min(F.when(~F.col("valid"), F.col("i"))).alias("invalid"),
    ).first()
    assert ends is not None
    if ends["invalid"] is not None:
        raise DataReadError(
            f"cannot read {path} as utf8: line {_line(lines, ends['invalid'])} has bytes that are not "
            "utf8; pass the file's real encoding (latin-1, cp1252, ...)"
        )
    line_end = None
    if ends["odd"]:
        # Whether a line starts inside a quoted field; a line that does not end inside one ends a row.
        before = Window.orderBy("i").rowsBetween(Window.unboundedPreceding, -1)
        lines = lines.withColumn(
            "quoted", F.coalesce(F.sum(F.col("odd").cast("int")).over(before), F.lit(0)) % 2 == 1
        )
        row_ends = lines.where((F.col("quoted") == F.col("odd")) & (F.col("i") < ends["last"]))
        kinds = row_ends.agg(F.count(F.when(F.col("cr"), 1)), F.count(F.when(~F.col("cr"), 1))).first()
        assert kinds is not None
        if kinds[0] and kinds[1]:
            raise DataReadError(
                f"cannot read {path} as CSV on Spark: its rows end both in \\r\\n and in \\n, and a quoted "
                "field spans lines, which Spark reads only with one line end: write the file with one "
                "line end, or read it with read_csv"
            )
        line_end = "\r\n" if kinds[0] else "\n"
    if ends["last_text"] is None or ends["first_blank"] is None or ends["first_blank"] > ends["last_text"]:
        return line_end  # no blank line, or only blank lines (no header: refused as empty)
    inside = lines.where(F.col("blank") & (F.col("i") < ends["last_text"]))
    if line_end is not None:  # a blank line inside a quoted field is part of its text
        inside = inside.where(~F.col("quoted"))
    if lines.rdd.getNumPartitions() == 1:
        found = [int(r["i"]) + 1 for r in inside.orderBy("i").limit(MAX_SAMPLES + 1).collect()]
        more = ", ..." if len(found) > MAX_SAMPLES else ""
        shown = ", ".join(map(str, found[:MAX_SAMPLES]))
        where = f"line{'s' * (len(found) != 1)} {shown}{more}"
    else:
        found = [inside.count()]
        where = rows_text(found[0]).replace("row", "line")
    if not any(found):
        return line_end
    raise DataReadError(
        f'cannot read {path} as CSV: blank line inside the data at {where} (write "" for an empty cell)'
    )


def _valid_utf8(value: SparkColumn) -> SparkColumn:
    """Whether text read by `spark.read.text` (its bytes as they are in the file) is UTF-8."""
    if hasattr(F, "is_valid_utf8"):  # Spark 4
        return F.is_valid_utf8(value)
    raw = value.cast(T.BinaryType())  # Spark 3.5: decoding replaces what is not UTF-8
    return F.encode(F.decode(raw, "UTF-8"), "UTF-8") == raw


def _line(lines: DataFrame, i: int) -> int:
    """The line (from 1) of the row Spark numbered `i`: its index in its partition, after the
    lines of the partitions before (`monotonically_increasing_id` puts the partition in the
    upper bits)."""
    partition, row = i >> 33, i & (2**33 - 1)
    before = lines.where(F.spark_partition_id() < partition).count() if partition else 0
    return before + row + 1


def _hints(name: str, dtype: pl.DataType, table: Table, cells: list[str | None]) -> str:
    """Why the sampled cells do not parse: `read_csv`'s own hints, evaluated by Polars on the
    driver over the same sample (the first cells that failed), so the words cannot drift."""
    parser = csv_text.parser(name, instance(dtype), table.column(name).layout)
    assert parser is not None
    hints = pl.DataFrame({name: cells}, schema={name: pl.String}).select(parser.hint).to_series().to_list()
    return "; ".join(dict.fromkeys(hints))


def _without_unread(
    violation: Violation, unread: dict[str, Violation], nulls: dict[str, int]
) -> Violation | None:
    """A required column's null count without the cells whose text did not parse (reported as
    unreadable, not as nulls), as in `read_csv`."""
    name = violation.column
    if violation.kind != "null" or name not in unread:
        return violation
    n = nulls[name]
    if not n:
        return None
    message = f"'{name}': {rows_text(n)} null in a required column"
    return Violation("null", name, message, n, tuple((None, None) for _ in range(min(n, MAX_SAMPLES))))


def _parse(name: str, dtype: pl.DataType, layout: str | None) -> SparkColumn | None:  # noqa: PLR0911 -- one return per kind of type
    """CSV text as `dtype`, null where it does not parse: the grammar of `runtime/text.py`, each
    regular expression the same text, each conversion one that refuses what Polars refuses."""
    spark_type(dtype)  # a type Spark cannot hold (time, nanoseconds) is refused here, by name
    text = F.regexp_replace(_col(name), _STRIP, "")

    def shaped(grammar: str) -> SparkColumn:
        return text.rlike(java_regex(grammar))

    if dtype.is_integer():
        value = F.when(shaped(csv_text.INT), text.try_cast(spark_type(dtype)))
        if type(dtype) in _UNSIGNED:
            value = F.when(value.between(0, _UNSIGNED[type(dtype)][1]), value)
        return value
    if dtype.is_float():
        return F.when(shaped(csv_text.FLOAT), _float(text, spark_type(dtype)))
    if isinstance(dtype, pl.Decimal):
        return F.when(shaped(csv_text.decimal_grammar(dtype.scale)), text.try_cast(spark_type(dtype)))
    if isinstance(dtype, pl.Boolean):
        lowered = F.lower(text)
        # The grammar folds case as Rust does (`falſe`, with a long s); `read_csv` then takes only
        # the lowercase spellings.
        return F.when(shaped(csv_text.BOOL) & lowered.isin("true", "false"), lowered == "true")
    if isinstance(dtype, pl.Date):
        if layout is None:
            return F.when(shaped(csv_text.layout_regex("%Y-%m-%d")), text.try_cast(T.DateType()))
        parts = _layout_parts(text, layout)
        day = F.format_string("%04d-%02d-%02d", parts["year"], parts["month"], parts["day"])
        return F.when(shaped(csv_text.layout_regex(layout)), day.try_cast(T.DateType()))
    if isinstance(dtype, pl.Datetime):
        return _datetime(text, dtype, layout, shaped)
    if isinstance(dtype, pl.Duration):
        return _duration(text, dtype, shaped)
    return None


def _float(text: SparkColumn, target: T.DataType) -> SparkColumn:
    """`inf`, `infinity`, `nan` (any case, signed) by name; a finite number too large for the
    type (it reads as infinite) or too small (a non-zero digit that reads as 0) is refused."""
    lowered = F.lower(text)
    bare = F.regexp_replace(lowered, "^[+-]", "")
    inf = F.when(lowered.startswith("-"), F.lit(float("-inf"))).otherwise(F.lit(float("inf")))
    named = F.when(bare.isin("inf", "infinity"), inf).when(bare == "nan", F.lit(float("nan")))
    number = F.coalesce(named.cast(target), text.try_cast(target))
    huge = named.isNull() & (F.abs(number) == F.lit(float("inf")))
    tiny = (number == 0) & text.rlike("^[^eE]*[1-9]")
    return F.when(~huge & ~tiny, number)


def _layout_parts(text: SparkColumn, layout: str) -> dict[str, SparkColumn]:
    """The fields of text written in a strptime layout, as numbers (each directive captured by
    the pattern `layout_regex` checks); `%y` years are 1970-2069, as chrono reads them."""
    groups: list[str] = []
    pattern = []
    for part in re.split(r"(%\.f|%.)", layout):
        if part in csv_text.DIRECTIVES and part != "%%":
            groups.append(part)
            pattern.append(f"({csv_text.DIRECTIVES[part]})")
        elif part.startswith("%") and part != "%%":
            raise SparkTypeError(f"layout {layout!r}: {part} is not read on Spark")
        else:
            pattern.append(re.escape(part) if part != "%%" else "%")
    regex = java_regex("^" + "".join(pattern) + "$")

    def field(directive: str) -> SparkColumn:
        return F.regexp_extract(text, regex, groups.index(directive) + 1)

    def number(directive: str, default: int = 0) -> SparkColumn:
        return field(directive).try_cast(T.LongType()) if directive in groups else F.lit(default)

    year = number("%Y", 1970)
    if "%y" in groups:
        short = number("%y")
        year = F.when(short >= 70, short + 1900).otherwise(short + 2000)  # noqa: PLR2004 -- chrono's pivot
    month = number("%m", 1)
    if "%b" in groups:
        abbreviation = F.lower(field("%b"))
        month = F.coalesce(*(F.when(abbreviation == m, i + 1) for i, m in enumerate(_MONTHS)))
    nanos = F.lit(0)
    if "%.f" in groups:
        nanos = F.rpad(F.regexp_replace(field("%.f"), "^\\.", ""), 9, "0").try_cast(T.LongType())
        nanos = F.coalesce(nanos, F.lit(0))
    elif "%f" in groups:
        nanos = number("%f")  # chrono reads %f as a count of nanoseconds
    return {
        "year": year,
        "month": month,
        "day": number("%d", 1),
        "hour": number("%H"),
        "minute": number("%M"),
        "second": number("%S"),
        "nanos": nanos,
    }


def _datetime(
    text: SparkColumn, dtype: pl.Datetime, layout: str | None, shaped: Callable[[str], SparkColumn]
) -> SparkColumn:
    zone = dtype.time_zone
    if layout is not None:
        p = _layout_parts(text, layout)
        written = F.format_string(
            "%04d-%02d-%02d %02d:%02d:%02d.%09d",
            p["year"], p["month"], p["day"], p["hour"], p["minute"], p["second"], p["nanos"],
        )  # fmt: skip
        naive = written.try_cast(T.TimestampNTZType())
        value = _wall_time(naive, zone) if zone else naive
        return F.when(shaped(csv_text.layout_regex(layout)), value)
    _, grammar = csv_text.timestamp_grammar(dtype.time_unit or "us", zone is not None)
    iso = F.regexp_replace(text, " ", "T")
    if zone is None:
        return F.when(shaped(grammar), iso.try_cast(T.TimestampNTZType()))
    has_offset = text.rlike(java_regex(f"{csv_text.OFFSET}$"))
    offset = F.regexp_replace(iso, "([+-][0-9]{2})([0-9]{2})$", "$1:$2")  # +0200 as +02:00
    instant = F.when(has_offset, offset.try_cast(T.TimestampType()))
    wall = F.when(~has_offset, _wall_time(iso.try_cast(T.TimestampNTZType()), zone))
    return F.when(shaped(grammar), F.coalesce(instant, wall))


def _wall_time(naive: SparkColumn, zone: str) -> SparkColumn:
    """Wall-clock time in `zone` as the instant it names; null for a time the zone skips or
    repeats (a DST change), as Polars' `replace_time_zone(ambiguous="null", non_existent="null")`.

    Spark's own conversion picks an instant for both; a skipped time does not come back from
    the instant, and a repeated one comes back from an instant a zone shift away too."""
    utc = F.convert_timezone(F.lit(zone), F.lit("UTC"), naive)
    back = F.convert_timezone(F.lit("UTC"), F.lit(zone), utc)
    repeated = F.lit(False)
    for seconds in _SHIFTS:
        for shift in (seconds, -seconds):
            moved = utc + F.expr(f"INTERVAL {shift} SECONDS")
            repeated = repeated | (F.convert_timezone(F.lit("UTC"), F.lit(zone), moved) == naive)
    # The session zone is UTC (docs/spark.md), so a UTC wall-clock time is the instant.
    return F.when((back == naive) & ~repeated, utc.cast(T.TimestampType()))


def _duration(text: SparkColumn, dtype: pl.Duration, shaped: Callable[[str], SparkColumn]) -> SparkColumn:
    """ISO 8601 `[-]PnDTnHnMn[.fraction]S` as microseconds; refused when the fraction is finer
    than the unit or the value does not fit it, as in `read_csv`."""
    unit_ns = {"ms": 1_000_000, "us": 1_000}[dtype.time_unit or "us"]
    regex = java_regex(csv_text.DURATION)
    big = T.DecimalType(38, 0)

    def part(i: int) -> SparkColumn:
        found = F.regexp_extract(text, regex, i)
        return F.coalesce(F.when(found != "", found).try_cast(big), F.lit(0).cast(big))

    fraction = F.regexp_extract(text, regex, 6)
    fraction_ns = F.coalesce(
        F.when(fraction != "", F.rpad(fraction, 9, "0")).try_cast(big), F.lit(0).cast(big)
    )
    seconds = ((part(2) * 24 + part(3)) * 60 + part(4)) * 60 + part(5)
    total = (seconds * 1_000_000_000 + fraction_ns).cast(big)
    sign = F.when(F.regexp_extract(text, regex, 1) == "-", -1).otherwise(1)
    count = F.floor(total / unit_ns).cast(big) * sign
    exact = (total % unit_ns) == 0
    fits = count.between(-(2**63) + 1, 2**63 - 1)
    micros = (count * (unit_ns // 1000)).cast(T.LongType())
    nonempty = text.rlike("[0-9]") & ~text.endswith("T")
    value = F.lit(dt.timedelta(microseconds=1)) * micros
    return F.when(shaped(csv_text.DURATION) & nonempty & exact & fits, value)


# -- What a Parquet file says that Spark's types do not -------------------------------------------

# Spark refuses a file with nanosecond timestamps unless it reads them as longs (nanoseconds since
# the epoch), and, unless case-sensitive, a file with columns that differ only in case (b and B).
_NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"
_CASE_SENSITIVE = "spark.sql.caseSensitive"
_FOOTER_READERS = 8  # footers read at once, each by a driver thread through the JVM


@contextmanager
def _session(spark: SparkSession, settings: dict[str, str]) -> Iterator[None]:
    """The session with `settings` while the block runs; each restored after (unset if it was)."""
    before = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, old in before.items():
            if old is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, old)


def _load(
    spark: SparkSession, path_or_table: str, fmt: str, options: dict[str, str]
) -> tuple[DataFrame, dict[str, str]]:
    """The data, and the session settings Spark needed to read it as Polars reads it: columns
    that differ only in case are told apart, nanosecond timestamps read (as longs)."""
    settings: dict[str, str] = {}
    while True:
        try:
            with _session(spark, settings):
                if fmt == "table":
                    return spark.table(path_or_table), settings
                return spark.read.options(**options).format(fmt).load(path_or_table), settings
        except Exception as exc:  # Spark raises AnalysisException and Py4J errors alike
            needed = dict(settings)
            if "COLUMN_ALREADY_EXISTS" in str(exc):
                needed[_CASE_SENSITIVE] = "true"
            if "TIMESTAMP(NANOS" in str(exc):
                needed[_NANOS_AS_LONG] = "true"
            if needed == settings:
                raise _unreadable(path_or_table, fmt, exc) from None
            settings = needed


def _parquet_dtypes(
    spark: SparkSession, df: DataFrame, source: str, options: dict[str, str]
) -> dict[str, pl.DataType]:
    """The dtypes Polars reads the columns of the Parquet files behind `df` as, from each file's
    footer (read through Spark's own file systems): the zone of a timestamp, a duration, an
    unsigned integer, a column of nulls, which Spark's types do not say. Files whose columns or
    types differ are refused, as `scan_parquet` refuses them.
    Empty where the driver has no JVM (Spark Connect) or a footer is not one Polars reads."""
    jvm = getattr(spark, "_jvm", None)
    jsc = getattr(spark, "_jsc", None)
    files = sorted(df.inputFiles())  # the order Polars reads a folder in: its "first file"
    if jvm is None or jsc is None or not files:
        return {}
    conf = jvm.org.apache.hadoop.conf.Configuration(jsc.hadoopConfiguration())
    for key, value in options.items():
        conf.set(key, value)
    try:
        if len(files) == 1:
            schemas = [_footer_schema(jvm, conf, files[0])]
        else:
            with ThreadPoolExecutor(max_workers=_FOOTER_READERS) as pool:
                schemas = list(pool.map(lambda f: _footer_schema(jvm, conf, f), files))
    except Exception:  # an unreadable footer: Spark's types are all there is
        return {}
    first = schemas[0]
    dtypes = dict(first.items())
    for path, schema in zip(files[1:], schemas[1:], strict=True):
        if set(schema) != set(first):  # Spark fills a column a file lacks; Polars refuses the read
            differ = sorted(set(schema) ^ set(first))
            raise DataReadError(
                f"cannot read {source} as parquet: {unquote(path)} and the first file do not have the "
                f"same columns ({', '.join(repr(n) for n in differ)} in one only); a multi-file read "
                "needs one schema"
            )
        for name, dtype in schema.items():
            if name not in dtypes or dtypes[name] == dtype or isinstance(dtype, pl.Null):
                continue  # a column of nulls fits the first file's type, as Polars reads it
            # Polars refuses a column whose type differs between files; Spark reads some such
            # files alike and fails on others mid-job (an int32 file beside an int64 one).
            raise DataReadError(
                f"cannot read {source} as parquet: {unquote(path)} has column '{name}' as {dtype} where the "
                f"first file has {first[name]}; a multi-file read needs one schema"
            )
    return dtypes


def _footer_schema(jvm: Any, conf: Any, file: str) -> dict[str, pl.DataType]:
    """The schema Polars reads a Parquet file as, from its footer alone (the file's metadata at
    its end: `PAR1`, the footer, its length, `PAR1`)."""
    path = jvm.org.apache.hadoop.fs.Path(jvm.java.net.URI(file))
    fs = path.getFileSystem(conf)
    size = fs.getFileStatus(path).getLen()
    read = jvm.org.apache.commons.io.IOUtils.toByteArray  # Spark's own dependency; any Java version
    stream = fs.open(path)
    try:
        stream.seek(size - 8)
        tail = bytes(read(stream, 8))
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] != b"PAR1" or length > size - 12:  # the magic words twice and the length
            raise ValueError(f"{file}: not a Parquet file Polars reads")
        stream.seek(size - 8 - length)
        footer = bytes(read(stream, length))
    finally:
        stream.close()
    return pl.read_parquet_schema(io.BytesIO(b"PAR1" + footer + tail))


def _spark_reads(dtype: pl.DataType) -> str | None:
    """The Spark type (as its simple string) of a Parquet column Polars reads as `dtype`, as
    `read_spark` hands it to `validate_spark` (see `_as_polars_reads`); None for a type Spark has
    no holding for."""
    if isinstance(dtype, pl.Duration | pl.Datetime) and dtype.time_unit == "ns":
        # Nanoseconds as longs (timestamps read with spark.sql.legacy.parquet.nanosAsLong): no
        # contract column can hold them on Spark, so they are only ever reported or kept.
        return T.LongType().simpleString()
    if isinstance(dtype, pl.List | pl.Array):
        inner = _spark_reads(instance(dtype.inner))
        return None if inner is None else f"array<{inner}>"
    if isinstance(dtype, pl.Struct):
        fields = [(f.name, _spark_reads(instance(f.dtype))) for f in dtype.fields]
        if any(inner is None for _, inner in fields):
            return None
        return "struct<" + ",".join(f"{name}:{inner}" for name, inner in fields) + ">"
    try:
        return spark_type(dtype).simpleString()  # a duration as an interval, a null as void
    except SparkTypeError:
        return None


def _as_polars_reads(df: DataFrame, dtypes: dict[str, pl.DataType]) -> DataFrame:
    """`df` with the values Spark reads as plain longs or integers that Polars reads as durations
    (in microseconds or milliseconds: now Spark intervals) or as nulls (now null), at any depth."""
    changed: dict[str, SparkColumn] = {}
    for field in df.schema.fields:
        dtype = dtypes.get(field.name)
        value = None if dtype is None else _as_polars_reads_it(_col(field.name), dtype, field.dataType)
        if value is not None:
            changed[field.name] = value
    return df.withColumns(changed) if changed else df


def _as_polars_reads_it(value: SparkColumn, dtype: pl.DataType, spark: T.DataType) -> SparkColumn | None:  # noqa: PLR0911 -- one return per kind of type
    """`value`, which Spark read as `spark`, converted where Polars reads it as another kind of
    value (a duration, a null); None where it is left as it is."""
    if isinstance(dtype, pl.Null):
        return None if isinstance(spark, T.NullType) else F.lit(None)
    if isinstance(dtype, pl.Duration) and dtype.time_unit != "ns" and isinstance(spark, T.LongType):
        unit = dt.timedelta(milliseconds=1) if dtype.time_unit == "ms" else dt.timedelta(microseconds=1)
        # Null where a count of milliseconds is too long for Spark's microseconds.
        return F.try_multiply(F.lit(unit), value)
    if isinstance(dtype, pl.List | pl.Array) and isinstance(spark, T.ArrayType):
        inner, element = instance(dtype.inner), spark.elementType
        changed = False

        def item(x: SparkColumn) -> SparkColumn:
            nonlocal changed  # PySpark calls this once, building the lambda: it says what changes
            out = _as_polars_reads_it(x, inner, element)
            changed = out is not None
            return x if out is None else out

        each = F.transform(value, item)
        return each if changed else None
    if isinstance(dtype, pl.Struct) and isinstance(spark, T.StructType):
        if [f.name for f in dtype.fields] != spark.names:
            return None
        parts = [
            _as_polars_reads_it(value.getField(f.name), instance(f.dtype), s.dataType)
            for f, s in zip(dtype.fields, spark.fields, strict=True)
        ]
        if all(p is None for p in parts):
            return None
        members = [
            (value.getField(f.name) if p is None else p).alias(f.name)
            for f, p in zip(dtype.fields, parts, strict=True)
        ]
        return F.when(value.isNotNull(), F.struct(*members))
    return None
