"""A safe, position-keeping YAML reader.

We compose our own node tree from the parser's events instead of letting a YAML library build
Python objects. That way nothing is ever coerced behind the author's back (every scalar stays the
text that was written, with its quoting style), each node knows its line and column, duplicate
keys are seen, and the unsafe parts of YAML (object-constructing tags, anchors and aliases, hence
alias bombs) are refused before they can do anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, TypeAlias

import yaml

from contractgen.diagnostics import Position, Report

try:  # libyaml's C parser when available (it ships in PyYAML's wheels); same events, faster.
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python fallback
    _Parser = yaml.SafeLoader

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000

# YAML 1.2 core schema: only these plain scalars are null.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)\Z")
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar exactly as written: its text and whether it was quoted."""

    text: str
    plain: bool
    pos: Position

    @property
    def is_null(self) -> bool:
        return self.plain and _NULL.match(self.text) is not None


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Node, ...]
    pos: Position


@dataclass(frozen=True, slots=True)
class Map:
    items: tuple[tuple[Scalar, Node], ...]
    pos: Position


Node: TypeAlias = Scalar | Seq | Map


def describe(node: Node) -> str:
    """A short name for the kind of node, for error messages."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return "null" if node.is_null else f"'{node.text}'"


class _Mark(Protocol):
    line: int
    column: int


def _pos(mark: _Mark | None) -> Position:
    return Position(1, 1) if mark is None else Position(mark.line + 1, mark.column + 1)


def _utf8_error_position(data: bytes, exc: UnicodeDecodeError) -> Position:
    head = data[: exc.start]
    line = head.count(b"\n") + 1
    col = len(head[head.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
    return Position(line, col)


def decode(data: bytes, report: Report) -> str | None:
    """Bytes to text: UTF-8 only, a leading BOM allowed, size bounded."""
    if len(data) > MAX_BYTES:
        report.error(
            Position(1, 1),
            f"file is {len(data):,} bytes; contracts are limited to {MAX_BYTES:,} bytes",
            "split the source into several contracts",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.error(
            _utf8_error_position(data, exc),
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
        )
        return None
    return text.removeprefix("\ufeff")


def parse(text: str, report: Report) -> Node | None:
    """Parse one YAML document into a node tree, or report why not."""
    builder = _Builder(report)
    try:
        for event in yaml.parse(text, Loader=_Parser):
            builder.feed(event)
            if builder.failed:
                return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(mark) if mark is not None else Position(1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        lines = text.split("\n")
        line = lines[pos.line - 1] if pos.line <= len(lines) else ""
        if "\t" in line[: pos.col]:
            report.error(pos, "invalid YAML: a tab character in indentation", "indent with spaces, not tabs")
        else:
            report.error(pos, f"invalid YAML: {problem}", "fix the YAML syntax here")
        return None
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        report.error(Position(1, 1), f"invalid YAML: {exc}".splitlines()[0], None)
        return None
    if builder.root is None:
        report.error(
            Position(1, 1),
            "the file is empty",
            "a contract is a mapping: data_source, version, schema, ...",
        )
    return builder.root


class _Builder:
    """Turns parser events into nodes, refusing what a contract never needs."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.stack: list[tuple[Position, list[Node], bool]] = []
        self.root: Node | None = None
        self.documents = 0
        self.nodes = 0
        self.failed = False

    def _fail(self, pos: Position, message: str, hint: str) -> None:
        self.report.error(pos, message, hint)
        self.failed = True

    def _check_props(self, event: yaml.NodeEvent) -> bool:
        pos = _pos(event.start_mark)
        if event.anchor is not None:
            self._fail(
                pos,
                f"anchors are not allowed in contracts (&{event.anchor})",
                "write the value out; anchors and aliases make contracts hard to review",
            )
            return False
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in ("!", _STR_TAG):
            self._fail(
                pos,
                f"YAML tag {tag!r} is not allowed",
                "remove the tag; contracts hold plain values (use quotes for text)",
            )
            return False
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._fail(pos, f"more than {MAX_NODES:,} YAML nodes", "split the contract")
            return False
        return True

    def _add(self, node: Node) -> None:
        if self.stack:
            self.stack[-1][1].append(node)
        elif self.root is None:
            self.root = node

    def feed(self, event: yaml.Event) -> None:  # noqa: PLR0912 -- one branch per kind of parser event
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self._fail(
                    _pos(event.start_mark),
                    "more than one YAML document in the file",
                    "keep one contract per file; remove the '---' separator",
                )
        elif isinstance(event, yaml.AliasEvent):
            self._fail(
                _pos(event.start_mark),
                f"aliases are not allowed in contracts (*{event.anchor})",
                "write the value out; anchors and aliases make contracts hard to review",
            )
        elif isinstance(event, yaml.ScalarEvent):
            if self._check_props(event):
                # A '!!str' tag or any quoting makes the scalar explicitly text.
                plain = event.style in (None, "") and event.tag is None
                self._add(Scalar(event.value, plain, _pos(event.start_mark)))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if self._check_props(event):
                if len(self.stack) >= MAX_DEPTH:
                    self._fail(
                        _pos(event.start_mark),
                        f"nesting deeper than {MAX_DEPTH} levels",
                        "flatten the structure",
                    )
                    return
                is_map = isinstance(event, yaml.MappingStartEvent)
                self.stack.append((_pos(event.start_mark), [], is_map))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            pos, children, is_map = self.stack.pop()
            if is_map:
                pairs = []
                for key, value in zip(children[::2], children[1::2], strict=True):
                    if not isinstance(key, Scalar):
                        self._fail(key.pos, "mapping keys must be plain text", "use a simple key")
                        return
                    pairs.append((key, value))
                self._add(Map(tuple(pairs), pos))
            else:
                self._add(Seq(tuple(children), pos))


# -- reading a tree whose shape is not known yet (the importers of other formats) -------------


def child(node: Node | None, key: str) -> Node | None:
    """The value under `key` when `node` is a mapping that has it; None otherwise."""
    if isinstance(node, Map):
        for k, v in node.items:
            if k.text == key:
                return v
    return None


def text_of(node: Node | None) -> str | None:
    """The text of a non-null scalar; None for anything else."""
    if isinstance(node, Scalar) and not node.is_null:
        return node.text
    return None


def each(node: Node | None) -> Iterator[Node]:
    """The items of a sequence; nothing for anything else."""
    if isinstance(node, Seq):
        yield from node.items


def entries(node: Node | None) -> Iterator[tuple[Scalar, Node]]:
    """The key and value pairs of a mapping; nothing for anything else."""
    if isinstance(node, Map):
        yield from node.items
