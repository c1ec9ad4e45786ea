"""Infer stage: a data file (Parquet, CSV, NDJSON) → a draft native contract, as YAML text.

The draft states what the data shows and marks with `TODO` what only a person can decide (owner,
SLA, meanings, whether an observed range is a rule). It loads and builds as it is, and its
generated reader accepts the file it was drawn from, unless the file holds a trap a person must
look at (a numeric column with whitespace-only cells), which the draft names.

Bounded memory: one streaming pass (per PASS_COLUMNS columns) computes every column's counts,
extremes and a distinct estimate; a sample (the first rows and a seeded pseudo-random selection)
proposes enums; every proposal that becomes a rule (an enum's values, a format, a key) is then
confirmed over all rows.
CSV is read as text and each column gets the narrowest type that parses every value, strictly.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from polars.datatypes import DataTypeClass

from contractgen import naming
from contractgen.contract import INT_RANGE
from contractgen.formats import PATTERNS

SAMPLE_ROWS = 1000
# Columns per streaming pass of facts: one pass for ordinary tables, a few for very wide ones.
PASS_COLUMNS = 250
SEED = 20260101
# An enum is proposed for text with at most this many distinct values...
ENUM_MAX_VALUES = 20
# ... that are at most this share of the non-null rows.
ENUM_MAX_SHARE = 0.05
# Up to this many rows a candidate key is checked exactly (a hash set of its values); beyond it the
# distinct estimate proposes the key and a TODO says it was not checked row by row.
EXACT_KEY_ROWS = 5_000_000
# How close the distinct estimate must come to the row count for a key candidate. The streaming
# estimate can be ten percent off, so a candidate must also have no repeat within the sample.
_SLACK = 0.8
_FORMATS = ("uuid", "email")
_INT = r"^\s*[-+]?[0-9]+\s*$"
_FLOAT = r"^\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$"
_BOOL = r"^\s*(?i:true|false)\s*$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_STAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
_ZONE = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
_CHUNK = 1 << 20


class InferError(Exception):
    """The file cannot be drafted from; the message says what, where and what to do."""


@dataclass
class Column:
    """What the data shows about one column, and the draft's decisions."""

    name: str
    type_lines: list[str]
    kind: str
    nulls: int = 0
    required: bool = False
    values: list[str] = field(default_factory=list)
    observed: tuple[str, str] | None = None
    todos: list[str] = field(default_factory=list)
    key: bool = False
    blanks: int = 0  # CSV: whitespace-only cells in a column whose other values are not text
    shape: str | None = None  # a pattern every sampled value matches, proposed in a comment
    distinct: int = 0  # estimated distinct values over all rows


@dataclass
class _Scan:
    path: Path
    frame: pl.LazyFrame
    text: bool  # CSV: every column is text to be typed here
    binary: bool = False  # Parquet, NDJSON: the dtypes Polars reads are what the reader checks
    categorical: tuple[str, ...] = ()  # columns stored as Categorical, read here as text


