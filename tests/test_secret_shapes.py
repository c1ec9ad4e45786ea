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


MORE_SHAPES = {
    "aws-secret-access-key": "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/" + _chars(18),
    "azure-storage-key": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + _chars(30) + "==;",
    "libpq-keywords": "user=app password=hunter2libpq host=db.internal",
    "pgpassword": "PGPASSWORD=hunter2pg psql -h db",
    "generic-secret": "call it with secret=" + _chars(12),
    "generic-token": "token=" + _chars(16),
    "bearer": "Authorization: Bearer " + _chars(32),
    "jwt": "eyJ" + _chars(20) + ".eyJ" + _chars(20) + "." + _chars(30),
    "azure-sas": "https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&sr=b&sig=" + _chars(20) + "%3D",
    "slack-webhook": "https://hooks.slack.com/services/"
    + "T0"
    + _chars(8)
    + "/B0"
    + _chars(8)
    + "/"
    + _chars(24),
    "gitlab": "glpat-" + _chars(20),
    "npm": "npm_" + _chars(36),
    "hugging-face": "hf_" + _chars(34),
    "sendgrid": "SG." + _chars(22) + "." + _chars(43),
    "url-password-with-space": "postgresql://app:hunter2 with space@db.internal/sales",
}
NOT_SECRETS = [
    "postgres://app:${DB_PASSWORD}@db/x",
    "postgresql://${DB_USER}:${DB_PASSWORD}@db.internal:5432/sales",
    "password=${DB_PASSWORD}",
    "PGPASSWORD=$PGPASSWORD",
    "the token rotates daily; ask the owner for a password",
    "a Bearer of news",
    "http://host:8080 contact me@example.com",
]


@pytest.mark.parametrize("shape", MORE_SHAPES)
def test_more_secret_shapes_are_recognised(shape: str):
    """Each common credential shape is recognised by the one scanner, wherever it sits in text."""
    from contractgen.load.secrets import shape as found

    assert found(MORE_SHAPES[shape]) is not None
    assert found(f"see {MORE_SHAPES[shape]} for details") is not None or shape == "url-password-with-space"


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_environment_references_and_prose_are_not_secrets(text: str):
    """An environment reference (what the docs recommend) and plain prose are accepted."""
    from contractgen.load.secrets import shape

    assert shape(text) is None


@pytest.mark.usefixtures("clean_base")
@pytest.mark.parametrize("shape", ["libpq-keywords", "aws-secret-access-key", "jwt"])
def test_new_shapes_are_lint_errors_that_never_print_the_secret(tmp_path: Path, shape: str):
    """A planted shape is an error at its line, and neither stdout nor stderr quotes it."""
    path = tmp_path / "c.yaml"
    path.write_text(_native("description", MORE_SHAPES[shape]), encoding="utf-8")
    done = run_cli("lint", path, cwd=tmp_path)
    assert done.returncode == 1
    assert "c.yaml:3:" in done.stdout
    secret = MORE_SHAPES[shape].split("=")[-1].split()[0][-12:]
    assert secret not in done.stdout + done.stderr


ODCS_ROUTES = """\
apiVersion: v3.0.2
kind: DataContract
id: 53581432-6c55-4ba2-a65f-72344a91553b
status: active
version: 1.0.0
servers:
  - server: production
    type: postgres
    host: db.internal
    port: 5432
    database: {database}
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: string
roles:
  - role: reader
    access: {access}
slaProperties:
  - property: latency
    value: {sla}
"""


@pytest.mark.parametrize(
    ("where", "line"), [("database", 11), ("access", 19), ("sla", 22)], ids=["server-db", "role", "sla"]
)
def test_odcs_routes_are_scanned(tmp_path: Path, where: str, line: int):
    """roles[].access, servers[].database and slaProperties values go through the same scanner."""
    values = {"database": "sales", "access": "read", "sla": "4d"}
    values[where] = json.dumps(MORE_SHAPES["libpq-keywords"])
    code, diagnostics = _lint(tmp_path, "c.odcs.yaml", ODCS_ROUTES.format(**values))
    assert _errors_on(diagnostics, line), f"not reported (exit {code}): {diagnostics}"
