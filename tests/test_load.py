"""Loading contracts: every accepted form, and every mistake with its exact diagnostic."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import pytest

from contractgen.contract import FieldType
from contractgen.load import load_bytes, load_file

HEAD = "data_source: t\nversion: 1.0.0\n"


def load(text: str) -> tuple[object, list[str]]:
    contract, diagnostics = load_bytes(textwrap.dedent(text).encode(), "c.yaml")
    return contract, [d.render() for d in diagnostics]


def field_type(type_text: str, extra: str = "") -> FieldType:
    contract, diagnostics = load(HEAD + f"schema:\n  x:\n    type: {type_text}\n{extra}")
    assert [d for d in diagnostics if ": error:" in d] == []
    return contract.fields[0].type  # type: ignore[attr-defined]


def test_brief_example_loads_verbatim(corpus):
    contract = load_file(corpus / "brief-customer-master.yaml")
    assert contract.data_source == "customer_master"
    assert contract.version == "2.1.0"
    assert contract.owner == "sales_team@company.com"
    customer_id, signup_date, contract_type = contract.fields
    assert (customer_id.name, customer_id.type.kind, customer_id.type.format) == (
        "customer_id",
        "string",
        "uuid",
    )
    assert customer_id.required and customer_id.description == "Unique customer identifier"
    assert (signup_date.type.kind, signup_date.type.format) == ("date", "YYYY-MM-DD")
    assert contract_type.type.values == ("Month-to-Month", "One Year", "Two Year")
    assert contract.sla.update_frequency == "real-time"
    assert contract.sla.max_delay is not None and contract.sla.max_delay.seconds == 300
    assert contract.sla.uptime == "99.9%"
    policy = contract.change_policy
    assert policy.breaking_changes is not None and policy.breaking_changes.days == 30
    assert policy.deprecation_period is not None and policy.deprecation_period.days == 90
    assert policy.notification_channel == "#data-changes Slack channel"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("string", FieldType("string")),
        ("string (UUID)", FieldType("string", format="uuid")),
        ("string(email)", FieldType("string", format="email")),
        ("int8", FieldType("integer", bits=8)),
        ("int16", FieldType("integer", bits=16)),
        ("int32", FieldType("integer", bits=32)),
        ("integer", FieldType("integer", bits=64)),
        ("uint64", FieldType("integer", bits=64, signed=False)),
        ("float32", FieldType("float", bits=32)),
        ("double", FieldType("float", bits=64)),
        ("decimal(10,2)", FieldType("decimal", precision=10, scale=2)),
        ("decimal(38, 9)", FieldType("decimal", precision=38, scale=9)),
        ("boolean", FieldType("boolean")),
        ("date (YYYY-MM-DD)", FieldType("date", format="YYYY-MM-DD")),
        ("time", FieldType("time")),
        ("timestamp", FieldType("timestamp")),
        ("timestamp with time zone", FieldType("timestamp", timezone="UTC")),
        ("timestamp without time zone", FieldType("timestamp")),
        ("timestamp (Europe/Berlin)", FieldType("timestamp", timezone="Europe/Berlin")),
        ("timestamptz", FieldType("timestamp", timezone="UTC")),
        ("duration", FieldType("duration")),
        ("binary", FieldType("binary")),
        ('enum ["Month-to-Month", "One Year"]', FieldType("enum", values=("Month-to-Month", "One Year"))),
        (
            "enum [yes, no, 'on', 2024-01-01, 1.10]",
            FieldType("enum", values=("yes", "no", "on", "2024-01-01", "1.10")),
        ),
    ],
)
def test_compact_and_named_types(written, expected):
    assert field_type(written) == expected


def test_structured_forms():
    enum = field_type("enum", "    values: [a, 'b c', \"null\", yes, 01]\n")
    assert enum.values == ("a", "b c", "null", "yes", "01")
    decimal = field_type("decimal", "    precision: 12\n    scale: 4\n")
    assert (decimal.precision, decimal.scale) == (12, 4)
    zoned = field_type("timestamp", "    timezone: America/New_York\n    time_unit: ms\n")
    assert (zoned.timezone, zoned.unit) == ("America/New_York", "ms")
    listed = field_type("list", "    items:\n      type: int16\n")
    assert listed.items is not None and listed.items.type == FieldType("integer", bits=16)
    nested = field_type(
        "struct",
        "    fields:\n      street: string\n      zip:\n        type: string\n        required: true\n",
    )
    assert [f.name for f in nested.fields] == ["street", "zip"]
    assert nested.fields[1].required


def test_values_mean_what_was_written():
    contract, errors = load(
        """\
        data_source: t
        version: 1.0.0
        schema:
          amount:
            type: decimal(10,2)
            minimum: 0.1
            maximum: 99999999.99
            default: 1.10
          day:
            type: date
            minimum: 2024-01-31
          at:
            type: timestamptz
            maximum: 2030-01-01T00:00:00+00:00
          yes:
            type: boolean
            default: false
        """
    )
    assert errors == []
    amount, day, at, yes = contract.fields  # type: ignore[attr-defined]
    assert amount.minimum == Decimal("0.1") and isinstance(amount.minimum, Decimal)
    assert amount.default == Decimal("1.10") and str(amount.default) == "1.10"
    assert day.minimum == dt.date(2024, 1, 31)
    assert at.maximum == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert yes.name == "yes" and yes.default is False


def test_version_keeps_its_text():
    contract, errors = load("data_source: t\nversion: '2.10.0'\nschema: {a: string}\n")
    assert errors == [] and contract.version == "2.10.0"  # type: ignore[attr-defined]


ERROR_CASES = {
    "unknown top-level key": (
        "data_source: t\nversion: 1.0.0\nownr: x\nschema: {a: string}\n",
        ["c.yaml:3:1: error: unknown key 'ownr' in the contract\n  hint: did you mean 'owner'?"],
    ),
    "unknown field key from another tool": (
        HEAD + "schema:\n  a:\n    type: string\n    maxLength: 3\n",
        ["c.yaml:6:5: error: unknown key 'maxLength' in field 'a'\n  hint: did you mean 'max_length'?"],
    ),
    "duplicate key": (
        HEAD + "owner: a\nowner: b\nschema: {a: string}\n",
        [
            "c.yaml:4:1: error: duplicate key 'owner' in the contract (first at line 3)\n"
            "  hint: remove one of them; YAML keeps only one and the other would be lost"
        ],
    ),
    "duplicate field": (
        HEAD + "schema:\n  a: string\n  a: int32\n",
        [
            "c.yaml:5:3: error: duplicate field 'a' in schema (first at line 4)\n  hint: remove or rename one of them"
        ],
    ),
    "version that YAML would read as a float": (
        "data_source: t\nversion: 2.1\nschema: {a: string}\n",
        [
            "c.yaml:2:10: error: version '2.1' is not a semantic version\n  hint: write MAJOR.MINOR.PATCH, such as 2.1.0"
        ],
    ),
    "YAML 1.1 boolean": (
        HEAD + "schema:\n  a:\n    type: string\n    required: yes\n",
        [
            "c.yaml:6:15: error: required of field 'a' must be true or false, not 'yes'\n"
            "  hint: 'yes' is not a boolean in YAML 1.2; write true or false"
        ],
    ),
    "quoted boolean": (
        HEAD + "schema:\n  a:\n    type: string\n    unique: 'true'\n",
        [
            "c.yaml:6:13: error: unique of field 'a' must be true or false, not 'true'\n"
            "  hint: remove the quotes; quoted values are text"
        ],
    ),
    "unknown type, pointed at the character": (
        HEAD + "schema:\n  a:\n    type: strng (UUID)\n",
        ["c.yaml:5:11: error: unknown type 'strng' in field 'a'\n  hint: did you mean 'string'?"],
    ),
    "bad enum list in a compact type": (
        HEAD + 'schema:\n  a:\n    type: enum ["x", "y"\n',
        ["c.yaml:5:25: error: expected ',' but the type ended in field 'a'"],
    ),
    "null enum value": (
        HEAD + "schema:\n  a:\n    type: enum\n    values: [x, null]\n",
        [
            "c.yaml:6:17: error: null among the enum values of field 'a'\n  hint: quote it if 'null' is a value"
        ],
    ),
    "enum without values": (
        HEAD + "schema:\n  a:\n    type: enum\n",
        [
            'c.yaml:5:11: error: field \'a\' is an enum without values\n  hint: write enum ["a", "b"] or add values:'
        ],
    ),
    "constraint on the wrong type": (
        HEAD + "schema:\n  a:\n    type: boolean\n    max_length: 3\n",
        [
            "c.yaml:6:5: error: 'max_length' does not apply to a boolean field (field 'a')\n"
            "  hint: 'max_length' is for string, binary, list fields"
        ],
    ),
    "minimum out of the integer's range": (
        HEAD + "schema:\n  a:\n    type: int8\n    minimum: -129\n",
        [
            "c.yaml:6:14: error: minimum of field 'a': -129 does not fit in int8\n"
            "  hint: write a whole number, like 0"
        ],
    ),
    "decimal bound with too many places": (
        HEAD + "schema:\n  a:\n    type: decimal(5,1)\n    maximum: 1.25\n",
        [
            "c.yaml:6:14: error: maximum of field 'a': '1.25' has more decimal places than decimal(5,1)\n"
            "  hint: write a decimal number, like 19.99"
        ],
    ),
    "invalid regex": (
        HEAD + "schema:\n  a:\n    type: string\n    pattern: '([a-z'\n",
        [
            "c.yaml:6:14: error: pattern of field 'a' is not a valid regex for the readers (Polars): "
            "regex error: regex parse error: ([a-z ^"
        ],
    ),
    "missing required keys": (
        "owner: x\n",
        [
            "c.yaml:1:1: error: missing required key 'data_source'\n  hint: add 'data_source:' at the top level",
            "c.yaml:1:1: error: missing required key 'schema'\n  hint: add 'schema:' at the top level",
            "c.yaml:1:1: error: missing required key 'version'\n  hint: add 'version:' at the top level",
        ],
    ),
    "schema as a list": (
        HEAD + "schema:\n  - name: a\n",
        [
            "c.yaml:4:3: error: schema must map each field name to its spec, not be a list\n"
            "  hint: write 'schema:' then 'customer_id:' with 'type: string' indented below it"
        ],
    ),
    "literal credential": (
        HEAD + "schema: {a: string}\naccess:\n  credentials:\n    password: hunter2\n",
        [
            "c.yaml:6:15: error: credential 'password' is not an environment variable reference\n"
            "  hint: never write credentials in a contract; write ${PASSWORD} and set that variable where the data is read"
        ],
    ),
    "secret outside the credentials section": (
        HEAD + "schema: {a: string}\naccess:\n  endpoint: postgresql://app:s3cret@db.example:5432/x\n",
        [
            "c.yaml:5:13: error: this value contains what looks like a password inside a URL\n"
            "  hint: never put credentials in a contract; reference an environment variable instead"
        ],
    ),
    "bad duration": (
        HEAD + "schema: {a: string}\nsla:\n  max_delay: soon\n",
        [
            "c.yaml:5:14: error: max_delay 'soon' does not start with a duration\n"
            "  hint: write it like '5 minutes' or '90 days'"
        ],
    ),
    "quality rule naming an unknown column": (
        HEAD + "schema: {customer_id: string}\nquality:\n  - type: completeness\n    columns: [customer]\n",
        [
            "c.yaml:5:5: error: quality rule completeness names 'customer', which is not a field\n"
            "  hint: did you mean 'customer_id'?"
        ],
    ),
    "renamed_from naming a current field": (
        HEAD + "schema:\n  a: string\n  b:\n    type: string\n    renamed_from: a\n",
        [
            "c.yaml:5:3: error: field 'b' is renamed_from 'a', which is still a field\n"
            "  hint: renamed_from names the old column, which must no longer exist"
        ],
    ),
    "primary key that says it is optional": (
        HEAD + "schema:\n  a:\n    type: string\n    primary_key: true\n    required: false\n",
        [
            "c.yaml:7:15: error: field 'a' is a primary key but says required: false\n"
            "  hint: a primary key is always required; remove 'required: false'"
        ],
    ),
    "unknown anonymize treatment": (
        HEAD + "schema:\n  a:\n    type: string\n    pii: true\n    anonymize: scramble\n",
        [
            "c.yaml:7:16: error: unknown anonymize treatment 'scramble' (field 'a')\n"
            "  hint: use one of: hash, mask, drop"
        ],
    ),
    "mask on a non-string field": (
        HEAD + "schema:\n  a:\n    type: int64\n    anonymize: mask\n",
        [
            "c.yaml:6:16: error: anonymize: mask does not apply to an integer field (field 'a')\n"
            "  hint: mask is for string fields; use hash or drop"
        ],
    ),
    "hash on a boolean field": (
        HEAD + "schema:\n  a:\n    type: boolean\n    anonymize: hash\n",
        [
            "c.yaml:6:16: error: anonymize: hash does not apply to a boolean field (field 'a')\n"
            "  hint: hash is for string, integer, decimal, date, time, timestamp, enum fields; use drop"
        ],
    ),
    "nanosecond default that a Python datetime would truncate": (
        HEAD
        + "schema:\n  a:\n    type: timestamp\n    time_unit: ns\n    default: '2024-01-01T00:00:00.123456789'\n",
        [
            "c.yaml:7:14: error: default of field 'a': '2024-01-01T00:00:00.123456789' is finer than a "
            "microsecond, which a Python datetime cannot hold; write at most 6 fractional digits\n"
            "  hint: write an ISO timestamp, like 2024-01-31T13:45:00+00:00"
        ],
    ),
    "default that fails its own pattern and length": (
        HEAD
        + "schema:\n  a:\n    type: string\n    pattern: '^[0-9]+$'\n    max_length: 2\n    default: abc\n",
        [
            "c.yaml:8:14: error: default of field 'a': 'abc' is longer than max_length 2\n"
            "  hint: the default fills old files, so it must pass the field's own checks; change one of them"
        ],
    ),
    "default that fails its own pattern": (
        HEAD + "schema:\n  a:\n    type: string\n    pattern: '^[0-9]+$'\n    default: ab\n",
        [
            "c.yaml:7:14: error: default of field 'a': 'ab' does not match the pattern '^[0-9]+$'\n"
            "  hint: the default fills old files, so it must pass the field's own checks; change one of them"
        ],
    ),
    "default that is not a uuid": (
        HEAD + "schema:\n  a:\n    type: string (UUID)\n    default: not-a-uuid\n",
        [
            "c.yaml:6:14: error: default of field 'a': 'not-a-uuid' is not a valid uuid\n"
            "  hint: the default fills old files, so it must pass the field's own checks; change one of them"
        ],
    ),
    "default below its minimum": (
        HEAD + "schema:\n  a:\n    type: int32\n    minimum: 5\n    default: 1\n",
        [
            "c.yaml:7:14: error: default of field 'a': 1 is below the minimum 5\n"
            "  hint: the default fills old files, so it must pass the field's own checks; change one of them"
        ],
    ),
    "default at an exclusive maximum": (
        HEAD + "schema:\n  a:\n    type: float64\n    exclusive_maximum: 1.5\n    default: 1.5\n",
        [
            "c.yaml:7:14: error: default of field 'a': 1.5 is at or above the maximum 1.5\n"
            "  hint: the default fills old files, so it must pass the field's own checks; change one of them"
        ],
    ),
    "anonymize on a struct member": (
        HEAD + "schema:\n  a:\n    type: struct\n    fields:\n      b:\n        type: string\n"
        "        anonymize: mask\n",
        [
            "c.yaml:9:20: error: anonymize on field 'b' of field 'a' is not supported: treatments "
            "apply to top-level fields\n  hint: put 'anonymize:' on the top-level field that holds it"
        ],
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_error_is_located_and_exact(case):
    text, expected = ERROR_CASES[case]
    contract, errors = load_bytes(text.encode(), "c.yaml")
    assert contract is None
    assert [d.render() for d in errors] == expected


def test_five_mistakes_give_five_diagnostics():
    text = (
        "data_source: customer_master\n"
        "version: 2.1\n"  # 1: not semver
        "schema:\n"
        "  customer_id:\n"
        "    type: strng (UUID)\n"  # 2: unknown type
        "    requird: true\n"  # 3: unknown key
        "  signup_date:\n"
        "    type: date\n"
        "    required: yes\n"  # 4: YAML 1.1 boolean
        "  signup_date:\n"  # 5: duplicate field
        "    type: date\n"
    )
    _, errors = load_bytes(text.encode(), "c.yaml")
    assert [e.split(": error:")[0] for e in (d.render() for d in errors)] == [
        "c.yaml:2:10",
        "c.yaml:5:11",
        "c.yaml:6:5",
        "c.yaml:9:15",
        "c.yaml:10:3",
    ]


UNSAFE = {
    "object tag": (
        "a: !!python/object/apply:os.system ['true']\n",
        "c.yaml:1:4: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    "anchor": ("a: &x 1\nb: *x\n", "c.yaml:1:4: error: anchors are not allowed in contracts (&x)"),
    "alias bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        "c.yaml:1:4: error: anchors are not allowed in contracts (&a)",
    ),
    "two documents": ("a: 1\n---\nb: 2\n", "c.yaml:2:1: error: more than one YAML document in the file"),
    "tab indentation": ("a:\n\tb: 1\n", "c.yaml:2:1: error: invalid YAML: a tab character in indentation"),
    "empty file": ("", "c.yaml:1:1: error: the file is empty"),
    "a list, not a mapping": ("- a\n- b\n", "c.yaml:1:1: error: the contract must be a mapping, not a list"),
}


@pytest.mark.parametrize("case", list(UNSAFE), ids=list(UNSAFE))
def test_unsafe_or_malformed_yaml_is_refused(case):
    text, expected = UNSAFE[case]
    contract, errors = load_bytes(text.encode(), "c.yaml")
    assert contract is None
    assert errors[0].render().split("\n")[0] == expected


def test_invalid_utf8_is_located():
    _, errors = load_bytes(b"data_source: t\nowner: caf\xe9\n", "c.yaml")
    assert (
        errors[0].render() == "c.yaml:2:11: error: invalid UTF-8 (byte 0xe9)\n  hint: save the file as UTF-8"
    )


def test_bom_and_crlf_are_fine():
    contract, errors = load_bytes(
        b"\xef\xbb\xbfdata_source: t\r\nversion: 1.0.0\r\nschema:\r\n  a: string\r\n", "c.yaml"
    )
    assert errors == [] and contract is not None


def test_example_contracts_are_clean():
    from tests.conftest import CONTRACTS

    for path in sorted(CONTRACTS.glob("*.yaml")):
        contract, diagnostics = load_bytes(path.read_bytes(), path.name)
        assert contract is not None and diagnostics == [], [d.render() for d in diagnostics]


def test_nested_constraints_say_who_checks_them():
    _, diagnostics = load(
        HEAD
        + "schema:\n  a:\n    type: struct\n    fields:\n      b:\n        type: int8\n        minimum: 0\n"
    )
    assert diagnostics == [
        "c.yaml:7:7: warning: minimum on field 'b' of field 'a' is checked by the generated models, "
        "not by the Polars readers (they check nested types and enum values)\n"
        "  hint: keep constraints the readers must enforce on top-level fields"
    ]


def test_list_item_constraints_are_checked_by_the_readers():
    """The readers check each item of a top-level list; deeper items are still the models' alone."""
    items = "type: list\n{0}items: {{type: int32, minimum: 0, required: true}}\n"
    _, diagnostics = load(
        HEAD + "schema:\n  li:\n" + items.format("    ").replace("type: list", "    type: list")
    )
    assert diagnostics == []
    member = "      li:\n        " + items.format("        ")
    _, diagnostics = load(HEAD + "schema:\n  s:\n    type: struct\n    fields:\n" + member)
    assert diagnostics == [
        "c.yaml:9:9: warning: required, minimum on the items of field 'li' is checked by the "
        "generated models, not by the Polars readers (they check nested types and enum values)\n"
        "  hint: keep constraints the readers must enforce on top-level fields"
    ]


