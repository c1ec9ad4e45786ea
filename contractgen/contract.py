"""The typed contract: what `load` produces and every later stage reads.

Plain frozen dataclasses, so that loading a contract never imports Pydantic or Polars (pre-commit
latency) and two loads of the same text compare equal.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from contractgen.diagnostics import Position
from contractgen.formats import PATTERNS as FORMAT_PATTERNS
from contractgen.policy import SENSITIVE_CLASSIFICATIONS, Treatment

Kind = Literal[
    "string",
    "integer",
    "float",
    "decimal",
    "boolean",
    "date",
    "time",
    "timestamp",
    "duration",
    "binary",
    "enum",
    "list",
    "struct",
]
Value = str | int | float | bool | Decimal | dt.date | dt.datetime | dt.time | dt.timedelta
TimeUnit = Literal["ms", "us", "ns"]


# A semantic version (semver.org 2.0.0), matched whole (use `fullmatch`): no trailing newline,
# nothing after, ASCII digits only. Versions reach pyproject.toml, docstrings and changelogs.
SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\Z",
    re.ASCII,
)

# Compatibility modes: which direction of change a contract promises to keep (see EVOLUTION).
MODES = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)
DEFAULT_MODE = "FULL_TRANSITIVE"
# The most digits a decimal holds (Arrow's decimal128, Polars' Decimal).
MAX_DECIMAL_PRECISION = 38

# The values each integer width holds, by (bits, signed).
INT_RANGE: dict[tuple[int, bool], tuple[int, int]] = {
    (bits, signed): ((-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1))
    for bits in (8, 16, 32, 64)
    for signed in (True, False)
}


@dataclass(frozen=True, slots=True)
class FieldType:
    """A column's type. Only the attributes that belong to `kind` are set."""

    kind: Kind
    bits: int | None = None  # integer: 8/16/32/64; float: 32/64
    signed: bool = True
    precision: int | None = None  # decimal
    scale: int | None = None
    timezone: str | None = None  # timestamp: None is naive
    unit: TimeUnit = "us"  # timestamp, duration
    format: str | None = None  # string: uuid, email, ...; date/time: a layout such as YYYY-MM-DD
    values: tuple[str, ...] = ()  # enum, in contract order
    items: Field | None = None  # list
    fields: tuple[Field, ...] = ()  # struct

    def describe(self) -> str:  # noqa: PLR0911 -- one return per kind of type
        """The type as a contract author would write it."""
        match self.kind:
            case "integer":
                return f"{'int' if self.signed else 'uint'}{self.bits}"
            case "float":
                return f"float{self.bits}"
            case "decimal":
                return f"decimal({self.precision},{self.scale})"
            case "timestamp":
                return f"timestamp({self.timezone})" if self.timezone else "timestamp"
            case "enum":
                return "enum"
            case "list":
                assert self.items is not None
                return f"list<{self.items.type.describe()}>"
            case "string" if self.format:
                return f"string({self.format})"
            case _:
                return self.kind


@dataclass(frozen=True, slots=True)
class Deprecation:
    """A field on its way out: since which version or date, until when, why, and what instead."""

    reason: str | None = None
    since: str | None = None
    sunset: dt.date | None = None
    replacement: str | None = None


