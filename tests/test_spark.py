"""Spark parity: the same data gives the same violations on Spark as on the Polars readers.

Compared: kind, column, message and count of every violation, in order, and the sample values
when all of them fit in the samples. Not compared: row numbers, which Spark does not have (its
samples carry values only), and so the file lines `read_csv` ends its messages with (`on line 3`;
see docs/spark.md).

One local Spark session for the module (local[2], two shuffle partitions, no UI). Skipped with
the reason when PySpark or Java is missing; CI installs both (`.ci/run`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.codegen.tables import table
from contractgen.load import load_bytes
from contractgen.runtime import (
    Column,
    ContractViolationError,
    DataReadError,
    Table,
    read_csv,
    read_parquet,
    validate,
)
from contractgen.runtime.errors import Violation
from tests.conftest import ROOT
from tests.test_javaregex import rust_patterns, valid_in_rust


def _skip(reason: str) -> None:
    """Skip here; fail in CI (.ci/run sets CONTRACTGEN_REQUIRE_SPARK), where Spark must run."""
    if os.environ.get("CONTRACTGEN_REQUIRE_SPARK") == "1":
        pytest.fail(f"Spark tests are required here, but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if importlib.util.find_spec("pyspark") is None:
    _skip("PySpark is not installed (pip install 'contractgen[spark]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    _skip("Spark needs Java: no `java` on PATH and no JAVA_HOME")

from pyspark.sql import SparkSession  # noqa: E402 -- after the skip
from pyspark.sql import functions as F  # noqa: E402 -- after the skip

from contractgen.runtime import spark as rs  # noqa: E402 -- after the skip

UTC = dt.UTC
IDS = [
    "6f1c2f9e-8a47-4c1b-9d0e-2b7f0c3a5e11",
    "0b9d7c54-31a2-4f6e-8c1d-5e3f2a1b0c99",
    "a3e5c7d9-1b2f-4a6c-8e0d-9f7b5d3c1a22",
    "d4c3b2a1-0f9e-4d8c-b7a6-5e4d3c2b1a00",
]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("contractgen-parity")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # Four-row tables: compiling each query to Java costs more than it saves.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "region": pl.String(),
        "seq": pl.Int64(),
        "code": pl.String(),
        "name": pl.String(),
        "email": pl.String(),
        "score": pl.Float64(),
        "qty": pl.Int32(),
        "amount": pl.Decimal(8, 2),
        "status": pl.Enum(["new", "paid", "void"]),
        "day": pl.Date(),
        "at": pl.Datetime("us", "UTC"),
        "small": pl.UInt8(),
        "tags": pl.List(pl.String()),
    }
)
TABLE = Table(
    name="parity",
    version="1.0.0",
    schema=SCHEMA,
    columns=(
        Column("id", required=True, unique=True, format="uuid"),
        Column("region", required=True),
        Column("seq", required=True),
        Column("code", pattern=r"^[A-Z]{2}\d$"),
        Column("name", min_length=2, max_length=5),
        Column("email", format="email", sensitive=True),
        Column("score", minimum=0.0, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True),
        Column("qty", required=True, minimum=0, maximum=100),
        Column("amount", minimum=Decimal("0.00")),
        Column("status", required=True),
        Column("day", minimum=dt.date(2020, 1, 1)),
        Column("at", maximum=dt.datetime(2030, 1, 1, tzinfo=UTC)),
        Column("small"),
        Column("tags", max_length=2),
    ),
    primary_key=("region", "seq"),
    removed=("legacy_flag",),
)


def rows() -> pl.DataFrame:
    """Four valid rows of the parity table (status as text, as producers write it)."""
    return pl.DataFrame(
        {
            "id": IDS,
            "region": ["eu", "eu", "us", "us"],
            "seq": [1, 2, 1, 2],
            "code": ["AB1", "CD2", None, "EF3"],
            "name": ["ann", "bo", "carla", None],
            "email": ["a@example.com", None, "c@example.org", "d@example.net"],
            "score": [0.5, 0.25, None, 0.999],
            "qty": pl.Series([1, 0, 100, 42], dtype=pl.Int32),
            "amount": pl.Series(
                [Decimal("1.00"), Decimal("0.00"), None, Decimal("99.99")], dtype=pl.Decimal(8, 2)
            ),
            "status": ["new", "paid", "void", "new"],
            "day": [dt.date(2024, 1, 15), None, dt.date(2020, 1, 1), dt.date(2025, 6, 30)],
            "at": pl.Series([dt.datetime(2024, 1, 15, 23, tzinfo=UTC)] * 4, dtype=pl.Datetime("us", "UTC")),
            "small": pl.Series([0, 255, None, 7], dtype=pl.UInt8),
            "tags": [["a"], [], None, ["b", "c"]],
        }
    )


def plant(frame: pl.DataFrame, column: str, row: int, value: object) -> pl.DataFrame:
    values = frame[column].to_list()
    values[row] = value
    return frame.with_columns(pl.Series(column, values, dtype=frame.schema[column], strict=False))


def replace(
    column: str, values: list[Any], dtype: pl.DataType | None = None
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda f: f.with_columns(pl.Series(column, values, dtype=dtype or f.schema[column], strict=False))


CASES: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
    "valid": lambda f: f,
    "missing required column": lambda f: f.drop("qty"),
    "absent optional column is filled": lambda f: f.drop("email"),
    "unexpected column": lambda f: f.with_columns(pl.lit(1).alias("extra")),
    "column the contract removed": lambda f: f.with_columns(pl.lit(True).alias("legacy_flag")),
    "probably renamed": lambda f: f.rename({"qty": "quantity"}),
    "differs only in case": lambda f: f.rename({"qty": "Qty"}),
    "wrong dtype (text for a number)": replace("qty", ["1", "0", "100", "42"], pl.String()),
    "wrong dtype (wider integer)": replace("qty", [1, 0, 100, 42], pl.Int64()),
    "narrower integer is widened": replace("seq", [1, 2, 1, 2], pl.Int16()),
    "wrong dtype (naive for zoned)": lambda f: f.with_columns(pl.col("at").dt.replace_time_zone(None)),
    "null in a required column": lambda f: plant(plant(f, "qty", 1, None), "region", 3, None),
    "value outside the enum": replace("status", ["new", "Paid", "void", "refunded"]),
    "below the minimum": replace("qty", [-1, 0, 100, -7]),
    "above the maximum": replace("qty", [1, 101, 100, 42]),
    "exclusive bounds": replace("score", [0.0, 1.0, None, 0.5]),
    "NaN in a bounded column": replace("score", [float("nan"), 0.5, None, 0.5]),
    "decimal below the minimum": replace("amount", [Decimal("-0.01"), None, None, Decimal("1.00")]),
    "date below the minimum": replace("day", [dt.date(2019, 12, 31), None, None, None]),
    "instant above the maximum": replace("at", [dt.datetime(2031, 1, 1, tzinfo=UTC)] + [None] * 3),
    "too short": replace("name", ["a", "bo", "", None]),
    "too long": replace("name", ["ann", "bo", "caroline", "émilie"]),
    "list too long": replace("tags", [["a", "b", "c"], [], None, None]),
    "pattern": replace("code", ["AB1", "ab1", "ABC", "AB1\n"]),
    "uuid format": replace("id", ["not-a-uuid", IDS[1], IDS[2].upper(), IDS[3] + "\n"]),
    "email format (redacted samples)": replace(
        "email", ["a@example.com", "b at example.com", "c@x", "d @x.org"]
    ),
    "duplicate unique value": replace("id", [IDS[0], IDS[0], IDS[2], IDS[0]]),
    "duplicate composite key": replace("seq", [1, 1, 1, 2]),
    "everything at once": lambda f: plant(
        plant(plant(f, "qty", 0, -5), "status", 1, "x"), "id", 2, "bad"
    ).rename({"email": "e_mail"}),
}


def outcome(read: Callable[[], object]) -> list[Violation]:
    try:
        read()
    except ContractViolationError as error:
        return error.violations
    return []


def warned(read: Callable[[], object]) -> tuple[list[Violation], list[str]]:
    """The violations, and the warnings about columns (renamed, filled, removed) on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = outcome(read)
    return found, [
        f"{w.category.__name__}: {w.message}" for w in caught if "contractgen" in w.category.__module__
    ]


