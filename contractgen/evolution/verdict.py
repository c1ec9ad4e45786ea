"""Versions that mean something: the bump a set of changes needs, the change policy, the verdict.

Semantic versioning, with the usual rule before 1.0: in 0.y.z a change that needs a major bump
needs a minor one (0.3.0 → 0.4.0), and one that needs a minor bump needs a patch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from contractgen.contract import DEFAULT_MODE, SEMVER, Contract, Field
from contractgen.evolution.diff import Finding, diff
from contractgen.evolution.rules import BUMP_ORDER, RULES, Bump
from contractgen.policy import today


def parse_version(text: str) -> tuple[int, int, int, tuple[object, ...]]:
    """Semver precedence key: a pre-release sorts before its release."""
    match = SEMVER.fullmatch(text)
    if match is None:
        raise ValueError(f"not a semantic version: {text}")
    major, minor, patch, pre, _ = match.groups()
    parts: tuple[object, ...] = (
        (1,) if pre is None else tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    )
    return int(major), int(minor), int(patch), (0, *parts) if pre else (1,)


def declared_bump(old: str, new: str) -> Bump | None:
    """The bump from `old` to `new`; None when `new` is older."""
    a, b = parse_version(old), parse_version(new)
    if b < a:
        return None
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    if b[2] > a[2] or b != a:
        return "patch"
    return "none"


def needed_bump(findings: list[Finding], mode: str, version: str) -> Bump:
    """The largest bump any finding needs, with the 0.x rule applied."""
    bump: Bump = "none"
    for finding in findings:
        if BUMP_ORDER[finding.bump(mode)] > BUMP_ORDER[bump]:
            bump = finding.bump(mode)
    if parse_version(version)[0] == 0:
        bump = {"major": "minor", "minor": "patch"}.get(bump, bump)  # type: ignore[assignment]
    return bump


def next_version(version: str, bump: Bump) -> str:
    major, minor, patch, _ = parse_version(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def same_content(old: Contract, new: Contract) -> bool:
    """True when nothing but the version (and remembered removed names) differs."""
    strip = {"version": "", "removed_fields": ()}
    return dataclasses.replace(old, **strip) == dataclasses.replace(new, **strip)  # type: ignore[arg-type]


@dataclass(slots=True)
class Verdict:
    """What a version bump is measured against."""

    old: Contract
    new: Contract
    mode: str
    findings: list[Finding]
    policy: list[Finding] = field(default_factory=list)

    @property
    def required(self) -> Bump:
        return needed_bump(self.findings, self.mode, self.old.version)

    @property
    def declared(self) -> Bump | None:
        return declared_bump(self.old.version, self.new.version)

    @property
    def bump_ok(self) -> bool:
        declared = self.declared
        return declared is not None and BUMP_ORDER[declared] >= BUMP_ORDER[self.required]

    @property
    def ok(self) -> bool:
        return self.bump_ok and not self.policy

    def summary(self) -> str:
        """One line in the style of cargo-semver-checks."""
        counts: dict[str, int] = {}
        for finding in self.findings + self.policy:
            severity = finding.severity(self.mode)
            counts[severity] = counts.get(severity, 0) + 1
        parts = [f"{counts[s]} {s}" for s in ("breaking", "dangerous", "safe", "info") if counts.get(s)]
        changes = ", ".join(parts) or "no changes"
        head = f"Summary: {changes} under {self.mode} -> requires {self.required.upper()}"
        declared = self.declared
        shown = "a downgrade" if declared is None else declared.upper()
        outcome = "ok" if self.ok else "FAIL"
        tail = f"; declared {self.old.version} -> {self.new.version} ({shown}): {outcome}"
        if self.policy:
            tail += f"; {len(self.policy)} change-policy violation{'s' * (len(self.policy) != 1)}"
        return head + tail

    def problem(self) -> str | None:
        """Why the new version is refused, in one sentence with what to do; None when it is not."""
        old, new, required = self.old.version, self.new.version, self.required
        if self.declared is None:
            return f"version {new} is lower than {old}, the version the package was built from"
        if not self.bump_ok:
            wanted = next_version(old, required)
            if self.declared == "none":
                return (
                    f"the contract changed but its version is still {old}; the changes need a "
                    f"{required} bump: set version to {wanted}"
                )
            return (
                f"version {new} is a {self.declared} bump, but the changes since {old} need a {required} "
                f"bump: set version to {wanted}"
            )
        if self.policy:
            return "the change policy forbids these changes yet; see the POLICY_ findings"
        return None


def evaluate(old: Contract, new: Contract, on: dt.date | None = None) -> Verdict:
    """Diff two versions and check the bump and the change policy."""
    findings = diff(old, new)
    mode = new.change_policy.compatibility or DEFAULT_MODE
    verdict = Verdict(old, new, mode, findings)
    verdict.policy = policy_findings(old, new, findings, on or today())
    return verdict


def evaluate_files(old: list[Contract], new: list[Contract], on: dt.date | None = None) -> list[Verdict]:
    """Verdicts for every table of two versions of a file (ODCS files hold several).

    A table that appears or disappears is compared with an empty stand-in at the other version,
    so that its DATASET_ADDED or DATASET_REMOVED finding is weighed like any other.
    """
    old_by = {c.data_source: c for c in old}
    new_by = {c.data_source: c for c in new}
    old_version = old[0].version if old else "0.0.0"
    new_version = new[0].version if new else old_version
    verdicts = []
    for contract in new:
        if contract.data_source in old_by:
            verdicts.append(evaluate(old_by[contract.data_source], contract, on))
            continue
        before = dataclasses.replace(contract, fields=(), version=old_version)
        finding = Finding(
            RULES["DATASET_ADDED"],
            contract.data_source,
            f"Table '{contract.data_source}' was added.",
            contract.path,
            contract.loc("schema"),
        )
        verdicts.append(Verdict(before, contract, contract.change_policy.compatibility, [finding]))
    for contract in old:
        if contract.data_source in new_by:
            continue
        after = dataclasses.replace(
            contract, fields=(), version=new_version, path=new[0].path if new else contract.path
        )
        finding = Finding(
            RULES["DATASET_REMOVED"],
            contract.data_source,
            f"Table '{contract.data_source}' was removed.",
            after.path,
            new[0].loc("schema") if new else after.loc("schema"),
        )
        verdicts.append(Verdict(contract, after, contract.change_policy.compatibility, [finding]))
    return verdicts


def policy_findings(old: Contract, new: Contract, findings: list[Finding], on: dt.date) -> list[Finding]:
    """Change-policy violations: removal without deprecation or before the sunset, short notice."""
    policy = new.change_policy
    period = policy.deprecation_period
    if period is None and policy.breaking_changes is None:
        return []
    out = []
    old_fields = {f.name: f for f in old.fields}
    new_fields = {f.name: f for f in new.fields}
    for finding in findings:
        if finding.rule.id == "FIELD_REMOVED" and finding.subject.count(".") == 1:
            gone = old_fields.get(finding.subject.split(".", 1)[1])
            if gone is None:
                continue
            out += _removal(gone, finding, on, period.text if period else None)
        elif finding.rule.id == "FIELD_DEPRECATED":
            field_ = new_fields.get(finding.subject.split(".", 1)[1])
            if field_ is not None and period is not None and period.days is not None:
                out += _notice(field_, finding, on, period.days, period.text)
    for name, field_ in new_fields.items():
        before = old_fields.get(name)
        if (
            before is not None
            and before.deprecated is not None
            and field_.deprecated is not None
            and before.deprecated.sunset is not None
            and field_.deprecated.sunset is not None
            and field_.deprecated.sunset < before.deprecated.sunset
        ):
            out.append(
                _policy(
                    "POLICY_NOTICE_VIOLATED",
                    f"{new.data_source}.{name}",
                    f"The sunset of '{name}' moved earlier, from {before.deprecated.sunset} to "
                    f"{field_.deprecated.sunset}; consumers were promised the later date.",
                    new.path,
                    field_.loc("deprecated"),
                )
            )
    return out


def _removal(gone: Field, finding: Finding, on: dt.date, period: str | None) -> list[Finding]:
    name = gone.name
    if gone.deprecated is None:
        return [
            _policy(
                "POLICY_REMOVED_WITHOUT_DEPRECATION",
                finding.subject,
                f"'{name}' was removed without being deprecated first. Deprecate it in a minor version "
                f"(deprecated: with a sunset date{f' at least {period} away' if period else ''}) and remove "
                "it after the sunset.",
                finding.path,
                finding.pos,
            )
        ]
    sunset = gone.deprecated.sunset
    if sunset is None or on < sunset:
        when = f"its sunset is {sunset.isoformat()}" if sunset else "it has no sunset date"
        return [
            _policy(
                "POLICY_REMOVED_BEFORE_SUNSET",
                finding.subject,
                f"'{name}' was removed before its deprecation period ran out ({when}; today is "
                f"{on.isoformat()}). Keep it until then.",
                finding.path,
                finding.pos,
            )
        ]
    return []


def _notice(field_: Field, finding: Finding, on: dt.date, days: float, period: str) -> list[Finding]:
    deprecation = field_.deprecated
    assert deprecation is not None
    if deprecation.sunset is None:
        return [
            _policy(
                "POLICY_NOTICE_VIOLATED",
                finding.subject,
                f"'{field_.name}' is deprecated without a sunset date; the change policy asks for {period}.",
                finding.path,
                finding.pos,
            )
        ]
    start = on
    if deprecation.since and re.fullmatch(r"\d{4}-\d{2}-\d{2}", deprecation.since, re.ASCII):
        start = dt.date.fromisoformat(deprecation.since)
    given = (deprecation.sunset - start).days
    if given < days:
        return [
            _policy(
                "POLICY_NOTICE_VIOLATED",
                finding.subject,
                f"The sunset of '{field_.name}' ({deprecation.sunset}) is {given} days after"
                f" {start.isoformat()}; the change policy asks for {period}.",
                finding.path,
                finding.pos,
            )
        ]
    return []


def _policy(rule_id: str, subject: str, message: str, path: str, pos: object) -> Finding:
    return Finding(RULES[rule_id], subject, message, path, pos)  # type: ignore[arg-type]
