"""Text to values: one parser per type, the grammar `docs/contract-format.md` documents.

Every text format (CSV today) reads each column as text and turns it into the contract's dtype
here, with vectorised Polars expressions. A parser never looks at other rows: the same text
gives the same value (or the same refusal) wherever it appears. Surrounding spaces and tabs are
stripped for non-text types; a cell of only whitespace is not a value. Text and enum columns are
kept exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

_WS = r"^[ \t]+$"
_SIGN = "[+-]?"
INT = rf"^{_SIGN}[0-9]+$"
FLOAT = rf"^{_SIGN}(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$|^(?i:{_SIGN}(?:inf|infinity|nan))$"
BOOL = "^(?i:true|false)$"
_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
OFFSET = "(?:Z|[+-][0-9]{2}:?[0-9]{2})"
DURATION = (
    r"^([+-])?P(?:([0-9]{1,9})D)?(?:T(?:([0-9]{1,9})H)?(?:([0-9]{1,9})M)?"
    r"(?:([0-9]{1,12})(?:\.([0-9]{1,9}))?S)?)?$"
)
DIGITS = {"ms": 3, "us": 6, "ns": 9}
_NS = {"ms": 1_000_000, "us": 1_000, "ns": 1}
WHITESPACE_HINT = "a cell of only whitespace is not null unless null_values lists it (add ' ' to null_values)"
# strptime directives a layout may use, and the text each one matches (exactly, no guessing).
DIRECTIVES = {
    "%Y": "[0-9]{4}",
    "%m": "[0-9]{2}",
    "%d": "[0-9]{2}",
    "%H": "[0-9]{2}",
    "%M": "[0-9]{2}",
    "%S": "[0-5][0-9]",  # no leap second: chrono would roll 23:59:60 into the next day
    "%y": "[0-9]{2}",
    "%b": "[A-Za-z]{3}",
    "%.f": r"(?:\.[0-9]{1,9})?",
    "%f": "[0-9]{1,9}",
    "%%": "%",
}


@dataclass(frozen=True, slots=True)
class Parser:
    """How one column's text becomes its dtype.

    `value` is null where the text does not parse; `hint`, evaluated only on rows that failed,
    says why and what to declare instead.
    """

    value: pl.Expr
    hint: pl.Expr


def parser(name: str, dtype: pl.DataType, layout: str | None) -> Parser | None:  # noqa: PLR0911 -- one return per kind of type
    """The parser of `dtype`, or None when the text is kept as it is (text, enums) or CSV cannot
    hold the type (binary, lists, structs)."""
    raw = pl.col(name)
    text = raw.str.strip_chars(" \t")
    if dtype.is_integer():
        value = text.cast(dtype, strict=False)
        if dtype.is_unsigned_integer():
            # Rust refuses "-0" for unsigned types; it is zero, as "+0" is. The regex runs only
            # on the cells the cast refused (null elsewhere).
            minus_zero = pl.when(value.is_null()).then(text).str.contains("^-0+$")
            value = pl.when(minus_zero).then(pl.lit(0, dtype)).otherwise(value)
        return _cast(
            raw,
            text,
            INT,
            value,
            "an integer (digits, optional sign)",
            f"outside the range of {dtype}: declare a wider integer type",
        )
    if dtype.is_float():
        value = text.cast(dtype, strict=False)
        # Infinite without an i in the text: a finite number too large for the type. Zero with a
        # non-zero digit before the exponent: a number too small for it (underflow). Each regex
        # runs only on the cells that need it (null elsewhere).
        huge = pl.when(value.is_infinite()).then(text).str.contains("[iI]").not_().fill_null(False)
        tiny = pl.when(value == 0).then(text).str.contains("^[^eE]*[1-9]").fill_null(False)
        value = pl.when(~(huge | tiny)).then(value)
        wider = "declare float64" if dtype == pl.Float32 else "float64 holds nothing finer"
        return _cast(
            raw,
            text,
            FLOAT,
            value,
            "a number such as 1, -2.5, 1e-3, inf or nan",
            f"outside the range of {dtype} (too large, or too small to be told from 0): {wider}",
        )
    if isinstance(dtype, pl.Decimal):
        return _decimal(raw, text, dtype)
    if isinstance(dtype, pl.Boolean):
        lowered = text.str.to_lowercase()
        value = pl.when(lowered == "true").then(True).when(lowered == "false").then(False)
        return _cast(raw, text, BOOL, value, "true or false (any case)", "")
    if isinstance(dtype, pl.Date):
        fmt = layout or "%Y-%m-%d"
        expected = (
            f"a date written {layout}"
            if layout
            else ("an ISO date YYYY-MM-DD (declare a layout such as `date (DD/MM/YYYY)` for other spellings)")
        )
        return _checked(
            raw, text, layout_regex(fmt), text.str.to_date(fmt, strict=False), expected, "not a calendar day"
        )
    if isinstance(dtype, pl.Time):
        fmt = layout or "%H:%M:%S%.f"
        expected = f"a time written {layout}" if layout else "a time HH:MM:SS with up to 9 fractional digits"
        return _checked(
            raw, text, layout_regex(fmt), text.str.to_time(fmt, strict=False), expected, "not a time of day"
        )
    if isinstance(dtype, pl.Datetime):
        return _datetime(raw, text, dtype, layout)
    if isinstance(dtype, pl.Duration):
        return _duration(raw, text, dtype)
    return None


def _checked(  # noqa: PLR0913, PLR0917 -- a parser's parts, named at every call
    raw: pl.Expr, text: pl.Expr, grammar: str, value: pl.Expr, expected: str, invalid: str
) -> Parser:
    """A parser whose text must match `grammar` before it is converted: text outside the grammar
    is refused with `expected`, text inside it that still does not convert with `invalid`."""
    shaped = text.str.contains(grammar)
    return Parser(pl.when(shaped).then(value), _hint(raw, text, grammar, expected, invalid))


def _cast(raw: pl.Expr, text: pl.Expr, grammar: str, value: pl.Expr, expected: str, invalid: str) -> Parser:  # noqa: PLR0913, PLR0917 -- as _checked
    """A parser for a type whose Polars cast accepts exactly `grammar` (integers and floats, by
    Rust's own number parsing): no separate check of the text's shape, the cost of a regex pass.
    The differential test (tests/test_csv_differential.py) holds the cast to the grammar."""
    return Parser(value, _hint(raw, text, grammar, expected, invalid))


def _hint(raw: pl.Expr, text: pl.Expr, grammar: str, expected: str, invalid: str) -> pl.Expr:
    shaped = text.str.contains(grammar)
    return (
        pl.when(raw.str.contains(_WS))
        .then(pl.lit(WHITESPACE_HINT))
        .when(~shaped)
        .then(pl.lit(f"expected {expected}"))
        .otherwise(pl.lit(invalid or f"expected {expected}"))
    )


def layout_regex(fmt: str, *, year: bool = False) -> str:
    """A strptime layout as an anchored regular expression: each directive matches exactly its
    width (`%Y` four digits), everything else literally. With `year`, `%Y` is capture group 1."""
    out = []
    for part in re.split(r"(%\.f|%.)", fmt):
        pattern = DIRECTIVES.get(part, ".+?" if part.startswith("%") else re.escape(part))
        out.append(f"({pattern})" if year and part == "%Y" else pattern)
    return "^" + "".join(out) + "$"


def _wrapped(value: pl.Expr, year: pl.Expr) -> pl.Expr:
    """Where a nanosecond parse overflowed: Polars wraps a timestamp outside 1677-2262 around by
    2**64 ns (584 years) instead of failing, so its year is far from the year written. An offset
    can move the year by one, never more."""
    return (value.dt.year() - year.cast(pl.Int32, strict=False)).abs() > 1


def decimal_grammar(scale: int) -> str:
    """The text of a decimal with at most `scale` digits after the point."""
    return rf"^{_SIGN}(?:[0-9]+(?:\.[0-9]{{0,{scale}}})?|\.[0-9]{{1,{scale}}})$" if scale else INT


def timestamp_grammar(unit: str, zoned: bool) -> tuple[str, str]:
    """An ISO timestamp's text without its end (`body`, unanchored at the end) and whole
    (`grammar`): seconds 00-59, at most the unit's fractional digits (then only zeros), an
    optional offset only in a zoned column."""
    digits = DIGITS[unit]
    body = (  # seconds 00-59: chrono would roll a leap second 10:00:60 into 10:01:00
        rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}}:[0-5][0-9](?:\.[0-9]{{1,{digits}}}0*)?"
    )
    return body, body + (f"{OFFSET}?$" if zoned else "$")


def _decimal(raw: pl.Expr, text: pl.Expr, dtype: pl.Decimal) -> Parser:
    scale = dtype.scale
    grammar = decimal_grammar(scale)
    expected = f"a decimal with at most {scale} digit{'s' * (scale != 1)} after the point"
    finer = text.str.contains(rf"\.[0-9]{{{scale + 1},}}$")
    parsed = _checked(
        raw,
        text,
        grammar,
        text.cast(dtype, strict=False),
        expected,
        f"too many digits for {dtype}: declare a larger precision",
    )
    hint = pl.when(finer).then(pl.lit(f"{expected}: declare a larger scale")).otherwise(parsed.hint)
    return Parser(parsed.value, hint)


def _datetime(raw: pl.Expr, text: pl.Expr, dtype: pl.Datetime, layout: str | None) -> Parser:
    """ISO 8601 `YYYY-MM-DD[T ]HH:MM:SS[.fraction][offset]`, or the contract's layout.

    Naive text in a zoned column is wall-clock time in the column's zone; text with an offset
    (`Z`, `+02:00`, `+0200`) is that instant, shown in the column's zone. An offset in a naive
    column, or more fractional digits than the time unit holds, is refused."""
    unit, zone = dtype.time_unit or "us", dtype.time_zone
    digits = DIGITS[unit]
    outside = f"outside the range of {dtype}: declare `time_unit: us`"
    if layout is not None:
        naive = text.str.to_datetime(layout, time_unit=unit, strict=False)
        value = naive.dt.replace_time_zone(zone, ambiguous="null", non_existent="null") if zone else naive
        parsed = _checked(
            raw, text, layout_regex(layout), value, f"a timestamp written {layout}", "not a valid timestamp"
        )
        if unit != "ns" or "%Y" not in layout:
            return parsed  # %y years (1970-2069) and the default 1970 fit in nanoseconds
        wrapped = _wrapped(naive, text.str.extract(layout_regex(layout, year=True), 1))
        hint = pl.when(wrapped).then(pl.lit(outside)).otherwise(parsed.hint)
        return Parser(pl.when(~wrapped).then(parsed.value), hint)
    body, grammar = timestamp_grammar(unit, zone is not None)
    # The grammar allows one space, between the date and the time: a literal replace suffices.
    iso = text.str.replace_all(" ", "T", literal=True)
    if zone:
        # One parse for both spellings (parsing is the costly part): naive text is read as if it
        # were UTC, then given its real zone; text with an offset is converted.
        has_offset = text.str.contains(f"{OFFSET}$")
        utc = pl.when(has_offset).then(iso).otherwise(iso + "Z")
        instant = utc.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_unit=unit, strict=False)
        wall = instant.dt.replace_time_zone(None).dt.replace_time_zone(
            zone, ambiguous="null", non_existent="null"
        )
        value = pl.when(has_offset).then(instant.dt.convert_time_zone(zone)).otherwise(wall)
    else:
        value = iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit=unit, strict=False)
    wrapped = _wrapped(value, text.str.slice(0, 4)) if unit == "ns" else pl.lit(False)
    if unit == "ns":
        value = pl.when(~wrapped).then(value)
    finer = "us or ns" if unit == "ms" else "ns"
    parsed = _checked(
        raw,
        text,
        grammar,
        value,
        "an ISO timestamp YYYY-MM-DD HH:MM:SS[.fraction]" + ("[offset]" if zone else ""),
        f"not a valid timestamp{' in ' + zone if zone else ''} (a day that does not exist, "
        "or a wall-clock time the zone skips or repeats)",
    )
    hint = (
        pl.when(text.str.contains(body + f"{OFFSET}$") & pl.lit(zone is None))
        .then(
            pl.lit("has a UTC offset but the column is naive: declare `timezone: UTC` (or the data's zone)")
        )
        .when(wrapped & text.str.contains(grammar))
        .then(pl.lit(outside))
        .when(text.str.contains(rf":[0-9]{{2}}\.[0-9]{{{digits}}}[0-9]*[1-9]"))
        .then(pl.lit(f"more fractional digits than time_unit {unit} holds: declare `time_unit: {finer}`"))
        .otherwise(parsed.hint)
    )
    return Parser(parsed.value, hint)


def _duration(raw: pl.Expr, text: pl.Expr, dtype: pl.Duration) -> Parser:
    """ISO 8601 `[-]PnDTnHnMn[.fraction]S` (days, hours, minutes, seconds: the parts of a fixed
    length), as Pydantic writes a timedelta."""
    unit = dtype.time_unit or "us"
    parts = text.str.extract_groups(DURATION)
    big = pl.Int128

    def part(i: int) -> pl.Expr:
        return parts.struct.field(str(i)).cast(big, strict=False).fill_null(0)

    fraction = parts.struct.field("6").str.pad_end(9, "0").cast(big, strict=False).fill_null(0)
    seconds = ((part(2) * 24 + part(3)) * 60 + part(4)) * 60 + part(5)
    total_ns = seconds * 1_000_000_000 + fraction
    sign = pl.when(parts.struct.field("1") == "-").then(-1).otherwise(1)
    exact = (total_ns % _NS[unit]) == 0
    count = (total_ns // _NS[unit]) * sign
    fits = count.is_between(-(2**63) + 1, 2**63 - 1)
    value = pl.when(exact & fits).then(count.cast(pl.Int64, strict=False)).cast(pl.Duration(unit))
    grammar = DURATION.replace("$", "") + "$"
    # A component after P, and after T if there is one (`P`, `PT`, `P1DT` are refused).
    nonempty = text.str.contains("[0-9]") & ~text.str.ends_with("T")
    finer = "us or ns" if unit == "ms" else "ns"
    parsed = _checked(
        raw,
        text,
        grammar,
        pl.when(nonempty).then(value),
        "an ISO 8601 duration such as P1DT2H30M or PT0.5S",
        "",
    )
    hint = (
        pl.when(text.str.contains(DURATION) & ~exact)
        .then(pl.lit(f"more fractional digits than time_unit {unit} holds: declare `time_unit: {finer}`"))
        .when(text.str.contains(DURATION) & nonempty & ~fits)
        .then(pl.lit(f"outside the range of {dtype}"))
        .otherwise(parsed.hint)
    )
    return Parser(parsed.value, hint)
