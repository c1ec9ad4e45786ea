"""Reproductions: everything inside the output folder is untrusted input.

`generated/` is committed and reviewed like any other folder, so a pull request can change the
manifest, plant a transaction journal, or replace a folder or file by a symlink. A build (or a
`build --check` in CI) must never then delete, write or print anything outside the output folder,
and a damaged file there is a located error, not a traceback.

Every "outside" file below lives in the test's tmp_path, beside (not inside) the output folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

MANIFEST = ".contractgen-manifest.json"  # contractgen/write.py: MANIFEST
TXN = ".contractgen-txn"  # contractgen/write.py: TXN, with JOURNAL = "journal.json"
OUTSIDE_TEXT = "OUTSIDE-SECRET-7f3a91c2 do not print or delete me\n"

CONTRACT = """\
data_source: untrusted_pkg
version: 1.0.0
schema:
  id:
    type: int64
    primary_key: true
  name: string
"""


def _project(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A work folder with contracts/, a built generated/, and outside.txt beside them."""
    work = tmp_path / "work"
    contracts = work / "contracts"
    contracts.mkdir(parents=True)
    (contracts / "untrusted_pkg.yaml").write_text(CONTRACT)
    out = work / "generated"
    done = run_cli("build", contracts, "--out", out, cwd=work)
    assert done.returncode == 0, done.stderr
    outside = tmp_path / "outside.txt"
    outside.write_text(OUTSIDE_TEXT)
    return work, out, outside


def _edit_manifest(out: Path, how: str, outside: Path) -> None:
    manifest = json.loads((out / MANIFEST).read_text())
    packages = manifest["packages"]
    fake = {"files": {"outside.txt": "0" * 64}, "source": "contracts/gone.yaml", "hash": "0"}
    if how == "relative-in-package":
        packages["untrusted_pkg"]["files"]["../../../outside.txt"] = "0" * 64  # generated/pkg/../../../
    elif how == "dotdot-package":
        packages[os.path.relpath(outside.parent, out)] = fake  # "../.."
    else:
        packages[str(outside.parent)] = fake  # an absolute path
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr, done.stderr[-2000:]


MANIFEST_EDITS = ["relative-in-package", "dotdot-package", "absolute-package"]


@pytest.mark.parametrize("how", MANIFEST_EDITS)
def test_manifest_path_outside_is_not_deleted_by_build(tmp_path: Path, how: str):
    """A manifest entry pointing outside the output folder never makes `build` delete that file."""
    work, out, outside = _project(tmp_path)
    _edit_manifest(out, how, outside)
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    assert outside.exists(), f"build deleted a file outside the output folder:\n{done.stdout}"
    assert outside.read_text() == OUTSIDE_TEXT
    _no_traceback(done)
    assert done.returncode != 0, "a manifest naming files outside the output folder is accepted"
    assert MANIFEST in done.stderr, done.stderr


@pytest.mark.parametrize("how", MANIFEST_EDITS)
def test_manifest_path_outside_is_not_printed_by_check(tmp_path: Path, how: str):
    """A manifest entry pointing outside never makes `build --check` print that file's content."""
    work, out, outside = _project(tmp_path)
    _edit_manifest(out, how, outside)
    done = run_cli("build", "contracts", "--out", "generated", "--check", cwd=work)
    assert "OUTSIDE-SECRET-7f3a91c2" not in done.stdout + done.stderr
    assert outside.read_text() == OUTSIDE_TEXT
    _no_traceback(done)
    assert done.returncode != 0
    assert MANIFEST in done.stderr, done.stderr


def _plant_journal(out: Path, journal: dict[str, list[object]], staged: dict[str, str]) -> None:
    txn = out / TXN
    txn.mkdir()
    for name, text in staged.items():
        (txn / name).write_text(text)
    (txn / "journal.json").write_text(json.dumps(journal))


