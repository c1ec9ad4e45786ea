"""The evolution engine and the readers agree: what `diff` calls compatible, the readers accept.

For random pairs of contracts (fields added or removed, optional or required, defaults, integer
widths, enum values, bounds) and random data valid under the old one: when every finding says
old data stays valid (backward), the new reader accepts the old data; when every finding says
old readers still work (forward), the old reader accepts data valid under the new contract.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import replace
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.codegen.tables import table
from contractgen.evolution.verdict import evaluate
from contractgen.load import load_bytes
from contractgen.runtime import ContractViolationError, validate

ENUM = ["a", "b", "c"]


# Types a field moves between: integer widths, floats, decimals, enum and string, date and
# timestamp, so that every widening the engine calls lossless meets the reader that must accept it.
INTEGERS = ["int8", "int16", "int32", "int64", "uint8", "uint32"]
NUMBERS = [*INTEGERS, "float32", "float64", "decimal(12,0)", "decimal(38,0)", "decimal(10,2)"]
TYPES = [*NUMBERS, "enum", "string", "date", "timestamp", "timestamp (UTC)"]


@st.composite
def field_specs(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(TYPES))
    spec: dict[str, object] = {"type": kind, "required": draw(st.booleans())}
    if kind == "enum":
        spec["values"] = draw(st.lists(st.sampled_from(ENUM), min_size=1, max_size=3, unique=True))
    elif kind in NUMBERS:
        if draw(st.booleans()):
            spec["minimum"] = draw(st.integers(0 if kind.startswith("uint") else -5, 5))
        if draw(st.booleans()):
            spec["maximum"] = draw(st.integers(5, 15))
    if draw(st.booleans()) and kind in [*NUMBERS, "enum", "string"]:
        spec["default"] = spec["values"][0] if kind == "enum" else "a" if kind == "string" else 5  # type: ignore[index]
    return spec


def _yaml(name: str, version: str, fields: dict[str, dict[str, object]]) -> bytes:
    lines = [f"data_source: {name}", f"version: {version}", "schema:"]
    for field, spec in fields.items():
        lines.append(f"  {field}:")
        for key, value in spec.items():
            text = "true" if value is True else "false" if value is False else value
            if key == "type" and value == "enum":
                text = "enum"
            if key == "values":
                text = "[" + ", ".join(f'"{v}"' for v in value) + "]"  # type: ignore[attr-defined]
            if key == "default" and isinstance(value, str):
                text = f'"{value}"'
            lines.append(f"    {key}: {text}")
    return ("\n".join(lines) + "\n").encode()


@st.composite
def contract_pairs(draw: st.DrawFn) -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    old = draw(st.dictionaries(st.sampled_from(["f1", "f2", "f3"]), field_specs(), min_size=1, max_size=3))
    new = {k: dict(v) for k, v in old.items()}
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["add", "remove", "replace", "retype", "retype"]))
        name = draw(st.sampled_from(["f1", "f2", "f3", "f4"]))
        if action == "remove" and len(new) > 1:
            new.pop(name, None)
        elif action == "retype" and name in new:
            # The same field under another type, its other settings kept where they still apply.
            spec = draw(field_specs())
            new[name] = {**spec, "required": new[name]["required"]}
        else:
            new[name] = draw(field_specs())
    return old, new


def _values(spec: dict[str, object]) -> st.SearchStrategy[object]:
    kind = str(spec["type"])
    if kind == "enum":
        return st.sampled_from(spec["values"])  # type: ignore[arg-type]
    if kind == "string":
        return st.sampled_from([*ENUM, "zz"])
    if kind == "date":
        return st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
    if kind.startswith("timestamp"):
        zone = dt.UTC if "UTC" in kind else None
        return st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)).map(
            lambda v: v.replace(tzinfo=zone)
        )
    lo = int(spec.get("minimum", 0 if kind.startswith("uint") else -20))  # type: ignore[call-overload]
    hi = int(spec.get("maximum", 20))  # type: ignore[call-overload]
    if kind in INTEGERS:
        # The extremes of the width too: a widening must hold every value of the old type.
        bits, signed = int(kind.removeprefix("u").removeprefix("int")), not kind.startswith("u")
        extremes = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        edge = st.sampled_from(extremes) if "minimum" not in spec and "maximum" not in spec else st.nothing()
        return st.one_of(st.integers(lo, hi), edge)
    if kind.startswith("decimal"):
        return st.integers(lo, hi).map(Decimal)
    return st.integers(lo, hi).map(float)


def _frame(draw: st.DrawFn, fields: dict[str, dict[str, object]], contract: object) -> pl.DataFrame:
    rows = draw(st.integers(0, 4))
    data = {}
    for name, spec in fields.items():
        values = st.one_of(st.none(), _values(spec)) if not spec["required"] else _values(spec)
        data[name] = draw(st.lists(values, min_size=rows, max_size=rows))
    spec_table = table(contract)  # type: ignore[arg-type]
    return pl.DataFrame(data, schema={n: spec_table.schema[n] for n in fields})


def _accepts(frame: pl.DataFrame, contract: object, unexpected: str = "error") -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            validate(frame, table(contract), unexpected=unexpected)  # type: ignore[arg-type]
        except ContractViolationError:
            return False
    return True


@pytest.mark.parametrize("direction", ["backward", "forward"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=contract_pairs(), data=st.data())
def test_compatible_means_the_reader_accepts(direction: str, pair, data) -> None:
    old_fields, new_fields = pair
    old, _ = load_bytes(_yaml("prop", "1.0.0", old_fields), "old.yaml")
    new, _ = load_bytes(_yaml("prop", "2.0.0", new_fields), "new.yaml")
    assert old is not None and new is not None
    findings = evaluate(old, new).findings
    if direction == "backward":
        # The new version remembers the names it removed, as a build records them, and its
        # reader drops them from old files under the default policy.
        promised = all(f.rule.backward for f in findings)
        removed = tuple(sorted(set(old_fields) - set(new_fields)))
        writer_fields, writer, reader = old_fields, old, replace(new, removed_fields=removed)
        policy = "error"
    else:
        # Consumers still on the old version read new files with columns they do not know yet:
        # forward compatibility is for readers that drop them (docs/evolution.md).
        promised = all(f.rule.forward for f in findings)
        writer_fields, writer, reader = new_fields, new, old
        policy = "drop"
    frame = _frame(data.draw, writer_fields, writer)
    if not _accepts(frame, writer) or not promised:
        return
    assert _accepts(frame, reader, policy), [f.rule.id for f in findings]


@pytest.mark.parametrize(
    ("old_type", "new_type", "values"),
    [
        ("int32", "float64", [-(2**31), 2**31 - 1]),
        ("int8", "float32", [-128, 127]),
        ("int32", "decimal(12,0)", [-(2**31), 2**31 - 1]),
        ("int64", "decimal(38,0)", [-(2**63), 2**63 - 1]),
        ("enum", "string", ["a", "b"]),
        ("date", "timestamp", [dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
    ],
)
def test_each_widening_called_backward_loads_old_data(old_type, new_type, values):
    """The changes `diff` calls backward compatible: the new reader accepts old data unchanged."""
    old_spec: dict[str, object] = {"type": old_type, "required": True}
    if old_type == "enum":
        old_spec["values"] = ENUM
    old, _ = load_bytes(_yaml("w", "1.0.0", {"f": old_spec}), "old.yaml")
    new, _ = load_bytes(_yaml("w", "2.0.0", {"f": {"type": new_type, "required": True}}), "new.yaml")
    assert old is not None and new is not None
    assert all(f.rule.backward for f in evaluate(old, new).findings)
    frame = pl.DataFrame({"f": values}, schema={"f": table(old).schema["f"]})
    out = validate(frame, table(new))
    assert out.schema["f"] == table(new).schema["f"]
    midnight = [dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v for v in values]
    assert out["f"].to_list() == midnight  # every value exactly, the extremes of the old type included
