"""Reproductions: credentials that `lint` does not recognise, or does not look for.

SECURITY.md promises that any value that looks like a secret is a lint error, anywhere in the
contract. Each test plants one credential shape in one place and expects an error at its line.
Token-shaped values are assembled at run time, so this file itself holds no token.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

_ALNUM = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6"


def _chars(n: int) -> str:
    return (_ALNUM * (n // len(_ALNUM) + 1))[:n]


SHAPES = {
    "redis-password-no-user": "redis://:hunter2redisPW@cache.internal:6379/0",
    "jdbc-password-param": "jdbc:postgresql://db.internal:5432/sales?user=app&password=hunter2jdbcPW",
    "ado-connection-string": "Server=db.internal;Database=sales;User Id=app;Password=hunter2adoPW;",
    "api-key-query-param": "https://api.example.com/v1/export?format=csv&api_key=Zx81kQ2mP0aaB7c9",
    "github-fine-grained-pat": "github_pat_" + _chars(22) + "_" + _chars(59),  # 82 characters
    "google-api-key": "AIza" + _chars(35),
    "openai-style-sk-key": "sk-" + _chars(48),
}

NATIVE = """\
data_source: secret_shapes
version: 1.0.0
description: {description}
schema:
  id:
    type: int64
    primary_key: true
    description: {field_description}
access:
  system: PostgreSQL
  method: SQL
  endpoint: {endpoint}
  credentials:
    user: ${{DB_USER}}
    password: ${{DB_PASSWORD}}
"""
PLACES = {  # where the value goes, and the line it is then on
    "access.endpoint": 12,
    "description": 3,
    "field-description": 8,
}


def _lint(tmp_path: Path, name: str, text: str) -> tuple[int, list[dict[str, object]]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = run_cli("lint", path, "--format", "json", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["diagnostics"]


def _errors_on(diagnostics: list[dict[str, object]], line: int) -> list[str]:
    return [str(d["message"]) for d in diagnostics if d["severity"] == "error" and d["line"] == line]


def _native(place: str, value: str) -> str:
    fields = {"description": '"fine"', "field_description": '"fine"', "endpoint": '"db.internal/sales"'}
    key = {"access.endpoint": "endpoint", "description": "description"}.get(place, "field_description")
    fields[key] = json.dumps(value)
    return NATIVE.format(**fields)


@pytest.fixture(scope="module")
def clean_base(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The base contracts lint clean, so an error at the planted line comes from the planted value."""
    tmp = tmp_path_factory.mktemp("clean")
    for name, text in (("native.yaml", _native("description", "fine")), ("odcs.odcs.yaml", _odcs())):
        code, diagnostics = _lint(tmp, name, text)
        assert code == 0 and not [d for d in diagnostics if d["severity"] == "error"], diagnostics


@pytest.mark.usefixtures("clean_base")
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("shape", SHAPES)
def test_native_secret_shape_is_a_lint_error(tmp_path: Path, shape: str, place: str):
    """A literal credential of each common shape is a lint error at its line, wherever it is."""
    code, diagnostics = _lint(tmp_path, "c.yaml", _native(place, SHAPES[shape]))
    assert _errors_on(diagnostics, PLACES[place]), (
        f"{shape} in {place} is not reported (exit {code}): {diagnostics}"
    )
    assert code != 0


@pytest.mark.usefixtures("clean_base")
def test_secret_in_a_mapping_key_is_a_lint_error(tmp_path: Path):
    """A URL with a password written as a mapping key (a field name) is reported like a value."""
    text = NATIVE.format(description='"fine"', field_description='"fine"', endpoint='"db.internal/x"')
    text = text.replace("schema:\n", 'schema:\n  "postgresql://app:hunter2keyPW@db.internal/x": string\n')
    code, diagnostics = _lint(tmp_path, "c.yaml", text)
    assert _errors_on(diagnostics, 5), f"a password in a key is not reported (exit {code}): {diagnostics}"
    assert code != 0


ODCS = """\
apiVersion: v3.0.2
kind: DataContract
id: 53581432-6c55-4ba2-a65f-72344a91553b
status: active
version: 1.0.0
servers:
  - server: production
    type: postgres
    host: {host}
    port: 5432
    database: sales
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: string
        description: {description}
"""


def _odcs(host: str = "db.internal", description: str = "fine") -> str:
    return ODCS.format(host=json.dumps(host), description=json.dumps(description))


@pytest.mark.usefixtures("clean_base")
@pytest.mark.parametrize(
    ("host", "description", "line"),
    [
        ("postgresql://app:hunter2secret@db:5432/x", "fine", 9),
        ("db.internal", "read with key AKIA" + "Q3EGRQ7XJ5ZPKDWF", 17),
    ],
    ids=["password-in-server-url", "aws-key-in-description"],
)
def test_odcs_secret_is_a_lint_error(tmp_path: Path, host: str, description: str, line: int):
    """ODCS files are scanned for credentials too (a password in a server URL, a cloud key)."""
    code, diagnostics = _lint(tmp_path, "c.odcs.yaml", _odcs(host, description))
    assert _errors_on(diagnostics, line), f"not reported (exit {code}): {diagnostics}"
    assert code != 0


def test_odcs_server_password_never_reaches_generated_files(tmp_path: Path):
    """A password in an ODCS server URL is refused by `build`, never copied into generated/."""
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "c.odcs.yaml").write_text(_odcs(host="postgresql://app:hunter2secret@db:5432/x"))
    out = tmp_path / "generated"
    done = run_cli("build", contracts, "--out", out, cwd=tmp_path)
    leaked = [
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and "hunter2secret" in p.read_text("utf-8", errors="replace")
    ]
    assert not leaked, f"the password was written to {leaked}"
    assert done.returncode != 0
