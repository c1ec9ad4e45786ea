"""A runtime `Table` straight from a `Contract`, for checking data without generating code.

The generated `frame.py` spells out the same table as code; a test keeps the two identical.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from contractgen.codegen.plan import checked_items
from contractgen.contract import Contract, Field
from contractgen.formats import PATTERNS as FORMAT_PATTERNS
from contractgen.formats import strptime_layout
from contractgen.runtime import Column, Rule, Table


def dtype(field: Field) -> pl.DataType:  # noqa: PLR0911, PLR0912 -- one return per kind of type
    """The Polars dtype of a contract field."""
    ftype = field.type
    match ftype.kind:
        case "string":
            return pl.String()
        case "integer":
            name = f"{'' if ftype.signed else 'U'}Int{ftype.bits}"
            return getattr(pl, name)()  # type: ignore[no-any-return]
        case "float":
            return pl.Float32() if ftype.bits == 32 else pl.Float64()  # noqa: PLR2004 -- a float is 32 or 64 bits wide
        case "decimal":
            return pl.Decimal(ftype.precision, ftype.scale or 0)
        case "boolean":
            return pl.Boolean()
        case "date":
            return pl.Date()
        case "time":
            return pl.Time()
        case "timestamp":
            return pl.Datetime(ftype.unit, ftype.timezone)
        case "duration":
            return pl.Duration(ftype.unit)
        case "binary":
            return pl.Binary()
        case "enum":
            return pl.Enum(list(ftype.values))
        case "list":
            assert ftype.items is not None
            return pl.List(dtype(ftype.items))
        case "struct":
            return pl.Struct({f.name: dtype(f) for f in ftype.fields})
    raise AssertionError(ftype.kind)


def column(field: Field, single_key: bool) -> Column:
    items = field.type.items if field.type.kind == "list" else None
    layout = strptime_layout(field.type.format) if field.type.kind in ("date", "time", "timestamp") else None
    return Column(
        name=field.name,
        required=field.required,
        unique=field.unique or (field.primary_key and single_key),
        minimum=field.bounds[0],
        maximum=field.bounds[1],
        exclusive_minimum=field.exclusive_minimum and field.minimum is not None,
        exclusive_maximum=field.exclusive_maximum and field.maximum is not None,
        min_length=field.min_length,
        max_length=field.max_length,
        pattern=field.pattern,
        format=field.type.format if field.type.format in FORMAT_PATTERNS else None,
        layout=layout,
        renamed_from=field.renamed_from,
        renamed_until=field.renamed_until,
        default=field.default,
        sensitive=field.sensitive,
        anonymize=field.anonymize,
        items=column(items, False) if items is not None and checked_items(items) else None,
    )


def table(contract: Contract) -> Table:
    """The runtime table of a contract."""
    single_key = len(contract.primary_key) == 1
    return Table(
        name=contract.data_source,
        version=contract.version,
        schema=pl.Schema({f.name: dtype(f) for f in contract.fields}),
        columns=tuple(column(f, single_key) for f in contract.fields),
        primary_key=contract.primary_key,
        removed=tuple(sorted(contract.removed_fields)),
        rules=rules(contract),
    )


def rules(contract: Contract) -> tuple[Rule, ...]:
    """The quality rules readers check: the contract's, then the SLA's freshness (custom rules,
    written in words, are for people)."""
    out = []
    for q in contract.quality:
        if q.kind == "completeness" and q.min_ratio is not None:
            out.append(Rule("completeness", columns=q.columns, min_ratio=q.min_ratio))
        elif q.kind == "row_count" and (q.min_rows is not None or q.max_rows is not None):
            out.append(Rule("row_count", min_rows=q.min_rows, max_rows=q.max_rows))
        elif q.kind == "uniqueness" and q.columns:
            out.append(Rule("uniqueness", columns=q.columns))
        elif q.kind == "sql" and q.expression is not None:
            out.append(Rule("sql", columns=q.columns, expression=q.expression))
        elif q.kind == "freshness" and q.columns and q.max_age is not None and q.max_age.seconds:
            age = dt.timedelta(seconds=q.max_age.seconds)
            out.append(
                Rule("freshness", columns=q.columns[:1], max_age=age, label=f"{q.max_age.text} (max_age)")
            )
    sla = contract.sla
    if sla.freshness_column and sla.max_delay is not None and sla.max_delay.seconds:
        age = dt.timedelta(seconds=sla.max_delay.seconds)
        label = f"{sla.max_delay.text} (SLA max_delay)"
        out.append(Rule("freshness", columns=(sla.freshness_column,), max_age=age, label=label))
    return tuple(out)
