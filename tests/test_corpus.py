"""The public contract corpus, read in place from ../shared/corpus (skipped when it is absent)."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import polars as pl
import pytest

from contractgen.build import build
from contractgen.codegen.tables import table
from contractgen.evolution.verdict import evaluate_files
from contractgen.load import load_all
from contractgen.runtime import ContractViolationError, FilledColumnWarning, read_csv, read_parquet


def load(corpus, rel):
    contracts, diagnostics = load_all((corpus / rel).read_bytes(), rel.split("/")[-1])
    return contracts, [d.render() for d in diagnostics]


def test_every_odcs_example_imports(corpus):
    for path in sorted((corpus / "odcs").glob("*.yaml")):
        contracts, diagnostics = load_all(path.read_bytes(), path.name)
        assert not [d for d in diagnostics if d.severity == "error"], path.name
        assert contracts or path.name in ("database-table-sla.odcs.yaml", "kafka-server.odcs.yaml"), path.name


def test_adventureworks_builds_into_valid_python(corpus, tmp_path):
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "adventureworks.yaml").write_bytes(
        (corpus / "odcs" / "postgresql-adventureworks-contract.odcs.yaml").read_bytes()
    )
    result = build(folder, tmp_path / "generated")
    assert result.ok, [d.render() for d in result.diagnostics if d.severity == "error"]
    assert len(result.packages) == 68
    for path in (tmp_path / "generated").rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    product = (tmp_path / "generated" / "product" / "product" / "models.py").read_text()
    assert '    class_: str | None = _pd.Field(\n        alias="class",' in product


@pytest.mark.parametrize(
    ("name", "errors"),
    [
        ("valid.odcs.yaml", []),
        ("invalid.odcs.yaml", ["invalid.odcs.yaml:1:1: error: ODCS requires 'status' at the top level"]),
        (
            "invalid_multiple_errors.odcs.yaml",
            [
                "invalid_multiple_errors.odcs.yaml:1:1: error: ODCS requires 'status' at the top level",
                "invalid_multiple_errors.odcs.yaml:1:1: error: ODCS requires 'version' at the top level",
            ],
        ),
        (
            "invalid_multiple_schema_errors.odcs.yaml",
            [
                "invalid_multiple_schema_errors.odcs.yaml:10:17: error: 'description' of a schema object is empty; ODCS wants text"
            ],
        ),
    ],
)
def test_lint_fixtures(corpus, name, errors):
    _, diagnostics = load(corpus, f"datacontract-cli/lint/{name}")
    assert [d.split("\n")[0] for d in diagnostics if ": error:" in d] == errors


# Every change annotated inline in the v2 unit fixture, by the annotated line's text, and the
# finding contractgen makes of it (None: the fixture changes something a contractgen contract
# does not model, such as a price or free-form custom properties).
ANNOTATED = {
    "name: Orders Contract v2": "META_DOC_CHANGED",
    "version: 2.0.0": None,  # the declared bump, checked by the verdict
    "status: deprecated": "STATUS_DOWNGRADED",
    "domain: commerce": "META_OWNER_CHANGED",
    "purpose: Provides order and line item data": "META_DOC_CHANGED",
    "- property: data-owner": None,  # a reorder: must produce nothing
    "value: confidential": None,  # contract-level custom property
    "priceAmount: 100": None,  # price is not part of a contractgen contract
    "value: finance": None,  # table-level custom property
    "mustBeGreaterThan: 100": "QUALITY_RULE_ADDED",
    "description: Unique order identifier": "FIELD_DOC_CHANGED",
    "logicalType: date": "TYPE_CHANGED",
    "required: true": "FIELD_BECAME_NON_NULLABLE",
    "mustBeGreaterThan: 1": "CONSTRAINT_MINIMUM_INCREASED",
    'value: "true"': "CLASSIFICATION_CHANGED",
    "logicalType: string": "FIELD_ADDED_OPTIONAL",
    "- name: customers": "DATASET_ADDED",
    "": "ACCESS_CHANGED",  # the comment-only line where the writer role was removed
    'value: "99.5%"': "SLA_LOOSENED",
    "- role: viewer": "ACCESS_CHANGED",
    "- channel: email": "META_OWNER_CHANGED",
    "role: senior-engineer": "META_OWNER_CHANGED",
    "- username: carol": "META_OWNER_CHANGED",
}


def test_changelog_fixture_findings_match_its_annotations(corpus):
    v2 = corpus / "datacontract-cli" / "changelog" / "changelog_unit_v2.yaml"
    annotated = {
        line.split("#")[0].strip(): line.split("#", 1)[1].strip()
        for line in v2.read_text().splitlines()
        if re.search(r"#\s*(changed|added|removed|reordered|.*removed from|added )", line)
    }
    assert sorted(annotated) == sorted(ANNOTATED), "the fixture's annotations changed; update ANNOTATED"
    old, _ = load(corpus, "datacontract-cli/changelog/changelog_unit_v1.yaml")
    new, _ = load(corpus, "datacontract-cli/changelog/changelog_unit_v2.yaml")
    verdicts = evaluate_files(old, new, dt.date(2026, 1, 1))
    rules = {f.rule.id for v in verdicts for f in v.findings}
    expected = {rule for rule in ANNOTATED.values() if rule}
    # customer_id is removed (a removed line carries no annotation) and the old row-count rule goes.
    assert rules == expected | {"FIELD_REMOVED", "QUALITY_RULE_REMOVED"}
    assert all(v.ok for v in verdicts)  # 1.0.0 → 2.0.0 is a major bump
    orders = next(v for v in verdicts if v.new.data_source == "orders")
    assert orders.required == "major"


def test_integration_fixture(corpus):
    old, _ = load(corpus, "datacontract-cli/changelog/changelog_integration_v1.yaml")
    new, _ = load(corpus, "datacontract-cli/changelog/changelog_integration_v2.yaml")
    found = sorted(
        (f.subject, f.rule.id) for v in evaluate_files(old, new, dt.date(2026, 1, 1)) for f in v.findings
    )
    assert ("customers", "DATASET_ADDED") in found
    assert ("orders.order_date", "TYPE_CHANGED") in found


EVOLUTION = "datacontract-cli/schema-evolution"


def cities(corpus, version):
    (contract,), _ = load(corpus, f"{EVOLUTION}/odcs-datacontract-cities-version-{version}.yaml")
    return table(contract)


@pytest.mark.parametrize("reader", [read_csv, read_parquet], ids=["csv", "parquet"])
def test_schema_evolution_data(corpus, reader):
    suffix = "csv" if reader is read_csv else "parquet"
    folder = corpus / EVOLUTION
    v2 = cities(corpus, 2)
    frame = reader(folder / f"cities-version-2.{suffix}", v2)
    assert frame.schema["population"] == pl.Int64
    with pytest.raises(ContractViolationError) as exc:
        reader(folder / "invalid" / f"cities-version-2-invalid.{suffix}", v2)
    assert [v.kind for v in exc.value.violations] == ["minimum"]
    assert "9000" in exc.value.violations[0].render()
    # version 2 added 'population' as optional: version 1 files keep loading, the column as nulls
    with pytest.warns(FilledColumnWarning, match="'population' with nulls"):
        old = reader(folder / f"cities-version-1.{suffix}", v2)
    assert old["population"].null_count() == old.height > 0


def test_schema_evolution_contracts(corpus):
    assert cities(corpus, 1).schema.names() == ["city_id", "name"]
    (old,), _ = load(corpus, f"{EVOLUTION}/odcs-datacontract-cities-version-2.yaml")
    (new,), _ = load(corpus, f"{EVOLUTION}/odcs-datacontract-cities-version-3.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (verdict,) = evaluate_files([old], [new], dt.date(2026, 1, 1))
    assert [f.rule.id for f in verdict.findings] == ["FIELD_BECAME_NON_NULLABLE"]
