"""The values a contract writes as text: literals of a field's type, durations, percentages.

Each is read from the text exactly as written (never through a YAML library's guess), so that
`0.1` for a decimal is exactly Decimal("0.1") and `2.10` for a version stays "2.10".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from contractgen.contract import INT_RANGE, Duration, FieldType, Value

INT = re.compile(r"^[-+]?[0-9]+\Z")
FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*\Z")
_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(milliseconds?|millis|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|"
    r"days?|d|weeks?|w|months?|years?|y)\b",
    re.IGNORECASE,
)
_UNIT_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86_400,
    "w": 604_800,
    "mo": 2_592_000,
    "y": 31_536_000,
}
# ISO 8601 durations (`P1Y`, `PT25H`, `P3M`), which ODCS and DCS documents write; a month is 30 days.
_ISO = re.compile(
    r"^\s*P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?\s*\Z"
)
_ISO_SECONDS = (31_536_000, 2_592_000, 604_800, 86_400, 3600, 60, 1)


def parse_duration(text: str) -> Duration | None:
    """The duration a text is in ISO 8601 (`P1Y`, `PT25H`) or starts with in words or units
    ("5 minutes", "500ms", "25h", "90 days advance notice"), or None. The one duration grammar of
    every format: native, ODCS and DCS read the same spellings."""
    iso = _ISO.match(text)
    if iso is not None and any(iso.groups()) and not text.strip().endswith("T"):
        seconds = sum(float(g) * s for g, s in zip(iso.groups(), _ISO_SECONDS, strict=True) if g)
        return Duration(text, seconds)
    match = _DURATION.match(text)
    if match is None:
        return None
    unit = match.group(2).lower()
    key = "mo" if unit.startswith("mo") else "ms" if unit.startswith(("ms", "milli")) else unit[0]
    return Duration(text, float(match.group(1)) * _UNIT_SECONDS[key])


def parse_percent(text: str) -> str | None:
    """A percentage in one spelling, `99.5%`, from `99.5%`, `99.5 %` or None if it is not one."""
    match = PERCENT.match(text)
    return f"{match.group(1)}%" if match else None


def parse_value(text: str, ftype: FieldType) -> Value:  # noqa: PLR0911, PLR0912 -- one return per kind of type
    """A literal of `ftype` from its text; ValueError says what is wrong with it."""
    kind = ftype.kind
    if kind == "integer":
        if not INT.match(text):
            raise ValueError(f"'{text}' is not a whole number")
        value = int(text)
        lo, hi = INT_RANGE[(ftype.bits or 64, ftype.signed)]
        if not lo <= value <= hi:
            raise ValueError(f"{value} does not fit in {ftype.describe()}")
        return value
    if kind == "float":
        if not FLOAT.match(text):
            raise ValueError(f"'{text}' is not a number")
        real = float(text)
        if not math.isfinite(real):
            raise ValueError(f"'{text}' is beyond the range of a float")
        return real
    if kind == "decimal":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"'{text}' is not a decimal number") from None
        if not number.is_finite():
            raise ValueError(f"'{text}' is not a finite number")
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > (ftype.scale or 0):
            raise ValueError(f"'{text}' has more decimal places than {ftype.describe()}")
        return number
    if kind == "boolean":
        if text not in BOOL:
            raise ValueError(f"'{text}' is not true or false")
        return BOOL[text]
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "time":
        _within_microseconds(text)
        return dt.time.fromisoformat(text)
    if kind == "timestamp":
        _within_microseconds(text)
        stamp = dt.datetime.fromisoformat(text)
        if (stamp.tzinfo is None) != (ftype.timezone is None):
            raise ValueError(
                f"'{text}' {'has no' if stamp.tzinfo is None else 'has a'} time zone but the field is "
                f"{'zoned' if ftype.timezone else 'naive'}"
            )
        return stamp
    if kind == "enum":
        if text not in ftype.values:
            raise ValueError(f"'{text}' is not one of the enum values")
        return text
    if kind in ("string",):
        return text
    raise ValueError(f"a {kind} field cannot have this value")


_SUB_MICROSECOND = re.compile(r"[T\s]?\d{1,2}:\d{2}:\d{2}[.,]\d{6}(\d+)")


def _within_microseconds(text: str) -> None:
    """Refuse digits past the microsecond: a Python datetime cannot hold them, and dropping them
    would change the value (a ns default or bound would be truncated in the generated code)."""
    match = _SUB_MICROSECOND.search(text)
    if match is not None and match.group(1).strip("0"):
        raise ValueError(
            f"'{text}' is finer than a microsecond, which a Python datetime cannot hold; "
            "write at most 6 fractional digits"
        )


def value_hint(ftype: FieldType) -> str:
    return {
        "integer": "write a whole number, like 0",
        "float": "write a number, like 0.5",
        "decimal": "write a decimal number, like 19.99",
        "boolean": "write true or false",
        "date": "write an ISO date, like 2024-01-31",
        "time": "write an ISO time, like 13:45:00",
        "timestamp": "write an ISO timestamp, like 2024-01-31T13:45:00+00:00",
        "enum": "use one of the listed values",
    }.get(ftype.kind, "check the value against the field's type")


def float_or_none(text: str) -> float | None:
    return float(text) if FLOAT.match(text) else None