@dataclass(frozen=True, slots=True)
class Field:
    """One column (or a struct member, or a list's items)."""

    name: str
    type: FieldType
    pos: Position = field(compare=False)
    required: bool = False
    description: str | None = None
    unique: bool = False
    primary_key: bool = False
    minimum: Value | None = None
    maximum: Value | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    default: Value | None = None
    deprecated: Deprecation | None = None
    renamed_from: tuple[str, ...] = ()
    renamed_until: dt.date | None = None  # the old name is accepted by readers until this day

    @property
    def bounds(self) -> tuple[Value | None, Value | None]:
        """`minimum` and `maximum` as the field's type holds them, for the frame check and the
        model alike: a float32 column is compared with the float32 nearest the written bound
        (`maximum: 0.1` admits the float32 0.1, which is 0.10000000149011612)."""
        if self.type.kind != "float" or self.type.bits != 32:  # noqa: PLR2004 -- single precision
            return self.minimum, self.maximum
        return _float32(self.minimum), _float32(self.maximum)

    pii: bool = False
    classification: str | None = None
    anonymize: Treatment | None = None
    unit: str | None = None
    examples: tuple[str, ...] = ()
    # Where each key of the field was written ("type", "minimum", ...): for locating changes.
    locs: tuple[tuple[str, Position], ...] = field(default=(), compare=False)

    def loc(self, key: str) -> Position:
        """Where `key` was written, or the field's own position."""
        return dict(self.locs).get(key, self.pos)

    @property
    def sensitive(self) -> bool:
        """Whether values of this field, or of any member inside it, must never be quoted.

        True for a pii field, a confidential or restricted one, or one with an anonymize treatment.
        """
        own = (
            self.pii
            or (self.classification or "").strip().lower() in SENSITIVE_CLASSIFICATIONS
            or self.anonymize is not None
        )
        inner = self.type.fields + ((self.type.items,) if self.type.items is not None else ())
        return own or any(member.sensitive for member in inner)

    @property
    def patterns(self) -> tuple[str, ...]:
        """Every pattern the values must match: the explicit one and the format's."""
        found = []
        if self.type.kind == "string" and self.type.format in FORMAT_PATTERNS:
            found.append(FORMAT_PATTERNS[self.type.format])
        if self.pattern is not None:
            found.append(self.pattern)
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Duration:
    """A span written in words ("5 minutes", "90 days"), kept as written and in seconds."""

    text: str
    seconds: float | None

    @property
    def days(self) -> float | None:
        return None if self.seconds is None else self.seconds / 86_400


@dataclass(frozen=True, slots=True)
class Sla:
    update_frequency: str | None = None
    max_delay: Duration | None = None
    uptime: str | None = None  # "99.9%"
    retention: Duration | None = None
    freshness_column: str | None = None
    support_hours: str | None = None


@dataclass(frozen=True, slots=True)
class QualityRule:
    """A dataset-level expectation, checked on request."""

    kind: Literal["completeness", "row_count", "freshness", "uniqueness", "sql", "custom"]
    pos: Position = field(compare=False)
    columns: tuple[str, ...] = ()
    min_ratio: float | None = None  # completeness
    min_rows: int | None = None
    max_rows: int | None = None
    max_age: Duration | None = None  # freshness
    description: str | None = None
    # sql: a boolean predicate over one row, normalized (PostgreSQL dialect, identifiers quoted);
    # `columns` then lists the columns it reads.
    expression: str | None = None


@dataclass(frozen=True, slots=True)
class ChangePolicy:
    breaking_changes: Duration | None = None  # notice before a breaking change
    deprecation_period: Duration | None = None
    notification_channel: str | None = None
    compatibility: str = "FULL_TRANSITIVE"


@dataclass(frozen=True, slots=True)
class Party:
    """Someone to tell: an owner's contact or a consumer."""

    name: str
    email: str | None = None
    role: str | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Access:
    system: str | None = None
    method: str | None = None
    endpoint: str | None = None
    permissions: str | None = None
    rate_limit: str | None = None
    network: str | None = None
    # Credential names mapped to the environment variables that hold them; never the values.
    credentials: tuple[tuple[str, str], ...] = ()
    approval: str | None = None


@dataclass(frozen=True, slots=True)
class Contract:
    """A whole data contract, as the author meant it."""

    data_source: str
    version: str
    fields: tuple[Field, ...]
    path: str = field(compare=False)
    title: str | None = None
    description: str | None = None
    status: str = "active"
    owner: str | None = None
    domain: str | None = None
    contacts: tuple[Party, ...] = ()
    consumers: tuple[Party, ...] = ()
    sla: Sla = field(default_factory=Sla)
    quality: tuple[QualityRule, ...] = ()
    change_policy: ChangePolicy = field(default_factory=ChangePolicy)
    access: Access = field(default_factory=Access)
    removed_fields: tuple[str, ...] = ()
    locs: tuple[tuple[str, Position], ...] = field(default=(), compare=False)

    def loc(self, key: str) -> Position:
        """Where a top-level key was written, or the top of the file."""
        return dict(self.locs).get(key, Position(1, 1))

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.primary_key)


def _float32(value: Value | None) -> Value | None:
    """The float32 nearest a numeric bound; other values, and those float32 cannot hold, as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return value
