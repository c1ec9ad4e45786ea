"""The evolution engine and the readers agree: what `diff` calls compatible, the readers accept.

For random pairs of contracts (fields added or removed, optional or required, defaults, integer
widths, enum values, bounds) and random data valid under the old one: when every finding says
old data stays valid (backward), the new reader accepts the old data; when every finding says
old readers still work (forward), the old reader accepts data valid under the new contract.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.codegen.tables import table
from contractgen.evolution.verdict import evaluate
from contractgen.load import load_bytes
from contractgen.runtime import ContractViolationError, validate

ENUM = ["a", "b", "c"]


@st.composite
def field_specs(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(["int32", "int64", "enum"]))
    spec: dict[str, object] = {"type": kind, "required": draw(st.booleans())}
    if kind == "enum":
        spec["values"] = draw(st.lists(st.sampled_from(ENUM), min_size=1, max_size=3, unique=True))
    else:
        if draw(st.booleans()):
            spec["minimum"] = draw(st.integers(-5, 5))
        if draw(st.booleans()):
            spec["maximum"] = draw(st.integers(5, 15))
    if draw(st.booleans()):
        spec["default"] = spec["values"][0] if kind == "enum" else 5  # type: ignore[index]
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
        action = draw(st.sampled_from(["add", "remove", "replace"]))
        name = draw(st.sampled_from(["f1", "f2", "f3", "f4"]))
        if action == "remove" and len(new) > 1:
            new.pop(name, None)
        else:
            new[name] = draw(field_specs())
    return old, new


def _values(spec: dict[str, object]) -> st.SearchStrategy[object]:
    if spec["type"] == "enum":
        return st.sampled_from(spec["values"])  # type: ignore[arg-type]
    lo, hi = spec.get("minimum", -20), spec.get("maximum", 20)
    return st.integers(lo, hi)  # type: ignore[arg-type]


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
