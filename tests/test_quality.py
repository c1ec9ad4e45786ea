"""The contract's table-level quality rules, checked by the readers in the same pass."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from contractgen.codegen.tables import table
from contractgen.load import load_bytes
from contractgen.runtime import ContractViolationError, validate

UTC = dt.UTC
CONTRACT = b"""\
data_source: periods
version: 1.0.0
schema:
  id: {type: int64, primary_key: true}
  region: {type: enum, values: [north, south]}
  starts: {type: date}
  ends: {type: date}
  amount: {type: int32}
  email: {type: string, pii: true}
  loaded_at: {type: timestamp with time zone, required: true}
sla:
  max_delay: 2 hours
  freshness_column: loaded_at
quality:
  - type: completeness
    columns: [amount]
    min_ratio: 75%
  - type: row_count
    min: 3
    max: 5
  - type: uniqueness
    columns: [region, starts]
  - type: sql
    expression: ends >= starts AND coalesce(amount, 0) >= 0
  - type: freshness
    column: loaded_at
    max_age: 1 day
"""
LOADED = dt.datetime(2024, 1, 15, 6, tzinfo=UTC)


def periods() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "region": ["north", "south", "north", "south"],
            "starts": [dt.date(2024, 1, d) for d in (1, 1, 8, 8)],
            "ends": [dt.date(2024, 1, d) for d in (7, 7, 14, 14)],
            "amount": pl.Series([10, 20, 30, None], dtype=pl.Int32),
            "email": ["a@x.example", None, None, "d@x.example"],
            "loaded_at": [LOADED - dt.timedelta(hours=h) for h in (3, 2, 1, 0)],
        }
    )


@pytest.fixture(scope="module")
def spec():
    contract, diagnostics = load_bytes(CONTRACT, "periods.yaml")
    assert diagnostics == [] and contract is not None
    return table(contract)


def messages(spec, frame, **options) -> list[str]:
    with pytest.raises(ContractViolationError) as info:
        validate(frame, spec, **options)
    eager = [v.render() for v in info.value.violations]
    with pytest.raises(ContractViolationError) as lazy:
        validate(frame.lazy(), spec, **options).collect()
    assert [v.render() for v in lazy.value.violations] == eager  # streaming finds the same
    return eager


def test_clean_data_passes_every_rule(spec):
    now = LOADED + dt.timedelta(hours=1)
    assert validate(periods(), spec, whole_table=True, now=now).height == 4


def test_completeness_below_the_ratio(spec):
    frame = periods().with_columns(amount=pl.Series([10, None, 30, None], dtype=pl.Int32))
    assert messages(spec, frame) == [
        "'amount': 2 rows null, so it is less than the 75% complete the contract requires "
        "(row 1: None, row 3: None)"
    ]


def test_row_counts_apply_to_the_whole_table_only(spec):
    two = periods().head(2)
    validate(two, spec)  # a part of the table: row counts do not apply
    assert messages(spec, two, whole_table=True) == [
        "the data has 2 rows, fewer than the 3 the contract requires"
    ]
    six = pl.concat(
        [
            periods(),
            periods().with_columns(
                id=pl.col("id") + 4,
                starts=pl.col("starts") + pl.duration(days=20),
                ends=pl.col("ends") + pl.duration(days=20),
            ),
        ]
    )
    six = six.head(6)
    assert messages(spec, six, whole_table=True) == [
        "the data has 6 rows, more than the 5 the contract allows"
    ]


def test_composite_uniqueness(spec):
    frame = periods().with_columns(
        starts=pl.Series([dt.date(2024, 1, 1)] * 4), ends=pl.Series([dt.date(2024, 1, 7)] * 4)
    )
    assert messages(spec, frame) == [
        "unique (region, starts): 4 rows share their values with another row "
        "(row 0: ('north', datetime.date(2024, 1, 1)), row 1: ('south', datetime.date(2024, 1, 1)), "
        "row 2: ('north', datetime.date(2024, 1, 1)), row 3: ('south', datetime.date(2024, 1, 1)))"
    ]


def test_row_rule_in_sql(spec):
    ends = [dt.date(2024, 1, 7), dt.date(2023, 12, 31), dt.date(2024, 1, 14), dt.date(2024, 1, 2)]
    frame = periods().with_columns(ends=pl.Series(ends))
    assert messages(spec, frame) == [
        'rule "ends" >= "starts" AND COALESCE("amount", 0) >= 0: 2 rows break it '
        "(row 1: (datetime.date(2023, 12, 31), datetime.date(2024, 1, 1), 20), "
        "row 3: (datetime.date(2024, 1, 2), datetime.date(2024, 1, 8), None))"
    ]


def test_freshness_needs_a_clock(spec):
    frame = periods()
    validate(frame, spec)  # replaying an old snapshot: no clock, no freshness verdict
    late = LOADED + dt.timedelta(hours=3)
    # The sample's repr depends on which tzinfo object Polars hands back; compare the rest.
    (message,) = messages(spec, frame, now=late)
    assert message.startswith(
        "'loaded_at': stale: the newest value is more than 2 hours (SLA max_delay) old at 2024-01-15 09:00:00 UTC "
        "(row 3: datetime.datetime(2024, 1, 15, 6, 0, tzinfo="
    ), message
    assert len(messages(spec, frame, freshness=True)) == 2  # today, both rules find it stale


def test_every_rule_in_one_error_with_the_column_checks(spec):
    frame = periods().with_columns(
        amount=pl.Series([10, None, None, -1], dtype=pl.Int32),
        loaded_at=pl.lit(None, pl.Datetime("us", "UTC")),
    )
    with pytest.raises(ContractViolationError) as info:
        validate(frame, spec)
    kinds = [v.kind for v in info.value.violations]
    assert kinds == ["null", "completeness", "rule"]


def test_rules_on_sensitive_columns_are_redacted():
    contract, _ = load_bytes(CONTRACT.replace(b"columns: [region, starts]", b"columns: [email]"), "p.yaml")
    assert contract is not None
    frame = periods().with_columns(email=pl.lit("same@x.example"))
    with pytest.raises(ContractViolationError) as info:
        validate(frame, table(contract))
    assert "same@x.example" not in str(info.value)
    assert "<redacted sha256:" in str(info.value)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("ends >= (SELECT max(starts) FROM periods)", "the expression holds a subquery"),
        ("ends >= starts; DROP TABLE periods", "the expression holds more than one statement"),
        ("now() > ends", "function current_timestamp() is not allowed in a row rule"),
        ("other.ends > starts", "the expression names another table ('other')"),
        ("amount + 1", "the expression is not a condition (true or false for each row)"),
        ("finish >= starts", "the expression names 'finish', which is not a field"),
        ("ends >= ", "the expression is not valid SQL"),
        # Typed against the contract: what no engine evaluates alike is refused here, not at run time.
        ("ends > '2023-06-01'", "`ends > '2023-06-01'` compares a date with text"),
        (
            "loaded_at > '2023-06-01 00:00:00'",
            "`loaded_at > '2023-06-01 00:00:00'` compares a timestamp with text",
        ),
        ("email > 1", "`email > 1` compares text with a number"),
        ("email > 'b'", "`email > 'b'` orders text"),
        ("round(id, 2.5) = 1", "function round() is not portable"),
        ("length(email, 'x') = 1", "length() takes one argument"),
        ("(email, id) IN (('x', 1))", "a tuple (a, b) IN (...) is not portable"),
        ("NOT email", "`email` is text, but `NOT email` needs a boolean"),
        ("email IS TRUE", "`email` is text, but `email IS TRUE` needs a boolean"),
        ("id = 9223372036854775808", "the number 9223372036854775808 does not fit a 64-bit integer"),
        ("id / 0 = 1", "division is not portable"),
        ("trim(email) = email", "function trim() is not portable"),
        ("lower(email) = 'x'", "function lower() is not portable"),
        ("email LIKE 'a%'", "LIKE is not portable"),
        ("id % 0 = 1", "`id % 0` divides by zero"),
        ("amount % id = 1", "`amount % id` divides by a column or an expression"),
        ("region > 'north'", "`region > 'north'` compares an enum other than with = or IN"),
        ("length(region) = 5", "`region` is an enum, but `LENGTH(region)` needs text"),
        ("CASE WHEN id > 1 THEN email ELSE 0 END = 0", "`CASE WHEN id > 1 THEN email ELSE 0 END` mixes text"),
    ],
)
def test_sql_rules_are_refused_with_their_place(expression, message):
    text = CONTRACT.replace(b"ends >= starts AND coalesce(amount, 0) >= 0", expression.encode())
    _, diagnostics = load_bytes(text, "periods.yaml")
    assert len(diagnostics) == 1
    rendered = diagnostics[0].render()
    assert rendered.startswith(f"periods.yaml:24:17: error: expression {expression.strip()!r}: {message}")
    assert "\n  hint: " in rendered


@pytest.mark.parametrize(
    "expression",
    [
        "region IN ('north', 'south') AND id % 2 = 0",
        "CASE WHEN amount IS NULL THEN 0 ELSE abs(amount) END BETWEEN 0 AND 10 OR length(email) = 3",
        "NOT (ends < starts) AND -amount <= id * 2",
    ],
)
def test_portable_sql_rules_are_accepted(expression):
    _, diagnostics = load_bytes(
        CONTRACT.replace(b"ends >= starts AND coalesce(amount, 0) >= 0", expression.encode()), "p.yaml"
    )
    assert diagnostics == []


def test_sql_rule_without_expression_is_refused():
    text = CONTRACT.replace(b"    expression: ends >= starts AND coalesce(amount, 0) >= 0\n", b"")
    _, diagnostics = load_bytes(text, "periods.yaml")
    assert [d.render().splitlines()[0] for d in diagnostics] == [
        "periods.yaml:23:5: error: a sql quality rule has no expression"
    ]


ODCS = """\
apiVersion: v3.0.2
kind: DataContract
id: invoices-contract
version: 1.0.0
status: active
schema:
  - name: invoices
    properties:
      - name: invoice_id
        logicalType: string
        required: true
      - name: period_start
        logicalType: date
      - name: period_end
        logicalType: date
    quality:
      - type: sql
        description: the period ends on or after it starts
        query: SELECT COUNT(*) FROM ${object} WHERE period_end < period_start
        mustBe: 0
      - type: sql
        query: SELECT COUNT(*) FROM other WHERE period_end < period_start
        mustBe: 0
      - type: sql
        query: SELECT AVG(period_end - period_start) FROM {object}
        mustBeLessThan: 40
