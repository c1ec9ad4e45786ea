"""Importing the Data Contract Specification: every mapped key, and every refusal located."""

from __future__ import annotations

import importlib
import itertools
import json
import sys
import textwrap
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contractgen.codegen import render
from contractgen.codegen.plan import plan
from contractgen.contract import Contract, FieldType
from contractgen.export import to_json
from contractgen.export.jsonschema import export as row_schema
from contractgen.load import load_all
from tests.test_properties import SENTINEL, names, regex_escape, text, yaml_str

DOC = """\
dataContractSpecification: 1.2.1
id: shipments
info:
  title: Shipments
  version: 3.1.0
  status: active
  owner: Logistics Team
  contact:
    name: Dispatch desk
    email: dispatch@example.org
    url: https://chat.example.org/dispatch
servers:
  warehouse:
    type: postgres
    host: db.example.org
    database: logistics
    schema: public
terms:
  usage: Internal planning only.
  noticePeriod: P1M
servicelevels:
  availability:
    percentage: 99.5%
  retention:
    period: P1Y
  latency:
    threshold: 4h
  freshness:
    threshold: 1d
    timestampField: shipments.shipped_at
  frequency:
    interval: hourly
  support:
    time: weekdays 8-18 CET
models:
  shipments:
    description: One row per shipment.
    fields:
      shipment_id:
        $ref: '#/definitions/shipment_id'
        primaryKey: true
      weight_kg:
        type: decimal
        precision: 8
        scale: 3
        minimum: 0
        exclusiveMaximum: 50000
      parcels:
        type: int
        minimum: 1
      carrier:
        type: string
        enum: [post, courier, freight]
        required: true
      contact_email:
        type: text
        format: email
        pii: true
      note:
        type: varchar
        minLength: 1
        maxLength: 200
        pattern: "^[^<>]*$"
      shipped_at:
        type: timestamp_ntz
        required: true
      stops:
        type: array
        items:
          type: object
          fields:
            city: {type: string, required: true}
            arrival: {type: timestamp_tz}
      labels:
        type: map
        keys: {type: string}
        values: {type: long}
      ratio: {type: float}
      distance: {type: double}
      packed: {type: boolean}
      delivered_on: {type: date}
      cutoff: {type: time}
      scan: {type: bytes}
      total: {type: bigint, unique: true}
    quality:
      - type: library
        metric: rowCount
        mustBeGreaterThan: 0
  stops:
    primaryKey: [shipment_id, seq]
    fields:
      shipment_id: {$ref: '#/definitions/shipment_id'}
      seq: {type: integer}
definitions:
  shipment_id:
    title: Shipment ID
    type: string
    format: uuid
    description: Identifies a shipment.
"""


HEAD = "dataContractSpecification: 1.2.1\nid: x\ninfo:\n  title: X\n  version: 1.0.0\n"


def load(text: str) -> tuple[list[Contract], list[str]]:
    contracts, diagnostics = load_all(textwrap.dedent(text).encode(), "c.dcs.yaml")
    return contracts, [d.render() for d in diagnostics]


def test_every_model_becomes_a_contract():
    contracts, diagnostics = load(DOC)
    assert [c.data_source for c in contracts] == ["shipments", "stops"]
    assert [d for d in diagnostics if ": error:" in d] == []
    shipments, stops = contracts
    assert stops.primary_key == ("shipment_id", "seq")
    assert all(f.required for f in stops.fields)
    assert shipments.version == "3.1.0"
    assert shipments.owner == "Logistics Team"
    assert shipments.contacts[0].email == "dispatch@example.org"
    assert shipments.contacts[0].channel == "https://chat.example.org/dispatch"
    assert shipments.description == "One row per shipment."
    assert shipments.access.system == "postgres"
    assert shipments.access.endpoint == "db.example.org/logistics/public"
    assert shipments.change_policy.breaking_changes is not None
    assert shipments.change_policy.breaking_changes.days == 30
    assert shipments.quality[0].kind == "row_count"
    assert shipments.quality[0].min_rows == 1


def test_servicelevels_become_the_sla():
    sla = load(DOC)[0][0].sla
    assert sla.uptime == "99.5%"
    assert sla.update_frequency == "hourly"
    assert sla.max_delay is not None and sla.max_delay.seconds == 4 * 3600
    assert sla.retention is not None and sla.retention.days == 365
    assert sla.freshness_column == "shipped_at"
    assert sla.support_hours == "weekdays 8-18 CET"


