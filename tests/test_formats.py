"""The checked string formats: the readers (Polars) and the models (Pydantic) accept exactly
the strings a reference accepts, and a reader names the format of each bad value."""

from __future__ import annotations

import ipaddress
import string
from typing import Annotated

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from contractgen.codegen.tables import table
from contractgen.formats import PATTERNS
from contractgen.load import load_bytes
from contractgen.runtime import ContractViolationError, validate

ADAPTERS = {name: TypeAdapter(Annotated[str, Field(pattern=p)]) for name, p in PATTERNS.items()}
LABEL_CHARS = set(string.ascii_letters + string.digits + "-")


def by_reader(name: str, values: list[str]) -> list[bool]:
    return pl.Series(values, dtype=pl.String).str.contains(PATTERNS[name]).to_list()


def by_model(name: str, value: str) -> bool:
    try:
        ADAPTERS[name].validate_python(value)
    except ValidationError:
        return False
    return True


def reference(name: str, value: str) -> bool:
    if name in ("ipv4", "ipv6"):
        try:
            (ipaddress.IPv4Address if name == "ipv4" else ipaddress.IPv6Address)(value)
        except ValueError:
            return False
        return True
    assert name == "hostname"
    return all(
        1 <= len(label) <= 63 and label[0] != "-" and label[-1] != "-" and set(label) <= LABEL_CHARS
        for label in value.split(".")
    )


def agree(name: str, values: list[str]) -> None:
    expected = [reference(name, v) for v in values]
    assert by_reader(name, values) == expected, values
    assert [by_model(name, v) for v in values] == expected, values


OCTETS = st.integers(0, 300).map(str) | st.sampled_from(["00", "01", "255", "256", "", "a", " 1"])
IPV4ISH = st.lists(OCTETS, min_size=1, max_size=5).map(".".join)
GROUPS = st.text("0123456789abcdefABCDEFg", max_size=5)  # "" makes "::", 5 digits and "g" are wrong
IPV6ISH = st.lists(GROUPS | IPV4ISH, min_size=1, max_size=10).map(":".join)
LABELS = st.text(string.ascii_letters + string.digits + "-_ é", min_size=0, max_size=8) | st.sampled_from(
    ["a" * 63, "a" * 64, "-a", "a-", "x-y"]
)
HOSTNAMEISH = st.lists(LABELS, min_size=1, max_size=5).map(".".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(IPV4ISH, min_size=1, max_size=20))
def test_ipv4_agrees_with_ipaddress(values):
    agree("ipv4", values)


@settings(max_examples=300, deadline=None)
@given(st.lists(IPV6ISH, min_size=1, max_size=20))
def test_ipv6_agrees_with_ipaddress(values):
    agree("ipv6", values)


@settings(max_examples=200, deadline=None)
@given(st.lists(HOSTNAMEISH, min_size=1, max_size=20))
def test_hostname_agrees_with_rfc_1123_labels(values):
    agree("hostname", values)


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("ipv4", ["0.0.0.0", "192.168.1.255"], ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4 "]),
        (
            "ipv6",
            ["::", "::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1", "1:2:3:4:5:6:7::"],
            ["1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::ffff:192.0.2.256", "fe80::1%eth0"],
        ),
        ("hostname", ["localhost", "api.example.com", "a-1.b2"], ["-a.com", "a..b", "a_b.com", "é.com", ""]),
        (
            "uri",
            ["https://example.com/a?b=c", "mailto:ops@example.com", "urn:isbn:0451450523", "s3://bucket/k"],
            ["example.com", "/relative/path", "1http://x", "https://exa mple.com", ""],
        ),
    ],
)
def test_examples(name, good, bad):
    assert by_reader(name, good + bad) == [True] * len(good) + [False] * len(bad)
    assert [by_model(name, v) for v in good + bad] == [True] * len(good) + [False] * len(bad)


def test_a_reader_names_the_format_of_each_bad_value():
    contract = b"""data_source: hosts
version: 1.0.0
schema:
  address: {type: string, format: ipv4}
  address6: {type: string, format: ipv6}
  name: {type: string, format: hostname}
  homepage: {type: string, format: uri}
"""
    loaded, diagnostics = load_bytes(contract, "hosts.yaml")
    assert loaded is not None and diagnostics == []
    frame = pl.DataFrame(
        {
            "address": ["10.0.0.1", "10.0.0.300"],
            "address6": ["::1", "::g"],
            "name": ["db-1.internal", "db_1.internal"],
            "homepage": ["https://example.com", "example.com"],
        }
    )
    with pytest.raises(ContractViolationError) as exc:
        validate(frame, table(loaded))
    assert [v.render() for v in exc.value.violations] == [
        "'address': 1 row not a valid ipv4 (row 1: '10.0.0.300')",
        "'address6': 1 row not a valid ipv6 (row 1: '::g')",
        "'name': 1 row not a valid hostname (row 1: 'db_1.internal')",
        "'homepage': 1 row not a valid uri (row 1: 'example.com')",
    ]
