"""Checking a frame against a table: schema first (from metadata), then all values in one pass."""

from __future__ import annotations

import datetime as dt
import difflib
import warnings
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import polars as pl
from polars.datatypes import DataTypeClass

from contractgen.formats import PATTERNS as FORMAT_PATTERNS
from contractgen.runtime.errors import (
    MAX_SAMPLES,
    ContractViolationError,
    Violation,
    ViolationKind,
    column_says,
    rows_text,
    shown,
)
from contractgen.runtime.privacy import redact_violations
from contractgen.runtime.quality import checks as rule_checks
from contractgen.runtime.quality import clock
from contractgen.runtime.spec import Column, Table, Unexpected, today, unexpected_policy

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)
_ROW = "__contractgen_row__"
_RAW = "__contractgen_raw__"  # the original of a column whose dtype the projection changed
_SEED = 0x5EED
# How alike a missing and an unexpected name must be to be called a probable rename.
_RENAME_SIMILARITY = 0.3
# How many full name comparisons one read may spend guessing renames.
_RENAME_COMPARISONS = 20_000


class RenamedColumnWarning(UserWarning):
    """Data still uses a column's old name (`renamed_from`); it was read under the new one."""


class RemovedColumnWarning(UserWarning):
    """Data still carries columns the contract removed; they were dropped.

    `columns` names them. Removing a field keeps old data valid: files written before the
    removal keep loading, and say so here.
    """

    def __init__(self, message: str, columns: tuple[str, ...]) -> None:
        super().__init__(message)
        self.columns = columns


class FilledColumnWarning(UserWarning):
    """Data lacks columns the contract lets be absent; they were filled with nulls or defaults.

    `columns` names them in contract order. A field added as optional, or as required with a
    default, is a compatible change: files written before it keep loading, and say so here.
    """

    def __init__(self, message: str, columns: tuple[str, ...]) -> None:
        super().__init__(message)
        self.columns = columns


@dataclass(frozen=True, slots=True)
class _ValueCheck:
    """One value-level expectation: `bad` is true on each offending row.

    `suspect` is a cheap aggregate that is true whenever any row might be bad (a minimum below
    the bound, a null count above zero, fewer distinct hashes than rows); the exact, row-level
    count runs only for the checks that are suspect, so a clean frame costs one light pass.

    `proven`, when set, selects exactly the rows of `bad` on the frame as it came in (before any
    cast), in a form Parquet row-group statistics can decide: a null test, or a bound on a column
    the projection leaves alone. Counting it on a Parquet scan skips every row group whose
    statistics rule it out, so a clean file costs no decoding for that check.
    """

    kind: ViolationKind
    column: str | None
    bad: pl.Expr
    sample: pl.Expr
    message: Callable[[int], str]
    suspect: pl.Expr | None = None  # None: bad.any()
    proven: pl.Expr | None = None
    # Quality rules (runtime/quality.py): the aggregate that counts the violation when summing
    # `bad` cannot (rows missing below a row count); whether the check needs every row at once;
    # whether its rows are worth sampling.
    count: pl.Expr | None = None
    whole: bool = False
    sampled: bool = True