ON_LINES = re.compile(r" on lines? [0-9, .]+$")


def comparable(violations: list[Violation]) -> list[tuple[Any, ...]]:
    """What both engines must agree on: everything but row numbers and the file lines they are on
    (`read_csv` ends a message with them; Spark cannot know them); samples when all fit."""
    out = []
    for v in violations:
        samples = sorted(repr(value) for _, value in v.samples) if v.count <= len(v.samples) else None
        out.append((v.kind, v.column, ON_LINES.sub("", v.message), v.count, samples))
    return out


@pytest.mark.parametrize("case", CASES)
def test_parquet_parity(spark, tmp_path, case):
    path = tmp_path / "data.parquet"
    CASES[case](rows()).write_parquet(path)
    polars, polars_warnings = warned(lambda: read_parquet(path, TABLE))
    on_spark, spark_warnings = warned(lambda: rs.read_spark(spark, str(path), TABLE))
    assert comparable(on_spark) == comparable(polars)
    assert spark_warnings == polars_warnings
    if case in ("valid", "narrower integer is widened"):
        assert not polars


def test_valid_data_comes_back_in_the_contract_types(spark, tmp_path):
    path = tmp_path / "data.parquet"
    rows().write_parquet(path)
    df = rs.read_spark(spark, str(path), TABLE)
    assert [(f.name, f.dataType) for f in df.schema] == [(f.name, f.dataType) for f in rs.spark_schema(TABLE)]
    expected = read_parquet(path, TABLE)
    got = sorted(df.collect(), key=lambda r: r["id"])
    want = sorted(expected.iter_rows(named=True), key=lambda r: r["id"])
    for got_row, want_row in zip(got, want, strict=True):
        for name in ("id", "region", "seq", "qty", "amount", "status", "day", "small", "tags"):
            assert got_row[name] == want_row[name], name


def test_samples_have_values_not_row_numbers(spark, tmp_path):
    path = tmp_path / "data.parquet"
    replace("qty", [-1, 0, 100, 42])(rows()).write_parquet(path)
    with pytest.raises(ContractViolationError) as error:
        rs.read_spark(spark, str(path), TABLE)
    assert error.value.violations[0].render() == "'qty': 1 row below the minimum 0 (-1)"
    assert str(error.value).startswith(f"{path} does not match contract parity 1.0.0 (1 violation):")


def test_sensitive_samples_are_redacted_alike(spark, tmp_path):
    path = tmp_path / "data.parquet"
    replace("email", ["a@example.com", "b at example.com", None, None])(rows()).write_parquet(path)
    polars, on_spark = (
        outcome(lambda: read_parquet(path, TABLE)),
        outcome(lambda: rs.read_spark(spark, str(path), TABLE)),
    )
    assert [v.samples[0][1] for v in on_spark] == [v.samples[0][1] for v in polars]
    assert repr(on_spark[0].samples[0][1]).startswith("<redacted sha256:")


def test_validate_spark_checks_a_dataframe(spark):
    frame = rows().drop("at", "small", "tags", "amount", "day")
    schema = "id string, region string, seq long, code string, name string, email string, score double, "
    df = spark.createDataFrame(frame.rows(), schema + "qty long, status string")
    with pytest.warns(UserWarning, match="filled the columns the data lacks"):
        polars = outcome(lambda: rs.validate_spark(df, TABLE))
    # Python ints arrive as long: refused for an int32 column, as Polars refuses Int64.
    assert [v.message for v in polars] == ["column 'qty' has dtype Int64, the contract says Int32"]


def test_unexpected_policies(spark, tmp_path):
    path = tmp_path / "data.parquet"
    rows().with_columns(pl.lit(1).alias("extra")).write_parquet(path)
    assert rs.read_spark(spark, str(path), TABLE, unexpected="drop").columns == list(SCHEMA.names())
    assert rs.read_spark(spark, str(path), TABLE, unexpected="keep").columns == [*SCHEMA.names(), "extra"]


# -- CSV --------------------------------------------------------------------------------------------

CSV_SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "qty": pl.Int32(),
        "score": pl.Float64(),
        "amount": pl.Decimal(8, 2),
        "flag": pl.Boolean(),
        "status": pl.Enum(["new", "paid"]),
        "day": pl.Date(),
        "at": pl.Datetime("us", "UTC"),
    }
)
CSV_TABLE = Table(
    name="parity_csv",
    version="1.0.0",
    schema=CSV_SCHEMA,
    columns=(
        Column("id", required=True, unique=True),
        Column("qty", required=True, minimum=0),
        Column("score"),
        Column("amount"),
        Column("flag"),
        Column("status"),
        Column("day"),
        Column("at"),
    ),
)
CSV_HEADER = "id,qty,score,amount,flag,status,day,at\n"
CSV_CASES = {
    "valid": "a,1,0.5,1.25,true,new,2024-01-15,2024-01-15T23:00:00.000000+0000\nb,2,,,False,,,\n",
    "whitespace-only number": "a,  ,0.5,1.25,true,new,2024-01-15,\nb, 2 ,,,,,,\n",
    "text in a number": "a,one,0.5,1.25,true,new,2024-01-15,\nb,5.0,x,,,,,\n",
    "too many decimal places": "a,1,0.5,1.255,true,new,2024-01-15,\n",
    "bad boolean and enum": "a,1,0.5,1.25,yes,old,2024-01-15,\nb,2,,,falſe,,,\n",  # ſ folds to s
    "bad date": "a,1,0.5,1.25,true,new,2024-13-45,\nb,2,,,,,2024-02-30,\n",
    "duplicate id and negative qty": "a,1,,,,,,\na,-2,,,,,,\n",
}


def write_csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(CSV_HEADER + body)
    return path


@pytest.mark.parametrize("case", CSV_CASES)
def test_csv_parity(spark, tmp_path, case):
    path = write_csv(tmp_path, CSV_CASES[case])
    polars = outcome(lambda: read_csv(path, CSV_TABLE))
    on_spark = outcome(lambda: rs.read_spark(spark, str(path), CSV_TABLE))
    assert comparable(on_spark) == comparable(polars)
    if case == "valid":
        assert not polars