def test_patterns_the_readers_cannot_run_are_refused():
    _, errors = load(HEAD + "schema:\n  a:\n    type: string\n    pattern: '^(?!test)[a-z]+$'\n")
    assert errors == [
        "c.yaml:6:14: error: pattern of field 'a' uses '(?!', which the readers and models cannot run\n"
        "  hint: Polars and Pydantic match with the Rust regex engine: no lookarounds, backreferences, "
        "atomic groups or \\Z; rewrite the pattern without them"
    ]


def test_anonymize_is_read_and_makes_a_field_sensitive():
    contract, errors = load(
        HEAD
        + "schema:\n  a:\n    type: string\n    anonymize: mask\n"
        + "  b:\n    type: float64\n    anonymize: drop\n"
        + "  c:\n    type: string\n    classification: Restricted\n"
        + "  d:\n    type: string\n    classification: internal\n"
        + "  e:\n    type: list<string>\n    items:\n      type: string\n      pii: true\n"
    )
    assert errors == []
    fields = contract.fields  # type: ignore[attr-defined]
    assert [(f.anonymize, f.sensitive) for f in fields] == [
        ("mask", True),
        ("drop", True),
        (None, True),  # classification: restricted, in any case
        (None, False),
        (None, True),  # a pii value inside
    ]
