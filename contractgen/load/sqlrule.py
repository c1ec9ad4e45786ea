"""Row rules written as SQL: a boolean predicate over one row's columns, checked when loaded.

A rule such as `billing_period_end >= billing_period_start` runs in three places: the generated
readers (through Polars' SQL), `sources check` (inside the database, in its dialect) and, later,
Spark. So it is parsed once here, with sqlglot, and refused unless it is a predicate every one of
them evaluates the same way: columns of the table, literals, comparisons, boolean logic,
arithmetic and a short list of functions. No subqueries, no statements, no other tables.
The accepted text is kept normalized (identifiers quoted), so the runtime never needs sqlglot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Functions a row rule may call: each means the same in Polars SQL, DuckDB, SQLite and PostgreSQL
# for the types it is allowed on (`_type` holds each call to them).
FUNCTIONS = ("abs", "coalesce", "length")
# The dialect rules are read in and stored in; `sources check` transpiles from it.
DIALECT = "postgres"


@dataclass(frozen=True, slots=True)
class Checked:
    """A rule that passed: its normalized text and the columns it reads (in order of appearance)."""

    text: str
    columns: tuple[str, ...]


class RuleError(ValueError):
    """Why an expression is not a row rule; `hint` says what to write instead."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def check(text: str, columns: Mapping[str, str | None] | set[str]) -> Checked:  # noqa: PLR0912 -- one refusal per kind of node
    """Parse `text` as a boolean row predicate over `columns`; RuleError says why it is not one.

    Given the columns' kinds (name -> the contract's type kind; None for a type with errors of
    its own), every operand is typed too, so a rule no engine can evaluate alike is refused here
    rather than failing in a reader or a database."""
    import sqlglot  # noqa: PLC0415 -- only contracts with SQL rules pay for the parser
    from sqlglot import exp  # noqa: PLC0415

    try:
        trees = [t for t in sqlglot.parse(text, read=DIALECT) if t is not None]
    except sqlglot.errors.SqlglotError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "a syntax error"
        raise RuleError(f"the expression is not valid SQL: {first}", _HINT) from None
    if len(trees) != 1:
        raise RuleError("the expression holds more than one statement", "write one predicate, no ';'")
    tree = trees[0]
    allowed = _allowed(exp)
    predicates = _predicates(exp)
    for node in tree.walk():
        if isinstance(node, (exp.Select, exp.Subquery, exp.Query)):
            raise RuleError("the expression holds a subquery", "a row rule sees one row; compare its columns")
        if isinstance(node, exp.Column) and node.table:
            raise RuleError(
                f"the expression names another table ('{node.table}')",
                "write the column name alone; a row rule reads one table",
            )
        refused = _refused(node, exp)
        if refused is not None:
            raise refused
        if isinstance(node, exp.Func) and not isinstance(node, allowed):
            name = str(node.this) if isinstance(node, exp.Anonymous) else node.sql_name()
            raise RuleError(
                f"function {name.lower()}() is not allowed in a row rule",
                f"use only {', '.join(FUNCTIONS)}, comparisons, AND/OR/NOT, IN, BETWEEN, CASE and + - * %",
            )
        elif not isinstance(node, allowed):
            raise RuleError(
                f"{type(node).__name__.upper()} is not allowed in a row rule",
                _HINT,
            )
    root = tree.unnest() if isinstance(tree, exp.Paren) else tree
    if not isinstance(root, predicates):
        raise RuleError(
            "the expression is not a condition (true or false for each row)",
            "compare columns, like 'billing_period_end >= billing_period_start'",
        )
    found: list[str] = []
    for column in tree.find_all(exp.Column):
        name = column.name
        if name not in columns:
            raise RuleError(f"the expression names '{name}', which is not a field", _HINT)
        if name not in found:
            found.append(name)
    if not found:
        raise RuleError("the expression reads no column", "a row rule compares a row's columns")
    if isinstance(columns, Mapping):
        _type(root, columns)
    return Checked(tree.sql(dialect=DIALECT, identify=True, comments=False), tuple(found))


_HINT = "write a condition on the row's columns, like 'billing_period_end >= billing_period_start'"


