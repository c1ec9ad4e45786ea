"""Reproductions: contract text that reaches generated code outside the one escaping path.

Each hostile input would, if it became code, create a sentinel file in the folder the generated
package is imported from. A build may refuse the input with a located error instead; what it may
not do is write a package whose import runs the text, or a pyproject.toml that is not TOML or
that says something other than what the contract wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import run_cli

SENTINEL = "PWNED_SENTINEL"
HOSTILE_CODE = f"open({SENTINEL!r}, 'w')"  # no slash: it is also a valid file name
LOCATED_ERROR = re.compile(r"^.+:\d+:\d+: error: .+", re.M)

ODCS = """\
apiVersion: v3.0.2
kind: DataContract
id: 53581432-6c55-4ba2-a65f-72344a91553b
status: active
name: hostile
version: {version}
schema:
  - name: {table}
    properties:
      - name: amount
        logicalType: integer
"""

NATIVE = """\
data_source: {name}
version: {version}
schema:
  amount: int64
"""


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar holding exactly `text` (YAML accepts JSON strings)."""
    import json

    return json.dumps(text)


def _import(package_dir: Path, module: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Import a generated package in a fresh interpreter whose working folder is `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(package_dir)}
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _refused_or_safe(
    done: subprocess.CompletedProcess[str], out: Path, package: str, tmp_path: Path
) -> dict[str, object] | None:
    """None if the build refused with a located error; else the generated pyproject, after
    proving that importing the package runs nothing."""
    if done.returncode != 0:
        assert "Traceback" not in done.stderr, done.stderr
        assert LOCATED_ERROR.search(done.stderr), done.stderr
        return None
    run = tmp_path / "run"
    run.mkdir()
    imported = _import(out / package, package, run)
    assert not (run / SENTINEL).exists(), "importing the generated package ran contract text as code"
    assert imported.returncode == 0, imported.stderr
    text = (out / package / "pyproject.toml").read_text("utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        pytest.fail(f"generated pyproject.toml is not TOML ({exc}):\n{text}")


@pytest.mark.parametrize(
    "version",
    [
        f'1.0.0"""\n{HOSTILE_CODE}\n"""',
        f"1.0.0\n{HOSTILE_CODE}\n#",
    ],
    ids=["docstring-breakout", "newline"],
)
def test_odcs_version_never_becomes_code(tmp_path: Path, version: str):
    """An ODCS version that only starts like semver is refused, or stays text in code and TOML."""
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "hostile.odcs.yaml").write_text(ODCS.format(version=_yaml_str(version), table="tbl"))
    out = tmp_path / "generated"
    done = run_cli("build", contracts, "--out", out, cwd=tmp_path)
    pyproject = _refused_or_safe(done, out, "tbl", tmp_path)
    if pyproject is not None:
        assert pyproject["project"]["version"] == version  # type: ignore[index]


def test_odcs_version_cannot_inject_toml_tables(tmp_path: Path):
    """An ODCS version cannot add a build hook (code run at pip install) to pyproject.toml."""
    version = '1.0.0"\n[tool.hatch.build.hooks.custom]\npath = "evil_hook.py"\n#'
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "hostile.odcs.yaml").write_text(ODCS.format(version=_yaml_str(version), table="tbl"))
    out = tmp_path / "generated"
    done = run_cli("build", contracts, "--out", out, cwd=tmp_path)
    pyproject = _refused_or_safe(done, out, "tbl", tmp_path)
    if pyproject is not None:
        hatch = pyproject.get("tool", {}).get("hatch", {})  # type: ignore[union-attr]
        assert "hooks" not in hatch.get("build", {}), "contract text added a hatch build hook"
        assert pyproject["project"]["version"] == version  # type: ignore[index]


def test_native_version_with_trailing_newline(tmp_path: Path):
    """A native version "1.0.0\\n" (semver regex anchored with $) is refused or stays valid TOML."""
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "x.yaml").write_text(NATIVE.format(name="nl_version", version=_yaml_str("1.0.0\n")))
    out = tmp_path / "generated"
    done = run_cli("build", contracts, "--out", out, cwd=tmp_path)
    pyproject = _refused_or_safe(done, out, "nl_version", tmp_path)
    if pyproject is not None:
        assert pyproject["project"]["version"] == "1.0.0\n"  # type: ignore[index]


@pytest.mark.parametrize("where", ["file", "folder"])
def test_contract_path_with_newline_never_becomes_code(tmp_path: Path, where: str):
    """A contract file (or sub-folder) name with newlines, as git allows, stays a comment."""
    hostile = f"x\n{HOSTILE_CODE}\n#"
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    if where == "file":
        path = contracts / f"{hostile}.yaml"
    else:
        (contracts / hostile).mkdir()
        path = contracts / hostile / "x.yaml"
    path.write_text(NATIVE.format(name="nl_path", version="1.0.0"))
    out = tmp_path / "generated"
    done = run_cli("build", contracts, "--out", out, cwd=tmp_path)
    pyproject = _refused_or_safe(done, out, "nl_path", tmp_path)
    if pyproject is not None:
        for py in (out / "nl_path" / "nl_path").glob("*.py"):
            first = py.read_text("utf-8").splitlines()[0]
            assert first.startswith("# Code generated by contractgen") and first.endswith("DO NOT EDIT."), (
                f"{py.name}: the header comment was split over several lines"
            )
