"""Reproductions: the generated read_csv turns text into values silently or inconsistently.

Each test builds a small contract into tmp_path, imports the generated package and reads a CSV
written for the case. Every test here fails on the code as it is today.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from contractgen.build import build
from contractgen.runtime import ContractViolationError, DataReadError

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


def csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("ftype", ["int32", "float64"])
def test_whitespace_only_numeric_cell_is_a_violation(package, tmp_path, ftype):
    """A cell holding only a space in a numeric column is reported with its row, not read as null."""
    pkg = package(
        f"""
        data_source: csv_blank_{ftype}
        version: 1.0.0
        schema:
          n: {ftype}
          s: string
        """
    )
    path = csv(tmp_path, "n,s\n1,a\n ,b\n")
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(path)  # today: returns n = [1, None]
    assert [(v.column, [row for row, _ in v.samples]) for v in exc.value.violations] == [("n", [1])]


@pytest.mark.parametrize(
    ("case", "text"),
    [("short row", "n,s\n1,a\n2\n3,c\n"), ("blank line", "n,s\n1,a\n\n3,c\n")],
    ids=["short-row", "blank-line"],
)
def test_short_row_or_blank_line_is_an_error_naming_the_line(package, tmp_path, case, text):
    """A row with fewer cells than the header (or an empty line) is an error naming line 3, not nulls."""
    pkg = package(
        f"""
        data_source: csv_short_{case.split()[0]}
        version: 1.0.0
        schema:
          n: int32
          s: string
        """
    )
    with pytest.raises((ContractViolationError, DataReadError)) as exc:
        pkg.read_csv(csv(tmp_path, text))  # today: row 1 becomes (2, None) / (None, None)
    assert "line 3" in str(exc.value) or "row 1" in str(exc.value)


def test_naive_text_in_zoned_column_means_one_instant_whichever_path(package, tmp_path):
    """The same naive text in a Europe/Paris column is the same instant whether or not an unrelated
    cell forces the text fallback (today: 11:00 Paris, i.e. read as UTC, vs 10:00 Paris)."""
    pkg = package(
        """
        data_source: csv_zone_paths
        version: 1.0.0
        schema:
          n: int32
          ts: timestamp (Europe/Paris)
        """
    )
    direct = pkg.read_csv(csv(tmp_path, "n,ts\n1,2024-01-01T10:00:00\n"))
    # "1 " (trailing space) makes the typed parse fail; the fallback strips it and reads 1.
    fallback = pkg.read_csv(csv(tmp_path, "n,ts\n1 ,2024-01-01T10:00:00\n"))
    assert fallback["n"].to_list() == direct["n"].to_list() == [1]
    assert direct["ts"].to_list() == fallback["ts"].to_list()


def test_offset_in_naive_timestamp_column_is_a_violation(package, tmp_path):
    """An explicit offset in a naive timestamp column is reported (as the fallback path does), not
    silently converted to UTC wall time (today: 10:00+02:00 becomes 08:00)."""
    pkg = package(
        """
        data_source: csv_naive_offset
        version: 1.0.0
        schema:
          n: int32
          ts: timestamp
        """
    )
    path = csv(tmp_path, "n,ts\n1,2024-01-01T10:00:00+02:00\n")
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(path)
    assert [v.column for v in exc.value.violations] == ["ts"]


def test_plain_date_column_does_not_guess_day_or_month_first(package, tmp_path):
    """'01/02/2024' in a `date` (YYYY-MM-DD) column is reported, not guessed as 1 February from
    the first row (the same cell is rejected when the first row is ISO)."""
    pkg = package(
        """
        data_source: csv_date_guess
        version: 1.0.0
        schema:
          n: int32
          d: date
        """
    )
    with pytest.raises(ContractViolationError):
        pkg.read_csv(csv(tmp_path, "n,d\n1,2024-01-02\n2,01/02/2024\n"))  # rejected today: good
    with pytest.raises(ContractViolationError):
        pkg.read_csv(csv(tmp_path, "n,d\n2,01/02/2024\n"))  # today: date(2024, 2, 1)


def test_two_digit_year_under_four_digit_layout_is_a_violation(package, tmp_path):
    """'05/01/24' under `date (DD/MM/YYYY)` is reported, not read as the year 24."""
    pkg = package(
        """
        data_source: csv_short_year
        version: 1.0.0
        schema:
          d: date (DD/MM/YYYY)
        """
    )
    try:
        frame = pkg.read_csv(csv(tmp_path, "d\n05/01/2024\n05/01/24\n"))
    except ContractViolationError as exc:
        assert [(v.column, [r for r, _ in v.samples]) for v in exc.violations] == [("d", [1])]
    else:
        assert frame["d"].to_list()[1] != dt.date(24, 1, 5), "05/01/24 was read as the year 24"


def test_unparsable_value_does_not_hide_the_columns_other_violations(package, tmp_path):
    """A non-integer and an out-of-range integer in one column are both reported."""
    pkg = package(
        """
        data_source: csv_hidden
        version: 1.0.0
        schema:
          n:
            type: int32
            minimum: 0
        """
    )
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(csv(tmp_path, "n\nx\n-5\n"))
    assert sorted(v.kind for v in exc.value.violations) == ["dtype", "minimum"]  # today: ["dtype"]


def test_bad_time_value_is_a_row_violation(package, tmp_path):
    """One unparsable `time` cell is a row-level violation, not a failure to read the whole file."""
    pkg = package(
        """
        data_source: csv_bad_time
        version: 1.0.0
        schema:
          t: time
        """
    )
    with pytest.raises(ContractViolationError) as exc:  # today: DataReadError for the whole file
        pkg.read_csv(csv(tmp_path, "t\n25:99:00\n10:00:00\n"))
    assert [(v.column, [r for r, _ in v.samples]) for v in exc.value.violations] == [("t", [0])]


def _refused_rows(exc: pytest.ExceptionInfo[ContractViolationError]) -> dict[str, list[int]]:
    return {v.column: [row for row, _ in v.samples] for v in exc.value.violations}


@pytest.mark.parametrize("zone", ["", "timezone: UTC"], ids=["naive", "utc"])
def test_nanosecond_timestamp_outside_its_range_is_refused_not_wrapped(package, tmp_path, zone):
    """1500 and 2300 do not fit in Datetime(ns) (1677-2262): refused with their rows, as Parquet
    data is (before: wrapped around by 2**64 ns, 1500 read as 2084)."""
    pkg = package(
        f"""
        data_source: csv_ns_range_{"utc" if zone else "naive"}
        version: 1.0.0
        schema:
          at:
            type: timestamp
            time_unit: ns
            {zone}
        """
    )
    text = (
        "at\n2024-01-01T00:00:00\n1500-01-01T00:00:00\n2300-01-01T00:00:00\n2262-04-11T23:47:16.854775807\n"
    )
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(csv(tmp_path, text))
    assert _refused_rows(exc) == {"at": [1, 2]}
    assert "outside the range of Datetime" in exc.value.violations[0].message


def test_nanosecond_timestamp_layout_outside_its_range_is_refused(package, tmp_path):
    pkg = package(
        """
        data_source: csv_ns_layout
        version: 1.0.0
        schema:
          at:
            type: timestamp
            format: DD/MM/YYYY HH:mm:ss
            time_unit: ns
        """
    )
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(csv(tmp_path, "at\n01/01/2000 00:00:00\n01/01/1500 00:00:00\n"))
    assert _refused_rows(exc) == {"at": [1]}


@pytest.mark.parametrize("cell", ["2024-06-15T10:00:60", "2024-06-15 23:59:60"])
def test_timestamp_second_60_is_refused_not_rolled_over(package, tmp_path, cell):
    """Seconds run 00-59, as for `time` (before: 10:00:60 read as 10:01:00, 23:59:60 as the next day)."""
    pkg = package(
        """
        data_source: csv_leap
        version: 1.0.0
        schema:
          at: timestamp
        """
    )
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(csv(tmp_path, f"at\n2024-06-15T10:00:00\n{cell}\n"))
    assert _refused_rows(exc) == {"at": [1]}


@pytest.mark.parametrize(("ftype", "cell"), [("float32", "1e-50"), ("float64", "1e-400")])
def test_float_underflow_is_refused_not_zero(package, tmp_path, ftype, cell):
    """A non-zero number too small for the type is refused (before: read as 0.0); 0e-999 is zero."""
    pkg = package(
        f"""
        data_source: csv_tiny_{ftype}
        version: 1.0.0
        schema:
          x: {ftype}
        """
    )
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(csv(tmp_path, f"x\n0e-999\n-0.0\n{cell}\n"))
    assert _refused_rows(exc) == {"x": [2]}
    assert ("declare float64" in str(exc.value)) == (ftype == "float32")


def test_minus_zero_is_zero_in_an_unsigned_column(package, tmp_path):
    """`-0` is zero, as `+0` is (before: refused in uint8 while `+5` was accepted)."""
    pkg = package(
        """
        data_source: csv_minus_zero
        version: 1.0.0
        schema:
          n: uint8
        """
    )
    assert pkg.read_csv(csv(tmp_path, "n\n-0\n+5\n-00\n"))["n"].to_list() == [0, 5, 0]
    with pytest.raises(ContractViolationError):
        pkg.read_csv(csv(tmp_path, "n\n-1\n"))


@pytest.mark.parametrize("cell", ["P1DT", "PT"])
def test_duration_with_an_empty_time_part_is_refused(package, tmp_path, cell):
    """`T` must be followed by a component (before: `P1DT` read as one day)."""
    pkg = package(
        f"""
        data_source: csv_dur_{cell.lower()}
        version: 1.0.0
        schema:
          d: duration
        """
    )
    with pytest.raises(ContractViolationError) as exc:
        pkg.read_csv(csv(tmp_path, f"d\nP1DT1H\n{cell}\n"))
    assert _refused_rows(exc) == {"d": [1]}


def test_null_values_as_one_text_is_one_spelling(package, tmp_path):
    """`null_values="NA"` is the spelling NA (before: the letters N and A, one by one)."""
    pkg = package(
        """
        data_source: csv_null_str
        version: 1.0.0
        schema:
          s: string
        """
    )
    frame = pkg.read_csv(csv(tmp_path, "s\nNA\nN\nA\n\n"), null_values="NA")
    assert frame["s"].to_list() == [None, "N", "A"]


@pytest.mark.parametrize(
    ("option", "value"), [("separator", ""), ("separator", ";;"), ("separator", "§"), ("quote_char", "''")]
)
def test_separator_or_quote_of_other_than_one_byte_is_refused_by_name(package, tmp_path, option, value):
    """An empty separator is not a comma: refused, naming the option."""
    pkg = package(
        f"""
        data_source: csv_dialect_{option}_{len(value.encode())}
        version: 1.0.0
        schema:
          s: string
        """
    )
    with pytest.raises(DataReadError, match=f"{option} must be one single-byte character"):
        pkg.read_csv(csv(tmp_path, "s\na\n"), **{option: value})


def _three_columns(package: Package, name: str) -> ModuleType:
    return package(
        f"""
        data_source: {name}
        version: 1.0.0
        schema:
          id: int32
          name: string
          amt: int32
        """
    )


def test_long_row_after_a_multiline_field_names_the_files_line(package, tmp_path):
    """The long row starts on file line 5 (the quoted field holds two newlines); before: line 3."""
    pkg = _three_columns(package, "csv_long_line")
    with pytest.raises(DataReadError, match=r"more fields than the header's 3 at line 5$"):
        pkg.read_csv(csv(tmp_path, 'id,name,amt\n1,"a\nb\nc",2\n2,b,3,4\n'))


def test_invalid_utf8_names_its_line_without_quoting_it(package, tmp_path):
    pkg = _three_columns(package, "csv_bad_utf8")
    path = tmp_path / "data.csv"
    path.write_bytes(b"id,name,amt\n1,x,2\n2,caf\xe9,2\n")
    with pytest.raises(DataReadError, match="line 3 has bytes that are not utf8") as exc:
        pkg.read_csv(path)
    assert "caf" not in str(exc.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [('id,name,amt\n1,5" screen,2\n2,b,3\n', 2), ('id,name,amt\n1,"x\ny",2\n2,5" tv,3\n3,7" tv,3\n', 4)],
)
def test_stray_quote_is_a_read_error_naming_its_line(package, tmp_path, text, line):
    """Polars cannot split a file with an unpaired quote inside a field: the error says where
    and what to do (before: "CSV malformed: expected 0 rows, actual 2 rows, in chunk ...")."""
    pkg = _three_columns(package, f"csv_stray_quote_{line}")
    with pytest.raises(DataReadError, match=f"line {line} has a quote character") as exc:
        pkg.read_csv(csv(tmp_path, text))
    assert "quote_char=None" in str(exc.value)
    assert pkg.read_csv(csv(tmp_path, text.replace('\n1,"x\ny"', "\n1,xy")), quote_char=None).height >= 2


def test_paired_quotes_inside_a_field_are_text(package, tmp_path):
    pkg = _three_columns(package, "csv_paired_quotes")
    assert pkg.read_csv(csv(tmp_path, 'id,name,amt\n1,a"b"c,2\n'))["name"].to_list() == ['a"b"c']