def _allowed(exp: object) -> tuple[type, ...]:
    names = (
        "Column",
        "Identifier",
        "Literal",
        "Boolean",
        "Null",
        "Paren",
        "And",
        "Or",
        "Not",
        "Neg",
        "EQ",
        "NEQ",
        "GT",
        "GTE",
        "LT",
        "LTE",
        "Is",
        "In",
        "Between",
        "Add",
        "Sub",
        "Mul",
        "Mod",
        "Case",
        "If",
        "Abs",
        "Coalesce",
        "Length",
    )
    return tuple(getattr(exp, name) for name in names)


def _refused(node: Any, exp: Any) -> RuleError | None:
    """Operators and functions sqlglot knows that the engines evaluate differently, with what to
    write instead."""
    if isinstance(node, exp.Div):
        return RuleError(
            "division is not portable: SQLite and PostgreSQL divide integers to an integer, and by zero "
            "Polars gives infinity, SQLite and DuckDB null, PostgreSQL an error",
            "multiply instead: 'a <= 2 * b' rather than 'a / b <= 2'",
        )
    if isinstance(node, (exp.Like, exp.ILike)):
        return RuleError(
            "LIKE is not portable: SQLite ignores case, PostgreSQL reads a backslash as an escape",
            "compare with = or IN, or give the field a 'pattern:' (a regular expression every engine checks)",
        )
    if isinstance(node, exp.Tuple):
        return RuleError(
            "a tuple (a, b) IN (...) is not portable",
            "write (a = 'x' AND b = 1) OR (a = 'y' AND b = 2)",
        )
    name = (
        node.sql_name().lower() if isinstance(node, exp.Func) and not isinstance(node, exp.Anonymous) else ""
    )
    if name in _NOT_PORTABLE:
        return RuleError(
            f"function {name}() is not portable: {_NOT_PORTABLE[name]}",
            f"use only {', '.join(FUNCTIONS)}, comparisons, AND/OR/NOT, IN, BETWEEN, CASE and + - * %",
        )
    return None


def _predicates(exp: object) -> tuple[type, ...]:
    names = (
        "EQ",
        "NEQ",
        "GT",
        "GTE",
        "LT",
        "LTE",
        "Is",
        "In",
        "Between",
        "And",
        "Or",
        "Not",
    )
    return tuple(getattr(exp, name) for name in names)


# The kinds of value a rule's expression has, from the contract's column kinds and the literals.
# Numbers of every width compare with each other; dates, timestamps and times only with their
# own kind (a date literal is not portable: SQLite stores dates as text); "any" is a column whose
# type had errors of its own (no cascade).
_FAMILY = {
    "integer": "number",
    "float": "number",
    "decimal": "number",
    "string": "text",
    "enum": "enum",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "time": "time",
}
_WORDS = {
    "number": "a number",
    "text": "text",
    "enum": "an enum",
    "boolean": "a boolean",
    "date": "a date",
    "timestamp": "a timestamp",
    "time": "a time",
    "other": "a value of a type rules do not compare",
}
_INT64 = (-(2**63), 2**63 - 1)
# Refused although sqlglot knows them: what each engine does differently, and what to write.
_NOT_PORTABLE = {
    "lower": "non-ASCII letters fold in Polars and DuckDB, not in SQLite or PostgreSQL's C locale",
    "upper": "non-ASCII letters fold in Polars and DuckDB, not in SQLite or PostgreSQL's C locale",
    "trim": "Polars strips every kind of whitespace, the databases only spaces",
    "round": "Polars rounds halves to even, the databases away from zero",
}