def infer(path: Path, name: str | None = None, sample: int = SAMPLE_ROWS) -> str:
    """The draft contract for the data file at `path`, as YAML text."""
    scan = _open(path)
    try:
        return _draft(scan, name or naming.package(path.stem), sample)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise InferError(f"{path}: cannot read it: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _open(path: Path) -> _Scan:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InferError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InferError(f"{path}: the file is empty; a draft needs at least a header and one row")
    try:
        if suffix in (".parquet", ".pq"):
            frame = pl.scan_parquet(path)
            text = False
        elif suffix in (".csv", ".tsv"):
            _check_utf8(path)
            frame = pl.scan_csv(path, infer_schema=False, separator="\t" if suffix == ".tsv" else ",")
            text = True
        elif suffix in (".ndjson", ".jsonl"):
            frame = pl.scan_ndjson(path, infer_schema_length=None)
            text = False
        else:
            raise InferError(
                f"{path}: unknown data format '{suffix}'; use .parquet, .csv, .tsv, .ndjson or .jsonl"
            )
        schema = frame.collect_schema()
        # Categorical text is text to a contract: read it as strings so the text checks apply.
        cats = tuple(n for n, dtype in schema.items() if isinstance(dtype, pl.Categorical))
        if cats:
            frame = frame.with_columns(pl.col(*cats).cast(pl.String))
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        kind = {".csv": "CSV", ".tsv": "CSV", ".parquet": "Parquet", ".pq": "Parquet"}.get(suffix, "NDJSON")
        raise InferError(f"{path}: cannot read it as {kind}: {_first_line(exc)}") from None
    # NDJSON is typed too: Polars reads every whole number as Int64, so a narrower draft would
    # refuse the file it was drawn from.
    return _Scan(path, frame, text, binary=not text, categorical=cats)


def _check_utf8(path: Path) -> None:
    """Refuse a text file that is not UTF-8, naming the byte offset, without reading it whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise InferError(
                    f"{path}: not UTF-8 text (byte {offset + exc.start}); convert it first, "
                    "for example with: iconv -f latin1 -t utf-8"
                ) from None
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InferError(f"{path}: not UTF-8 text (it ends inside a character)") from None


def _draft(scan: _Scan, name: str, sample: int) -> str:
    schema = scan.frame.collect_schema()
    if not schema:
        raise InferError(f"{scan.path}: the file has no columns")
    stats = _aggregate(scan, schema)
    rows = int(stats["__rows"])  # type: ignore[call-overload]
    if rows == 0:
        raise InferError(f"{scan.path}: the file has no rows; a draft needs data to learn from")
    picked = _sample(scan.frame, rows, sample)
    columns = [
        _column(scan, i, n, dtype, stats=stats, rows=rows, picked=picked)
        for i, (n, dtype) in enumerate(schema.items())
    ]
    _confirm(scan, columns, rows, picked)
    return _render(scan.path, name, columns, rows, picked.height)


def _aggregate(scan: _Scan, schema: pl.Schema) -> Stats:
    """Counts, extremes, distinct estimates and, for CSV, what each column parses as: one streaming
    pass per PASS_COLUMNS columns, as one dict. (Polars plans a pass of 2,000 text columns, some
    40,000 expressions, in about 1 GB; in passes of 250 columns it needs a quarter of that, in the
    same time. And a dict, not a 40,000-column frame whose `.columns` lists every name.)"""
    items = list(schema.items())
    stats: Stats = {}
    for start in range(0, len(items), PASS_COLUMNS):
        stats |= _one_pass(scan, items[start : start + PASS_COLUMNS], start)
    return stats


def _one_pass(scan: _Scan, items: list[tuple[str, pl.DataType]], first: int) -> Stats:
    exprs: list[pl.Expr] = [pl.len().alias("__rows")]
    for i, (name, dtype) in enumerate(items, start=first):
        col = pl.col(name)
        exprs.append(col.null_count().alias(f"{i}:nulls"))
        if not dtype.is_nested():
            exprs.append(col.approx_n_unique().alias(f"{i}:distinct"))
        if scan.text:
            exprs += _text_checks(i, col)
        elif dtype.is_numeric() or dtype.is_temporal():
            exprs += [col.min().alias(f"{i}:min"), col.max().alias(f"{i}:max")]
        elif dtype == pl.String:
            exprs += [(col == "").sum().alias(f"{i}:empty")]
            exprs += [_misses(col, PATTERNS[f]).alias(f"{i}:{f}") for f in _FORMATS]
    return scan.frame.select(exprs).collect(engine="streaming").row(0, named=True)


def _misses(col: pl.Expr, pattern: str) -> pl.Expr:
    return (col.is_not_null() & ~col.str.contains(pattern)).sum()


def _text_checks(i: int, col: pl.Expr) -> list[pl.Expr]:
    blank = col.str.strip_chars() == ""
    value = col.is_not_null() & ~blank

    def misses(pattern: str) -> pl.Expr:
        return (value & ~col.str.contains(pattern)).sum()

    as_int = pl.when(value).then(col.str.strip_chars().cast(pl.Int64, strict=False))
    as_float = pl.when(value).then(col.str.strip_chars().cast(pl.Float64, strict=False))
    as_date = pl.when(value).then(col.str.to_date("%Y-%m-%d", strict=False))
    return [
        blank.sum().alias(f"{i}:blank"),
        value.sum().alias(f"{i}:values"),
        misses(_BOOL).alias(f"{i}:bool"),
        (misses(_INT) + (value & col.str.contains(_INT) & as_int.is_null()).sum()).alias(f"{i}:int"),
        (misses(_FLOAT) + (value & col.str.contains(_FLOAT) & as_float.is_null()).sum()).alias(f"{i}:float"),
        (misses(_DATE) + (value & col.str.contains(_DATE) & as_date.is_null()).sum()).alias(f"{i}:date"),
        misses(_STAMP + _ZONE).alias(f"{i}:stamp_zoned"),
        misses(_STAMP + "$").alias(f"{i}:stamp_naive"),
        as_int.min().alias(f"{i}:int_min"),
        as_int.max().alias(f"{i}:int_max"),
        as_float.min().alias(f"{i}:float_min"),
        as_float.max().alias(f"{i}:float_max"),
        as_date.min().alias(f"{i}:date_min"),
        as_date.max().alias(f"{i}:date_max"),
        (col == "").sum().alias(f"{i}:empty"),
        *[_misses(col, PATTERNS[f]).alias(f"{i}:{f}") for f in _FORMATS],
    ]


def _sample(frame: pl.LazyFrame, rows: int, size: int) -> pl.DataFrame:
    """The first `size` rows and about `size` more picked by a seeded hash of the row number."""
    if rows <= 2 * size:
        return frame.collect(engine="streaming")
    step = max(1, rows // size)
    indexed = frame.with_row_index("__row")
    head = indexed.head(size)
    spread = indexed.filter((pl.col("__row").hash(SEED) % step) == 0).head(size)
    both = pl.concat([head, spread]).unique("__row", keep="first").sort("__row")
    return both.collect(engine="streaming").drop("__row")


Stats = dict[str, object]  # the streaming pass's facts, keyed "COLUMN_INDEX:what"


def _get(stats: Stats, key: str) -> object:
    return stats.get(key)


def _column(  # noqa: PLR0913 -- the column and everything the scans learned about it
    scan: _Scan, i: int, name: str, dtype: pl.DataType, *, stats: Stats, rows: int, picked: pl.DataFrame
) -> Column:
    nulls = int(_get(stats, f"{i}:nulls") or 0)  # type: ignore[call-overload]
    column = _text_column(name, i, stats) if scan.text else Column(name, _dtype_lines(dtype), _kind(dtype))
    column.nulls = nulls
    if name in scan.categorical:
        column.todos.append(
            "the file stores this column as Categorical, which the reader does not accept for text: "
            "have it written as plain strings"
        )
    column.distinct = int(_get(stats, f"{i}:distinct") or 0)  # type: ignore[call-overload]
    column.required = nulls == 0 and column.blanks == 0
    if not scan.text and column.kind in ("integer", "float", "date", "timestamp", "decimal"):
        low, high = _get(stats, f"{i}:min"), _get(stats, f"{i}:max")
        if low is not None:
            column.observed = (str(low), str(high))
        if dtype.is_integer() and low is not None:
            narrow = _narrowest(int(low), int(high))  # type: ignore[call-overload]
            if not scan.binary:
                column.type_lines = [narrow]
            elif narrow != column.type_lines[0] and narrow[-1].isdigit():
                # Parquet stores a width (NDJSON is read as int64), and the reader checks it: keep
                # it, and say what would fit.
                column.todos.append(f"every value fits {narrow}; the file stores {column.type_lines[0]}")
    if column.kind == "string":
        _string_facts(column, i, stats, rows - nulls, picked)
    return column


def _text_column(name: str, i: int, stats: Stats) -> Column:
    """The narrowest type every non-blank value of a CSV column parses as."""

    def fits(check: str) -> bool:
        return _get(stats, f"{i}:{check}") == 0

    values, blank = int(_get(stats, f"{i}:values") or 0), int(_get(stats, f"{i}:blank") or 0)  # type: ignore[call-overload]
    column = Column(name, ["string"], "string")
    if values == 0:
        if blank:
            column.todos.append(f"every value is blank ({blank} whitespace-only cells): what is this column?")
        return column
    if fits("bool"):
        column.type_lines, column.kind = ["boolean"], "boolean"
    elif fits("int"):
        low, high = int(_get(stats, f"{i}:int_min")), int(_get(stats, f"{i}:int_max"))  # type: ignore[call-overload]
        column.type_lines, column.kind = [_narrowest(low, high)], "integer"
        column.observed = (str(low), str(high))
    elif fits("float"):
        column.type_lines, column.kind = ["float64"], "float"
        column.observed = (str(_get(stats, f"{i}:float_min")), str(_get(stats, f"{i}:float_max")))
    elif fits("date"):
        column.type_lines, column.kind = ["date"], "date"
        column.observed = (str(_get(stats, f"{i}:date_min")), str(_get(stats, f"{i}:date_max")))
    elif fits("stamp_zoned"):
        column.type_lines, column.kind = ["timestamp", "timezone: UTC"], "timestamp"
    elif fits("stamp_naive"):
        column.type_lines, column.kind = ["timestamp"], "timestamp"
    if blank and column.kind != "string":
        column.todos.append(
            f"{blank} cell{'s' * (blank != 1)} hold only whitespace; every other value is a "
            f"{column.kind}. A blank is not a {column.kind}: decide what it means (missing? zero?), "
            "and ask the producer to send an empty cell for a missing value"
        )
        column.blanks = blank
    return column


def _kind(dtype: pl.DataType) -> str:  # noqa: PLR0911 -- one return per family of dtypes
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    if isinstance(dtype, pl.Decimal):
        return "decimal"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    if isinstance(dtype, pl.Enum):
        return "enum"
    if dtype in (pl.String, pl.Null) or isinstance(dtype, pl.Categorical):
        return "string"
    return str(dtype.base_type()).lower()


def _narrowest(low: int, high: int) -> str:
    for bits in (8, 16, 32, 64):
        lo, hi = INT_RANGE[(bits, True)]
        if lo <= low and high <= hi:
            return f"int{bits}"
    return "uint64"


def _dtype_lines(dtype: pl.DataType | DataTypeClass) -> list[str]:  # noqa: PLR0911 -- one branch per dtype
    """The `type:` line (and the keys under it) for a Parquet or NDJSON dtype."""
    if dtype.is_integer() or dtype.is_float():
        return [str(dtype).lower()]
    if isinstance(dtype, pl.Decimal):
        return [f"decimal({dtype.precision or 38},{dtype.scale or 0})"]
    if isinstance(dtype, pl.Datetime):
        lines = ["timestamp"]
        if dtype.time_zone:
            lines.append(f"timezone: {json.dumps(dtype.time_zone)}")
        if dtype.time_unit != "us":
            lines.append(f"time_unit: {dtype.time_unit}")
        return lines
    if isinstance(dtype, pl.Duration):
        return ["duration"] + ([f"time_unit: {dtype.time_unit}"] if dtype.time_unit != "us" else [])
    if isinstance(dtype, pl.Enum):
        return ["enum", f"values: {_flow(list(dtype.categories))}"]
    simple = {pl.Boolean: "boolean", pl.Date: "date", pl.Time: "time", pl.Binary: "binary"}
    for polars_type, spelled in simple.items():
        if dtype == polars_type:
            return [spelled]
    if isinstance(dtype, pl.List | pl.Array):
        inner = _dtype_lines(dtype.inner)
        return ["list", "items:", *(f"  {line}" for line in [f"type: {inner[0]}", *inner[1:]])]
    if isinstance(dtype, pl.Struct):
        lines = ["struct", "fields:"]
        for member in dtype.fields:
            inner = _dtype_lines(member.dtype)
            lines += [
                f"  {json.dumps(member.name)}:",
                f"    type: {inner[0]}",
                *(f"    {x}" for x in inner[1:]),
            ]
        return lines
    return ["string"]  # text, categorical and null columns; a TODO asks


def _string_facts(column: Column, i: int, stats: Stats, present: int, picked: pl.DataFrame) -> None:
    """Formats (all rows), empties, and an enum proposal from the sample."""
    empty = int(_get(stats, f"{i}:empty") or 0)  # type: ignore[call-overload]
    if empty:
        column.todos.append(f"{empty} values are empty strings: does an empty string mean 'unknown'?")
    if present == 0:
        column.todos.append("every value is null: what type is this column?")
        return
    for fmt in _FORMATS:
        if _get(stats, f"{i}:{fmt}") == 0:
            column.type_lines = ["string", f"format: {fmt}"]
            return
    seen = picked[column.name].drop_nulls().unique()
    distinct = int(_get(stats, f"{i}:distinct") or 0)  # type: ignore[call-overload]
    # The estimate sees every row, the sample only some: a value rarer than the sample still counts.
    estimate = max(seen.len(), distinct)
    if 1 < estimate <= min(ENUM_MAX_VALUES, ENUM_MAX_SHARE * present):
        column.values = sorted(str(v) for v in seen.to_list())
    else:
        shapes = {_shape(str(v)) for v in seen.to_list()}
        if len(shapes) == 1:
            column.shape = shapes.pop()


_CLASSES = (("0-9", str.isdigit), ("A-Z", str.isupper), ("a-z", str.islower))
_REGEX_META = set(".^$*+?()[]{}|\\/")


def _shape(value: str) -> str:
    """A regular expression for the shape of one value: `7590-VHVEG` → `^[0-9]{4}-[A-Z]{5}$`."""
    parts: list[tuple[str, int]] = []
    for char in value:
        cls = next((f"[{name}]" for name, test in _CLASSES if char.isascii() and test(char)), None)
        token = cls or ("\\" + char if char in _REGEX_META else char)
        if parts and parts[-1][0] == token:
            parts[-1] = (token, parts[-1][1] + 1)
        else:
            parts.append((token, 1))
    body = "".join(t if n == 1 else f"{t}{{{n}}}" for t, n in parts)
    return f"^{body}$"


def _confirm(scan: _Scan, columns: list[Column], rows: int, picked: pl.DataFrame) -> None:
    """Check every proposal over all rows: an enum's values, shapes, and the best candidate key."""
    shaped = [c for c in columns if c.shape is not None and "[" in c.shape]
    if shaped:
        misses = scan.frame.select(
            [_misses(pl.col(c.name), c.shape or "").alias(c.name) for c in shaped]
        ).collect(engine="streaming")
        for c in shaped:
            if misses[c.name][0] != 0:
                c.shape = None
    enums = [c for c in columns if c.values]
    if enums:
        found = scan.frame.select(
            [pl.col(c.name).drop_nulls().unique().implode().alias(c.name) for c in enums]
        ).collect(engine="streaming")
        for c in enums:
            values = sorted(str(v) for v in found[c.name][0].to_list())
            if len(values) <= ENUM_MAX_VALUES:
                c.values = values
                c.type_lines, c.kind = ["enum", f"values: {_flow(values)}"], "enum"
            else:
                c.values = []
    candidates = [
        c
        for c in columns
        if c.required
        and c.kind in ("string", "integer", "date")
        and not c.values
        and c.distinct >= _SLACK * rows
        and picked[c.name].n_unique() == picked.height
    ]
    candidates.sort(key=lambda c: (not _id_like(c.name), columns.index(c)))
    if candidates and rows > EXACT_KEY_ROWS:
        candidates[0].key = True
        candidates[0].todos.append(
            f"about {candidates[0].distinct} distinct values in {rows} rows and none repeated in the "
            "sample (too many rows to check exactly): is this the key?"
        )
        return
    for c in candidates[:3]:
        unique = scan.frame.select(pl.col(c.name).n_unique()).collect(engine="streaming").item()
        if unique == rows:
            c.key = True
            return


def _id_like(name: str) -> bool:
    lowered = name.lower()
    return lowered == "id" or lowered.endswith(("_id", "id", "_key", "uuid"))


def _flow(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _render(path: Path, name: str, columns: list[Column], rows: int, sampled: int) -> str:
    lines = [
        f"# Drafted by `contractgen infer` from {json.dumps(path.name)}: {rows} rows scanned (counts,",
        f"# extremes, distinct estimates), {sampled} rows sampled (the first ones and a seeded random",
        "# selection) to propose enums and shapes; every proposal was checked on every row.",
        "# Every TODO below is a decision for a person. Observed ranges are comments, not rules.",
        f"data_source: {json.dumps(name)}",
        "version: 0.1.0",
        "status: draft",
        'owner: "TODO: the team that answers for this data, as an email address"',
        'description: "TODO: what one row is, and which system it comes from"',
        "schema:",
    ]
    if not any(c.key for c in columns):
        lines.append("  # TODO: no column is both unique and never null: which columns identify a row?")
    for c in columns:
        lines += _field(c)
    lines += [
        "# TODO: how fresh is this data, and who is told before it changes? For example:",
        "# sla:",
        "#   update_frequency: daily",
        "#   max_delay: 6 hours",
        "# change_policy:",
        "#   breaking_changes: 30 days advance notice",
        '#   notification_channel: "#data-changes"',
    ]
    return "\n".join(lines) + "\n"


def _field(c: Column) -> list[str]:
    lines = [f"  {json.dumps(c.name)}:"]
    lines += [f"    # TODO: {todo}" for todo in c.todos]
    if c.observed is not None:
        lines.append(f"    # TODO: is this a rule? observed {c.observed[0]}..{c.observed[1]}")
    if c.shape is not None and "[" in c.shape:
        lines.append(f"    # TODO: is this a rule? every value matches pattern: {json.dumps(c.shape)}")
    lines.append(f"    type: {c.type_lines[0]}")
    lines += [f"    {line}" for line in c.type_lines[1:]]
    if c.key:
        lines.append("    primary_key: true  # TODO: confirm: unique and never null in this file")
    elif c.required:
        lines.append("    required: true")
    lines.append('    description: "TODO: what one value means"')
    return lines
