"""Reproductions: ODCS types imported as a different type than the one they describe.

Each test builds a one-table ODCS v3 file into tmp_path and looks at the generated package's
Polars SCHEMA. Every test here fails on the code as it is today.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from contractgen.build import build
from contractgen.load import load_all

Package = Callable[..., ModuleType]


@pytest.fixture
def odcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Package]:
    """Build an ODCS file with one table `name` and one property (extra keys given as YAML lines)."""
    made: list[str] = []

    def make(name: str, prop: str) -> ModuleType:
        body = textwrap.indent(textwrap.dedent(prop).strip(), " " * 8)
        text = (
            "apiVersion: v3.0.2\nkind: DataContract\nid: t\nname: t\nversion: 1.0.0\nstatus: active\n"
            f"schema:\n  - name: {name}\n    properties:\n      - name: v\n{body}\n"
        )
        src = tmp_path / f"contracts_{name}"
        src.mkdir()
        (src / f"{name}.odcs.yaml").write_text(text)
        out = tmp_path / f"generated_{name}"
        result = build(src, out)
        assert result.ok, [d.render() for d in result.diagnostics]
        monkeypatch.syspath_prepend(str(out / name))
        made.append(name)
        return importlib.import_module(name)

    yield make
    for module in [m for m in sys.modules for n in made if m == n or m.startswith(n + ".")]:
        del sys.modules[module]


def test_number_without_precision_accepts_the_decimal_data_it_describes(odcs):
    """`logicalType: number` (no precision) must accept exact decimal data, not demand Float64."""
    pkg = odcs("imp_number", "logicalType: number")
    frame = pl.DataFrame({"v": pl.Series([Decimal("12.34")], dtype=pl.Decimal(10, 2))})
    pkg.validate(frame)  # today: "column 'v' has dtype Decimal(10, 2), the contract says Float64"


@pytest.mark.parametrize("physical", ["timestampltz", "TIMESTAMP_LTZ"])
def test_local_time_zone_timestamp_is_zoned(odcs, physical):
    """Snowflake TIMESTAMP_LTZ is an instant: it must import as a zoned timestamp, not a naive one."""
    pkg = odcs(f"imp_{physical.lower()}", f"logicalType: timestamp\nphysicalType: {physical}")
    dtype = pkg.SCHEMA["v"]
    assert isinstance(dtype, pl.Datetime) and dtype.time_zone is not None, dtype


@pytest.mark.parametrize("physical", ["BIGNUMERIC", "NUMBER"])
def test_exact_numeric_physical_types_are_not_floats(odcs, physical):
    """BigQuery BIGNUMERIC and Snowflake NUMBER are exact: they must not become Float64."""
    pkg = odcs(f"imp_{physical.lower()}", f"logicalType: number\nphysicalType: {physical}")
    assert not pkg.SCHEMA["v"].is_float(), pkg.SCHEMA["v"]


def test_integer_with_physical_number_10_is_an_integer(odcs):
    """`logicalType: integer` with `physicalType: NUMBER(10)` is a whole number, not a Decimal(10, 0)."""
    pkg = odcs("imp_int_number", "logicalType: integer\nphysicalType: NUMBER(10)")
    assert pkg.SCHEMA["v"].is_integer(), pkg.SCHEMA["v"]


def _odcs_field(prop: str) -> tuple[object, list[str]]:
    """The one field of a one-table ODCS file (properties given as YAML lines) and the diagnostics."""
    body = textwrap.indent(textwrap.dedent(prop).strip(), " " * 8)
    text = (
        "apiVersion: v3.0.2\nkind: DataContract\nid: t\nname: t\nversion: 1.0.0\nstatus: active\n"
        f"schema:\n  - name: t\n    properties:\n      - name: v\n{body}\n"
    )
    contracts, diagnostics = load_all(text.encode(), "t.odcs.yaml")
    assert contracts, [d.render() for d in diagnostics]
    return contracts[0].fields[0], [d.render() for d in diagnostics]


def test_two_bounds_on_one_side_keep_the_stricter_with_a_warning():
    """`minimum: 10` and `exclusiveMinimum: 0` must not loosen to (0, ...): the stricter of each
    side is kept, and the one left out is named where it stands."""
    field, diagnostics = _odcs_field(
        """
        logicalType: integer
        logicalTypeOptions:
          minimum: 10
          exclusiveMinimum: 0
          maximum: 20
          exclusiveMaximum: 100
        """
    )
    assert (field.minimum, field.exclusive_minimum, field.maximum, field.exclusive_maximum) == (
        10,
        False,
        20,
        False,
    )
    assert diagnostics == [
        "t.odcs.yaml:14:29: warning: t.v: exclusiveMinimum 0 left out: the stricter minimum 10 is kept "
        "(a contract field holds one minimum)\n  hint: write one minimum for 't.v'",
        "t.odcs.yaml:16:29: warning: t.v: exclusiveMaximum 100 left out: the stricter maximum 20 is kept "
        "(a contract field holds one maximum)\n  hint: write one maximum for 't.v'",
    ]


def test_draft4_boolean_exclusive_maximum_makes_the_maximum_exclusive():
    """`exclusiveMaximum: true` beside `maximum` is JSON Schema draft 4: the maximum is exclusive."""
    field, diagnostics = _odcs_field(
        """
        logicalType: number
        physicalType: double
        logicalTypeOptions:
          minimum: 0
          exclusiveMinimum: false
          maximum: 1
          exclusiveMaximum: true
        """
    )
    assert (field.minimum, field.exclusive_minimum, field.maximum, field.exclusive_maximum) == (
        0.0,
        False,
        1.0,
        True,
    )
    assert diagnostics == []


@pytest.mark.parametrize(
    ("physical", "zone", "unit"),
    [
        ("TIMESTAMP_TZ(9)", "UTC", "ns"),
        ("timestamptz(6)", "UTC", "us"),
        ("timestamp(6) with time zone", "UTC", "us"),
        ("TIMESTAMP_LTZ(3)", "UTC", "ms"),
        ("TIMESTAMP(3) WITH LOCAL TIME ZONE", "UTC", "ms"),
        ("TIMESTAMP(9)", None, "ns"),
        ("datetime64[ns]", None, "ns"),
        ("datetime64[us, UTC]", "UTC", "us"),
    ],
)
def test_timestamp_precision_picks_the_unit_and_keeps_the_zone(physical, zone, unit):
    """A precision in the physical type must neither drop the zone nor the sub-microsecond digits."""
    field, diagnostics = _odcs_field(f"logicalType: timestamp\nphysicalType: {physical}")
    assert (field.type.kind, field.type.timezone, field.type.unit) == ("timestamp", zone, unit)
    assert diagnostics == []


def test_hugeint_is_an_exact_decimal_with_a_warning():
    """DuckDB HUGEINT (128 bits) has no contract integer: decimal(38, 0), said where it is written."""
    field, diagnostics = _odcs_field("logicalType: integer\nphysicalType: HUGEINT")
    assert (field.type.kind, field.type.precision, field.type.scale) == ("decimal", 38, 0)
    assert diagnostics == [
        "t.odcs.yaml:12:23: warning: t.v: HUGEINT (128-bit integer) imported as decimal(38, 0): "
        "values of more than 38 digits are refused\n  hint: use a 64-bit integer type if the values fit"
    ]


def test_logical_and_physical_types_that_disagree_are_reported():
    """`integer` stored as `double`: the logical type is kept, and the choice is reported."""
    field, diagnostics = _odcs_field("logicalType: integer\nphysicalType: double")
    assert field.type.describe() == "int64"
    assert diagnostics == [
        "t.odcs.yaml:12:23: warning: t.v: logicalType integer with physicalType double (a float64) "
        "imported as int64, the logical type\n  hint: make the logical and physical types agree"
    ]


def test_array_item_counts_become_list_lengths():
    field, diagnostics = _odcs_field(
        """
        logicalType: array
        logicalTypeOptions: {minItems: 1, maxItems: 3}
        items: {logicalType: string}
        """
    )
    assert (field.type.kind, field.min_length, field.max_length) == ("list", 1, 3)
    assert diagnostics == []


def test_date_format_is_the_date_layout():
    field, diagnostics = _odcs_field("logicalType: date\nlogicalTypeOptions: {format: dd/MM/yyyy}")
    assert (field.type.kind, field.type.format) == ("date", "dd/MM/yyyy")
    assert diagnostics == []
