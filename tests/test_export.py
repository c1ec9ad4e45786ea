"""Export: ODCS, DCS and JSON Schema writers, checked against the official schemas and round-tripped
through the importers. What a format cannot carry is projected away on both sides (`carried`),
so each test says exactly what survives."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from contractgen.contract import Access, ChangePolicy, Contract, Field, FieldType, Party, QualityRule
from contractgen.diagnostics import Position
from contractgen.export import TARGETS, dcs, export_text, to_yaml
from contractgen.export import jsonschema as row_schema
from contractgen.load import load_all
from contractgen.snapshot import snapshot

REPO = Path(__file__).resolve().parent.parent
NATIVE = sorted((REPO / "contracts").glob("*.yaml"))
SCHEMAS = {"odcs": "odcs/odcs-json-schema-v3.1.0.json", "dcs": "dcs/datacontract.schema.json"}
DCS_SERVERS = set(dcs._SERVER_TYPES)
ODCS_SERVERS: set[str] = set()


def load(path: Path) -> list[Contract]:
    contracts, diagnostics = load_all(path.read_bytes(), path.name)
    assert contracts, [d.render() for d in diagnostics]
    return contracts


def reload(text: str, name: str) -> list[Contract]:
    contracts, diagnostics = load_all(text.encode(), name)
    assert not [d for d in diagnostics if d.severity == "error"], [d.render() for d in diagnostics]
    return contracts


def validator(corpus: Path, target: str) -> jsonschema.Validator:
    schema = json.loads((corpus / SCHEMAS[target]).read_text())
    return jsonschema.Draft202012Validator(schema)


# -- what each format carries -------------------------------------------------------------------


def _field(field: Field, target: str) -> Field:
    ftype = field.type
    kind = ftype.kind
    if kind == "integer" and target == "dcs":
        ftype = FieldType("integer", bits=32 if (ftype.bits or 64) <= 32 and ftype.signed else 64)
    elif kind == "integer" and not ftype.signed:
        ftype = FieldType("integer", bits=64)
    elif kind == "timestamp" and ftype.timezone is not None:
        ftype = FieldType("timestamp", timezone="UTC")
    elif kind == "duration" or (
        kind == "string" and target == "odcs" and ftype.format not in (None, "uuid", "email")
    ):
        ftype = FieldType("string")
    elif kind in ("date", "time", "timestamp") and ftype.format is not None:
        ftype = dataclasses.replace(ftype, format=None)
    elif kind == "list":
        assert ftype.items is not None
        ftype = FieldType("list", items=_field(dataclasses.replace(ftype.items, name="item"), target))
    elif kind == "struct":
        ftype = FieldType("struct", fields=tuple(_field(f, target) for f in ftype.fields))
    numeric = ftype.kind in ("integer", "float", "decimal")
    keep_bounds = numeric or (target == "odcs" and ftype.kind in ("date", "time", "timestamp"))
    return dataclasses.replace(
        field,
        type=ftype,
        minimum=field.minimum if keep_bounds else None,
        maximum=field.maximum if keep_bounds else None,
        exclusive_minimum=field.exclusive_minimum and keep_bounds,
        exclusive_maximum=field.exclusive_maximum and keep_bounds,
        pattern=field.pattern if ftype.kind == "string" and not (target == "odcs" and ftype.format) else None,
        deprecated=None,
        renamed_from=(),
        renamed_until=None,
        default=None,
        unit=None,
        anonymize=None,
    )


def _rule(rule: QualityRule, target: str) -> QualityRule:
    if rule.kind == "row_count" and rule.min_rows is not None:
        return dataclasses.replace(rule, max_rows=rule.max_rows if target == "dcs" else None)
    return QualityRule(
        "custom", rule.pos, description=rule.description or f"{rule.kind} of {', '.join(rule.columns)}"
    )


def carried(contract: Contract, target: str) -> str:
    """The snapshot of what `target` keeps of `contract`."""
    access = contract.access
    system = (access.system or "").lower()
    servers = DCS_SERVERS if target == "dcs" else ODCS_SERVERS
    kept_system = (
        None if not (access.system or access.endpoint) else system if system in servers else "custom"
    )
    if target == "dcs":
        contacts = tuple(
            Party(p.name, p.email, channel=p.channel if (p.channel or "").startswith("http") else None)
            for p in contract.contacts[:1]
        )
        policy = ChangePolicy(breaking_changes=contract.change_policy.breaking_changes)
        sla = contract.sla
        access = Access(system=kept_system, endpoint=access.endpoint)
        domain = None
    else:
        contacts = tuple(Party(p.name, role=p.role) for p in contract.contacts)
        policy = ChangePolicy()
        sla = dataclasses.replace(contract.sla, freshness_column=None, support_hours=None)
        access = Access(system=kept_system)
        domain = contract.domain
    return snapshot(
        dataclasses.replace(
            contract,
            title=contract.title or contract.data_source,
            contacts=contacts,
            consumers=(),
            domain=domain,
            change_policy=policy,
            sla=sla,
            access=access,
            removed_fields=(),
            quality=tuple(_rule(r, target) for r in contract.quality),
            fields=tuple(_field(f, target) for f in contract.fields),
        )
    )


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["odcs", "dcs"])
@pytest.mark.parametrize("path", NATIVE, ids=lambda p: p.stem)
def test_native_round_trip(corpus, path, target):
    """native → target (valid against its official schema) → contractgen: every carried part equal."""
    contracts = load(path)
    text, lost = export_text(target, contracts)
    assert list(validator(corpus, target).iter_errors(yaml.safe_load(text))) == []
    again = reload(text, f"{path.stem}.{target}.yaml")
    assert [carried(c, target) for c in again] == [carried(c, target) for c in contracts]
    assert lost  # the native contracts use parts neither standard has: each is reported


def _standard_files(corpus: Path, folder: str) -> list[Path]:
    return [p for p in sorted((corpus / folder).glob("*.yaml")) if load_all(p.read_bytes(), p.name)[0]]


@pytest.mark.parametrize("target", ["odcs", "dcs"])
def test_corpus_round_trip_keeps_every_mapped_field(corpus, target):
    """target → contractgen → target → contractgen gives the same contracts, and valid documents."""
    check = validator(corpus, target)
    folder = "odcs" if target == "odcs" else "dcs"
    files = _standard_files(corpus, folder)
    assert files
    for path in files:
        first = load(path)
        text, _ = export_text(target, first)
        assert list(check.iter_errors(yaml.safe_load(text))) == [], path.name
        again = reload(text, path.name)
        assert [carried(c, target) for c in again] == [carried(c, target) for c in first], path.name
        second = export_text(target, again)[0]
        assert export_text(target, reload(second, path.name))[0] == second, path.name  # a fixed point


@pytest.mark.parametrize("path", NATIVE, ids=lambda p: p.stem)
def test_json_schema_accepts_the_contracts_own_examples(path):
    contract = load(path)[0]
    schema = row_schema.export(contract).data
    jsonschema.Draft202012Validator.check_schema(schema)
    required = {f.name for f in contract.fields if f.required}
    assert schema["required"] == [f.name for f in contract.fields if f.name in required]
    check = jsonschema.Draft202012Validator(schema)
    assert not check.is_valid({}) or not required
    assert not check.is_valid({"not_a_column": 1})


def test_output_is_deterministic_and_quotes_lookalikes():
    contract = load(NATIVE[0])[0]
    field = dataclasses.replace(contract.fields[0], description="yes", examples=("1.0", "null", "on"))
    contract = dataclasses.replace(contract, fields=(field,), title="2.10")
    for target in TARGETS:
        assert export_text(target, [contract]) == export_text(target, [contract])
    text = to_yaml(dcs.export([contract]).data)
    assert "description: 'yes'" in text
    assert "- '1.0'" in text and "- 'null'" in text and "- 'on'" in text
    assert "title: '2.10'" in text
    assert yaml.safe_load(text)["info"]["title"] == "2.10"


def test_export_command(tmp_path):
    from tests.conftest import run_cli

    out = tmp_path / "orders.dcs.yaml"
    done = run_cli("export", "dcs", REPO / "contracts" / "customer_master.yaml", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning: not carried by dcs: consumers" in done.stderr
    assert reload(out.read_text(), out.name)[0].data_source == "customer_master"
    done = run_cli("export", "jsonschema", out, cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["title"] == "customer_master"
    done = run_cli("export", "avro", out, cwd=tmp_path)
    assert done.returncode == 2


# -- values that must survive a round trip, spelled as each schema wants them ---------------------

ODCS_SLA = """\
apiVersion: v3.1.0
kind: DataContract
id: t
name: t
version: 1.0.0
status: active
schema:
  - name: t
    logicalType: object
    properties:
      - name: tags
        logicalType: array
        items: {logicalType: string}
        logicalTypeOptions: {minItems: 1, maxItems: 5}
