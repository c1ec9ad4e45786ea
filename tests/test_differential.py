"""Three checkers must agree on which rows are valid: the Polars readers, the Pydantic models, and a
small reference written here from the contract's definitions. Budget: 150 random contracts with
random rows, valid and not; Hypothesis prints the falsifying contract and rows on failure.

Uniqueness and primary keys are about several rows at once, which a row model cannot see; they are
left out here and covered by the reader tests.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
import types
from decimal import Decimal
from itertools import count

import polars as pl
import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.codegen import render
from contractgen.codegen.plan import plan
from contractgen.codegen.tables import table
from contractgen.contract import Contract, Field, FieldType
from contractgen.load import load_bytes
from contractgen.runtime import ContractViolationError, validate

PATTERNS = ["^[a-z]+$", "^x", "[0-9]", "^.{2}$"]
KINDS = ["int32", "int64", "float64", "decimal(8,2)", "string", "date", "boolean", "enum [red, green, blue]"]
serial = count()


@st.composite
def field_spec(draw: st.DrawFn, name: str) -> str:
    if draw(st.integers(0, 3)) == 0:
        # A list whose items carry their own checks: the readers check each item, the models
        # annotate it.
        item = draw(item_spec()).replace("\n    ", "\n      ").replace("  item:\n", "")
        required = str(draw(st.booleans())).lower()
        return f"  {name}:\n    type: list\n    required: {required}\n    items:\n{item}"
    return draw(item_spec(name))


@st.composite
def item_spec(draw: st.DrawFn, name: str = "item") -> str:
    kind = draw(st.sampled_from(KINDS))
    lines = [f"  {name}:", f"    type: {kind}", f"    required: {str(draw(st.booleans())).lower()}"]
    if kind in ("int32", "int64", "float64", "decimal(8,2)"):
        low, high = sorted(draw(st.lists(st.integers(-50, 50), min_size=2, max_size=2)))
        if draw(st.booleans()):
            lines.append(f"    minimum: {low}")
        if draw(st.booleans()):
            lines.append(f"    maximum: {high}")
    if kind == "date" and draw(st.booleans()):
        lines.append("    minimum: 2020-01-01")
    if kind == "string":
        if draw(st.booleans()):
            lines.append(f"    min_length: {draw(st.integers(0, 2))}")
        if draw(st.booleans()):
            lines.append(f"    max_length: {draw(st.integers(2, 5))}")
        if draw(st.booleans()):
            lines.append(f"    pattern: '{draw(st.sampled_from(PATTERNS))}'")
    return "\n".join(lines) + "\n"


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    names = [f"c{i}" for i in range(draw(st.integers(1, 4)))]
    text = f"data_source: diff_{next(serial)}\nversion: 1.0.0\nschema:\n" + "".join(
        draw(field_spec(n)) for n in names
    )
    contract, diagnostics = load_bytes(text.encode(), "d.yaml")
    assert contract is not None, [d.render() for d in diagnostics]
    return contract


def value(ftype: FieldType) -> st.SearchStrategy[object]:
    match ftype.kind:
        case "list":
            assert ftype.items is not None
            return st.lists(st.one_of(st.none(), value(ftype.items.type)), max_size=3)
        case "integer":
            return st.integers(-100, 100)
        case "float":
            return st.one_of(st.floats(-100, 100), st.just(math.nan))
        case "decimal":
            return st.integers(-10_000, 10_000).map(lambda cents: Decimal(cents).scaleb(-2))
        case "string":
            return st.text(alphabet="abxyz019-", max_size=6)
        case "date":
            return st.dates(dt.date(2019, 6, 1), dt.date(2021, 6, 1))
        case "boolean":
            return st.booleans()
        case "enum":
            return st.sampled_from(["red", "green", "blue", "purple", "Red"])
    raise AssertionError(ftype.kind)


def reference(contract: Contract, row: dict[str, object]) -> bool:
    """The contract's meaning, written out plainly."""
    return all(valid(field, row[field.name]) for field in contract.fields)


def valid(field: Field, v: object) -> bool:
    """Whether one value (a cell, or an item of a list) keeps its field's checks."""
    if v is None:
        return not field.required
    if field.type.kind == "list":
        assert field.type.items is not None and isinstance(v, list)
        return all(valid(field.type.items, item) for item in v)
    if field.type.kind == "enum" and v not in field.type.values:
        return False
    if isinstance(v, float) and math.isnan(v) and (field.minimum is not None or field.maximum is not None):
        return False
    if field.minimum is not None and v < field.minimum:  # type: ignore[operator]
        return False
    if field.maximum is not None and v > field.maximum:  # type: ignore[operator]
        return False
    if isinstance(v, str) and field.type.kind == "string":
        if field.min_length is not None and len(v) < field.min_length:
            return False
        if field.max_length is not None and len(v) > field.max_length:
            return False
        if field.pattern is not None and re.search(field.pattern, v) is None:
            return False
    return True


def _as_produced(dtype: pl.DataType) -> pl.DataType:
    """The dtype a producer writes: text where the contract has an enum, at any depth."""
    if isinstance(dtype, pl.Enum):
        return pl.String()
    if isinstance(dtype, pl.List):
        return pl.List(_as_produced(dtype.inner))  # type: ignore[arg-type]
    return dtype


def model_of(contract: Contract) -> type[pydantic.BaseModel]:
    files = render.render(
        plan(contract, "contracts/d.yaml", "0" * 16), render.environment(None), json_schema="{}"
    )
    module = types.ModuleType(f"{contract.data_source}_models")
    sys.modules[module.__name__] = module
    exec(compile(files[f"{contract.data_source}/models.py"], module.__name__, "exec"), module.__dict__)
    return getattr(module, next(n for n in dir(module) if n.startswith("Diff")))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
@given(data=st.data())
def test_readers_models_and_reference_agree(data):
    contract = data.draw(contracts())
    spec = table(contract)
    model = model_of(contract)
    rows = data.draw(
        st.lists(
            st.fixed_dictionaries({f.name: st.one_of(st.none(), value(f.type)) for f in contract.fields}),
            min_size=1,
            max_size=8,
        )
    )
    produced = {n: _as_produced(d) for n, d in spec.schema.items()}
    for row in rows:
        frame = pl.DataFrame([row], schema=produced)
        try:
            validate(frame, spec)
            by_polars = True
        except ContractViolationError:
            by_polars = False
        try:
            model.model_validate(row)
            by_pydantic = True
        except pydantic.ValidationError:
            by_pydantic = False
        expected = reference(contract, row)
        assert (by_polars, by_pydantic) == (expected, expected), (row, by_polars, by_pydantic, expected)
