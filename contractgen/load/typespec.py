"""Type strings: `string (UUID)`, `decimal(10,2)`, `enum ["A", "B"]`, `list<int32>`, ...

A small hand-written parser, so that an error can point at the exact character of a type string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from contractgen.contract import Field, FieldType, Kind
from contractgen.diagnostics import Position, did_you_mean

# Names an author may write, and what they mean.
_SIMPLE: dict[str, FieldType] = {
    "string": FieldType("string"),
    "str": FieldType("string"),
    "text": FieldType("string"),
    "varchar": FieldType("string"),
    "uuid": FieldType("string", format="uuid"),
    "email": FieldType("string", format="email"),
    "integer": FieldType("integer", bits=64),
    "int": FieldType("integer", bits=64),
    "long": FieldType("integer", bits=64),
    "bigint": FieldType("integer", bits=64),
    "smallint": FieldType("integer", bits=16),
    "float": FieldType("float", bits=64),
    "double": FieldType("float", bits=64),
    "number": FieldType("float", bits=64),
    "real": FieldType("float", bits=32),
    "boolean": FieldType("boolean"),
    "bool": FieldType("boolean"),
    "date": FieldType("date"),
    "time": FieldType("time"),
    "timestamp": FieldType("timestamp"),
    "datetime": FieldType("timestamp"),
    "timestamptz": FieldType("timestamp", timezone="UTC"),
    "duration": FieldType("duration"),
    "interval": FieldType("duration"),
    "binary": FieldType("binary"),
    "bytes": FieldType("binary"),
    "decimal": FieldType("decimal", precision=38, scale=0),
    "numeric": FieldType("decimal", precision=38, scale=0),
    "enum": FieldType("enum"),
    "list": FieldType("list"),
    "array": FieldType("list"),
    "struct": FieldType("struct"),
    "object": FieldType("struct"),
}
for _bits in (8, 16, 32, 64):
    _SIMPLE[f"int{_bits}"] = FieldType("integer", bits=_bits)
    _SIMPLE[f"uint{_bits}"] = FieldType("integer", bits=_bits, signed=False)
_SIMPLE["float32"] = FieldType("float", bits=32)
_SIMPLE["float64"] = FieldType("float", bits=64)

TYPE_NAMES = tuple(sorted(_SIMPLE))
STRING_FORMATS = (
    "uuid",
    "email",
    "uri",
    "hostname",
    "ipv4",
    "ipv6",
    "phone",
    "country",
    "currency",
)

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<word>[A-Za-z_][A-Za-z0-9_\-/:+.]*)
      | (?P<number>[0-9][A-Za-z0-9_\-/:+.]*)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')
      | (?P<punct>[()\[\]<>,])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class TypeError_(Exception):
    """A type string that does not parse; `offset` is the character it went wrong at."""

    message: str
    offset: int
    hint: str | None = None


@dataclass(slots=True)
class _Tok:
    kind: str
    text: str
    offset: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        m = _TOKEN.match(text, at)
        if m is None or m.end() == at:
            ch = len(text[at:]) - len(text[at:].lstrip()) + at
            raise TypeError_(f"unexpected character {text[ch]!r} in type", ch)
        kind = m.lastgroup or "punct"
        out.append(_Tok(kind, m.group(kind), m.start(kind)))
        at = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, text: str | None = None) -> _Tok | None:
        if self.i >= len(self.toks):
            return None
        tok = self.toks[self.i]
        return tok if text is None or tok.text == text else None

    def take(self, what: str) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise TypeError_(f"expected {what} but the type ended", len(self.text))
        self.i += 1
        return tok

    def expect(self, punct: str) -> None:
        tok = self.take(f"'{punct}'")
        if tok.text != punct:
            raise TypeError_(f"expected '{punct}' but found {tok.text!r}", tok.offset)

    def number(self) -> int:
        tok = self.take("a number")
        if not tok.text.isdigit():
            raise TypeError_(f"expected a number but found {tok.text!r}", tok.offset)
        return int(tok.text)

    def parse(self) -> FieldType:
        ftype = self.type()
        extra = self.peek()
        if extra is not None:
            raise TypeError_(f"unexpected {extra.text!r} after the type", extra.offset)
        return ftype

    def type(self) -> FieldType:
        tok = self.take("a type name")
        name = tok.text.lower()
        if tok.kind != "word" or name not in _SIMPLE:
            raise TypeError_(f"unknown type {tok.text!r}", tok.offset, _suggest_type(tok.text))
        base = _SIMPLE[name]
        return self.arguments(base, tok)

    def arguments(self, base: FieldType, tok: _Tok) -> FieldType:
        kind: Kind = base.kind
        if kind == "enum":
            return replace(base, values=self.enum_values(tok))
        if kind == "list":
            if self.peek("<") or self.peek("["):
                close = ">" if self.take("'<'").text == "<" else "]"
                inner = self.type()
                self.expect(close)
                return replace(base, items=Field("item", inner, Position(0, tok.offset)))
            return base
        if not self.peek("("):
            return base
        self.take("'('")
        if kind == "decimal":
            precision = self.number()
            scale = 0
            if self.peek(","):
                self.take("','")
                scale = self.number()
            self.expect(")")
            return replace(base, precision=precision, scale=scale)
        # Everything else takes one free-form annotation: a format, a layout or a zone.
        start = self.take("an annotation")
        depth = 0
        while True:
            tok_ = self.peek()
            if tok_ is None:
                raise TypeError_("missing ')'", len(self.text))
            if tok_.text == "(":
                depth += 1
            elif tok_.text == ")":
                if depth == 0:
                    break
                depth -= 1
            self.i += 1
        end = self.toks[self.i].offset
        self.take("')'")
        note = self.text[start.offset : end].strip()
        return _annotate(base, note, start.offset)

    def enum_values(self, tok: _Tok) -> tuple[str, ...]:
        if not self.peek("["):
            return ()
        self.take("'['")
        values: list[str] = []
        while not self.peek("]"):
            item = self.take("an enum value or ']'")
            if item.kind == "string":
                body = item.text[1:-1]
                values.append(
                    re.sub(r"\\(.)", r"\1", body) if item.text[0] == '"' else body.replace("''", "'")
                )
            elif item.kind in ("word", "number"):
                values.append(item.text)
            else:
                raise TypeError_(f"expected an enum value but found {item.text!r}", item.offset)
            if not self.peek("]"):
                self.expect(",")
        self.take("']'")
        return tuple(values)


def _annotate(base: FieldType, note: str, offset: int) -> FieldType:
    low = note.lower()
    if base.kind == "string":
        if low not in STRING_FORMATS:
            raise TypeError_(
                f"unknown string format {note!r}",
                offset,
                f"known formats: {', '.join(STRING_FORMATS)}; use 'pattern:' for anything else",
            )
        return replace(base, format=low)
    if base.kind in ("date", "time"):
        return replace(base, format=note)
    if base.kind == "timestamp":
        if low in ("naive", "without time zone", "no tz"):
            return replace(base, timezone=None)
        if low in ("utc", "tz", "with time zone"):
            return replace(base, timezone="UTC")
        return replace(base, timezone=note)
    if base.kind == "integer" and low.isdigit() and int(low) in (8, 16, 32, 64):
        return replace(base, bits=int(low))
    raise TypeError_(f"type {base.kind!r} takes no annotation", offset)


def _suggest_type(word: str) -> str:
    hint = did_you_mean(word.lower(), TYPE_NAMES, "types")
    if hint.startswith("did you mean"):
        return hint
    known = "string, int8..int64, uint8..uint64, float32, float64, decimal(p,s), boolean, date, "
    known += "time, timestamp, timestamptz, duration, binary, enum, list, struct"
    return f"known types: {known}"


_SQL_TZ = re.compile(r"^\s*timestamp\s+(with|without)\s+time\s+zone\s*\Z", re.IGNORECASE)


def parse_type(text: str) -> FieldType:
    """Parse a type string; raise `TypeError_` with the offending offset."""
    sql = _SQL_TZ.match(text)
    if sql:
        return FieldType("timestamp", timezone="UTC" if sql.group(1).lower() == "with" else None)
    depth = 0
    for offset, ch in enumerate(text):
        depth += (ch == "<") - (ch == ">")
        if depth > MAX_NESTING:
            raise TypeError_(
                f"type nested more than {MAX_NESTING} levels deep",
                offset,
                "flatten the type: generated code cannot nest deeper",
            )
    return _Parser(text).parse()


# Deeper types would exceed Python's parser and recursion limits in the generated code.
MAX_NESTING = 32
