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


def verify(root: Path, ref: str) -> None:
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def committed_versions(path: Path, data_source: str) -> list[Contract]:
    """Each version of a contract (a table, for ODCS files) as last committed, oldest first.

    States that do not load are skipped: history is what it is.
    """
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
        if versions and versions[-1].version == contract.version:
            versions[-1] = contract  # the last state of a version is the one that was released
        else:
            versions.append(contract)
    return versions


def rebuild(path: Path, current: Contract) -> Changelog | Verdict:
    """The changelog of every committed version and then the working tree's; no git, a first entry.

    The working tree's version is checked like any build (its verdict is returned when refused);
    committed history is recorded as it happened.
    """
    from contractgen.evolution import changelog
    from contractgen.evolution.verdict import evaluate, same_content

    try:
        versions = committed_versions(path, current.data_source)
    except GitError:
        versions = []
    log: Changelog | None = None
    previous: Contract | None = None
    steps = [*versions, current]
    for index, contract in enumerate(steps):
        if previous is None:
            log = changelog.first(contract)
        elif previous.version == contract.version and same_content(previous, contract):
            continue
        else:
            assert log is not None
            # Names removed in any earlier version may not come back: compare with all of them.
            verdict = evaluate(replace(previous, removed_fields=log.removed_fields), contract)
            if index == len(steps) - 1 and not verdict.ok:
                return verdict
            log = changelog.record(log, verdict)
        previous = contract
    assert log is not None
    return log