def test_field_types_and_constraints():
    fields = {f.name: f for f in load(DOC)[0][0].fields}
    assert fields["shipment_id"].type == FieldType("string", format="uuid")
    assert fields["shipment_id"].primary_key and fields["shipment_id"].required
    assert fields["shipment_id"].description == "Identifies a shipment."
    weight = fields["weight_kg"]
    assert weight.type == FieldType("decimal", precision=8, scale=3)
    assert (weight.minimum, weight.maximum, weight.exclusive_maximum) == (Decimal(0), Decimal(50000), True)
    assert fields["parcels"].type == FieldType("integer", bits=32)
    assert fields["carrier"].type == FieldType("enum", values=("post", "courier", "freight"))
    assert fields["contact_email"].type.format == "email" and fields["contact_email"].pii
    note = fields["note"]
    assert (note.min_length, note.max_length, note.pattern) == (1, 200, "^[^<>]*$")
    assert fields["shipped_at"].type == FieldType("timestamp")
    stops = fields["stops"].type
    assert stops.kind == "list" and stops.items is not None
    city, arrival = stops.items.type.fields
    assert city.required and arrival.type == FieldType("timestamp", timezone="UTC")
    labels = fields["labels"].type
    assert labels.items is not None
    assert [m.type.describe() for m in labels.items.type.fields] == ["string", "int64"]
    kinds = {
        n: fields[n].type.describe()
        for n in ("ratio", "distance", "packed", "delivered_on", "cutoff", "scan")
    }
    assert kinds == {
        "ratio": "float32",
        "distance": "float64",
        "packed": "boolean",
        "delivered_on": "date",
        "cutoff": "time",
        "scan": "binary",
    }
    assert fields["total"].type == FieldType("integer", bits=64) and fields["total"].unique


def test_dropped_parts_are_located_warnings():
    diagnostics = load(DOC)[1]
    assert (
        "c.dcs.yaml:19:3: warning: terms 'usage' left out: a contract has no terms of use" in diagnostics[0]
    )


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "      a: {$ref: 'https://example.org/defs.yaml#/id'}\n",
            "c.dcs.yaml:9:17: warning: 'm.a': $ref 'https://example.org/defs.yaml#/id' is not a local "
            "definition and is not followed",
        ),
        (
            "      a: {$ref: '#/definitions/nope'}\n",
            "c.dcs.yaml:9:17: error: 'm.a': $ref to 'nope', which is not under 'definitions'",
        ),
        (
            "      a: {type: strin}\n",
            "c.dcs.yaml:9:17: error: 'm.a': unknown DCS type 'strin'",
        ),
        (
            "      a: {type: string, required: yes}\n",
            "c.dcs.yaml:9:35: error: 'required' of field 'm.a' must be true or false, not 'yes'",
        ),
        (
            "      a: {type: decimal}\n",
            "c.dcs.yaml:9:17: warning: 'm.a': decimal without precision imported as float64",
        ),
        (
            "      a: {type: string, references: x.y}\n",
            "c.dcs.yaml:9:25: warning: 'm.a': references 'x.y' is not checked by readers; left out",
        ),
    ],
)
def test_field_diagnostics(snippet, expected):
    head = HEAD + "models:\n  m:\n    fields:\n"
    _, diagnostics = load(head + snippet)
    assert expected in [d.split("\n")[0] for d in diagnostics]


def test_credentials_in_a_server_location_are_refused():
    """The one secret scanner runs over DCS files too: a password in a URL stops the import."""
    text = DOC.replace("    host: db.example.org\n", "    location: s3://key:hunter2secret@bucket/path\n")
    contracts, diagnostics = load(text)
    assert contracts == []
    assert any("looks like a password inside a URL" in d for d in diagnostics), diagnostics
    assert not any("hunter2secret" in d for d in diagnostics)


@pytest.mark.parametrize(
    ("text", "looks_like"),
    [
        ("openapi: 3.1.0\npaths: {}\n", "an OpenAPI document"),
        ("$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\n", "a JSON Schema"),
        ("type: object\nproperties:\n  a: {type: string}\n", "a JSON Schema"),
        ("version: 2\nmodels:\n  - name: orders\n", "a dbt schema.yml"),
        ('{"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"}]}\n', "an Avro schema"),
        ("apiVersion: 2.2.2\nkind: DataContract\ndataset: []\n", "an ODCS 2.2.2 contract (ODCS before v3)"),
    ],
)
def test_other_formats_are_named(text, looks_like):
    contracts, diagnostics = load(text)
    assert contracts == []
    assert diagnostics[0].startswith(
        f"c.dcs.yaml:1:1: error: this looks like {looks_like}, which contractgen"
    )
    assert "contractgen reads contractgen contracts (data_source:), ODCS v3" in diagnostics[0]


def test_corpus_dcs_files_import(corpus):
    for path in sorted((corpus / "dcs").glob("*.yaml")):
        contracts, diagnostics = load_all(path.read_bytes(), path.name)
        assert not [d for d in diagnostics if d.severity == "error"], path.name
        assert contracts or path.name == "init.dcs.yaml", path.name


