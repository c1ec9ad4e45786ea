"""The command line through its real entry point: output, exit codes, files touched."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import CONTRACTS, run_cli
from tests.test_readers import usage_rows


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    return tmp_path


def test_version_and_help(project):
    assert run_cli("--version", cwd=project).stdout == "contractgen 0.1.0\n"
    help_text = run_cli("--help", cwd=project).stdout
    assert "Exit codes: 0 success; 1 problems found" in " ".join(help_text.split())
    for command in ("build", "lint", "validate"):
        assert "Example: contractgen" in run_cli(command, "--help", cwd=project).stdout


def test_build_then_check_then_stale(project):
    first = run_cli("build", cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "built 4 packages in generated"
    assert "added generated/customer_master/customer_master/models.py" in first.stdout
    again = run_cli("build", cwd=project)
    assert (again.returncode, again.stdout) == (0, "generated is up to date (4 packages)\n")
    assert run_cli("build", "--check", cwd=project).returncode == 0

    contract = project / "contracts" / "support_tickets.yaml"
    edited = contract.read_text().replace("Tickets not yet solved", "Tickets still open")
    contract.write_text(edited.replace("version: 1.2.0", "version: 1.2.1"))
    before = {p: p.read_bytes() for p in (project / "generated").rglob("*") if p.is_file()}
    stale = run_cli("build", "--check", cwd=project)
    assert stale.returncode == 1
    assert "-    open_ticket_count: _Int32 = _pd.Field(\n" not in stale.stdout  # only the changed lines
    assert '+        description="Tickets still open at the end of the day.",' in stale.stdout
    assert stale.stderr.strip() == "error: generated is stale: run 'contractgen build' and commit the result"
    after = {p: p.read_bytes() for p in (project / "generated").rglob("*") if p.is_file()}
    assert before == after, "--check must write nothing"


def test_build_refuses_bad_contracts_and_writes_nothing(project):
    (project / "contracts" / "broken.yaml").write_text(
        "data_source: broken\nversion: 1\nschema: {a: strng}\n"
    )
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "contracts/broken.yaml:2:10: error: version '1' is not a semantic version",
        "  hint: write MAJOR.MINOR.PATCH, such as 2.1.0",
        "contracts/broken.yaml:3:13: error: unknown type 'strng' in field 'a'",
        "  hint: did you mean 'string'?",
        "error: 2 errors in contracts; nothing was written",
    ]
    assert not (project / "generated").exists()


def test_build_never_overwrites_a_file_it_did_not_write(project):
    mine = project / "generated" / "customer_master" / "customer_master" / "models.py"
    mine.parent.mkdir(parents=True)
    mine.write_text("# my own file\n")
    result = run_cli("build", cwd=project)
    assert result.returncode == 3
    assert "exists but contractgen did not write it" in result.stderr
    assert mine.read_text() == "# my own file\n"


def test_lint_reports_every_problem(project):
    bad = project / "bad.yaml"
    bad.write_text(
        "data_source: customer_master\nversion: 2.1\nschema:\n  customer_id:\n    type: strng (UUID)\n"
        "    requird: true\n  signup_date:\n    type: date\n    required: yes\n  signup_date:\n    type: date\n"
    )
    result = run_cli("lint", "bad.yaml", cwd=project)
    assert result.returncode == 1
    located = [line.split(": error:")[0] for line in result.stdout.splitlines() if ": error:" in line]
    assert located == ["bad.yaml:2:10", "bad.yaml:5:11", "bad.yaml:6:5", "bad.yaml:9:15", "bad.yaml:10:3"]
    assert result.stdout.splitlines()[-1] == "1 contract checked, 5 errors"
    clean = run_cli("lint", cwd=project)
    assert clean.returncode == 0
    # usage_activity's page_views has no description yet: a smell, not an error.
    assert clean.stdout.endswith("4 contracts checked, 0 errors, 1 warning\n")


def test_validate_a_renamed_column(project):
    data = project / "usage.parquet"
    usage_rows().rename({"last_login_date": "last_activity_ts"}).write_parquet(data)
    result = run_cli("validate", "contracts/usage_activity.yaml", "usage.parquet", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "usage.parquet does not match contract usage_activity 1.5.2 (2 violations):\n"
        "  - missing column 'last_login_date'; the data has an unexpected column 'last_activity_ts'"
    )
    ok = project / "ok.csv"
    usage_rows().drop("features_used").write_csv(ok)
    result = run_cli("validate", "contracts/usage_activity.yaml", "ok.csv", cwd=project)
    # features_used is a list, which CSV cannot hold; it is optional, so it reads as nulls.
    assert (result.returncode, result.stdout) == (0, "ok.csv: 4 rows match usage_activity 1.5.2\n")
    assert result.stderr == (
        "note: usage_activity 1.5.2: filled the columns the data lacks, as the contract allows: "
        "'features_used' with nulls\n"
    )


def test_validate_json_and_exit_codes(project):
    data = project / "usage.parquet"
    usage_rows().with_columns(pl.lit(dt.date(2024, 1, 1)).alias("extra")).write_parquet(data)
    result = run_cli(
        "validate", "contracts/usage_activity.yaml", "usage.parquet", "--format", "json", cwd=project
    )
    assert result.returncode == 1
    assert '"kind": "unexpected_column"' in result.stdout
    dropped = run_cli(
        "validate", "contracts/usage_activity.yaml", "usage.parquet", "--unexpected", "drop", cwd=project
    )
    assert (dropped.returncode, dropped.stdout) == (0, "usage.parquet: 4 rows match usage_activity 1.5.2\n")
    missing = run_cli("validate", "contracts/usage_activity.yaml", "nope.parquet", cwd=project)
    assert (missing.returncode, missing.stderr) == (3, "error: cannot read nope.parquet: no such file\n")
    usage = run_cli("validate", cwd=project)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr + missing.stderr


def test_user_templates_override_single_files(project):
    templates = project / "my-templates" / "package"
    templates.mkdir(parents=True)
    from contractgen.codegen.fingerprint import builtin_templates

    original = (builtin_templates() / "package" / "models.py.jinja").read_text()
    (templates / "models.py.jinja").write_text(
        original.replace("import pydantic as _pd\n", "import pydantic as _pd\n\n# House style.\n")
    )
    assert run_cli("build", cwd=project).returncode == 0
    default = {p.relative_to(project): p.read_bytes() for p in (project / "generated").rglob("*.py")}
    result = run_cli("build", "--templates", "my-templates", cwd=project)
    assert result.returncode == 0, result.stderr
    models = project / "generated" / "billing_payments" / "billing_payments" / "models.py"
    assert "# House style.\n" in models.read_text()
    # Every file names the template hash in its header, so all change; only models.py changes more.
    for path, before in default.items():
        after = (project / path).read_bytes()
        body = lambda data: data.split(b"\n", 1)[1]  # noqa: E731
        assert (body(after) == body(before)) == (path.name != "models.py"), path


def test_generated_package_installs_with_pip(project, tmp_path):
    import subprocess
    import sys

    assert run_cli("build", cwd=project).returncode == 0
    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(project / "generated" / "usage_activity"),
        ],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    assert (site / "usage_activity" / "py.typed").exists()
    data = tmp_path / "u.parquet"
    usage_rows().write_parquet(data)
    script = f"import usage_activity; print(usage_activity.read_parquet({str(data)!r}).height, usage_activity.CONTRACT_VERSION)"
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert (run.returncode, run.stdout) == (0, "4 1.5.2\n"), run.stderr


@pytest.mark.parametrize("encoding", ["nonexistent", "rot13", "base64", "hex", "zlib", "punycode"])
def test_validate_refuses_an_encoding_that_is_not_a_text_encoding(tmp_path: Path, encoding: str):
    """A codec that is not a text encoding is a usage error naming valid ones, not a traceback."""
    data = tmp_path / "d.csv"
    data.write_text("customer_id\n")
    done = run_cli("validate", CONTRACTS / "customer_master.yaml", data, "--encoding", encoding, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert (
        f"error: --encoding {encoding!r} is not a text encoding; pass the file's encoding, such as utf8"
        in (done.stderr)
    )


def test_undecodable_bytes_are_located_not_quoted(tmp_path: Path):
    """Bytes that do not decode are named by line, never quoted."""
    data = tmp_path / "d.csv"
    data.write_bytes(b"customer_id\n\xe9secret\xe9\n")
    done = run_cli("validate", CONTRACTS / "customer_master.yaml", data, "--encoding", "ascii", cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "line 2 has bytes that are not ascii; pass the file's real encoding" in done.stderr
    assert "xe9" not in done.stderr


def test_validate_refuses_an_empty_separator(project):
    """`--separator ''` is refused by name, not read as a comma."""
    ok = project / "ok.csv"
    usage_rows().drop("features_used").write_csv(ok)
    result = run_cli("validate", "contracts/usage_activity.yaml", "ok.csv", "--separator", "", cwd=project)
    assert result.returncode != 0
    assert "separator must be one single-byte character" in result.stdout + result.stderr


def test_build_of_a_file_says_to_pass_its_folder(tmp_path: Path):
    """`build FILE.yaml` names the folder to pass instead of calling the file missing."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.yaml").write_text(
        "data_source: x\nversion: 1.0.0\nschema:\n  a:\n    type: string\n"
    )
    done = run_cli("build", "c/x.yaml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "error: c/x.yaml: is a file; this command takes the folder of contracts (such as c), "
        "and 'contractgen lint' takes single files\n",
    )


def test_lint_reports_the_package_clash_build_refuses(tmp_path: Path):
    """Two ODCS tables whose names differ only in case would build one package: lint says so."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "o.odcs.yaml").write_text(
        "apiVersion: v3.0.2\nkind: DataContract\nid: o\nversion: 1.0.0\nstatus: active\nschema:\n"
        "  - name: Orders\n    properties:\n      - name: id\n        logicalType: string\n"
        "  - name: orders\n    properties:\n      - name: id\n        logicalType: string\n"
    )
    done = run_cli("lint", "c", cwd=tmp_path)
    assert done.returncode == 1
    assert "c/o.odcs.yaml:11:5: error: package 'orders' is also generated from c/o.odcs.yaml" in done.stdout
