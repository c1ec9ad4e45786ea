"""Findings for people and programs: text, JSON lines, Markdown and GitHub annotations.

Every line is one line: text and Markdown escape hidden characters (`printable`), GitHub
annotations are built by `workflow_command`, JSON escapes its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from contractgen.diagnostics import markdown_text, printable, workflow_command
from contractgen.evolution.changelog import line
from contractgen.evolution.diff import Finding
from contractgen.evolution.verdict import Verdict

_LEVEL = {"breaking": "error", "dangerous": "warning", "safe": "info", "info": "info"}


def text_line(finding: Finding, mode: str) -> str:
    """`path:line:col: level RULE_ID [whom] message`, like a compiler."""
    whom = ",".join(finding.rule.breaks())
    level = _LEVEL[finding.severity(mode)]
    where = f"{finding.path}:{finding.pos.line}:{finding.pos.col}"
    change = (
        f" ({finding.old} -> {finding.new})" if finding.old is not None and finding.new is not None else ""
    )
    return f"{where}: {level} {finding.rule.id}{f' [{whom}]' if whom else ''} {finding.message}{change}"


def github_line(finding: Finding, mode: str) -> str:
    """A GitHub Actions workflow command, shown as an annotation on the contract's line."""
    level = _LEVEL[finding.severity(mode)]
    level = "notice" if level == "info" else level
    bump = finding.bump(mode)
    return workflow_command(
        level,
        f"{finding.message} (requires {bump.upper()})",
        file=finding.path,
        line=finding.pos.line,
        col=finding.pos.col,
        title=finding.rule.id,
    )


def markdown_line(finding: Finding, mode: str) -> str:
    """One changelog line: a breaking marker, the change, its rule ID and how to migrate; the
    contract's text in it escaped, so that a field name cannot become HTML, a link or an image."""
    record = finding.record(mode)
    for key in ("message", "migration"):
        if record.get(key):
            record[key] = markdown_text(record[key])
    return f"- {line(record)}"


def render(verdicts: Iterable[Verdict], fmt: str) -> str:
    """All findings of several contracts, then one summary line each (text), in `fmt`."""
    lines: list[str] = []
    for verdict in verdicts:
        every = sorted(verdict.findings + verdict.policy, key=lambda f: (f.pos.line, f.pos.col))
        if fmt == "json":
            lines += [json.dumps(f.record(verdict.mode), ensure_ascii=False, sort_keys=True) for f in every]
            lines.append(
                json.dumps(
                    {
                        "summary": {
                            "contract": verdict.new.data_source,
                            "mode": verdict.mode,
                            "old_version": verdict.old.version,
                            "new_version": verdict.new.version,
                            "required_bump": verdict.required,
                            "declared_bump": verdict.declared,
                            "ok": verdict.ok,
                        }
                    },
                    sort_keys=True,
                )
            )
        elif fmt == "github":
            lines += [github_line(f, verdict.mode) for f in every]
            problem = verdict.problem()
            if problem:
                pos = verdict.new.loc("version")
                lines.append(
                    workflow_command(
                        "error", problem, file=verdict.new.path, line=pos.line, col=pos.col, title="VERSION"
                    )
                )
        elif fmt == "markdown":
            name, old, new = (
                markdown_text(t) for t in (verdict.new.data_source, verdict.old.version, verdict.new.version)
            )
            lines.append(f"### {name}: {old} → {new}")
            lines.append("")
            lines += [markdown_line(f, verdict.mode) for f in every] or ["No changes."]
            lines += ["", verdict.summary(), ""]
        else:
            lines += [text_line(f, verdict.mode) for f in every]
            lines.append(verdict.summary())
    # Contract text (field names, versions from the output folder) stays on its line: CI reads
    # a line that starts with '::' as a command, whatever the format.
    return "".join(f"{printable(text)}\n" for text in lines)
