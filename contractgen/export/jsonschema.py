"""Export a contract's row as JSON Schema (draft 2020-12): one object per row.

What a row may hold: types, formats, enums, lengths, patterns and numeric ranges. What is about
the whole table (uniqueness, primary keys, quality rules, the SLA) is not a row's property and
is not written here.
"""

from __future__ import annotations

from typing import Any

from contractgen.contract import INT_RANGE, Contract, Field, FieldType
from contractgen.export import Export, number

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_FORMATS = {
    "uuid": "uuid",
    "email": "email",
    "uri": "uri",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "hostname": "hostname",
}
_TEMPORAL = {"date": "date", "time": "time", "timestamp": "date-time", "duration": "duration"}


def export(contract: Contract, frames: bool = False) -> Export:
    """The JSON Schema of one row of `contract`.

    With `frames`, the row as Polars hands it to Python (`DataFrame.to_dicts()`) rather than as
    JSON: every column is present, null when empty; decimals have the format `decimal` and binary
    columns the format `binary`, so that a code generator types them `Decimal` and `bytes`. The
    model flavours are generated from that schema.
    """
    out = Export({})
    out.data = {
        "$schema": DIALECT,
        "title": contract.data_source,
        **({"description": contract.description} if contract.description else {}),
        **_object(contract.fields, out, frames),
    }
    return out


def _object(fields: tuple[Field, ...], out: Export, frames: bool) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: _field(f, out, frames) for f in fields},
        "required": [f.name for f in fields if f.required or frames],
        "additionalProperties": False,
    }


def _field(field: Field, out: Export, frames: bool) -> dict[str, Any]:
    schema = _type(field.type, out, frames)
    if field.description:
        schema = {"description": field.description, **schema}
    items = field.type.kind == "list"  # an array's length is its number of items
    if field.min_length is not None:
        schema["minItems" if items else "minLength"] = field.min_length
    if field.max_length is not None:
        schema["maxItems" if items else "maxLength"] = field.max_length
    if field.pattern is not None:
        schema["pattern"] = field.pattern
    for bound, exclusive, key in (
        (field.minimum, field.exclusive_minimum, "Minimum"),
        (field.maximum, field.exclusive_maximum, "Maximum"),
    ):
        value = number(bound)
        if value is not None:
            schema[f"exclusive{key}" if exclusive else key.lower()] = value
        elif bound is not None:
            out.note(f"{field.name}: a {field.type.kind} bound (JSON Schema bounds are numbers)")
    if field.deprecated is not None:
        schema["deprecated"] = True
    if field.default is not None and number(field.default) is not None:
        schema["default"] = number(field.default)
    if not field.required:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def _type(ftype: FieldType, out: Export, frames: bool) -> dict[str, Any]:  # noqa: PLR0911 -- one return per kind of type
    match ftype.kind:
        case "string":
            fmt = _FORMATS.get(ftype.format or "")
            return {"type": "string", "format": fmt} if fmt else {"type": "string"}
        case "integer":
            low, high = INT_RANGE[(ftype.bits or 64, ftype.signed)]
            return {"type": "integer", "minimum": low, "maximum": high}
        case "decimal" if frames:
            return {"type": "number", "format": "decimal"}
        case "float" | "decimal":
            return {"type": "number"}
        case "boolean":
            return {"type": "boolean"}
        case "date" | "time" | "timestamp" | "duration":
            return {"type": "string", "format": _TEMPORAL[ftype.kind]}
        case "binary" if frames:
            return {"type": "string", "format": "binary"}
        case "binary":
            return {"type": "string", "contentEncoding": "base64"}
        case "enum":
            return {"type": "string", "enum": list(ftype.values)}
        case "list":
            assert ftype.items is not None
            return {"type": "array", "items": _field(ftype.items, out, frames)}
        case _:
            return _object(ftype.fields, out, frames)