# -- hostile text through DCS: the same promise as for native contracts ---------------------------

PROPERTY_COUNTER = itertools.count()


def dcs_yaml(model: str, fields: list[str], descriptions: list[str], values: list[str]) -> bytes:
    lines = [
        "dataContractSpecification: 1.2.1",
        "id: hostile",
        "info:",
        f"  title: {yaml_str(descriptions[0])}",
        "  version: 1.0.0",
        f"  owner: {yaml_str(descriptions[-1])}",
        "models:",
        f"  {model}:",
        f"    description: {yaml_str(descriptions[0])}",
        "    fields:",
    ]
    for i, name in enumerate(fields):
        lines.append(f"      {yaml_str(name)}:")
        lines.append("        type: string")
        if i == 0:
            lines.append(f"        enum: [{', '.join(yaml_str(v) for v in values)}]")
        if i == 1:
            lines.append(f"        pattern: {yaml_str(regex_escape(descriptions[-1]))}")
        lines.append(f"        description: {yaml_str(descriptions[i % len(descriptions)])}")
    return ("\n".join(lines) + "\n").encode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=names,
    descriptions=st.lists(text, min_size=1, max_size=3),
    values=st.lists(text, min_size=1, max_size=4, unique=True),
)
def test_any_dcs_text_compiles_imports_and_stays_literal(tmp_path, fields, descriptions, values):
    SENTINEL.unlink(missing_ok=True)
    model = f"prop_dcs_{next(PROPERTY_COUNTER)}"
    contracts, diagnostics = load_all(dcs_yaml(model, fields, descriptions, values), "p.dcs.yaml")
    assume(not any("credential" in d.message or "looks like" in d.message for d in diagnostics))
    assert contracts, [d.render() for d in diagnostics]
    (contract,) = contracts
    files = render.render(
        plan(contract, "contracts/p.dcs.yaml", "0" * 16),
        render.environment(None),
        json_schema=to_json(row_schema(contract).data),
    )
    root = tmp_path / model
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(model)
        assert list(module.SCHEMA.names()) == fields
        row = getattr(module, next(n for n in module.__all__ if n.startswith("PropDcs")))
        described = [info.description for info in row.model_fields.values()]
        assert described == [descriptions[i % len(descriptions)] for i in range(len(fields))]
        assert list(module.SCHEMA[fields[0]].categories) == values
        assert json.loads((root / model / "schema.json").read_text())["properties"].keys() == set(fields)
    finally:
        sys.path.remove(str(root))
        for loaded in [m for m in sys.modules if m == model or m.startswith(model + ".")]:
            del sys.modules[loaded]
    assert not SENTINEL.exists(), "text from a contract was executed"


