"""The `contractgen` command line."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from contractgen import __version__
from contractgen.diagnostics import Diagnostic, Position, printable
from contractgen.policy import Unexpected

if TYPE_CHECKING:
    import polars as pl

    from contractgen.config import Config
    from contractgen.contract import Contract
    from contractgen.evolution.verdict import Verdict


# Builds of fewer packages than this show no progress bar.
_PROGRESS_FROM = 5


class Exit(enum.IntEnum):
    """Exit codes, the same for every command."""

    OK = 0
    PROBLEMS = 1  # contract errors, data that violates its contract, or stale generated code
    USAGE = 2  # bad arguments (as Click reports them)
    IO = 3  # a file could not be read or written, another build holds the lock, or the output
    # folder's metadata (manifest, journal, snapshots) is damaged or points outside it
    # sources check: a source could not be checked (unreachable, credentials or files missing,
    # no configuration entry). A source that breaks its contract or SLA is PROBLEMS (1).
    UNREACHABLE = 4
    REFUSED = 100  # a version bump understates the changes, or the change policy forbids them


EXIT_CODES = """Exit codes: 0 success; 1 problems found (contract errors, data violating its contract,
stale generated code, a live source breaking its contract or SLA); 2 usage error; 3 a file could not
be read or written (or another build holds the lock, or the output folder's records are damaged or
point outside it); 4 a live source could not be checked (unreachable, missing credentials or files,
not configured); 100 a version bump understates the changes, or the change policy forbids them."""

app = typer.Typer(
    name="contractgen",
    help=f"Data contracts in, typed and checked Python client packages out.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # contract text and [tool.contractgen] are not markup
)


class Format(enum.StrEnum):
    text = "text"
    json = "json"


class Models(enum.StrEnum):
    pydantic = "pydantic"
    dataclass = "dataclass"
    typeddict = "typeddict"
    msgspec = "msgspec"


class Layout(enum.StrEnum):
    table = "table"
    dataset = "dataset"


class ReportFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


def _say(message: str, err: bool = False, color: str | None = None) -> None:
    """Print one line: every path and message goes through here, escaped to stay on its line.

    Paths come from the command line, the output folder (untrusted: a pull request can name a
    package folder "p\n::error ...") and exception text; CI reads a line that starts with `::`
    as a command, so a line break in any of them is printed as `\n`.
    """
    typer.secho(printable(message), err=err, fg=color)


def _say_rendered(text: str, err: bool = False) -> None:
    """Print text whose parts are escaped already (a rendered diagnostic and its hint line)."""
    typer.secho(text, err=err)


def _fail(message: str, code: Exit) -> NoReturn:
    _say(f"error: {message}", err=True, color="red")
    raise typer.Exit(int(code))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"contractgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Data contracts in, typed and checked Python client packages out."""


def _config() -> Config:
    """[tool.contractgen] from ./pyproject.toml; a bad key stops the command with its position."""
    from contractgen.config import load_config

    config, diagnostics = load_config(Path.cwd())
    if diagnostics:
        for diagnostic in diagnostics:
            _say_rendered(diagnostic.render(), err=True)
        _fail("fix [tool.contractgen] in pyproject.toml", Exit.USAGE)
    return config