TRAP_TABLE = Table(
    name="traps",
    version="1.0.0",
    schema=pl.Schema(
        {
            "id": pl.String(),
            "naive": pl.Datetime("us"),
            "paris": pl.Datetime("us", "Europe/Paris"),
            "stamp_ms": pl.Datetime("ms", "UTC"),
            "dmy": pl.Date(),
            "yy": pl.Date(),
            "logged": pl.Datetime("us"),
            "small": pl.UInt8(),
            "f32": pl.Float32(),
            "wait": pl.Duration("us"),
        }
    ),
    columns=(
        Column("id", required=True),
        Column("naive"),
        Column("paris"),
        Column("stamp_ms"),
        Column("dmy", layout="%d/%m/%Y"),
        Column("yy", layout="%d/%m/%y"),
        Column("logged", layout="%d %b %Y %H:%M:%S%.f"),
        Column("small"),
        Column("f32"),
        Column("wait"),
    ),
)
TRAP_HEADER = "id,naive,paris,stamp_ms,dmy,yy,logged,small,f32,wait\n"
TRAP_VALID = (
    "a,2024-01-15 10:00:00,2024-01-15T10:00:00+02:00,2024-01-15T10:00:00.123000Z,15/01/2024,15/01/24,"
    "15 Jan 2024 10:00:00.5,255,1.5,P1DT2H\n"
    "b, 2024-01-15T10:00:00.000001 ,2024-03-31 01:59:59,,01/12/1999,31/12/69,01 dec 1999 23:59:59,-0,"
    "-inf,-PT0.5S\n"
)
TRAP_CASES = {
    "valid": TRAP_VALID,
    "offset in a naive column": "a,2024-01-15T10:00:00Z,,,,,,,,\nb,2024-01-15 10:00:00+0200,,,,,,,,\n",
    "naive text in a zoned column (DST gap and repeat)": (
        "a,,2024-03-31 02:30:00,,,,,,,\nb,,2024-10-27 02:30:00,,,,,,,\nc,,2024-10-27 03:30:00,,,,,,,\n"
    ),
    "second 60 and hour 24": "a,2024-06-30 23:59:60,,,,,,,,\nb,2024-06-30 24:00:00,,,,,,,,\n",
    "more digits than the unit": "a,,,2024-01-15 10:00:00.1234,,,,,,\nb,,,2024-01-15 10:00:00.1230,,,,,,\n",
    "layout DD/MM/YYYY is strict": ",,,,5/1/2024,,,,,\nb,,,,2024-01-05,,,,,\nc,,,,31/02/2024,,,,,\n",
    "two-digit years": "a,,,,,05/01/2024,,,,\nb,,,,,5/1/24,,,,\nc,,,,,29/02/23,,,,\n",
    "month names and fractions": "a,,,,,,15 Foo 2024 10:00:00,,,\nb,,,,,,15 jan 2024 10:00:00.,,,\n",
    "unsigned out of range": "a,,,,,,,256,,\nb,,,,,,,-1,,\nc,,,,,,,1.0,,\n",
    "float32 overflow and underflow": 'a,,,,,,,,1e39,\nb,,,,,,,,1e-50,\nc,,,,,,,,"1,5",\n',
    "durations": "a,,,,,,,,,P1Y\nb,,,,,,,,,PT0.0000001S\nc,,,,,,,,,P1DT\nd,,,,,,,,,P\n",
    "whitespace only": "a, ,\t,  ,,,,,,\n",
}


@pytest.mark.parametrize("case", TRAP_CASES)
def test_csv_traps_parity(spark, tmp_path, case):
    path = tmp_path / "traps.csv"
    path.write_text(TRAP_HEADER + TRAP_CASES[case])
    polars = outcome(lambda: read_csv(path, TRAP_TABLE))
    on_spark = outcome(lambda: rs.read_spark(spark, str(path), TRAP_TABLE))
    assert comparable(on_spark) == comparable(polars)
    assert bool(polars) == (case != "valid")


def test_csv_valid_traps_read_the_same_values(spark, tmp_path):
    path = tmp_path / "traps.csv"
    path.write_text(TRAP_HEADER + TRAP_VALID)
    want = read_csv(path, TRAP_TABLE).rows(named=True)
    got = [r.asDict() for r in rs.read_spark(spark, str(path), TRAP_TABLE).orderBy("id").collect()]
    for got_row, want_row in zip(got, want, strict=True):
        for name in ("naive", "dmy", "yy", "logged", "small", "f32", "wait"):
            assert got_row[name] == want_row[name], name
        for name in ("paris", "stamp_ms"):  # instants: Spark shows them in the session zone, UTC
            expected = want_row[name]
            assert got_row[name] == (expected and expected.astimezone(UTC).replace(tzinfo=None)), name


def test_csv_nanosecond_columns_are_refused_on_spark(spark, tmp_path):
    """Spark stops at microseconds: a `ns` column cannot be held, whatever its range."""
    path = tmp_path / "ns.csv"
    path.write_text("at\n2024-01-15 10:00:00\n")
    table = Table("ns", "1.0.0", pl.Schema({"at": pl.Datetime("ns")}), (Column("at"),))
    with pytest.raises(rs.SparkTypeError, match="microseconds"):
        rs.read_spark(spark, str(path), table)


def csv_read_error(read: Callable[[], object]) -> str:
    with pytest.raises(DataReadError) as error:
        read()
    return str(error.value)


def test_csv_rows_with_too_many_fields_are_refused_by_both(spark, tmp_path):
    path = write_csv(tmp_path, "a,1,0.5,1.25,true,new,2024-01-15,,surplus\n")
    assert csv_read_error(lambda: read_csv(path, CSV_TABLE)).endswith(
        "more fields than the header's 8 at line 2"
    )
    assert csv_read_error(lambda: rs.read_spark(spark, str(path), CSV_TABLE)).endswith(
        "more fields than the header's 8 at 1 row"
    )


def test_csv_short_rows_are_refused_by_both(spark, tmp_path):
    """Spark's CSV reader fills a short row with nulls; read_spark refuses it, as read_csv does."""
    path = write_csv(tmp_path, "a,1,0.5\nb,2,,,,,,\nc,3\n")
    rule = "(every row needs every field; an empty one is written as nothing between two separators)"
    assert csv_read_error(lambda: read_csv(path, CSV_TABLE)) == (
        f"cannot read {path} as CSV: fewer fields than the header's 8 at lines 2, 4 {rule}"
    )
    assert csv_read_error(lambda: rs.read_spark(spark, str(path), CSV_TABLE)) == (
        f"cannot read {path} as CSV: fewer fields than the header's 8 at 2 rows {rule}"
    )


def test_csv_blank_lines_inside_the_data_are_refused_by_both(spark, tmp_path):
    path = write_csv(tmp_path, "a,1,,,,,,\n\nb,2,,,,,,\n\n\n")
    message = f'cannot read {path} as CSV: blank line inside the data at line 3 (write "" for an empty cell)'
    assert csv_read_error(lambda: read_csv(path, CSV_TABLE)) == message
    assert csv_read_error(lambda: rs.read_spark(spark, str(path), CSV_TABLE)) == message


def test_csv_blank_lines_at_the_end_are_fine(spark, tmp_path):
    path = write_csv(tmp_path, "a,1,,,,,,\nb,2,,,,,,\n\n\n")
    assert read_csv(path, CSV_TABLE).height == 2
    assert rs.read_spark(spark, str(path), CSV_TABLE).count() == 2


def test_csv_quoted_line_breaks_read_the_same_values(spark, tmp_path):
    """A quoted field may hold line breaks, a blank line too, with either line end: Spark reads
    such a file whole (multiLine) and keeps the field's text as read_csv does."""
    table = Table(
        "notes",
        "1.0.0",
        pl.Schema({"id": pl.Int64(), "note": pl.String(), "tag": pl.String()}),
        (Column("id", required=True), Column("note"), Column("tag")),
    )
    path = tmp_path / "notes.csv"
    for end in ("\n", "\r\n"):
        rows = [f'1,"two{end}lines",x', f'2,"a blank{end}{end}line",', '3,plain,"y"']
        path.write_bytes(end.join(["id,note,tag", *rows, ""]).encode())
        want = read_csv(path, table).rows()
        assert [note for _, note, _ in want] == [f"two{end}lines", f"a blank{end}{end}line", "plain"]
        assert sorted(tuple(r) for r in rs.read_spark(spark, str(path), table).collect()) == want


def test_csv_quoted_empty_cells_are_empty_text(spark, tmp_path):
    """`""` is an empty text and an empty cell null, as in read_csv (Spark reads both as null)."""
    table = Table(
        "empty",
        "1.0.0",
        pl.Schema({"id": pl.String(), "n": pl.Int32(), "e": pl.Enum(["x"]), "t": pl.String()}),
        (Column("id", required=True), Column("n"), Column("e"), Column("t", required=True)),
    )
    path = tmp_path / "empty.csv"
    path.write_text('id,n,e,t\na,"","",""\nb,,,\n')
    polars = outcome(lambda: read_csv(path, table))
    assert [v.kind for v in polars] == ["dtype", "enum", "null"]
    assert comparable(outcome(lambda: rs.read_spark(spark, str(path), table))) == comparable(polars)
    path.write_text('id,n,e,t\na,1,x,""\n')
    assert rs.read_spark(spark, str(path), table).collect()[0]["t"] == read_csv(path, table)["t"][0] == ""


