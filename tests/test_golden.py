"""Golden trees: each case folder holds contracts in and the exact package tree out."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from contractgen.build import build

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
    result = build(GOLDEN / case / "contracts", out)
    assert result.ok, [d.render() for d in result.diagnostics]
    expected_dir = GOLDEN / case / "generated"
    if os.environ.get("CONTRACTGEN_UPDATE_GOLDEN") == "1":
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir, ignore=shutil.ignore_patterns(".contractgen.lock"))
    actual, expected = tree(out), tree(expected_dir)
    changed = sorted(k for k in actual.keys() | expected.keys() if actual.get(k) != expected.get(k))
    assert not changed, (
        f"golden tree '{case}' differs in {changed}; if the change is intended, run:\n  {UPDATE}"
    )