@app.command()
def build(  # noqa: PLR0912, PLR0913, PLR0917 -- one branch per outcome; one parameter per option
    contracts: Annotated[
        Path | None,
        typer.Argument(help="Folder of contract YAML files [config: contracts; default: contracts]."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the generated packages [default: generated]."),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            help="Folder of Jinja templates overriding the built-in ones, laid out like them "
            "(package/models.py.jinja, ...).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; print the diff and exit 1 if the output is stale."),
    ] = False,
    output: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    models: Annotated[
        Models | None,
        typer.Option(
            "--models",
            help="Row classes besides the readers' Pydantic models: dataclass, typeddict or msgspec "
            "are written to PACKAGE/records.py by datamodel-code-generator (contractgen[models]) "
            "[config: models; default: pydantic].",
        ),
    ] = None,
    layout: Annotated[
        Layout | None,
        typer.Option(
            "--layout",
            help="table: one package per table (an ODCS or DCS file with several tables gives several). "
            "dataset: one package per file, each table a subpackage (shop.orders.read_parquet) "
            "[config: layout; default: table].",
        ),
    ] = None,
) -> None:
    """Generate one client package per contract; refuse version bumps that understate a change.

    Settings come from [tool.contractgen] in pyproject.toml; flags override them.

    Example: contractgen build contracts --out generated
    """
    from contractgen.build import build as run_build
    from contractgen.codegen.write import WriteError

    config = _config()
    contracts = contracts or config.contracts
    out = out or config.out
    templates = templates or config.templates
    _folder_of_contracts(contracts)
    if templates is not None and not templates.is_dir():
        _fail(f"{templates}: no such template folder", Exit.USAGE)
    if out.exists() and not out.is_dir():
        _fail(f"{out}: not a folder; give --out a folder for the generated packages", Exit.IO)
    try:
        with _Progress("building") as progress:
            result = run_build(
                contracts,
                out,
                templates,
                check,
                config.package_prefix,
                config.unexpected,
                progress,
                models=models.value if models else config.models,
                layout=layout.value if layout else config.layout,
            )
    except WriteError as exc:  # its message is located: `path: error: ...`
        _say(str(exc), err=True, color="red")
        raise typer.Exit(int(Exit.IO)) from None
    changes = result.changes
    stale = changes.any or result.manifest_stale
    for rel in result.unlisted:
        _say_rendered(
            Diagnostic(
                (out / rel).as_posix(),
                Position(1, 1),
                "warning" if not check else "error",
                "this file is in a generated package but was not generated; Python would ship or import it",
                "remove it (changes belong in the contract or in --templates)",
            ).render(),
            err=True,
        )
    errors = sum(d.severity == "error" for d in result.diagnostics)
    if output is Format.json:
        typer.echo(
            json.dumps(
                {
                    "ok": result.ok and not (check and (stale or bool(result.unlisted))),
                    "packages": result.packages,
                    "added": changes.added,
                    "updated": changes.changed,
                    "removed": changes.removed,
                    "stale": stale,
                    "unlisted": result.unlisted,
                    "diagnostics": [_diagnostic_json(d) for d in result.diagnostics],
                    "refused": [
                        {
                            "contract": v.new.data_source,
                            "problem": v.problem(),
                            "changes": [f.record(v.mode) for f in v.findings + v.policy],
                        }
                        for v in result.refused
                    ],
                },
                indent=2,
            )
        )
        code = (
            Exit.PROBLEMS
            if errors or (check and (stale or result.unlisted))
            else Exit.REFUSED
            if result.refused
            else Exit.OK
        )
        raise typer.Exit(int(code))
    for diagnostic in result.diagnostics:
        _say_rendered(diagnostic.render(), err=True)
    if errors:
        _fail(f"{errors} error{'s' * (errors != 1)} in contracts; nothing was written", Exit.PROBLEMS)
    if result.refused:
        _refuse(result.refused)
    if check:
        if stale:
            requested = layout.value if layout else config.layout
            if result.built_layout not in (None, requested):  # every file would differ: no diff
                _fail(
                    f"{out} was built with layout '{result.built_layout}' and this check asked for "
                    f"'{requested}': pass --layout {result.built_layout}, or set layout in "
                    "[tool.contractgen] so that every build uses one",
                    Exit.PROBLEMS,
                )
            sys.stdout.writelines(_diff_lines(changes.diff))
            _fail(f"{out} is stale: run 'contractgen build' and commit the result", Exit.PROBLEMS)
        if result.unlisted:
            _fail(f"{out} holds files it did not generate: remove them", Exit.PROBLEMS)
        _say(f"{out} is up to date ({len(result.packages)} packages)")
        return
    if not stale:
        _say(f"{out} is up to date ({len(result.packages)} packages)")
        return
    if not changes.any:
        _say(f"{out} is up to date ({len(result.packages)} packages); its manifest now names this generator")
        return
    for verb, paths in (("added", changes.added), ("updated", changes.changed), ("removed", changes.removed)):
        for path in paths:
            _say(f"{verb} {out / path}")
    _say(f"built {len(result.packages)} packages in {out}", color="green")