def test_csv_bytes_that_are_not_utf8_are_refused_by_both(spark, tmp_path):
    """Spark's CSV reader replaces them; read_spark refuses them, naming the line, as read_csv does."""
    path = tmp_path / "latin1.csv"
    path.write_bytes((CSV_HEADER + "a,1,,,,,,\nb,2,,,,new,,\ncafé,3,,,,,,\n").encode("latin-1"))
    message = (
        f"cannot read {path} as utf8: line 4 has bytes that are not utf8; pass the file's real encoding "
        "(latin-1, cp1252, ...)"
    )
    assert csv_read_error(lambda: read_csv(path, CSV_TABLE)) == message
    assert csv_read_error(lambda: rs.read_spark(spark, str(path), CSV_TABLE)) == message


@pytest.mark.parametrize("content", [b"", b"\n\n"], ids=["no bytes", "blank lines"])
def test_csv_empty_files_are_refused_by_both(spark, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    message = f"cannot read {path} as CSV: empty CSV"
    assert csv_read_error(lambda: read_csv(path, CSV_TABLE)) == message
    assert csv_read_error(lambda: rs.read_spark(spark, str(path), CSV_TABLE)) == message


# -- Regular expressions ----------------------------------------------------------------------------

TRICKY = [
    IDS[0],
    IDS[0].upper(),
    IDS[0] + "\n",
    "a@b.co",
    "a@b.co\n",
    "a\u00a0b@c.de",  # a no-break space: whitespace to Rust's \s and, with (?U), to Java's
    "a @b.co",
    "192.168.0.1",
    "256.1.1.1",
    "::1",
    "2001:db8::ff00:42:8329",
    "host-name.example",
    "-bad.example",
    "https://example.com/x",
    "http://a b",
    "١٢٣",  # Arabic-Indic digits: \d in Rust, and in Java with (?U)
    "123",
    "a\rb",
    "a\nb",
    "a\r\nb",
    "ab\n",
    "\nab",
    "a\x0bb",  # a vertical tab: Rust's \v, one of Java's
    "a\x0cb",  # a form feed: one of Java's \v, not Rust's
    "STRASSE",
    "STRAßE",
    "STRAẞE",  # ẞ folds to ß in Rust, not in Java's (?i)
    "",
    "αβγ",
    "Ωμ",
    "é",
    "e\u0301",  # e and a combining accent: a word character and a mark
    "café",
    "naïve",
    "ſ",  # long s: folds to s
    "\u212a",  # Kelvin sign: folds to k
    "k",
    "ı",  # dotless i: i in Java's (?i), not in Rust's
    "İ",
    "i",
    "ǅ",
    "\u0345",  # a combining mark that folds to ι
    "ΐ",
    "\u1fd3",  # folds to ΐ (a simple folding the full one hides)
    "中文",
    "𐌀",  # beyond U+FFFF: one character to Rust, two UTF-16 units to Java
    "𐌀x",
    "x𐌀",
    "😀",
    "ab cd",
    "<ab>",
    "_",
    "]a",
    "a-z",
    "-/.",
    "/",
    "\x00",
    "ª",
    "ⓐ",
]
PATTERNS = [
    *rs.FORMAT_PATTERNS.values(),
    r"^\d+$",
    r"^a.b$",
    r"^\w+@",
    r"(?P<user>[^@]+)@",
    r"\bb",
    r"^[^\s]+$",
    r"^[a-z\]]+$",
    r"(?i)^straße$",
    # Rust syntax Java reads differently, or not at all
    r"^\p{Greek}+$",
    r"^\p{Alpha}+$",
    r"^\p{Lower}$",
    r"^\p{Digit}+$",
    r"^\p{Punct}$",
    r"^\p{Cntrl}$",
    r"^\p{Latn}+$",
    r"^\p{sc=Grek}+$",
    r"^\p{Script=Latin}+$",
    r"^\p{gc=Lu}$",
    r"^\p{gc!=Lu}+$",
    r"^\p{IsGreek}+$",
    r"^\pL+$",
    r"^\PL+$",
    r"^\p{Any}+$",
    r"^\p{ASCII}+$",
    r"^\p{Assigned}+$",
    r"^\p{White_Space}$",
    r"^\p{Old_Italic}",
    r"^\u{e9}$",
    r"^\U000000e9$",
    r"^\U{e9}$",
    r"^\x{1F600}$",
    r"^\u0061$",
    r"^a\vb$",
    r"\<ab",
    r"ab\>",
    r"\b{start}ab",
    r"\b{end}",
    r"\b{start-half}",
    r"x\b{end-half}",
    r"\B",
    r"\W",
    r"(?-u)^\w+$",
    r"(?-u:\b)é",
    r"(?-u:\B)b",
    r"(?i-u)^k$",
    r"(?i)^k$",
    r"(?i)^i$",
    r"(?i)^ß$",
    r"(?i)^\x{1FD3}$",
    r"(?i)^[a-z]+$",
    r"(?i)^[^k]$",
    r"(?i)[[:^alpha:]]",
    r"(?i)^[a-z--k]+$",
    r"(?i)^\p{Lu}$",
    r"(?i)^\p{L}$",
    r"(?m)^b",
    r"(?m)a$",
    r"(?m)^$",
    r"(?mR)^b$",
    r"(?R)^a.b$",
    r"(?s)^a.b$",
    r"(?x)^a b$",
    r"(?x)^[a b]+$",
    r"(?U)^a+?$",
    r"^[[:alpha:]]+$",
    r"^[[:^alpha:]]+$",
    r"^[a-z--x]+$",
    r"^[a-g~~b-h]+$",
    r"^[a-z&&[^aeiou]]+$",
    r"^[a&&b]$",
    r"^[\p{L}\d]+$",
    r"^[^\p{L}]+$",
    r"^[\p{Greek}&&\pL]+$",
    r"^[\w--\d]+$",
    r"^[^\w~~[a-z]]$",
    r"^[a[^\w]]+$",
    r"^[^[^\w]]+$",
    r"a**",
    r"^a{2}{1}$",
    r"^a{ 1 }$",
    r"^[--/]+$",
    r"^[^--]$",
    r"^[]-a]+$",
    r"^[-a-c--b]+$",
]


def disagreements(spark, patterns: list[str], strings: list[str]) -> dict[str, list[str]]:
    """Each pattern's Java translation, checked on every string by Spark (one job for them all),
    and the strings on which it and Rust's engine (Polars) disagree."""
    translated = [rs.java_regex(p) for p in patterns]
    df = spark.createDataFrame([(s,) for s in strings], "s string").coalesce(1)
    found = df.select(F.array(*(F.col("s").rlike(j) for j in translated))).collect()
    out = {}
    for i, pattern in enumerate(patterns):
        rust = pl.Series(strings, dtype=pl.String).str.contains(pattern).to_list()
        java = [row[0][i] for row in found]
        differ = [s for s, r, j in zip(strings, rust, java, strict=True) if r != j]
        if differ:
            out[f"{pattern} -> {translated[i]}"] = differ
    return out


def test_patterns_mean_the_same_in_java(spark):
    assert disagreements(spark, PATTERNS, TRICKY) == {}


def test_rust_syntax_in_patterns_parity(spark, tmp_path):
    """The same contract on the same strings: Rust's Unicode classes, code points, vertical tab,
    word boundaries and ASCII mode, counted alike (Java would fail the job at the first three)."""
    patterns = {
        "unicode": r"^(?:\p{Greek}+|\u{e9}|\U000000e9)$",
        "alpha": r"^\p{Alpha}+$",
        "breaks": r"^a\vb$|\b{start}ab|\<x",
        "ascii": r"(?-u)^\w+$",
    }
    values = [
        "αβγ",
        "é",
        "abc",
        "a\x0bb",
        "a\x0cb",
        "café",
        "e\u0301",
        "ab",
        "x ab",
        "_ab",
        "١٢٣",
        "naïve",
        "𐌀x",
        "éx",
    ]
    table = Table(
        "patterns",
        "1.0.0",
        pl.Schema(dict.fromkeys(patterns, pl.String())),
        tuple(Column(name, pattern=pattern) for name, pattern in patterns.items()),
    )
    path = tmp_path / "patterns.parquet"
    pl.DataFrame(dict.fromkeys(patterns, values)).write_parquet(path)
    polars = outcome(lambda: read_parquet(path, table))
    assert len(polars) == len(patterns)
    assert comparable(outcome(lambda: rs.read_spark(spark, str(path), table))) == comparable(polars)


def test_a_pattern_spark_cannot_match_is_refused_naming_its_column(spark):
    table = Table("p", "1.0.0", pl.Schema({"mood": pl.String()}), (Column("mood", pattern=r"^\p{Emoji}+$"),))
    df = spark.createDataFrame([("😀",)], "mood string")
    with pytest.raises(rs.SparkPatternError) as error:
        rs.validate_spark(df, table)
    assert str(error.value) == (
        r"column 'mood': pattern '^\\p{Emoji}+$': '\p{Emoji}' is a Unicode property Java's regex "
        "engine does not have with the same meaning (Java knows general categories, scripts up to "
        "Unicode 13, and Alphabetic, Lowercase, Uppercase, White_Space, Ideographic, Join_Control, "
        "Noncharacter_Code_Point); Spark matches with Java's regex engine: check this column with "
        "the Polars readers, or write the pattern without it"
    )


# Generated patterns (tests/test_javaregex.py), over characters every Unicode version since 6.0
# classes alike: Rust's tables and Java 17's are versions apart.
_STRINGS = sorted(
    {*"aAkKsSſß\u212aé1٣_- \n\r\x0b!α中𐌀😀", "e\u0301", "\r\n"}
    | {a + b for a in "akſé1 \n𐌀_" for b in "akſé1 \n𐌀_"}
    | {"abc", "ab cd", "STRASSE", "αβγ", "x1_", "a\nb\n"}
)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rust_patterns(), min_size=40, max_size=40))
def test_generated_patterns_mean_the_same_in_java(spark, patterns):
    """Every pattern Rust reads and Java is given matches the same strings in both engines."""
    translated = []
    for pattern in filter(valid_in_rust, patterns):
        try:
            rs.java_regex(pattern)
        except rs.SparkPatternError:
            continue
        translated.append(pattern)
    assert disagreements(spark, translated, _STRINGS) == {}


