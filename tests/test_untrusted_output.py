"""Reproductions: everything inside the output folder is untrusted input.

`generated/` is committed and reviewed like any other folder, so a pull request can change the
manifest, plant a transaction journal, or replace a folder or file by a symlink. A build (or a
`build --check` in CI) must never then delete, write or print anything outside the output folder,
and a damaged file there is a located error, not a traceback.

Every "outside" file below lives in the test's tmp_path, beside (not inside) the output folder.
"""

from __future__ import annotations

import hashlib
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


# Further paths through the same boundary.


def test_symlinked_transaction_folder_is_refused(tmp_path: Path):
    """`.contractgen-txn` as a link to an outside folder holding a journal: nothing is applied or removed."""
    work, out, outside = _project(tmp_path)
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "00000").write_text("planted\n")
    (planted / "journal.json").write_text(
        json.dumps({"moves": [["00000", "untrusted_pkg/CHANGELOG.md"]], "remove": []})
    )
    (out / TXN).symlink_to(planted, target_is_directory=True)
    done = _force_write(work, out)
    _no_traceback(done)
    assert done.returncode == 3
    assert f"{TXN}: error: is a symbolic link" in done.stderr, done.stderr
    assert sorted(p.name for p in planted.iterdir()) == ["00000", "journal.json"]
    assert outside.read_text() == OUTSIDE_TEXT


def test_symlinked_lock_creates_nothing_outside(tmp_path: Path):
    """`.contractgen.lock` as a link to a missing outside file: the build does not create it."""
    work, out, _ = _project(tmp_path)
    target = work / ".git" / "hooks" / "pre-commit"
    target.parent.mkdir(parents=True)
    (out / ".contractgen.lock").unlink()
    (out / ".contractgen.lock").symlink_to(target)
    done = _force_write(work, out)
    _no_traceback(done)
    assert done.returncode == 3
    assert ".contractgen.lock: error: is a symbolic link" in done.stderr, done.stderr
    assert not target.exists()


def test_symlinked_manifest_is_refused(tmp_path: Path):
    """The manifest as a link to an outside file: refused, never read through."""
    work, out, _ = _project(tmp_path)
    copy = tmp_path / "manifest.json"
    copy.write_text((out / MANIFEST).read_text())
    (out / MANIFEST).unlink()
    (out / MANIFEST).symlink_to(copy)
    done = run_cli("build", "contracts", "--out", "generated", "--check", cwd=work)
    _no_traceback(done)
    assert done.returncode == 3
    assert f"{MANIFEST}: error: is a symbolic link" in done.stderr, done.stderr


@pytest.mark.parametrize("key", ["untrusted_pkg/..", "a/../untrusted_pkg", ".", ""])
def test_manifest_package_key_that_is_not_a_folder_name(tmp_path: Path, key: str):
    """A package key must be one folder name: `..` inside it, `.` or nothing is refused."""
    work, out, _ = _project(tmp_path)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["packages"][key] = {"files": {"x.txt": "0" * 64}}
    (out / MANIFEST).write_text(json.dumps(manifest))
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    _no_traceback(done)
    assert done.returncode == 3
    assert f"{MANIFEST}: error: the manifest names the package folder {key!r}" in done.stderr, done.stderr


def test_manifest_naming_a_folder_as_a_file(tmp_path: Path):
    """A manifest listing a folder as one of a removed package's files: the folder is left alone."""
    work, out, _ = _project(tmp_path)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["packages"]["gone"] = {"files": {"untrusted_pkg": "0" * 64}, "source": "contracts/gone.yaml"}
    (out / MANIFEST).write_text(json.dumps(manifest))
    (out / "gone" / "untrusted_pkg").mkdir(parents=True)
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    _no_traceback(done)
    assert done.returncode == 3
    assert "gone/untrusted_pkg: error: is not a regular file" in done.stderr, done.stderr
    assert (out / "gone" / "untrusted_pkg").is_dir()


