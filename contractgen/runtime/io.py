"""Readers: files in, checked frames out."""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
from pathlib import Path
from typing import IO, TypeAlias, TypeVar

import polars as pl
from pydantic import BaseModel

from contractgen.runtime.check import instance, validate
from contractgen.runtime.errors import MAX_SAMPLES, Violation
from contractgen.runtime.spec import Table, Unexpected, unexpected_policy

Source: TypeAlias = str | Path | IO[bytes] | bytes
M = TypeVar("M", bound=BaseModel)
_ROW = "__contractgen_row__"


class DataReadError(OSError):
    """A data file could not be read at all (missing, unreadable, corrupt, not that format)."""


def _name(source: Source) -> str:
    if isinstance(source, (str, Path)):
        return os.fspath(source)
    return getattr(source, "name", None) or f"<{type(source).__name__}>"


def _unreadable(source: Source, what: str, exc: Exception) -> DataReadError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DataReadError(f"cannot read {_name(source)} as {what}: {detail}")


def read_parquet(  # noqa: PLR0913 -- the reader options every generated reader passes on
    source: Source,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> pl.DataFrame:
    """Read a Parquet file and check it; only the columns that will be returned are read.

    Freshness rules are checked against the present with `freshness=True`, or against `now`;
    row counts with `whole_table=True` (the file is the whole table, not a part of it)."""
    unexpected = unexpected_policy(unexpected)
    try:
        actual = pl.read_parquet_schema(source)
        if not isinstance(source, (str, Path, bytes)):
            source.seek(0)
        wanted = [n for n in actual if n in table.schema or unexpected != "drop" or _is_old_name(n, table)]
        frame = pl.read_parquet(source, columns=wanted)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise DataReadError(f"cannot read {_name(source)}: no such file") from None
        raise _unreadable(source, "Parquet", exc) from None
    return validate(
        frame,
        table,
        unexpected=unexpected,
        source=_name(source),
        freshness=freshness,
        now=now,
        whole_table=whole_table,
    )


def scan_parquet(  # noqa: PLR0913 -- the reader options every generated reader passes on
    source: Source,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    trust_statistics: bool = False,
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> pl.LazyFrame:
    """Check a Parquet file with the streaming engine (bounded memory) and return it lazily.

    By default every check reads the values: the row-group statistics in a file's footer are
    written by whoever wrote the file, and nothing proves they agree with the data. With
    `trust_statistics=True` the statistics settle the checks they can (nulls in required columns,
    bounds): a row group whose min, max and null count rule out a violation is not decoded for
    that check, which makes clean files much cheaper to check but lets a file with wrong
    statistics pass those checks. Trust them only for files from a writer you trust.
    """
    unexpected = unexpected_policy(unexpected)
    try:
        frame = pl.scan_parquet(source, use_statistics=trust_statistics)
        frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _unreadable(source, "Parquet", exc) from None
    return validate(
        frame,
        table,
        unexpected=unexpected,
        source=_name(source),
        statistics=trust_statistics,
        freshness=freshness,
        now=now,
        whole_table=whole_table,
    )


def _is_old_name(name: str, table: Table) -> bool:
    return any(name in c.renamed_from for c in table.columns)


def _csv_dtype(dtype: pl.DataType, layout: str | None) -> pl.DataType | None:
    """The dtype the CSV parser can produce directly, or None to read text and convert after.

    An enum is parsed straight into its categories: a value outside them fails the read, which
    then falls back to text, where the check finds exactly which rows."""
    if dtype.is_integer() or dtype.is_float() or isinstance(dtype, (pl.Boolean, pl.Enum)):
        return dtype
    if isinstance(dtype, (pl.Date, pl.Datetime, pl.Time)) and layout is None:
        return dtype
    return None


def _parse(name: str, dtype: pl.DataType, layout: str | None) -> pl.Expr | None:  # noqa: PLR0911 -- one return per kind of type
    """An expression turning CSV text into `dtype`; null where the text does not parse."""
    text = pl.col(name)
    if dtype.is_integer() or dtype.is_float():
        return text.str.strip_chars().cast(dtype, strict=False)
    if isinstance(dtype, pl.Boolean):
        lowered = text.str.strip_chars().str.to_lowercase()
        return lowered.replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
    if isinstance(dtype, pl.Date):
        return text.str.to_date(format=layout, strict=False)
    if isinstance(dtype, pl.Datetime):
        return text.str.to_datetime(
            format=layout, time_unit=dtype.time_unit, time_zone=dtype.time_zone, strict=False
        )
    if isinstance(dtype, pl.Time):
        return text.str.to_time(format=layout, strict=False)
    if isinstance(dtype, pl.Decimal):
        scale = dtype.scale
        digits = (
            rf"^\s*[-+]?(?:\d+(?:\.\d{{0,{scale}}})?|\.\d{{1,{scale}}})\s*$" if scale else r"^\s*[-+]?\d+\s*$"
        )
        exact = text.str.contains(digits)
        return pl.when(exact).then(text.str.strip_chars().cast(dtype, strict=False)).otherwise(None)
    return None


def read_csv(  # noqa: PLR0913 -- the reader options every generated reader passes on
    source: Source,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    separator: str = ",",
    encoding: str = "utf8",
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> pl.DataFrame:
    """Read a CSV file with the contract's types and check it.

    Text that does not parse as the column's type is reported with its rows, never nulled.
    """
    unexpected = unexpected_policy(unexpected)
    if not isinstance(source, (str, Path, bytes)):
        source = source.read()

    def read(**more: object) -> pl.DataFrame:
        return pl.read_csv(source, separator=separator, encoding=encoding, infer_schema=False, **more)  # type: ignore[arg-type]

    try:
        header = read(n_rows=0).columns
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise DataReadError(f"cannot read {_name(source)}: no such file") from None
        raise _unreadable(source, "CSV", exc) from None
    direct: dict[str, pl.DataType] = {}
    convert: dict[str, pl.Expr] = {}
    violations: list[Violation] = []
    for name in header:
        if name not in table.schema:
            continue
        dtype, layout = table.schema[name], table.column(name).layout
        csv_dtype = _csv_dtype(dtype, layout)
        if csv_dtype is not None:
            direct[name] = csv_dtype
        elif (parse := _parse(name, dtype, layout)) is not None:
            convert[name] = parse
        elif not isinstance(dtype, (pl.String, pl.Enum)):
            violations.append(Violation("dtype", name, f"column '{name}' is {dtype}, which CSV cannot hold"))
    try:
        try:
            frame = read(schema_overrides=direct)
        except pl.exceptions.ComputeError:
            # Something did not parse. Read text and find exactly which rows, instead of guessing.
            frame = read()
            convert.update(
                {name: p for name in direct if (p := _parse(name, direct[name], None)) is not None}
            )
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise _unreadable(source, "CSV", exc) from None
    violations += _duplicate_headers(header)
    if convert:
        violations += _parse_failures(frame, convert, table.schema)
        frame = frame.with_columns(**convert)
    return validate(
        frame,
        table,
        unexpected=unexpected,
        source=_name(source),
        extra=violations,
        freshness=freshness,
        now=now,
        whole_table=whole_table,
    )


def _duplicate_headers(header: list[str]) -> list[Violation]:
    """Polars renames a repeated header to NAME_duplicated_N; say what the file really has."""
    out = []
    for name in header:
        match = re.match(r"^(.*)_duplicated_\d+$", name)
        if match and match.group(1) in header:
            message = f"column '{match.group(1)}' appears more than once in the header (read as '{name}')"
            out.append(Violation("unexpected_column", name, message))
    return out


def _parse_failures(frame: pl.DataFrame, convert: dict[str, pl.Expr], schema: pl.Schema) -> list[Violation]:
    failed = {name: pl.col(name).is_not_null() & expr.is_null() for name, expr in convert.items()}
    counts = frame.select(**{name: bad.sum() for name, bad in failed.items()}).row(0, named=True)
    violations = []
    for name, count in counts.items():
        if not count:
            continue
        rows = frame.with_row_index(_ROW).filter(failed[name]).select(_ROW, name).head(MAX_SAMPLES)
        message = f"'{name}': {count:,} row{'s' * (count != 1)} not readable as {schema[name]}"
        violations.append(Violation("dtype", name, message, count, tuple(rows.iter_rows())))
    return violations


def to_models(frame: pl.DataFrame, table: Table, model: type[M]) -> list[M]:
    """Rows as model instances, after the frame itself passed the contract.

    The frame check already proved every row valid (and tests prove the frame check and the
    model agree row by row), so flat rows are not validated a second time: instances are built
    directly, as `model_construct` would, without its per-row overhead. Models with nested
    models go through `model_validate`, which builds the nested instances.

    A model holds Python datetimes and timedeltas, which stop at microseconds. A nanosecond
    column whose values all fall on whole microseconds converts exactly; one with a value that
    does not is refused with a ValueError rather than truncated (two distinct values could
    become equal rows). Read such data with `frame.to_dicts()`, or make the column `us`.
    """
    checked = validate(frame, table, unexpected="drop")
    _refuse_lost_nanoseconds(checked, table)
    fields = model.model_fields
    if any(_holds_model(info.annotation) for info in fields.values()):
        return [model.model_validate(row) for row in checked.iter_rows(named=True)]
    by_column = {info.alias or name: name for name, info in fields.items()}
    names = [by_column[column] for column in checked.columns]
    fields_set = frozenset(names)
    new = model.__new__
    setattr_ = object.__setattr__
    out = []
    columns = [series.to_list() for series in checked.iter_columns()]  # column-wise: far cheaper
    collecting = gc.isenabled()
    gc.disable()  # millions of new, acyclic objects: the cycle collector would only rescan them
    try:
        for values in zip(*columns, strict=True):
            instance = new(model)
            setattr_(instance, "__dict__", dict(zip(names, values, strict=True)))
            setattr_(instance, "__pydantic_fields_set__", set(fields_set))
            setattr_(instance, "__pydantic_extra__", None)
            setattr_(instance, "__pydantic_private__", None)
            out.append(instance)
    finally:
        if collecting:
            gc.enable()
    return out


def _refuse_lost_nanoseconds(frame: pl.DataFrame, table: Table) -> None:
    """A ValueError when a value of a nanosecond column would lose digits in a model."""
    for name, dtype in table.schema.items():
        if _has_nanoseconds(dtype) and not isinstance(dtype, (pl.Datetime, pl.Duration)):
            raise ValueError(
                f"{table.label}: column '{name}' holds nanosecond times inside {dtype}, which a model "
                "cannot hold (Python stops at microseconds); use frame.to_dicts() or a 'us' time unit"
            )
        if not _has_nanoseconds(dtype):
            continue
        column = pl.col(name)
        ns = column.dt.nanosecond() if isinstance(dtype, pl.Datetime) else column.dt.total_nanoseconds()
        lost = frame.select((ns % 1000 != 0).sum()).item()
        if lost:
            raise ValueError(
                f"{table.label}: column '{name}' has {lost:,} value{'s' * (lost != 1)} with nanoseconds, "
                "which a model cannot hold (Python datetimes stop at microseconds) and would truncate; "
                "use frame.to_dicts() to keep them, or make the column's time unit 'us'"
            )


def _has_nanoseconds(dtype: pl.DataType) -> bool:
    if isinstance(dtype, (pl.Datetime, pl.Duration)):
        return dtype.time_unit == "ns"
    if isinstance(dtype, pl.List):
        return _has_nanoseconds(instance(dtype.inner))
    if isinstance(dtype, pl.Struct):
        return any(_has_nanoseconds(instance(f.dtype)) for f in dtype.fields)
    return False


def _holds_model(annotation: object) -> bool:
    """Whether an annotation has a Pydantic model anywhere inside (list[Item], Item | None, ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in getattr(annotation, "__args__", ()))