def _diff_lines(diff: list[str]) -> list[str]:
    """A unified diff, each line escaped onto its own line.

    Headers name paths from the output folder, and a removed file's text is whatever a pull
    request put there (with a digest to match): neither may start a line of its own.
    """
    return [f"{printable(line.removesuffix(chr(10)))}\n" for line in diff]


class _NoStatus:
    def stop(self) -> None:
        pass


def _status(message: str) -> Any:
    """A spinner on stderr while a file is read and checked, on a terminal only."""
    if not sys.stderr.isatty():
        return _NoStatus()
    from rich.console import Console

    status = Console(stderr=True).status(message)
    status.start()
    return status


class _Progress:
    """A progress bar on stderr for long work, shown only on a terminal."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, done: int, total: int, name: str) -> None:
        if self.bar is None:
            if total < _PROGRESS_FROM or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.what, total=total)
        self.bar.update(self.task, completed=done, description=f"{self.what} {name}")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _diagnostic_json(d: Diagnostic) -> dict[str, object]:
    return {
        "path": d.path,
        "line": d.pos.line,
        "column": d.pos.col,
        "severity": d.severity,
        "message": d.message,
        "hint": d.hint,
    }


def _refuse(verdicts: list[Verdict]) -> NoReturn:
    from contractgen.evolution.report import render

    sys.stderr.write(render(verdicts, "text"))
    for verdict in verdicts:
        pos = verdict.new.loc("version")
        problem = verdict.problem() or "refused"
        _say_rendered(Diagnostic(verdict.new.path, pos, "error", problem).render(), err=True)
    names = ", ".join(v.new.data_source for v in verdicts)
    _fail(f"refused {names}; nothing was written", Exit.REFUSED)


@app.command()
def lint(
    paths: Annotated[list[Path] | None, typer.Argument(help="Contract files or folders.")] = None,
    output: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Report review smells as errors, not warnings.")
    ] = False,
) -> None:
    """Check contracts and report every problem with its file:line:col.

    Review smells (no owner, a field without a description, ...) are warnings named smell/...;
    with --strict they are errors. docs/knowing-sources.md lists them.

    Example: contractgen lint --strict contracts/customer_master.yaml
    """
    from contractgen.build import claim_packages, contract_files
    from contractgen.load import load_all
    from contractgen.load.smells import smells

    files: list[Path] = []
    for path in paths or [_config().contracts]:
        if path.is_dir():
            files += contract_files(path)
        elif path.is_file():
            files.append(path)
        else:
            _fail(f"{path}: no such file or folder", Exit.USAGE)
    diagnostics = []
    owner: dict[str, str] = {}  # packages the files would build, as `build` claims them
    config = _config()
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            _fail(f"{path}: cannot read: {exc.strerror}", Exit.IO)
        loaded, found = load_all(data, str(path))
        diagnostics += found
        diagnostics += claim_packages(owner, loaded, str(path), config.package_prefix, config.layout)
        for contract in loaded:
            diagnostics += smells(contract, "error" if strict else "warning")
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if output is Format.json:
        records = [_diagnostic_json(d) for d in diagnostics]
        typer.echo(json.dumps({"files": len(files), "errors": errors, "diagnostics": records}, indent=2))
    else:
        for diagnostic in diagnostics:
            _say_rendered(diagnostic.render())
        summary = (
            f"{len(files)} contract{'s' * (len(files) != 1)} checked, {errors} error{'s' * (errors != 1)}"
        )
        if warnings:
            summary += f", {warnings} warning{'s' * (warnings != 1)}"
        _say(summary, color="red" if errors else "green")
    if errors:
        raise typer.Exit(int(Exit.PROBLEMS))


@app.command()
def docs(
    contracts: Annotated[
        Path | None,
        typer.Argument(help="Folder of contract YAML files [config: contracts; default: contracts]."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The Markdown file to write.")] = Path(
        "docs/data_sources.md"
    ),
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; print the diff and exit 1 if the file is stale."),
    ] = False,
    layout: Annotated[
        Layout | None,
        typer.Option(
            "--layout", help="The layout the packages are built with [config: layout; default: table]."
        ),
    ] = None,
) -> None:
    """Write the data-source catalog: owners, SLAs, access, change policy, consumers, lineage.

    Credentials appear only as the names of their environment variables; none is read.

    Example: contractgen docs contracts --out docs/data_sources.md
    """
    import difflib

    from contractgen.build import contract_files
    from contractgen.catalog import render
    from contractgen.load import load_all

    config = _config()
    contracts = contracts or config.contracts
    _folder_of_contracts(contracts)
    loaded: list[Contract] = []
    errors = 0
    for path in contract_files(contracts):
        shown = _relative(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            _fail(f"{shown}: cannot read: {exc.strerror}", Exit.IO)
        found, diagnostics = load_all(data, shown)  # the catalog names files relative to here
        for diagnostic in diagnostics:
            if diagnostic.severity == "error":
                errors += 1
                # As `lint` prints it: the path as passed, and render() has escaped every part.
                _say_rendered(dataclasses.replace(diagnostic, path=str(path)).render(), err=True)
        loaded += found
    if errors:
        _fail(
            f"{errors} error{'s' * (errors != 1)} in contracts; {out} was not written "
            "(see 'contractgen lint')",
            Exit.PROBLEMS,
        )
    text = render(
        loaded, _relative(config.out), config.package_prefix, layout.value if layout else config.layout
    )
    try:
        old = out.read_text(encoding="utf-8") if out.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{out}: cannot read: {exc}", Exit.IO)
    if check:
        if old != text:
            diff = difflib.unified_diff(
                old.splitlines(keepends=True), text.splitlines(keepends=True), str(out), f"{out} (expected)"
            )
            sys.stdout.writelines(diff)
            _fail(f"{out} is stale: run 'contractgen docs' and commit the result", Exit.PROBLEMS)
        _say(f"{out} is up to date ({len(loaded)} sources)")
        return
    if old == text:
        _say(f"{out} is up to date ({len(loaded)} sources)")
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(out)
    except OSError as exc:
        _fail(f"{out}: cannot write: {exc.strerror}", Exit.IO)
    _say(f"wrote {out} ({len(loaded)} sources)", color="green")


def _relative(path: Path) -> str:
    """A path as the catalog shows it: relative to the working folder, never absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix() if not path.is_absolute() else path.name


