"""Located diagnostics: what is wrong, where, and what to do about it.

Messages quote contract text, so what is printed is escaped here: `printable` for terminals and
logs (a line break in a field name must not start a line of its own, which CI would read as a
command), `workflow_command` for GitHub annotations.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

# Characters that print but can disguise text (bidi overrides, zero-width joiners and the like).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub's rules for workflow commands: the message, then property values (file=, title=).
_GITHUB_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_GITHUB_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def is_hidden(ch: str) -> bool:
    """A control, format or unassigned character: one that must not be printed as itself."""
    return not ch.isprintable() or unicodedata.category(ch) in _HIDDEN_CATEGORIES


def escape_hidden(ch: str) -> str:
    """A hidden character as a Python-style escape (\\n, \\x1b, \\u202e)."""
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    code = ord(ch)
    if code < 0x100:  # noqa: PLR2004 -- the code point limits of the \x and \u escapes
        return f"\\x{code:02x}"
    if code < 0x10000:  # noqa: PLR2004 -- the code point limit of the \u escape
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` on one line, hidden characters escaped: safe to print to a terminal or a CI log."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(escape_hidden(ch) if is_hidden(ch) else ch for ch in text)


def workflow_command(level: str, message: str, *, file: str, line: int, col: int, title: str) -> str:  # noqa: PLR0913 -- the parts of a GitHub annotation
    """A GitHub Actions annotation, `::level file=F,line=L,col=C,title=T::message`.

    Escaped by GitHub's rules (`%`, CR and LF in the message; also `:` and `,` in property
    values), then any other hidden character as in `printable`: one command, on one line.
    """
    file, title = printable(file.translate(_GITHUB_PROPERTY)), printable(title.translate(_GITHUB_PROPERTY))
    message = printable(message.translate(_GITHUB_DATA))
    return f"::{level} file={file},line={line},col={col},title={title}::{message}"


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
        where = f"{printable(self.path)}:{self.pos.line}:{self.pos.col}"
        head = f"{where}: {self.severity}: {printable(self.message)}"
        return head if self.hint is None else f"{head}\n  hint: {printable(self.hint)}"

    def github(self) -> str:
        """The diagnostic as a GitHub annotation on its line."""
        message = self.message if self.hint is None else f"{self.message} ({self.hint})"
        return workflow_command(
            self.severity, message, file=self.path, line=self.pos.line, col=self.pos.col, title="CONTRACT"
        )


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


_MARKDOWN_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN_PUNCTUATION = set("\\`*_[]()!#|~")


def markdown_text(text: str) -> str:
    """Contract text as inline Markdown: no raw HTML, no link, image or emphasis, one line."""
    out = []
    for ch in printable(text):
        if ch in _MARKDOWN_ENTITIES:
            out.append(_MARKDOWN_ENTITIES[ch])
        elif ch in _MARKDOWN_PUNCTUATION:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
