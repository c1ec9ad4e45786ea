"""A changelog per contract: one entry per version, kept as JSON and shown as Keep a Changelog.

`changelog.json` is the record (machine-readable, one entry per version, newest first, plus the
names of every field ever removed); `CHANGELOG.md` is rendered from it. Both are deterministic:
no dates, because the same history rebuilt from git must give the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from contractgen.contract import Contract
from contractgen.evolution.rules import RULES
from contractgen.evolution.verdict import Verdict

SECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


@dataclass(frozen=True, slots=True)
class Changelog:
    """Every version of one contract, newest first, and the names it may never reuse."""

    contract: str
    entries: tuple[dict[str, Any], ...] = ()
    removed_fields: tuple[str, ...] = ()

    def to_json(self) -> str:
        body = {
            "contract": self.contract,
            "removed_fields": list(self.removed_fields),
            "versions": list(self.entries),
        }
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"

    @staticmethod
    def from_json(text: str) -> Changelog:
        return Changelog.from_plain(json.loads(text))

    @staticmethod
    def from_plain(data: object) -> Changelog:
        """The changelog a parsed `changelog.json` holds; `ValueError` saying why when it is damaged."""
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("contract"), str)
            or not isinstance(data.get("versions"), list)
            or not all(isinstance(entry, dict) for entry in data["versions"])
            or not isinstance(data.get("removed_fields"), list)
            or not all(isinstance(name, str) for name in data["removed_fields"])
        ):
            raise ValueError("a changelog is an object with 'contract', 'versions' and 'removed_fields'")
        log = Changelog(data["contract"], tuple(data["versions"]), tuple(data["removed_fields"]))
        try:
            releases(log)  # every entry as CHANGELOG.md will show it
        except KeyError as exc:
            raise ValueError(f"a version entry lacks the key {exc}") from None
        except (TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"a version entry has the wrong shape ({exc})") from None
        return log


def notify(contract: Contract) -> list[str]:
    """Who to tell about a new version: the owner, each consumer, the policy's channel."""
    out = []
    if contract.owner:
        out.append(f"{contract.owner} (owner)")
    for consumer in contract.consumers:
        reach = ", ".join(x for x in (consumer.email, consumer.channel) if x)
        out.append(f"{consumer.name}{f' ({reach})' if reach else ''}")
    if contract.change_policy.notification_channel:
        out.append(contract.change_policy.notification_channel)
    return out


def first(contract: Contract) -> Changelog:
    """The changelog of a contract's first version."""
    entry = {
        "version": contract.version,
        "previous": None,
        "fields": len(contract.fields),
        "notify": notify(contract),
        "changes": [],
    }
    return Changelog(contract.data_source, (entry,), tuple(sorted(contract.removed_fields)))


def record(log: Changelog, verdict: Verdict) -> Changelog:
    """`log` with a new entry for the version `verdict` accepted."""
    findings = verdict.findings
    entry = {
        "version": verdict.new.version,
        "previous": verdict.old.version,
        "mode": verdict.mode,
        "required_bump": verdict.required,
        "notify": notify(verdict.new),
        "changes": [f.record(verdict.mode) for f in findings],
    }
    removed = (
        {f.old for f in findings if f.rule.id in ("FIELD_REMOVED", "FIELD_RENAMED") and f.old}
        | set(log.removed_fields)
        | set(verdict.new.removed_fields)
    )
    return Changelog(verdict.new.data_source, (entry, *log.entries), tuple(sorted(removed)))


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Release:
    """One version as the CHANGELOG.md template shows it."""

    version: str
    summary: str
    sections: tuple[Section, ...] = field(default=())


def line(change: dict[str, Any]) -> str:
    """A changelog line: breaking marker and whom it breaks, the change, its rule ID, the migration."""
    severity = change["severity"]
    whom = ", ".join(change["breaks"])
    marker = (
        f"**BREAKING ({whom})** "
        if severity == "breaking"
        else "**Dangerous** "
        if severity == "dangerous"
        else ""
    )
    migration = change.get("migration")
    tail = f" Migration: {migration}." if migration and severity in ("breaking", "dangerous") else ""
    return f"{marker}{change['message']} [{change['rule']}]{tail}"


def releases(log: Changelog) -> tuple[Release, ...]:
    """The entries, ready for the CHANGELOG.md template."""
    out = []
    for entry in log.entries:
        notify_line = f" Notify: {'; '.join(entry['notify'])}." if entry["notify"] else ""
        if entry["previous"] is None:
            n = entry["fields"]
            out.append(
                Release(entry["version"], f"First version, with {n} field{'s' * (n != 1)}.{notify_line}")
            )
            continue
        bump = entry["required_bump"]
        needs = "needs no version bump" if bump == "none" else f"needs a {bump} version"
        summary = f"Changes since {entry['previous']}, under {entry['mode']}: {needs}.{notify_line}"
        by_section: dict[str, list[str]] = {}
        for change in entry["changes"]:
            by_section.setdefault(RULES[change["rule"]].section, []).append(line(change))
        sections = tuple(Section(s, tuple(by_section[s])) for s in SECTIONS if s in by_section)
        out.append(Release(entry["version"], summary, sections))
    return tuple(out)
