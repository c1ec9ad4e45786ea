"""The load-time failure: one exception that lists every violation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

ViolationKind = Literal[
    "missing_column",
    "unexpected_column",
    "dtype",
    "null",
    "enum",
    "minimum",
    "maximum",
    "nan",
    "min_length",
    "max_length",
    "pattern",
    "format",
    "unique",
    "primary_key",
    # The contract's table-level quality rules (contractgen.runtime.quality).
    "completeness",
    "row_count",
    "uniqueness",
    "rule",
    "freshness",
]

MAX_SAMPLES = 5
_MAX_SAMPLE_CHARS = 100


def show(value: Any) -> str:
    """A sample value as a short, unambiguous repr (a composite key as the tuple of its parts)."""
    text = repr(tuple(value.values())) if isinstance(value, dict) else repr(value)
    return text if len(text) <= _MAX_SAMPLE_CHARS else text[: _MAX_SAMPLE_CHARS - 3] + "..."


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken expectation: what, in which column, how often, and a few examples."""

    kind: ViolationKind
    column: str | None
    message: str
    count: int = 1
    # (row index, value); the row is None where the engine has no row order (Spark)
    samples: tuple[tuple[int | None, Any], ...] = field(default=())

    def render(self) -> str:
        text = self.message
        if self.samples:
            shown = ", ".join(
                show(value) if row is None else f"row {row}: {show(value)}" for row, value in self.samples
            )
            more = ", ..." if self.count > len(self.samples) else ""
            text += f" ({shown}{more})"
        return text


class ContractViolationError(Exception):
    """Data does not match its contract. `violations` lists every problem found in one pass."""

    def __init__(self, contract: str, version: str, violations: list[Violation], source: str | None) -> None:
        self.contract = contract
        self.version = version
        self.violations = violations
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """The report line by line: a head naming the source, then one line per violation."""
        what = f"{self.source} does not match" if self.source else "data does not match"
        n = len(self.violations)
        head = f"{what} contract {self.contract} {self.version} ({n} violation{'s' * (n != 1)}):"
        return [head, *(f"  - {v.render()}" for v in self.violations)]


def shown(value: object) -> str:
    """A bound as messages print it: dates and times in ISO 8601, anything else as its repr."""
    import datetime as dt  # noqa: PLC0415 -- only messages need it

    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return repr(value)


def rows_text(n: int) -> str:
    """`1 row`, `2,000 rows`: the count as every message of every engine words it."""
    return f"{n:,} row{'s' * (n != 1)}"


def column_says(name: str, what: str) -> Callable[[int], str]:
    """The message of a column's value check, given how many rows failed it."""
    return lambda n: f"'{name}': {rows_text(n)} {what}"