# -- Types ------------------------------------------------------------------------------------------


def test_unsigned_and_unsupported_types():
    from pyspark.sql import types as T

    assert rs.spark_type(pl.UInt8()) == T.ShortType()
    assert rs.spark_type(pl.UInt64()) == T.DecimalType(20, 0)
    assert rs.spark_type(pl.Datetime("us")) == T.TimestampNTZType()
    assert rs.spark_type(pl.Struct({"a": pl.Int8()})) == T.StructType([T.StructField("a", T.ByteType())])
    with pytest.raises(rs.SparkTypeError, match="microseconds"):
        rs.spark_type(pl.Datetime("ns"))
    with pytest.raises(rs.SparkTypeError):
        rs.spark_type(pl.Time())


def test_unsigned_values_beyond_their_range_are_reported(spark):
    df = spark.createDataFrame([(x,) for x in (0, 255, 256, -1)], "small short")
    table = Table("u", "1.0.0", pl.Schema({"small": pl.UInt8()}), (Column("small"),))
    with pytest.raises(ContractViolationError) as error:
        rs.validate_spark(df, table)
    assert [v.render() for v in error.value.violations] == [
        "'small': 2 rows outside the range of UInt8 (256, -1)"
    ]


def test_a_uint64_column_reads_on_spark(spark, tmp_path):
    """uint64's top, 2**64 - 1, does not fit a Java long: its range check must still run."""
    table = Table("u", "1.0.0", pl.Schema({"big": pl.UInt64()}), (Column("big"),))
    path = tmp_path / "u.parquet"
    pl.DataFrame({"big": pl.Series([0, 2**64 - 1], dtype=pl.UInt64)}).write_parquet(path)
    assert read_parquet(path, table)["big"].to_list() == [0, 2**64 - 1]
    assert rs.read_spark(spark, str(path), table).count() == 2
    bounded = contract_table("  big: {type: uint64, minimum: 1, maximum: 18446744073709551000}\n")
    found = file_parity(spark, path, bounded, pl.read_parquet(path))
    assert [v.kind for v in found] == ["minimum", "maximum"]


# -- What Spark reads differently ------------------------------------------------------------------


def contract_table(schema: str) -> Table:
    """The runtime table of a contract with these fields (YAML, indented by two)."""
    loaded, diagnostics = load_bytes(f"data_source: t\nversion: 1.0.0\nschema:\n{schema}".encode(), "t.yaml")
    assert diagnostics == [] and loaded is not None, diagnostics
    return table(loaded)


def file_parity(
    spark: SparkSession, path: Path, spec: Table, frame: pl.DataFrame, **options: Any
) -> list[Violation]:
    """Write `frame` with Polars, read it with both engines; what Polars found, after asserting that
    Spark found the same."""
    frame.write_parquet(path)
    polars, polars_warnings = warned(lambda: read_parquet(path, spec, **options))
    on_spark, spark_warnings = warned(lambda: rs.read_spark(spark, str(path), spec, **options))
    assert comparable(on_spark) == comparable(polars)
    assert spark_warnings == polars_warnings
    return polars


ITEMS = """\
  n: {type: list, items: {type: int32, required: true, minimum: 0, maximum: 9}}
  f: {type: list, items: {type: float64, exclusive_minimum: 0, maximum: 1}}
  s: {type: list, items: {type: string, min_length: 2, max_length: 3, pattern: '^[a-z]+$'}}
  u: {type: list, items: {type: string, format: uuid}}
"""


def test_list_items_are_checked_alike(spark, tmp_path):
    frame = pl.DataFrame(
        {
            "n": pl.Series([[1, None], [-1, 10], [], None], dtype=pl.List(pl.Int32)),
            "f": [[0.5, float("nan")], [0.0], [1.0, 1.5], [None]],
            "s": [["ab", "ABC"], ["a"], ["abcd", None], ["xyz"]],
            "u": [[IDS[0], "x"], [IDS[1]], None, [IDS[2].upper()]],
        }
    )
    found = file_parity(spark, tmp_path / "items.parquet", contract_table(ITEMS), frame)
    assert [(v.kind, v.column, v.count) for v in found] == [
        ("null", "n", 1),
        ("minimum", "n", 1),
        ("maximum", "n", 1),
        ("nan", "f", 1),
        ("minimum", "f", 1),
        ("maximum", "f", 1),
        ("min_length", "s", 1),
        ("max_length", "s", 1),
        ("pattern", "s", 1),
        ("format", "u", 1),
    ]


NESTED_ENUMS = """\
  st: {type: struct, fields: {x: {type: int32}, y: {type: enum, values: [p, q]}}}
  le: {type: list, items: {type: enum, values: [p, q]}}
"""


def test_enums_inside_structs_and_lists_are_checked_alike(spark, tmp_path):
    struct = pl.Struct({"x": pl.Int32, "y": pl.String})
    frame = pl.DataFrame(
        {
            "st": pl.Series(
                [{"x": 1, "y": "z"}, {"x": 1, "y": "p"}, None, {"x": None, "y": None}], dtype=struct
            ),
            "le": [["p", "Q"], ["q"], None, ["r", None]],
        }
    )
    found = file_parity(spark, tmp_path / "nested.parquet", contract_table(NESTED_ENUMS), frame)
    assert [(v.kind, v.column, v.count) for v in found] == [("dtype", "st", 1), ("dtype", "le", 2)]


