"""The package's own code keeps the style CONTRIBUTING.md asks for: ruff (with PL) and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_check_passes() -> None:
    """Lint rules, complexity included, hold everywhere; exceptions are marked in place."""
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    """Every Python file, and the Python in the Markdown docs, is formatted."""
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes() -> None:
    """The package type-checks under --strict, from scratch (no cache to hide an error)."""
    result = run(str(BIN / "mypy"), "--cache-dir=/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr
