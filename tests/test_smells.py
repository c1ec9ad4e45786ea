"""Review smells: one test per rule, each asserting the exact located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractgen.load import load_bytes
from contractgen.load.smells import SMELLS, smells
from tests.conftest import CONTRACTS, run_cli

CLEAN = """\
data_source: orders
version: 1.0.0
owner: orders-team@company.example
schema:
  order_id:
    type: string
    primary_key: true
    description: Order number.
change_policy:
  breaking_changes: 30 days advance notice
  notification_channel: "#orders"
"""


def found(text: str) -> list[str]:
    contract, diagnostics = load_bytes(text.encode(), "c.yaml")
    assert contract is not None, [d.render() for d in diagnostics]
    return [d.render() for d in smells(contract)]


def test_a_clean_contract_has_no_smells():
    assert found(CLEAN) == []


def test_every_repository_contract_is_checked_and_smells_are_only_warnings():
    run = run_cli("lint", CONTRACTS, cwd=CONTRACTS.parent)
    assert run.returncode == 0, run.stdout
    assert "error" not in run.stdout.replace("0 errors", "")


def test_no_owner():
    assert found(CLEAN.replace("owner: orders-team@company.example\n", "")) == [
        "c.yaml:1:1: warning: smell/no-owner: contract 'orders' names no owner\n"
        "  hint: add 'owner:' with the team address consumers should write to when the data breaks"
    ]


def test_field_without_description():
    assert found(CLEAN.replace("    description: Order number.\n", "")) == [
        "c.yaml:5:3: warning: smell/field-without-description: field 'order_id' has no description\n"
        "  hint: add 'description:' saying what one value means and where it comes from"
    ]


def test_no_primary_key():
    assert found(CLEAN.replace("    primary_key: true\n", "")) == [
        "c.yaml:4:1: warning: smell/no-primary-key: contract 'orders' marks no field as primary_key\n"
        "  hint: mark the fields that identify a row with 'primary_key: true' (several for a composite key)"
    ]


def test_single_value_enum():
    text = CLEAN.replace(
        "change_policy:",
        "  channel:\n    type: enum [web]\n    description: Where it was placed.\nchange_policy:",
    )
    assert found(text) == [
        "c.yaml:10:11: warning: smell/single-value-enum: enum field 'channel' allows only the value 'web'\n"
        "  hint: list every value the producer may send, or make it a constant elsewhere"
    ]


def test_sla_without_unit():
    # A bare max_delay or uptime is already an error of the loader; a frequency is free text.
    assert found(CLEAN + "sla:\n  update_frequency: 15\n") == [
        "c.yaml:13:3: warning: smell/sla-without-unit: SLA update_frequency '15' has no unit\n"
        "  hint: write it in words, like 'hourly', 'daily' or 'every 15 minutes'"
    ]


def test_deprecation_without_date():
    text = CLEAN.replace(
        "    description: Order number.\n", "    description: Order number.\n    deprecated: use order_key\n"
    )
    assert found(text) == [
        "c.yaml:9:17: warning: smell/deprecation-without-date: field 'order_id' is deprecated without a sunset date\n"
        "  hint: write 'deprecated: {reason: ..., sunset: YYYY-MM-DD}' so consumers know when it goes"
    ]


def test_change_policy_without_channel():
    assert found(CLEAN.replace('  notification_channel: "#orders"\n', "")) == [
        "c.yaml:10:3: warning: smell/change-policy-without-channel: the change policy of 'orders' names no "
        "notification channel\n"
        "  hint: add 'notification_channel:' where consumers hear about changes, like a Slack channel"
    ]


def test_nested_column_in_csv():
    text = CLEAN + ("access:\n  system: SFTP drop\n  method: nightly CSV export\n")
    text = text.replace(
        "change_policy:", "  tags:\n    type: list<string>\n    description: Labels.\nchange_policy:"
    )
    assert found(text) == [
        "c.yaml:10:11: warning: smell/nested-column-in-csv: field 'tags' is a list, but the source is served "
        "as CSV, which has no nested values\n"
        "  hint: serve the source as Parquet or NDJSON, or flatten the field and say how it is encoded"
    ]


@pytest.mark.parametrize(
    ("constraint", "problem"),
    [
        ("type: int32\n    minimum: 1\n    default: 0", "0 is below the minimum 1"),
        ("type: int32\n    maximum: 9\n    default: 10", "10 is above the maximum 9"),
        (
            "type: string\n    pattern: '^[A-Z]+$'\n    default: abc",
            "'abc' does not match the pattern '^[A-Z]+$'",
        ),
        ("type: string\n    max_length: 2\n    default: abc", "'abc' is longer than max_length 2"),
        ("type: enum\n    values: [a, b]\n    default: c", "'c' is not one of the enum values"),
    ],
)
def test_a_default_that_breaks_its_constraints_is_a_load_error_not_a_smell(constraint: str, problem: str):
    """The loader refuses such a default, so no smell is needed (or could ever fire) for it."""
    text = CLEAN.replace(
        "change_policy:", f"  note:\n    {constraint}\n    description: A note.\nchange_policy:"
    )
    contract, diagnostics = load_bytes(text.encode(), "c.yaml")
    assert contract is None
    assert [d.message for d in diagnostics if d.severity == "error"] == [
        f"default of field 'note': {problem}"
    ]
    assert not any("default" in rule for rule in SMELLS)


def test_strict_makes_smells_errors(tmp_path: Path):
    path = tmp_path / "orders.yaml"
    path.write_text(CLEAN.replace("owner: orders-team@company.example\n", ""))
    warned = run_cli("lint", path, cwd=tmp_path)
    assert warned.returncode == 0
    assert warned.stdout.endswith("1 contract checked, 0 errors, 1 warning\n")
    strict = run_cli("lint", "--strict", path, cwd=tmp_path)
    assert strict.returncode == 1
    assert f"{path}:1:1: error: smell/no-owner: contract 'orders' names no owner" in strict.stdout


def test_rule_names_are_stable_and_documented():
    doc = (CONTRACTS.parent / "docs" / "knowing-sources.md").read_text()
    for rule in SMELLS:
        assert rule.startswith("smell/") and rule == rule.lower()
        assert f"`{rule}`" in doc
