"""The pre-commit hooks, run for real: pre-commit from PyPI, `try-repo` against this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTRACTS, ROOT, run_cli


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def hook(repo: Path, hook_id: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTRACTGEN_TODAY": "2026-11-26", "NO_COLOR": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            hook_id,
            "--all-files",
            "--color",
            "never",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs this project as a git repository")
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "ci@example.com")
    git(tmp_path, "config", "user.name", "CI")
    # pre-commit notices changes to tracked files only, so the packages are committed first.
    assert run_cli("build", cwd=tmp_path).returncode == 0
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "contracts and their packages")
    return tmp_path


def test_pre_commit_hooks(repo):
    clean = hook(repo, "contractgen-build")
    assert clean.returncode == 0, clean.stdout
    assert "Passed" in clean.stdout

    contract = repo / "contracts" / "support_tickets.yaml"
    text = contract.read_text().replace("version: 1.2.0", "version: 1.3.0")
    contract.write_text(
        text.replace("  preferred_channel:\n", "  language:\n    type: string\n  preferred_channel:\n")
    )
    check = hook(repo, "contractgen-check")
    assert check.returncode == 1 and "generated is stale" in check.stdout
    edit = hook(repo, "contractgen-build")
    assert edit.returncode == 1
    assert "files were modified by this hook" in edit.stdout
    assert "updated generated/support_tickets/support_tickets/models.py" in edit.stdout
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "support_tickets 1.3.0")

    contract.write_text(
        contract.read_text()
        .replace("version: 1.3.0", "version: 1.3.1")
        .replace("  language:\n    type: string\n", "")
    )
    refused = hook(repo, "contractgen-build")
    assert refused.returncode == 1
    assert "- exit code: 100" in refused.stdout
    assert "FIELD_REMOVED" in refused.stdout and "set version to 2.0.0" in refused.stdout
    assert "files were modified" not in refused.stdout


def test_docs_hook_keeps_the_catalog_current(repo):
    # A new file is not a modification to pre-commit: the first run writes the catalog and passes.
    first = hook(repo, "contractgen-docs")
    assert first.returncode == 0, first.stdout
    assert "## Source: `support_tickets`" in (repo / "docs" / "data_sources.md").read_text()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the data-source catalog")
    clean = hook(repo, "contractgen-docs")
    assert clean.returncode == 0 and "Passed" in clean.stdout, clean.stdout

    contract = repo / "contracts" / "support_tickets.yaml"
    contract.write_text(contract.read_text().replace("system: Zendesk", "system: ServiceNow"))
    stale = hook(repo, "contractgen-docs")
    assert stale.returncode == 1 and "files were modified by this hook" in stale.stdout
    assert "ServiceNow" in (repo / "docs" / "data_sources.md").read_text()


def test_hooks_install_the_cli_extra():
    """pre-commit installs the repository without extras, so the hooks name the [cli] extra's pins."""
    import tomllib

    import yaml

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["cli"]
    for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()):
        assert hook["additional_dependencies"] == extra, hook["id"]
