"""Readers: files in, checked frames out."""

from __future__ import annotations

import codecs
import datetime as dt
import gc
import glob
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, TypeAlias, TypeVar

import polars as pl
from pydantic import BaseModel, ValidationError

from contractgen.runtime import text
from contractgen.runtime.check import instance, validate
from contractgen.runtime.errors import MAX_SAMPLES, ContractViolationError, Violation
from contractgen.runtime.privacy import redact_violations
from contractgen.runtime.spec import Table, Unexpected, unexpected_policy

Source: TypeAlias = str | Path | IO[bytes] | bytes
Sources: TypeAlias = Source | list[str | Path] | tuple[str | Path, ...]  # Parquet: many files
M = TypeVar("M", bound=BaseModel)
_ROW = "__contractgen_row__"
_BAD = "__contractgen_unread__"  # + a column name: its text did not parse
_END = "__contractgen_ends_empty__"  # the row's last cell is empty: maybe a short row


class DataReadError(OSError):
    """A data file could not be read at all (missing, unreadable, corrupt, not that format)."""


def _name(source: Sources) -> str:
    if isinstance(source, (list, tuple)):
        return f"{_name(source[0])} (+{len(source) - 1} files)" if source else "<no files>"
    if isinstance(source, (str, Path)):
        return os.fspath(source)
    return getattr(source, "name", None) or f"<{type(source).__name__}>"


_QUOTED = re.compile(r"```.*?```|`[^`]*`|'[^'\n]*'|\"[^\"\n]*\"", re.DOTALL)
_POSITION = re.compile(r"\b(?:line|row|offset in the file is) (\d+)")


def _data_free(message: str) -> str:
    """A reader's error without the data it quotes: its category and position only.

    Polars quotes the cell or row it could not parse (`could not parse "alice@example.com,...`),
    which may be personal data; every quoted span is cut, whatever the columns, and so is the
    rest of a line from an unterminated quote on. What is left is the kind of error and where.
    """
    text = _QUOTED.sub("...", message.strip())
    first = re.split(r"[`'\"]", text.splitlines()[0] if text else "", maxsplit=1)[0].strip()
    detail = first or "unreadable"
    if "not properly escaped" in message:
        detail += " (a quote that is not closed?)"
    where = _POSITION.search(message)
    if where is not None and "line" not in first:
        detail += (
            f" at {'byte' if 'offset' in where.group(0) else where.group(0).split()[0]} {where.group(1)}"
        )
    return detail


def _unreadable(source: Sources, what: str, exc: Exception) -> DataReadError:
    detail = _data_free(str(exc)) if str(exc).strip() else type(exc).__name__
    return DataReadError(f"cannot read {_name(source)} as {what}: {detail}")


