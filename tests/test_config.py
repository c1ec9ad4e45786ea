"""[tool.contractgen] in pyproject.toml: settings, flags that override them, located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CONTRACTS, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(CONTRACTS, tmp_path / "data-contracts")
    return tmp_path


def test_settings_apply_and_flags_override(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.contractgen]\ncontracts = "data-contracts"\nout = "clients"\n'
        'package_prefix = "dc_"\nunexpected = "drop"\n'
    )
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    frame = (project / "clients" / "dc_usage_activity" / "dc_usage_activity" / "frame.py").read_text()
    assert 'unexpected: _rt.Unexpected = "drop"' in frame
    assert "from dc_usage_activity import models as _models" in frame
    flagged = run_cli("build", "--out", "elsewhere", cwd=project)
    assert flagged.returncode == 0 and (project / "elsewhere" / "dc_billing_payments").is_dir()
    # The summary counts the configured folder's contracts (review smells may add warnings).
    assert run_cli("lint", cwd=project).stdout.splitlines()[-1].startswith("4 contracts checked, 0 errors")


def test_a_bad_key_is_a_located_error(project):
    (project / "pyproject.toml").write_text(
        '[tool.other]\nx = 1\n\n[tool.contractgen]\nout = "g"\ncontract = "c"\nunexpected = "ignore"\n'
    )
    result = run_cli("build", cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "pyproject.toml:6:1: error: unknown key 'contract' in [tool.contractgen]",
        "  hint: did you mean 'contracts'?",
        "pyproject.toml:7:1: error: unexpected = 'ignore' is not a policy",
        "  hint: what generated readers do with extra columns by default: error, drop or keep",
        "error: fix [tool.contractgen] in pyproject.toml",
    ]


def test_broken_toml_is_located(project):
    (project / "pyproject.toml").write_text('[tool.contractgen]\nout = "g\n')
    result = run_cli("lint", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("pyproject.toml:2:9: error: invalid TOML: Illegal character '\\n'")


def test_the_model_flavour_is_a_setting(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.contractgen]\ncontracts = "data-contracts"\nmodels = "typeddict"\n')
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "generated" / "usage_activity" / "usage_activity" / "records.py").is_file()
    assert run_cli("build", "--check", cwd=project).returncode == 0  # the hook's check agrees
    pyproject.write_text('[tool.contractgen]\ncontracts = "data-contracts"\nmodels = "attrs"\n')
    bad = run_cli("build", cwd=project)
    assert bad.returncode == 2
    assert "pyproject.toml:3:1: error: models = 'attrs' is not a flavour" in bad.stderr
