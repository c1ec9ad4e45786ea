"""The one escaping path from contract text to generated text.

This is a security boundary: descriptions, names, enum values, versions and even the contract's
file name come from other teams' files, and nothing in them may ever become code. Every string
that reaches a generated file is built here, for the place it goes: a Python literal (in the exact
form `ruff format` would leave alone, so generated files stay stable), a docstring, a `#` comment,
a TOML string in pyproject.toml (which runs code at install time through its build hooks), or a
line of CHANGELOG.md.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import unicodedata
from decimal import Decimal

from contractgen.contract import SEMVER, Value
from contractgen.diagnostics import escape_hidden
from contractgen.diagnostics import is_hidden as _hidden


def _escape_char(ch: str, quote: str) -> str:
    if ch in ("\\", quote):
        return "\\" + ch
    return escape_hidden(ch) if _hidden(ch) or _confusable(ch) else ch


def _confusable(ch: str) -> bool:
    """Typographic punctuation, symbols and spaces (’ – “ ”): ruff flags the confusable ones."""
    return not ch.isascii() and unicodedata.category(ch)[0] in "PSZ"


def py_str(text: str) -> str:
    """A Python string literal for `text`, quoted the way ruff prefers."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + "".join(_escape_char(ch, quote) for ch in text) + quote


def comment(text: str) -> str:
    """`text` as part of a one-line `#` comment, in Python or TOML: line breaks, control and
    hidden characters are written as escapes, so the comment cannot end early."""
    return "".join(_escape_char(ch, "") for ch in text)


def doc_text(text: str) -> str:
    """`text` on one line inside a docstring that has words before and after it."""
    return py_doc(" ".join(text.split()), "")[3:-3]


def version_text(version: str) -> str:
    """A contract version for generated text: a semantic version, checked whole.

    Its characters (ASCII letters, digits, `.`, `+`, `-`) need no escaping in a docstring, a
    comment or Markdown; TOML still gets it through `toml_str`. Anything else is a loader bug.
    """
    if not SEMVER.fullmatch(version):
        raise ValueError(f"not a semantic version: {py_str(version)}")
    return version


_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_str(text: str) -> str:
    """A TOML basic string for `text`: quotes, backslashes, control and hidden characters escaped."""
    out = []
    for ch in text:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif _hidden(ch):
            code = ord(ch)
            if 0xD800 <= code <= 0xDFFF:  # noqa: PLR2004 -- the surrogate block
                raise ValueError("a lone surrogate cannot be written in TOML")
            out.append(f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")  # noqa: PLR2004 -- the limit of the short escape
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md_text(text: str) -> str:
    """`text` as one line of Markdown: no line breaks, no raw HTML; hidden characters escaped."""
    return "".join(_MD_ENTITIES.get(ch) or _escape_char(ch, "") for ch in text)


def py_regex(pattern: str) -> str:
    """A regex literal: raw when that is exact and readable, else an ordinary string."""
    raw_ok = (
        "\\" in pattern
        and '"' not in pattern
        and not pattern.endswith("\\")
        and all(0x20 <= ord(c) < 0x7F for c in pattern)  # noqa: PLR2004 -- printable ASCII
    )
    return f'r"{pattern}"' if raw_ok else py_str(pattern)


def py_doc(text: str, indent: str, width: int = 88) -> str:
    """The body of a docstring for `text`, already in ruff's layout, including the quotes.

    Docstrings are for people: lines are dedented, stripped and long ones wrapped, as a
    formatter would. The exact text lives in string literals and in contract.json.
    """
    text = textwrap.dedent(text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)).strip()
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if lines:
            lines.append("")
        lines += textwrap.wrap(" ".join(paragraph.split()), width - len(indent) - 3, break_long_words=False)
    lines = lines or ["(no description)"]
    body = [_doc_quotes("".join(_escape_char(ch, "") for ch in line.rstrip())) for line in lines]
    body[0] = _doc_quotes(body[0], first=True)
    body[-1] = _doc_quotes(body[-1], last=True)
    if len(body) == 1:
        return f'"""{body[0]}"""'
    rest = "\n".join(f"{indent}{line}" if line else "" for line in body[1:])
    return f'"""{body[0]}\n{rest}\n{indent}"""'


def _doc_quotes(line: str, first: bool = False, last: bool = False) -> str:
    """Escape the double quotes that would end a docstring: runs of three or more, and any
    quote touching the opening or closing triple quote."""
    out = []
    i = 0
    while i < len(line):
        if line[i] == "\\":  # keep an existing escape whole
            out.append(line[i : i + 2])
            i += 2
            continue
        if line[i] == '"':
            j = i
            while j < len(line) and line[j] == '"':
                j += 1
            run = j - i
            touches = (first and i == 0) or (last and j == len(line))
            out.append('\\"' * run if run >= 3 or touches else '"' * run)  # noqa: PLR2004 -- three quotes would close the docstring
            i = j
            continue
        out.append(line[i])
        i += 1
    return "".join(out)


def py_float(value: float) -> str:
    """A finite float as ruff format writes it: `repr`, without the exponent's `+` (`1e20`, `1.5e-07`)."""
    return repr(value).replace("e+", "e")


def py_value(value: Value) -> tuple[str, frozenset[str]]:  # noqa: PLR0911 -- one return per kind of contract value
    """A literal for a contract value, with the module aliases it needs (`_dt`, `_decimal`)."""
    if isinstance(value, bool):
        return ("True" if value else "False"), frozenset()
    if isinstance(value, int):
        return str(value), frozenset()
    if isinstance(value, float):
        return py_float(value), frozenset()
    if isinstance(value, Decimal):
        return f"_decimal.Decimal({py_str(str(value))})", frozenset({"decimal"})
    if isinstance(value, str):
        return py_str(value), frozenset()
    if isinstance(value, dt.datetime):
        parts = [
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
        ]
        while len(parts) > 3 and not parts[-1]:  # noqa: PLR2004 -- year, month and day are required
            parts.pop()  # trailing zeros are the defaults: shorter literals fit on one line
        args = ", ".join(str(p) for p in parts)
        if value.tzinfo is not None:
            offset = value.utcoffset()
            assert offset is not None
            seconds = int(offset.total_seconds())
            span = f"hours={seconds // 3600}" if seconds % 3600 == 0 else f"seconds={seconds}"
            zone = "_dt.timezone.utc" if not offset else f"_dt.timezone(_dt.timedelta({span}))"
            args += f", tzinfo={zone}"
        return f"_dt.datetime({args})", frozenset({"datetime"})
    if isinstance(value, dt.date):
        return f"_dt.date({value.year}, {value.month}, {value.day})", frozenset({"datetime"})
    if isinstance(value, dt.time):
        args = f"{value.hour}, {value.minute}, {value.second}"
        if value.microsecond:
            args += f", {value.microsecond}"
        return f"_dt.time({args})", frozenset({"datetime"})
    if isinstance(value, dt.timedelta):
        return f"_dt.timedelta(microseconds={value // dt.timedelta(microseconds=1)})", frozenset({"datetime"})
    raise TypeError(f"no literal for {type(value).__name__}")