@app.command()
def infer(
    data: Annotated[Path, typer.Argument(help="A Parquet, CSV, TSV or NDJSON file.")],
    name: Annotated[
        str | None, typer.Option("--name", help="The data_source name [default: from the file name].")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the draft here instead of to stdout.")
    ] = None,
) -> None:
    """Draft a contract from a data file: types, required flags, enums, formats, a key, TODOs.

    Reads the file in bounded memory (a streaming pass and a sample). The draft lints and builds
    as it is; every TODO in it is a decision for a person.

    Example: contractgen infer data/customers.parquet --name customers --out contracts/customers.yaml
    """
    from contractgen.infer import InferError
    from contractgen.infer import infer as draft

    if out is not None and out.exists():
        _fail(f"{out} already exists; choose another --out or remove it first", Exit.USAGE)
    status = _status(f"reading {data}")
    try:
        text = draft(data, name)
    except InferError as exc:
        status.stop()
        _fail(str(exc), Exit.IO)
    status.stop()
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{out}: cannot write: {exc.strerror}", Exit.IO)
    _say(f"wrote {out}; decide every TODO in it, then run 'contractgen lint {out}'", color="green")


@app.command()
def validate(  # noqa: PLR0913, PLR0917 -- one parameter per command-line option
    contract: Annotated[Path, typer.Argument(help="The contract YAML file.")],
    data: Annotated[Path, typer.Argument(help="A Parquet, CSV or NDJSON file.")],
    unexpected: Annotated[
        Unexpected, typer.Option(help="What to do with columns the contract does not list.")
    ] = "error",
    output: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    table_name: Annotated[
        str | None, typer.Option("--table", help="Which table, for a file that describes several (ODCS).")
    ] = None,
    separator: Annotated[
        str | None, typer.Option(help="CSV field separator (default: ',' for .csv, tab for .tsv).")
    ] = None,
    encoding: Annotated[str, typer.Option(help="CSV text encoding: a Python codec name.")] = "utf8",
    null_value: Annotated[
        list[str] | None,
        typer.Option(help="A CSV spelling of null; repeat for several (default: the empty cell only)."),
    ] = None,
    quote_char: Annotated[str, typer.Option(help="CSV quote character; '' for none.")] = '"',
) -> None:
    """Check a data file against a contract, as the generated reader would.

    Example: contractgen validate contracts/customer_master.yaml data/customers.parquet
    """
    from contractgen import runtime
    from contractgen.runtime.io import text_encoding

    try:
        text_encoding(encoding)
    except ValueError as exc:
        _fail(f"--encoding {exc}", Exit.USAGE)
    parsed = _pick(_load_or_fail(contract), table_name, contract)

    from contractgen.codegen.tables import table

    spec = table(parsed)
    suffix = data.suffix.lower()
    if suffix not in (".parquet", ".pq", ".csv", ".tsv", *_NDJSON):
        _fail(
            f"{data}: unknown data format '{suffix}'; use .parquet, .csv, .tsv, .ndjson or .jsonl",
            Exit.USAGE,
        )
    status = _status(f"checking {data} against {spec.label}")
    try:
        if suffix in (".parquet", ".pq"):
            frame = runtime.read_parquet(data, spec, unexpected=unexpected)
        elif suffix in _NDJSON:
            frame = runtime.validate(_read_ndjson(data), spec, unexpected=unexpected, source=str(data))
        else:
            frame = runtime.read_csv(
                data,
                spec,
                unexpected=unexpected,
                separator=("\t" if suffix == ".tsv" else ",") if separator is None else separator,
                encoding=encoding,
                null_values=("",) if null_value is None else null_value,
                quote_char=quote_char or None,
            )
    except runtime.DataReadError as exc:
        status.stop()
        _fail(str(exc), Exit.IO)
    except runtime.ContractViolationError as exc:
        status.stop()
        if output is Format.json:
            typer.echo(json.dumps(_violations_json(exc), indent=2, default=repr, allow_nan=False))
        else:
            for line in exc.lines():  # column names come from the data file: one line each
                _say(line)
        raise typer.Exit(int(Exit.PROBLEMS)) from None
    status.stop()
    if output is Format.json:
        typer.echo(
            json.dumps({"contract": spec.name, "version": spec.version, "rows": frame.height, "ok": True})
        )
    else:
        _say(f"{data}: {frame.height:,} rows match {spec.label}", color="green")