def coercion(actual: pl.DataType, expected: pl.DataType) -> str | None:  # noqa: PLR0911, PLR0912 -- the coercion table, one return per row
    """How data of dtype `actual` becomes `expected`: "same", "cast", "enum", or None (refused).

    Only lossless casts are allowed: narrower integers, float32, coarser time units and smaller
    decimals (no more digits before or after the point) widen; an integer becomes a float whose
    mantissa holds every value of its width, or a decimal with as many integer digits; a date
    becomes a naive timestamp at midnight; an enum or categorical becomes text; text becomes an
    enum after its values are checked. Nothing truncates. These are the changes the evolution
    engine calls backward compatible, so a new reader accepts the old files.
    """
    if actual == expected:
        return "same"
    if isinstance(actual, pl.Null):
        return "cast"
    if isinstance(expected, pl.Enum):
        return "enum" if isinstance(actual, (pl.String, pl.Categorical, pl.Enum)) else None
    if expected.is_integer() and actual.is_integer():
        a_bits, e_bits = _bits(actual), _bits(expected)
        if expected.is_signed_integer():
            fits = a_bits < e_bits or (actual.is_signed_integer() and a_bits <= e_bits)
        else:
            fits = actual.is_unsigned_integer() and a_bits <= e_bits
        return "cast" if fits else None
    if isinstance(expected, pl.Float64) and isinstance(actual, pl.Float32):
        return "cast"
    if expected.is_float() and actual.is_integer():
        mantissa = 24 if isinstance(expected, pl.Float32) else 53  # IEEE 754 single and double mantissas
        return "cast" if _bits(actual) - int(actual.is_signed_integer()) <= mantissa else None
    if isinstance(expected, pl.Decimal) and actual.is_integer():
        digits = len(str(2 ** (_bits(actual) - int(actual.is_signed_integer())) - 1))
        return "cast" if (expected.precision or 38) - expected.scale >= digits else None
    if isinstance(expected, pl.String) and isinstance(actual, (pl.Enum, pl.Categorical)):
        return "cast"
    if isinstance(expected, pl.Datetime) and isinstance(actual, pl.Date):
        # Midnight of each day; ns timestamps end in 2262, so only us and ms hold every date.
        return "cast" if expected.time_zone is None and expected.time_unit in ("us", "ms") else None
    if isinstance(expected, pl.Datetime) and isinstance(actual, pl.Datetime):
        same_zone = expected.time_zone == actual.time_zone
        return "cast" if same_zone and _finer_or_equal(expected.time_unit, actual.time_unit) else None
    if isinstance(expected, pl.Duration) and isinstance(actual, pl.Duration):
        return "cast" if _finer_or_equal(expected.time_unit, actual.time_unit) else None
    if isinstance(expected, pl.List) and isinstance(actual, pl.List):
        inner = coercion(instance(actual.inner), instance(expected.inner))
        return None if inner is None else "same" if inner == "same" else "nested"
    if isinstance(expected, pl.Struct) and isinstance(actual, pl.Struct):
        names = [f.name for f in expected.fields]
        if [f.name for f in actual.fields] != names:
            return None
        parts = [
            coercion(instance(a.dtype), instance(e.dtype))
            for a, e in zip(actual.fields, expected.fields, strict=True)
        ]
        if None in parts:
            return None
        return "same" if all(p == "same" for p in parts) else "nested"
    if isinstance(expected, pl.Decimal) and isinstance(actual, pl.Decimal):
        e_int = (expected.precision or 38) - expected.scale
        a_int = (actual.precision or 38) - actual.scale
        return "cast" if actual.scale <= expected.scale and a_int <= e_int else None
    return None


def instance(dtype: pl.DataType | DataTypeClass) -> pl.DataType:
    """Polars sometimes hands out dtype classes (`pl.Int64`) where instances are meant."""
    return dtype if isinstance(dtype, pl.DataType) else dtype()


def _bits(dtype: pl.DataType) -> int:
    return _BYTES[type(dtype)] * 8


_BYTES: dict[type[pl.DataType], int] = {
    pl.Int8: 1,
    pl.Int16: 2,
    pl.Int32: 4,
    pl.Int64: 8,
    pl.Int128: 16,
    pl.UInt8: 1,
    pl.UInt16: 2,
    pl.UInt32: 4,
    pl.UInt64: 8,
}
_UNITS = {"ns": 0, "us": 1, "ms": 2}


def _finer_or_equal(expected: str | None, actual: str | None) -> bool:
    return _UNITS[expected or "us"] <= _UNITS[actual or "us"]


