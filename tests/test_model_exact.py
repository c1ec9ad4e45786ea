"""Reproductions: the row models disagree with the frame check, or take the wrong value.

Every test here fails on the code as it is today.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import polars as pl
import pydantic
import pytest

from contractgen.build import build
from contractgen.runtime import ContractViolationError

Package = Callable[[str], ModuleType]


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Package]:
    """Build one native contract (YAML text) into tmp_path and import its package."""
    made: list[str] = []

    def make(text: str) -> ModuleType:
        text = textwrap.dedent(text).lstrip()
        name = text.split("data_source:", 1)[1].split()[0]
        src = tmp_path / f"contracts_{name}"
        src.mkdir()
        (src / f"{name}.yaml").write_text(text)
        out = tmp_path / f"generated_{name}"
        result = build(src, out)
        assert result.ok, [d.render() for d in result.diagnostics]
        monkeypatch.syspath_prepend(str(out / name))
        made.append(name)
        return importlib.import_module(name)

    yield make
    for module in [m for m in sys.modules for n in made if m == n or m.startswith(n + ".")]:
        del sys.modules[module]


def test_to_models_keeps_nanoseconds_of_a_unique_column(package):
    """Two rows 1 ns apart pass `unique`; to_models must not make them equal (or must refuse)."""
    pkg = package(
        """
        data_source: mdl_nanos
        version: 1.0.0
        schema:
          at:
            type: timestamp
            time_unit: ns
            unique: true
        """
    )
    frame = pl.DataFrame({"at": pl.Series([1_704_067_200_000_000_000, 1_704_067_200_000_000_001])}).select(
        pl.col("at").cast(pl.Datetime("ns"))
    )
    assert pkg.validate(frame).height == 2  # the frame check sees two distinct values
    try:
        first, second = pkg.to_models(frame)
    except (ContractViolationError, ValueError):
        return  # refusing to drop precision is an acceptable fix
    assert first != second, "two distinct ns timestamps became equal models (truncated to us)"


def test_float32_bound_is_judged_alike_by_frame_and_model(package):
    """float32 0.1 against `maximum: 0.1`: the frame check (in f32) and the model (in f64) agree."""
    pkg = package(
        """
        data_source: mdl_f32
        version: 1.0.0
        schema:
          x:
            type: float32
            maximum: 0.1
        """
    )
    frame = pl.DataFrame({"x": pl.Series([0.1], dtype=pl.Float32)})
    try:
        pkg.validate(frame)
        frame_ok = True
    except ContractViolationError:
        frame_ok = False
    try:
        pkg.MdlF32.model_validate(frame.to_dicts()[0])  # x = 0.10000000149011612
        model_ok = True
    except pydantic.ValidationError:
        model_ok = False
    assert frame_ok == model_ok, f"frame check says {frame_ok}, model says {model_ok}"


def test_model_field_does_not_take_another_columns_value_by_name(package):
    """With columns `Status` and `status`, a row without `Status` must not fill it from `status`."""
    pkg = package(
        """
        data_source: mdl_case
        version: 1.0.0
        schema:
          Status: string
          status: string
        """
    )
    model = pkg.MdlCase
    both = model.model_validate({"Status": "upper", "status": "lower"})
    assert both.model_dump(by_alias=True) == {"Status": "upper", "status": "lower"}
    try:
        row = model.model_validate({"status": "lower"})  # 'Status' is missing from this row
    except pydantic.ValidationError:
        return  # a missing column refused, like any other missing key: fine
    assert row.model_dump(by_alias=True)["Status"] != "lower", (
        "field 'Status' took the value of column 'status' (validate_by_name)"
    )


def test_to_models_refuses_a_time_with_nanoseconds(package, tmp_path):
    """Polars times are nanoseconds; a model's time stops at microseconds: refuse, naming the
    column and the count, rather than cut 10:00:00.123456789 to .123456."""
    pkg = package(
        """
        data_source: mdl_time_ns
        version: 1.0.0
        schema:
          t: time
        """
    )
    path = tmp_path / "t.csv"
    path.write_text("t\n10:00:00.123456789\n10:00:00.123456\n")
    frame = pkg.read_csv(path)
    with pytest.raises(ValueError, match=r"column 't' has 1 value with nanoseconds.*to_dicts"):
        pkg.to_models(frame)
    (row,) = pkg.to_models(frame.tail(1))
    assert row.t.microsecond == 123456


def test_to_models_refuses_nested_nanoseconds_and_keeps_nested_microseconds(package):
    pkg = package(
        """
        data_source: mdl_nested_ns
        version: 1.0.0
        schema:
          slot:
            type: struct
            fields:
              opens: time
          stamps:
            type: list
            items:
              type: timestamp
              time_unit: ns
        """
    )

    def frame(ns: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "slot": [{"opens": dt.time(9, 30)}],
                "stamps": pl.Series([[1_704_067_200_000_000_000 + ns]]).cast(pl.List(pl.Datetime("ns"))),
            }
        )

    (row,) = pkg.to_models(frame(1000))  # whole microseconds: exact
    assert row.stamps[0].microsecond == 1
    with pytest.raises(ValueError, match=r"column 'stamps' has 1 value with nanoseconds"):
        pkg.to_models(frame(1))
    odd = frame(0).with_columns(
        pl.struct(pl.lit(34_200_000_000_001).cast(pl.Time).alias("opens")).alias("slot")
    )
    with pytest.raises(ValueError, match=r"column 'slot' has 1 value with nanoseconds"):
        pkg.to_models(odd)
