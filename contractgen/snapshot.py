"""The normalized contract snapshot (`contract.json`) each generated package is built from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from contractgen.contract import Contract
from contractgen.diagnostics import Position


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, Position) or f.name == "path":
                continue  # where it was written is not what it means
            if item is None or item == () or item is False:
                continue  # defaults are left out: smaller snapshots, smaller diffs
            out[f.name] = _plain(item)
        return out
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


def snapshot(contract: Contract) -> str:
    """The contract as stable, readable JSON: contract order kept, defaults omitted."""
    return json.dumps(_plain(contract), indent=2, ensure_ascii=False) + "\n"
