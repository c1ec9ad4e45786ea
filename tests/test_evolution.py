"""Versions end to end, in a real git repository: refused bumps, renames, changelogs, `breaking`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTRACTS, run_cli
from tests.test_readers import usage_rows

GOLDEN_CHANGELOG = Path(__file__).parent / "golden" / "changelog" / "usage_activity.CHANGELOG.md"
USAGE = Path("contracts/usage_activity.yaml")
TODAY = {"CONTRACTGEN_TODAY": "2026-11-26"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "ci@example.com")
    git(tmp_path, "config", "user.name", "CI")
    assert run_cli("build", cwd=tmp_path, env=TODAY).returncode == 0
    commit(tmp_path, "usage_activity 1.5.2")
    return tmp_path


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def edit(repo: Path, *pairs: tuple[str, str]) -> None:
    path = repo / USAGE
    text = path.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)


def rename(repo: Path, version: str, renamed_from: bool) -> None:
    edit(repo, ("version: 1.5.2", f"version: {version}"))
    text = (repo / USAGE).read_text().replace("last_login_date", "last_activity_ts")
    if renamed_from:
        text = text.replace(
            "  last_activity_ts:\n", "  last_activity_ts:\n    renamed_from: last_login_date\n", 1
        )
    (repo / USAGE).write_text(text)


def test_rename_with_renamed_from_and_a_major_bump_builds(repo, tmp_path):
    rename(repo, "2.0.0", renamed_from=True)
    result = run_cli("build", cwd=repo, env=TODAY)
    assert result.returncode == 0, result.stderr
    changelog = (repo / "generated" / "usage_activity" / "CHANGELOG.md").read_text()
    assert (
        "- **BREAKING (consumers, code)** 'last_login_date' was renamed to 'last_activity_ts' (renamed_from). "
        "[FIELD_RENAMED] Migration: read 'last_activity_ts' instead of 'last_login_date'; files that still "
        "have 'last_login_date' load under the new name, with a warning.\n"
    ) in changelog
    assert "Notify: product-engineering-data@company.example (owner); churn-model" in changelog

    old_data = tmp_path / "old.parquet"
    usage_rows().write_parquet(old_data)  # still written with last_login_date
    script = (
        "import warnings, usage_activity\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        f"    frame = usage_activity.read_parquet({str(old_data)!r})\n"
        "    row = usage_activity.to_models(frame)[0]\n"
        "    print(frame.columns[2], row.last_login_date == row.last_activity_ts)\n"
        "print(sorted({type(w.message).__name__ for w in seen}))\n"
    )
    env = {"PYTHONPATH": str(repo / "generated" / "usage_activity"), **TODAY}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert run.stdout.splitlines() == [
        "last_activity_ts True",
        "['DeprecationWarning', 'RenamedColumnWarning']",
    ], run.stderr


def test_rename_without_renamed_from_and_a_minor_bump_is_refused(repo):
    rename(repo, "1.6.0", renamed_from=False)
    before = {p: p.read_bytes() for p in (repo / "generated").rglob("*") if p.is_file()}
    result = run_cli("build", cwd=repo, env=TODAY)
    assert result.returncode == 100
    lines = result.stderr.splitlines()
    assert (
        "contracts/usage_activity.yaml:25:3: error FIELD_REMOVED [consumers,code] Field 'last_login_date' was removed."
        in lines
    )
    assert (
        "contracts/usage_activity.yaml:33:3: error FIELD_ADDED_REQUIRED [producers] Required field 'last_activity_ts' "
        "(date) was added."
    ) in lines
    assert any(
        "FIELD_RENAME_SUSPECTED" in line
        and "add 'renamed_from: last_login_date' to 'last_activity_ts'" in line
        for line in lines
    )
    assert (
        "contracts/usage_activity.yaml:7:10: error: version 1.6.0 is a minor bump, but the changes since 1.5.2 "
        "need a major bump: set version to 2.0.0"
    ) in lines
    assert lines[-1] == "error: refused usage_activity; nothing was written"
    assert before == {p: p.read_bytes() for p in (repo / "generated").rglob("*") if p.is_file()}


def test_unbumped_change_is_refused_with_the_bump_it_needs(repo):
    edit(repo, ("Sessions started that day.", "Sessions started that day (UTC)."))
    result = run_cli("build", cwd=repo, env=TODAY)
    assert result.returncode == 100
    assert (
        "contracts/usage_activity.yaml:7:10: error: the contract changed but its version is still 1.5.2; the "
        "changes need a patch bump: set version to 1.5.3"
    ) in result.stderr.splitlines()


def test_removal_needs_deprecation_first(repo):
    edit(
        repo,
        ("version: 1.5.2", "version: 2.0.0"),
        ("  page_views:\n    type: int32\n    required: true\n    minimum: 0\n", ""),
    )
    result = run_cli("build", cwd=repo, env=TODAY)
    assert result.returncode == 100
    assert (
        "error POLICY_REMOVED_WITHOUT_DEPRECATION 'page_views' was removed without being deprecated first."
        in result.stderr
    )


def test_breaking_against_a_git_ref_for_ci(repo):
    rename(repo, "1.6.0", renamed_from=False)
    commit(repo, "rename without a major bump")
    result = run_cli("breaking", "--against", "HEAD~1", "--format", "github", cwd=repo, env=TODAY)
    assert result.returncode == 100
    lines = result.stdout.splitlines()
    assert (
        "::error file=contracts/usage_activity.yaml,line=25,col=3,title=FIELD_REMOVED::Field 'last_login_date' "
        "was removed. (requires MAJOR)"
    ) in lines
    assert lines[-1] == (
        "::error file=contracts/usage_activity.yaml,line=7,col=10,title=VERSION::version 1.6.0 is a minor bump, "
        "but the changes since 1.5.2 need a major bump: set version to 2.0.0"
    )
    as_json = run_cli("breaking", "--against", "HEAD~1", "--format", "json", cwd=repo, env=TODAY)
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert records[-1]["summary"]["required_bump"] == "major"
    assert {"FIELD_REMOVED", "FIELD_ADDED_REQUIRED", "FIELD_RENAME_SUSPECTED"} <= {
        r.get("rule") for r in records
    }
    clean = run_cli("breaking", "--against", "HEAD", cwd=repo, env=TODAY)
    assert clean.returncode == 0
    bad_ref = run_cli("breaking", "--against", "no-such-ref", cwd=repo, env=TODAY)
    assert bad_ref.returncode == 2 and "cannot compare with 'no-such-ref'" in bad_ref.stderr


def history(repo: Path) -> None:
    """1.5.2 → 1.6.0 (a field added) → 2.0.0 (a rename), each built and committed."""
    edit(
        repo,
        ("version: 1.5.2", "version: 1.6.0"),
        ("  loaded_at:\n", "  country_code:\n    type: string\n  loaded_at:\n"),
    )
    assert run_cli("build", cwd=repo, env=TODAY).returncode == 0
    commit(repo, "usage_activity 1.6.0")
    text = (
        (repo / USAGE)
        .read_text()
        .replace("version: 1.6.0", "version: 2.0.0")
        .replace("last_login_date", "last_activity_ts")
    )
    (repo / USAGE).write_text(
        text.replace("  last_activity_ts:\n", "  last_activity_ts:\n    renamed_from: last_login_date\n", 1)
    )
    assert run_cli("build", cwd=repo, env=TODAY).returncode == 0
    commit(repo, "usage_activity 2.0.0")


def test_changelog_survives_deleting_generated(repo):
    history(repo)
    package = repo / "generated" / "usage_activity"
    kept = {name: (package / name).read_bytes() for name in ("CHANGELOG.md", "changelog.json")}
    if __import__("os").environ.get("CONTRACTGEN_UPDATE_GOLDEN") == "1":
        GOLDEN_CHANGELOG.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN_CHANGELOG.write_bytes(kept["CHANGELOG.md"])
    assert kept["CHANGELOG.md"].decode() == GOLDEN_CHANGELOG.read_text(), (
        "golden changelog differs; if intended, run:\n  "
        "CONTRACTGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py tests/test_evolution.py"
    )
    shutil.rmtree(repo / "generated")
    assert run_cli("build", cwd=repo, env=TODAY).returncode == 0
    assert {name: (package / name).read_bytes() for name in kept} == kept
    assert git(repo, "status", "--porcelain") == ""  # byte-identical to what was committed
    shown = run_cli("changelog", str(USAGE), cwd=repo, env=TODAY)
    assert (shown.returncode, shown.stdout) == (0, kept["CHANGELOG.md"].decode())


def test_removed_names_are_remembered_across_versions(repo):
    history(repo)
    # 2.0.0 renamed last_login_date away; bringing the name back with another meaning is caught.
    edit(
        repo,
        ("version: 2.0.0", "version: 3.0.0"),
        ("    renamed_from: last_login_date\n", ""),
        ("  loaded_at:\n", "  last_login_date:\n    type: int64\n  loaded_at:\n"),
    )
    result = run_cli("build", cwd=repo, env=TODAY)
    assert result.returncode == 0, result.stderr
    log = json.loads((repo / "generated" / "usage_activity" / "changelog.json").read_text())
    rules = [c["rule"] for c in log["versions"][0]["changes"]]
    assert {"FIELD_NAME_REUSED", "FIELD_OLD_NAME_DROPPED"} <= set(rules)
    assert log["removed_fields"] == ["last_login_date"]
