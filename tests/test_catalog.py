"""The data-source catalog (`contractgen docs`): content, staleness check, and hostile text."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.catalog import render
from contractgen.contract import Access, ChangePolicy, Contract, Field, FieldType, Party, Sla
from contractgen.diagnostics import Position
from tests.conftest import CONTRACTS, ROOT, run_cli


def test_the_committed_catalog_is_current():
    run = run_cli("docs", "contracts", "--check", cwd=ROOT)
    assert (run.returncode, run.stdout) == (0, "docs/data_sources.md is up to date (4 sources)\n"), run.stderr


def test_catalog_content_and_secrets(tmp_path: Path):
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    secret = "s3cr3t-value-never-shown"
    run = run_cli("docs", cwd=tmp_path, env={"CRM_API_CLIENT_SECRET": secret})
    assert run.returncode == 0, run.stderr
    assert run.stdout == "wrote docs/data_sources.md (4 sources)\n"
    text = (tmp_path / "docs" / "data_sources.md").read_text()
    assert secret not in text
    assert str(tmp_path) not in text
    assert (
        "| Credentials | client\\_id from `CRM_API_CLIENT_ID`; client\\_secret from `CRM_API_CLIENT_SECRET` |"
        in text
    )
    assert "| Refresh | real-time |" in text
    assert '  system1["Salesforce, replicated to PostgreSQL"]' in text
    assert "  package1 --> consumer0" in text  # customer_master's package feeds churn-model
    again = run_cli("docs", cwd=tmp_path)
    assert again.stdout == "docs/data_sources.md is up to date (4 sources)\n"
    assert (tmp_path / "docs" / "data_sources.md").read_text() == text


def test_check_reports_a_stale_catalog_with_a_diff(tmp_path: Path):
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    assert run_cli("docs", cwd=tmp_path).returncode == 0
    contract = tmp_path / "contracts" / "support_tickets.yaml"
    contract.write_text(contract.read_text().replace("system: Zendesk", "system: ServiceNow"))
    run = run_cli("docs", "--check", cwd=tmp_path)
    assert run.returncode == 1
    assert "-| Refresh" not in run.stdout and '+  system2["ServiceNow"]' in run.stdout
    assert (
        run.stderr == "error: docs/data_sources.md is stale: run 'contractgen docs' and commit the result\n"
    )


def test_a_contract_with_errors_writes_nothing(tmp_path: Path):
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "bad.yaml").write_text(
        "data_source: bad\nversion: 1.0\nschema:\n  a:\n    type: string\n"
    )
    run = run_cli("docs", cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.endswith(
        "error: 1 error in contracts; docs/data_sources.md was not written (see 'contractgen lint')\n"
    )
    assert not (tmp_path / "docs").exists()


def test_docs_prints_errors_as_lint_does(tmp_path: Path):
    """The same lines as `lint`: the path as passed and the hint on its own line, no literal '\\n'."""
    folder = tmp_path / "q" / "contracts"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("data_source: bad\nversion: 1.0\nschema:\n  a:\n    type: string\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    lint = run_cli("lint", folder, cwd=elsewhere)
    errors = [line for line in lint.stdout.splitlines() if ": error:" in line]
    assert errors and errors[0].startswith(f"{folder}/bad.yaml:2:")
    run = run_cli("docs", folder, "--out", "catalog.md", cwd=elsewhere)
    assert run.returncode == 1 and "\\n" not in run.stderr
    first = errors[0]
    hint = lint.stdout.splitlines()[lint.stdout.splitlines().index(first) + 1]
    assert run.stderr.startswith(f"{first}\n{hint}\n"), run.stderr


# Text a hostile pull request might put in a name or description: table and fence breakers,
# HTML, Mermaid syntax, entities and every kind of line break.
HOSTILE = st.text(
    alphabet=st.sampled_from(list("|`<>&\"'#;[](){}\\*_-\n\r\t\u2028\x85 aZ9%:=!~$")) | st.characters(),
    max_size=30,
)

MERMAID_LINE = re.compile(
    r'  (?:(?:system|contract|package)\d+\["[^"`<>\n]*"\]|consumer\d+\(\["[^"`<>\n]*"\]\)'
    r"|(?:system|contract|package)\d+ --> (?:contract|package|consumer)\d+)"
)


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)(?:\\\\)*\|", line))


def contract(name: str, text: str, i: int) -> Contract:
    party = Party(name=text or "x", email=text, role=text, channel=text)
    return Contract(
        data_source=f"{name}{i}",
        version=text,
        fields=(Field(text or "f", FieldType("string"), Position(1, 1), primary_key=True, description=text),),
        path=text,
        title=text,
        description=text,
        owner=text,
        domain=text,
        contacts=(party,),
        consumers=(party, Party(name=f"{text}{i}")),
        sla=Sla(update_frequency=text, uptime=text, support_hours=text),
        change_policy=ChangePolicy(notification_channel=text),
        access=Access(system=text, method=text, endpoint=text, permissions=text, credentials=((text, text),)),
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(HOSTILE, min_size=1, max_size=3), texts=st.lists(HOSTILE, min_size=3, max_size=3))
def test_hostile_text_cannot_break_the_table_or_the_diagram(names: list[str], texts: list[str]):
    contracts = [contract(n, texts[i], i) for i, n in enumerate(names)]
    page = render(contracts)
    lines = page.split("\n")
    assert sum(line.startswith("```") for line in lines) == 2
    start, end = lines.index("```mermaid"), len(lines) - 1 - lines[::-1].index("```")
    assert lines[start + 1] == "flowchart LR"
    for line in lines[start + 2 : end]:
        assert MERMAID_LINE.fullmatch(line), line
    tables = [line for line in lines if line.startswith("|")]
    summary = [line for line in tables if unescaped_pipes(line) == 7]
    assert len(summary) == 2 + len(contracts)
    rows = [line for line in tables if unescaped_pipes(line) == 3]
    assert len(rows) == len(contracts) * 19
    assert len(tables) == len(summary) + len(rows)
    headings = [line for line in lines if line.startswith("#")]
    assert len(headings) == 2 + len(contracts)
    outside = [line for line in lines[:start] + lines[end + 1 :] if line and line[0] not in "|#<"]
    assert len(outside) == 1  # the fixed introduction
    html = re.sub(
        r"<br>|<!-- Generated by `contractgen docs` from the contracts; do not edit by hand. -->", "", page
    )
    assert "<" not in html
