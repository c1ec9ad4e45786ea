"""Golden trees: each case folder holds contracts in and the exact package tree out."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from contractgen.build import build
from contractgen.config import load_config

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "contracts").is_dir())
UPDATE = "CONTRACTGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py"


def tree(root: Path) -> dict[str, bytes]:
    """Every file, except the manifest's fingerprint of the generator's own code (which changes
    with any refactoring; `build --check` on generated/ is what watches it)."""
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".contractgen.lock"
    }
    manifest = json.loads(files.pop(".contractgen-manifest.json"))
    manifest.pop("generator", None)
    files[".contractgen-manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files


@pytest.mark.parametrize("case", CASES)
def test_generated_tree_matches_golden(case, tmp_path):
    out = tmp_path / "generated"
    config, problems = load_config(GOLDEN / case)  # a case's pyproject.toml sets its options
    assert not problems, problems
    result = build(GOLDEN / case / "contracts", out, layout=config.layout)
    assert result.ok, [d.render() for d in result.diagnostics]
    expected_dir = GOLDEN / case / "generated"
    if os.environ.get("CONTRACTGEN_UPDATE_GOLDEN") == "1":
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir, ignore=shutil.ignore_patterns(".contractgen.lock"))
        # The generator's fingerprint changes with any refactoring and is not compared: keep it out.
        manifest_file = expected_dir / ".contractgen-manifest.json"
        manifest = json.loads(manifest_file.read_text())
        manifest.pop("generator", None)
        manifest_file.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    actual, expected = tree(out), tree(expected_dir)
    changed = sorted(k for k in actual.keys() | expected.keys() if actual.get(k) != expected.get(k))
    assert not changed, (
        f"golden tree '{case}' differs in {changed}; if the change is intended, run:\n  {UPDATE}"
    )


FAILING = GOLDEN / "failing"
FAILING_CASES = sorted(p.name for p in FAILING.iterdir() if (p / "contracts").is_dir())


@pytest.mark.parametrize("case", FAILING_CASES)
def test_failing_input_gives_golden_diagnostics(case, tmp_path):
    """Each failing input folder holds contracts that must be refused with exactly `stderr.txt`."""
    from tests.conftest import run_cli

    work = tmp_path / case
    shutil.copytree(FAILING / case / "contracts", work / "contracts")
    result = run_cli("build", "contracts", "--out", "generated", cwd=work)
    expected_file = FAILING / case / "stderr.txt"
    if os.environ.get("CONTRACTGEN_UPDATE_GOLDEN") == "1":
        expected_file.write_text(result.stderr)
    assert result.returncode == 1, result.stderr
    assert not (work / "generated").exists(), "a refused build wrote output"
    assert result.stderr == expected_file.read_text(), (
        f"the diagnostics for '{case}' changed; if the change is intended, run:\n  {UPDATE}"
    )
