"""What a generated package tells the runtime about its table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from contractgen.policy import UNEXPECTED, Treatment, Unexpected, today, unexpected_policy

__all__ = ["UNEXPECTED", "Column", "Table", "Treatment", "Unexpected", "today", "unexpected_policy"]


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
