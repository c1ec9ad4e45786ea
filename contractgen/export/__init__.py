"""Export stage: `Contract` → the standards (ODCS v3, DCS, JSON Schema), as deterministic text.

Each writer builds plain data in an explicit key order and says what the target format cannot
carry (`Export.lost`), so nothing is dropped silently. YAML is written by PyYAML's safe dumper,
which quotes every string a YAML 1.1 reader would take for another type ("yes", "1.0", "null").
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from contractgen.contract import Value


@dataclass(slots=True)
class Export:
    """A written document and every part of the contract the target format could not carry."""

    data: dict[str, Any]
    lost: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if what not in self.lost:
            self.lost.append(what)


def to_yaml(data: dict[str, Any]) -> str:
    """Deterministic, safe YAML: keys in the order built, no aliases, unicode kept."""

    class _Dumper(yaml.SafeDumper):  # never writes anchors and aliases
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def to_json(data: dict[str, Any]) -> str:
    """Deterministic JSON with a trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def number(value: Value | None) -> int | float | None:
    """A numeric bound as JSON holds it; None for bounds that are not numbers (dates, times)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return value
    return None


def text(value: Value) -> str:
    """A value as text: dates and times in ISO 8601."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


TARGETS = ("odcs", "dcs", "jsonschema")


def export_text(target: str, contracts: list[Any]) -> tuple[str, list[str]]:
    """The document for `target` (odcs, dcs: every contract; jsonschema: the first) and what it lost."""
    from contractgen.export import dcs, jsonschema, odcs  # noqa: PLC0415 -- the writers import this module

    if target == "jsonschema":
        found = jsonschema.export(contracts[0])
        return to_json(found.data), found.lost
    found = odcs.export(contracts) if target == "odcs" else dcs.export(contracts)
    return to_yaml(found.data), found.lost