_NDJSON = (".ndjson", ".jsonl")


def _read_ndjson(path: Path) -> pl.DataFrame:
    """An NDJSON file as Polars types it (whole numbers Int64, text String), as `infer` reads it."""
    import polars as pl

    from contractgen import runtime

    try:
        return pl.read_ndjson(path, infer_schema_length=None)
    except FileNotFoundError:
        raise runtime.DataReadError(f"cannot read {path}: no such file") from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise runtime.DataReadError(f"cannot read {path} as NDJSON: {first}") from None


def _folder_of_contracts(path: Path) -> None:
    """Stop with a usage error unless `path` is a folder (commands that take all contracts)."""
    if path.is_file():
        _fail(
            f"{path}: is a file; this command takes the folder of contracts (such as {path.parent}), "
            "and 'contractgen lint' takes single files",
            Exit.USAGE,
        )
    if not path.is_dir():
        _fail(f"{path}: no such folder of contracts", Exit.USAGE)


def _load_or_fail(
    path: Path, data: bytes | None = None, shown: str | None = None, *, github: bool = False
) -> list[Contract]:
    """Every contract in a file (several tables for ODCS), or exit with the diagnostics.

    With `github`, the diagnostics are GitHub annotations on stdout, like the findings.
    """
    from contractgen.load import load_all

    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            _fail(f"{path}: cannot read: {exc.strerror}", Exit.IO)
    contracts, diagnostics = load_all(data, shown or str(path))
    if not contracts:
        for diagnostic in diagnostics:
            if github:
                typer.echo(diagnostic.github())
            else:
                _say_rendered(diagnostic.render(), err=True)
        _fail(f"{shown or path} has errors; fix them first (see 'contractgen lint')", Exit.PROBLEMS)
    return contracts