def _type(node: Any, kinds: Mapping[str, str | None]) -> str:  # noqa: PLR0911, PLR0912, PLR0915 -- one branch per node kind, as the grammar lists them
    """The kind of value `node` has ("number", "text", "boolean", …, "null", "any"); RuleError
    where the engines would disagree or fail."""
    from sqlglot import exp  # noqa: PLC0415

    if isinstance(node, exp.Paren):
        return _type(node.this, kinds)
    if isinstance(node, exp.Column):
        kind = kinds.get(node.name)
        return "any" if kind is None else _FAMILY.get(kind, "other")
    if isinstance(node, exp.Null):
        return "null"
    if isinstance(node, exp.Boolean):
        return "boolean"
    if isinstance(node, exp.Literal):
        return "text" if node.is_string else _number(node)
    if isinstance(node, exp.Neg):
        _want(node.this, kinds, "number", node)
        return "number"
    if isinstance(node, exp.Mod):
        if not _integral(node.this, kinds):
            raise RuleError(
                f"`{node.sql(dialect=DIALECT)}` takes a remainder of a value that may not be whole",
                "SQLite truncates it to an integer first; use % on integer columns",
            )
        divisor = node.expression.unnest()
        if not (isinstance(divisor, exp.Literal) and not divisor.is_string and divisor.name.isdigit()):
            raise RuleError(
                f"`{node.sql(dialect=DIALECT)}` divides by a column or an expression",
                "engines disagree on a remainder by zero; write % and a positive whole number",
            )
        if int(divisor.name) == 0:
            raise RuleError(
                f"`{node.sql(dialect=DIALECT)}` divides by zero", "write % with a positive whole number"
            )
        return "number"
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        _want(node.this, kinds, "number", node)
        _want(node.expression, kinds, "number", node)
        return "number"
    if isinstance(node, (exp.And, exp.Or)):
        _want(node.this, kinds, "boolean", node)
        _want(node.expression, kinds, "boolean", node)
        return "boolean"
    if isinstance(node, exp.Not):
        _want(
            node.this,
            kinds,
            "boolean",
            node,
            "NOT applies to a condition: write 'NOT (a = b)', or 'a IS NULL'",
        )
        return "boolean"
    if isinstance(node, (exp.EQ, exp.NEQ)):
        _comparable(node.this, node.expression, kinds, node, ordered=False)
        return "boolean"
    if isinstance(node, (exp.GT, exp.GTE, exp.LT, exp.LTE)):
        _comparable(node.this, node.expression, kinds, node, ordered=True)
        return "boolean"
    if isinstance(node, exp.Between):
        _comparable(node.this, node.args["low"], kinds, node, ordered=True)
        _comparable(node.this, node.args["high"], kinds, node, ordered=True)
        return "boolean"
    if isinstance(node, exp.In):
        if isinstance(node.this, exp.Tuple):
            raise RuleError(
                "a tuple (a, b) IN (...) is not portable",
                "write (a = 'x' AND b = 1) OR (a = 'y' AND b = 2)",
            )
        for value in node.expressions:
            _comparable(node.this, value, kinds, node, ordered=False)
        return "boolean"
    if isinstance(node, exp.Is):
        if isinstance(node.expression, exp.Boolean):
            _want(
                node.this, kinds, "boolean", node, "IS TRUE applies to a boolean: compare the value instead"
            )
        return "boolean"
    if isinstance(node, exp.Case):
        return _case(node, kinds)
    if isinstance(node, exp.Abs):
        _arity(node)
        _want(node.this, kinds, "number", node)
        return "number"
    if isinstance(node, exp.Length):
        _arity(node)
        _want(node.this, kinds, "text", node, "length() counts the characters of a text column")
        return "number"
    if isinstance(node, exp.Coalesce):
        out = _type(node.this, kinds)
        for value in node.expressions:
            out = _common(out, _type(value, kinds), node)
        return out
    raise RuleError(f"{type(node).__name__.upper()} is not allowed in a row rule", _HINT)


def _number(node: Any) -> str:
    text = node.name
    try:
        value = int(text)
    except ValueError:
        if not math.isfinite(float(text)):
            raise RuleError(
                f"the number {text} is too large for a double", "write a smaller number"
            ) from None
        return "number"
    if not _INT64[0] <= value <= _INT64[1]:
        raise RuleError(
            f"the number {text} does not fit a 64-bit integer",
            "engines read it differently (a decimal, a double, an error); stay within ±9223372036854775807",
        )
    return "number"


def _integral(node: Any, kinds: Mapping[str, str | None]) -> bool:
    from sqlglot import exp  # noqa: PLC0415

    if isinstance(node, exp.Column):
        return kinds.get(node.name) == "integer"
    if isinstance(node, exp.Literal):
        return not node.is_string and node.name.lstrip("-").isdigit()
    if isinstance(node, (exp.Paren, exp.Neg, exp.Abs)):
        return _integral(node.this, kinds)
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        return _integral(node.this, kinds) and _integral(node.expression, kinds)
    return False


def _arity(node: Any) -> None:
    extra = [k for k, v in node.args.items() if k != "this" and v not in (None, False)]
    if extra:
        name = node.sql_name().lower()
        raise RuleError(f"{name}() takes one argument", f"write {name}(column)")


