"""The normalized contract snapshot (`contract.json`) each generated package is built from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from contractgen.contract import (
    SEMVER,
    Access,
    ChangePolicy,
    Contract,
    Deprecation,
    Duration,
    Field,
    FieldType,
    Party,
    QualityRule,
    Sla,
)
from contractgen.diagnostics import Position


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, Position) or f.name in ("path", "locs"):
                continue  # where it was written is not what it means
            if item is None or item == () or (type(item) is type(f.default) and item == f.default):
                continue  # defaults are left out: smaller snapshots, smaller diffs
            out[f.name] = _plain(item)
        return out
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


def snapshot(contract: Contract) -> str:
    """The contract as stable, readable JSON: contract order kept, defaults omitted."""
    return json.dumps(_plain(contract), indent=2, ensure_ascii=False) + "\n"


_NOWHERE = Position(0, 0)  # snapshots keep what a contract means, not where it was written


def _duration(data: dict[str, Any] | None) -> Duration | None:
    return None if data is None else Duration(data["text"], data.get("seconds"))


def _value(raw: Any, ftype: FieldType) -> Any:
    if raw is None or not isinstance(raw, str) or ftype.kind in ("string", "enum"):
        return raw
    match ftype.kind:
        case "decimal":
            return Decimal(raw)
        case "date":
            return dt.date.fromisoformat(raw)
        case "time":
            return dt.time.fromisoformat(raw)
        case "timestamp":
            return dt.datetime.fromisoformat(raw)
    return raw


def _field_type(data: dict[str, Any]) -> FieldType:
    return FieldType(
        kind=data["kind"],
        bits=data.get("bits"),
        signed=data.get("signed", True),
        precision=data.get("precision"),
        scale=data.get("scale"),
        timezone=data.get("timezone"),
        unit=data.get("unit", "us"),
        format=data.get("format"),
        values=tuple(data.get("values", ())),
        items=_field(data["items"]) if "items" in data else None,
        fields=tuple(_field(f) for f in data.get("fields", ())),
    )


def _field(data: dict[str, Any]) -> Field:
    ftype = _field_type(data["type"])
    deprecated = data.get("deprecated")
    return Field(
        name=data["name"],
        type=ftype,
        pos=_NOWHERE,
        required=data.get("required", False),
        description=data.get("description"),
        unique=data.get("unique", False),
        primary_key=data.get("primary_key", False),
        minimum=_value(data.get("minimum"), ftype),
        maximum=_value(data.get("maximum"), ftype),
        exclusive_minimum=data.get("exclusive_minimum", False),
        exclusive_maximum=data.get("exclusive_maximum", False),
        min_length=data.get("min_length"),
        max_length=data.get("max_length"),
        pattern=data.get("pattern"),
        default=_value(data.get("default"), ftype),
        deprecated=None
        if deprecated is None
        else Deprecation(
            reason=deprecated.get("reason"),
            since=deprecated.get("since"),
            sunset=dt.date.fromisoformat(deprecated["sunset"]) if "sunset" in deprecated else None,
            replacement=deprecated.get("replacement"),
        ),
        renamed_from=tuple(data.get("renamed_from", ())),
        renamed_until=dt.date.fromisoformat(data["renamed_until"]) if "renamed_until" in data else None,
        pii=data.get("pii", False),
        classification=data.get("classification"),
        anonymize=data.get("anonymize"),  # absent from snapshots older than the key
        unit=data.get("unit"),
        examples=tuple(data.get("examples", ())),
    )


def _party(data: dict[str, Any]) -> Party:
    return Party(data["name"], data.get("email"), data.get("role"), data.get("channel"))


def from_snapshot(text: str, path: str) -> Contract:
    """Read a `contract.json` back into the contract it was made from."""
    return from_plain(json.loads(text), path)


def from_plain(data: object, path: str) -> Contract:
    """The contract a parsed `contract.json` describes; `ValueError` saying why when it is damaged.

    Snapshots live in the output folder, which pull requests change: any shape may arrive here.
    """
    if not isinstance(data, dict):
        raise ValueError(f"a snapshot is a JSON object, not {type(data).__name__}")
    if not isinstance(data.get("data_source"), str) or not isinstance(data.get("version"), str):
        raise ValueError("a snapshot needs 'data_source' and 'version' as text")
    if not SEMVER.fullmatch(data["version"]):
        raise ValueError(f"{data['version']!r} is not a semantic version")
    if not isinstance(data.get("fields"), list) or not all(
        isinstance(f, dict) and isinstance(f.get("name"), str) for f in data["fields"]
    ):
        raise ValueError("a snapshot needs 'fields' as a list of objects with a 'name'")
    try:
        return _contract(data, path)
    except KeyError as exc:
        raise ValueError(f"the key {exc} is missing") from None
    except (TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"a value has the wrong shape ({exc})") from None


def _contract(data: dict[str, Any], path: str) -> Contract:
    sla = data.get("sla", {})
    policy = data.get("change_policy", {})
    access = data.get("access", {})
    return Contract(
        data_source=data["data_source"],
        version=data["version"],
        fields=tuple(_field(f) for f in data["fields"]),
        path=path,
        title=data.get("title"),
        description=data.get("description"),
        status=data.get("status", "active"),
        owner=data.get("owner"),
        domain=data.get("domain"),
        contacts=tuple(_party(p) for p in data.get("contacts", ())),
        consumers=tuple(_party(p) for p in data.get("consumers", ())),
        sla=Sla(
            update_frequency=sla.get("update_frequency"),
            max_delay=_duration(sla.get("max_delay")),
            uptime=sla.get("uptime"),
            retention=_duration(sla.get("retention")),
            freshness_column=sla.get("freshness_column"),
            support_hours=sla.get("support_hours"),
        ),
        quality=tuple(
            QualityRule(
                kind=q["kind"],
                pos=_NOWHERE,
                columns=tuple(q.get("columns", ())),
                min_ratio=q.get("min_ratio"),
                min_rows=q.get("min_rows"),
                max_rows=q.get("max_rows"),
                max_age=_duration(q.get("max_age")),
                description=q.get("description"),
                expression=q.get("expression"),
            )
            for q in data.get("quality", ())
        ),
        change_policy=ChangePolicy(
            breaking_changes=_duration(policy.get("breaking_changes")),
            deprecation_period=_duration(policy.get("deprecation_period")),
            notification_channel=policy.get("notification_channel"),
            compatibility=policy.get("compatibility", "FULL_TRANSITIVE"),
        ),
        access=Access(
            system=access.get("system"),
            method=access.get("method"),
            endpoint=access.get("endpoint"),
            permissions=access.get("permissions"),
            rate_limit=access.get("rate_limit"),
            network=access.get("network"),
            credentials=tuple((name, env) for name, env in access.get("credentials", ())),
            approval=access.get("approval"),
        ),
        removed_fields=tuple(data.get("removed_fields", ())),
    )
