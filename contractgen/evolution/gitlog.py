"""Contract versions from git history: for `breaking --against REF` and for rebuilding changelogs."""

from __future__ import annotations

import functools
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractgen.contract import Contract
    from contractgen.evolution.changelog import Changelog
    from contractgen.evolution.verdict import Verdict


class GitError(Exception):
    """git is missing, the folder is not in a repository, or a ref does not exist."""


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        raise GitError(
            done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed"
        )
    return done.stdout


@functools.lru_cache(maxsize=64)
def _root(folder: Path) -> Path | GitError:
    """The repository holding `folder`, asked of git once per folder and build."""
    try:
        return Path(_git(folder, "rev-parse", "--show-toplevel").strip())
    except GitError as exc:
        return exc


def forget_repositories() -> None:
    """Ask git afresh: a folder may have become a repository since the last build."""
    _root.cache_clear()


def locate(path: Path) -> tuple[Path, str]:
    """The repository root holding `path`, and `path` relative to it."""
    root = _root(path.resolve().parent)
    if isinstance(root, GitError):
        raise root
    return root, path.resolve().relative_to(root).as_posix()


def show(root: Path, ref: str, rel: str) -> bytes | None:
    """The file at `ref`, or None when it did not exist there."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "show", f"{ref}:{rel}"], capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    return done.stdout if done.returncode == 0 else None


def files_at(root: Path, ref: str, folder: str) -> list[str]:
    """The contract files (.yaml, .yml) under `folder` at `ref`, relative to the repository root."""
    listed = _git(root, "ls-tree", "-r", "--name-only", ref, "--", folder or ".").splitlines()
    return sorted(name for name in listed if name.endswith((".yaml", ".yml")))


def verify(root: Path, ref: str) -> None:
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def committed_versions(path: Path, data_source: str) -> list[Contract]:
    """Every committed state of a contract (a table, for ODCS files) whose content changed, oldest
    first; states that do not load are skipped."""
    from contractgen.evolution.verdict import same_content
    from contractgen.load import load_all

    root, rel = locate(path)
    commits = _git(root, "log", "--format=%H", "--reverse", "--", rel).split()
    versions: list[Contract] = []
    for commit in commits:
        data = show(root, commit, rel)
        if data is None:
            continue
        contract = next((c for c in load_all(data, rel)[0] if c.data_source == data_source), None)
        if contract is None:
            continue
        last = versions[-1] if versions else None
        if last is None or last.version != contract.version or not same_content(last, contract):
            versions.append(contract)
    return versions


def rebuild(path: Path, current: Contract) -> Changelog | Verdict:
    """The changelog of every committed version and then the working tree's; no git, a first entry.

    History is replayed as if `build` had run at every commit: a state the build would refuse
    leaves the changelog where it was (as a refused build leaves the snapshot), and the working
    tree is checked against the last accepted state, its verdict returned when refused. So
    deleting `generated/` never turns a refused change into an accepted one. A state that keeps
    its version but changes content replaces the previous state of that version when the
    version before accepts it (edits committed before a version was first built).
    """
    from contractgen.evolution import changelog
    from contractgen.evolution.verdict import evaluate, same_content

    try:
        versions = committed_versions(path, current.data_source)
    except GitError:
        versions = []
    steps = [*versions, current]
    accepted: list[tuple[Contract, Changelog]] = [(steps[0], changelog.first(steps[0]))]
    for index, contract in enumerate(steps[1:], start=1):
        last, log = accepted[-1]
        if last.version == contract.version and same_content(last, contract):
            continue
        verdict = evaluate(replace(last, removed_fields=log.removed_fields), contract)
        if verdict.ok:
            accepted.append((contract, changelog.record(log, verdict)))
            continue
        if len(accepted) > 1 and last.version == contract.version:
            before, before_log = accepted[-2]
            again = evaluate(replace(before, removed_fields=before_log.removed_fields), contract)
            if again.ok:
                accepted[-1] = (contract, changelog.record(before_log, again))
                continue
        if index == len(steps) - 1:
            return verdict
    return accepted[-1][1]


def committed_tables(path: Path) -> list[Contract]:
    """The tables of the file as last committed (HEAD); none when it is not committed or does
    not load there."""
    from contractgen.load import load_all

    root, rel = locate(path)
    data = show(root, "HEAD", rel)
    return [] if data is None else load_all(data, rel)[0]
