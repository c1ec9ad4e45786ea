"""Located diagnostics: what is wrong, where, and what to do about it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a contract."""

    path: str
    pos: Position
    severity: Severity
    message: str
    hint: str | None = None

    def render(self) -> str:
        """Format as `path:line:col: severity: message`, with the hint on its own line."""
        head = f"{self.path}:{self.pos.line}:{self.pos.col}: {self.severity}: {self.message}"
        return head if self.hint is None else f"{head}\n  hint: {self.hint}"


@dataclass(slots=True)
class Report:
    """Collects diagnostics for one file, so that every problem is reported, not just the first."""

    path: str
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, pos: Position, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(self.path, pos, "error", message, hint))

    def warning(self, pos: Position, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(self.path, pos, "warning", message, hint))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.pos, d.message))


class ContractError(Exception):
    """Raised when a contract cannot be loaded; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics))


def did_you_mean(word: str, known: Iterable[str], kind: str = "keys", cutoff: float = 0.6) -> str:
    """The hint for an unknown word: the closest known one, or the list of known ones."""
    choices = sorted(known)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else f"known {kind}: {', '.join(choices)}"
