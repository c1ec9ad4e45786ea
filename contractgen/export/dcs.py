"""Export contracts as one Data Contract Specification (DCS 1.2.1) document.

Each contract becomes a model; the document's `info`, `servers`, `terms` and `servicelevels`
come from the first contract (contracts that share a file share these). The inverse of
`load/dcs.py`: what that importer reads, this writer writes, so a round trip keeps it.
"""

from __future__ import annotations

from typing import Any

from contractgen.contract import Contract, Field, FieldType, QualityRule
from contractgen.export import Export, number, text
from contractgen.load.values import parse_percent

SPEC = "1.2.1"
_FORMATS = ("uuid", "email", "uri", "ipv4", "ipv6", "hostname")
# Server types whose only required key is the location; the others need connection details
# (port, schema, ...) a contract's access endpoint does not split into, so they are written as
# custom servers that keep the system's name in their description.
_SERVER_TYPES = ("s3", "sftp")


def export(contracts: list[Contract]) -> Export:
    """A DCS document with one model per contract."""
    first = contracts[0]
    out = Export({})
    info: dict[str, Any] = {"title": first.title or first.data_source, "version": first.version}
    info["status"] = first.status
    if first.description and all(c.description == first.description for c in contracts):
        info["description"] = first.description
    if first.owner:
        info["owner"] = first.owner
    if first.contacts:
        party = first.contacts[0]
        contact = {"name": party.name}
        if party.email:
            contact["email"] = party.email
        if party.channel and party.channel.startswith(("http://", "https://")):
            contact["url"] = party.channel
        info["contact"] = contact
        if len(first.contacts) > 1:
            out.note("contacts after the first (DCS has one contact)")
    doc: dict[str, Any] = {"dataContractSpecification": SPEC, "id": first.data_source, "info": info}
    servers = _servers(first, out)
    if servers:
        doc["servers"] = servers
    if first.change_policy.breaking_changes is not None:
        doc["terms"] = {"noticePeriod": first.change_policy.breaking_changes.text}
    doc["models"] = {c.data_source: _model(c, out) for c in contracts}
    levels = _servicelevels(first)
    if levels:
        doc["servicelevels"] = levels
    for contract in contracts:
        _lost(contract, out)
    out.data = doc
    return out


def _servers(contract: Contract, out: Export) -> dict[str, Any]:
    access = contract.access
    if access.system is None and access.endpoint is None:
        return {}
    system = (access.system or "").lower()
    server: dict[str, Any] = {"type": system if system in _SERVER_TYPES else "custom"}
    if server["type"] == "custom" and access.system and access.system != "custom":
        server["description"] = access.system
        out.note(f"access system '{access.system}' (written as a custom server)")
    if access.endpoint:
        server["location"] = access.endpoint
    return {"production": server}


def _servicelevels(contract: Contract) -> dict[str, Any]:
    sla, levels = contract.sla, {}
    if sla.uptime:
        levels["availability"] = {"percentage": parse_percent(sla.uptime) or sla.uptime}
    if sla.retention:
        levels["retention"] = {"period": sla.retention.text}
    if sla.max_delay:
        levels["latency"] = {"threshold": sla.max_delay.text}
    if sla.freshness_column:
        levels["freshness"] = {"timestampField": f"{contract.data_source}.{sla.freshness_column}"}
    if sla.update_frequency:
        levels["frequency"] = {"interval": sla.update_frequency}
    if sla.support_hours:
        levels["support"] = {"time": sla.support_hours}
    return levels


def _model(contract: Contract, out: Export) -> dict[str, Any]:
    model: dict[str, Any] = {"type": "table"}
    model["title"] = contract.title or contract.data_source
    if contract.description:
        model["description"] = contract.description
    model["fields"] = {f.name: _field(f, out) for f in contract.fields}
    quality = [_quality(rule, out) for rule in contract.quality]
    if quality:
        model["quality"] = quality
    return model


def _quality(rule: QualityRule, out: Export) -> dict[str, Any]:
    if rule.kind == "row_count" and (rule.min_rows is not None or rule.max_rows is not None):
        check: dict[str, Any] = {"type": "library", "metric": "rowCount"}
        if rule.description:
            check["description"] = rule.description
        if rule.min_rows is not None:
            check["mustBeGreaterOrEqualTo"] = rule.min_rows
        if rule.max_rows is not None:
            check["mustBeLessOrEqualTo"] = rule.max_rows
        return check
    if rule.kind != "custom":
        out.note(f"a {rule.kind} quality rule (written as text)")
    return {"type": "text", "description": rule.description or f"{rule.kind} of {', '.join(rule.columns)}"}


