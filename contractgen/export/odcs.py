"""Export contracts as one Open Data Contract Standard (ODCS v3.1.0) document.

Each contract becomes a schema object; the document's version, status, team, SLA and server come
from the first contract. The inverse of `load/odcs.py`: types are written with a logicalType and
the physicalType that `load/odcs.py` reads back to the same width, so a round trip keeps them.
"""

from __future__ import annotations

from typing import Any

from contractgen.contract import Contract, Field, FieldType, QualityRule
from contractgen.export import Export, number, text

API_VERSION = "v3.1.0"
_INTEGERS = {(8, True): "tinyint", (16, True): "smallint", (32, True): "integer", (64, True): "bigint"}
_LOGICAL = {"string": "string", "integer": "integer", "float": "number", "decimal": "number"}
_LOGICAL |= {"boolean": "boolean", "date": "date", "time": "time", "timestamp": "timestamp"}
_LOGICAL |= {"duration": "string", "binary": "string", "enum": "string", "list": "array", "struct": "object"}


def export(contracts: list[Contract]) -> Export:
    """An ODCS document with one schema object per contract."""
    first = contracts[0]
    out = Export({})
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "DataContract",
        "id": first.data_source,
        "name": first.title or first.data_source,
        "version": first.version,
        "status": first.status,
    }
    if first.domain:
        doc["domain"] = first.domain
    if first.description and all(c.description == first.description for c in contracts):
        doc["description"] = {"purpose": first.description}
    doc["schema"] = [_object(c, out) for c in contracts]
    team: dict[str, Any] = {}
    if first.owner:
        team["name"] = first.owner
    members = [{"username": p.name, **({"role": p.role} if p.role else {})} for p in first.contacts]
    if members:
        team["members"] = members
    if team:
        doc["team"] = team
    if any(p.email or p.channel for p in first.contacts):
        out.note("contact e-mail addresses and channels")
    sla = _sla(first)
    if sla:
        doc["slaProperties"] = sla
    access = first.access
    if access.system or access.endpoint:
        # Every ODCS server type but custom requires connection details (port, schema, ...) that
        # a contract's access endpoint does not split into; custom keeps the system's name.
        server: dict[str, Any] = {"server": "production", "type": "custom"}
        if access.system and access.system != "custom":
            server["description"] = access.system
            out.note(f"access system '{access.system}' (written as a custom server)")
        if access.endpoint:
            server["customProperties"] = [{"property": "endpoint", "value": access.endpoint}]
            out.note("access endpoint (kept as a custom property of the server)")
        doc["servers"] = [server]
    for contract in contracts:
        _lost(contract, out)
    out.data = doc
    return out


def _sla(contract: Contract) -> list[dict[str, Any]]:
    sla = contract.sla
    pairs = (
        ("frequency", sla.update_frequency),
        ("latency", sla.max_delay.text if sla.max_delay else None),
        ("availability", sla.uptime),
        ("retention", sla.retention.text if sla.retention else None),
    )
    return [{"property": key, "value": value} for key, value in pairs if value is not None]


def _object(contract: Contract, out: Export) -> dict[str, Any]:
    table: dict[str, Any] = {"name": contract.data_source, "logicalType": "object", "physicalType": "table"}
    table["businessName"] = contract.title or contract.data_source
    if contract.description:
        table["description"] = contract.description
    table["properties"] = [_property(f, out, position) for f, position in _positions(contract.fields)]
    quality = [_quality(rule, out) for rule in contract.quality]
    if quality:
        table["quality"] = quality
    return table


def _positions(fields: tuple[Field, ...]) -> list[tuple[Field, int | None]]:
    keys = [f.name for f in fields if f.primary_key]
    return [(f, keys.index(f.name) + 1 if f.primary_key else None) for f in fields]


def _quality(rule: QualityRule, out: Export) -> dict[str, Any]:
    if rule.kind == "row_count" and rule.min_rows is not None:
        check: dict[str, Any] = {
            "type": "library",
            "metric": "rowCount",
            "mustBeGreaterOrEqualTo": rule.min_rows,
        }
        if rule.description:
            check["description"] = rule.description
        if rule.max_rows is not None:
            out.note("a row count's maximum")
        return check
    if rule.kind != "custom":
        out.note(f"a {rule.kind} quality rule (written as text)")
    return {"type": "text", "description": rule.description or f"{rule.kind} of {', '.join(rule.columns)}"}