def test_durations_written_by_polars_read_alike(spark, tmp_path):
    """Parquet holds a duration as a plain integer (the unit is in the Arrow schema Polars writes
    beside it): Spark reads a long, read_spark an interval, as Polars reads a duration."""
    spec = contract_table(
        "  wait: {type: duration, required: true}\n  slow: {type: duration}\n  fine: {type: duration}\n"
        "  spans: {type: list, items: {type: duration}}\n"
    )
    second = dt.timedelta(seconds=1)
    frame = pl.DataFrame(
        {
            "wait": [second, None, -second],
            "slow": pl.Series([second, None, dt.timedelta(days=-3)], dtype=pl.Duration("ms")),
            "fine": pl.Series([second] * 3, dtype=pl.Duration("ns")),
            "spans": pl.Series([[second, None], [], None], dtype=pl.List(pl.Duration("ms"))),
        }
    )
    found = file_parity(spark, tmp_path / "wait.parquet", spec, frame)
    assert [v.message for v in found] == [
        "column 'fine' has dtype Duration(time_unit='ns'), the contract says Duration(time_unit='us')",
        "'wait': 1 row null in a required column",
    ]
    path = tmp_path / "clean.parquet"
    frame.drop("fine").drop_nulls().write_parquet(path)
    with pytest.warns(UserWarning, match="filled the columns"):
        got = rs.read_spark(spark, str(path), spec).select("wait", "slow", "spans").collect()
        want = read_parquet(path, spec).select("wait", "slow", "spans").rows()
    assert [tuple(r) for r in got] == want


def test_zones_written_by_polars_are_checked_alike(spark, tmp_path):
    """Spark's TIMESTAMP has no zone; the zone Polars reads comes from the file's Arrow schema."""
    spec = contract_table(
        "  ny: {type: timestamp, timezone: America/New_York}\n  utc: {type: timestamp, timezone: UTC}\n"
    )
    instants = pl.Series([dt.datetime(2024, 1, 1, 12)], dtype=pl.Datetime("us", "UTC"))
    frame = pl.DataFrame({"ny": instants.dt.convert_time_zone("Europe/Berlin"), "utc": instants})
    found = file_parity(spark, tmp_path / "zones.parquet", spec, frame)
    assert [v.column for v in found] == ["ny"]
    assert "time_zone='Europe/Berlin'), the contract says" in found[0].message


def test_signed_and_unsigned_integers_are_told_apart(spark, tmp_path):
    """Spark holds uint8 in a short, as int16 is held: the file says which it is."""
    schema = "  u8: {type: uint8}\n  u16: {type: uint16}\n  i32: {type: int32}\n  i64: {type: int64}\n  u32: {type: uint32}\n"
    frame = pl.DataFrame(
        {
            "u8": pl.Series([1], dtype=pl.Int16),
            "u16": pl.Series([1], dtype=pl.UInt8),
            "i32": pl.Series([1], dtype=pl.UInt32),
            "i64": pl.Series([1], dtype=pl.UInt64),
            "u32": pl.Series([1], dtype=pl.Int64),
        }
    )
    found = file_parity(spark, tmp_path / "ints.parquet", contract_table(schema), frame)
    assert [v.message.split(" has ")[1] for v in found] == [
        "dtype Int16, the contract says UInt8",
        "dtype UInt32, the contract says Int32",
        "dtype UInt64, the contract says Int64",
        "dtype Int64, the contract says UInt32",
    ]


def test_columns_that_differ_only_in_case_are_told_apart(spark, tmp_path):
    """Spark's analyser folds case unless told; Polars does not. read_spark tells it, for its own
    work only, and returns data that reads without it."""
    spec = contract_table("  a: {type: int32}\n  b: {type: string}\n")
    frame = pl.DataFrame({"a": pl.Series([1, 2], dtype=pl.Int32), "b": ["x", "y"], "B": ["k", "l"]})
    before = spark.conf.get("spark.sql.caseSensitive")
    found = file_parity(spark, tmp_path / "case.parquet", spec, frame)
    assert [v.message for v in found] == [
        "unexpected column 'B' is not in the contract (it differs only in case from 'b'); "
        'pass unexpected="drop" or "keep" to accept extra columns'
    ]
    df = rs.read_spark(spark, str(tmp_path / "case.parquet"), spec, unexpected="keep")
    assert spark.conf.get("spark.sql.caseSensitive") == before
    assert df.columns == ["a", "b", "B"]
    assert [tuple(r) for r in df.collect()] == read_parquet(
        tmp_path / "case.parquet", spec, unexpected="keep"
    ).rows()
    twins = spark.createDataFrame([(1, "x", "k")], "a int, b string, B string")
    with pytest.raises(ValueError, match="'b' and 'B' differ only in case"):
        rs.validate_spark(twins, spec, unexpected="keep")


def test_null_columns_written_by_polars_read_alike(spark, tmp_path):
    """A column of nulls (Polars' Null dtype) is an integer column to Spark, and fits any type."""
    spec = contract_table(
        "  n: {type: int32, required: true}\n  note: {type: string}\n  tags: {type: list, items: {type: string}}\n"
    )
    frame = pl.DataFrame({"n": pl.Series([1, 2], dtype=pl.Int32), "note": [None, None], "tags": [None, None]})
    assert file_parity(spark, tmp_path / "nulls.parquet", spec, frame.with_columns(n=None)) == [
        Violation("null", "n", "'n': 2 rows null in a required column", 2, ((0, None), (1, None)))
    ]
    path = tmp_path / "clean.parquet"
    frame.write_parquet(path)
    assert [tuple(r) for r in rs.read_spark(spark, str(path), spec).collect()] == read_parquet(
        path, spec
    ).rows()


def test_nanosecond_timestamps_written_by_polars_read_alike(spark, tmp_path):
    """Spark refuses a file with nanosecond timestamps unless told to read them as longs: told for
    read_spark's own work, they are refused for a `us` column with Polars' message."""
    spec = contract_table("  at: {type: timestamp}\n")
    ns = pl.Series([dt.datetime(2024, 1, 1, 0, 0, 0, 1)] * 2, dtype=pl.Datetime("ns"))
    found = file_parity(spark, tmp_path / "ns.parquet", spec, pl.DataFrame({"at": ns}))
    assert [v.message for v in found] == [
        "column 'at' has dtype Datetime(time_unit='ns', time_zone=None), the contract says "
        "Datetime(time_unit='us', time_zone=None)"
    ]
    path = tmp_path / "extra.parquet"
    pl.DataFrame({"at": ns.cast(pl.Datetime("us")), "extra": ns}).write_parquet(path)
    before = spark.conf.get("spark.sql.legacy.parquet.nanosAsLong", None)
    df = rs.read_spark(spark, str(path), spec, unexpected="drop")
    assert spark.conf.get("spark.sql.legacy.parquet.nanosAsLong", None) == before
    assert [tuple(r) for r in df.collect()] == read_parquet(path, spec, unexpected="drop").rows()


# -- The documented cluster job -----------------------------------------------------------------