def _field(field: Field, out: Export) -> dict[str, Any]:
    spec = _type(field.type, field.name, out)
    if field.description:
        spec = {"description": field.description, **spec}
    flags = (("required", field.required), ("unique", field.unique), ("primaryKey", field.primary_key))
    spec.update({key: True for key, on in flags if on})
    if field.pii:
        spec["pii"] = True
    if field.classification:
        spec["classification"] = field.classification
    for key, value in (
        ("minLength", field.min_length),
        ("maxLength", field.max_length),
        ("pattern", field.pattern),
    ):
        if value is not None:
            spec[key] = value
    for bound, exclusive, key in (
        (field.minimum, field.exclusive_minimum, "Minimum"),
        (field.maximum, field.exclusive_maximum, "Maximum"),
    ):
        numeric = number(bound)
        if numeric is not None:
            spec[f"exclusive{key}" if exclusive else key.lower()] = numeric
        elif bound is not None:
            out.note(f"{field.name}: bound {text(bound)} (DCS bounds are numbers)")
    if field.examples:
        spec["examples"] = list(field.examples)
    return spec


def _type(ftype: FieldType, name: str, out: Export) -> dict[str, Any]:  # noqa: PLR0911, PLR0912 -- one branch per kind of type
    if ftype.kind in ("date", "time", "timestamp") and ftype.format is not None:
        out.note(f"{name}: text layout {ftype.format}")
    match ftype.kind:
        case "string":
            return (
                {"type": "string", "format": ftype.format} if ftype.format in _FORMATS else {"type": "string"}
            )
        case "integer":
            if ftype.bits != 32 or not ftype.signed:  # noqa: PLR2004 -- DCS int is 32 bits
                if (ftype.bits or 64) < 32 or not ftype.signed:  # noqa: PLR2004 -- narrower than int
                    out.note(f"{name}: {ftype.describe()} (DCS has int and long)")
                return {"type": "long"} if (ftype.bits or 64) > 32 or not ftype.signed else {"type": "int"}  # noqa: PLR2004
            return {"type": "int"}
        case "float":
            return {"type": "float" if ftype.bits == 32 else "double"}  # noqa: PLR2004 -- single precision
        case "decimal":
            return {"type": "decimal", "precision": ftype.precision, "scale": ftype.scale}
        case "boolean" | "date" | "time":
            return {"type": ftype.kind}
        case "timestamp":
            if ftype.timezone not in (None, "UTC"):
                out.note(f"{name}: time zone {ftype.timezone} (DCS timestamps are UTC or naive)")
            return {"type": "timestamp_tz" if ftype.timezone else "timestamp_ntz"}
        case "duration":
            out.note(f"{name}: duration type (written as string)")
            return {"type": "string"}
        case "binary":
            return {"type": "bytes"}
        case "enum":
            return {"type": "string", "enum": list(ftype.values)}
        case "list":
            assert ftype.items is not None
            return {"type": "array", "items": _field(ftype.items, out)}
        case _:
            return {"type": "object", "fields": {f.name: _field(f, out) for f in ftype.fields}}


def _lost(contract: Contract, out: Export) -> None:
    """Parts of a contract DCS has no place for."""
    parts = {
        "consumers": bool(contract.consumers),
        "domain": contract.domain is not None,
        "deprecation period and notification channel": contract.change_policy.deprecation_period is not None
        or contract.change_policy.notification_channel is not None,
        "compatibility mode": contract.change_policy.compatibility != "FULL_TRANSITIVE",
        "access method, permissions, rate limit, approval and credential names": any(
            (
                contract.access.method,
                contract.access.permissions,
                contract.access.rate_limit,
                contract.access.approval,
                contract.access.credentials,
            )
        ),
        "removed fields": bool(contract.removed_fields),
    }
    for what, present in parts.items():
        if present:
            out.note(what)
    for f in contract.fields:
        if f.deprecated or f.renamed_from or f.default is not None or f.unit or f.anonymize:
            out.note(
                f"{f.name}: evolution and privacy hints (deprecated, renamed_from, default, unit, anonymize)"
            )
