"""Diff of the sections around the schema: metadata, SLA, quality rules and change policy."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from contractgen.contract import ChangePolicy, Contract, QualityRule, Sla
from contractgen.diagnostics import Position


class Add(Protocol):
    """Records one finding about the contract as a whole."""

    def __call__(  # noqa: PLR0913, PLR0917 -- a finding's parts, named at every call
        self,
        rule_id: str,
        message: str,
        pos: Position,
        old: object = None,
        new: object = None,
        migration: str | None = None,
    ) -> None: ...


# Update frequencies from most to least often; moving right loosens the SLA.
_FREQUENCIES = ("real-time", "near real-time", "hourly", "daily", "weekly", "monthly")


def diff(old: Contract, new: Contract, renames: dict[str, str], add: Add) -> None:
    """Every change outside the schema; `renames` maps old column names to new (renamed_from)."""
    _metadata(old, new, add)
    if old.sla != new.sla:
        _sla(old.sla, new.sla, new.loc("sla"), add)
    _quality(old.quality, new, renames, add)
    _policy(old.change_policy, new.change_policy, new.loc("change_policy"), add)


def _metadata(old: Contract, new: Contract, add: Add) -> None:
    if (old.owner, old.domain, old.contacts) != (new.owner, new.domain, new.contacts):
        add(
            "META_OWNER_CHANGED",
            "Owner, domain or contacts changed.",
            new.loc("owner"),
            old.owner if old.owner != new.owner else None,
            new.owner if old.owner != new.owner else None,
        )
    if old.consumers != new.consumers:
        add("META_CONSUMERS_CHANGED", "The consumers to notify changed.", new.loc("consumers"))
    if (old.title, old.description) != (new.title, new.description):
        add("META_DOC_CHANGED", "Title or description changed.", new.loc("description"))
    order = ("draft", "active", "deprecated", "retired")
    if old.status != new.status:
        lowered = abs(order.index(new.status) - 1) > abs(order.index(old.status) - 1)
        add(
            "STATUS_DOWNGRADED" if lowered else "STATUS_UPGRADED",
            f"Status changed from {old.status} to {new.status}.",
            new.loc("status"),
            old.status,
            new.status,
        )
    if old.access != new.access:
        add(
            "ACCESS_CHANGED",
            "How to reach the data changed.",
            new.loc("access"),
            migration="update connection settings and credentials where the data is read",
        )


def _sla(old: Sla, new: Sla, pos: Position, add: Add) -> None:
    looser: list[str] = []
    tighter: list[str] = []
    other: list[str] = []
    for name, was, now, more_is_looser in (
        ("max_delay", _seconds(old.max_delay), _seconds(new.max_delay), True),
        ("uptime", _percent(old.uptime), _percent(new.uptime), False),
        ("retention", _seconds(old.retention), _seconds(new.retention), False),
        ("update_frequency", _rank(old.update_frequency), _rank(new.update_frequency), True),
    ):
        if was == now:
            continue
        if was is None or now is None:
            (tighter if now is not None else looser).append(name)
        elif (now > was) == more_is_looser:
            looser.append(name)
        else:
            tighter.append(name)
    if old.update_frequency != new.update_frequency and _rank(new.update_frequency) is None:
        other.append("update_frequency")
    if (old.freshness_column, old.support_hours) != (new.freshness_column, new.support_hours):
        other.append("freshness_column/support_hours")
    for rule, names in (("SLA_LOOSENED", looser), ("SLA_TIGHTENED", tighter), ("SLA_CHANGED", other)):
        if names:
            add(
                rule,
                f"SLA changed: {', '.join(names)}.",
                pos,
                migration="re-check freshness expectations and alerts" if rule == "SLA_LOOSENED" else None,
            )


def _quality(old: tuple[QualityRule, ...], new: Contract, renames: dict[str, str], add: Add) -> None:
    # A rule that follows a renamed column is the same rule.
    renamed = [replace(r, columns=tuple(renames.get(c, c) for c in r.columns)) for r in old]
    before, after = set(renamed), set(new.quality)
    for rule in new.quality:
        if rule not in before:
            add("QUALITY_RULE_ADDED", f"Quality rule added: {_describe(rule)}.", rule.pos)
    for rule in renamed:
        if rule not in after:
            add("QUALITY_RULE_REMOVED", f"Quality rule removed: {_describe(rule)}.", new.loc("quality"))


def _policy(old: ChangePolicy, new: ChangePolicy, pos: Position, add: Add) -> None:
    weaker: list[str] = []
    stronger: list[str] = []
    for name, was, now in (
        ("breaking_changes", _seconds(old.breaking_changes), _seconds(new.breaking_changes)),
        ("deprecation_period", _seconds(old.deprecation_period), _seconds(new.deprecation_period)),
    ):
        if was == now:
            continue
        (weaker if (now or 0) < (was or 0) else stronger).append(name)
    if weaker:
        add(
            "POLICY_WEAKENED",
            f"Change policy weakened: {', '.join(weaker)}.",
            pos,
            migration="the old notice still applies to changes already announced",
        )
    if stronger:
        add("POLICY_STRENGTHENED", f"Change policy strengthened: {', '.join(stronger)}.", pos)
    if old.notification_channel != new.notification_channel:
        add(
            "META_OWNER_CHANGED",
            "The notification channel changed.",
            pos,
            old.notification_channel,
            new.notification_channel,
        )
    if old.compatibility != new.compatibility:
        add(
            "COMPATIBILITY_MODE_CHANGED",
            "The compatibility mode changed.",
            pos,
            old.compatibility,
            new.compatibility,
        )


def _seconds(duration: Any) -> float | None:
    return None if duration is None else duration.seconds


def _percent(text: str | None) -> float | None:
    return None if text is None else float(text.strip().rstrip("%"))


def _rank(frequency: str | None) -> int | None:
    if frequency is None:
        return None
    word = frequency.strip().lower().replace("_", " ").replace("near-real-time", "near real-time")
    return _FREQUENCIES.index(word) if word in _FREQUENCIES else None


def _describe(rule: QualityRule) -> str:
    if rule.expression is not None:
        return f"sql {rule.expression}"
    columns = f" on {', '.join(rule.columns)}" if rule.columns else ""
    return f"{rule.kind}{columns}"
