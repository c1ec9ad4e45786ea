"""A contract's pattern (Rust syntax, as the Polars readers match it) in a database's regex dialect.

The readers' engine is Unicode-aware: `\\d` is any decimal digit (Arabic `١٢` included), `.` is
any character but a newline, `$` is the very end of the text, and POSIX classes such as
`[[:alpha:]]` are ASCII. Each database differs somewhere: DuckDB's RE2 has ASCII `\\d`;
PostgreSQL's `.` matches a newline, its classes follow the locale and it has no `\\p{..}`;
SQLite's REGEXP is Python's `re` (registered by the connector), whose `$` also matches before a
final newline and which has no POSIX classes.

`translate` rewrites what has an exact equivalent and returns None for anything else (`\\w`,
`\\b`, inline flags, Unicode classes, ...): such a pattern is then checked by the readers only,
never counted with different rules. Pure functions, no I/O.
"""

from __future__ import annotations

# Unicode White_Space, which Rust's `\s` matches: a fixed list, written out for every engine.
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Rust's POSIX classes are ASCII only; written as ranges, they mean the same everywhere
# (ascii and cntrl would need a NUL, which PostgreSQL text cannot hold: readers only).
_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "blank": "\t ",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\t\n\v\f\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_DIGIT = {"duckdb": "\\p{Nd}", "sqlite": "\\d"}  # Python's str `\d` is Unicode Nd, as Rust's
_NOT_DIGIT = {"duckdb": "\\P{Nd}", "sqlite": "\\D"}
_END = {"duckdb": "\\z", "postgres": "\\Z", "sqlite": "\\Z"}  # the very end, never before a newline
_START = {"duckdb": "\\A", "postgres": "\\A", "sqlite": "\\A"}
_ANY = {"duckdb": ".", "postgres": "[^\n]", "sqlite": "."}
_PLAIN_ESCAPES = set("nrtfv")
_PG_MAX_REPEAT = 255  # PostgreSQL refuses larger bounds


class _Untranslatable(Exception):
    pass


def translate(pattern: str, dialect: str) -> str | None:
    """`pattern` in `dialect`'s syntax with the readers' meaning, or None if there is no exact
    equivalent."""
    try:
        return _Translator(pattern, dialect).run()
    except _Untranslatable:
        return None


class _Translator:
    def __init__(self, pattern: str, dialect: str) -> None:
        self.text, self.dialect, self.i = pattern, dialect, 0
        self.out: list[str] = []

    def run(self) -> str:
        while self.i < len(self.text):
            self.outside(self.text[self.i])
        return "".join(self.out)

    def outside(self, char: str) -> None:
        if char == "\\":
            self.out.append(self.escape(in_class=False))
            return
        self.i += 1
        if char == "[":
            self.out.append(self.bracket())
        elif char == ".":
            self.out.append(_ANY[self.dialect])
        elif char == "$":
            self.out.append(_END[self.dialect])
        elif char == "(":
            if self.text.startswith("?", self.i):
                if not self.text.startswith("?:", self.i):
                    raise _Untranslatable  # inline flags, named groups, look-around
                self.out.append("(?:")
                self.i += 2
                return
            self.out.append("(")
        elif char == "{":
            self.out.append("{" + self.repeat())
        else:
            self.out.append(char)

    def repeat(self) -> str:
        end = self.text.find("}", self.i)
        body = self.text[self.i : end] if end >= 0 else ""
        parts = body.split(",")
        if end < 0 or len(parts) > 2 or not all(p.isdigit() for p in parts if p) or not parts[0]:  # noqa: PLR2004 -- {n} or {n,m}
            raise _Untranslatable
        if self.dialect == "postgres" and any(int(p) > _PG_MAX_REPEAT for p in parts if p):
            raise _Untranslatable
        self.i = end + 1
        return body + "}"

    def escape(self, *, in_class: bool) -> str:
        nxt = self.text[self.i + 1 : self.i + 2]
        self.i += 2
        if nxt in ("", "<", ">") or (nxt.isalnum() and nxt not in "dDsSAz" and nxt not in _PLAIN_ESCAPES):
            raise _Untranslatable  # \w, \b, \<, \p{..}, \x.., \u{..}: no exact equivalent
        if nxt in _PLAIN_ESCAPES or not nxt.isalnum():
            return "\\" + nxt
        if nxt == "d":
            if self.dialect not in _DIGIT:
                raise _Untranslatable
            return _DIGIT[self.dialect]
        if nxt == "D":
            if self.dialect not in _NOT_DIGIT or in_class:
                raise _Untranslatable
            return _NOT_DIGIT[self.dialect]
        if nxt == "s":
            return _SPACE if in_class else f"[{_SPACE}]"
        if nxt == "S":
            if in_class:
                raise _Untranslatable
            return f"[^{_SPACE}]"
        if in_class:
            raise _Untranslatable
        return _START[self.dialect] if nxt == "A" else _END[self.dialect]

    def bracket(self) -> str:
        """A class after its `[`: POSIX names as ASCII ranges; Rust's nested classes and set
        operations have no equivalent."""
        parts = ["["]
        if self.text.startswith("^", self.i):
            parts.append("^")
            self.i += 1
        first = True
        while self.i < len(self.text):
            char = self.text[self.i]
            if char == "]" and not first:
                self.i += 1
                return "".join(parts) + "]"
            if char == "\\":
                parts.append(self.escape(in_class=True))
            elif self.text.startswith("[:", self.i):
                end = self.text.find(":]", self.i + 2)
                name = self.text[self.i + 2 : end] if end >= 0 else ""
                if name not in _POSIX:
                    raise _Untranslatable
                parts.append(_POSIX[name])
                self.i = end + 2
            elif char == "[" or self.text.startswith(("&&", "--", "~~"), self.i):
                raise _Untranslatable
            else:
                parts.append("\\]" if char == "]" else char)
                self.i += 1
            first = False
        raise _Untranslatable  # unclosed
