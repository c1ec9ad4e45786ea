"""`sources check`: for each contract, can its source be reached, does it match, is it fresh.

A dry run contacts nothing: it checks the configuration entry, the environment variables it
names (present or missing, never their values), the files it points to and the contract. A
real run connects, reads the live schema from the catalog, compares it with the contract as the
readers do, and counts rows, nulls, out-of-range values, duplicates and broken rules inside the
database; the newest value of the freshness column is compared with the SLA.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from contractgen.codegen.tables import table as runtime_table
from contractgen.contract import Contract
from contractgen.runtime import Violation
from contractgen.runtime.check import live_names
from contractgen.sources import catalog, checks
from contractgen.sources.config import FILE_KINDS, AccessConfig, Source
from contractgen.sources.connect import SourceError, connect

Status = Literal["healthy", "warning", "unhealthy", "unreachable", "unconfigured", "ready", "incomplete"]
# What a status means for the exit code: broken (1), cannot be checked (4), fine (0).
BROKEN = ("unhealthy",)
UNCHECKED = ("unreachable", "unconfigured", "incomplete")
# How far ahead of the check's clock the newest value may be before it is reported: beyond
# ordinary clock drift, a value in the future means a writer's clock or zone is wrong.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@dataclass
class SourceReport:
    """What `sources check` found for one contract's source."""

    name: str
    version: str
    status: Status = "healthy"
    kind: str | None = None
    target: str | None = None  # where, with ${NAME} references unresolved: never a secret
    connection: str = ""
    last_updated: str | None = None
    records: int | None = None
    freshness: str | None = None
    problems: list[str] = field(default_factory=list)
    # The same problems, structured for schedulers: kind, column, count, message.
    violations: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    environment: dict[str, bool] = field(default_factory=dict)  # variable -> set?
    hint: str | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["healthy"] = self.status in ("healthy", "warning", "ready")
        return data


def check_all(  # noqa: PLR0913 -- what the command line passes on
    contracts: list[Contract],
    config: AccessConfig,
    *,
    dry_run: bool,
    now: dt.datetime | None = None,
    env: Mapping[str, str] | None = None,
    progress: Callable[[str], Any] | None = None,
) -> list[SourceReport]:
    environ = dict(os.environ if env is None else env)
    at = now or dt.datetime.now(dt.UTC)
    out = []
    for contract in contracts:
        source = config.get(contract.data_source)
        if progress is not None:
            progress(contract.data_source)
        if source is None:
            out.append(_unconfigured(contract, config))
        elif dry_run:
            out.append(dry(contract, source, environ))
        else:
            out.append(live(contract, source, environ, at))
    return out


def _unconfigured(contract: Contract, config: AccessConfig) -> SourceReport:
    return SourceReport(
        contract.data_source,
        contract.version,
        status="unconfigured",
        connection="not configured",
        missing=[f"an entry for {contract.data_source} in {config.path}"],
        hint=f"add '{contract.data_source}:' under 'sources:' in {config.path} "
        "(see config/data_access.yaml.example)",
    )


def _base(contract: Contract, source: Source, env: Mapping[str, str]) -> SourceReport:
    report = SourceReport(contract.data_source, contract.version, kind=source.kind, target=source.target)
    report.environment = {name: bool(env.get(name)) for name in source.env_vars}
    rate = source.rate_limit  # the configured way in; the contract's limit may be another API's
    if rate:
        instead = (
            f"read the batch export instead ({source.batch_export})"
            if source.batch_export
            else "consider a daily batch export instead of the live API"
        )
        report.warnings.append(f"rate limited ({rate}): {instead}")
    return report


def _sla(contract: Contract) -> str | None:
    sla = contract.sla
    if sla.max_delay is None:
        return None
    where = f" on '{sla.freshness_column}'" if sla.freshness_column else ""
    return f"SLA max_delay {sla.max_delay.text}{where}"


def dry(contract: Contract, source: Source, env: Mapping[str, str]) -> SourceReport:
    """Check what can be checked without contacting the source."""
    report = _base(contract, source, env)
    report.connection = "dry run: nothing contacted"
    missing_env = [name for name, present in report.environment.items() if not present]
    if missing_env:
        report.missing.append(f"environment variables {', '.join(missing_env)} (not set)")
    local = source.kind in (*FILE_KINDS, "duckdb", "sqlite") and source.path and "${" not in source.path
    if local and not glob.glob(source.path or ""):
        report.missing.append(f"{source.path} (no such file here)")
    sla = _sla(contract)
    report.freshness = f"not checked (dry run); {sla}" if sla else "the contract sets no max_delay"
    if contract.sla.max_delay is not None and not contract.sla.freshness_column:
        report.warnings.append("the SLA has a max_delay but no freshness_column: freshness cannot be checked")
    report.status = "incomplete" if report.missing else "ready"
    todo = [
        *(["set the environment variables"] if missing_env else []),
        *(["provide the data at the configured path"] if len(report.missing) > bool(missing_env) else []),
    ]
    if todo:
        report.hint = f"{' and '.join(todo)}, then run without --dry-run"
    return report


