"""Reproductions: `--format github` workflow commands must escape what they carry.

GitHub's rules for `::level file=F,line=L,title=T::MESSAGE`: in the message, `%` → `%25`,
`\\r` → `%0D`, `\\n` → `%0A`; in property values (file, title) additionally `:` → `%3A` and
`,` → `%2C`. Unescaped, a field name or a file name can end an annotation early or forge another.

`run_cli` reads output in text mode, which turns a raw `\\r` into a line break: so "every line is a
workflow command" also proves no raw carriage return was printed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

FIELD = "legacy\rcode%x\nend"  # a removed field's name: its message carries all three
FIELD_ESCAPED = "legacy%0Dcode%25x%0Aend"

OLD = """\
data_source: annotated
version: 1.0.0
schema:
  id:
    type: int64
    primary_key: true
  "legacy\\rcode%x\\nend": string
"""
NEW = """\
data_source: annotated
version: 1.0.1
schema:
  id:
    type: int64
    primary_key: true
"""
OLD_PLAIN = OLD.replace('"legacy\\rcode%x\\nend"', "legacy")
COMMAND = re.compile(r"^::(error|warning|notice) file=(?P<file>[^,]*),line=\d+,col=\d+,title=[^:]*::")


def _files(stdout: str) -> set[str]:
    """The `file=` value of every annotation (up to the `,line=` that follows it)."""
    found = {m.group(1) for m in re.finditer(r"^::\w+ file=(.*?),line=\d+,", stdout, re.M)}
    assert found, f"no annotations with a file: {stdout!r}"
    return found


def _commands(stdout: str) -> list[re.Match[str]]:
    lines = [line for line in stdout.splitlines() if line]
    assert lines, "no annotations at all"
    stray = [line for line in lines if not COMMAND.match(line)]
    assert not stray, f"output lines that are not workflow commands (a raw \\r or \\n split one): {stray}"
    return [m for m in (COMMAND.match(line) for line in lines) if m]


def test_diff_github_escapes_carriage_return_in_message(tmp_path: Path):
    """A removed field whose name holds \\r, % and \\n: the annotation escapes all three."""
    (tmp_path / "old.yaml").write_text(OLD)
    (tmp_path / "new.yaml").write_text(NEW)
    done = run_cli("diff", "old.yaml", "new.yaml", "--format", "github", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    _commands(done.stdout)
    assert FIELD_ESCAPED in done.stdout


def test_diff_github_escapes_file_property(tmp_path: Path):
    """A contract file name with a comma and a colon is escaped in `file=` (%2C, %3A)."""
    (tmp_path / "v1,old:a.yaml").write_text(OLD_PLAIN)
    (tmp_path / "v2,new:b.yaml").write_text(NEW)
    done = run_cli("diff", "v1,old:a.yaml", "v2,new:b.yaml", "--format", "github", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert _files(done.stdout) == {"v2%2Cnew%3Ab.yaml"}, done.stdout
    _commands(done.stdout)


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize(
    ("name", "old"),
    [("orders,eu:v1.yaml", OLD_PLAIN), ("orders.yaml", OLD)],
    ids=["comma-colon-in-file-name", "cr-in-field-name"],
)
def test_breaking_github_escapes(tmp_path: Path, name: str, old: str):
    """`breaking --format github`: the file property and the message are escaped as GitHub requires."""
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    path = contracts / name
    path.write_text(old)
    _git("init", "-q", cwd=tmp_path)
    _git("add", ".", cwd=tmp_path)
    _git("commit", "-q", "-m", "v1", cwd=tmp_path)
    path.write_text(NEW)
    done = run_cli("breaking", "--against", "HEAD", "contracts", "--format", "github", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    escaped = name.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert _files(done.stdout) == {f"contracts/{escaped}"}, done.stdout
    _commands(done.stdout)
    if old is OLD:
        assert FIELD_ESCAPED in done.stdout


ODCS = """\
apiVersion: v3.0.2
kind: DataContract
id: 53581432-6c55-4ba2-a65f-72344a91553b
status: active
version: {version}
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: string
{extra}"""


def test_diff_github_odcs_version_cannot_forge_an_annotation(tmp_path: Path):
    """An ODCS version that only starts like semver is refused cleanly, never echoed as a command."""
    (tmp_path / "old.odcs.yaml").write_text(
        ODCS.format(version="1.0.0", extra="      - name: note\n        logicalType: string\n")
    )
    forged = "1.0.1\n::error file=forged.yaml,line=1::forged annotation"
    (tmp_path / "new.odcs.yaml").write_text(ODCS.format(version=f'"{forged}"'.replace("\n", "\\n"), extra=""))
    done = run_cli("diff", "old.odcs.yaml", "new.odcs.yaml", "--format", "github", cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    lines = (done.stdout + done.stderr).splitlines()
    assert not any(line.startswith("::error file=forged") for line in lines), lines


def test_markdown_report_escapes_contract_text(tmp_path: Path) -> None:
    """A field name with HTML or an image link is shown as text in `--format markdown`."""
    (tmp_path / "v1.yaml").write_text("data_source: x\nversion: 1.0.0\nschema:\n  a:\n    type: string\n")
    hostile = "<img src=x onerror=alert(1)>![t](https://e.example/t.png)"
    (tmp_path / "v2.yaml").write_text(
        f"data_source: x\nversion: 1.1.0\nschema:\n  a:\n    type: string\n  '{hostile}':\n    type: string\n"
    )
    done = run_cli("diff", "v1.yaml", "v2.yaml", "--format", "markdown", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "<img" not in done.stdout and "![" not in done.stdout and "](" not in done.stdout
    assert r"&lt;img src=x onerror=alert\(1\)&gt;\!\[t\]\(https://e.example/t.png\)" in done.stdout
