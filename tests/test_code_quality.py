"""Generated code passes ruff (lint and format) and mypy --strict, as committed and as golden."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_golden import GOLDEN

PACKAGE_DIRS = sorted(
    {p.parent for p in (ROOT / "generated").glob("*/pyproject.toml")}
    | {p.parent for p in GOLDEN.glob("*/generated/*/pyproject.toml")}
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("package", PACKAGE_DIRS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_ruff_is_clean(package):
    lint = run("ruff", "check", "--no-cache", ".", cwd=package)
    assert lint.returncode == 0, lint.stdout
    fmt = run("ruff", "format", "--check", "--no-cache", ".", cwd=package)
    assert fmt.returncode == 0, fmt.stdout


@pytest.mark.parametrize("package", PACKAGE_DIRS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_mypy_strict_is_clean(package, tmp_path):
    # A copy, so that mypy sees the package as a user's project would, not inside tests/.
    copy = shutil.copytree(package, tmp_path / package.name)
    name = next(p.name for p in copy.iterdir() if (p / "__init__.py").exists())
    result = run("mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", name, cwd=copy)
    assert result.returncode == 0, result.stdout


def test_contractgen_itself_is_typed_and_linted():
    result = run("mypy", "--cache-dir=/dev/null", cwd=ROOT)
    assert result.returncode == 0, result.stdout
    lint = run("ruff", "check", "--no-cache", "contractgen", "tests", "examples", "benchmarks", cwd=ROOT)
    assert lint.returncode == 0, lint.stdout