def _pick(contracts: list[Contract], name: str | None, path: Path) -> Contract:
    if name is None and len(contracts) == 1:
        return contracts[0]
    names = [c.data_source for c in contracts]
    chosen = next((c for c in contracts if c.data_source == name), None)
    if chosen is None:
        _fail(f"{path} describes the tables {', '.join(names)}; choose one with --table", Exit.USAGE)
    return chosen


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier version of the contract.")],
    new: Annotated[Path, typer.Argument(help="The later version of the contract.")],
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text, json, markdown or github.")
    ] = ReportFormat.text,
) -> None:
    """Classify every change between two versions of a contract.

    Exits 100 when the new version's bump understates the changes or the change policy forbids them.

    Example: contractgen diff old/usage_activity.yaml contracts/usage_activity.yaml --format markdown
    """
    from contractgen.evolution.report import render
    from contractgen.evolution.verdict import evaluate_files

    github = output is ReportFormat.github
    verdicts = evaluate_files(_load_or_fail(old, github=github), _load_or_fail(new, github=github))
    sys.stdout.write(render(verdicts, output.value))
    if not all(v.ok for v in verdicts):
        raise typer.Exit(int(Exit.REFUSED))


class ExportFormat(enum.StrEnum):
    odcs = "odcs"
    dcs = "dcs"
    jsonschema = "jsonschema"


@app.command()
def export(
    target: Annotated[ExportFormat, typer.Argument(help="odcs, dcs or jsonschema.")],
    contract: Annotated[Path, typer.Argument(help="A contract file (native, ODCS or DCS).")],
    table: Annotated[
        str | None, typer.Option("--table", help="Export only this table of a file with several.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of to stdout.")] = None,
) -> None:
    """Write a contract as ODCS v3, the Data Contract Specification, or a row's JSON Schema.

    What the target format cannot carry is listed on stderr as warnings.

    Example: contractgen export odcs contracts/customer_master.yaml --out customer_master.odcs.yaml
    """
    from contractgen.export import export_text

    contracts = _load_or_fail(contract)
    if table is not None or target is ExportFormat.jsonschema:
        contracts = [_pick(contracts, table, contract)]
    text, lost = export_text(target.value, contracts)
    for what in lost:
        _say(f"{contract}: warning: not carried by {target.value}: {what}", err=True)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{out}: cannot write: {exc.strerror}", Exit.IO)


@app.command()
def breaking(
    against: Annotated[
        str, typer.Option("--against", help="The git ref to compare with, such as main or HEAD~1.")
    ],
    contracts: Annotated[Path | None, typer.Argument(help="Folder of contract YAML files.")] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text, json, markdown or github.")
    ] = ReportFormat.text,
) -> None:
    """Compare the working tree's contracts with those at a git ref, like `buf breaking --against`.

    Exits 100 when a contract's version bump understates its changes or the change policy forbids them.

    Example: contractgen breaking --against HEAD~1 --format github
    """
    from contractgen.build import contract_files
    from contractgen.evolution import gitlog
    from contractgen.evolution.report import render
    from contractgen.evolution.verdict import evaluate_files

    contracts = contracts or _config().contracts
    _folder_of_contracts(contracts)
    try:
        root, _ = gitlog.locate(contracts / "x")
        gitlog.verify(root, against)
    except gitlog.GitError as exc:
        _fail(f"cannot compare with '{against}': {exc}", Exit.USAGE)
    verdicts = []
    present: set[str] = set()
    seen: set[str] = set()
    github = output is ReportFormat.github
    for path in contract_files(contracts):
        shown = str(path)
        new = _load_or_fail(path, shown=shown, github=github)
        present.update(c.data_source for c in new)
        _, rel = gitlog.locate(path)
        seen.add(rel)
        before = gitlog.show(root, against, rel)
        if before is None:
            continue  # a new contract: nothing to break
        old = _load_or_fail(path, before, f"{against}:{rel}", github=github)
        verdicts += evaluate_files(old, new)
    _, folder = gitlog.locate(contracts / "x")
    for rel in gitlog.files_at(root, against, folder.rpartition("/")[0]):
        if rel in seen:
            continue
        # A contract file deleted since the ref: each of its tables is removed, unless it moved.
        old = _load_or_fail(root / rel, gitlog.show(root, against, rel), f"{against}:{rel}")
        gone = [c for c in old if c.data_source not in present]
        if gone:
            verdicts += evaluate_files(gone, [])
    sys.stdout.write(render(verdicts, output.value))
    if not all(v.ok for v in verdicts):
        raise typer.Exit(int(Exit.REFUSED))