def _case(node: Any, kinds: Mapping[str, str | None]) -> str:
    subject = node.this
    out = "null"
    for branch in node.args.get("ifs") or []:
        if subject is not None:
            _comparable(subject, branch.this, kinds, node, ordered=False)
        else:
            _want(branch.this, kinds, "boolean", node)
        out = _common(out, _type(branch.args["true"], kinds), node)
    default = node.args.get("default")
    return _common(out, _type(default, kinds), node) if default is not None else out


def _common(a: str, b: str, node: Any) -> str:
    if a in ("null", "any"):
        return b if a == "null" else a
    if b in ("null", "any") or a == b:
        return a
    raise RuleError(
        f"`{node.sql(dialect=DIALECT)}` mixes {_WORDS.get(a, a)} and {_WORDS.get(b, b)}",
        "give every branch or argument the same type",
    )


def _want(node: Any, kinds: Mapping[str, str | None], family: str, parent: Any, hint: str = "") -> None:
    found = _type(node, kinds)
    if found not in (family, "null", "any"):
        raise RuleError(
            f"`{node.sql(dialect=DIALECT)}` is {_WORDS.get(found, found)}, but "
            f"`{parent.sql(dialect=DIALECT)}` needs {_WORDS[family]}",
            hint or _HINT,
        )


def _comparable(left: Any, right: Any, kinds: Mapping[str, str | None], node: Any, *, ordered: bool) -> None:
    from sqlglot import exp  # noqa: PLC0415

    a, b = _type(left, kinds), _type(right, kinds)
    shown = node.sql(dialect=DIALECT)
    if "any" in (a, b) or "null" in (a, b):
        return
    if "enum" in (a, b):
        other, value = (b, right) if a == "enum" else (a, left)
        if other == "text" and isinstance(value.unnest(), exp.Literal) and not ordered:
            return
        raise RuleError(
            f"`{shown}` compares an enum other than with = or IN against a text literal",
            "compare an enum column with its values: status IN ('open', 'closed')",
        )
    if a != b:
        hint = "compare values of the same type"
        if {a, b} & {"date", "timestamp", "time"} and "text" in (a, b):
            hint = (
                "a rule compares dates and times only with columns of the same type: literals like "
                "DATE '2023-06-01' are not portable (SQLite keeps dates as text); "
                "put a fixed bound in the field's minimum or maximum instead"
            )
        raise RuleError(f"`{shown}` compares {_WORDS.get(a, a)} with {_WORDS.get(b, b)}", hint)
    if a == "other":
        raise RuleError(f"`{shown}` compares values of a type rules do not compare", _HINT)
    if ordered and a in ("text", "boolean"):
        raise RuleError(
            f"`{shown}` orders {_WORDS[a]}",
            "the order of text depends on the collation; compare with = or IN, or compare length()",
        )


def from_count_query(query: str, table: str, columns: Mapping[str, str | None] | set[str]) -> Checked:
    """The row rule an ODCS `type: sql` quality rule means when it counts the rows that break it
    (`SELECT COUNT(*) FROM {object} WHERE <broken>` with `mustBe: 0`): every row must satisfy
    `NOT (<broken>)`. RuleError for any other query."""
    import sqlglot  # noqa: PLC0415 -- only contracts with SQL rules pay for the parser
    from sqlglot import exp  # noqa: PLC0415

    text = query.replace("${object}", f'"{table}"').replace("{object}", f'"{table}"')
    hint = "write it as SELECT COUNT(*) FROM {object} WHERE <the condition a bad row meets>, with mustBe: 0"
    try:
        tree = sqlglot.parse_one(text, read=DIALECT)
    except sqlglot.errors.SqlglotError:
        raise RuleError("the query is not valid SQL", hint) from None
    source = tree.args.get("from") or tree.args.get("from_")
    counts_rows = (
        isinstance(tree, exp.Select)
        and len(tree.expressions) == 1
        and isinstance(tree.expressions[0], exp.Count)
        and isinstance(tree.expressions[0].this, exp.Star)
    )
    shape = ("joins", "group", "having", "order", "limit", "with", "distinct")
    if not counts_rows or source is None or any(tree.args.get(k) for k in shape):
        raise RuleError("the query does not count the rows that break a rule", hint)
    target = source.this
    if not isinstance(target, exp.Table) or target.name != table or target.db:
        raise RuleError(f"the query reads another table than '{table}'", hint)
    where = tree.args.get("where")
    if where is None:
        raise RuleError("the query has no WHERE: it counts every row", hint)
    broken = where.this.sql(dialect=DIALECT)
    return check(f"NOT ({broken})", columns)