"""


def test_odcs_sql_rules_that_count_broken_rows_become_row_rules():
    from contractgen.load import load_all

    [contract], diagnostics = load_all(ODCS.encode(), "invoices.odcs.yaml")
    assert [(r.kind, r.expression) for r in contract.quality] == [
        ("sql", 'NOT ("period_end" < "period_start")'),
        ("custom", None),
        ("custom", None),
    ]
    assert [d.render().splitlines()[0] for d in diagnostics] == [
        "invoices.odcs.yaml:21:9: warning: this sql quality rule is kept as a description: "
        "the query reads another table than 'invoices'",
        "invoices.odcs.yaml:24:9: warning: this sql quality rule is kept as a description; only a count "
        "of broken rows that must be 0 becomes a checked row rule",
    ]
    frame = pl.DataFrame(
        {
            "invoice_id": ["a", "b"],
            "period_start": [dt.date(2024, 1, 1)] * 2,
            "period_end": [dt.date(2024, 1, 31), dt.date(2023, 12, 1)],
        }
    )
    with pytest.raises(ContractViolationError) as info:
        validate(frame, table(contract))
    assert [v.message for v in info.value.violations] == [
        'rule NOT ("period_end" < "period_start"): 1 row break it'
    ]


def test_a_rule_polars_cannot_evaluate_is_reported_not_raised():
    # A contract built before rules were typed: the reader reports the rule instead of crashing.
    spec = table(load_bytes(CONTRACT, "periods.yaml")[0])
    rule = next(r for r in spec.rules if r.kind == "sql")
    broken = dataclasses.replace(rule, expression="\"ends\" > 'not a date'")
    spec = dataclasses.replace(spec, rules=tuple(broken if r is rule else r for r in spec.rules))
    frame = pl.DataFrame(
        {"id": [1], "region": ["north"], "starts": [dt.date(2024, 1, 1)], "ends": [dt.date(2024, 1, 2)],
         "amount": [1], "email": ["a@b.c"], "loaded_at": [LOADED]},
        schema_overrides={"region": pl.Enum(["north", "south"]), "amount": pl.Int32},
    )  # fmt: skip
    found = messages(spec, frame)
    assert len(found) == 1
    assert found[0].startswith("rule \"ends\" > 'not a date' could not be evaluated: ")


def test_completeness_at_the_exact_boundary_passes(spec):
    # 1 null in 10 rows is exactly 90% complete: 1 > 10 * (1 - 0.9) was true in floats.
    from contractgen.runtime.quality import too_incomplete

    assert not too_incomplete(1, 10, 0.9)
    assert too_incomplete(2, 10, 0.9)
    rule = next(r for r in spec.rules if r.kind == "completeness")
    exact = dataclasses.replace(spec, rules=(dataclasses.replace(rule, min_ratio=0.9),))
    frame = pl.DataFrame({"amount": [None, *range(1, 10)]}, schema={"amount": pl.Int32})
    from contractgen.runtime.quality import checks

    (check,) = checks(exact, ["amount"])
    assert frame.select(check.suspect).item() is False
    assert pl.concat([frame, frame.head(1)]).select(check.suspect).item() is True


def test_date_bounds_are_printed_in_iso():
    from contractgen.runtime.errors import shown

    assert shown(dt.date(2024, 12, 31)) == "2024-12-31"
    assert shown(dt.datetime(2024, 12, 31, 10, tzinfo=UTC)) == "2024-12-31T10:00:00+00:00"
    assert shown(5) == "5"