slaProperties:
  - {property: availability, value: "95%", unit: "%"}
  - {property: retention, value: P1Y}
  - {property: latency, value: PT25H}
"""


def test_odcs_sla_durations_and_percentages_survive_both_exports(corpus):
    (contract,) = reload(ODCS_SLA, "t.odcs.yaml")
    sla = contract.sla
    assert sla.uptime == "95%"
    assert sla.retention is not None and sla.retention.days == 365
    assert sla.max_delay is not None and sla.max_delay.seconds == 25 * 3600
    assert (contract.fields[0].min_length, contract.fields[0].max_length) == (1, 5)
    for target in ("odcs", "dcs"):
        text, _ = export_text(target, [contract])
        assert list(validator(corpus, target).iter_errors(yaml.safe_load(text))) == [], target
        (again,) = reload(text, f"t.{target}.yaml")
        assert carried(again, target) == carried(contract, target), target
    assert yaml.safe_load(export_text("dcs", [contract])[0])["servicelevels"]["availability"] == {
        "percentage": "95%"
    }


def test_array_lengths_are_item_counts_in_odcs_and_json_schema():
    (contract,) = reload(ODCS_SLA, "t.odcs.yaml")
    odcs = yaml.safe_load(export_text("odcs", [contract])[0])
    assert odcs["schema"][0]["properties"][0]["logicalTypeOptions"] == {"minItems": 1, "maxItems": 5}
    row = row_schema.export(contract).data["properties"]["tags"]["anyOf"][0]  # optional: or null
    assert (row.get("minItems"), row.get("maxItems"), "minLength" in row) == (1, 5, False)


@pytest.mark.parametrize("spelled", ["500ms", "PT0.5S", "0.5 seconds"])
def test_both_importers_read_the_same_durations(spelled):
    dcs_doc = (
        "dataContractSpecification: 1.2.1\nid: t\ninfo: {title: t, version: 1.0.0}\n"
        f"servicelevels:\n  latency: {{threshold: {spelled}}}\n"
        "models:\n  t:\n    fields:\n      a: {type: int}\n"
    )
    odcs_doc = ODCS_SLA.replace("value: PT25H", f"value: {spelled}")
    for text, name in ((dcs_doc, "t.dcs.yaml"), (odcs_doc, "t.odcs.yaml")):
        contracts, diagnostics = load_all(text.encode(), name)
        assert [d.render() for d in diagnostics if "latency" in d.message] == [], name
        delay = contracts[0].sla.max_delay
        assert delay is not None and delay.seconds == 0.5, name


def test_an_unreadable_odcs_sla_value_is_a_located_warning():
    text = ODCS_SLA.replace("value: P1Y", "value: forever")
    _, diagnostics = load_all(text.encode(), "t.odcs.yaml")
    assert "t.odcs.yaml:17:34: warning: slaProperties retention 'forever' is not a duration; left out" in [
        d.render().split("\n")[0] for d in diagnostics
    ]


def test_an_enum_goes_to_odcs_as_the_rule_standards_md_names():
    """An enum is carried (as a rule contractgen reads back), so it is not listed as lost."""
    contract = Contract(
        data_source="t",
        version="1.0.0",
        path="t.yaml",
        fields=(Field("k", FieldType("enum", values=("a", "b")), Position(1, 1)),),
    )
    text, lost = export_text("odcs", [contract])
    doc = (REPO / "docs" / "standards.md").read_text()
    assert not any("enum" in n for n in lost)
    assert "metric: invalidValues" in text and "validValues:" in text
    assert "an `invalidValues` quality rule whose `validValues` are the enum's values" in doc


ODCS_STATUS = """apiVersion: v3.0.2
kind: DataContract
id: t
version: 1.0.0
status: active
schema:
  - name: t
    properties:
      - name: status
        logicalType: string
        physicalType: varchar(12)
        logicalTypeOptions: {{maxLength: 12}}
        quality:
          - type: library
            metric: invalidValues
            arguments:
              validValues: {values}
            mustBe: {must}
