"""The build: every contract through load → (diff against its last build) → plan → render → write."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen.codegen import write
from contractgen.diagnostics import Diagnostic, Position

if TYPE_CHECKING:
    import jinja2

    from contractgen.codegen.plan import PackagePlan
    from contractgen.contract import Contract
    from contractgen.evolution.changelog import Changelog
    from contractgen.evolution.verdict import Verdict


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    refused: list[Verdict] = field(default_factory=list)  # version bumps that understate a change
    changes: write.Changes = field(default_factory=write.Changes)
    manifest_stale: bool = False
    packages: list[str] = field(default_factory=list)
    built_layout: str | None = None  # the layout the output folder was last built with
    unlisted: list[str] = field(default_factory=list)  # files in package folders we did not write

    @property
    def ok(self) -> bool:
        return not self.refused and not any(d.severity == "error" for d in self.diagnostics)


def contract_files(folder: Path) -> list[Path]:
    """The contracts in a folder (and below it), in a stable order."""
    found = [p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def display_path(path: Path, folder: Path) -> str:
    """How generated headers name a contract: relative, never a machine path."""
    return f"{folder.resolve().name}/{path.relative_to(folder).as_posix()}"


def history_files(package: str, table: str | None = None) -> tuple[str, str]:
    """Where a package keeps the snapshot and changelog record of its contract (of `table`, in a
    dataset package), relative to the output folder."""
    if table is None:
        return f"{package}/contract.json", f"{package}/changelog.json"
    return f"{package}/{table}.contract.json", f"{package}/{table}.changelog.json"


def _rebuild_hint(folder: Path) -> str:
    return f"restore it from git, or delete {folder} and build again (its history is rebuilt from git)"


def snapshot_of(out: Path, snapshot: str, path: str, fix: str) -> Contract | None:
    """The contract a package was last built from, None when it has no snapshot yet; a damaged
    snapshot is a located `write.WriteError`."""
    from contractgen.snapshot import from_plain

    data = write.load_json(out, snapshot, "the package's contract snapshot", fix)
    if data is None:
        return None
    try:
        return from_plain(data, path)
    except ValueError as exc:
        raise write.WriteError(
            f"the package's contract snapshot is damaged: {exc}; {fix}", out / snapshot
        ) from None


def history(contract: Contract, out: Path, files: tuple[str, str], source: Path) -> Changelog | Verdict:
    """The changelog including this version, or the verdict that refuses it.

    The contract is compared with the snapshot its package was last built from (`files` are the
    snapshot and the changelog record, from `history_files`). With no package yet, the history
    is rebuilt from git when the contract is tracked, so that deleting the generated folder loses
    nothing. A damaged snapshot is a located `write.WriteError`.
    """
    from contractgen.evolution import changelog, gitlog
    from contractgen.evolution.verdict import evaluate, same_content

    snapshot, log_file = files
    package = snapshot.split("/", 1)[0]
    fix = _rebuild_hint(out / package)
    old = snapshot_of(out, snapshot, contract.path, fix)
    if old is None:
        return gitlog.rebuild(source, contract)
    data = write.load_json(out, log_file, "the package's changelog record", fix)
    try:
        log = changelog.first(old) if data is None else changelog.Changelog.from_plain(data)
    except ValueError as exc:
        raise write.WriteError(
            f"the package's changelog record is damaged: {exc}; {fix}", out / log_file
        ) from None
    if old.version == contract.version and same_content(old, contract):
        return log
    verdict = evaluate(old, contract)
    return changelog.record(log, verdict) if verdict.ok else verdict


def build(  # noqa: PLR0913, PLR0917 -- the public entry mirrors the CLI's options one to one
    contracts: Path,
    out: Path,
    templates: Path | None = None,
    check: bool = False,
    prefix: str = "",
    unexpected: str = "error",
    progress: Callable[[int, int, str], None] | None = None,
    models: str = "pydantic",
    layout: str = "table",
) -> BuildResult:
    """Build (or with `check`, compare) every package; write nothing if any contract is refused.

    `progress(done, total, name)` is called as each changed contract is built.

    A contract whose bytes, templates and generator version hash to what the manifest recorded,
    and whose files are intact, is skipped without being parsed: a no-op build reads and hashes
    files and imports nothing heavier.
    """
    from contractgen.codegen.fingerprint import content_hash, generator_fingerprint, template_fingerprint

    write.check_out(out)
    result = BuildResult()
    # Settings that shape the output count as inputs too.
    options = Options(prefix, unexpected, models, layout)
    fingerprint = template_fingerprint(templates, dataset=layout == "dataset")
    fingerprint += f"\0prefix={prefix}\0unexpected={unexpected}".encode()
    if models != "pydantic":
        fingerprint += f"\0models={models}".encode()
    if layout != "table":
        fingerprint += f"\0layout={layout}".encode()
    manifest = write.read_manifest(out)
    result.unlisted = write.unlisted(out, manifest)
    if manifest:
        dataset = any(entry.get("layout") == "dataset" for entry in manifest.values())
        result.built_layout = "dataset" if dataset else "table"
    same_generator = write.read_generator(out) == generator_fingerprint()
    by_source: dict[str, list[str]] = {}
    for package, entry in manifest.items():
        by_source.setdefault(str(entry.get("source")), []).append(package)
    kept: dict[str, str] = {}  # package → source, for packages that need no work
    todo: list[tuple[Path, str, bytes, str]] = []
    for path in contract_files(contracts):
        shown = display_path(path, contracts)
        data = path.read_bytes()
        digest = content_hash(data, fingerprint)
        done = by_source.get(shown, [])
        fresh = all(manifest[p].get("hash") == digest and write.intact(out, p, manifest[p]) for p in done)
        if same_generator and done and fresh:
            kept.update((p, shown) for p in done)
        else:
            todo.append((path, shown, data, digest))
    gone = [
        p
        for p in manifest
        if p not in kept and not any(s == manifest[p].get("source") for _, s, _, _ in todo)
    ]
    if not todo and not gone:
        result.packages = sorted(kept)
        return result
    return _build(result, todo, kept, manifest, out, templates, check, options, progress)


@dataclass(frozen=True, slots=True)
class Options:
    """The build settings that shape the output (each is part of the fingerprint)."""

    prefix: str = ""  # text put before every package name
    unexpected: str = "error"  # the readers' default policy for extra columns
    models: str = "pydantic"  # the row-class flavour besides the Pydantic models
    layout: str = "table"  # one package per table, or per file ("dataset")


def _build(  # noqa: PLR0913, PLR0917 -- the options of `build`, passed on after the lock is taken
    result: BuildResult,
    todo: list[tuple[Path, str, bytes, str]],
    kept: dict[str, str],
    manifest: dict[str, dict[str, object]],
    out: Path,
    templates: Path | None,
    check: bool,
    options: Options,
    progress: Callable[[int, int, str], None] | None,
) -> BuildResult:
    from contractgen.codegen import render
    from contractgen.codegen.fingerprint import generator_fingerprint
    from contractgen.evolution import gitlog
    from contractgen.load import load_all

    gitlog.forget_repositories()
    sources = {shown for _, shown, _, _ in todo} | set(kept.values())
    compiler = _Compiler(result, render.environment(templates), out, options, dict(kept), sources)
    for done, (path, shown, data, digest) in enumerate(todo):
        if progress is not None:
            progress(done, len(todo), shown)
        loaded, diagnostics = load_all(data, shown)
        result.diagnostics += diagnostics
        if not loaded and not any(d.severity == "error" for d in diagnostics):
            result.diagnostics.append(
                Diagnostic(
                    shown, Position(1, 1), "warning", "this file describes no table: nothing is built from it"
                )
            )
        elif not loaded:
            continue
        if options.layout == "dataset":
            compiler.dataset(loaded, path, shown, digest)
        else:
            for contract in loaded:
                compiler.table(contract, path, shown, digest)
    packages, meta = compiler.packages, compiler.meta
    if not result.ok:
        return result
    result.packages = sorted({*packages, *kept})
    with nullcontext() if check else write.locked(out):  # a check writes nothing, not even a lock
        manifest = write.read_manifest(out)
        result.changes = write.plan_changes(out, packages, manifest, keep=set(kept))
        removed = {rel.split("/", 1)[0] for rel in result.changes.removed} - set(packages) - set(kept)
        removed |= {p for p in manifest if p not in packages and p not in kept}
        manifest_text = write.next_manifest(manifest, packages, meta, removed, generator_fingerprint())
        result.manifest_stale = write.manifest_text(out) != manifest_text
        if not check and (result.changes.any or result.manifest_stale):
            write.commit(out, packages, result.changes, manifest_text)
    return result


def claim_packages(
    owner: dict[str, str], loaded: list[Contract], shown: str, prefix: str, layout: str
) -> list[Diagnostic]:
    """Claim the packages the contracts of file `shown` build under `layout`; what clashes."""
    from contractgen import naming

    if layout == "dataset":
        if not loaded:
            return []
        package = naming.dataset(shown, prefix)
        clash = claim_package(owner, package, loaded[0], shown, _DATASET_HINT)
        return [clash] if clash is not None else twin_tables(loaded, shown, package)
    found = (claim_package(owner, naming.package(c.data_source, prefix), c, shown) for c in loaded)
    return [clash for clash in found if clash is not None]


def twin_tables(loaded: list[Contract], shown: str, package: str) -> list[Diagnostic]:
    """Tables of one dataset package whose subpackages would share a name."""
    from contractgen import naming

    seen: set[str] = set()
    out = []
    for contract in loaded:
        table = naming.package(contract.data_source)
        if table in seen:
            out.append(
                Diagnostic(
                    shown,
                    contract.loc("schema"),
                    "error",
                    f"two tables of {shown} would both be '{package}.{table}'",
                    "give each table its own name",
                )
            )
        seen.add(table)
    return out


_DATASET_HINT = "rename one of the files: a dataset package takes its file's name up to the first dot"


def claim_package(
    owner: dict[str, str],
    package: str,
    contract: Contract,
    shown: str,
    hint: str = "give each contract (and each ODCS table) its own name",
) -> Diagnostic | None:
    """Record that `contract` (from file `shown`) builds `package`; the error if another does."""
    if package in owner:
        return Diagnostic(
            shown,
            contract.loc("schema"),
            "error",
            f"package '{package}' is also generated from {owner[package]}",
            hint,
        )
    owner[package] = shown
    return None


class _Compiler:
    """Contracts → the files of their packages, gathered for one write."""

    def __init__(  # noqa: PLR0913, PLR0917 -- the state of one build
        self,
        result: BuildResult,
        env: jinja2.Environment,
        out: Path,
        options: Options,
        owner: dict[str, str],
        sources: set[str],
    ) -> None:
        self.result = result
        self.env = env
        self.out = out
        self.options = options
        self.owner = owner  # package → the file it is built from
        self.sources = sources  # every contract file of this build, as shown
        self.manifest = write.read_manifest(out)
        self.packages: dict[str, dict[str, str]] = {}
        self.meta: dict[str, dict[str, str]] = {}

    def table(self, contract: Contract, path: Path, shown: str, digest: str) -> None:
        """One package for one table."""
        from contractgen import naming

        package = naming.package(contract.data_source, self.options.prefix)
        clash = claim_package(self.owner, package, contract, shown)
        if clash is not None:
            self.result.diagnostics.append(clash)
            return
        rendered = self.render(contract, path, shown, digest, package, "")
        if isinstance(rendered, tuple):
            self.packages[package] = rendered[0]
            self.meta[package] = {"source": shown, "hash": digest}
        elif rendered is not None:
            self.result.refused.append(rendered)

    def dataset(self, loaded: list[Contract], path: Path, shown: str, digest: str) -> None:
        """One package for every table of a file, each table a subpackage (`shop.orders`)."""
        from contractgen import naming
        from contractgen.codegen import render
        from contractgen.codegen.plan import dataset_plan
        from contractgen.evolution.verdict import Verdict

        package = naming.dataset(shown, self.options.prefix)
        if not loaded:
            # A file that had tables and has none: its package would vanish unannounced.
            had = sorted({c.data_source for c in self.built_tables(shown, set()) + _committed(path)})
            if had:
                self.result.diagnostics.append(
                    Diagnostic(
                        shown,
                        Position(1, 1),
                        "error",
                        f"this file describes no table any more, but package '{package}' was built from it "
                        f"(tables {', '.join(had)})",
                        "a file may not lose every table; delete the file to retire its package",
                    )
                )
            return
        first = loaded[0]
        clash = claim_package(self.owner, package, first, shown, _DATASET_HINT)
        if clash is not None:
            self.result.diagnostics.append(clash)
            return
        twins = twin_tables(loaded, shown, package)
        if twins:
            self.result.diagnostics += twins
            return
        refused = [v for v in [self.table_set(package, loaded, path, shown)] if v is not None]
        tables: dict[str, dict[str, str]] = {}
        plans = []
        for contract in loaded:
            table = naming.package(contract.data_source)
            rendered = self.render(contract, path, shown, digest, package, table)
            if isinstance(rendered, Verdict):
                refused.append(rendered)
            elif rendered is not None:
                tables[table], planned = rendered
                plans.append(planned)
        if refused:
            self.result.refused.append(_one_verdict(refused, package, first))
        if refused or len(plans) != len(loaded):
            return
        self.packages[package] = render.render_dataset(
            dataset_plan(package, first.title, plans), tables, self.env
        )
        self.meta[package] = {"source": shown, "hash": digest, "layout": "dataset"}

    def table_set(self, package: str, loaded: list[Contract], path: Path, shown: str) -> Verdict | None:
        """The refusal when the file's version understates the tables it gained or lost (a table
        added needs a minor bump, one removed a major one), measured against the package's last
        build and against the file as last committed, so that neither deleting generated/ nor
        editing its manifest hides a change."""

        built = self.built_tables(shown, {c.data_source for c in loaded})
        for old in (built, _committed(path)):
            verdict = _table_set_verdict(old, loaded, package, shown)
            if verdict is not None and not verdict.ok:
                return verdict
        return None

    def built_tables(self, shown: str, names: set[str]) -> list[Contract]:
        """The tables the file had at the last build, from the snapshots the manifest lists: of
        every package built from this file (either layout), or, when there is none, of the one
        file no longer here whose packages held any of `names` (this file, renamed)."""
        from contractgen import naming

        mine = [p for p, e in self.manifest.items() if e.get("source") == shown]
        if not mine:
            gone: dict[str, list[str]] = {}
            for other, entry in self.manifest.items():
                source = entry.get("source")
                if isinstance(source, str) and source not in self.sources:
                    gone.setdefault(source, []).append(other)
            known = names | {naming.package(n, self.options.prefix) for n in names}
            held = {
                source
                for source, packages in gone.items()
                if any(t in known for p in packages for t in self.snapshot_names(p))
            }
            mine = gone[held.pop()] if len(held) == 1 else []
        found = []
        for other in sorted(mine):
            fix = _rebuild_hint(self.out / other)
            for rel in self.snapshots(other):
                contract = snapshot_of(self.out, f"{other}/{rel}", shown, fix)
                if contract is not None:
                    found.append(contract)
        return found

    def snapshots(self, package: str) -> list[str]:
        """The contract snapshots a package's manifest entry lists, relative to the package."""
        listed = self.manifest.get(package, {}).get("files")
        if not isinstance(listed, dict):
            return []
        return sorted(rel for rel in listed if "/" not in rel and rel.endswith("contract.json"))

    def snapshot_names(self, package: str) -> list[str]:
        """The tables a package holds, by the names its snapshots are filed under."""
        return [
            package if rel == "contract.json" else rel.removesuffix(".contract.json")
            for rel in self.snapshots(package)
        ]

    def baseline(
        self, contract: Contract, package: str, files: tuple[str, str], shown: str
    ) -> tuple[str, str]:
        """Where the table's history is: its own files, or, when it has none yet, those of the one
        package of the last build that held the same table and is not built from another file
        now (the table's file was renamed, or the layout switched)."""
        from contractgen import naming

        if write.confined(self.out, files[0]).is_file():
            return files  # read (and, if damaged, reported) by `history`
        table = naming.package(contract.data_source)
        found = []
        for other, entry in self.manifest.items():
            source, listed = entry.get("source"), entry.get("files")
            if (
                other == package
                or not isinstance(listed, dict)
                or (source != shown and source in self.sources)
            ):
                continue
            if "contract.json" in listed and other == naming.package(
                contract.data_source, self.options.prefix
            ):
                found.append(history_files(other))
            if f"{table}.contract.json" in listed:
                found.append(history_files(other, table))
        return found[0] if len(found) == 1 else files

    def render(  # noqa: PLR0913, PLR0917 -- a contract, where it comes from and where it goes
        self, contract: Contract, path: Path, shown: str, digest: str, package: str, table: str
    ) -> tuple[dict[str, str], PackagePlan] | Verdict | None:
        """The files of `contract`'s package (the subpackage `table` of `package` when given) and
        its plan; the verdict when its version is refused; None when its records cannot be made."""
        from contractgen.codegen import flavours, render
        from contractgen.codegen.plan import plan
        from contractgen.evolution.verdict import Verdict
        from contractgen.export import to_json
        from contractgen.export.jsonschema import export as row_schema

        options = self.options
        files = self.baseline(contract, package, history_files(package, table or None), shown)
        log = history(contract, self.out, files, path)
        if isinstance(log, Verdict):
            return log
        planned = plan(
            contract,
            shown,
            digest,
            log,
            prefix=options.prefix,
            unexpected=options.unexpected,
            within=package if table else "",
        )
        planned = flavours.with_dependencies(planned, options.models)
        schema = to_json(row_schema(contract).data)
        files_out = render.render(planned, self.env, json_schema=schema)
        rows = to_json(row_schema(contract, frames=True).data) if options.models != "pydantic" else ""
        problem = flavours.add_records(files_out, options.models, rows, planned)
        if problem is not None:
            self.result.diagnostics.append(Diagnostic(shown, contract.loc("schema"), "error", *problem))
            return None
        return files_out, planned