@app.command()
def changelog(
    contract: Annotated[Path, typer.Argument(help="The contract YAML file, tracked in git.")],
    output: Annotated[Format, typer.Option("--format", help="text (Markdown) or json.")] = Format.text,
    table_name: Annotated[
        str | None, typer.Option("--table", help="Which table, for a file that describes several (ODCS).")
    ] = None,
) -> None:
    """Rebuild a contract's whole changelog from its git history.

    Example: contractgen changelog contracts/usage_activity.yaml > CHANGELOG.md
    """
    from contractgen.codegen.render import environment
    from contractgen.evolution import gitlog
    from contractgen.evolution.verdict import Verdict

    current = _pick(_load_or_fail(contract), table_name, contract)
    try:
        gitlog.locate(contract)
    except gitlog.GitError as exc:
        _say(
            f"warning: {contract} has no git history ({exc}); the changelog shows this version only", err=True
        )
    log = gitlog.rebuild(contract, current)
    if isinstance(log, Verdict):
        _refuse([log])
    if output is Format.json:
        sys.stdout.write(log.to_json())
        return
    from contractgen import naming
    from contractgen.codegen.plan import md_releases

    template = environment(None).get_template("CHANGELOG.md.jinja")
    sys.stdout.write(template.render(package=naming.package(current.data_source), releases=md_releases(log)))


@app.command()
def rules(
    output: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.text,
    mode: Annotated[str, typer.Option(help="Compatibility mode for severity and bump.")] = "FULL_TRANSITIVE",
) -> None:
    """List every change rule: its ID, whom it breaks and the bump it needs.

    Example: contractgen rules --mode BACKWARD
    """
    from contractgen.contract import MODES
    from contractgen.evolution.rules import RULES

    if mode not in MODES:
        _fail(f"unknown mode '{mode}'; use one of {', '.join(MODES)}", Exit.USAGE)
    if output is Format.json:
        records = [
            {
                "rule": r.id,
                "summary": r.summary,
                "severity": r.severity(mode),
                "required_bump": r.bump(mode),
                "breaks": list(r.breaks()),
                "compat": {"backward": r.backward, "forward": r.forward},
                "section": r.section,
                "mirror": r.mirror,
            }
            for r in RULES.values()
        ]
        typer.echo(json.dumps(records, indent=2))
        return
    for r in RULES.values():
        whom = f" [{','.join(r.breaks())}]" if r.breaks() else ""
        typer.echo(f"{r.id:<36} {r.severity(mode):<9} {r.bump(mode):<5}{whom} {r.summary}")


def _json_value(value: object) -> object:
    """Strict JSON has no NaN or infinities: those samples become the strings "NaN", "Infinity"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    return value


def _violations_json(exc: object) -> dict[str, object]:
    from contractgen.runtime import ContractViolationError

    assert isinstance(exc, ContractViolationError)
    return {
        "contract": exc.contract,
        "version": exc.version,
        "source": exc.source,
        "ok": False,
        "violations": [
            {
                "kind": v.kind,
                "column": v.column,
                "count": v.count,
                "message": v.message,
                "samples": [{"row": row, "value": _json_value(value)} for row, value in v.samples],
            }
            for v in exc.violations
        ],
    }


def _note(  # noqa: PLR0913, PLR0917 -- the signature warnings.showwarning calls
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A reader's warning (a filled, dropped or renamed column) as a one-line note, not a trace."""
    _say(f"note: {message}", err=True)