"""


def _imported(
    values: str, must: str = "0", logical: str = "string", more: str = ""
) -> tuple[list[Contract], list[str]]:
    text = ODCS_STATUS.format(values=values, must=must).replace(
        "logicalType: string", f"logicalType: {logical}"
    )
    contracts, diagnostics = load_all((text + more).encode(), "t.yaml")
    return contracts, [d.render().split("\n")[0] for d in diagnostics]


def test_an_odcs_valid_values_rule_comes_back_as_the_enum():
    (contract,), shown = _imported("[open, closed]")
    (status,) = contract.fields
    assert status.type == FieldType("enum", values=("open", "closed"))
    assert status.max_length is None
    assert shown == [
        "t.yaml:12:41: warning: t.status: maxLength left out: the validValues rule lists every value"
    ]


def test_a_valid_values_rule_that_is_not_a_must_be_zero_count_leaves_text():
    (contract,), _ = _imported("[open, closed]", must="2")
    assert contract.fields[0].type == FieldType("string")


def test_a_valid_values_rule_that_repeats_a_value_is_refused_where_it_stands():
    contracts, shown = _imported("[open, open]")
    assert contracts == []
    assert "t.yaml:17:28: error: validValues of property 't.status' repeats a value" in shown


SECOND_RULE = """          - metric: invalidValues
            arguments:
              validValues: [closed, archived]
            mustBe: 0.0
"""


def test_several_valid_values_rules_keep_the_values_they_share():
    (contract,), _ = _imported("[open, closed]", more=SECOND_RULE)
    assert contract.fields[0].type == FieldType("enum", values=("closed",))


def test_a_valid_values_rule_on_a_number_is_reported_not_dropped():
    (contract,), shown = _imported("[open, closed]", logical="integer")
    assert contract.fields[0].type.kind == "integer"
    assert (
        "t.yaml:14:13: warning: t.status: this validValues rule is not checked: only a text property "
        "without a format can be an enum"
    ) in shown


def test_a_warning_severity_rule_is_not_a_hard_enum():
    (contract,), shown = _imported("[open, closed]", more="            severity: warning\n")
    assert contract.fields[0].type.kind == "string"
    assert (
        "t.yaml:14:13: warning: t.status: this validValues rule is not checked: its severity is warning"
        in shown
    )