def test_hard_linked_generated_file_is_neither_printed_nor_written(tmp_path: Path):
    """A generated file hard-linked to an outside secret is not ours: `--check` and build refuse it."""
    work, out, outside = _project(tmp_path)
    models = out / "untrusted_pkg" / "untrusted_pkg" / "models.py"
    models.unlink()
    os.link(outside, models)
    for extra in (["--check"], []):
        done = run_cli("build", "contracts", "--out", "generated", *extra, cwd=work)
        _no_traceback(done)
        assert done.returncode == 3
        assert "OUTSIDE-SECRET-7f3a91c2" not in done.stdout + done.stderr
        assert "models.py: error: is not the file contractgen wrote" in done.stderr, done.stderr
    assert outside.read_text() == OUTSIDE_TEXT


def test_edited_generated_file_is_not_removed_with_its_contract(tmp_path: Path):
    """A generated file edited by hand is kept when its contract goes away, with the reason."""
    work, out, _ = _project(tmp_path)
    models = out / "untrusted_pkg" / "untrusted_pkg" / "models.py"
    models.write_text(models.read_text() + "# my own change\n")
    (work / "contracts" / "untrusted_pkg.yaml").unlink()
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    _no_traceback(done)
    assert done.returncode == 3
    assert "models.py: error: is not the file contractgen wrote" in done.stderr, done.stderr
    assert models.read_text().endswith("# my own change\n")
    assert (out / "untrusted_pkg" / "pyproject.toml").exists(), "a partial removal happened"


def test_planted_journal_cannot_remove_or_replace_user_files_inside(tmp_path: Path):
    """Inside the folder too, a planted journal touches only files whose content we recorded."""
    work, out, _ = _project(tmp_path)
    notes = out / "untrusted_pkg" / "NOTES.md"
    notes.write_text("mine\n")
    for journal, staged, message in (
        (
            {"moves": [], "remove": [["untrusted_pkg/NOTES.md", "0" * 64]]},
            {},
            "NOTES.md: error: is not the file contractgen wrote (its content does not match the digest "
            "in the transaction journal)",
        ),
        (
            {"moves": [["00000", "untrusted_pkg/NOTES.md"]], "remove": []},
            {"00000": "planted\n"},
            "journal.json: error: the transaction journal would replace generated/untrusted_pkg/NOTES.md, "
            "which contractgen did not write; it was not applied",
        ),
    ):
        _plant_journal(out, journal, staged)
        done = _force_write(work, out)
        _no_traceback(done)
        assert done.returncode == 3
        assert message in done.stderr, done.stderr
        assert notes.read_text() == "mine\n"
        shutil.rmtree(out / TXN)
        run_cli("build", "contracts", "--out", "generated", cwd=work)


def test_interrupted_removal_is_rolled_forward(tmp_path: Path):
    """A journal we wrote, with a removal pending, is finished by the next build."""
    work, out, _ = _project(tmp_path)
    manifest = json.loads((out / MANIFEST).read_text())
    digest = manifest["packages"]["untrusted_pkg"]["files"]["CHANGELOG.md"]
    _plant_journal(out, {"moves": [], "remove": [["untrusted_pkg/CHANGELOG.md", digest]]}, {})
    (out / "untrusted_pkg" / "pyproject.toml").unlink()  # make the next build take the lock
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    assert done.returncode == 0, done.stderr
    assert not (out / TXN).exists()
    assert "added generated/untrusted_pkg/CHANGELOG.md" in done.stdout, "recovery did not remove it"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("contract.json", '{"data_source": "x", "version": 1, "fields": []}', "'data_source' and 'version'"),
        (
            "contract.json",
            '{"data_source": "x", "version": "1.0.0", "fields": [{"name": "id", "type": "int"}]}',
            "a value has the wrong shape",
        ),
        ("changelog.json", '{"contract": "x", "removed_fields": [], "versions": [{}]}', "lacks the key"),
        ("changelog.json", b'{"contract": "\xe9"}', "is not UTF-8"),
    ],
)
def test_damaged_record_inside_is_a_located_error(tmp_path: Path, name: str, text: str | bytes, message: str):
    """Wrong shapes deeper inside contract.json / changelog.json: a located error, not a traceback."""
    work, out, _ = _project(tmp_path)
    record = out / "untrusted_pkg" / name
    if isinstance(text, bytes):
        record.write_bytes(text)
    else:
        record.write_text(text)
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    _no_traceback(done)
    assert done.returncode == 3
    assert f"untrusted_pkg/{name}: error: " in done.stderr and message in done.stderr, done.stderr


