"""The change taxonomy: every kind of change between two contract versions, as data.

Each rule has a stable UPPER_SNAKE ID (never renamed), the compatibility it keeps, whom it
breaks, and the semver bump it needs under each compatibility mode. L(v) is the set of rows valid
under version v: a change is *backward* compatible when L(old) ⊆ L(new) (old data and producers
still validate) and *forward* compatible when L(new) ⊆ L(old) (consumers still on the old version
can read new data). CODE marks changes to generated symbols that user code references.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["breaking", "dangerous", "safe", "info"]
Bump = Literal["major", "minor", "patch", "none"]
Section = Literal["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]
Party = Literal["consumers", "producers", "code"]

BUMP_ORDER: dict[str, int] = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of change."""

    id: str
    summary: str  # one sentence, in the voice of a changelog line
    section: Section
    backward: bool = True  # old data still valid under the new contract
    forward: bool = True  # new data still valid under the old contract
    code: bool = False  # generated symbols that user code uses change or disappear
    soft: Severity = "safe"  # severity when the mode does not make it breaking
    soft_bump: Bump = "minor"  # bump when the mode does not make it major
    always_major: bool = False  # consumers break silently (a unit changed): major in every mode
    policy: bool = False  # a change-policy violation: refused whatever the version says
    mirror: str | None = None  # the rule for the opposite change, if there is one
    waiver: str | None = None  # why there is no mirror

    def breaks(self) -> tuple[Party, ...]:
        """Whom the change breaks, in the order people read it."""
        parties: list[Party] = []
        if not self.forward or self.always_major:
            parties.append("consumers")
        if not self.backward:
            parties.append("producers")
        if self.code:
            parties.append("code")
        return tuple(parties)

    def bump(self, mode: str) -> Bump:
        """The bump this change needs under a compatibility mode (before the 0.x rule).

        A policy violation needs no bump: no version makes it acceptable, so it fails on its own.
        """
        if self.policy:
            return "none"
        if self.code or self.always_major:
            return "major"
        base = mode.removesuffix("_TRANSITIVE")
        needs_backward = base in ("BACKWARD", "FULL")
        needs_forward = base in ("FORWARD", "FULL")
        if (needs_backward and not self.backward) or (needs_forward and not self.forward):
            return "major"
        if base == "NONE" and not (self.backward and self.forward):
            return "minor"
        return self.soft_bump

    def severity(self, mode: str) -> Severity:
        if self.policy:
            return "breaking"
        if self.bump(mode) == "major" and not self.always_major:
            return "breaking"
        if self.always_major:
            return "dangerous"
        return self.soft


def _r(rule_id: str, summary: str, section: Section, **kw: object) -> Rule:
    return Rule(rule_id, summary, section, **kw)  # type: ignore[arg-type]


_ALL = [
    # -- fields appear and disappear -----------------------------------------------------------
    _r(
        "FIELD_ADDED_OPTIONAL",
        "Optional field added.",
        "Added",
        soft="dangerous",
        waiver="its inverse is FIELD_REMOVED, which also breaks code",
    ),
    _r(
        "FIELD_ADDED_REQUIRED",
        "Required field added without a default.",
        "Added",
        backward=False,
        mirror="FIELD_REMOVED",
    ),
    _r(
        "FIELD_ADDED_REQUIRED_WITH_DEFAULT",
        "Required field added with a default.",
        "Added",
        soft="dangerous",
        waiver="a default makes old rows valid; the inverse removal is FIELD_REMOVED",
    ),
    _r("FIELD_REMOVED", "Field removed.", "Removed", forward=False, code=True, mirror="FIELD_ADDED_REQUIRED"),
    _r(
        "FIELD_RENAMED",
        "Field renamed (renamed_from).",
        "Changed",
        forward=False,
        code=True,
        waiver="a rename back is itself a FIELD_RENAMED",
    ),
    _r(
        "FIELD_OLD_NAME_DROPPED",
        "A renamed field's old name is no longer accepted.",
        "Removed",
        backward=False,
        code=True,
        waiver="accepting an old name again is a FIELD_RENAMED",
    ),
    _r(
        "FIELD_RENAME_SUSPECTED",
        "A field removed and one added look like a rename.",
        "Changed",
        backward=False,
        forward=False,
        waiver="a hint that accompanies FIELD_REMOVED and FIELD_ADDED_*",
    ),
    _r(
        "FIELD_NAME_REUSED",
        "A removed field's name is used again.",
        "Added",
        backward=False,
        forward=False,
        waiver="reusing a name is its own inverse",
    ),
    _r(
        "FIELD_REORDERED",
        "Field order changed.",
        "Changed",
        soft="info",
        soft_bump="patch",
        waiver="a reorder back is itself a FIELD_REORDERED",
    ),
    # -- types ---------------------------------------------------------------------------------
    _r("TYPE_WIDENED", "Type widened without loss.", "Changed", forward=False, mirror="TYPE_NARROWED"),
    _r("TYPE_NARROWED", "Type narrowed.", "Changed", backward=False, mirror="TYPE_WIDENED"),
    _r(
        "TYPE_WIDENED_LOSSY",
        "Type widened with possible loss of precision.",
        "Changed",
        forward=False,
        backward=False,
        waiver="its inverse is a narrowing, TYPE_NARROWED, which has its own mirror",
    ),
    _r(
        "TYPE_TEMPORAL_CHANGED",
        "Time zone or time unit changed.",
        "Changed",
        backward=False,
        forward=False,
        waiver="a change back is itself a TYPE_TEMPORAL_CHANGED",
    ),
    _r(
        "TYPE_CHANGED",
        "Type changed incompatibly.",
        "Changed",
        backward=False,
        forward=False,
        code=True,
        waiver="a change back is itself a TYPE_CHANGED",
    ),
    # -- nulls ---------------------------------------------------------------------------------
    _r(
        "FIELD_BECAME_NULLABLE",
        "Required field may now be null.",
        "Changed",
        forward=False,
        code=True,
        mirror="FIELD_BECAME_NON_NULLABLE",
    ),
    _r(
        "FIELD_BECAME_NON_NULLABLE",
        "Nullable field is now required.",
        "Changed",
        backward=False,
        mirror="FIELD_BECAME_NULLABLE",
    ),
    # -- enums ---------------------------------------------------------------------------------
    _r("ENUM_VALUE_ADDED", "Enum value added.", "Added", forward=False, mirror="ENUM_VALUE_REMOVED"),
    _r(
        "ENUM_VALUE_REMOVED",
        "Enum value removed.",
        "Removed",
        backward=False,
        code=True,
        mirror="ENUM_VALUE_ADDED",
    ),
    _r(
        "ENUM_VALUE_RENAMED",
        "Enum value renamed.",
        "Changed",
        backward=False,
        forward=False,
        code=True,
        waiver="a rename back is itself an ENUM_VALUE_RENAMED",
    ),
    _r(
        "ENUM_VALUES_REORDERED",
        "Enum values reordered (changes sort order).",
        "Changed",
        soft="dangerous",
        waiver="a reorder back is itself an ENUM_VALUES_REORDERED",
    ),
    _r(
        "ENUM_CONSTRAINT_ADDED",
        "Free text field became an enum.",
        "Changed",
        backward=False,
        mirror="ENUM_CONSTRAINT_REMOVED",
    ),
    _r(
        "ENUM_CONSTRAINT_REMOVED",
        "Enum field became free text.",
        "Changed",
        forward=False,
        code=True,
        mirror="ENUM_CONSTRAINT_ADDED",
    ),
    # -- constraints ---------------------------------------------------------------------------
    *(
        rule
        for bound, tighter, looser in (
            ("MINIMUM", "INCREASED", "DECREASED"),
            ("MAXIMUM", "DECREASED", "INCREASED"),
            ("MIN_LENGTH", "INCREASED", "DECREASED"),
            ("MAX_LENGTH", "DECREASED", "INCREASED"),
        )
        for rule in (
            _r(
                f"CONSTRAINT_{bound}_ADDED",
                f"{bound.lower().replace('_', ' ').capitalize()} added.",
                "Changed",
                backward=False,
                mirror=f"CONSTRAINT_{bound}_REMOVED",
            ),
            _r(
                f"CONSTRAINT_{bound}_REMOVED",
                f"{bound.lower().replace('_', ' ').capitalize()} removed.",
                "Changed",
                forward=False,
                mirror=f"CONSTRAINT_{bound}_ADDED",
            ),
            _r(
                f"CONSTRAINT_{bound}_{tighter}",
                f"{bound.lower().replace('_', ' ').capitalize()} tightened.",
                "Changed",
                backward=False,
                mirror=f"CONSTRAINT_{bound}_{looser}",
            ),
            _r(
                f"CONSTRAINT_{bound}_{looser}",
                f"{bound.lower().replace('_', ' ').capitalize()} loosened.",
                "Changed",
                forward=False,
                mirror=f"CONSTRAINT_{bound}_{tighter}",
            ),
        )
    ),
    _r(
        "CONSTRAINT_PATTERN_ADDED",
        "Pattern added.",
        "Changed",
        backward=False,
        mirror="CONSTRAINT_PATTERN_REMOVED",
    ),
    _r(
        "CONSTRAINT_PATTERN_REMOVED",
        "Pattern removed.",
        "Changed",
        forward=False,
        mirror="CONSTRAINT_PATTERN_ADDED",
    ),
    _r(
        "CONSTRAINT_PATTERN_CHANGED",
        "Pattern changed; neither is known to contain the other.",
        "Changed",
        backward=False,
        forward=False,
        waiver="a change back is itself a CONSTRAINT_PATTERN_CHANGED",
    ),
    _r(
        "CONSTRAINT_UNIQUE_ADDED",
        "Values must now be unique.",
        "Changed",
        backward=False,
        mirror="CONSTRAINT_UNIQUE_REMOVED",
    ),
    _r(
        "CONSTRAINT_UNIQUE_REMOVED",
        "Values need no longer be unique.",
        "Changed",
        forward=False,
        mirror="CONSTRAINT_UNIQUE_ADDED",
    ),
    _r(
        "PRIMARY_KEY_CHANGED",
        "Primary key (the grain of the table) changed.",
        "Changed",
        backward=False,
        forward=False,
        waiver="a change back is itself a PRIMARY_KEY_CHANGED",
    ),
    # -- meaning, docs and lifecycle ------------------------------------------------------------
    _r("FIELD_DEFAULT_ADDED", "Default added.", "Changed", soft="dangerous", mirror="FIELD_DEFAULT_REMOVED"),
    _r(
        "FIELD_DEFAULT_REMOVED", "Default removed.", "Changed", soft="dangerous", mirror="FIELD_DEFAULT_ADDED"
    ),
    _r(
        "FIELD_DEFAULT_CHANGED",
        "Default changed.",
        "Changed",
        soft="dangerous",
        waiver="a change back is itself a FIELD_DEFAULT_CHANGED",
    ),
    _r(
        "FIELD_SEMANTICS_CHANGED",
        "Unit or format changed: same type, different meaning.",
        "Changed",
        always_major=True,
        waiver="a change back is itself a FIELD_SEMANTICS_CHANGED",
    ),
    _r(
        "FIELD_DOC_CHANGED",
        "Description or examples changed.",
        "Fixed",
        soft="info",
        soft_bump="patch",
        waiver="documentation has no direction",
    ),
    _r("FIELD_DEPRECATED", "Field deprecated.", "Deprecated", soft="info", mirror="FIELD_UNDEPRECATED"),
    _r(
        "FIELD_UNDEPRECATED", "Field no longer deprecated.", "Changed", soft="info", mirror="FIELD_DEPRECATED"
    ),
    _r(
        "CLASSIFICATION_CHANGED",
        "PII flag or classification changed.",
        "Security",
        soft="dangerous",
        waiver="a change back is itself a CLASSIFICATION_CHANGED",
    ),
    _r(
        "FIELD_ANONYMIZE_CHANGED",
        "Anonymize treatment (hash, mask or drop) changed.",
        "Security",
        soft="dangerous",
        waiver="a change back is itself a FIELD_ANONYMIZE_CHANGED",
    ),
    # -- the table as a whole -------------------------------------------------------------------
    _r(
        "DATASET_RENAMED",
        "Data source renamed: a new package name.",
        "Changed",
        forward=False,
        code=True,
        waiver="a rename back is itself a DATASET_RENAMED",
    ),
    _r(
        "DATASET_ADDED",
        "Table added.",
        "Added",
        soft="info",
        waiver="a new table breaks nobody; removing one is DATASET_REMOVED, which also breaks code",
    ),
    _r(
        "DATASET_REMOVED",
        "Table removed.",
        "Removed",
        forward=False,
        code=True,
        waiver="its inverse, DATASET_ADDED, breaks nobody",
    ),
    _r(
        "STATUS_DOWNGRADED",
        "Status lowered (e.g. active to deprecated).",
        "Changed",
        soft="dangerous",
        mirror="STATUS_UPGRADED",
    ),
    _r(
        "STATUS_UPGRADED",
        "Status raised (e.g. draft to active).",
        "Changed",
        soft="info",
        soft_bump="patch",
        mirror="STATUS_DOWNGRADED",
    ),
    _r(
        "META_OWNER_CHANGED",
        "Owner, domain or contacts changed.",
        "Changed",
        soft="info",
        soft_bump="patch",
        waiver="ownership has no direction",
    ),
    _r(
        "META_CONSUMERS_CHANGED",
        "Consumers to notify changed.",
        "Changed",
        soft="info",
        soft_bump="patch",
        waiver="the consumer list has no direction",
    ),
    _r(
        "META_DOC_CHANGED",
        "Title or description changed.",
        "Fixed",
        soft="info",
        soft_bump="patch",
        waiver="documentation has no direction",
    ),
    _r(
        "SLA_LOOSENED",
        "SLA loosened: later, less often or less available.",
        "Changed",
        soft="dangerous",
        mirror="SLA_TIGHTENED",
    ),
    _r("SLA_TIGHTENED", "SLA tightened.", "Changed", soft="info", mirror="SLA_LOOSENED"),
    _r(
        "SLA_CHANGED",
        "SLA changed in a way that has no direction.",
        "Changed",
        soft="dangerous",
        waiver="an undirected change",
    ),
    _r(
        "QUALITY_RULE_ADDED",
        "Quality rule added.",
        "Changed",
        soft="dangerous",
        mirror="QUALITY_RULE_REMOVED",
    ),
    _r(
        "QUALITY_RULE_REMOVED",
        "Quality rule removed.",
        "Changed",
        soft="dangerous",
        mirror="QUALITY_RULE_ADDED",
    ),
    _r(
        "POLICY_WEAKENED",
        "Change policy weakened: shorter notice or deprecation period.",
        "Changed",
        soft="dangerous",
        mirror="POLICY_STRENGTHENED",
    ),
    _r(
        "POLICY_STRENGTHENED",
        "Change policy strengthened.",
        "Changed",
        soft="info",
        soft_bump="patch",
        mirror="POLICY_WEAKENED",
    ),
    _r(
        "COMPATIBILITY_MODE_CHANGED",
        "Compatibility mode changed.",
        "Changed",
        soft="dangerous",
        waiver="an undirected change",
    ),
    _r(
        "ACCESS_CHANGED",
        "How to reach the data changed.",
        "Changed",
        soft="dangerous",
        waiver="an undirected change",
    ),
    # -- change policy ---------------------------------------------------------------------------
    _r(
        "POLICY_REMOVED_WITHOUT_DEPRECATION",
        "Field removed without being deprecated first.",
        "Removed",
        policy=True,
        waiver="a policy check, not a change",
    ),
    _r(
        "POLICY_REMOVED_BEFORE_SUNSET",
        "Field removed before its deprecation period ran out.",
        "Removed",
        policy=True,
        waiver="a policy check, not a change",
    ),
    _r(
        "POLICY_NOTICE_VIOLATED",
        "Deprecation notice shorter than the change policy asks.",
        "Deprecated",
        policy=True,
        waiver="a policy check, not a change",
    ),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}
assert len(RULES) == len(_ALL), "duplicate rule IDs"


def markdown_table() -> str:
    """Every rule with its compatibility and the bump it needs in each mode (docs/evolution.md)."""
    head = "| rule | change | old data valid | old readers work | breaks | FULL | BACKWARD | FORWARD | NONE |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for rule in RULES.values():
        mark = {True: "yes", False: "no"}
        bumps = " | ".join(rule.bump(mode) for mode in ("FULL", "BACKWARD", "FORWARD", "NONE"))
        breaks = ", ".join(rule.breaks()) or "—"
        if rule.policy:
            bumps = "refused | refused | refused | refused"
        compat = f"{mark[rule.backward]} | {mark[rule.forward]}"
        lines.append(f"| `{rule.id}` | {rule.summary} | {compat} | {breaks} | {bumps} |")
    return "\n".join(lines) + "\n"