def _property(field: Field, out: Export, position: int | None = None) -> dict[str, Any]:  # noqa: PLR0912 -- one branch per ODCS key
    prop: dict[str, Any] = {"name": field.name, **_type(field.type, field.name, out)}
    if field.description:
        prop["description"] = field.description
    if field.required:
        prop["required"] = True
    if field.unique:
        prop["unique"] = True
    if position is not None:
        prop["primaryKey"] = True
        prop["primaryKeyPosition"] = position
    if field.classification:
        prop["classification"] = field.classification
    options = prop.get("logicalTypeOptions", {})
    items = field.type.kind == "list"  # ODCS counts an array's items with minItems/maxItems
    for key, length in (
        ("minItems" if items else "minLength", field.min_length),
        ("maxItems" if items else "maxLength", field.max_length),
        ("pattern", field.pattern),
    ):
        if length is not None:
            options[key] = length
    for bound, exclusive, key in (
        (field.minimum, field.exclusive_minimum, "Minimum"),
        (field.maximum, field.exclusive_maximum, "Maximum"),
    ):
        if bound is None:
            continue
        value: int | float | str | None = number(bound)
        if value is None and field.type.kind in ("date", "timestamp", "time"):
            value = text(bound)
        if value is None:
            out.note(f"{field.name}: bound {text(bound)}")
            continue
        options[f"exclusive{key}" if exclusive else key.lower()] = value
    if options:
        prop["logicalTypeOptions"] = options
    if field.pii:
        prop["customProperties"] = [{"property": "pii", "value": True}]
    if field.examples:
        prop["examples"] = list(field.examples)
    return prop


def _type(ftype: FieldType, name: str, out: Export) -> dict[str, Any]:  # noqa: PLR0911, PLR0912 -- one branch per kind of type
    if ftype.kind in ("date", "time", "timestamp") and ftype.format is not None:
        out.note(f"{name}: text layout {ftype.format}")
    logical = _LOGICAL[ftype.kind]
    match ftype.kind:
        case "string" if ftype.format in ("uuid", "email"):
            return {
                "logicalType": logical,
                "physicalType": "uuid" if ftype.format == "uuid" else "varchar",
                "logicalTypeOptions": {"format": ftype.format},
            }
        case "integer":
            physical = _INTEGERS.get((ftype.bits or 64, ftype.signed))
            if physical is None:
                out.note(f"{name}: {ftype.describe()} (written as bigint)")
                physical = "bigint"
            return {"logicalType": logical, "physicalType": physical}
        case "float":
            return {"logicalType": logical, "physicalType": "real" if ftype.bits == 32 else "double"}  # noqa: PLR2004 -- single precision
        case "decimal":
            return {"logicalType": logical, "physicalType": f"decimal({ftype.precision},{ftype.scale})"}
        case "timestamp":
            if ftype.timezone not in (None, "UTC"):
                out.note(f"{name}: time zone {ftype.timezone}")
            physical = "timestamptz" if ftype.timezone else "timestamp"
            return {"logicalType": logical, "physicalType": physical}
        case "binary":  # no logicalType: ODCS has none for bytes, and the physical type says it
            return {"physicalType": "binary"}
        case "enum":
            # ODCS v3 has no enum: an invalidValues rule whose validValues are the enum's values,
            # which the ODCS importer reads back as the enum (docs/standards.md says so).
            check = {
                "type": "library",
                "metric": "invalidValues",
                "arguments": {"validValues": list(ftype.values)},
                "mustBe": 0,
            }
            return {"logicalType": logical, "physicalType": "varchar", "quality": [check]}
        case "duration":
            out.note(f"{name}: duration type (written as string)")
            return {"logicalType": logical, "physicalType": "interval"}
        case "list":
            assert ftype.items is not None
            return {"logicalType": logical, "items": _property(ftype.items, out)}
        case "struct":
            return {"logicalType": logical, "properties": [_property(f, out) for f in ftype.fields]}
        case _:
            return {"logicalType": logical}


def _lost(contract: Contract, out: Export) -> None:
    parts = {
        "consumers": bool(contract.consumers),
        "change policy": contract.change_policy.breaking_changes is not None
        or contract.change_policy.deprecation_period is not None
        or contract.change_policy.notification_channel is not None,
        "access method, permissions, rate limit, approval and credential names": any(
            (
                contract.access.method,
                contract.access.permissions,
                contract.access.rate_limit,
                contract.access.approval,
                contract.access.credentials,
            )
        ),
        "freshness column and support hours": contract.sla.freshness_column is not None
        or contract.sla.support_hours is not None,
        "removed fields": bool(contract.removed_fields),
    }
    for what, present in parts.items():
        if present:
            out.note(what)
    for f in contract.fields:
        if f.renamed_from or f.default is not None or f.unit or f.anonymize:
            out.note(f"{f.name}: evolution and privacy hints (renamed_from, default, unit, anonymize)")
