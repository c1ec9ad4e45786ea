"""What a generated package tells the runtime about its table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from contractgen.policy import UNEXPECTED, Treatment, Unexpected, today, unexpected_policy

__all__ = [
    "UNEXPECTED",
    "Column",
    "Rule",
    "Table",
    "Treatment",
    "Unexpected",
    "today",
    "unexpected_policy",
]


@dataclass(frozen=True, slots=True)
class Column:
    """The checks on one column beyond its dtype (which lives in the table's schema)."""

    name: str
    required: bool = False
    unique: bool = False
    minimum: Any = None
    maximum: Any = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None  # a named format checked by its pattern: uuid, email
    layout: str | None = None  # strptime layout for dates and times in text files
    renamed_from: tuple[str, ...] = ()  # old names still accepted, read under this one
    renamed_until: dt.date | None = None  # ... until this day (inclusive); None: while listed
    default: Any = None  # what a file without the column reads as (None: no default)
    sensitive: bool = False  # pii, confidential or restricted: values never appear in messages
    anonymize: Treatment | None = None  # what anonymize(frame) does to the column
    items: Column | None = None  # a list's items: nulls, ranges, lengths, pattern, format of each


@dataclass(frozen=True, slots=True)
class Rule:
    """A table-level quality rule of the contract (see `contractgen.runtime.quality`).

    completeness: each of `columns` is non-null on at least `min_ratio` of the rows.
    row_count: the table has between `min_rows` and `max_rows` rows.
    uniqueness: no two rows share the values of `columns` (rows with a null among them aside).
    sql: every row satisfies `expression`, a boolean SQL predicate over `columns` (a null
    result passes, as in a SQL CHECK constraint).
    freshness: the newest value of `columns[0]` is at most `max_age` old; checked only when
    the reader is given a clock.
    """

    kind: Literal["completeness", "row_count", "uniqueness", "sql", "freshness"]
    columns: tuple[str, ...] = ()
    min_ratio: float | None = None
    min_rows: int | None = None
    max_rows: int | None = None
    expression: str | None = None
    max_age: dt.timedelta | None = None
    label: str | None = None  # how the contract wrote it, for messages: "max_age 1 day"


@dataclass(frozen=True, slots=True)
class Table:
    """A contract's table: its schema (dtypes, contract order) and the checks per column."""

    name: str
    version: str
    schema: pl.Schema
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # Columns the contract once had and removed: files written before still carry them, and
    # readers drop them (with a `RemovedColumnWarning`) instead of calling them unexpected.
    removed: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()  # the contract's quality rules and SLA freshness

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if names != list(self.schema.names()):
            raise ValueError(f"{self.name}: columns {names} do not match the schema")

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)
