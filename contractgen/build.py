"""The build: every contract through load → (diff against its last build) → plan → render → write."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen.codegen import write
from contractgen.diagnostics import Diagnostic

if TYPE_CHECKING:
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


def history(contract: Contract, out: Path, package: str, source: Path) -> Changelog | Verdict:
    """The changelog including this version, or the verdict that refuses it.

    The contract is compared with the snapshot its package was last built from. With no package
    yet, the history is rebuilt from git when the contract is tracked, so that deleting the
    generated folder loses nothing. A damaged snapshot is a located `write.WriteError`.
    """
    from contractgen.evolution import changelog, gitlog
    from contractgen.evolution.verdict import evaluate, same_content
    from contractgen.snapshot import from_plain

    fix = f"restore it from git, or delete {out / package} and build again (its history is rebuilt from git)"
    snapshot, log_file = f"{package}/contract.json", f"{package}/changelog.json"
    data = write.load_json(out, snapshot, "the package's contract snapshot", fix)
    if data is None:
        return gitlog.rebuild(source, contract)
    try:
        old = from_plain(data, contract.path)
    except ValueError as exc:
        raise write.WriteError(
            f"the package's contract snapshot is damaged: {exc}; {fix}", out / snapshot
        ) from None
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
    fingerprint = template_fingerprint(templates) + f"\0prefix={prefix}\0unexpected={unexpected}".encode()
    if models != "pydantic":
        fingerprint += f"\0models={models}".encode()
    manifest = write.read_manifest(out)
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
    return _build(result, todo, kept, manifest, out, templates, check, (prefix, unexpected, models), progress)


def _build(  # noqa: PLR0913, PLR0917 -- the options of `build`, passed on after the lock is taken
    result: BuildResult,
    todo: list[tuple[Path, str, bytes, str]],
    kept: dict[str, str],
    manifest: dict[str, dict[str, object]],
    out: Path,
    templates: Path | None,
    check: bool,
    options: tuple[str, str, str],  # package prefix, extra-column policy, model flavour
    progress: Callable[[int, int, str], None] | None,
) -> BuildResult:
    from contractgen import naming
    from contractgen.codegen import flavours, render
    from contractgen.codegen.fingerprint import generator_fingerprint
    from contractgen.evolution import gitlog
    from contractgen.evolution.verdict import Verdict

    gitlog.forget_repositories()
    prefix, unexpected, models = options
    from contractgen.codegen.plan import plan
    from contractgen.export import to_json
    from contractgen.export.jsonschema import export as row_schema
    from contractgen.load import load_all

    env = render.environment(templates)
    packages: dict[str, dict[str, str]] = {}
    meta: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = dict(kept)
    for done, (path, shown, data, digest) in enumerate(todo):
        if progress is not None:
            progress(done, len(todo), shown)
        loaded, diagnostics = load_all(data, shown)
        result.diagnostics += diagnostics
        for contract in loaded:
            package = prefix + naming.package(contract.data_source)
            clash = claim_package(owner, package, contract, shown)
            if clash is not None:
                result.diagnostics.append(clash)
                continue
            log = history(contract, out, package, path)
            if isinstance(log, Verdict):
                result.refused.append(log)
                continue
            planned = plan(contract, shown, digest, log, prefix=prefix, unexpected=unexpected)
            planned = flavours.with_dependencies(planned, models)
            schema = to_json(row_schema(contract).data)
            packages[package] = render.render(planned, env, json_schema=schema)
            problem = flavours.add_records(packages[package], models, schema, planned)
            if problem is not None:
                result.diagnostics.append(Diagnostic(shown, contract.loc("schema"), "error", *problem))
            meta[package] = {"source": shown, "hash": digest}
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


def claim_package(owner: dict[str, str], package: str, contract: Contract, shown: str) -> Diagnostic | None:
    """Record that `contract` (from file `shown`) builds `package`; the error if another does."""
    if package in owner:
        return Diagnostic(
            shown,
            contract.loc("schema"),
            "error",
            f"package '{package}' is also generated from {owner[package]}",
            "give each contract (and each ODCS table) its own name",
        )
    owner[package] = shown
    return None