def test_cli_reads_dcs_everywhere(tmp_path):
    from tests.conftest import run_cli

    old = tmp_path / "shipments.dcs.yaml"
    old.write_text(DOC)
    done = run_cli("lint", old, cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "warning: terms 'usage' left out" in done.stdout
    data = tmp_path / "stops.csv"
    data.write_text("shipment_id,seq\n0b6a6c55-56c4-4b51-9a55-3b8e4f1a2f10,1\n")
    done = run_cli("validate", old, data, "--table", "stops", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data.write_text("shipment_id,seq\nnot-a-uuid,1\n")
    done = run_cli("validate", old, data, "--table", "stops", cwd=tmp_path)
    assert done.returncode == 1 and "shipment_id" in done.stdout + done.stderr
    new = tmp_path / "shipments-v4.dcs.yaml"
    new.write_text(
        DOC.replace("version: 3.1.0", "version: 3.2.0").replace(
            "      total: {type: bigint, unique: true}\n", ""
        )
    )
    done = run_cli("diff", old, new, cwd=tmp_path)
    assert done.returncode == 100 and "total" in done.stdout, done.stdout
    done = run_cli("build", tmp_path / "models", cwd=tmp_path)
    assert done.returncode == 2


# -- $ref expansion is bounded: cycles through any path, long chains, exponential copies -----------


def errors_of(text: str) -> list[str]:
    return [d.split("\n")[0] for d in load(text)[1] if ": error:" in d]


def test_a_ref_cycle_through_nested_fields_is_a_located_error():
    text = (
        HEAD
        + "models:\n  m:\n    fields:\n      c:\n        type: object\n        fields:\n"
        + "          q: {$ref: '#/definitions/m'}\n"
        + "definitions:\n  m:\n    type: object\n    fields:\n      z: {$ref: '#/definitions/m'}\n"
    )
    assert errors_of(text) == ["c.dcs.yaml:17:17: error: 'm.c.q.z': $ref cycle m -> m"]
    assert not [d for d in load(text)[1] if "without fields" in d]  # no guess on top of the error


def test_a_ref_cycle_through_items_names_every_definition():
    text = (
        HEAD
        + "models:\n  m:\n    fields:\n      a: {$ref: '#/definitions/x'}\n"
        + "definitions:\n  x: {type: array, items: {$ref: '#/definitions/y'}}\n"
        + "  y: {type: object, fields: {b: {$ref: '#/definitions/x'}}}\n"
    )
    assert errors_of(text) == ["c.dcs.yaml:12:40: error: 'm.a[].b': $ref cycle x -> y -> x"]


def test_a_long_ref_chain_is_cut_with_a_located_error():
    defs = "".join(f"  d{i}: {{$ref: '#/definitions/d{i + 1}'}}\n" for i in range(3000))
    text = HEAD + "models:\n  m:\n    fields:\n      a: {$ref: '#/definitions/d0'}\n"
    text += "definitions:\n" + defs + "  d3000: {type: string}\n"
    assert errors_of(text) == ["c.dcs.yaml:74:15: error: 'm.a': $ref chain deeper than 64 definitions"]


def test_exponential_expansion_stops_at_the_field_limit():
    defs = "".join(
        f"  d{i}:\n    type: object\n    fields:\n"
        f"      l: {{$ref: '#/definitions/d{i + 1}'}}\n      r: {{$ref: '#/definitions/d{i + 1}'}}\n"
        for i in range(20)
    )
    text = HEAD + "models:\n  m:\n    fields:\n      a: {$ref: '#/definitions/d0'}\n"
    text += "definitions:\n" + defs + "  d20: {type: string}\n"
    errors = errors_of(text)
    assert len(errors) == 1 and "expanding $ref definitions gives more than 10000 fields" in errors[0]


def test_nesting_through_definitions_is_bounded():
    defs = "".join(
        f"  d{i}: {{type: object, fields: {{x: {{$ref: '#/definitions/d{i + 1}'}}}}}}\n" for i in range(60)
    )
    text = HEAD + "models:\n  m:\n    fields:\n      a: {$ref: '#/definitions/d0'}\n"
    text += "definitions:\n" + defs + "  d60: {type: string}\n"
    errors = errors_of(text)
    assert len(errors) == 1 and "type nested more than 32 levels deep" in errors[0]


def test_a_ref_cycle_is_refused_by_every_command(tmp_path):
    from tests.conftest import run_cli

    path = tmp_path / "c.dcs.yaml"
    path.write_text(
        HEAD + "models:\n  m:\n    fields:\n      a: {$ref: '#/definitions/m'}\n"
        "definitions:\n  m: {type: object, fields: {z: {$ref: '#/definitions/m'}}}\n"
    )
    done = run_cli("lint", path, cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "$ref cycle m -> m" in done.stdout


@pytest.mark.parametrize(("pointer", "name"), [("a~1b", "a/b"), ("a~0b", "a~b"), ("a~01b", "a~1b")])
def test_ref_names_are_json_pointer_escaped(pointer, name):
    """RFC 6901: '~1' is '/', '~0' is '~', decoded in that order."""
    text = HEAD + f"models:\n  m:\n    fields:\n      a: {{$ref: '#/definitions/{pointer}'}}\n"
    text += f"definitions:\n  '{name}': {{type: int}}\n"
    contracts, diagnostics = load(text)
    assert diagnostics == [] and contracts[0].fields[0].type == FieldType("integer", bits=32)


def test_a_ref_inside_a_definition_says_so():
    text = HEAD + "models:\n  m:\n    fields:\n      a: {$ref: '#/definitions/a/b'}\n"
    text += "definitions:\n  a: {type: int}\n"
    assert errors_of(text) == [
        "c.dcs.yaml:9:17: error: 'm.a': $ref '#/definitions/a/b' points inside a definition; "
        "only whole definitions are followed"
    ]


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "      a: {type: null}\n",
            "c.dcs.yaml:9:17: warning: 'm.a': type 'null' has no structure to check; kept as text",
        ),
        (
            "      a: {type: map}\n",
            "c.dcs.yaml:9:17: warning: 'm.a': map without keys and values; read as string",
        ),
        (
            "      a: {type: map, keys: {type: string}}\n",
            "c.dcs.yaml:9:17: warning: 'm.a': map without values; read as string",
        ),
        (
            "      a: {type: int}\ndefinitions: [1]\n",
            "c.dcs.yaml:10:14: error: 'definitions' must be a mapping",
        ),
    ],
)
def test_types_the_docs_promise_and_silent_guesses(snippet, expected):
    _, diagnostics = load(HEAD + "models:\n  m:\n    fields:\n" + snippet)
    assert any(d.startswith(expected) for d in diagnostics), diagnostics


def test_type_null_is_text():
    contracts, _ = load(HEAD + "models:\n  m:\n    fields:\n      a: {type: null}\n")
    assert contracts[0].fields[0].type == FieldType("string")
