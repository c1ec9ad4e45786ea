"""Row rules written as SQL: a boolean predicate over one row's columns, checked when loaded.

A rule such as `billing_period_end >= billing_period_start` runs in three places: the generated
readers (through Polars' SQL), `sources check` (inside the database, in its dialect) and, later,
Spark. So it is parsed once here, with sqlglot, and refused unless it is a predicate every one of
them evaluates the same way: columns of the table, literals, comparisons, boolean logic,
arithmetic and a short list of functions. No subqueries, no statements, no other tables.
The accepted text is kept normalized (identifiers quoted), so the runtime never needs sqlglot.
"""

from __future__ import annotations

from dataclasses import dataclass

# Functions a row rule may call: each means the same in Polars SQL, DuckDB, SQLite and PostgreSQL.
FUNCTIONS = ("abs", "coalesce", "length", "lower", "round", "trim", "upper")
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


def check(text: str, columns: set[str]) -> Checked:
    """Parse `text` as a boolean row predicate over `columns`; RuleError says why it is not one."""
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
        if isinstance(node, exp.Func) and not isinstance(node, allowed):
            name = str(node.this) if isinstance(node, exp.Anonymous) else node.sql_name()
            raise RuleError(
                f"function {name.lower()}() is not allowed in a row rule",
                f"use only {', '.join(FUNCTIONS)}, comparisons, AND/OR/NOT, IN, BETWEEN, LIKE and arithmetic",
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
        "Tuple",
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
        "Like",
        "ILike",
        "Add",
        "Sub",
        "Mul",
        "Div",
        "Mod",
        "Case",
        "If",
        "Abs",
        "Coalesce",
        "Length",
        "Lower",
        "Upper",
        "Trim",
        "Round",
    )
    return tuple(getattr(exp, name) for name in names)


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
        "Like",
        "ILike",
        "And",
        "Or",
        "Not",
    )
    return tuple(getattr(exp, name) for name in names)


def from_count_query(query: str, table: str, columns: set[str]) -> Checked:
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
