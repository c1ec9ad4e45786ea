"""The write stage: only our own files, atomic commits, recovery, one build at a time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contractgen.build import build
from contractgen.codegen import write
from tests.conftest import CONTRACTS, ROOT


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    assert build(tmp_path / "contracts", tmp_path / "generated").ok
    return tmp_path


def test_removed_contract_removes_only_our_files(project):
    notes = project / "generated" / "support_tickets" / "NOTES.md"
    notes.write_text("kept\n")
    (project / "contracts" / "support_tickets.yaml").unlink()
    result = build(project / "contracts", project / "generated")
    assert "support_tickets/support_tickets/models.py" in result.changes.removed
    assert notes.read_text() == "kept\n"
    assert not (project / "generated" / "support_tickets" / "support_tickets").exists()
    manifest = json.loads((project / "generated" / write.MANIFEST).read_text())
    assert sorted(manifest["packages"]) == ["billing_payments", "customer_master", "usage_activity"]


def test_interrupted_build_is_rolled_forward(project):
    out = project / "generated"
    target = out / "customer_master" / "CHANGELOG.md"
    txn = out / write.TXN
    txn.mkdir()
    (txn / "00000").write_text("new changelog\n")
    (txn / write.JOURNAL).write_text(
        json.dumps({"moves": [["00000", "customer_master/CHANGELOG.md"]], "remove": []})
    )
    with write.locked(out):
        pass
    assert target.read_text() == "new changelog\n"
    assert not txn.exists()


def test_build_interrupted_before_its_commit_point_is_discarded(project):
    out = project / "generated"
    before = files(out)
    txn = out / write.TXN
    txn.mkdir()
    (txn / "00000").write_text("half-written")
    with write.locked(out):
        pass
    assert not txn.exists()
    assert files(out) == before


def test_second_build_waits_for_no_one(project):
    out = project / "generated"
    contract = project / "contracts" / "support_tickets.yaml"
    contract.write_text(contract.read_text().replace("version: 1.2.0", "version: 1.2.1"))
    with write.locked(out), pytest.raises(write.WriteError, match="another contractgen build is writing"):
        build(project / "contracts", out)


def test_a_build_with_nothing_to_do_reads_no_contract(project, monkeypatch):
    import contractgen.load

    def refuse(*args: object) -> None:
        raise AssertionError("a no-op build parsed a contract")

    monkeypatch.setattr(contractgen.load, "load_all", refuse)
    result = build(project / "contracts", project / "generated")
    assert result.ok and result.packages == [
        "billing_payments",
        "customer_master",
        "support_tickets",
        "usage_activity",
    ]
    assert not result.changes.any


def test_unwritable_output_leaves_the_old_one(project):
    out = project / "generated"
    contract = project / "contracts" / "support_tickets.yaml"
    contract.write_text(contract.read_text().replace("version: 1.2.0", "version: 1.2.1"))
    before = files(out)
    (out / write.TXN).write_text("a file where the staging folder should go")
    original_rmtree = shutil.rmtree
    try:
        shutil.rmtree = lambda *a, **k: None  # the stray file survives the clean-up
        with pytest.raises(write.WriteError, match="cannot write to .*; the old output is unchanged"):
            build(project / "contracts", out)
    finally:
        shutil.rmtree = original_rmtree
    (out / write.TXN).unlink()
    assert files(out) == {k: v for k, v in before.items()}


def test_output_is_identical_across_hash_seeds(tmp_path):
    trees = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "contractgen", "build", str(CONTRACTS), "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
            cwd=ROOT,
        )
        trees.append(files(out))
    assert trees[0] == trees[1] == trees[2]
    text = b"".join(trees[0].values()).decode()
    assert str(tmp_path) not in text and str(ROOT) not in text


def test_a_no_op_build_imports_no_heavy_module(project):
    """pre-commit runs build on every commit: with nothing to do it must not load the engines."""
    code = (
        "import sys\n"
        "sys.argv = ['contractgen', 'build']\n"
        "from contractgen.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('polars', 'jinja2', 'yaml', 'customer_master', 'usage_activity', 'datamodel_code_generator')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["generated is up to date (4 packages)", "[]"]