def _committed(path: Path) -> list[Contract]:
    """The tables of the file as last committed; none without git or a commit."""
    from contractgen.evolution import gitlog

    try:
        return gitlog.committed_tables(path)
    except gitlog.GitError:
        return []


def _table_set_verdict(old: list[Contract], new: list[Contract], package: str, shown: str) -> Verdict | None:
    """DATASET_ADDED and DATASET_REMOVED findings between two versions of a file's tables, weighed
    together; None when the file holds the same tables."""
    from contractgen.contract import DEFAULT_MODE
    from contractgen.evolution.diff import Finding
    from contractgen.evolution.rules import RULES
    from contractgen.evolution.verdict import Verdict

    if not old:
        return None
    before = {c.data_source: c for c in old}
    after = {c.data_source: c for c in new}
    anchor = new[0] if new else old[0]
    where = anchor.loc("schema") if new else Position(1, 1)
    findings = [
        Finding(
            RULES["DATASET_ADDED"], f"{package}.{name}", f"Table '{name}' was added.", shown, c.loc("schema")
        )
        for name, c in after.items()
        if name not in before
    ]
    findings += [
        Finding(RULES["DATASET_REMOVED"], f"{package}.{name}", f"Table '{name}' was removed.", shown, where)
        for name in before
        if name not in after
    ]
    if not findings:
        return None
    mode = anchor.change_policy.compatibility or DEFAULT_MODE
    was = replace(old[0], data_source=package, fields=(), path=shown)
    now = replace(anchor, data_source=package, fields=(), path=shown)
    return Verdict(was, now if new else replace(now, version=old[0].version), mode, findings)


def _one_verdict(verdicts: list[Verdict], package: str, first: Contract) -> Verdict:
    """The refusals of a dataset's tables as one verdict on its version, so that the version asked
    for is the one every change needs."""
    from contractgen.evolution.verdict import Verdict

    if len(verdicts) == 1 and verdicts[0].new.data_source == package:
        return verdicts[0]
    old = replace(verdicts[0].old, data_source=package, fields=())
    new = replace(first, data_source=package, fields=())
    findings = [f for v in verdicts for f in v.findings]
    policy = [f for v in verdicts for f in v.policy]
    return Verdict(old, new, verdicts[0].mode, findings, policy)
