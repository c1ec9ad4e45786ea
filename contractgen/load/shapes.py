"""Reading YAML nodes into plain values, with a located diagnostic for every mismatch.

The building blocks of the loaders: a mapping with its duplicate and unknown keys reported, text,
booleans (YAML 1.2 only), whole numbers, lists of text, durations and dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TypeVar

from contractgen.contract import Duration
from contractgen.diagnostics import Report, did_you_mean
from contractgen.load.values import BOOL, INT, parse_duration
from contractgen.load.yamltree import Map, Node, Scalar, Seq, describe

T = TypeVar("T")
_YAML11_BOOL = {"yes", "no", "on", "off", "y", "n"}

# Spellings from other tools, mapped to ours, so that the hint can say exactly what to write.
_ALIASES = {
    "min": "minimum",
    "max": "maximum",
    "minLength": "min_length",
    "maxLength": "max_length",
    "primaryKey": "primary_key",
    "pk": "primary_key",
    "enum": "values",
    "nullable": "required",
    "logicalType": "type",
    "physicalType": "type",
    "renamedFrom": "renamed_from",
    "name": "data_source",
    "refresh": "update_frequency",
    "deprecationPeriod": "deprecation_period",
}


class Shapes:
    """Typed readers over YAML nodes; problems go to the report, never raise."""

    def __init__(self, report: Report) -> None:
        self.report = report

    # -- generic shapes ----------------------------------------------------------------------

    def mapping(
        self, node: Node, where: str, known: tuple[str, ...]
    ) -> dict[str, tuple[Scalar, Node]] | None:
        """Keys of a mapping; duplicates and unknown keys are reported."""
        if not isinstance(node, Map):
            self.report.error(node.pos, f"{where} must be a mapping, not {describe(node)}")
            return None
        found: dict[str, tuple[Scalar, Node]] = {}
        for key, value in node.items:
            if key.is_null or key.text == "":
                self.report.error(key.pos, f"empty key in {where}", "give the key a name")
                continue
            if key.text in found:
                first = found[key.text][0].pos
                self.report.error(
                    key.pos,
                    f"duplicate key '{key.text}' in {where} (first at line {first.line})",
                    "remove one of them; YAML keeps only one and the other would be lost",
                )
                continue
            if key.text not in known:
                self.report.error(key.pos, f"unknown key '{key.text}' in {where}", suggest(key.text, known))
                continue
            if not (isinstance(value, Scalar) and value.is_null):
                found[key.text] = (key, value)
        return found

    def text(self, node: Node, what: str) -> str | None:
        if isinstance(node, Scalar) and not node.is_null:
            return node.text
        self.report.error(node.pos, f"{what} must be text, not {describe(node)}")
        return None

    def boolean(self, node: Node, what: str) -> bool | None:
        if isinstance(node, Scalar) and node.plain and node.text in BOOL:
            return BOOL[node.text]
        hint = "write true or false"
        if isinstance(node, Scalar) and node.text.lower() in _YAML11_BOOL:
            hint = f"'{node.text}' is not a boolean in YAML 1.2; write true or false"
        elif isinstance(node, Scalar) and not node.plain:
            hint = "remove the quotes; quoted values are text"
        self.report.error(node.pos, f"{what} must be true or false, not {describe(node)}", hint)
        return None

    def integer(self, node: Node, what: str, minimum: int = 0) -> int | None:
        if isinstance(node, Scalar) and node.plain and INT.match(node.text):
            value = int(node.text)
            if value >= minimum:
                return value
            self.report.error(node.pos, f"{what} must be at least {minimum}, not {value}")
            return None
        self.report.error(node.pos, f"{what} must be a whole number, not {describe(node)}")
        return None

    def texts(self, node: Node, what: str) -> tuple[str, ...]:
        """A list of texts; a single text is a list of one."""
        items = node.items if isinstance(node, Seq) else (node,)
        out = []
        for item in items:
            if isinstance(item, Scalar) and item.is_null:
                self.report.error(item.pos, f"null in {what}", "quote it if the text 'null' is meant")
                continue
            value = self.text(item, f"each entry of {what}")
            if value is not None:
                out.append(value)
        return tuple(out)

    def duration(self, node: Node, what: str) -> Duration | None:
        text = self.text(node, what)
        if text is None:
            return None
        duration = parse_duration(text)
        if duration is None:
            self.report.error(
                node.pos,
                f"{what} '{text}' does not start with a duration",
                "write it like '5 minutes' or '90 days'",
            )
        return duration

    def each(self, node: Node, what: str) -> Iterator[Node]:
        if not isinstance(node, Seq):
            self.report.error(node.pos, f"{what} must be a list, not {describe(node)}")
            return
        yield from node.items

    def optional(
        self,
        keys: dict[str, tuple[Scalar, Node]],
        name: str,
        convert: Callable[[Node, str], T | None],
        what: str,
    ) -> T | None:
        if name not in keys:
            return None
        return convert(keys[name][1], what)

    def date(self, node: Node, what: str) -> dt.date | None:
        text = self.text(node, what)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.report.error(node.pos, f"{what} '{text}' is not a date", "write YYYY-MM-DD")
            return None


def suggest(word: str, known: tuple[str, ...] | set[str], kind: str = "keys") -> str:
    """The hint for an unknown key: our spelling of another tool's key, or the closest one."""
    if word in _ALIASES and _ALIASES[word] in known:
        return f"did you mean '{_ALIASES[word]}'?"
    return did_you_mean(word, known, kind)
