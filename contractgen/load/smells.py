"""Review smells: a loaded `Contract` → warnings a reviewer would raise, each located.

A smell is not an error: the contract loads and builds. It is something a reviewer of another
team's pull request should ask about (who owns this? what does this field mean? when does this
deprecated field go?). Each smell has a stable rule name `smell/<what-is-wrong>`; `contractgen
lint` prints them as warnings, and as errors with `--strict`. Pure: reads the contract, no I/O.
What the loader already refuses (a default its own field would reject, for one) is no smell here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from contractgen.contract import Contract
from contractgen.diagnostics import Diagnostic, Position, Severity


@dataclass(frozen=True, slots=True)
class Smell:
    """One rule: its stable name and what it asks the author to do."""

    rule: str
    summary: str


SMELLS: dict[str, Smell] = {
    s.rule: s
    for s in (
        Smell("smell/no-owner", "the contract names no owner"),
        Smell("smell/field-without-description", "a field has no description"),
        Smell("smell/no-primary-key", "no field is marked primary_key"),
        Smell("smell/single-value-enum", "an enum allows one value only"),
        Smell("smell/sla-without-unit", "an SLA figure is a bare number"),
        Smell("smell/deprecation-without-date", "a deprecation says no sunset date"),
        Smell("smell/change-policy-without-channel", "a change policy names no notification channel"),
        Smell("smell/nested-column-in-csv", "a list or struct column in a source served as CSV"),
    )
}

_BARE_NUMBER = re.compile(r"^\s*[-+]?\d+(?:\.\d+)?\s*$")
_CSV = re.compile(r"\bcsv\b|\.csv\b", re.IGNORECASE)


def smells(contract: Contract, severity: Severity = "warning") -> list[Diagnostic]:
    """Every smell of one contract, sorted by position."""
    found = [
        Diagnostic(contract.path, pos, severity, f"{rule}: {message}", hint)
        for check in _CHECKS
        for rule, pos, message, hint in check(contract)
    ]
    return sorted(found, key=lambda d: (d.pos, d.message))


Found = Iterator[tuple[str, Position, str, str]]


def _no_owner(contract: Contract) -> Found:
    if not (contract.owner or "").strip():
        yield (
            "smell/no-owner",
            Position(1, 1),
            f"contract '{contract.data_source}' names no owner",
            "add 'owner:' with the team address consumers should write to when the data breaks",
        )


def _undescribed(contract: Contract) -> Found:
    for field in contract.fields:
        if not (field.description or "").strip():
            yield (
                "smell/field-without-description",
                field.pos,
                f"field '{field.name}' has no description",
                "add 'description:' saying what one value means and where it comes from",
            )


def _no_primary_key(contract: Contract) -> Found:
    if contract.fields and not contract.primary_key:
        yield (
            "smell/no-primary-key",
            _at_key(contract, "schema"),
            f"contract '{contract.data_source}' marks no field as primary_key",
            "mark the fields that identify a row with 'primary_key: true' (several for a composite key)",
        )


def _at_key(contract: Contract, key: str) -> Position:
    """Where `key:` is written (native contracts), or where its section starts (ODCS, DCS)."""
    written = dict(contract.locs)
    return written[f"{key}:"] if f"{key}:" in written else contract.loc(key)


def _single_value_enum(contract: Contract) -> Found:
    for field in contract.fields:
        if field.type.kind == "enum" and len(field.type.values) == 1:
            yield (
                "smell/single-value-enum",
                field.loc("type"),
                f"enum field '{field.name}' allows only the value '{field.type.values[0]}'",
                "list every value the producer may send, or make it a constant elsewhere",
            )


def _sla_without_unit(contract: Contract) -> Found:
    sla = contract.sla
    # A bare max_delay or uptime is refused by the loader; the frequency is free text.
    if sla.update_frequency is not None and _BARE_NUMBER.match(sla.update_frequency):
        yield (
            "smell/sla-without-unit",
            contract.loc("sla"),
            f"SLA update_frequency '{sla.update_frequency}' has no unit",
            "write it in words, like 'hourly', 'daily' or 'every 15 minutes'",
        )


def _deprecation_without_date(contract: Contract) -> Found:
    for field in contract.fields:
        if field.deprecated is not None and field.deprecated.sunset is None:
            yield (
                "smell/deprecation-without-date",
                field.loc("deprecated"),
                f"field '{field.name}' is deprecated without a sunset date",
                "write 'deprecated: {reason: ..., sunset: YYYY-MM-DD}' so consumers know when it goes",
            )
    if contract.status == "deprecated":
        yield (
            "smell/deprecation-without-date",
            contract.loc("status"),
            f"contract '{contract.data_source}' is deprecated, and no field or policy says until when",
            "say in 'description:' when the source is retired and what replaces it",
        )


def _policy_without_channel(contract: Contract) -> Found:
    policy = contract.change_policy
    written = "change_policy" in dict(contract.locs)
    if written and not (policy.notification_channel or "").strip():
        yield (
            "smell/change-policy-without-channel",
            contract.loc("change_policy"),
            f"the change policy of '{contract.data_source}' names no notification channel",
            "add 'notification_channel:' where consumers hear about changes, like a Slack channel",
        )


def _nested_in_csv(contract: Contract) -> Found:
    access = contract.access
    served = " ".join(t for t in (access.system, access.method, access.endpoint) if t)
    if not _CSV.search(served):
        return
    for field in contract.fields:
        if field.type.kind in ("list", "struct"):
            yield (
                "smell/nested-column-in-csv",
                field.loc("type"),
                f"field '{field.name}' is a {field.type.kind}, but the source is served as CSV, "
                "which has no nested values",
                "serve the source as Parquet or NDJSON, or flatten the field and say how it is encoded",
            )


_CHECKS: tuple[Callable[[Contract], Found], ...] = (
    _no_owner,
    _undescribed,
    _no_primary_key,
    _single_value_enum,
    _sla_without_unit,
    _deprecation_without_date,
    _policy_without_channel,
    _nested_in_csv,
)
