"""The contract's table-level quality rules as checks on a frame.

Completeness, row counts, uniqueness over several columns, row rules written in SQL and (given a
clock) freshness. Each rule becomes a `RuleCheck`: the same parts as a column check (which rows
are bad, a cheap aggregate that says whether any might be, the message), so the readers run them
in the same single pass and report them in the same `ContractViolationError`.

Row rules are SQL text the generator already validated (a boolean predicate over the table's
columns, see `contractgen.load.sqlrule`); Polars' SQL turns them into expressions here, so the
runtime needs no SQL parser of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from contractgen.runtime.errors import ViolationKind, rows_text
from contractgen.runtime.spec import Rule, Table

_SEED = 0x5EED


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule as a check. `count`, when set, is the aggregate that counts the violation (for a
    row count, the rows missing) instead of summing `bad`; `whole` says the rule needs every row
    at once (a ratio, a count, duplicates), so a frame is never split to check it."""

    kind: ViolationKind
    column: str | None
    bad: pl.Expr
    sample: pl.Expr
    message: Callable[[int], str]
    suspect: pl.Expr
    count: pl.Expr | None = None
    whole: bool = True
    sampled: bool = True


def clock(freshness: bool, now: dt.datetime | None) -> dt.datetime | None:
    """The moment freshness is judged at: `now` when given (a replay), the present when asked."""
    if now is not None:
        return now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC) if freshness else None


def checks(
    table: Table, usable: Iterable[str], now: dt.datetime | None = None, *, whole_table: bool = False
) -> list[RuleCheck]:
    """The checks of every rule whose columns the data has in a usable dtype.

    Freshness rules are checked only with a clock (`now`): replaying an old snapshot must not fail
    because time went on. Row counts only when the data is the whole table (`whole_table`): a
    file may be one part of it, a test fixture a handful of rows.
    """
    return [check for _, _, check in plan(table, usable, now, whole_table=whole_table)]


def plan(
    table: Table, usable: Iterable[str], now: dt.datetime | None = None, *, whole_table: bool = False
) -> list[tuple[Rule, str, RuleCheck]]:
    """Each check with the rule it comes from and which part of the rule it is (the column of a
    completeness rule, "min" or "max" of a row count): what other engines (a database, Spark)
    need to check the same rules and word the findings the same way."""
    present = set(usable)
    out: list[tuple[Rule, str, RuleCheck]] = []
    for rule in table.rules:
        if not all(c in present for c in rule.columns):
            continue  # the missing column or its dtype is already a violation
        if rule.kind == "completeness" and rule.min_ratio is not None:
            # A required column is already checked for every null: a 100% rule would say it twice.
            out += [
                (rule, c, _completeness(c, rule.min_ratio))
                for c in rule.columns
                if not (rule.min_ratio >= 1 and table.column(c).required)
            ]
        elif rule.kind == "row_count" and whole_table:
            out += _row_count(rule)
        elif rule.kind == "uniqueness" and rule.columns and not _already_unique(table, rule.columns):
            out.append((rule, "", _uniqueness(rule.columns)))
        elif rule.kind == "sql" and rule.expression is not None:
            out.append((rule, "", _row_rule(rule.expression, rule.columns, table.schema)))
        elif rule.kind == "freshness" and now is not None and rule.columns and rule.max_age is not None:
            dtype = table.schema[rule.columns[0]]
            if isinstance(dtype, (pl.Datetime, pl.Date)):
                out.append((rule, "", _freshness(rule, dtype, now)))
    return out


def _already_unique(table: Table, columns: tuple[str, ...]) -> bool:
    """Whether the column checks already prove `columns` unique (the key, or a unique column)."""
    if set(columns) == set(table.primary_key) and len(columns) > 1:
        return True
    return len(columns) == 1 and table.column(columns[0]).unique


def exact(ratio: float) -> tuple[int, int]:
    """`ratio` as the fraction it was written as (0.9 is 9/10, not the double nearest it), so a
    count at the boundary compares exactly in every engine."""
    share = Fraction(repr(ratio))
    return share.numerator, share.denominator


def too_incomplete(nulls: int, rows: int, ratio: float) -> bool:
    """Whether `nulls` of `rows` leaves less than `ratio` complete, compared in integers."""
    num, den = exact(ratio)
    return nulls * den > rows * (den - num)