def read_parquet(  # noqa: PLR0913 -- the reader options every generated reader passes on
    source: Sources,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> pl.DataFrame:
    """Read a Parquet file and check it; only the columns that will be returned are read.

    Freshness rules are checked against the present with `freshness=True`, or against `now`;
    row counts with `whole_table=True` (the file is the whole table, not a part of it)."""
    unexpected = unexpected_policy(unexpected)
    try:
        if isinstance(source, (list, tuple)):
            actual = pl.read_parquet_schema(source[0]) if source else {}
            _same_schemas(source, pl.Schema(actual))
        else:
            actual = pl.read_parquet_schema(source)
        if not isinstance(source, (str, Path, bytes, list, tuple)):
            source.seek(0)
        wanted = [n for n in actual if n in table.schema or unexpected != "drop" or _is_old_name(n, table)]
        frame = pl.read_parquet(_polars_source(source), columns=wanted)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if isinstance(exc, DataReadError):
            raise
        if isinstance(exc, FileNotFoundError):
            raise DataReadError(f"cannot read {_name(source)}: no such file") from None
        raise _unreadable(source, "Parquet", exc) from None
    return validate(
        frame,
        table,
        unexpected=unexpected,
        source=_name(source),
        freshness=freshness,
        now=now,
        whole_table=whole_table,
    )


def scan_parquet(  # noqa: PLR0913 -- the reader options every generated reader passes on
    source: Sources,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    trust_statistics: bool = False,
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> pl.LazyFrame:
    """Check a Parquet file with the streaming engine (bounded memory) and return it lazily.

    By default every check reads the values: the row-group statistics in a file's footer are
    written by whoever wrote the file, and nothing proves they agree with the data. With
    `trust_statistics=True` the statistics settle the checks they can (nulls in required columns,
    bounds): a row group whose min, max and null count rule out a violation is not decoded for
    that check, which makes clean files much cheaper to check but lets a file with wrong
    statistics pass those checks. Trust them only for files from a writer you trust.
    """
    unexpected = unexpected_policy(unexpected)
    try:
        frame = pl.scan_parquet(_polars_source(source), use_statistics=trust_statistics)
        schema = frame.collect_schema()
        _same_schemas(source, schema)
    except (pl.exceptions.PolarsError, OSError) as exc:
        if isinstance(exc, DataReadError):
            raise
        raise _unreadable(source, "Parquet", exc) from None
    return validate(
        frame,
        table,
        unexpected=unexpected,
        source=_name(source),
        statistics=trust_statistics,
        freshness=freshness,
        now=now,
        whole_table=whole_table,
    )


def _polars_source(source: Sources) -> Source | list[str]:
    return [os.fspath(p) for p in source] if isinstance(source, (list, tuple)) else source


def _local_files(source: Sources) -> list[str]:
    """The local files a scan reads: each of a list, a glob's matches, a directory's files."""
    if isinstance(source, (list, tuple)):
        return [os.fspath(p) for p in source]
    if not isinstance(source, (str, Path)) or "://" in str(source):
        return []
    if Path(source).is_dir():
        found = (p for p in sorted(Path(source).rglob("*")) if p.is_file())
        return [os.fspath(p) for p in found if not p.name.startswith((".", "_"))]
    return sorted(glob.glob(os.fspath(source), recursive=True)) if glob.has_magic(str(source)) else []


def _same_schemas(source: Sources, schema: pl.Schema) -> None:
    """Every local file of a list, glob or directory has the schema the scan took from the
    first one."""
    for path in _local_files(source):
        own = pl.read_parquet_schema(path)
        for name, dtype in own.items():
            if name in schema and schema[name] != dtype:
                raise DataReadError(
                    f"cannot scan {_name(source)}: {path} has column '{name}' as {dtype} where the "
                    f"first file has {schema[name]}; a multi-file scan needs one schema"
                )
        if list(own) != list(schema):
            raise DataReadError(
                f"cannot scan {_name(source)}: {path} has columns {list(own)} where the first file "
                f"has {list(schema)}; a multi-file scan needs one schema"
            )


def _is_old_name(name: str, table: Table) -> bool:
    return any(name in c.renamed_from for c in table.columns)


_NULLS: tuple[str, ...] = ("",)
_REFUSED_ENCODINGS = {"utf8-lossy": "it replaces bytes it cannot decode silently"}
_NOT_FILE_ENCODINGS = frozenset({"punycode", "idna"})  # text codecs for host names, not files


def text_encoding(encoding: str) -> str:
    """`encoding` when Python can decode a text file with it; a ValueError saying what to pass.

    Bytes-to-bytes and text-to-text codecs (base64, hex, zlib, rot13) are not text encodings.
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    if info is None or not info._is_text_encoding or info.name in _NOT_FILE_ENCODINGS:
        raise ValueError(
            f"{encoding!r} is not a text encoding; pass the file's encoding, such as utf8, latin-1, "
            "cp1252 or utf-16"
        )
    return encoding


def read_csv(  # noqa: PLR0913 -- the CSV dialect, each option named at every call
    source: Source,
    table: Table,
    *,
    unexpected: Unexpected = "error",
    separator: str = ",",
    encoding: str = "utf8",
    null_values: Sequence[str] | str = _NULLS,
    quote_char: str | None = '"',
    freshness: bool = False,
    now: dt.datetime | None = None,
    whole_table: bool = False,
) -> pl.DataFrame:
    """Read a CSV file with the contract's types and check it.

    Every column is read as text and parsed by its type's one grammar (`runtime/text.py`);
    text that does not parse is reported with its line, never nulled. `null_values` lists the
    spellings of null (default: the empty cell; one text is one spelling); `encoding` is any
    Python codec name; `separator` and `quote_char` are one single-byte character each.
    """
    unexpected = unexpected_policy(unexpected)
    if encoding in _REFUSED_ENCODINGS:
        raise DataReadError(
            f"encoding {encoding!r} is refused: {_REFUSED_ENCODINGS[encoding]}; pass the file's real "
            "encoding (utf8, latin-1, cp1252, ...)"
        )
    _check_dialect(source, separator, quote_char)
    data, name = _load(source, text_encoding(encoding))
    nulls = [null_values] if isinstance(null_values, str) else list(null_values)
    options: dict[str, Any] = {
        "separator": separator,
        "quote_char": quote_char,
        "infer_schema": False,
        "null_values": [n for n in nulls if n] or None,
        "empty_string_is_null": "" in nulls,
        "truncate_ragged_lines": False,
    }
    layout = _Layout(data, separator, quote_char, name, lambda: pl.read_csv(data, **options))
    try:
        header = pl.read_csv(data, n_rows=0, **options).columns
        header_present(header, table, name)
        violations = _duplicate_headers(header)
        parsers: dict[str, text.Parser] = {}
        for column in header:
            if column not in table.schema:
                continue
            dtype = table.schema[column]
            parse = text.parser(column, dtype, table.column(column).layout)
            if parse is not None:
                parsers[column] = parse
            elif not isinstance(dtype, (pl.String, pl.Enum)):
                message = f"column '{column}' is {dtype}, which CSV cannot hold"
                violations.append(Violation("dtype", column, message))
        # One streamed pass parses every column and flags the cells whose text did not parse;
        # the text itself is read again only when something is wrong (a flag, a short row).
        last = pl.col(header[-1]) if header else pl.lit(None)
        frame = (
            pl.scan_csv(data, **options)
            .with_columns(
                **{_BAD + c: pl.col(c).is_not_null() for c in parsers},
                **{c: p.value for c, p in parsers.items()},
                **{_END: last.is_null() | (last == "")},
            )
            .with_columns(**{_BAD + c: pl.col(_BAD + c) & pl.col(c).is_null() for c in parsers})
            .collect(engine="streaming")
        )
    except DataReadError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise _csv_error(name, layout, exc) from None
    if frame.height and frame.get_column(_END).any():
        frame = frame.head(layout.check_records())
    failed = {c: frame.get_column(_BAD + c) for c in parsers}
    frame = frame.drop(_END, *(_BAD + c for c in parsers))
    unread = _parse_failures(layout, failed, parsers, table.schema)
    found: list[Violation] = []
    try:
        checked = validate(
            frame,
            table,
            unexpected=unexpected,
            source=name,
            extra=violations,
            freshness=freshness,
            now=now,
            whole_table=whole_table,
        )
    except ContractViolationError as exc:
        found = exc.violations
    if not (unread or found):
        return checked
    kept = [_without_unread(v, layout.raw, unread) for v in found]
    every = [layout.on_lines(v) for v in [*unread.values(), *kept] if v is not None]
    raise ContractViolationError(table.name, table.version, redact_violations(every, table), name) from None


def _csv_error(name: str, layout: _Layout, exc: Exception) -> DataReadError:
    """What went wrong reading the file, located by its lines and quoting no data."""
    message = str(exc)
    if "more fields" in message:
        return DataReadError(f"cannot read {name} as CSV: {layout.long_rows()}")
    if "CSV malformed" in message or "not properly escaped" in message:
        return DataReadError(f"cannot read {name} as CSV: {layout.malformed()}")
    if "invalid utf-8" in message.lower():
        return DataReadError(f"cannot read {name} as utf8: {layout.invalid_utf8()}")
    return _unreadable(name, "CSV", exc)


def header_present(header: list[str], table: Table, name: str) -> None:
    """Refuse a first line that names none of the contract's columns: it is data, not a header.

    Its cells would otherwise be reported as unexpected column names, quoting the first row; with
    a sensitive column in the contract they are not quoted here either.
    """
    if not table.columns or any(h in table.schema or _is_old_name(h, table) for h in header):
        return
    message = f"the first line of {name} names none of the contract's columns: is the header missing?"
    if not any(c.sensitive for c in table.columns):
        shown = ", ".join(repr(h) for h in header[:MAX_SAMPLES]) + (
            ", ..." if len(header) > MAX_SAMPLES else ""
        )
        message += f" (it reads {shown})"
    raise DataReadError(
        f"{message}; the file needs a first line naming its columns, such as "
        f"{', '.join(c.name for c in table.columns[:3])}"
    )


def _check_dialect(source: Source, separator: str, quote_char: str | None) -> None:
    """Polars reads one byte as the separator and the quote; anything else is refused here, by
    name (an empty separator must not fall back to a comma)."""
    for option, value in (("separator", separator), ("quote_char", quote_char)):
        if value is None or (option == "quote_char" and value == ""):
            continue  # no quoting
        if not isinstance(value, str) or len(value.encode()) != 1:
            raise DataReadError(
                f"cannot read {_name(source)} as CSV: {option} must be one single-byte character "
                f"such as {',' if option == 'separator' else chr(34)!r}, got {value!r}"
                + ("; pass None (or '') for no quoting" if option == "quote_char" else "")
            )


def _load(source: Source, encoding: str) -> tuple[bytes | str | Path, str]:
    """The file as polars reads it (a path stays a path, so polars maps it), and its name.
    Text in another encoding is decoded here, where a bad byte can be located."""
    name = _name(source)
    if isinstance(source, (list, tuple)):
        raise TypeError("read_csv reads one source: a path, bytes, or a binary or text file object")
    if not isinstance(source, (str, Path, bytes)):
        content = source.read()
        if isinstance(content, str):  # a text file object (StringIO): already decoded
            return content.encode(), name
        source = content
    if codecs.lookup(encoding).name == "utf-8" and not isinstance(source, bytes):
        if not Path(source).is_file():
            raise DataReadError(f"cannot read {name}: no such file")
        return source, name
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        raise _unreadable(name, "CSV", exc) from None
    try:
        return data.decode(encoding).encode(), name
    except UnicodeError as exc:  # the bytes are data: say where, never what
        start = exc.start if isinstance(exc, UnicodeDecodeError) else 0
        line = data.count(b"\n", 0, start) + 1
        raise DataReadError(
            f"cannot read {name} as {encoding}: line {line} has bytes that are not {encoding}; "
            "pass the file's real encoding"
        ) from None


class _Layout:
    """Where each row of a CSV file sits: its records, their field counts and their line numbers.

    Polars fills a short row (and a blank line) with empty cells; a record's fields are counted
    here, only when a row ends in an empty or null cell, which every short row does. Quoted
    fields are blanked out first, so their separators and newlines do not count.
    """

    def __init__(
        self,
        data: bytes | str | Path,
        separator: str,
        quote: str | None,
        name: str,
        read: Callable[[], pl.DataFrame],
    ) -> None:
        self.data, self.separator, self.quote, self.name, self._read = data, separator, quote, name, read
        self._raw: pl.DataFrame | None = None

    @property
    def raw(self) -> pl.DataFrame:
        """Every cell as text: read on the first question about rows, never on a clean file."""
        if self._raw is None:
            self._raw = self._read()
        return self._raw

    def _text(self) -> str:
        data = self.data if isinstance(self.data, bytes) else Path(self.data).read_bytes()
        return data.decode("utf8", errors="replace")  # only counted: decoding was checked before

    def _tokens(self) -> pl.DataFrame:
        """The file cut into quoted fields, newlines and the runs between them (a quote that
        never closes is a token of its own), each with the record it belongs to and the number
        of newlines before it. Read only when something is wrong."""
        q = re.escape(self.quote) if self.quote else None
        pattern = f"{q}(?:[^{q}]|{q}{q})*{q}|\n|[^{q}\n]+|{q}" if q else "\n|[^\n]+"
        tokens = pl.Series("t", [self._text()]).str.extract_all(pattern).explode().drop_nulls()
        newline = pl.col("t") == "\n"
        newlines = pl.col("t").str.count_matches("\n", literal=True)
        return pl.DataFrame(tokens).with_columns(
            record=newline.cum_sum().fill_null(0) - newline.cast(pl.UInt32),
            before=newlines.cum_sum() - newlines,
            newline=newline,
        )

    def _records(self) -> pl.DataFrame:
        """One row per record (header included): its text with quoted parts replaced by a
        placeholder, and the file line it starts on (a quoted newline counts)."""
        tokens = self._tokens()
        count = int(tokens.get_column("newline").sum()) + 1
        total = int(tokens.get_column("t").str.count_matches("\n", literal=True).sum())
        shown = pl.when(pl.col("newline")).then(pl.lit("")).otherwise(pl.col("t"))
        if self.quote:
            shown = pl.when(pl.col("t").str.starts_with(self.quote)).then(pl.lit("q")).otherwise(shown)
        grouped = tokens.group_by("record", maintain_order=True).agg(
            text=shown.str.join(""), line=pl.col("before").first() + 1
        )
        every = pl.DataFrame({"record": pl.arange(0, count, eager=True).cast(grouped.schema["record"])})
        return every.join(grouped, on="record", how="left").select(
            pl.col("text").fill_null("").str.strip_suffix("\r"),
            pl.col("line").fill_null(total + 1),
        )

    def _fields(self) -> tuple[pl.Series, pl.Series, pl.Series]:
        records = self._records()
        text_ = records.get_column("text")
        fields = text_.str.count_matches(self.separator, literal=True) + 1
        return fields, text_ == "", records.get_column("line")

    def stray_quote(self) -> int | None:
        """The file line of the first quote that does not open or close a whole field (`5" screen`),
        or of a quoted field that never closes; None if every quote is in place."""
        if not self.quote:
            return None
        q, sep = self.quote, self.separator
        t, prev, after = pl.col("t"), pl.col("t").shift(1), pl.col("t").shift(-1)
        opened = prev.is_null() | (prev == "\n") | prev.str.ends_with(sep)
        closed = after.is_null() | after.str.starts_with("\n") | after.str.starts_with(sep)
        closed = closed | after.str.starts_with("\r")
        lone = t == q
        # A pair of quotes inside one unquoted field, on one line (a"b"c), is read as text.
        inside = ~opened & ~lone & ~t.str.contains("\n", literal=True) & ~t.str.contains(sep, literal=True)
        bad = t.str.starts_with(q) & ~(opened & closed & ~lone) & ~inside
        found = self._tokens().filter(bad).get_column("before")
        return int(found[0]) + 1 if len(found) else None

    def check_records(self) -> int:
        """How many rows the file has without blank lines at its end; a short row or a blank
        line inside the data is a DataReadError naming its lines."""
        raw = self.raw
        fields, blank, _ = self._fields()
        fields, blank = fields[1:], blank[1:]
        content = blank.not_().arg_true()
        end = int(content[-1]) + 1 if len(content) else 0
        if end > raw.height or len(fields) < raw.height:
            return raw.height  # quoting polars reads differently: keep the rows as polars read them
        fields, blank = fields.head(end), blank.head(end)
        gaps = blank.arg_true().to_list()
        short = ((fields < raw.width) & ~blank).arg_true().to_list()
        problems = []
        if gaps:
            problems.append(f'blank line inside the data at {self._lines(gaps)} (write "" for an empty cell)')
        if short:
            problems.append(
                f"fewer fields than the header's {raw.width} at {self._lines(short)} (every row needs every "
                f"field; an empty one is written as nothing between two separators)"
            )
        if problems:
            raise DataReadError(f"cannot read {self.name} as CSV: " + "; ".join(problems))
        return end

    def long_rows(self) -> str:
        fields, _, lines = self._fields()
        rows = (fields[1:] > fields[0]).arg_true().head(MAX_SAMPLES).to_list()
        where = ", ".join(f"line {lines[r + 1]}" for r in rows) if rows else "a row"
        return f"more fields than the header's {fields[0]} at {where}"

    def malformed(self) -> str:
        """What to say when Polars cannot split the file: a stray quote, located if it can be."""
        line = self.stray_quote()
        where = f"line {line}" if line is not None else "a row"
        return (
            f"{where} has a quote character ({self.quote}) inside an unquoted field, or a quoted "
            "field that does not close; quote the whole field and double the quotes in it "
            '("5"" screen"), or pass quote_char=None (--quote-char \'\') if the file never quotes'
        )

    def invalid_utf8(self) -> str:
        """Where the first byte that is not UTF-8 is; decoded in Python only on this path."""
        data = self.data if isinstance(self.data, bytes) else Path(self.data).read_bytes()
        what = "bytes that are not utf8; pass the file's real encoding (latin-1, cp1252, ...)"
        try:
            data.decode("utf8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return f"line {line} has {what}"
        return what

    def line_numbers(self, rows: list[int]) -> list[int]:
        """The file line each data row starts on (the header is line 1)."""
        raw = self.raw
        header = 1 + sum(c.count("\n") for c in raw.columns)
        if not self.quote or not rows:
            return [header + 1 + r for r in rows]
        newlines = pl.sum_horizontal(
            pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in raw.columns
        )
        before = raw.select((newlines.cum_sum() - newlines).alias("n")).get_column("n")
        return [header + 1 + r + int(before[r]) for r in rows]

    def _lines(self, rows: list[int]) -> str:
        lines = self.line_numbers(rows[:MAX_SAMPLES])
        more = ", ..." if len(rows) > MAX_SAMPLES else ""
        return f"line{'s' * (len(rows) != 1)} " + ", ".join(map(str, lines)) + more

    def on_lines(self, violation: Violation) -> Violation:
        """The violation, its message naming the file lines of its sample rows."""
        if not violation.samples:
            return violation
        rows = [row for row, _ in violation.samples if row is not None]  # CSV rows always have one
        if not rows:
            return violation
        where = self._lines(rows[: violation.count])
        if violation.count > len(violation.samples):
            where = where.removesuffix(", ...") + ", ..."
        return replace(violation, message=f"{violation.message} on {where}")


def _parse_failures(
    layout: _Layout, failed: dict[str, pl.Series], parsers: dict[str, text.Parser], schema: pl.Schema
) -> dict[str, Violation]:
    """One violation per column whose text does not parse: count, sample rows, and why."""
    out = {}
    for name, parse in parsers.items():
        count = int(failed[name].sum())
        if not count:
            continue
        rows = failed[name].arg_true().head(MAX_SAMPLES)
        sampled = layout.raw[rows].select(pl.col(name), parse.hint.alias("hint"))
        hints = list(dict.fromkeys(sampled.get_column("hint").to_list()))
        samples = tuple(zip(rows.to_list(), sampled.get_column(name).to_list(), strict=True))
        message = f"'{name}': {count:,} row{'s' * (count != 1)} not readable as {schema[name]}: "
        out[name] = Violation("dtype", name, message + "; ".join(hints), count, samples)
    return out


def _without_unread(
    violation: Violation, raw: pl.DataFrame, unread: dict[str, Violation]
) -> Violation | None:
    """A required column's null count, less the cells that were text that did not parse (those
    are reported as unreadable, not as nulls)."""
    name = violation.column
    if violation.kind != "null" or name not in unread:
        return violation
    nulls = raw.get_column(name).is_null()
    count = int(nulls.sum())
    if not count:
        return None
    rows = nulls.arg_true().head(MAX_SAMPLES).to_list()
    message = f"'{name}': {count:,} row{'s' * (count != 1)} null in a required column"
    return Violation("null", name, message, count, tuple((r, None) for r in rows))


def _duplicate_headers(header: list[str]) -> list[Violation]:
    """Polars renames a repeated header to NAME_duplicated_N; say what the file really has."""
    out = []
    for name in header:
        match = re.match(r"^(.*)_duplicated_\d+$", name)
        if match and match.group(1) in header:
            message = f"column '{match.group(1)}' appears more than once in the header (read as '{name}')"
            out.append(Violation("unexpected_column", name, message))
    return out


def to_models(frame: pl.DataFrame, table: Table, model: type[M]) -> list[M]:
    """Rows as model instances, after the frame itself passed the contract.

    The frame check already proved every row valid (and tests prove the frame check and the
    model agree row by row), so flat rows are not validated a second time: instances are built
    directly, as `model_construct` would, without its per-row overhead. Models with nested
    models go through `model_validate`, which builds the nested instances.

    A model holds Python datetimes, times and timedeltas, which stop at microseconds. A
    nanosecond column (a `ns` timestamp or duration, or a time of day, which Polars keeps in ns),
    top-level or nested, whose values all fall on whole microseconds converts exactly; one with a
    value that does not is refused with a ValueError rather than truncated (two distinct values
    could become equal rows). Read such data with `frame.to_dicts()`, or make the column `us`.
    """
    checked = validate(frame, table, unexpected="drop")
    _refuse_lost_nanoseconds(checked, table)
    fields = model.model_fields
    if any(_holds_model(info.annotation) for info in fields.values()):
        return _validated(checked, table, model)
    by_column = {info.alias or name: name for name, info in fields.items()}
    names = [by_column[column] for column in checked.columns]
    fields_set = frozenset(names)
    new = model.__new__
    setattr_ = object.__setattr__
    out = []
    columns = [series.to_list() for series in checked.iter_columns()]  # column-wise: far cheaper
    collecting = gc.isenabled()
    gc.disable()  # millions of new, acyclic objects: the cycle collector would only rescan them
    try:
        for values in zip(*columns, strict=True):
            instance = new(model)
            setattr_(instance, "__dict__", dict(zip(names, values, strict=True)))
            setattr_(instance, "__pydantic_fields_set__", set(fields_set))
            setattr_(instance, "__pydantic_extra__", None)
            setattr_(instance, "__pydantic_private__", None)
            out.append(instance)
    finally:
        if collecting:
            gc.enable()
    return out


def _validated(frame: pl.DataFrame, table: Table, model: type[M]) -> list[M]:
    """Rows through `model_validate`; a model's own check that fails is a ContractViolationError.

    Pydantic keeps the input in `ValidationError.errors()` and `.json()` even with
    `hide_input_in_errors`, so no ValidationError leaves here: the error names the field, the
    kind of check and the rows, never the value.
    """
    out: list[M] = []
    failed: dict[tuple[str, str], list[int]] = {}
    for row, values in enumerate(frame.iter_rows(named=True)):
        try:
            out.append(model.model_validate(values))
        except ValidationError as exc:
            for error in exc.errors(include_input=False, include_url=False):
                where = ".".join(str(part) for part in error["loc"])
                failed.setdefault((where, error["type"]), []).append(row)
    if not failed:
        return out
    violations = []
    for (where, kind), rows in failed.items():
        verb = "fails" if len(rows) == 1 else "fail"
        shown = ", ".join(map(str, rows[:MAX_SAMPLES])) + (", ..." if len(rows) > MAX_SAMPLES else "")
        message = (
            f"'{where}': {len(rows):,} row{'s' * (len(rows) != 1)} {verb} the model's check ({kind}) "
            f"on row{'s' * (len(rows) != 1)} {shown}"
        )
        violations.append(Violation("format", where.split(".")[0], message, len(rows)))
    raise ContractViolationError(table.name, table.version, violations, None)


def _refuse_lost_nanoseconds(frame: pl.DataFrame, table: Table) -> None:
    """A ValueError when a value of a nanosecond column (a `ns` timestamp or duration, or any
    time of day: Polars keeps those in ns), at any depth, would lose digits in a model."""
    for name, dtype in table.schema.items():
        check = _sub_microsecond(pl.col(name), instance(dtype))
        if check is None:
            continue
        lost = frame.select(check.fill_null(False).sum()).item()
        if lost:
            raise ValueError(
                f"{table.label}: column '{name}' has {lost:,} value{'s' * (lost != 1)} with nanoseconds, "
                "which a model cannot hold (Python datetimes, times and timedeltas stop at "
                "microseconds) and would truncate; use frame.to_dicts() to keep them"
                + ("" if isinstance(dtype, pl.Time) else ", or make the column's time unit 'us'")
            )


def _sub_microsecond(value: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
    """Per row, whether `value` holds a digit finer than a microsecond; None when it cannot."""
    if isinstance(dtype, pl.Time) or (isinstance(dtype, pl.Datetime) and dtype.time_unit == "ns"):
        return value.dt.nanosecond() % 1000 != 0
    if isinstance(dtype, pl.Duration) and dtype.time_unit == "ns":
        return value.dt.total_nanoseconds() % 1000 != 0
    if isinstance(dtype, pl.List | pl.Array):
        inner = _sub_microsecond(pl.element(), instance(dtype.inner))
        if inner is None:
            return None
        listed = value if isinstance(dtype, pl.List) else value.arr.to_list()
        return listed.list.eval(inner.fill_null(False)).list.any()
    if isinstance(dtype, pl.Struct):
        members = [_sub_microsecond(value.struct.field(f.name), instance(f.dtype)) for f in dtype.fields]
        found = [m.fill_null(False) for m in members if m is not None]
        return pl.any_horizontal(found) if found else None
    return None


def _holds_model(annotation: object) -> bool:
    """Whether an annotation has a Pydantic model anywhere inside (list[Item], Item | None, ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in getattr(annotation, "__args__", ()))
