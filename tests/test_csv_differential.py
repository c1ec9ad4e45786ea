"""The CSV reader against a reference written here from "Reading CSV" in docs/contract-format.md.

The reference is plain Python, one record and one cell at a time: its own CSV splitter (quotes,
doubled quotes, newlines inside quotes, CRLF), the structural rules (blank lines, short rows) and
one parser per type. Hypothesis writes CSV text for random columns, with valid values and the
cells that used to go wrong (blanks, whitespace, offsets, two-digit years, DST gaps, too many
digits), and the reader must agree on every row: the same value, or a violation on the same line.

The reader under test is `contractgen.runtime.read_csv`, which every generated `read_csv` calls
with its table; the tables here are built the way a generated `frame.py` builds them.
Budget: 100 examples; the seed is printed in the pytest header.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.runtime import Column, ContractViolationError, DataReadError, Table, read_csv

MAX_SAMPLES = 5
UTC = dt.UTC


class Refused(Exception):
    """The reference refuses a cell."""


@dataclass(frozen=True)
class Kind:
    """A column type: its dtype, its layout, and the reference parser of its (stripped) text."""

    name: str
    dtype: pl.DataType
    layout: str | None = None


KINDS = [
    Kind("int16", pl.Int16()),
    Kind("int32", pl.Int32()),
    Kind("uint8", pl.UInt8()),
    Kind("float64", pl.Float64()),
    Kind("decimal", pl.Decimal(6, 2)),
    Kind("boolean", pl.Boolean()),
    Kind("date", pl.Date()),
    Kind("date_dmy", pl.Date(), "%d/%m/%Y"),
    Kind("time", pl.Time()),
    Kind("timestamp", pl.Datetime("us")),
    Kind("timestamp_utc", pl.Datetime("ms", "UTC")),
    Kind("timestamp_paris", pl.Datetime("us", "Europe/Paris")),
    Kind("duration", pl.Duration("us")),
    Kind("string", pl.String()),
]

# ---------------------------------------------------------------- the reference, per the docs

_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|infinity|nan)", re.I)
_TS = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_DURATION = re.compile(
    r"([+-])?P(?:([0-9]{1,9})D)?(?:T(?:([0-9]{1,9})H)?(?:([0-9]{1,9})M)?(?:([0-9]{1,12})(?:\.([0-9]{1,9}))?S)?)?"
)
_DIGITS = {"ms": 3, "us": 6, "ns": 9}
_INT_RANGE = {"int16": (-(2**15), 2**15), "int32": (-(2**31), 2**31), "uint8": (0, 2**8)}


def _fraction(digits: str | None, keep: int) -> int:
    """Fractional digits as a count of 10**-keep; extra digits must be zeros."""
    digits = digits or ""
    if digits[keep:].strip("0"):
        raise Refused("finer than the unit")
    return int(digits[:keep].ljust(keep, "0") or 0)


def _timestamp(text: str, dtype: pl.Datetime) -> dt.datetime:
    match = _TS.fullmatch(text)
    if not match:
        raise Refused("not a timestamp")
    y, mo, d, h, mi, s, frac, offset = match.groups()
    if offset and dtype.time_zone is None:
        raise Refused("offset in a naive column")
    unit = dtype.time_unit or "us"
    micro = _fraction(frac, _DIGITS[unit]) * 10 ** (6 - _DIGITS[unit])
    try:
        wall = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro)
    except ValueError:
        raise Refused("not a calendar time") from None
    if dtype.time_zone is None:
        return wall
    zone = ZoneInfo(dtype.time_zone)
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = (
            dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])) * sign
            if offset != "Z"
            else dt.timedelta()
        )
        return wall.replace(tzinfo=dt.timezone(delta)).astimezone(zone)
    early, late = wall.replace(tzinfo=zone), wall.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        raise Refused("repeated wall-clock time")
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise Refused("skipped wall-clock time")
    return early


def _duration(text: str) -> dt.timedelta:
    match = _DURATION.fullmatch(text)
    if not match or not re.search("[0-9]", text) or text.endswith("T"):
        raise Refused("not a duration")
    sign, days, hours, minutes, seconds, frac = match.groups()
    micro = _fraction(frac, 6)
    value = dt.timedelta(
        days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), seconds=int(seconds or 0)
    ) + dt.timedelta(microseconds=micro)
    return -value if sign == "-" else value


def parse(kind: Kind, text: str) -> Any:
    """The reference value of a cell that is not null, or Refused."""
    if kind.name == "string":
        return text
    s = text.strip(" \t")
    if not s:
        raise Refused("blank")
    name = kind.name
    if name in _INT_RANGE:
        low, high = _INT_RANGE[name]
        if not re.fullmatch(r"[+-]?[0-9]+", s) or not low <= int(s) < high:  # -0 is 0, also unsigned
            raise Refused("not an integer of that width")
        return int(s)
    if name == "float64":
        if not _FLOAT.fullmatch(s) or (math.isinf(float(s)) and not re.search("(?i)inf", s)):
            raise Refused("not a float")
        if float(s) == 0 and re.search("[1-9]", re.split("[eE]", s)[0]):
            raise Refused("underflows to zero")
        return float(s)
    if name == "decimal":
        if not re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]{0,2})?|\.[0-9]{1,2})", s):
            raise Refused("not a decimal(6,2)")
        value = Decimal(s).quantize(Decimal("0.01"))
        if abs(value) >= Decimal(10**4):
            raise Refused("too many digits")
        return value
    if name == "boolean":
        if s.lower() not in ("true", "false"):
            raise Refused("not a boolean")
        return s.lower() == "true"
    if name in ("date", "date_dmy"):
        shape = r"[0-9]{4}-[0-9]{2}-[0-9]{2}" if name == "date" else r"[0-9]{2}/[0-9]{2}/[0-9]{4}"
        if not re.fullmatch(shape, s):
            raise Refused("not a date")
        try:
            return dt.datetime.strptime(s, kind.layout or "%Y-%m-%d").date()
        except ValueError:
            raise Refused("not a calendar day") from None
    if name == "time":
        match = re.fullmatch(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?", s)
        if not match:
            raise Refused("not a time")
        h, m, sec, frac = match.groups()
        try:
            return dt.time(int(h), int(m), int(sec), int((frac or "").ljust(9, "0")[:6]))
        except ValueError:
            raise Refused("not a time of day") from None
    if name.startswith("timestamp"):
        assert isinstance(kind.dtype, pl.Datetime)
        return _timestamp(s, kind.dtype)
    return _duration(s)


def split(text: str) -> list[tuple[int, list[tuple[str, bool]]]]:
    """CSV records: (line the record starts on, [(cell text, was quoted)])."""
    records: list[tuple[int, list[tuple[str, bool]]]] = []
    line, i, n = 1, 0, len(text)
    while i < n:
        start, cells = line, []
        while True:
            quoted = i < n and text[i] == '"'
            cell = []
            if quoted:
                i += 1
                while i < n:
                    if text[i] == '"':
                        if i + 1 < n and text[i + 1] == '"':
                            cell.append('"')
                            i += 2
                            continue
                        i += 1
                        break
                    line += text[i] == "\n"
                    cell.append(text[i])
                    i += 1
            tail = []
            while i < n and text[i] not in ",\n":
                tail.append(text[i])
                i += 1
            if tail[-1:] == ["\r"] and (i >= n or text[i] == "\n"):
                tail.pop()  # a CRLF line end
            value = "".join(cell + tail)
            cells.append((value, quoted))
            if i < n and text[i] == ",":
                i += 1
                continue
            break
        i += 1  # the newline
        line += 1
        records.append((start, cells))
    return records


@dataclass
class Expected:
    blank: list[int]
    short: list[int]
    rows: list[list[Any]]
    refused: dict[int, list[tuple[int, int, str]]]  # column index -> (row, line, text)


def reference(text: str, kinds: list[Kind], null_values: tuple[str, ...]) -> Expected:
    records = split(text)
    width = len(records[0][1])
    data = records[1:]
    while data and data[-1][1] == [("", False)]:
        data.pop()
    blank = [line for line, cells in data if cells == [("", False)]]
    short = [line for line, cells in data if len(cells) < width and cells != [("", False)]]
    rows: list[list[Any]] = []
    refused: dict[int, list[tuple[int, int, str]]] = {}
    if blank or short:
        return Expected(blank, short, rows, refused)
    for r, (line, cells) in enumerate(data):
        row = []
        for i, (kind, (cell, quoted)) in enumerate(zip(kinds, cells, strict=True)):
            null = (cell in null_values and cell != "") or (cell == "" and not quoted and "" in null_values)
            if null:
                row.append(None)
                continue
            try:
                row.append(parse(kind, cell))
            except Refused:
                refused.setdefault(i, []).append((r, line, cell))
                row.append(None)
        rows.append(row)
    return Expected(blank, short, rows, refused)


# ---------------------------------------------------------------- generating CSV text

TRICKY = [
    "1_000",
    "0x10",
    "1e",
    ".",
    "+.5",
    "1.5e+3",
    "infin",
    "1e-400",
    "4.9e-324",
    "2e-324",
    "0e-999",
    "-0",
    "-00",
    "255",
    "256",
    "1e999",
    "+",
    "",
    " ",
    "\t",
    " 5 ",
    "+5",
    "007",
    "1.0",
    "1e3",
    "inf",
    "-Infinity",
    "NaN",
    "x",
    "NA",
    "true",
    "TRUE",
    "yes",
    "1",
    "0",
    "32768",
    "-2147483649",
    "1.555",
    "12345.6",
    "-.25",
    "2024-02-30",
    "01/02/2024",
    "05/01/24",
    "05/01/2024",
    "2024-01-05",
    "10:00",
    "25:00:00",
    "10:00:00.123456789",
    "2024-01-01T10:00:00",
    "2024-01-01 10:00:00.5",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00+02:00",
    "2024-01-01T10:00:00+0530",
    "2024-01-01T10:00:00.1234",
    "2024-01-01T10:00:00.1230000",
    "2024-03-31 02:30:00",
    "2024-10-27 02:30:00",
    "P1DT2H",
    "PT0.5S",
    "-PT1S",
    "P",
    "P1W",
    "P1DT",
    "PT",
    "2024-06-15T10:00:60",
    "2024-06-15T23:59:60Z",
    "23:59:60",
    "PT0.0000001S",
    "a,b",
    'say "hi"',
    "two\nlines",
    "\r\n",
]


def _valid(kind: Kind) -> st.SearchStrategy[str]:
    name = kind.name
    if name in _INT_RANGE:
        bound = _INT_RANGE[name]
        return st.integers(bound[0], bound[1] - 1).map(str)
    if name == "float64":
        return st.floats(allow_nan=False, allow_infinity=False).map(repr)
    if name == "decimal":
        return st.decimals(min_value=-9999, max_value=9999, places=2).map(str)
    if name == "boolean":
        return st.sampled_from(["true", "false", "True", "FALSE"])
    days = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
    if name == "date":
        return days.map(dt.date.isoformat)
    if name == "date_dmy":
        return days.map(lambda d: d.strftime("%d/%m/%Y"))
    if name == "time":
        return st.times().map(lambda t: t.isoformat())
    if name.startswith("timestamp"):
        moments = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1))
        unit_ms = name == "timestamp_utc"
        return moments.map(
            lambda m: m.replace(
                microsecond=m.microsecond // 1000 * 1000 if unit_ms else m.microsecond
            ).isoformat()
        )
    if name == "duration":
        return st.timedeltas(dt.timedelta(days=-9999), dt.timedelta(days=9999)).map(
            lambda d: (
                f"{'-' if d < dt.timedelta() else ''}P{abs(d).days}DT{abs(d).seconds}.{abs(d).microseconds:06d}S"
            )
        )
    return st.text(max_size=5)


def _render(cell: str, force: bool) -> str:
    if force or any(c in cell for c in ',"\n\r') or cell[:1] == '"':
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def csv_case(draw: st.DrawFn) -> tuple[str, list[Kind], tuple[str, ...]]:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    names = [f"c{i}_{k.name}" for i, k in enumerate(kinds)]
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(names)]
    for _ in range(draw(st.integers(0, 8))):
        cells = [draw(st.one_of(_valid(k), st.sampled_from(TRICKY))) for k in kinds]
        rendered = [_render(c, draw(st.booleans()) and draw(st.booleans())) for c in cells]
        shape = draw(st.sampled_from(["row"] * 12 + ["short", "blank"]))
        if shape == "short" and len(rendered) > 1:
            rendered = rendered[: draw(st.integers(1, len(rendered) - 1))]
        lines.append("" if shape == "blank" else ",".join(rendered))
    text = eol.join(lines) + draw(st.sampled_from(["", eol, eol + eol]))
    nulls = draw(st.sampled_from([("",), ("", "NA"), ("", " "), ("NA",)]))
    return text, kinds, nulls


def _listed(message: str, what: str) -> list[int]:
    found = re.search(rf"{what}[^;]*? at lines? ([0-9, .]+)", message)
    return [int(n) for n in re.findall("[0-9]+", found.group(1))] if found else []


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) and type(a) is type(b)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
@given(csv_case())
def test_reader_and_reference_agree_on_every_row(case: tuple[str, list[Kind], tuple[str, ...]]) -> None:
    text, kinds, nulls = case
    names = [f"c{i}_{k.name}" for i, k in enumerate(kinds)]
    table = Table(
        "diff",
        "1.0.0",
        pl.Schema(dict(zip(names, (k.dtype for k in kinds), strict=True))),
        tuple(Column(n, layout=k.layout) for n, k in zip(names, kinds, strict=True)),
    )
    want = reference(text, kinds, nulls)
    try:
        frame = read_csv(text.encode(), table, null_values=nulls)
    except DataReadError as exc:
        assert want.blank or want.short, f"unexpected read error: {exc}"
        assert _listed(str(exc), "blank line") == want.blank[:MAX_SAMPLES]
        assert _listed(str(exc), "fewer fields") == want.short[:MAX_SAMPLES]
        return
    except ContractViolationError as exc:
        assert not (want.blank or want.short)
        got = {v.column: v for v in exc.violations}
        assert all(v.kind == "dtype" for v in exc.violations), exc.render()
        expected = {names[i]: cells for i, cells in want.refused.items()}
        assert set(got) == set(expected), exc.render()
        for name, cells in expected.items():
            violation = got[name]
            assert violation.count == len(cells), violation.render()
            assert [(r, v) for r, v in violation.samples] == [(r, c) for r, _, c in cells[:MAX_SAMPLES]]
            lines = ", ".join(str(line) for _, line, _ in cells[:MAX_SAMPLES])
            assert f" on line{'s' * (len(cells) != 1)} {lines}" in violation.message, violation.message
        return
    assert not (want.blank or want.short or want.refused), f"read without complaint: {want}"
    got_rows = [list(r) for r in frame.rows()]
    assert len(got_rows) == len(want.rows)
    for got_row, want_row in zip(got_rows, want.rows, strict=True):
        assert all(_same(g, w) for g, w in zip(got_row, want_row, strict=True)), (got_row, want_row)


@pytest.mark.parametrize(
    ("text", "lines"),
    [("a\n1\n\n2\n", [3]), ('a,b\n"x\ny",1\n2\n', [4])],
)
def test_reference_finds_blank_and_short_lines(text, lines):
    """The reference itself, on cases worked by hand."""
    want = reference(text, [KINDS[0], KINDS[0]][: len(text.split("\n")[0].split(","))], ("",))
    assert want.blank + want.short == lines
