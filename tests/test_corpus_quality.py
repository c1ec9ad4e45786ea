"""Reproductions: generated code that does not pass ruff (lint and format), as the README promises.

Builds every ODCS v3 file of the public corpus (read in place, skipped when the corpus is absent)
and a few synthetic contracts, and runs the venv's ruff with each package's own settings, as
tests/test_code_quality.py does for the committed packages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractgen.build import build
from contractgen.codegen.literal import py_float
from tests.conftest import CORPUS

FOLDERS = ("odcs", "datacontract-cli")
_ODCS = re.compile(r"(?m)^apiVersion:\s*['\"]?v3")


def _odcs_files() -> list[Path]:
    found = []
    for folder in FOLDERS:
        root = CORPUS / folder
        if root.is_dir():
            found += [
                p
                for p in sorted(root.rglob("*"))
                if p.suffix in (".yaml", ".yml") and p.is_file() and _ODCS.search(p.read_text("utf-8"))
            ]
    return found


FILES = _odcs_files()


def _ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def _problems(out: Path) -> list[str]:
    """Every ruff complaint about the packages built into `out`."""
    problems = []
    for package in sorted(p.parent for p in out.glob("*/pyproject.toml")):
        lint = _ruff("check", "--output-format", "concise", cwd=package)
        if lint.returncode:
            problems += [f"{package.name}: {line}" for line in lint.stdout.splitlines() if ": " in line]
        fmt = _ruff("format", "--check", cwd=package)
        if fmt.returncode:
            problems += [
                f"{package.name}: format: {line}" for line in fmt.stdout.splitlines() if "would" in line
            ]
    return problems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_contract_generates_ruff_clean_code(corpus, tmp_path, path):
    """Each ODCS contract of the corpus builds into packages that pass ruff check and ruff format."""
    src = tmp_path / "contracts"
    src.mkdir()
    (src / path.name).write_bytes(path.read_bytes())
    result = build(src, tmp_path / "generated")
    if not result.ok:
        pytest.skip(f"{path.name} does not build (invalid on purpose: a lint fixture)")
    problems = _problems(tmp_path / "generated")
    assert not problems, "\n".join(problems[:20])


def test_corpus_is_present_for_the_quality_sweep(corpus):
    """The sweep above found ODCS files to build (a guard against an empty parametrization)."""
    assert FILES, f"no ODCS v3 files under {CORPUS}/{{{','.join(FOLDERS)}}}"


SYNTHETIC = {
    "typographic-description": """
        data_source: ruff_typo
        version: 1.0.0
        description: "It’s the customer’s “main” table – one row per customer"
        schema:
          code:
            type: string
            description: "Customer’s code – “quoted”"
          n: int32
        """,
    "enum-names-with-digits": """
        data_source: ruff_digits
        version: 1.0.0
        schema:
          level2: enum ["x", "y"]
          level10: enum ["x", "y"]
          v2x: enum ["x"]
          v10x: enum ["x"]
        """,
    "long-zoned-bounds": """
        data_source: ruff_zoned
        version: 1.0.0
        schema:
          z:
            type: timestamp (America/St_Johns)
            minimum: 2020-01-01T00:00:00-03:30
            maximum: 2021-01-01T00:00:00-03:30
          n: int32
        """,
    "no-enum-no-integer": """
        data_source: ruff_plain
        version: 1.0.0
        schema:
          d: date
          s: string
        """,
    "single-letter-source": """
        data_source: x
        version: 1.0.0
        schema:
          n: int32
        """,
    "single-letter-enum": """
        data_source: m
        version: 1.0.0
        schema:
          e: enum ["a", "b"]
          n: int32
        """,
    "list-item-constraints": """
        data_source: ruff_items
        version: 1.0.0
        schema:
          a_rather_long_list_column_name:
            type: list
            description: the items carry their own checks
            items:
              type: string
              pattern: "^[a-z]+[0-9]*-[A-Z]{2,4}$"
              min_length: 2
              max_length: 20
              required: true
          li:
            type: list
            items: {type: int32, minimum: 0, maximum: 100}
        """,
    "exponent-bounds": """
        data_source: ruff_exponent
        version: 1.0.0
        schema:
          f:
            type: float64
            minimum: -1e39
            maximum: 1e20
          g:
            type: float64
            maximum: 1.5e-07
        """,
}


@pytest.mark.parametrize("case", list(SYNTHETIC), ids=list(SYNTHETIC))
def test_synthetic_contract_generates_ruff_clean_code(tmp_path, case):
    """Typographic quotes (RUF001/RUF002), names with digits (I001/RUF022), long zoned bounds
    (format) and no enum or integer alias (F401, unused `typing`) each give ruff-clean code."""
    src = tmp_path / "contracts"
    src.mkdir()
    text = SYNTHETIC[case]
    name = text.split("data_source:", 1)[1].split()[0]
    (src / f"{name}.yaml").write_text("\n".join(line[8:] for line in text.splitlines()).strip() + "\n")
    result = build(src, tmp_path / "generated")
    assert result.ok, [d.render() for d in result.diagnostics]
    problems = _problems(tmp_path / "generated")
    assert not problems, "\n".join(problems[:20])


@settings(max_examples=1, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=200, max_size=200))
def test_float_literals_are_ruff_format_stable(tmp_path_factory, values):
    """Every float literal is already in ruff format's canonical form (`1e20`, not `1e+20`): one file
    of many random floats, one ruff run."""
    folder = tmp_path_factory.mktemp("floats")
    extremes = [1e20, 1e39, -1e-300, 1.5e-07, 5e-324, 1.7976931348623157e308, 0.1, -0.0, 123456789012345680.0]
    text = "".join(f"v{i} = {py_float(v)}\n" for i, v in enumerate([*extremes, *values]))
    (folder / "floats.py").write_text(text)
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--check", "--no-cache", "floats.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_corpus_packages_pass_mypy_strict_and_import(corpus, tmp_path):
    """Every package the corpus builds passes `mypy --strict` and imports. Packages are checked in
    batches of distinct names (the corpus has several versions of one table), one mypy run each."""
    batches: list[dict[str, Path]] = []
    for i, path in enumerate(FILES):
        src = tmp_path / f"contracts_{i}"
        src.mkdir()
        (src / path.name).write_bytes(path.read_bytes())
        out = tmp_path / f"generated_{i}"
        if not build(src, out).ok:
            continue  # invalid on purpose: a lint fixture
        for project in sorted(p.parent for p in out.glob("*/pyproject.toml")):
            batch = next((b for b in batches if project.name not in b), None)
            if batch is None:
                batch = {}
                batches.append(batch)
            batch[project.name] = project
    assert batches
    for batch in batches:
        roots = [str(project) for project in batch.values()]
        packages = [str(project / name) for name, project in batch.items()]
        env = {**os.environ, "MYPYPATH": os.pathsep.join(roots)}
        typed = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--cache-dir=/dev/null",
                *packages,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        assert typed.returncode == 0, typed.stdout[-3000:]
        code = f"import sys; sys.path[:0] = {roots!r}; " + "; ".join(f"import {name}" for name in batch)
        imported = subprocess.run(
            [sys.executable, "-W", "error", "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert imported.returncode == 0, imported.stderr[-3000:]
