"""The change taxonomy, table-driven: for every rule a minimal pair of contracts and the exact finding."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from contractgen.evolution.diff import diff
from contractgen.evolution.rules import RULES
from contractgen.evolution.verdict import declared_bump, evaluate, needed_bump
from contractgen.load import load_bytes

HEAD = "data_source: t\nversion: 1.0.0\n"
ID = "  id:\n    type: int32\n    primary_key: true\n"


def contract(schema: str, top: str = "", head: str = HEAD):
    text = head + textwrap.dedent(top) + "schema:\n" + ID + textwrap.indent(textwrap.dedent(schema), "  ")
    loaded, diagnostics = load_bytes(text.encode(), "t.yaml")
    assert loaded is not None, [d.render() for d in diagnostics]
    return loaded


def found(old, new, mode=None):
    verdict = evaluate(old, new, dt.date(2026, 6, 1))
    mode = mode or verdict.mode
    return [(f.rule.id, f.severity(mode), f.bump(mode)) for f in verdict.findings + verdict.policy]


S = "s:\n  type: string\n"
# case id → (old schema, new schema, old top-level, new top-level, expected findings)
CASES = {
    "FIELD_ADDED_OPTIONAL": ("", S, "", "", [("FIELD_ADDED_OPTIONAL", "dangerous", "minor")]),
    "FIELD_ADDED_REQUIRED": (
        "",
        "s:\n  type: string\n  required: true\n",
        "",
        "",
        [("FIELD_ADDED_REQUIRED", "breaking", "major")],
    ),
    "FIELD_ADDED_REQUIRED_WITH_DEFAULT": (
        "",
        "s:\n  type: string\n  required: true\n  default: x\n",
        "",
        "",
        [("FIELD_ADDED_REQUIRED_WITH_DEFAULT", "dangerous", "minor")],
    ),
    "FIELD_REMOVED": (S, "", "", "", [("FIELD_REMOVED", "breaking", "major")]),
    "FIELD_RENAMED": (
        S,
        "t:\n  type: string\n  renamed_from: s\n",
        "",
        "",
        [("FIELD_RENAMED", "breaking", "major")],
    ),
    "FIELD_OLD_NAME_DROPPED": (
        "t:\n  type: string\n  renamed_from: s\n",
        "t:\n  type: string\n",
        "",
        "",
        [("FIELD_OLD_NAME_DROPPED", "breaking", "major")],
    ),
    "FIELD_RENAME_SUSPECTED": (
        S,
        "t:\n  type: string\n",
        "",
        "",
        [
            ("FIELD_ADDED_OPTIONAL", "dangerous", "minor"),
            ("FIELD_REMOVED", "breaking", "major"),
            ("FIELD_RENAME_SUSPECTED", "breaking", "major"),
        ],
    ),
    "FIELD_NAME_REUSED": (
        "",
        "gone:\n  type: int64\n",
        "removed_fields: [gone]\n",
        "",
        [
            ("FIELD_NAME_REUSED", "breaking", "major"),
            ("FIELD_ADDED_OPTIONAL", "dangerous", "minor"),
        ],
    ),
    "FIELD_REORDERED": (
        "a: string\nb: string\n",
        "b: string\na: string\n",
        "",
        "",
        [("FIELD_REORDERED", "info", "patch")],
    ),
    "TYPE_WIDENED": ("n: int32\n", "n: int64\n", "", "", [("TYPE_WIDENED", "breaking", "major")]),
    "TYPE_NARROWED": ("n: int64\n", "n: int32\n", "", "", [("TYPE_NARROWED", "breaking", "major")]),
    "TYPE_WIDENED_LOSSY": (
        "n: int64\n",
        "n: float64\n",
        "",
        "",
        [("TYPE_WIDENED_LOSSY", "breaking", "major")],
    ),
    "TYPE_TEMPORAL_CHANGED": (
        "at: timestamp\n",
        "at: timestamptz\n",
        "",
        "",
        [("TYPE_TEMPORAL_CHANGED", "breaking", "major")],
    ),
    "TYPE_CHANGED": ("n: string\n", "n: int32\n", "", "", [("TYPE_CHANGED", "breaking", "major")]),
    "FIELD_BECAME_NULLABLE": (
        "n:\n  type: int8\n  required: true\n",
        "n: int8\n",
        "",
        "",
        [("FIELD_BECAME_NULLABLE", "breaking", "major")],
    ),
    "FIELD_BECAME_NON_NULLABLE": (
        "n: int8\n",
        "n:\n  type: int8\n  required: true\n",
        "",
        "",
        [("FIELD_BECAME_NON_NULLABLE", "breaking", "major")],
    ),
    "ENUM_VALUE_ADDED": (
        "e: enum [a, b]\n",
        "e: enum [a, b, c]\n",
        "",
        "",
        [("ENUM_VALUE_ADDED", "breaking", "major")],
    ),
    "ENUM_VALUE_REMOVED": (
        "e: enum [a, b]\n",
        "e: enum [a]\n",
        "",
        "",
        [("ENUM_VALUE_REMOVED", "breaking", "major")],
    ),
    "ENUM_VALUE_RENAMED": (
        "e: enum [a, b]\n",
        "e: enum [a, c]\n",
        "",
        "",
        [("ENUM_VALUE_RENAMED", "breaking", "major")],
    ),
    "ENUM_VALUES_REORDERED": (
        "e: enum [a, b]\n",
        "e: enum [b, a]\n",
        "",
        "",
        [("ENUM_VALUES_REORDERED", "dangerous", "minor")],
    ),
    "ENUM_CONSTRAINT_ADDED": (
        "e: string\n",
        "e: enum [a]\n",
        "",
        "",
        [("ENUM_CONSTRAINT_ADDED", "breaking", "major")],
    ),
    "ENUM_CONSTRAINT_REMOVED": (
        "e: enum [a]\n",
        "e: string\n",
        "",
        "",
        [("ENUM_CONSTRAINT_REMOVED", "breaking", "major")],
    ),
    "CONSTRAINT_PATTERN_ADDED": (
        S,
        S + "  pattern: '^x'\n",
        "",
        "",
        [("CONSTRAINT_PATTERN_ADDED", "breaking", "major")],
    ),
    "CONSTRAINT_PATTERN_REMOVED": (
        S + "  pattern: '^x'\n",
        S,
        "",
        "",
        [("CONSTRAINT_PATTERN_REMOVED", "breaking", "major")],
    ),
    "CONSTRAINT_PATTERN_CHANGED": (
        S + "  pattern: '^x'\n",
        S + "  pattern: '^y'\n",
        "",
        "",
        [("CONSTRAINT_PATTERN_CHANGED", "breaking", "major")],
    ),
    "CONSTRAINT_UNIQUE_ADDED": (
        S,
        S + "  unique: true\n",
        "",
        "",
        [("CONSTRAINT_UNIQUE_ADDED", "breaking", "major")],
    ),
    "CONSTRAINT_UNIQUE_REMOVED": (
        S + "  unique: true\n",
        S,
        "",
        "",
        [("CONSTRAINT_UNIQUE_REMOVED", "breaking", "major")],
    ),
    "PRIMARY_KEY_CHANGED": (
        "k: int8\n",
        "k:\n  type: int8\n  primary_key: true\n",
        "",
        "",
        [
            ("FIELD_BECAME_NON_NULLABLE", "breaking", "major"),
            ("PRIMARY_KEY_CHANGED", "breaking", "major"),
        ],
    ),
    "FIELD_DEFAULT_ADDED": (S, S + "  default: x\n", "", "", [("FIELD_DEFAULT_ADDED", "dangerous", "minor")]),
    "FIELD_DEFAULT_REMOVED": (
        S + "  default: x\n",
        S,
        "",
        "",
        [("FIELD_DEFAULT_REMOVED", "dangerous", "minor")],
    ),
    "FIELD_DEFAULT_CHANGED": (
        S + "  default: x\n",
        S + "  default: y\n",
        "",
        "",
        [("FIELD_DEFAULT_CHANGED", "dangerous", "minor")],
    ),
    "FIELD_SEMANTICS_CHANGED unit": (
        "m:\n  type: float64\n  unit: seconds\n",
        "m:\n  type: float64\n  unit: hours\n",
        "",
        "",
        [("FIELD_SEMANTICS_CHANGED", "dangerous", "major")],
    ),
    "FIELD_SEMANTICS_CHANGED format": (
        "u: string (uuid)\n",
        "u: string (email)\n",
        "",
        "",
        [("FIELD_SEMANTICS_CHANGED", "dangerous", "major")],
    ),
    "FIELD_DOC_CHANGED": (
        S + "  description: one\n",
        S + "  description: two\n",
        "",
        "",
        [("FIELD_DOC_CHANGED", "info", "patch")],
    ),
    "FIELD_DEPRECATED": (
        S,
        S + "  deprecated: {reason: use t, sunset: 2027-01-01}\n",
        "",
        "",
        [("FIELD_DEPRECATED", "info", "minor")],
    ),
    "FIELD_UNDEPRECATED": (S + "  deprecated: true\n", S, "", "", [("FIELD_UNDEPRECATED", "info", "minor")]),
    "CLASSIFICATION_CHANGED": (
        S,
        S + "  pii: true\n",
        "",
        "",
        [("CLASSIFICATION_CHANGED", "dangerous", "minor")],
    ),
    "FIELD_ANONYMIZE_CHANGED": (
        S + "  pii: true\n  anonymize: hash\n",
        S + "  pii: true\n  anonymize: drop\n",
        "",
        "",
        [("FIELD_ANONYMIZE_CHANGED", "dangerous", "minor")],
    ),
    "STATUS_DOWNGRADED": (
        "",
        "",
        "status: active\n",
        "status: deprecated\n",
        [("STATUS_DOWNGRADED", "dangerous", "minor")],
    ),
    "STATUS_UPGRADED": (
        "",
        "",
        "status: draft\n",
        "status: active\n",
        [("STATUS_UPGRADED", "info", "patch")],
    ),
    "META_OWNER_CHANGED": (
        "",
        "",
        "owner: a@x.example\n",
        "owner: b@x.example\n",
        [("META_OWNER_CHANGED", "info", "patch")],
    ),
    "META_CONSUMERS_CHANGED": (
        "",
        "",
        "",
        "consumers: [{name: churn-model}]\n",
        [("META_CONSUMERS_CHANGED", "info", "patch")],
    ),
    "META_DOC_CHANGED": ("", "", "title: One\n", "title: Two\n", [("META_DOC_CHANGED", "info", "patch")]),
    "SLA_LOOSENED": (
        "",
        "",
        "sla: {max_delay: 5 minutes}\n",
        "sla: {max_delay: 1 hour}\n",
        [("SLA_LOOSENED", "dangerous", "minor")],
    ),
    "SLA_TIGHTENED": (
        "",
        "",
        "sla: {uptime: '99%'}\n",
        "sla: {uptime: '99.9%'}\n",
        [("SLA_TIGHTENED", "info", "minor")],
    ),
    "SLA_CHANGED": (
        "",
        "",
        "sla: {support_hours: weekdays}\n",
        "sla: {support_hours: always}\n",
        [("SLA_CHANGED", "dangerous", "minor")],
    ),
    "QUALITY_RULE_ADDED": (
        "",
        "",
        "",
        "quality: [{type: row_count, min: 10}]\n",
        [("QUALITY_RULE_ADDED", "dangerous", "minor")],
    ),
    "QUALITY_RULE_REMOVED": (
        "",
        "",
        "quality: [{type: row_count, min: 10}]\n",
        "",
        [("QUALITY_RULE_REMOVED", "dangerous", "minor")],
    ),
    "POLICY_WEAKENED": (
        "",
        "",
        "change_policy: {breaking_changes: 30 days}\n",
        "change_policy: {breaking_changes: 7 days}\n",
        [("POLICY_WEAKENED", "dangerous", "minor")],
    ),
    "POLICY_STRENGTHENED": (
        "",
        "",
        "change_policy: {breaking_changes: 7 days}\n",
        "change_policy: {breaking_changes: 30 days}\n",
        [("POLICY_STRENGTHENED", "info", "patch")],
    ),
    "COMPATIBILITY_MODE_CHANGED": (
        "",
        "",
        "",
        "change_policy: {compatibility: FULL}\n",
        [("COMPATIBILITY_MODE_CHANGED", "dangerous", "minor")],
    ),
    "ACCESS_CHANGED": (
        "",
        "",
        "access: {system: PostgreSQL}\n",
        "access: {system: Snowflake}\n",
        [("ACCESS_CHANGED", "dangerous", "minor")],
    ),
    "POLICY_REMOVED_WITHOUT_DEPRECATION": (
        S,
        "",
        "change_policy: {deprecation_period: 90 days}\n",
        "change_policy: {deprecation_period: 90 days}\n",
        [
            ("FIELD_REMOVED", "breaking", "major"),
            ("POLICY_REMOVED_WITHOUT_DEPRECATION", "breaking", "none"),
        ],
    ),
    "POLICY_REMOVED_BEFORE_SUNSET": (
        S + "  deprecated: {sunset: 2026-12-31}\n",
        "",
        "change_policy: {deprecation_period: 90 days}\n",
        "change_policy: {deprecation_period: 90 days}\n",
        [
            ("FIELD_REMOVED", "breaking", "major"),
            ("POLICY_REMOVED_BEFORE_SUNSET", "breaking", "none"),
        ],
    ),
    "POLICY_NOTICE_VIOLATED": (
        S,
        S + "  deprecated: {sunset: 2026-06-15}\n",
        "change_policy: {deprecation_period: 90 days}\n",
        "change_policy: {deprecation_period: 90 days}\n",
        [
            ("FIELD_DEPRECATED", "info", "minor"),
            ("POLICY_NOTICE_VIOLATED", "breaking", "none"),
        ],
    ),
}
for bound, kind, small, big in (
    ("minimum", "int32", 0, 5),
    ("maximum", "int32", 5, 10),
    ("min_length", "string", 1, 3),
    ("max_length", "string", 3, 9),
):
    name = bound.upper()
    lower = bound.startswith("min")
    tighter, looser = ("INCREASED", "DECREASED") if lower else ("DECREASED", "INCREASED")
    base = f"v:\n  type: {kind}\n"
    tight_value, loose_value = (big, small) if lower else (small, big)
    CASES[f"CONSTRAINT_{name}_ADDED"] = (
        base,
        base + f"  {bound}: {small}\n",
        "",
        "",
        [(f"CONSTRAINT_{name}_ADDED", "breaking", "major")],
    )
    CASES[f"CONSTRAINT_{name}_REMOVED"] = (
        base + f"  {bound}: {small}\n",
        base,
        "",
        "",
        [(f"CONSTRAINT_{name}_REMOVED", "breaking", "major")],
    )
    CASES[f"CONSTRAINT_{name}_{tighter}"] = (
        base + f"  {bound}: {loose_value}\n",
        base + f"  {bound}: {tight_value}\n",
        "",
        "",
        [(f"CONSTRAINT_{name}_{tighter}", "breaking", "major")],
    )
    CASES[f"CONSTRAINT_{name}_{looser}"] = (
        base + f"  {bound}: {tight_value}\n",
        base + f"  {bound}: {loose_value}\n",
        "",
        "",
        [(f"CONSTRAINT_{name}_{looser}", "breaking", "major")],
    )


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_rule(case):
    old_schema, new_schema, old_top, new_top, expected = CASES[case]
    assert found(contract(old_schema, old_top), contract(new_schema, new_top)) == expected


def test_dataset_renamed():
    old = contract("", head="data_source: t\nversion: 1.0.0\n")
    new = contract("", head="data_source: u\nversion: 1.0.0\n")
    assert found(old, new) == [("DATASET_RENAMED", "breaking", "major")]


def test_tables_added_and_removed():
    from contractgen.evolution.verdict import evaluate_files

    a = contract("", head="data_source: a\nversion: 1.0.0\n")
    b = contract("", head="data_source: b\nversion: 1.0.0\n")
    added = evaluate_files([a], [a, b], dt.date(2026, 6, 1))
    assert [(f.rule.id, f.severity(v.mode), f.bump(v.mode)) for v in added for f in v.findings] == [
        ("DATASET_ADDED", "info", "minor")
    ]
    removed = evaluate_files([a, b], [a], dt.date(2026, 6, 1))
    assert [(f.rule.id, f.severity(v.mode), f.bump(v.mode)) for v in removed for f in v.findings] == [
        ("DATASET_REMOVED", "breaking", "major")
    ]
    assert [v.ok for v in removed] == [True, False]


def test_every_rule_has_a_case():
    tested_elsewhere = {"DATASET_RENAMED", "DATASET_ADDED", "DATASET_REMOVED"}
    covered = {rule for *_, expected in CASES.values() for rule, _, _ in expected} | tested_elsewhere
    assert sorted(set(RULES) - covered) == []
    assert len(RULES) >= 35


def test_each_consumer_rule_has_its_producer_mirror_or_a_reason():
    for rule in RULES.values():
        if rule.mirror is None:
            assert rule.waiver, f"{rule.id} has neither a mirror nor a documented waiver"
            continue
        mirror = RULES[rule.mirror]
        assert mirror.mirror == rule.id, f"{rule.id} ↔ {mirror.id} is not mutual"
        assert (rule.backward, rule.forward) == (mirror.forward, mirror.backward), (rule.id, mirror.id)


def test_nested_changes_are_found():
    old = contract("a:\n  type: struct\n  fields:\n    x: int8\n    y: enum [p, q]\n")
    new = contract("a:\n  type: struct\n  fields:\n    x: int16\n    y: enum [p, q, r]\n    z: string\n")
    findings = diff(old, new)
    assert [(f.rule.id, f.subject) for f in findings] == [
        ("TYPE_WIDENED", "t.a.x"),
        ("ENUM_VALUE_ADDED", "t.a.y"),
        ("FIELD_ADDED_OPTIONAL", "t.a.z"),
    ]
    items_old = contract("l: list<int32>\n")
    items_new = contract("l: list<string>\n")
    assert [(f.rule.id, f.subject) for f in diff(items_old, items_new)] == [("TYPE_CHANGED", "t.l[]")]


@pytest.mark.parametrize(
    ("mode", "rule", "old", "new", "bump", "severity"),
    [
        ("BACKWARD", "ENUM_VALUE_ADDED", "e: enum [a]\n", "e: enum [a, b]\n", "minor", "safe"),
        ("FORWARD", "ENUM_VALUE_ADDED", "e: enum [a]\n", "e: enum [a, b]\n", "major", "breaking"),
        ("FORWARD", "TYPE_NARROWED", "n: int64\n", "n: int32\n", "minor", "safe"),
        ("BACKWARD_TRANSITIVE", "TYPE_WIDENED", "n: int32\n", "n: int64\n", "minor", "safe"),
        ("BACKWARD", "FIELD_REMOVED", S, "", "major", "breaking"),  # generated code loses a symbol
        (
            "NONE",
            "FIELD_BECAME_NON_NULLABLE",
            "n: int8\n",
            "n:\n  type: int8\n  required: true\n",
            "minor",
            "safe",
        ),
    ],
)
def test_modes_change_the_bump(mode, rule, old, new, bump, severity):
    policy = f"change_policy: {{compatibility: {mode}}}\n"
    (finding,) = found(contract(old, policy), contract(new, policy))
    assert finding == (rule, severity, bump)


@pytest.mark.parametrize(
    ("old", "new", "bump"),
    [
        ("1.0.0", "1.0.0", "none"),
        ("1.0.0", "1.0.1", "patch"),
        ("1.0.9", "1.1.0", "minor"),
        ("1.9.9", "2.0.0", "major"),
        ("1.0.0", "2.0.0-rc.1", "major"),
        ("2.0.0-rc.1", "2.0.0", "patch"),
        ("2.0.0", "1.9.0", None),
    ],
)
def test_declared_bump(old, new, bump):
    assert declared_bump(old, new) == bump


def test_pre_one_point_zero_shifts_bumps_down():
    old, new = contract(S), contract("")
    findings = diff(old, new)
    assert needed_bump(findings, "FULL_TRANSITIVE", "1.4.0") == "major"
    assert needed_bump(findings, "FULL_TRANSITIVE", "0.4.0") == "minor"
    additive = diff(contract(""), contract(S))
    assert needed_bump(additive, "FULL_TRANSITIVE", "0.4.0") == "patch"


def verdict(old_version, new_version, old_schema=S, new_schema=""):
    old = contract(old_schema, head=f"data_source: t\nversion: {old_version}\n")
    new = contract(new_schema, head=f"data_source: t\nversion: {new_version}\n")
    return evaluate(old, new, dt.date(2026, 6, 1))


def test_verdicts_say_what_to_do():
    assert verdict("1.4.0", "1.4.0").problem() == (
        "the contract changed but its version is still 1.4.0; the changes need a major bump: set version to 2.0.0"
    )
    assert verdict("1.4.0", "1.5.0").problem() == (
        "version 1.5.0 is a minor bump, but the changes since 1.4.0 need a major bump: set version to 2.0.0"
    )
    assert (
        verdict("1.4.0", "1.3.0").problem()
        == "version 1.3.0 is lower than 1.4.0, the version the package was built from"
    )
    assert verdict("1.4.0", "2.0.0").problem() is None
    assert verdict("0.4.0", "0.5.0").problem() is None  # pre-1.0: a minor bump carries breaking changes
    assert verdict("1.4.0", "2.0.0").summary() == (
        "Summary: 1 breaking under FULL_TRANSITIVE -> requires MAJOR; declared 1.4.0 -> 2.0.0 (MAJOR): ok"
    )


def test_findings_are_located_in_the_new_contract():
    old = contract("n: int32\n")
    new = contract("n:\n  type: int64\n  description: wider now\n")
    located = [(f.rule.id, f.pos.line, f.pos.col) for f in diff(old, new)]
    assert located == [("TYPE_WIDENED", 8, 11), ("FIELD_DOC_CHANGED", 9, 18)]


def test_docs_list_every_rule():
    from contractgen.evolution.rules import markdown_table
    from tests.conftest import ROOT

    docs = (ROOT / "docs" / "evolution.md").read_text()
    assert docs.endswith(markdown_table()), (
        "docs/evolution.md's rule table is stale: paste `markdown_table()`"
    )


def test_temporal_change_names_the_unit_and_zone():
    """'changed from timestamp to timestamp' says nothing: the message shows what changed."""
    old = contract("at: timestamp\n")
    new = contract("at:\n  type: timestamp\n  time_unit: ns\n")
    assert [f.message for f in diff(old, new)] == [
        "The type of 'at' changed from timestamp (us, naive) to timestamp (ns, naive)."
    ]


def test_date_to_ns_timestamp_is_not_a_widening():
    """Nanosecond timestamps end in 2262: not every date fits, so old data may not load."""
    old = contract("d: date\n")
    assert [f.rule.id for f in diff(old, contract("d:\n  type: timestamp\n  time_unit: ns\n"))] == [
        "TYPE_TEMPORAL_CHANGED"
    ]
    assert [f.rule.id for f in diff(old, contract("d: timestamp\n"))] == ["TYPE_WIDENED"]


@pytest.mark.parametrize(
    ("old_type", "new_type", "rule"),
    [
        ("float32", "decimal(12,0)", "TYPE_CHANGED"),  # 12-digit decimals are not exact in float32
        ("decimal(10,2)", "float64", "TYPE_CHANGED"),
        ("float64", "int32", "TYPE_NARROWED"),  # every int32 is exact in a float64
        ("float32", "int32", "TYPE_CHANGED"),  # but not in a float32
        ("decimal(12,2)", "int32", "TYPE_NARROWED"),  # 10 integer digits hold every int32
        ("decimal(6,2)", "int32", "TYPE_CHANGED"),
    ],
)
def test_numeric_kind_changes_say_what_old_readers_can_hold(old_type, new_type, rule):
    """Between floats, decimals and integers, a change is a narrowing only when every new value
    is exact under the old type (the compatibility property found float32 to decimal(12,0))."""
    findings = diff(contract(f"n: {old_type}\n"), contract(f"n: {new_type}\n"))
    assert [f.rule.id for f in findings] == [rule]
