"""Fuzzing the loaders: no input, however mangled, makes them raise instead of reporting.

Every importer is reached (native, ODCS, and any format `load_all` dispatches to): the seeds are
our own contracts and an ODCS contract written for this test, mutated byte by byte, line by line
and token by token, plus YAML built from scratch. Budgets are fixed; the seed is in the pytest
header, so a failure replays with `--hypothesis-seed`.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.load import load_all

ROOT = Path(__file__).resolve().parent.parent
ODCS = b"""\
apiVersion: v3.0.2
kind: DataContract
id: fuzz-orders
version: 1.0.0
status: active
name: orders
schema:
  - name: orders
    physicalName: orders_v1
    properties:
      - name: order_id
        logicalType: string
        physicalType: uuid
        required: true
        primaryKey: true
      - name: amount
        logicalType: number
        physicalType: decimal(10,2)
        logicalTypeOptions:
          minimum: 0
      - name: placed_at
        logicalType: timestamp
        logicalTypeOptions:
          timezone: true
    quality:
      - type: library
        rule: rowCount
        mustBeGreaterThan: 10
servers:
  - server: prod
    type: postgres
    host: db.example.com
slaProperties:
  - property: latency
    value: 4
    unit: h
"""
SEEDS = [p.read_bytes() for p in sorted((ROOT / "contracts").glob("*.yaml"))] + [ODCS]
TOKENS = [
    b":",
    b"- ",
    b"  ",
    b"\n",
    b"'",
    b'"',
    b"{",
    b"}",
    b"[",
    b"]",
    b"&a",
    b"*a",
    b"!!str",
    b"#",
    b"?",
    b"|",
    b">",
    b"~",
    b"null",
    b"true",
    b"yes",
    b"1e999",
    b"-0",
    b"0x1F",
    b"\t",
    b"\x00",
    b"\xff",
    b"\xe2\x80\xae",
    b"2.10",
    b"type",
    b"schema",
    b"properties",
    b"logicalType",
    b"$ref",
]


def _check(data: bytes) -> None:
    contracts, diagnostics = load_all(data, "fuzz.yaml")
    for diagnostic in diagnostics:
        assert diagnostic.pos.line >= 1 and diagnostic.pos.col >= 1
        diagnostic.render()
    if any(d.severity == "error" for d in diagnostics):
        assert contracts == []


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["byte", "token", "drop_line", "dup_line", "swap"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "byte" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "drop_line":
                del lines[i]
            elif kind == "dup_line":
                lines.insert(i, lines[i])
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_mutated_contracts_are_reported_never_raised(data: bytes) -> None:
    """Mutations of real contracts (native and ODCS) give diagnostics, never an exception."""
    _check(data)


SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.sampled_from(TOKENS).map(lambda b: b.decode("utf-8", "replace")),
)
KEYS = st.sampled_from(
    [
        "data_source",
        "version",
        "schema",
        "type",
        "fields",
        "items",
        "values",
        "apiVersion",
        "kind",
        "id",
        "status",
        "properties",
        "logicalType",
        "physicalType",
        "name",
        "required",
        "quality",
        "sla",
        "access",
        "dataContractSpecification",
        "models",
        "definitions",
        "$ref",
        "servers",
        "minimum",
        "default",
    ]
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=st.dictionaries(KEYS, TREES, min_size=1, max_size=6))
def test_random_documents_in_every_format_are_reported_never_raised(tree: dict[str, object]) -> None:
    """Random documents with the keys of every format give diagnostics, never an exception."""
    import yaml

    _check(yaml.safe_dump(tree, allow_unicode=True).encode())
    _check(yaml.safe_dump({"apiVersion": "v3.0.2", "kind": "DataContract", **tree}).encode())