def test_the_documented_job_runs_with_spark_submit(built, tmp_path):
    """docs/spark.md's validate_usage.py, unchanged, under spark-submit with the package shipped
    by --py-files: a valid file passes, an invalid one fails the job with its violations."""
    from tests.test_readers import usage_rows

    doc = (ROOT / "docs" / "spark.md").read_text()
    job = re.search(r'```python\n("""Check usage_activity data.*?)```\n', doc, re.S)
    assert job, "docs/spark.md lost its validate_usage.py block"
    script = tmp_path / "validate_usage.py"
    script.write_text(job.group(1))
    package = built / "usage_activity"
    shipped = shutil.make_archive(str(tmp_path / "usage_activity"), "zip", package, "usage_activity")
    good, bad = tmp_path / "good.parquet", tmp_path / "bad.parquet"
    usage_rows().write_parquet(good)
    usage_rows().with_columns(pl.Series("sessions", [3, -1, 0, 7], dtype=pl.Int32)).write_parquet(bad)
    submit = Path(sys.executable).parent / "spark-submit"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    result = subprocess.run(
        [
            str(submit),
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--py-files",
            shipped,
            str(script),
            str(good),
            str(bad),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    # spark-submit passes the driver's stderr on to its own stdout, after the job's own lines.
    assert result.stdout.splitlines() == [
        f"{good}: 4 rows match usage_activity",
        f"{bad} does not match contract usage_activity 1.5.2 (1 violation):",
        "  - 'sessions': 1 row below the minimum 0 (-1)",
    ]


# -- Quality rules --------------------------------------------------------------------------------

RULES_CONTRACT = b"""\
data_source: periods
version: 1.0.0
schema:
  id: {type: int64, primary_key: true}
  region: {type: enum, values: [north, south]}
  starts: {type: date}
  ends: {type: date}
  amount: {type: int32}
  note: {type: string}
  paid: {type: boolean}
  email: {type: string, pii: true}
  loaded_at: {type: timestamp with time zone, required: true}
sla:
  max_delay: 2 hours
  freshness_column: loaded_at
quality:
  - type: completeness
    columns: [amount, email]
    min_ratio: 75%
  - type: row_count
    min: 3
    max: 5
  - type: uniqueness
    columns: [region, starts]
  - type: uniqueness
    columns: [email]
  - type: sql
    expression: ends >= starts AND coalesce(amount, 0) >= 0
  - type: sql
    expression: amount % 7 <> 4 AND note <> 'it''s \\\\n' AND length(note) <= 4
  - type: sql
    expression: paid IS TRUE OR region IN ('north')
  - type: sql
    expression: NOT (CASE WHEN region = 'south' THEN abs(amount) >= 100 ELSE amount NOT BETWEEN -5 AND 50 END)
"""
LOADED = dt.datetime(2024, 1, 15, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def periods_table() -> Table:

    contract, diagnostics = load_bytes(RULES_CONTRACT, "periods.yaml")
    assert diagnostics == [] and contract is not None
    return table(contract)


def periods() -> pl.DataFrame:
    """Four rows that meet every rule (nulls where a rule must let them pass)."""
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "region": ["north", "south", "north", "south"],
            "starts": [dt.date(2024, 1, d) for d in (1, 1, 8, 8)],
            "ends": [dt.date(2024, 1, 7), dt.date(2024, 1, 7), dt.date(2024, 1, 14), None],
            "amount": pl.Series([10, 20, 30, None], dtype=pl.Int32),
            "note": ["ok", None, "a", "it's"],
            "paid": [None, True, False, None],
            "email": ["a@x.example", "b@x.example", None, "d@x.example"],
            "loaded_at": [LOADED - dt.timedelta(hours=h) for h in (3, 2, 1, 0)],
        }
    )


RULE_CASES: dict[str, tuple[Callable[[pl.DataFrame], pl.DataFrame], dict[str, Any]]] = {
    "clean": (lambda f: f, {}),
    "clean with every option": (lambda f: f, {"now": LOADED + dt.timedelta(hours=1), "whole_table": True}),
    "completeness below the ratio": (replace("amount", [10, None, 30, None]), {}),
    "completeness of two columns": (
        lambda f: replace("email", [None, None, "c@x.example", "d@x.example"])(
            replace("amount", [None] * 4)(f)
        ),
        {},
    ),
    "too few rows": (lambda f: f.head(2), {"whole_table": True}),
    "too many rows": (lambda f: pl.concat([f, f.with_columns(pl.col("id") + 10)]), {"whole_table": True}),
    "row counts only for the whole table": (lambda f: f.head(2), {}),
    "composite uniqueness": (replace("starts", [dt.date(2024, 1, 1)] * 4), {}),
    "uniqueness skips keys with a null part": (
        replace("starts", [None, dt.date(2024, 1, 1), None, dt.date(2024, 1, 1)]),
        {},
    ),
    "single-column uniqueness (redacted)": (
        replace("email", ["a@x.example", "a@x.example", None, "a@x.example"]),
        {},
    ),
    "sql rule on dates": (replace("ends", [dt.date(2023, 12, 31), None, dt.date(2024, 1, 8), None]), {}),
    "sql rule with coalesce": (replace("amount", [-1, 20, 30, None]), {}),
    "sql rule with %, strings and length": (replace("note", ["ok", "toolong", "it's \\n", None]), {}),
    "sql rule with a negative remainder": (replace("amount", [11, -3, 3, None]), {}),
    "sql rule with IS TRUE on nulls": (replace("paid", [None, False, None, None]), {}),
    "sql rule with CASE": (replace("amount", [51, -200, -6, None]), {}),
    "stale with a clock": (lambda f: f, {"now": LOADED + dt.timedelta(hours=3)}),
    "stale only with a clock": (lambda f: f, {}),
    "everything at once": (
        lambda f: replace("amount", [None, None, -1])(
            replace("starts", [dt.date(2024, 1, 1)] * 3)(f.head(3))
        ),
        {"now": LOADED + dt.timedelta(days=1), "whole_table": True},
    ),
}


@pytest.mark.parametrize("case", RULE_CASES)
def test_quality_rules_parity(spark, tmp_path, periods_table, case):
    change, options = RULE_CASES[case]
    path = tmp_path / "periods.parquet"
    change(periods()).write_parquet(path)
    polars = outcome(lambda: read_parquet(path, periods_table, **options))
    on_spark = outcome(lambda: rs.read_spark(spark, str(path), periods_table, **options))
    assert comparable(on_spark) == comparable(polars)
    if case.startswith(("clean", "row counts only", "stale only")):
        assert not polars
    else:
        assert polars


def test_quality_rules_on_a_zoneless_freshness_column(spark):
    contract = RULES_CONTRACT.replace(b"timestamp with time zone", b"timestamp")

    loaded, _ = load_bytes(contract, "periods.yaml")
    assert loaded is not None
    spec = table(loaded)
    frame = periods().with_columns(pl.col("loaded_at").dt.replace_time_zone(None))
    df = spark.createDataFrame(frame.rows(), _spark_ddl(frame))
    for now in (LOADED + dt.timedelta(hours=1), LOADED + dt.timedelta(hours=3)):
        polars = outcome(lambda: validate(frame, spec, now=now))
        on_spark = outcome(lambda: rs.validate_spark(df, spec, now=now))
        assert comparable(on_spark) == comparable(polars)


def rs_validate_polars(frame: pl.DataFrame, spec: Table, now: dt.datetime) -> object:

    return validate(frame, spec, now=now)


def _spark_ddl(frame: pl.DataFrame) -> str:
    types = {
        pl.Int64: "bigint",
        pl.Int32: "int",
        pl.String: "string",
        pl.Date: "date",
        pl.Boolean: "boolean",
        pl.Datetime: "timestamp_ntz",
    }
    return ", ".join(f"{n} {types[type(d)]}" for n, d in frame.schema.items())


def test_backticks_in_column_names(spark, tmp_path):
    """Spark reads a column by its quoted name: a backtick in it is doubled, never a syntax error."""
    contract = b"""\
data_source: ticks
version: 1.0.0
schema:
  "we`ird": {type: int32, minimum: 0, unique: true}
  k: {type: int32}
quality:
  - type: uniqueness
    columns: ["we`ird", k]
  - type: sql
    expression: '"we`ird" < 2'
"""
    loaded, diagnostics = load_bytes(contract, "ticks.yaml")
    assert diagnostics == [] and loaded is not None
    spec = table(loaded)
    frame = pl.DataFrame({"we`ird": [-1, -1, 2], "k": [1, 1, 2]}, schema={"we`ird": pl.Int32, "k": pl.Int32})
    parquet, csv = tmp_path / "ticks.parquet", tmp_path / "ticks.csv"
    frame.write_parquet(parquet)
    frame.write_csv(csv)
    polars = outcome(lambda: read_parquet(parquet, spec))
    assert [v.kind for v in polars] == ["minimum", "unique", "uniqueness", "rule"]
    assert comparable(outcome(lambda: rs.read_spark(spark, str(parquet), spec))) == comparable(polars)
    assert comparable(outcome(lambda: rs.read_spark(spark, str(csv), spec))) == comparable(
        outcome(lambda: read_csv(csv, spec))
    )


def test_sql_rules_spark_stops_at_are_reported(spark, tmp_path):
    """An integer overflow inside a rule wraps around on Polars; in ANSI mode (Spark 4's default)
    Spark stops the job. That rule is reported as not evaluated, with Spark's reason, and the
    other checks are counted as on Polars."""
    contract = b"""\
data_source: totals
version: 1.0.0
schema:
  id: {type: int64, primary_key: true}
  a: {type: int32, maximum: 100}
quality:
  - type: sql
    expression: a * 2 > 0
  - type: sql
    expression: a <> 5
"""
    loaded, _ = load_bytes(contract, "totals.yaml")
    assert loaded is not None
    spec = table(loaded)
    path = tmp_path / "totals.parquet"
    pl.DataFrame({"id": [1, 2, 3], "a": pl.Series([2**31 - 1, 1, 5], dtype=pl.Int32)}).write_parquet(path)
    polars = outcome(lambda: read_parquet(path, spec))
    assert [v.message for v in polars] == [
        "'a': 1 row above the maximum 100",
        'rule "a" * 2 > 0: 1 row break it',
        'rule "a" <> 5: 1 row break it',
    ]
    on_spark = outcome(lambda: rs.read_spark(spark, str(path), spec))
    if spark.conf.get("spark.sql.ansi.enabled") != "true":  # Spark 3.5: it wraps around too
        assert comparable(on_spark) == comparable(polars)
        return
    assert comparable([on_spark[0], on_spark[2]]) == comparable([polars[0], polars[2]])
    assert (on_spark[1].kind, on_spark[1].count, on_spark[1].samples) == ("rule", 1, ())
    assert on_spark[1].message.startswith(
        'rule "a" * 2 > 0 could not be evaluated: Spark stopped at a row: [ARITHMETIC_OVERFLOW]'
    )


def test_sql_rules_spark_cannot_analyse_are_reported(spark, periods_table):
    rule = next(r for r in periods_table.rules if r.kind == "sql")

    broken = dataclasses.replace(periods_table, rules=(dataclasses.replace(rule, expression='"nope" > 1'),))
    assert (
        rs.spark_sql('"a""b" = \'it\'\'s \\ \' AND "c" IS TRUE') == "`a\"b` = 'it\\'s \\\\ ' AND `c` = TRUE"
    )
    frame = periods()
    df = spark.createDataFrame(frame.rows(), _spark_ddl(frame).replace("timestamp_ntz", "timestamp"))
    found = outcome(lambda: rs.validate_spark(df, broken))
    assert [v.kind for v in found] == ["rule"], found
    assert found[0].message.startswith('rule "nope" > 1 could not be evaluated: ')


# -- Found by a review of the parity: each read by both engines ------------------------------------


def test_csv_doubled_quotes_inside_quoted_fields_read_alike(spark, tmp_path):
    """RFC 4180's escape: Spark's default escape is a backslash, under which `"a""b"` kept its quotes."""
    table = Table(
        "q", "1.0.0", pl.Schema({"id": pl.Int32(), "name": pl.String()}), (Column("id"), Column("name"))
    )
    path = tmp_path / "q.csv"
    path.write_text('id,name\n1,"a""b"\n2,"he said ""hi""\nbye"\n3,"back\\slash"\n')
    expected = [(1, 'a"b'), (2, 'he said "hi"\nbye'), (3, "back\\slash")]
    assert read_csv(path, table).rows() == expected
    assert [tuple(r) for r in rs.read_spark(spark, str(path), table).collect()] == expected


def test_dates_python_cannot_hold_are_reported_alike(spark, tmp_path):
    table = Table("d", "1.0.0", pl.Schema({"d": pl.Date()}), (Column("d"),))
    path = tmp_path / "d.parquet"
    year_minus_55 = pl.Series([0], dtype=pl.Int32).cast(pl.Date).dt.offset_by("-2025y")
    pl.DataFrame({"d": year_minus_55}).write_parquet(path)
    polars = outcome(lambda: read_parquet(path, table))
    assert [v.message for v in polars] == ["'d': 1 row outside the years 1 to 9999"]
    assert comparable(outcome(lambda: rs.read_spark(spark, str(path), table))) == comparable(polars)


def test_a_csv_without_a_header_is_refused_without_showing_its_first_line(spark, tmp_path):
    table = Table(
        "r",
        "1.0.0",
        pl.Schema({"ssn": pl.String(), "n": pl.Int32()}),
        (Column("ssn", sensitive=True), Column("n")),
    )
    path = tmp_path / "nohdr.csv"
    path.write_text("123-45-6789,7\n")
    message = csv_read_error(lambda: read_csv(path, table))
    assert "123-45-6789" not in message
    assert csv_read_error(lambda: rs.read_spark(spark, str(path), table)) == message


@pytest.mark.parametrize("second", ["int64", "no B"])
def test_a_folder_of_files_that_differ_is_refused_by_both(spark, tmp_path, second):
    folder = tmp_path / "folder"
    folder.mkdir()
    pl.DataFrame({"a": pl.Series([1], dtype=pl.Int32), "B": [1]}).write_parquet(folder / "p1.parquet")
    other = pl.DataFrame({"a": pl.Series([1], dtype=pl.Int32 if second == "no B" else pl.Int64), "B": [1]})
    (other.drop("B") if second == "no B" else other).write_parquet(folder / "p2.parquet")
    table = Table("f", "1.0.0", pl.Schema({"a": pl.Int32(), "B": pl.Int64()}), (Column("a"), Column("B")))
    csv_read_error(lambda: read_parquet(f"{folder}/*.parquet", table))
    message = csv_read_error(lambda: rs.read_spark(spark, str(folder), table))
    assert "a multi-file read needs one schema" in message


def test_samples_of_lists_of_structs_read_alike(spark, tmp_path):
    table = Table("l", "1.0.0", pl.Schema({"x": pl.List(pl.Struct({"k": pl.Enum(["a"])}))}), (Column("x"),))
    path = tmp_path / "l.parquet"
    pl.DataFrame({"x": [[{"k": "q"}]]}).write_parquet(path)
    polars = outcome(lambda: read_parquet(path, table))
    assert polars[0].samples[0][1] == [{"k": "q"}]
    assert comparable(outcome(lambda: rs.read_spark(spark, str(path), table))) == comparable(polars)


def test_csv_quotes_escaped_with_a_backslash_are_refused_by_both(spark, tmp_path):
    """What Spark's own CSV writer makes (`"a\\"b"`) is not RFC 4180: read_csv refuses it, and so
    does read_spark, rather than keep the quotes in the value."""
    table = Table(
        "q", "1.0.0", pl.Schema({"id": pl.Int32(), "name": pl.String()}), (Column("id"), Column("name"))
    )
    path = tmp_path / "q.csv"
    path.write_text('id,name\n1,"a\\"b"\n')
    csv_read_error(lambda: read_csv(path, table))
    assert csv_read_error(lambda: rs.read_spark(spark, str(path), table)).endswith(
        "a row has a quote character inside an unquoted field, or a quoted field that does not close; "
        'quote the whole field and double the quotes in it ("5"" screen")'
    )


def test_a_file_whose_column_is_all_null_fits_the_folder(spark, tmp_path):
    folder = tmp_path / "nulls"
    folder.mkdir()
    pl.DataFrame({"id": [1, 2], "name": ["a", "b"]}).write_parquet(folder / "a.parquet")
    pl.DataFrame({"id": [3], "name": [None]}).write_parquet(folder / "b.parquet")  # name: Null
    table = Table(
        "n", "1.0.0", pl.Schema({"id": pl.Int64(), "name": pl.String()}), (Column("id"), Column("name"))
    )
    assert read_parquet(f"{folder}/*.parquet", table).height == 3
    assert rs.read_spark(spark, str(folder), table).count() == 3
