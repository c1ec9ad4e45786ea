"""The readers' value and quality checks, pushed into the database as SQL aggregates.

One query counts rows, nulls, values outside the enum or the range, lengths, patterns, broken row
rules and the newest value of each freshness column; one more query per uniqueness (rows in
duplicate groups, as the readers count them). Every query is built as a sqlglot tree and written
in the source's dialect: identifiers are quoted by the generator, never pasted into text.

The counts are the ones the Polars reader finds on the same rows (a test holds the two to it),
and the messages say the same things.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
import sqlglot
from sqlglot import exp

from contractgen.formats import PATTERNS as FORMAT_PATTERNS
from contractgen.runtime import ContractViolationError, Table, Violation, validate
from contractgen.runtime.errors import rows_text, shown
from contractgen.runtime.quality import plan, too_incomplete, unevaluable
from contractgen.sources import regex
from contractgen.sources.connect import Connection, SourceError

RULE_DIALECT = "postgres"  # the dialect row rules are stored in (contractgen.load.sqlrule)


@dataclass(frozen=True, slots=True)
class Finding:
    """One in-database check: its aggregate, and how a count becomes a violation."""

    kind: str
    column: str | None
    aggregate: exp.Expression | None  # None: a query of its own (duplicates)
    words: Any  # (count) -> message
    duplicates: tuple[tuple[str, ...], bool] | None = None  # (columns, skip rows with a null)
    fails: Any = None  # (count, rows) -> bool; None: count > 0
    expression: str | None = None  # a row rule's text
    readers_only: str | None = None  # a pattern with no exact equivalent in this database


@dataclass(frozen=True, slots=True)
class Outcome:
    rows: int
    newest: dict[str, Any]  # freshness column -> its newest value (None: no rows)
    violations: list[Violation]
    notes: list[str]  # what the database could not check exactly: left to the readers


def schema_findings(live: pl.Schema, table: Table) -> tuple[list[Violation], list[str], dict[str, str]]:
    """The readers' schema diagnostics on the live schema (no data read), the warnings they give,
    and the columns the checks can use: contract name -> live name."""
    caught: list[Violation] = []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            validate(pl.DataFrame(schema=live), table)
        except ContractViolationError as exc:
            caught = exc.violations
    unusable = {v.column for v in caught if v.kind in ("missing_column", "dtype")}
    usable: dict[str, str] = {}
    for column in table.columns:
        if column.name in unusable:
            continue
        if column.name in live:
            usable[column.name] = column.name
        else:
            old = next((o for o in column.renamed_from if o in live), None)
            if old is not None:
                usable[column.name] = old
    schema_level = [v for v in caught if v.kind in ("missing_column", "unexpected_column", "dtype")]
    return schema_level, [str(w.message) for w in seen], usable


def run(connection: Connection, table: Table, usable: dict[str, str], now: dt.datetime) -> Outcome:
    """Count every violation inside the database."""
    every = _findings(table, usable, now, connection.dialect)
    findings = [f for f in every if f.readers_only is None]
    notes = [
        f"'{f.column}': the {f.kind} {f.readers_only!r} is checked by the readers only: "
        f"{connection.dialect} has no exact equivalent of it"
        for f in every
        if f.readers_only is not None
    ]
    rel = connection.relation
    fresh = sorted({r.columns[0] for r in table.rules if r.kind == "freshness" and r.columns[0] in usable})
    selects: list[Any] = [exp.Count(this=exp.Star()).as_("n_rows")]
    selects += [
        exp.Max(this=_comparable(_col(usable[c]), table.schema[c], connection.dialect)).as_(f"newest_{i}")
        for i, c in enumerate(fresh)
    ]
    plain = [f for f in findings if f.aggregate is not None]
    combined = selects + [f.aggregate.as_(f"c{i}") for i, f in enumerate(plain) if f.aggregate is not None]
    unevaluated: dict[int, str] = {}  # finding -> why its query failed
    try:
        row = connection.rows(exp.select(*combined).from_(rel.copy()).sql(connection.dialect))[0]
    except SourceError:
        # One aggregate failed on some row (a rule overflowing, say): count the rest one by one,
        # so it is that rule's error and every other check is still done.
        row = connection.rows(exp.select(*selects).from_(rel.copy()).sql(connection.dialect))[0]
        values: list[Any] = []
        for finding in plain:
            assert finding.aggregate is not None
            alone = exp.select(finding.aggregate).from_(rel.copy()).sql(connection.dialect)
            try:
                values.append(connection.rows(alone)[0][0])
            except SourceError as exc:
                unevaluated[id(finding)] = str(exc).removeprefix("a check query failed: ")
                values.append(0)
        row = (*row, *values)
    rows = int(row[0])
    newest = {c: _instant(row[1 + i]) for i, c in enumerate(fresh)}
    counts = dict(zip([id(f) for f in plain], [int(v or 0) for v in row[1 + len(fresh) :]], strict=True))
    for finding in findings:
        if finding.duplicates is not None:
            columns, complete = finding.duplicates
            query = _duplicates(rel, [usable[c] for c in columns], complete)
            counts[id(finding)] = int(connection.rows(query.sql(connection.dialect))[0][0] or 0)
    violations = []
    for finding in findings:
        if id(finding) in unevaluated:
            why = unevaluable(finding.expression or "", unevaluated[id(finding)])
            violations.append(Violation(finding.kind, finding.column, why, 1))  # type: ignore[arg-type]
            continue
        n = counts[id(finding)]
        failed = finding.fails(n, rows) if finding.fails is not None else n > 0
        if failed:
            violations.append(Violation(finding.kind, finding.column, finding.words(n), n))  # type: ignore[arg-type]
    violations += _table_level(table, usable, now, rows, newest)
    return Outcome(rows, newest, violations, notes)


def _table_level(
    table: Table, usable: dict[str, str], now: dt.datetime, rows: int, newest: dict[str, Any]
) -> list[Violation]:
    """Row counts and freshness, judged from the aggregates, worded as the readers word them."""
    out = []
    for rule, part, check in plan(table, usable, now, whole_table=True):
        if rule.kind == "row_count":
            if part == "min" and rule.min_rows is not None and rows < rule.min_rows:
                n = rule.min_rows - rows
                out.append(Violation("row_count", None, check.message(n), n))
            if part == "max" and rule.max_rows is not None and rows > rule.max_rows:
                n = rows - rule.max_rows
                out.append(Violation("row_count", None, check.message(n), n))
        elif rule.kind == "freshness" and rule.max_age is not None:
            value = newest.get(rule.columns[0])
            if value is not None and stale(value, now, rule.max_age):
                out.append(Violation("freshness", rule.columns[0], check.message(1), 1))
    return out


def stale(newest: Any, now: dt.datetime, max_age: dt.timedelta) -> bool:
    """Whether the newest value is older than `max_age` at `now` (naive times are UTC)."""
    if isinstance(newest, dt.datetime):
        instant = newest if newest.tzinfo is not None else newest.replace(tzinfo=dt.UTC)
        return instant < now - max_age
    if isinstance(newest, dt.date):
        return newest < (now - max_age).date()
    return False


def ahead(newest: Any, now: dt.datetime, tolerance: dt.timedelta) -> bool:
    """Whether the newest value is later than `now` by more than `tolerance` (naive times are UTC)."""
    if isinstance(newest, dt.datetime):
        instant = newest if newest.tzinfo is not None else newest.replace(tzinfo=dt.UTC)
        return instant > now + tolerance
    if isinstance(newest, dt.date):
        return newest > (now + tolerance).date()
    return False


def _instant(value: Any) -> Any:
    """A value from the catalog as Python: SQLite hands back dates and times as text."""
    if isinstance(value, str):
        try:
            return (
                dt.datetime.fromisoformat(value)
                if ("T" in value or " " in value)
                else dt.date.fromisoformat(value)
            )
        except ValueError:
            return value
    return value


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _count_if(condition: Any) -> exp.Expression:
    return exp.Sum(
        this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    )


# SQLite keeps a zoned timestamp as text with its offset, and compares text: '+09:00' sorts after
# a later instant written '+00:00', and CAST(... AS TIMESTAMPTZ) becomes a number. Each value is
# compared as its UTC instant instead, written 'YYYY-MM-DD HH:MM:SS.ffffff+00:00'; the date
# functions keep only milliseconds, so the fraction is taken from the text (an offset never
# changes it) and padded to microseconds.
_SQLITE_INSTANT = sqlglot.parse_one(
    "strftime('%Y-%m-%d %H:%M:%S', substr(v, 1, 19) || ltrim(substr(v, 20), '.0123456789'))"
    " || substr(coalesce(nullif(substr(substr(v, 20), 1, length(substr(v, 20))"
    " - length(ltrim(substr(v, 20), '.0123456789'))), ''), '.') || '000000', 1, 7) || '+00:00'",
    read="sqlite",
)


def _zoned(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.Datetime) and dtype.time_zone is not None


def _comparable(value: exp.Expression, dtype: pl.DataType, dialect: str) -> exp.Expression:
    """`value` as the database can compare it with other values and with bounds."""
    if dialect != "sqlite" or not _zoned(dtype):
        return value
    instant = _SQLITE_INSTANT.copy()
    for node in list(instant.find_all(exp.Column)):
        node.replace(value.copy())
    return exp.Paren(this=instant)


def _literal(value: Any, dtype: pl.DataType, dialect: str) -> exp.Expression:
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, (int, float, Decimal)):
        return exp.Literal.number(str(value))
    if isinstance(value, dt.datetime) and dialect == "sqlite" and _zoned(dtype):
        utc = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        return exp.Literal.string(utc.strftime("%Y-%m-%d %H:%M:%S.%f+00:00"))
    if isinstance(value, dt.datetime):
        zoned = _zoned(dtype)
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMPTZ" if zoned else "TIMESTAMP")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    return exp.Literal.string(str(value))


def _findings(table: Table, usable: dict[str, str], now: dt.datetime, dialect: str) -> list[Finding]:  # noqa: PLR0912, PLR0915 -- one branch per kind of check, as in the readers
    out: list[Finding] = []

    def says(name: str, what: str) -> Any:
        return lambda n: f"'{name}': {rows_text(n)} {what}"

    for name, live in usable.items():
        column = table.column(name)
        dtype = table.schema[name]
        value = _col(live)
        present = value.is_(exp.null()).not_()
        comparable = _comparable(value, dtype, dialect)
        if column.required:
            out.append(
                Finding(
                    "null", name, _count_if(value.is_(exp.null())), says(name, "null in a required column")
                )
            )
        if dialect == "sqlite" and isinstance(dtype, pl.Boolean):  # stored as 0 and 1, as read_database
            bits = [exp.Literal.number(0), exp.Literal.number(1)]
            not_bool = exp.and_(present, exp.Not(this=exp.In(this=value, expressions=bits)))
            words = says(name, f"not representable as {dtype}")
            out.append(Finding("dtype", name, _count_if(not_bool), words))
        if isinstance(dtype, pl.Enum):
            allowed = list(dtype.categories)
            outside = exp.and_(
                present,
                exp.Not(this=exp.In(this=value, expressions=[exp.Literal.string(v) for v in allowed])),
            )
            out.append(
                Finding(
                    "enum", name, _count_if(outside), says(name, f"not among the allowed values {allowed}")
                )
            )
        if column.minimum is not None:
            lo = column.minimum
            op: type[exp.Binary] = exp.LTE if column.exclusive_minimum else exp.LT
            word = "at or below" if column.exclusive_minimum else "below"
            out.append(
                Finding(
                    "minimum",
                    name,
                    _count_if(op(this=comparable, expression=_literal(lo, dtype, dialect))),
                    says(name, f"{word} the minimum {shown(lo)}"),
                )
            )
        if column.maximum is not None:
            hi = column.maximum
            op = exp.GTE if column.exclusive_maximum else exp.GT
            word = "at or above" if column.exclusive_maximum else "above"
            out.append(
                Finding(
                    "maximum",
                    name,
                    _count_if(op(this=comparable, expression=_literal(hi, dtype, dialect))),
                    says(name, f"{word} the maximum {shown(hi)}"),
                )
            )
        if isinstance(dtype, pl.String):
            length = exp.Length(this=value)
            if column.min_length is not None:
                out.append(
                    Finding(
                        "min_length",
                        name,
                        _count_if(length < column.min_length),
                        says(name, f"shorter than {column.min_length}"),
                    )
                )
            if column.max_length is not None:
                out.append(
                    Finding(
                        "max_length",
                        name,
                        _count_if(length > column.max_length),
                        says(name, f"longer than {column.max_length}"),
                    )
                )
        text = value if isinstance(dtype, (pl.String, pl.Enum)) else exp.cast(value, "TEXT")
        shapes = []
        if column.pattern is not None:
            shapes.append(("pattern", column.pattern, f"not matching the pattern {column.pattern!r}"))
        if column.format in FORMAT_PATTERNS:
            shapes.append(("format", FORMAT_PATTERNS[column.format], f"not a valid {column.format}"))
        for kind, pattern, what in shapes:
            translated = regex.translate(pattern, dialect)
            if translated is None:
                out.append(Finding(kind, name, None, None, readers_only=pattern))
                continue
            match = exp.RegexpLike(this=text, expression=exp.Literal.string(translated))
            out.append(
                Finding(kind, name, _count_if(exp.and_(present, exp.Not(this=match))), says(name, what))
            )
        if column.unique:
            words = says(name, "share a value with another row (the column must be unique)")
            out.append(Finding("unique", name, None, words, ((name,), True)))
    key = table.primary_key
    if len(key) > 1 and all(k in usable for k in key):
        names = ", ".join(key)
        out.append(
            Finding(
                "primary_key",
                None,
                None,
                lambda n: f"primary key ({names}): {rows_text(n)} share a key with another row",
                (key, False),
            )
        )
    for rule, part, check in plan(table, usable, now, whole_table=True):
        if rule.kind == "completeness":
            ratio = rule.min_ratio or 0.0
            nulls = _count_if(_col(usable[part]).is_(exp.null()))
            out.append(
                Finding(
                    "completeness",
                    part,
                    nulls,
                    check.message,
                    fails=lambda n, rows, r=ratio: too_incomplete(n, rows, r),
                )
            )
        elif rule.kind == "uniqueness":
            out.append(Finding("uniqueness", check.column, None, check.message, (rule.columns, True)))
        elif rule.kind == "sql" and rule.expression is not None:
            condition = sqlglot.parse_one(rule.expression, read=RULE_DIALECT)
            renamed = {c: usable[c] for c in rule.columns if usable[c] != c}
            for node in condition.find_all(exp.Column):
                if node.name in renamed:
                    node.replace(_col(renamed[node.name]))
            broken = _count_if(exp.Not(this=exp.Paren(this=condition)))
            out.append(Finding("rule", check.column, broken, check.message, expression=rule.expression))
    return out


def _duplicates(rel: exp.Expression, columns: list[str], complete: bool) -> exp.Expression:
    """Rows that share their values of `columns` with another row (the readers' count: every
    row of a duplicate group, the first included)."""
    groups = (
        exp.select(exp.Count(this=exp.Star()).as_("n"))
        .from_(rel.copy())
        .group_by(*(_col(c) for c in columns))
    )
    groups = groups.having(exp.Count(this=exp.Star()) > 1)
    if complete:
        groups = groups.where(exp.and_(*(_col(c).is_(exp.null()).not_() for c in columns)))
    return exp.select(
        exp.Coalesce(this=exp.Sum(this=exp.column("n")), expressions=[exp.Literal.number(0)])
    ).from_(groups.subquery("d"))
