"""Hostile or broken input, contracts and data alike: a clear, located error in bounded time and memory."""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc

import polars as pl
import pytest

from contractgen.codegen.tables import table
from contractgen.load import load_bytes
from contractgen.runtime import (
    ContractViolationError,
    DataReadError,
    read_csv,
    read_parquet,
    scan_parquet,
    validate,
)
from tests.test_readers import usage_rows

HEAD = b"data_source: t\nversion: 1.0.0\n"


def first_error(data: bytes) -> str:
    contract, diagnostics = load_bytes(data, "c.yaml")
    assert contract is None
    return diagnostics[0].render().split("\n")[0]


def bounded(data: bytes, seconds: float = 10.0, megabytes: float = 200.0) -> str:
    """Load hostile text, and prove it cost little: no expansion, no runaway recursion."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        message = first_error(data)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < seconds
    assert peak < megabytes * 2**20, f"peak {peak / 2**20:.0f} MiB"
    return message


def test_deep_nesting_stops_at_the_limit():
    # libyaml's own limit (1,000 levels) trips first when it scans ahead; either way it stops early.
    assert bounded(HEAD + b"schema: " + b"[" * 100_000 + b"]" * 100_000 + b"\n") == (
        "c.yaml:3:1008: error: invalid YAML: exceeded maximum nesting depth"
    )
    nested = b"schema:\n" + b"".join(b"  " * i + b"k%d:\n" % i for i in range(70)) + b"  " * 70 + b"x: 1\n"
    assert bounded(HEAD + nested).endswith("error: nesting deeper than 64 levels")


def test_alias_bomb_is_refused_before_it_expands():
    lines = [b"a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]".encode() for i in range(1, 12)]
    assert (
        bounded(b"\n".join(lines) + b"\n") == "c.yaml:1:5: error: anchors are not allowed in contracts (&a0)"
    )


def test_huge_file_is_refused_without_parsing():
    assert bounded(HEAD + b"description: " + b"x" * 3_000_000 + b"\n") == (
        "c.yaml:1:1: error: file is 3,000,044 bytes; contracts are limited to 2,097,152 bytes"
    )


def test_many_fields_within_the_size_limit_load():
    fields = b"".join(b"  f%d: int32\n" % i for i in range(20_000))
    start = time.perf_counter()
    contract, _ = load_bytes(HEAD + b"schema:\n" + fields, "c.yaml")
    assert contract is not None and len(contract.fields) == 20_000
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"\x00\x01\x02",
            "c.yaml:1:1: error: invalid YAML: unacceptable character #x0000: control characters are not allowed",
        ),
        (b"data_source: \xff\xfe\n", "c.yaml:1:14: error: invalid UTF-8 (byte 0xff)"),
        (b"- 1\n- 2\n", "c.yaml:1:1: error: the contract must be a mapping, not a list"),
        (b"just text\n", "c.yaml:1:1: error: the contract must be a mapping, not 'just text'"),
        (b"   \n\n", "c.yaml:1:1: error: the file is empty"),
        (b"a: !!binary aGVsbG8=\n", "c.yaml:1:4: error: YAML tag 'tag:yaml.org,2002:binary' is not allowed"),
        (b"? [a, b]\n: c\n", "c.yaml:1:3: error: mapping keys must be plain text"),
    ],
)
def test_malformed_contracts(data, expected):
    assert first_error(data) == expected


@pytest.fixture
def usage_table():
    from contractgen.load import load_file
    from tests.conftest import CONTRACTS

    return table(load_file(CONTRACTS / "usage_activity.yaml"))


def test_truncated_parquet(usage_table, tmp_path):
    whole = tmp_path / "whole.parquet"
    usage_rows().write_parquet(whole)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataReadError, match=f"^cannot read {cut} as Parquet: "):
        read_parquet(cut, usage_table)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            b"customer_id,activity_date\nx\n1,2,3\n",
            DataReadError,
            "as CSV: more fields than the header.s 2 at line 3",
        ),
        (
            "customer_id\ncafé\n".encode("latin-1"),
            DataReadError,
            "as utf8: line 2 has bytes that are not utf8",
        ),
        (b"", DataReadError, "as CSV: empty CSV"),
    ],
    ids=["ragged rows", "not UTF-8", "no header"],
)
def test_unreadable_csv_names_the_file(usage_table, tmp_path, text, error, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(text)
    with pytest.raises(error, match=f"^cannot read {path} {message}"):
        read_csv(path, usage_table)


def test_header_only_and_empty_files_load_with_contract_dtypes(usage_table, tmp_path):
    header = tmp_path / "header.csv"
    header.write_text(",".join(usage_table.schema.names()) + "\n")
    with pytest.raises(ContractViolationError, match="CSV cannot hold"):  # features_used is a list
        read_csv(header, usage_table)
    empty = tmp_path / "empty.parquet"
    usage_rows().head(0).write_parquet(empty)
    frame = read_parquet(empty, usage_table)
    assert frame.height == 0 and frame.schema == usage_table.schema


def test_duplicate_and_case_only_column_names(usage_table, tmp_path):
    path = tmp_path / "dup.csv"
    names = [n for n in usage_table.schema.names() if n != "features_used"]
    path.write_text(",".join([*names, "sessions", "Sessions"]) + "\n")
    with pytest.raises(ContractViolationError) as exc:
        read_csv(path, usage_table)
    rendered = [v.render() for v in exc.value.violations]
    assert (
        "column 'sessions' appears more than once in the header (read as 'sessions_duplicated_0')" in rendered
    )
    assert (
        "unexpected column 'Sessions' is not in the contract (it differs only in case from 'sessions'); "
        'pass unexpected="drop" or "keep" to accept extra columns'
    ) in rendered


def test_nested_values_where_scalars_belong(usage_table):
    frame = usage_rows().with_columns(
        pl.col("sessions").map_elements(lambda v: [v], return_dtype=pl.List(pl.Int32))
    )
    with pytest.raises(
        ContractViolationError, match=r"column 'sessions' has dtype List\(Int32\), the contract says Int32"
    ):
        validate(frame, usage_table)


def test_nul_bytes_and_quotes_are_data(usage_table):
    frame = usage_rows().with_columns(pl.lit('we"ird\x00id').alias("customer_id"))
    with pytest.raises(ContractViolationError) as exc:
        validate(frame, usage_table)
    assert (
        exc.value.violations[0]
        .render()
        .startswith("'customer_id': 4 rows not a valid uuid (row 0: 'we\"ird\\x00id'")
    )


def checked(frame: pl.DataFrame, table, tmp_path, how: str) -> object:
    """Check in memory, or through a Parquet scan (where statistics settle the bounds)."""
    if how == "frame":
        return validate(frame, table)
    frame.write_parquet(tmp_path / "f.parquet")
    return scan_parquet(tmp_path / "f.parquet", table)


@pytest.mark.parametrize("how", ["frame", "scan"])
def test_infinities_and_timestamps_python_cannot_hold(usage_table, tmp_path, how):
    frame = usage_rows().with_columns(
        pl.Series("session_duration", [float("inf"), 1.0, float("-inf"), 2.0]),
        pl.Series("loaded_at", [253402300800000000 * 10] * 4).cast(pl.Datetime("us", "UTC")),
    )
    with pytest.raises(ContractViolationError) as exc:
        checked(frame, usage_table, tmp_path, how)
    assert [v.render() for v in exc.value.violations] == [
        "'session_duration': 1 row below the minimum 0.0 (row 2: -inf)",
        "'session_duration': 1 row above the maximum 86400.0 (row 0: inf)",
        "'loaded_at': 4 rows outside the years 1 to 9999 (row 0: '+82269-12-29 00:00:00.000000+00:00', "
        "row 1: '+82269-12-29 00:00:00.000000+00:00', row 2: '+82269-12-29 00:00:00.000000+00:00', "
        "row 3: '+82269-12-29 00:00:00.000000+00:00')",
    ]


@pytest.mark.parametrize("how", ["frame", "scan"])
def test_dates_at_the_edges_of_python(usage_table, tmp_path, how):
    edges = [dt.date(1, 1, 1), dt.date(9999, 12, 31)] * 2
    frame = usage_rows().with_columns(pl.Series("activity_date", edges))
    checked(frame, usage_table, tmp_path, how)  # the edges themselves are fine
    last = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
    checked(frame.with_columns(pl.lit(last).alias("loaded_at")), usage_table, tmp_path, how)
    first, last_day = ((d - dt.date(1970, 1, 1)).days for d in (dt.date(1, 1, 1), dt.date(9999, 12, 31)))
    days = pl.Series("activity_date", [first, first - 1, last_day, last_day + 1], dtype=pl.Int32)
    beyond = frame.with_columns(days.cast(pl.Date))  # the second and the last are a day too far
    with pytest.raises(ContractViolationError, match="'activity_date': 2 rows outside the years 1 to 9999"):
        checked(beyond, usage_table, tmp_path, how)


@pytest.mark.parametrize("unit", ["us", "ms"])
@pytest.mark.parametrize("zone", [None, "UTC", "Pacific/Kiritimati", "America/New_York"])
def test_the_year_bounds_statistics_can_decide_equal_the_year_check(unit, zone):
    """A Parquet scan tests the years 1 to 9999 as bounds on the stored value (so that row-group
    statistics can skip it); at the edges, in any zone, that selects the rows the year test does."""
    from contractgen.runtime.check import _outside_years

    edges = [dt.datetime(9999, 12, 31, 23, 59, 59, 999000), dt.datetime(1, 1, 1), dt.datetime(2024, 5, 1)]
    values = pl.Series("x", edges, dtype=pl.Datetime(unit))
    values = values.dt.replace_time_zone(zone) if zone else values
    step = 1000 if unit == "us" else 1  # one millisecond
    physical = values.to_physical()
    beyond = pl.concat([physical, physical.head(1) + step, physical.slice(1, 1) - step]).cast(values.dtype)
    frame = pl.DataFrame({"x": beyond})
    bounds = frame.select(_outside_years("x", pl.Datetime(unit, zone))).to_series().to_list()
    assert bounds == [False, False, False, True, True]
    assert bounds == frame.select(~pl.col("x").dt.year().is_between(1, 9999)).to_series().to_list()