def _force_write(work: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """Make the next build write (a generated file is missing), so it takes the lock and recovers."""
    (out / "untrusted_pkg" / "CHANGELOG.md").unlink()
    return run_cli("build", "contracts", "--out", "generated", cwd=work)


def test_planted_journal_cannot_move_a_file_outside(tmp_path: Path):
    """A planted journal cannot make the next build write a git hook beside the output folder."""
    work, out, _ = _project(tmp_path)
    hooks = work / ".git" / "hooks"
    hooks.mkdir(parents=True)
    _plant_journal(
        out,
        {"moves": [["00000", "../.git/hooks/pre-commit"]], "remove": []},
        {"00000": "#!/bin/sh\ntouch PWNED\n"},
    )
    done = _force_write(work, out)
    assert not (hooks / "pre-commit").exists(), "the build wrote a git hook outside the output folder"
    _no_traceback(done)


def test_planted_journal_cannot_remove_a_file_outside(tmp_path: Path):
    """A planted journal's `remove` list cannot make the next build delete a file outside."""
    work, out, outside = _project(tmp_path)
    _plant_journal(out, {"moves": [], "remove": ["../../outside.txt"]}, {})
    done = _force_write(work, out)
    assert outside.exists(), "the build deleted a file outside the output folder"
    _no_traceback(done)


def test_planted_journal_cannot_pull_a_file_in_from_outside(tmp_path: Path):
    """A planted journal cannot move an outside file into the output folder (removing it there)."""
    work, out, outside = _project(tmp_path)
    _plant_journal(out, {"moves": [["../../../outside.txt", "untrusted_pkg/leak.txt"]], "remove": []}, {})
    done = _force_write(work, out)
    assert outside.exists(), "the build moved a file from outside the output folder into it"
    assert not (out / "untrusted_pkg" / "leak.txt").exists()
    _no_traceback(done)


def test_symlinked_package_folder_is_not_written_through(tmp_path: Path):
    """A package folder replaced by a symlink to an outside folder: nothing outside is written."""
    work, out, _ = _project(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "pyproject.toml").write_text(OUTSIDE_TEXT)
    package = out / "untrusted_pkg"
    shutil.rmtree(package)
    package.symlink_to(victim, target_is_directory=True)
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    assert sorted(p.name for p in victim.iterdir()) == ["pyproject.toml"], (
        f"the build wrote through the symlink into {victim}: {sorted(os.listdir(victim))}"
    )
    assert (victim / "pyproject.toml").read_text() == OUTSIDE_TEXT
    _no_traceback(done)


def test_symlinked_generated_file_is_not_printed_by_check(tmp_path: Path):
    """A generated file replaced by a symlink to an outside secret: `--check` does not print it."""
    work, out, outside = _project(tmp_path)
    models = out / "untrusted_pkg" / "untrusted_pkg" / "models.py"
    models.unlink()
    models.symlink_to(outside)
    done = run_cli("build", "contracts", "--out", "generated", "--check", cwd=work)
    assert "OUTSIDE-SECRET-7f3a91c2" not in done.stdout + done.stderr
    _no_traceback(done)
    assert done.returncode != 0


DAMAGE = {
    "truncated": '{"data_source": "untrusted_pkg", "version": ',
    "conflict-markers": '<<<<<<< HEAD\n{"a": 1}\n=======\n{"a": 2}\n>>>>>>> feature\n',
    "wrong-shape": "[]\n",
}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("name", ["contract.json", "changelog.json"])
def test_damaged_package_record_is_a_located_error(tmp_path: Path, name: str, damage: str):
    """A corrupt or conflicted contract.json / changelog.json: a located error, not a traceback."""
    work, out, _ = _project(tmp_path)
    (out / "untrusted_pkg" / name).write_text(DAMAGE[damage])
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    _no_traceback(done)
    assert done.returncode != 0
    assert f"untrusted_pkg/{name}" in done.stderr and "error" in done.stderr, done.stderr


@pytest.mark.parametrize(
    "manifest",
    [
        {"packages": {"untrusted_pkg": {"files": ["untrusted_pkg/models.py"]}}},
        {"packages": {"untrusted_pkg": "files"}},
    ],
    ids=["files-is-a-list", "entry-is-text"],
)
def test_malformed_manifest_is_a_clear_error(tmp_path: Path, manifest: dict[str, object]):
    """A manifest that is JSON but of the wrong shape: a clear error naming it, not a traceback."""
    work, out, _ = _project(tmp_path)
    (out / MANIFEST).write_text(json.dumps(manifest))
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    _no_traceback(done)
    assert done.returncode != 0
    assert MANIFEST in done.stderr, done.stderr
