"""The public corpus, built: docs/corpus.md is current, every built package passes ruff,
mypy --strict and imports, and the schema-evolution data loads through generated readers from
both standards (skipped when the corpus is absent)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from contractgen.build import build
from contractgen.export import export_text
from contractgen.load import load_all
from tests.conftest import ROOT

EVOLUTION = "datacontract-cli/schema-evolution"


def _script():
    spec = importlib.util.spec_from_file_location("corpus_page", ROOT / "docs" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_corpus_page_is_current(corpus):
    page = _script().page(corpus)
    assert (ROOT / "docs" / "corpus.md").read_text() == page, (
        "run: .venv/bin/python docs/corpus.py > docs/corpus.md"
    )


def test_every_built_corpus_package_is_clean_and_imports(corpus, tmp_path):
    """Each file built alone under its own package prefix, so that equal table names do not clash."""
    roots: list[Path] = []
    names: list[str] = []
    for number, (path, _) in enumerate(_script().standard_files(corpus)):
        folder = tmp_path / f"f{number}"
        (folder / "contracts").mkdir(parents=True)
        (folder / "contracts" / path.name).write_bytes(path.read_bytes())
        result = build(folder / "contracts", folder / "generated", prefix=f"c{number}_")
        errors = [d for d in result.diagnostics if d.severity == "error"]
        assert result.packages or errors or not load_all(path.read_bytes(), path.name)[0], path.name
        for package in result.packages:
            roots.append(folder / "generated" / package)
            names.append(package)
    assert len(names) >= 90  # AdventureWorks alone has 68 tables
    # Each package's own pyproject.toml is its ruff configuration (ruff finds the nearest one).
    lint = run("-m", "ruff", "check", "--no-cache", *roots, cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = run("-m", "ruff", "format", "--check", "--no-cache", *roots, cwd=tmp_path)
    assert fmt.returncode == 0, fmt.stdout[-3000:]
    sources = [root / name for root, name in zip(roots, names, strict=True)]
    typed = run("-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", *sources, cwd=tmp_path)
    assert typed.returncode == 0, typed.stdout[-3000:]
    code = "import importlib, sys\nsys.path[:0] = sys.argv[1].split('\\n')\nfor n in sys.argv[2:]: importlib.import_module(n)\n"
    imported = run("-c", code, "\n".join(map(str, roots)), *names, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr[-3000:]


@pytest.mark.parametrize("target", ["odcs", "dcs"])
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_schema_evolution_data_through_generated_readers(corpus, tmp_path, target, suffix):
    """The cities v2 contract, as ODCS and exported to DCS, built and read back: data files load,
    the invalid one fails with exactly the planted violation."""
    source = corpus / EVOLUTION / "odcs-datacontract-cities-version-2.yaml"
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    if target == "odcs":
        (contracts / "cities.odcs.yaml").write_bytes(source.read_bytes())
    else:
        text, _ = export_text("dcs", load_all(source.read_bytes(), source.name)[0])
        (contracts / "cities.dcs.yaml").write_text(text)
    result = build(contracts, tmp_path / "generated", prefix=f"{target}_{suffix}_")
    assert result.ok, [d.render() for d in result.diagnostics]
    folder = corpus / EVOLUTION
    code = f"""
import sys
sys.path.insert(0, {str(tmp_path / "generated" / f"{target}_{suffix}_cities")!r})
import {target}_{suffix}_cities as cities
frame = cities.read_{suffix}({str(folder / f"cities-version-2.{suffix}")!r})
print(frame.height, frame.schema["population"])
old = cities.read_{suffix}({str(folder / f"cities-version-1.{suffix}")!r})
print(old.height, old["population"].null_count())
try:
    cities.read_{suffix}({str(folder / "invalid" / f"cities-version-2-invalid.{suffix}")!r})
except cities.ContractViolationError as exc:
    print([v.kind for v in exc.violations], "9000" in exc.violations[0].render())
"""
    done = run("-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("Int64")
    rows = int(lines[1].split()[0])
    assert lines[1] == f"{rows} {rows}"  # old files load; the added optional column is null
    assert lines[2] == "['minimum'] True"
