"""Write stage: rendered files → the output folder, atomically, touching only our own files.

The output folder holds a manifest of every file contractgen wrote. A build stages all new files
in a transaction folder, records the plan in a journal, then moves files into place. A build that
is interrupted is rolled forward (journal present) or discarded (no journal) by the next one, so
the folder is never left half old and half new. A lock keeps two builds from interleaving.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

MANIFEST = ".contractgen-manifest.json"
LOCK = ".contractgen.lock"
TXN = ".contractgen-txn"
JOURNAL = "journal.json"


class Journal(TypedDict):
    """What a commit does, written before it starts: files to move in, files to remove."""

    moves: list[list[str]]
    remove: list[str]


class WriteError(Exception):
    """The output folder cannot be written as asked; nothing was changed."""


@dataclass(slots=True)
class Changes:
    """What a build would do, file by file (paths relative to the output folder)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(out: Path) -> dict[str, dict[str, object]]:
    """The packages contractgen wrote last time, with their files and input hashes."""
    return _manifest(out)[1]


def read_generator(out: Path) -> str | None:
    """The fingerprint of the generator that wrote the folder last time."""
    return _manifest(out)[0]


def _manifest(out: Path) -> tuple[str | None, dict[str, dict[str, object]]]:
    path = out / MANIFEST
    if not path.exists():
        return None, {}
    try:
        data = json.loads(path.read_text("utf-8"))
        packages = data["packages"]
        assert isinstance(packages, dict)
        return data.get("generator"), packages
    except (ValueError, KeyError, AssertionError, OSError) as exc:
        raise WriteError(
            f"{path}: the manifest is unreadable ({exc}); restore it from version control"
        ) from None


def intact(out: Path, package: str, entry: dict[str, object]) -> bool:
    """Every file the manifest lists for `package` is on disk with the content we wrote."""
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return False
    for rel, digest in files.items():
        try:
            if _sha((out / package / rel).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def _owned(manifest: dict[str, dict[str, object]]) -> dict[str, str]:
    owned: dict[str, str] = {}
    for package, entry in manifest.items():
        files = entry.get("files", {})
        assert isinstance(files, dict)
        for rel, digest in files.items():
            owned[f"{package}/{rel}"] = digest
    return owned


def plan_changes(
    out: Path,
    packages: dict[str, dict[str, str]],
    manifest: dict[str, dict[str, object]],
    keep: set[str],
) -> Changes:
    """Compare the wanted files with the folder; refuse to touch files we did not write.

    `keep` names packages whose contracts were not rebuilt this time; their files stay as they are.
    """
    owned = _owned(manifest)
    changes = Changes()
    wanted = {f"{pkg}/{rel}": text for pkg, files in packages.items() for rel, text in files.items()}
    for rel, text in sorted(wanted.items()):
        target = out / rel
        new = text.encode("utf-8")
        if not target.exists():
            changes.added.append(rel)
            changes.diff += _diff(rel, "", text)
            continue
        old = target.read_bytes()
        if old == new:
            continue
        if rel not in owned:
            raise WriteError(
                f"{target}: exists but contractgen did not write it; move it away or delete it, "
                "then build again"
            )
        changes.changed.append(rel)
        changes.diff += _diff(rel, old.decode("utf-8", errors="replace"), text)
    for rel in sorted(owned):
        package = rel.split("/", 1)[0]
        if rel in wanted or package in keep or not (out / rel).exists():
            continue
        changes.removed.append(rel)
        changes.diff += _diff(rel, (out / rel).read_text("utf-8", errors="replace"), "")
    return changes


def _diff(rel: str, old: str, new: str) -> list[str]:
    return list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{rel}" if old else "/dev/null",
            tofile=f"b/{rel}" if new else "/dev/null",
        )
    )


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock; a second build fails at once with a clear message."""
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK, "a+b")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WriteError(
                f"{out / LOCK}: another contractgen build is writing {out}; wait for it to finish"
            ) from None
        recover(out)
        yield
    finally:
        handle.close()


def recover(out: Path) -> None:
    """Finish or discard a build that was interrupted."""
    txn = out / TXN
    if not txn.exists():
        return
    journal = txn / JOURNAL
    if journal.exists():
        _apply(out, json.loads(journal.read_text("utf-8")))
    shutil.rmtree(txn, ignore_errors=True)


def next_manifest(
    manifest: dict[str, dict[str, object]],
    packages: dict[str, dict[str, str]],
    meta: dict[str, dict[str, str]],
    removed_packages: set[str],
    generator: str,
) -> str:
    """The manifest text after this build: our files with their hashes, and each input's hash."""
    entries = {pkg: entry for pkg, entry in manifest.items() if pkg not in removed_packages}
    for pkg, files in packages.items():
        entry: dict[str, object] = dict(meta.get(pkg, {}))
        entry["files"] = {rel: _sha(text.encode("utf-8")) for rel, text in sorted(files.items())}
        entries[pkg] = entry
    body = {"generator": generator, "packages": dict(sorted(entries.items()))}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def commit(out: Path, packages: dict[str, dict[str, str]], changes: Changes, manifest_text: str) -> None:
    """Stage every new file and the manifest, journal the plan, then move files into place."""
    txn = out / TXN
    shutil.rmtree(txn, ignore_errors=True)
    try:
        txn.mkdir(parents=True)
        moves = []
        for i, rel in enumerate(changes.added + changes.changed):
            pkg, inner = rel.split("/", 1)
            staged = txn / f"{i:05d}"
            _write_synced(staged, packages[pkg][inner].encode("utf-8"))
            moves.append([staged.name, rel])
        _write_synced(txn / "manifest", manifest_text.encode("utf-8"))
        moves.append(["manifest", MANIFEST])
        journal: Journal = {"moves": moves, "remove": changes.removed}
        _write_synced(txn / (JOURNAL + ".tmp"), json.dumps(journal).encode())
        os.replace(txn / (JOURNAL + ".tmp"), txn / JOURNAL)  # the commit point
        _fsync_dir(txn)
    except OSError as exc:
        shutil.rmtree(txn, ignore_errors=True)
        raise WriteError(f"cannot write to {out}: {exc.strerror}; the old output is unchanged") from None
    _apply(out, journal)
    shutil.rmtree(txn, ignore_errors=True)


def _apply(out: Path, journal: Journal) -> None:
    """Idempotent: running it twice (after a crash half-way) gives the same result."""
    txn = out / TXN
    for staged, rel in journal["moves"]:
        source, target = txn / staged, out / rel
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for rel in journal["remove"]:
        target = out / rel
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out and parent.exists() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