def _completeness(name: str, ratio: float) -> RuleCheck:
    value = pl.col(name)
    num, den = exact(ratio)
    share = f"{ratio * 100:g}%"
    return RuleCheck(
        "completeness",
        name,
        value.is_null(),
        value,
        lambda n: (
            f"'{name}': {rows_text(n)} null, so it is less than the {share} complete the contract requires"
        ),
        value.null_count().cast(pl.Int64) * den > pl.len().cast(pl.Int64) * (den - num),
    )


def _row_count(rule: Rule) -> list[tuple[Rule, str, RuleCheck]]:
    out: list[tuple[Rule, str, RuleCheck]] = []
    if rule.min_rows is not None:
        low = rule.min_rows
        out.append(
            (
                rule,
                "min",
                RuleCheck(
                    "row_count",
                    None,
                    pl.repeat(True, pl.len()),
                    pl.lit(None),
                    lambda n: (
                        f"the data has {rows_text(low - n)}, fewer than the {low:,} the contract requires"
                    ),
                    pl.len() < low,
                    count=pl.lit(low, pl.Int64) - pl.len().cast(pl.Int64),
                    sampled=False,
                ),
            )
        )
    if rule.max_rows is not None:
        high = rule.max_rows
        out.append(
            (
                rule,
                "max",
                RuleCheck(
                    "row_count",
                    None,
                    pl.int_range(pl.len()) >= high,
                    pl.lit(None),
                    lambda n: (
                        f"the data has {rows_text(high + n)}, more than the {high:,} the contract allows"
                    ),
                    pl.len() > high,
                    sampled=False,
                ),
            )
        )
    return out


def _uniqueness(columns: tuple[str, ...]) -> RuleCheck:
    complete = pl.all_horizontal(pl.col(c).is_not_null() for c in columns)
    key = pl.col(columns[0]) if len(columns) == 1 else pl.struct(*columns)
    names = ", ".join(columns)
    return RuleCheck(
        "uniqueness",
        columns[0] if len(columns) == 1 else None,
        complete & key.is_duplicated(),
        key,
        lambda n: f"unique ({names}): {rows_text(n)} share their values with another row",
        key.filter(complete).hash(_SEED).n_unique() < complete.sum(),
    )


def unevaluable(expression: str, why: str) -> str:
    """The message of a rule an engine could not evaluate (the same words in every engine)."""
    return f"rule {expression} could not be evaluated: {why}"


def _row_rule(expression: str, columns: tuple[str, ...], schema: pl.Schema) -> RuleCheck:
    try:
        holds = pl.sql_expr(expression)
        bad = (~holds).fill_null(False)
        # Typed on no rows: a rule the loader let through that Polars cannot evaluate on these
        # dtypes (a contract from an older version) is reported, never raised mid-read.
        pl.DataFrame(schema={c: schema[c] for c in columns}).select(bad)
    except Exception as exc:  # Polars' errors have no common base worth naming
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return RuleCheck(
            "rule",
            columns[0] if len(columns) == 1 else None,
            pl.repeat(False, pl.len()),
            pl.lit(None),
            lambda _: unevaluable(expression, why),
            pl.lit(True),
            count=pl.lit(1, pl.Int64),
            sampled=False,
        )
    return RuleCheck(
        "rule",
        columns[0] if len(columns) == 1 else None,
        bad,
        pl.col(columns[0]) if len(columns) == 1 else pl.struct(*columns),
        lambda n: f"rule {expression}: {rows_text(n)} break it",
        bad.any(),
        whole=False,
    )


def _freshness(rule: Rule, dtype: pl.DataType, now: dt.datetime) -> RuleCheck:
    name = rule.columns[0]
    assert rule.max_age is not None
    at = now.astimezone(dt.UTC)
    cutoff = at - rule.max_age
    newest = pl.col(name).max()
    limit: pl.Expr
    if isinstance(dtype, pl.Datetime):
        limit = pl.lit(cutoff.replace(tzinfo=None), pl.Datetime(dtype.time_unit))
        if dtype.time_zone is not None:
            limit = limit.dt.replace_time_zone("UTC").dt.convert_time_zone(dtype.time_zone)
    else:
        limit = pl.lit(cutoff.date(), pl.Date)
    stale = newest < limit
    label = rule.label or str(rule.max_age)
    return RuleCheck(
        "freshness",
        name,
        (pl.int_range(pl.len()) == pl.col(name).arg_max()) & stale,  # the newest row, as the sample
        pl.col(name),
        lambda n: f"'{name}': stale: the newest value is more than {label} old at {at:%Y-%m-%d %H:%M:%S} UTC",
        stale.fill_null(False),
    )