sources_app = typer.Typer(
    name="sources",
    help="The live data sources behind the contracts (configured in config/data_access.yaml).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(sources_app)
_ACCESS = Path("config/data_access.yaml")


@sources_app.command("check")
def sources_check(  # noqa: PLR0912, PLR0915 -- one branch per way the inputs can be wrong, each its own message
    names: Annotated[list[str] | None, typer.Argument(help="Contracts to check (default: all).")] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Contact nothing: check configuration, environment and contracts."),
    ] = False,
    output: Annotated[Format, typer.Option("--format", help="text or json (for schedulers).")] = Format.text,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Access configuration (default: config/data_access.yaml, else its .example beside it).",
        ),
    ] = None,
    contracts: Annotated[Path, typer.Option(help="Folder of contracts.")] = Path("contracts"),
) -> None:
    """Reach each contract's source and check it: connection, live schema, rows, freshness, values.

    Exit codes: 0 every source healthy (warnings such as rate limits allowed); 1 a source breaks
    its contract or SLA, or the configuration or a contract has errors (YAML syntax included); 2
    usage (an unknown contract name); 3 the configuration or a contract cannot be read (no file,
    no permission); 4 a source could not be checked (unreachable, missing credentials or files,
    not configured; for --dry-run, anything still missing). Credentials are never printed.

    Example: contractgen sources check --dry-run
    """
    from contractgen.diagnostics import ContractError
    from contractgen.load import load_file
    from contractgen.sources import config as access
    from contractgen.sources import health

    path = config or (_ACCESS if _ACCESS.exists() else _ACCESS.with_name(_ACCESS.name + ".example"))
    note = None if config or path == _ACCESS else f"{_ACCESS} not found: using the example {path}"
    try:
        settings = access.load(path)
    except FileNotFoundError:
        _fail(f"{path}: no access configuration; copy config/data_access.yaml.example to {_ACCESS}", Exit.IO)
    except OSError as exc:
        _fail(f"{path}: cannot read: {exc.strerror}", Exit.IO)
    except ContractError as exc:
        for diagnostic in exc.diagnostics:
            _say_rendered(diagnostic.render(), err=True)
        _fail(f"{path} has errors; nothing was checked", Exit.PROBLEMS)
    _folder_of_contracts(contracts)
    loaded = []
    for file in sorted(contracts.glob("*.yaml")) + sorted(contracts.glob("*.yml")):
        try:
            loaded.append(load_file(file))
        except ContractError as exc:
            for diagnostic in exc.diagnostics:
                _say_rendered(diagnostic.render(), err=True)
            _fail(f"{file} has errors; fix them first (see 'contractgen lint')", Exit.PROBLEMS)
    known = {c.data_source for c in loaded}
    stray = [s for s in settings.sources if s.name not in known]
    if stray:
        from contractgen.diagnostics import did_you_mean

        for source in stray:
            hint = did_you_mean(source.name, known, "contracts")
            _say(
                f"{path}:{source.pos.line}:{source.pos.col}: error: no contract named '{source.name}'",
                err=True,
            )
            _say(f"  hint: {hint}", err=True)
        _fail(f"{path} configures sources no contract describes", Exit.PROBLEMS)
    wanted = names or []
    unknown = [n for n in wanted if n not in known]
    if unknown:
        _fail(f"no contract named {', '.join(unknown)}; known: {', '.join(sorted(known))}", Exit.USAGE)
    chosen = [c for c in loaded if not wanted or c.data_source in wanted]
    status: Any = _NoStatus()

    def progress(name: str) -> None:
        nonlocal status
        status.stop()
        status = _status(f"checking {name}")

    try:
        reports = health.check_all(chosen, settings, dry_run=dry_run, progress=progress)
    finally:
        status.stop()
    if output is Format.json:
        data = {
            "config": str(path),
            "dry_run": dry_run,
            "healthy": all(r.as_json()["healthy"] for r in reports),
            "sources": [r.as_json() for r in reports],
        }
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        if note:
            _say(note, err=True)
        for line in health.render(reports, dry_run=dry_run).splitlines():
            _say(line)
    statuses = {r.status for r in reports}
    if statuses & set(health.BROKEN):
        raise typer.Exit(int(Exit.PROBLEMS))
    if statuses & set(health.UNCHECKED):
        raise typer.Exit(int(Exit.UNREACHABLE))


def main() -> None:
    """Console-script entry point."""
    import warnings

    warnings.showwarning = _note
    app()