FORGED = "p\n::error file=x.py,line=1::FORGED"


def test_forged_workflow_command_in_a_package_folder_name_is_not_printed(tmp_path: Path):
    """A package folder and manifest entry named with a newline and `::error` print as one line."""
    work, out, _ = _project(tmp_path)
    package = out / FORGED
    package.mkdir()
    (package / "models.py").write_text("x = 1\n::error file=y.py,line=1::FORGED TOO\n")
    manifest = json.loads((out / MANIFEST).read_text())
    digest = hashlib.sha256((package / "models.py").read_bytes()).hexdigest()
    manifest["packages"][FORGED] = {
        "files": {"models.py": digest},
        "source": "contracts/gone.yaml",
        "hash": "0",
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    for extra in (["--check"], []):
        done = run_cli("build", "contracts", "--out", "generated", *extra, cwd=work)
        _no_traceback(done)
        lines = (done.stdout + done.stderr).splitlines()
        assert not [line for line in lines if line.startswith("::")], done.stdout + done.stderr
        assert "p\\n::error" in done.stdout + done.stderr


def test_forged_workflow_command_in_a_write_error_is_one_line(tmp_path: Path):
    """A WriteError naming a path from the manifest is printed on one line."""
    work, out, _ = _project(tmp_path)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["packages"]["untrusted_pkg"]["files"]["x\n::error::FORGED/../../y"] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    done = run_cli("build", "contracts", "--out", "generated", cwd=work)
    assert done.returncode == 3, done.stderr
    assert not [line for line in done.stderr.splitlines() if line.startswith("::")], done.stderr


@pytest.mark.parametrize("where", ["out", "parent"])
def test_symlinked_output_folder_is_refused(tmp_path: Path, where: str):
    """`--out g2` where g2 (or a folder on the way to it) is a link: nothing is written there."""
    work = tmp_path / "work"
    contracts = work / "contracts"
    contracts.mkdir(parents=True)
    (contracts / "untrusted_pkg.yaml").write_text(CONTRACT)
    victim = tmp_path / "outside"
    victim.mkdir()
    if where == "out":
        (work / "g2").symlink_to(victim, target_is_directory=True)
        target, shown = "g2", "g2"
    else:
        (work / "up").symlink_to(victim, target_is_directory=True)
        target, shown = "up/g2", "up"
    done = run_cli("build", "contracts", "--out", target, cwd=work)
    assert done.returncode == 3, done.stdout + done.stderr
    assert os.listdir(victim) == []
    assert done.stderr.startswith(f"{shown}: error: is a symbolic link, and contractgen writes only"), (
        done.stderr
    )
    assert "give --out a real folder" in done.stderr


def test_link_above_the_working_directory_is_allowed(tmp_path: Path):
    """A link above the working directory (like /tmp on some systems) is the machine's: allowed."""
    real = tmp_path / "real"
    (real / "contracts").mkdir(parents=True)
    (real / "contracts" / "untrusted_pkg.yaml").write_text(CONTRACT)
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    done = run_cli("build", "contracts", "--out", "generated", cwd=tmp_path / "alias")
    assert done.returncode == 0, done.stderr
    assert (real / "generated" / "untrusted_pkg").is_dir()