def validate(  # noqa: PLR0913 -- the reader options every generated reader passes on
    frame: F,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    source: str | None = None,
    extra: list[Violation] | None = None,
    statistics: bool = False,
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> F:
    """Check `frame` against `table`; return it with contract dtypes, in contract order.

    Raises `ContractViolationError` listing every violation. A LazyFrame is checked with the
    streaming engine (bounded memory) and returned lazy, ready to collect. `statistics` says
    that a LazyFrame scans Parquet whose row-group statistics are trusted to settle some checks
    unread (see `scan_parquet`).

    A column the contract lets be absent (optional, or with a default) and the data lacks is
    filled with nulls or its default, with a `FilledColumnWarning`; any other missing column is
    a violation.

    The contract's quality rules run in the same pass. Freshness needs a clock: it is checked
    when `freshness=True` (against the present) or `now=` is given (a replay of old data). Row
    counts need the whole table: they are checked with `whole_table=True`.
    """
    unexpected = unexpected_policy(unexpected)
    violations = list(extra or ())
    actual = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    frame, actual = _apply_renames(frame, actual, table)
    reported = {v.column for v in violations if v.kind == "unexpected_column"}
    columns, schema_violations, kept = _match_columns(actual, table, unexpected, reported)
    violations += schema_violations
    retired = tuple(n for n in actual.names() if n in table.removed and n not in kept)
    if retired:
        names = ", ".join(f"'{n}'" for n in retired)
        message = f"{table.label}: dropped the columns the contract removed: {names}"
        warnings.warn(RemovedColumnWarning(message, retired), stacklevel=3)
    filled = [n for n in table.schema.names() if n not in actual and _fillable(table, n, actual)]
    if filled:
        frame = _fill(frame, table, filled)
        actual = pl.Schema({**actual, **{n: table.schema[n] for n in filled}})
        columns = {n: columns.get(n, "same") for n in table.schema.names() if n in columns or n in filled}
    unparsed = {v.column for v in violations if v.kind == "dtype"}
    checks = [
        check
        for name, how in columns.items()
        if name not in unparsed
        for check in _value_checks(table, name, how, actual[name])
    ]
    checks += _table_checks(table, columns)
    checks += [
        _ValueCheck(
            c.kind, c.column, c.bad, c.sample, c.message, c.suspect, None, c.count, c.whole, c.sampled
        )
        for c in rule_checks(table, columns, clock(freshness, now), whole_table=whole_table)
    ]
    if isinstance(frame, pl.DataFrame):
        work, found = _check_frame(frame, table, columns, checks)
        violations += found
    else:
        work = frame.select(*_projection(table, columns), *kept)
        if checks:
            violations += _check_lazy(frame, work, checks, statistics=statistics)
    if violations:
        # The one way out for violations: sensitive columns' samples become digests here.
        raise ContractViolationError(table.name, table.version, redact_violations(violations, table), source)
    return work.select(*table.schema.names(), *kept)


def _projection(table: Table, columns: dict[str, str]) -> list[pl.Expr]:
    """Every column in its contract dtype (enums included), plus the original of each column whose
    dtype changes, so that checks compare before and after without a second cast."""
    return [
        *(_output(name, table.schema[name], how).alias(name) for name, how in columns.items()),
        *(pl.col(name).alias(_RAW + name) for name, how in columns.items() if how != "same"),
    ]


def live_names(table: Table, present: Iterable[str]) -> dict[str, str]:
    """Each contract column found in `present`, by the name it has there: its own, or an old name
    (renamed_from) that the readers still accept. Live name -> contract name."""
    here = set(present)
    out = {}
    on = today()
    for column in table.columns:
        if column.name in here:
            out[column.name] = column.name
            continue
        if column.renamed_until is not None and on > column.renamed_until:
            continue
        old = next((o for o in column.renamed_from if o in here and o not in table.schema), None)
        if old is not None:
            out[old] = column.name
    return out


def _apply_renames(frame: F, actual: pl.Schema, table: Table) -> tuple[F, pl.Schema]:
    """Read columns that still have an old name (renamed_from) under the new one, while allowed."""
    renames = {}
    on = today()
    for column in table.columns:
        if column.name in actual:
            continue
        for old in column.renamed_from:
            if old not in actual or old in table.schema:
                continue
            if column.renamed_until is not None and on > column.renamed_until:
                continue  # the window is over: reported as a missing column, with the reason
            renames[old] = column.name
            until = (
                f" until {column.renamed_until}" if column.renamed_until else " while the contract lists it"
            )
            warnings.warn(
                f"{table.label}: column '{old}' is the old name of '{column.name}' and was read under "
                f"the new name (accepted{until}). Ask the producer to write '{column.name}'.",
                RenamedColumnWarning,
                stacklevel=4,
            )
            break
    if not renames:
        return frame, actual
    frame = frame.rename(renames)
    return frame, pl.Schema({renames.get(k, k): v for k, v in actual.items()})


def _fillable(table: Table, name: str, actual: pl.Schema) -> bool:
    """Whether a column absent from the data may be filled in: it is optional or has a default,
    and the data does not hold it under an old name whose window has closed."""
    column = table.column(name)
    if any(old in actual for old in column.renamed_from):
        return False
    return not column.required or column.default is not None


def _fill(frame: F, table: Table, names: list[str]) -> F:
    """Add each absent column: its default, else nulls, in the contract's dtype."""
    parts = []
    for name in names:
        default = table.column(name).default
        parts.append(f"'{name}' with {'nulls' if default is None else f'its default {default!r}'}")
    message = f"{table.label}: filled the columns the data lacks, as the contract allows: {', '.join(parts)}"
    warnings.warn(FilledColumnWarning(message, tuple(names)), stacklevel=4)
    return frame.with_columns(pl.lit(table.column(n).default, dtype=table.schema[n]).alias(n) for n in names)


def _match_columns(
    actual: pl.Schema, table: Table, unexpected: Unexpected, reported: set[str | None]
) -> tuple[dict[str, str], list[Violation], list[str]]:
    """Names and dtypes, from the schema alone: no data is read for these."""
    violations: list[Violation] = []
    usable: dict[str, str] = {}
    missing = [name for name in table.schema.names() if name not in actual]
    extra = [name for name in actual.names() if name not in table.schema]
    renamed = _probable_renames(missing, extra, actual, table)
    for name, expected in table.schema.items():
        if name not in actual:
            if _fillable(table, name, actual):
                continue  # filled in by `_fill`
            message = f"missing column '{name}'"
            expired = [o for o in table.column(name).renamed_from if o in actual]
            if expired:
                message += (
                    f"; the data still has its old name '{expired[0]}', accepted only until "
                    f"{table.column(name).renamed_until}. The producer must write '{name}' now"
                )
            elif name in renamed:
                new = renamed[name]
                message += (
                    f"; the data has an unexpected column '{new}' ({actual[new]}) instead: probably "
                    f"'{name}' was renamed to '{new}' upstream. Ask the owner; if it was, the contract "
                    f"needs a new major version with 'renamed_from: {name}' on '{new}'"
                )
            violations.append(Violation("missing_column", name, message))
            continue
        how = coercion(actual[name], expected)
        if how is None:
            violations.append(
                Violation(
                    "dtype",
                    name,
                    f"column '{name}' has dtype {actual[name]}, the contract says {expected}",
                )
            )
            continue
        usable[name] = how
    kept: list[str] = []
    if unexpected == "keep":
        kept = extra
    elif unexpected == "error":
        old_names = {v: k for k, v in renamed.items()}
        for name in (e for e in extra if e not in reported and e not in table.removed):
            message = f"unexpected column '{name}' is not in the contract"
            same = [c for c in table.schema.names() if c.casefold() == name.casefold() and c != name]
            if name in old_names:
                message += f" (probably the renamed '{old_names[name]}')"
            elif same:
                message += f" (it differs only in case from '{same[0]}')"
            message += '; pass unexpected="drop" or "keep" to accept extra columns'
            violations.append(Violation("unexpected_column", name, message))
    return usable, violations, kept


def _probable_renames(
    missing: list[str], extra: list[str], actual: pl.Schema, table: Table
) -> dict[str, str]:
    """Pair each missing column with an unexpected one of a compatible dtype, most similar name first."""
    pairs: dict[str, str] = {}
    free = list(extra)
    budget = _RENAME_COMPARISONS
    for name in missing:
        candidates = [e for e in free if coercion(actual[e], table.schema[name]) is not None]
        if len(candidates) == 1:
            pairs[name] = candidates[0]
            free.remove(candidates[0])
            continue
        if not candidates or budget <= 0:
            continue  # past the budget a wide table gets no guesses: they would cost minutes
        matcher = difflib.SequenceMatcher(None, name, "")
        best, best_ratio = "", -1.0
        for e in candidates:
            matcher.set_seq2(e)
            # The cheap upper bounds skip most pairs; ties go to the greater name, as max() did.
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            budget -= 1
            ratio = matcher.ratio()
            if (ratio, e) > (best_ratio, best):
                best, best_ratio = e, ratio
        if best_ratio >= _RENAME_SIMILARITY:
            pairs[name] = best
            free.remove(best)
    return pairs


def _output(name: str, expected: pl.DataType, how: str) -> pl.Expr:
    col = pl.col(name)
    if how == "same":
        return col
    if how == "enum":
        return col.cast(pl.String).cast(expected, strict=False)
    if how == "nested":
        return col.cast(expected, strict=False)  # checked by _nulls: a failed part shows as a new null
    if isinstance(expected, (pl.Datetime, pl.Duration)):
        return col.cast(expected, strict=False)  # a finer unit may overflow: checked as a new null
    return col.cast(expected)


def _nulls(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Nulls per row at every depth of a nested value."""
    own = expr.is_null().cast(pl.UInt32)
    if isinstance(dtype, pl.Struct):
        parts = [_nulls(expr.struct.field(f.name), instance(f.dtype)) for f in dtype.fields]
        return own + pl.sum_horizontal(parts).fill_null(0)
    if isinstance(dtype, pl.List):
        inner = expr.list.eval(_nulls(pl.element(), instance(dtype.inner))).list.sum()
        return own + inner.fill_null(0)
    return own


def _value_checks(table: Table, name: str, how: str, actual: pl.DataType) -> list[_ValueCheck]:
    """The checks of one column, on the projection: `name` is the cast value, `_RAW + name` the
    original when the cast changed its dtype."""
    column = table.column(name)
    dtype = table.schema[name]
    value = pl.col(name)
    raw = pl.col(_RAW + name) if how != "same" else value
    checks: list[_ValueCheck] = []

    def add(  # noqa: PLR0913, PLR0917 -- a violation's parts, named at every call
        kind: ViolationKind,
        bad: pl.Expr,
        message: Callable[[int], str],
        suspect: pl.Expr | None = None,
        sample: pl.Expr = raw,
        proven: pl.Expr | None = None,
    ) -> None:
        checks.append(_ValueCheck(kind, name, bad, sample, message, suspect, proven))

    if column.required:
        add(
            "null",
            raw.is_null(),
            lambda n: f"'{name}': {rows_text(n)} null in a required column",
            raw.null_count() > 0,
            proven=pl.col(name).is_null(),
        )
    if how == "nested":
        add(
            "dtype",
            _nulls(value, dtype) > _nulls(raw, actual),
            lambda n: f"'{name}': {rows_text(n)} with nested values that do not fit {dtype}",
        )
    if how == "cast" and isinstance(dtype, (pl.Datetime, pl.Duration)):
        add(
            "dtype",
            raw.is_not_null() & value.is_null(),
            lambda n: f"'{name}': {rows_text(n)} outside the range of {dtype}",
            value.null_count() > raw.null_count(),  # the cast turned an overflowing value into a null
        )
    if how == "enum":
        assert isinstance(dtype, pl.Enum)
        allowed = list(dtype.categories)
        add(
            "enum",
            raw.is_not_null() & value.is_null(),
            lambda n: f"'{name}': {rows_text(n)} not among the allowed values {allowed}",
            value.null_count() > raw.null_count(),  # the cast turned an unknown value into a null
        )
    checks += _item_checks(name, column.items, dtype, value, raw)
    checks += _range_checks(column, dtype, value, raw, same=how == "same")
    if isinstance(dtype, (pl.Date, pl.Datetime)):
        # Models hold Python dates; a value Python cannot represent would pass here and fail there.
        add(
            "maximum",
            ~value.dt.year().is_between(1, 9999),
            lambda n: f"'{name}': {rows_text(n)} outside the years 1 to 9999",
            (value.min().dt.year() < dt.MINYEAR) | (value.max().dt.year() > dt.MAXYEAR),
            proven=_outside_years(name, dtype) if how == "same" else None,
        )
    if column.min_length is not None or column.max_length is not None:
        length = _length(value, dtype)
        if length is not None:
            if column.min_length is not None:
                lo = column.min_length
                add(
                    "min_length",
                    length < lo,
                    lambda n: f"'{name}': {rows_text(n)} shorter than {lo}",
                    length.min() < lo,
                )
            if column.max_length is not None:
                hi = column.max_length
                add(
                    "max_length",
                    length > hi,
                    lambda n: f"'{name}': {rows_text(n)} longer than {hi}",
                    length.max() > hi,
                )
    if column.pattern is not None:
        pattern = column.pattern
        add(
            "pattern",
            raw.is_not_null() & ~value.cast(pl.String).str.contains(pattern),
            lambda n: f"'{name}': {rows_text(n)} not matching the pattern {pattern!r}",
        )
    if column.format in FORMAT_PATTERNS:
        shape = column.format
        add(
            "format",
            raw.is_not_null() & ~value.cast(pl.String).str.contains(FORMAT_PATTERNS[shape]),
            lambda n: f"'{name}': {rows_text(n)} not a valid {shape}",
        )
    if column.unique:
        present = raw.drop_nulls()
        add(
            "unique",
            raw.is_not_null() & raw.is_duplicated(),
            lambda n: f"'{name}': {rows_text(n)} share a value with another row (the column must be unique)",
            # Distinct hashes: as many as values means unique; fewer (a repeat, or a collision)
            # sends the column to the exact check.
            present.hash(_SEED).n_unique() < present.len(),
        )
    return checks


def _item_checks(
    name: str, items: Column | None, dtype: pl.DataType, value: pl.Expr, raw: pl.Expr
) -> list[_ValueCheck]:
    """The checks on each item of a list column: a row is bad when any of its items is."""
    if items is None or not isinstance(dtype, pl.List):
        return []
    inner = instance(dtype.inner)
    item = pl.element()
    found: list[tuple[ViolationKind, pl.Expr, pl.Expr, str]] = []  # kind, item test, list, what
    if items.required:
        # On the list as it came in: an item the cast could not convert is a dtype violation.
        found.append(("null", item.is_null(), raw, "with a null item"))
    number = ~item.is_nan() if inner.is_float() else pl.lit(True)
    if (items.minimum is not None or items.maximum is not None) and inner.is_float():
        found.append(("nan", item.is_nan(), value, "with a NaN item, which no range admits"))
    if items.minimum is not None:
        lo, word = _in_zone(items.minimum, inner), "at or below" if items.exclusive_minimum else "below"
        below = (item <= lo) if items.exclusive_minimum else (item < lo)
        found.append(
            ("minimum", below & number, value, f"with an item {word} the minimum {shown(items.minimum)}")
        )
    if items.maximum is not None:
        hi, word = _in_zone(items.maximum, inner), "at or above" if items.exclusive_maximum else "above"
        above = (item >= hi) if items.exclusive_maximum else (item > hi)
        found.append(
            ("maximum", above & number, value, f"with an item {word} the maximum {shown(items.maximum)}")
        )
    length = _length(item, inner)
    if length is not None and items.min_length is not None:
        found.append(
            ("min_length", length < items.min_length, value, f"with an item shorter than {items.min_length}")
        )
    if length is not None and items.max_length is not None:
        found.append(
            ("max_length", length > items.max_length, value, f"with an item longer than {items.max_length}")
        )
    if items.pattern is not None:
        matches = item.cast(pl.String).str.contains(items.pattern)
        found.append(("pattern", ~matches, value, f"with an item not matching the pattern {items.pattern!r}"))
    if items.format in FORMAT_PATTERNS:
        shape = items.format
        valid = item.cast(pl.String).str.contains(FORMAT_PATTERNS[shape])
        found.append(("format", ~valid, value, f"with an item that is not a valid {shape}"))
    return [
        _ValueCheck(
            kind,
            name,
            lists.list.eval(test.fill_null(False)).list.any().fill_null(False),
            raw,
            column_says(name, what),
        )
        for kind, test, lists, what in found
    ]


def _outside_years(name: str, dtype: pl.Date | pl.Datetime) -> pl.Expr | None:
    """Values before the year 1 or after 9999 (in the column's time zone), as bounds statistics
    can decide. None for nanoseconds, whose range (1677 to 2262) cannot reach either."""
    first, last = dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)
    if isinstance(dtype, pl.Date):
        return (pl.col(name) < first.date()) | (pl.col(name) > last.date())
    if dtype.time_unit == "ns":
        return None
    low, high = (pl.lit(t, pl.Datetime(dtype.time_unit)) for t in (first, last))
    if dtype.time_zone is not None:
        low, high = (t.dt.replace_time_zone(dtype.time_zone) for t in (low, high))
    return (pl.col(name) < low) | (pl.col(name) > high)


def _range_checks(
    column: Column, dtype: pl.DataType, value: pl.Expr, raw: pl.Expr, *, same: bool
) -> list[_ValueCheck]:
    name = column.name
    checks = []
    bounded = column.minimum is not None or column.maximum is not None
    number = ~value.is_nan() if dtype.is_float() else pl.lit(True)
    if bounded and dtype.is_float():
        checks.append(
            _ValueCheck(
                "nan",
                name,
                value.is_nan(),
                raw,
                lambda n: f"'{name}': {rows_text(n)} NaN, which no range admits",
                value.is_nan().any(),
            )
        )
    if column.minimum is not None:
        lo = _in_zone(column.minimum, dtype)
        below = (value <= lo) if column.exclusive_minimum else (value < lo)
        word = "at or below" if column.exclusive_minimum else "below"
        low = (value.min() <= lo) if column.exclusive_minimum else (value.min() < lo)
        bad = below & number
        message = column_says(name, f"{word} the minimum {shown(column.minimum)}")
        checks.append(_ValueCheck("minimum", name, bad, raw, message, low, bad if same else None))
    if column.maximum is not None:
        hi = _in_zone(column.maximum, dtype)
        above = (value >= hi) if column.exclusive_maximum else (value > hi)
        word = "at or above" if column.exclusive_maximum else "above"
        high = (value.max() >= hi) if column.exclusive_maximum else (value.max() > hi)
        bad = above & number
        message = column_says(name, f"{word} the maximum {shown(column.maximum)}")
        checks.append(_ValueCheck("maximum", name, bad, raw, message, high, bad if same else None))
    return checks


def _in_zone(bound: object, dtype: pl.DataType) -> pl.Expr:
    """A zoned bound in the column's own zone, as a literal: Polars compares zoned datetimes of
    one zone only."""
    if isinstance(dtype, pl.Datetime) and dtype.time_zone and isinstance(bound, dt.datetime) and bound.tzinfo:
        return pl.lit(bound.astimezone(zoneinfo.ZoneInfo(dtype.time_zone)))
    return pl.lit(bound)


def _length(value: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
    if isinstance(dtype, pl.String):
        return value.str.len_chars()
    if isinstance(dtype, pl.Binary):
        return value.bin.size()
    if isinstance(dtype, pl.List):
        return value.list.len()
    return None


def _table_checks(table: Table, usable: dict[str, str]) -> list[_ValueCheck]:
    key = table.primary_key
    if len(key) < 2 or not all(k in usable for k in key):  # noqa: PLR2004 -- a composite key has two columns or more
        # A single-column key is checked as unique + required on its column.
        return []
    row = pl.struct(*key)
    return [
        _ValueCheck(
            "primary_key",
            None,
            row.is_duplicated(),
            row,
            lambda n: f"primary key ({', '.join(key)}): {rows_text(n)} share a key with another row",
            row.hash(_SEED).n_unique() < pl.len(),
        )
    ]


def _count(check: _ValueCheck) -> pl.Expr:
    return check.count if check.count is not None else check.bad.fill_null(False).sum()


def _suspect(check: _ValueCheck) -> pl.Expr:
    return check.suspect if check.suspect is not None else check.bad.fill_null(False).any()


_SPLIT_ROWS = 1_000_000
Combine = Callable[[list[pl.DataFrame]], list[bool]]


def _check_frame(
    frame: pl.DataFrame, table: Table, columns: dict[str, str], checks: list[_ValueCheck]
) -> tuple[pl.DataFrame, list[Violation]]:
    """Check an in-memory frame; return it with the contract's dtypes beside the originals.

    The costly work runs at once, on every core: the casts (enum lookups) and the aggregates of
    the checks that read only columns the casts leave alone (a key's pattern and uniqueness).
    The checks of cast columns follow on the cast result, where they are mostly free (an enum
    check compares null counts, which Polars keeps beside the data).
    """
    changed = {name: how for name, how in columns.items() if how != "same"}
    key_same = all(columns.get(k) == "same" for k in table.primary_key)
    on_input = [
        i
        for i, c in enumerate(checks)
        if (columns[c.column] == "same" if c.column is not None else key_same and c.kind == "primary_key")
    ]
    queries, combine = _suspect_queries(frame, [checks[i] for i in on_input])
    if changed:
        casts = frame.lazy().select(
            *(_output(name, table.schema[name], how).alias(name) for name, how in changed.items())
        )
        *results, cast = pl.collect_all([*queries, casts], engine="in-memory")
        work = frame.with_columns(
            *cast.get_columns(), *(frame.get_column(name).alias(_RAW + name) for name in changed)
        )
    else:
        results = pl.collect_all(queries, engine="in-memory") if queries else []
        work = frame
    suspects = [False] * len(checks)
    for i, value in zip(on_input, combine(results), strict=True):
        suspects[i] = value
    rest = sorted(set(range(len(checks))) - set(on_input))
    if rest:
        queries, combine = _suspect_queries(work, [checks[i] for i in rest])
        for i, value in zip(rest, combine(pl.collect_all(queries, engine="in-memory")), strict=True):
            suspects[i] = value
    return work, _run_checks(work, checks, [None if s else 0 for s in suspects])


def _suspect_queries(frame: pl.DataFrame, checks: list[_ValueCheck]) -> tuple[list[pl.LazyFrame], Combine]:
    """The cheap pass over an in-memory frame as queries to run side by side, and how to read them.

    Polars runs the expressions of one query side by side, but each on one thread; a regex over
    millions of keys would leave the other cores idle. So large frames are cut into one slice per
    thread, each slice checked as its own query. Row-local checks combine across slices with
    `or`; uniqueness needs every row together and runs whole.
    """
    if not checks:
        return [], lambda results: []
    lazy = frame.lazy()
    parts = pl.thread_pool_size()
    if frame.height < _SPLIT_ROWS or parts < 2:  # noqa: PLR2004 -- nothing to split across fewer than two parts
        query = lazy.select(*(_suspect(c).alias(str(i)) for i, c in enumerate(checks)))
        return [query], lambda results: [bool(v) for v in results[0].row(0)]
    whole = [i for i, c in enumerate(checks) if c.kind in ("unique", "primary_key") or c.whole]
    local = [i for i in range(len(checks)) if i not in whole]
    step = -(-frame.height // parts)
    queries = [
        lazy.slice(k * step, step).select(*(_suspect(checks[i]).alias(str(i)) for i in local))
        for k in range(parts if local else 0)
    ]
    if whole:
        queries.append(lazy.select(*(_suspect(checks[i]).alias(str(i)) for i in whole)))

    def combine(results: list[pl.DataFrame]) -> list[bool]:
        answer = [False] * len(checks)
        for result in results[: len(results) - bool(whole)]:
            for i, value in zip(local, result.row(0), strict=True):
                answer[i] = answer[i] or bool(value)
        if whole:
            for i, value in zip(whole, results[-1].row(0), strict=True):
                answer[i] = bool(value)
        return answer

    return queries, combine


def _check_lazy(
    source: pl.LazyFrame, work: pl.LazyFrame, checks: list[_ValueCheck], *, statistics: bool
) -> list[Violation]:
    """Stream the checks in bounded memory, all queries at once.

    On a Parquet scan, each check that statistics can decide is its own filtered count on the
    scan: Polars skips the row groups whose statistics rule the rows out (on clean data, all of
    them) and the count it returns is exact. The rest share one pass of aggregates.
    """
    proven = {i: c.proven for i, c in enumerate(checks) if statistics and c.proven is not None}
    counted = list(proven)
    rest = [i for i in range(len(checks)) if i not in proven]
    queries = [source.filter(predicate).select(pl.len()) for predicate in proven.values()]
    if rest:
        queries.append(work.select(*(_suspect(checks[i]).alias(str(i)) for i in rest)))
    results = pl.collect_all(queries, engine="streaming")
    counts: list[int | None] = [None] * len(checks)
    for i, result in zip(counted, results[: len(counted)], strict=True):
        counts[i] = int(result.item())
    if rest:
        for i, value in zip(rest, results[-1].row(0), strict=True):
            counts[i] = None if value else 0
    return _run_checks(work, checks, counts)


def _run_checks(
    frame: pl.DataFrame | pl.LazyFrame, checks: list[_ValueCheck], counts: list[int | None]
) -> list[Violation]:
    """Given what is known of each check's count (None: it might have failed), count exactly the
    checks that might have failed, then sample the rows of those that did."""

    def collect(query: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
        return query.collect(engine="streaming") if isinstance(query, pl.LazyFrame) else query

    unknown = [i for i, n in enumerate(counts) if n is None]
    if unknown:
        exact = collect(frame.select(*(_count(checks[i]).alias(str(i)) for i in unknown)))
        for i, n in zip(unknown, exact.row(0), strict=True):
            counts[i] = int(n)
    failed = [(check, n) for check, n in zip(checks, counts, strict=True) if n]
    if not failed:
        return []
    indexed = frame.with_row_index(_ROW)
    violations = []
    for check, n in failed:
        if not check.sampled:
            violations.append(Violation(check.kind, check.column, check.message(n), n))
            continue
        found = (
            indexed.filter(check.bad.fill_null(False))
            .select(_ROW, check.sample.alias("value"))
            .head(MAX_SAMPLES)
        )
        sample_frame = found.collect() if isinstance(found, pl.LazyFrame) else found
        try:
            samples = tuple((int(r), v) for r, v in sample_frame.iter_rows())
        except (ValueError, OverflowError):  # values Python cannot hold, such as the year 82269
            text = sample_frame.with_columns(pl.col("value").cast(pl.String))
            samples = tuple((int(r), v) for r, v in text.iter_rows())
        violations.append(Violation(check.kind, check.column, check.message(n), n, samples))
    return violations