def live(contract: Contract, source: Source, env: Mapping[str, str], now: dt.datetime) -> SourceReport:
    """Connect, compare the live schema, count in the database, judge freshness."""
    report = _base(contract, source, env)
    missing_env = [name for name, present in report.environment.items() if not present]
    if missing_env:
        report.status = "unreachable"
        report.connection = "not attempted"
        report.missing.append(f"environment variables {', '.join(missing_env)} (not set)")
        report.hint = "set them where the check runs; their values are never printed"
        return report
    try:
        connection = connect(source, env, Path.cwd())
    except SourceError as exc:
        report.status, report.connection, report.hint = "unreachable", str(exc), exc.hint
        return report
    try:
        _inspect(report, contract, connection, now)
    except SourceError as exc:
        report.status, report.hint = "unreachable", exc.hint
        report.problems.append(str(exc))
    finally:
        connection.close()
    return report


def _inspect(report: SourceReport, contract: Contract, connection: Any, now: dt.datetime) -> None:
    report.connection = "connected"
    table = runtime_table(contract)
    columns = connection.columns()
    if not columns:
        raise SourceError(
            f"table {report.target} not found (or not visible to this user)",
            "check the table name and schema in the configuration, and that the user may see it",
        )
    names = live_names(table, [name for name, _ in columns])
    expected = pl.Schema({live: table.schema[name] for live, name in names.items()})
    live_schema = catalog.schema(columns, expected, connection.dialect, loose=connection.loose)
    schema_problems, notes, usable = checks.schema_findings(live_schema, table)
    report.problems += [v.render() for v in schema_problems]
    report.violations += [_structured(v) for v in schema_problems]
    report.warnings += notes
    outcome = checks.run(connection, table, usable, now)
    report.records = outcome.rows
    report.warnings += outcome.notes
    report.problems += [v.render() for v in outcome.violations]
    report.violations += [_structured(v) for v in outcome.violations]
    column = contract.sla.freshness_column or next(
        (r.columns[0] for r in contract.quality if r.kind == "freshness" and r.columns), None
    )
    newest = outcome.newest.get(column) if column else None
    report.last_updated = _show(newest)
    report.freshness = _freshness(contract, column, newest, now)
    if column is not None and column not in usable:
        why = next((v.message for v in schema_problems if v.column == column), "it is not in the table")
        report.freshness = f"unknown: '{column}' cannot be read as the contract says ({why})"
    elif checks.ahead(newest, now, FUTURE_TOLERANCE):
        report.warnings.append(
            f"'{column}': the newest value ({report.last_updated}) is in the future: "
            "clocks or time zones disagree?"
        )
    report.status = "unhealthy" if report.problems else "warning" if report.warnings else "healthy"
    if report.problems:
        report.hint = f"tell the owner ({contract.owner or 'see the contract'}) or update the contract"


def _structured(violation: Violation) -> dict[str, Any]:
    return {
        "kind": violation.kind,
        "column": violation.column,
        "count": violation.count,
        "message": violation.message,
    }


def _freshness(contract: Contract, column: str | None, newest: Any, now: dt.datetime) -> str:
    delay = contract.sla.max_delay
    if delay is None or delay.seconds is None:
        return "the contract sets no max_delay"
    if column is None:
        return "unknown: the contract names no freshness_column"
    if newest is None:
        return f"unknown: '{column}' has no values"
    if checks.stale(newest, now, dt.timedelta(seconds=delay.seconds)):
        return f"stale: newest '{column}' is older than the SLA max_delay of {delay.text}"
    return f"fresh: within the SLA max_delay of {delay.text}"


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def render(reports: list[SourceReport], *, dry_run: bool) -> str:
    """The text report: one block per source, a mark, then its facts."""
    marks = {"healthy": "✓", "ready": "✓", "warning": "⚠", "unhealthy": "✗", "unreachable": "✗"}
    blocks = []
    for r in reports:
        mark = marks.get(r.status, "✗")
        head = f"{mark} {r.name}: {r.status}"
        lines = [head, f"  - connection: {r.connection}" + (f" ({r.target})" if r.target else "")]
        lines.append(f"  - schema version: {r.version}")
        if not dry_run:
            lines.append(f"  - last updated: {r.last_updated or 'unknown'}")
            lines.append(
                f"  - records available: {r.records:,}"
                if r.records is not None
                else "  - records available: unknown"
            )
        if r.freshness:
            lines.append(f"  - freshness: {r.freshness}")
        if r.environment:
            shown = ", ".join(f"{k} {'set' if v else 'missing'}" for k, v in r.environment.items())
            lines.append(f"  - environment: {shown}")
        lines += [f"  - missing: {m}" for m in r.missing]
        lines += [f"  - problem: {p}" for p in r.problems]
        lines += [f"  - warning: {w}" for w in r.warnings]
        if r.hint:
            lines.append(f"  hint: {r.hint}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
