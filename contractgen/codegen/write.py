"""Write stage: rendered files → the output folder, atomically, touching only our own files.

The output folder holds a manifest of every file contractgen wrote, with its digest. A build
stages all new files in a transaction folder, records the plan in a journal, then moves files into
place. A build that is interrupted is rolled forward (journal present) or discarded (no journal) by
the next one, so the folder is never left half old and half new. A lock keeps two builds from
interleaving.

The output folder is a confinement boundary and everything in it is untrusted: it arrives through
pull requests. Every path read from the manifest, the journal or a package folder goes through
`confined`, which refuses absolute paths, `..` and symbolic links; a file is replaced or removed
only when its content is what the manifest (or the journal) recorded; damaged metadata is a
located `WriteError`, never a traceback.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

MANIFEST = ".contractgen-manifest.json"
LOCK = ".contractgen.lock"
TXN = ".contractgen-txn"
JOURNAL = "journal.json"

_DIGEST = re.compile(r"[0-9a-f]{64}")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


class Journal(TypedDict):
    """What a commit does, written before it starts.

    `moves`: [staged name, path] pairs; `remove`: [path, digest of the file we wrote] pairs.
    """

    moves: list[list[str]]
    remove: list[list[str]]


class WriteError(Exception):
    """The output folder cannot be read or written as asked; nothing was changed.

    With a `path`, the message reads `path: error: ...`, like every located diagnostic.
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        self.message, self.path = message, path
        super().__init__(f"error: {message}" if path is None else f"{path}: error: {message}")


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


def _lexical(relative: object) -> str | None:
    """Why `relative` cannot name a place inside the output folder; None when it can."""
    if not isinstance(relative, str) or not relative:
        return "is not a relative path"
    if relative.startswith("/"):
        return "is an absolute path"
    parts = relative.split("/")
    if ".." in parts:
        return "leaves the output folder through '..'"
    if "\0" in relative or any(part in ("", ".") for part in parts):
        return "is not a plain relative path"
    return None


def _unconfined(out: Path, relative: str) -> tuple[Path, str] | None:
    """Where and why `out / relative` leaves `out` or passes through a link; None when it does not."""
    problem = _lexical(relative)
    if problem is not None:
        return out, f"is asked for {relative!r}, which {problem}"
    path = out
    parts = relative.split("/")
    for depth, part in enumerate(parts, 1):
        path /= part
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return None  # nothing below a missing name exists
        except OSError as exc:
            return path, f"cannot be read: {exc.strerror}"
        if stat.S_ISLNK(mode):
            return path, "is a symbolic link; contractgen never follows a link inside its output folder"
        if depth < len(parts) and not stat.S_ISDIR(mode):
            return path, "is not a folder"
    return None


def confined(out: Path, relative: str) -> Path:
    """`out / relative`, refused unless it stays inside `out`: no absolute path, no `..`, no link.

    Every component is checked with lstat, so a symbolic link anywhere on the way (the last
    component included) is refused, never followed. A missing component ends the walk: the rest is
    created later, under the lock, by us.
    """
    problem = _unconfined(out, relative)
    if problem is not None:
        where, why = problem
        raise WriteError(f"{why}; replace it with what git has, or delete it, then build again", where)
    return out / relative


def check_out(out: Path) -> None:
    """Refuse an output folder that is, or is reached through, a symbolic link.

    git stores links, so a pull request can replace `generated/` (or a folder on the way to it)
    with one pointing anywhere. The folder itself and, for a path inside the working directory,
    every component from there down are checked with lstat; links above the working directory
    (such as /tmp on some systems) are the machine's, not the repository's, and are allowed.
    """
    cwd = Path.cwd()
    absolute = out if out.is_absolute() else cwd / out
    try:
        parts = absolute.relative_to(cwd).parts
    except ValueError:
        parts = ()
    base, steps = (cwd, parts) if parts else (absolute, ())
    candidates = [base / Path(*parts[:i]) for i in range(1, len(steps) + 1)] or [absolute]
    for path in candidates:
        try:
            is_link = stat.S_ISLNK(path.lstat().st_mode)
        except OSError:
            return  # missing: nothing below it exists yet, and we create it ourselves
        if is_link:
            shown = path.relative_to(cwd) if parts else path
            raise WriteError(
                "is a symbolic link, and contractgen writes only into a real folder, never through a "
                "link (a pull request can replace the output folder with one); replace it with a "
                "folder (restore it from git, or delete it), or give --out a real folder",
                shown,
            )


def _read_regular(path: Path) -> bytes | None:
    """The bytes of the regular file at a confined path; None when nothing is there."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"cannot be read: {exc.strerror}", path) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise WriteError(
            "is not a regular file, and contractgen reads and writes only files; "
            "move it away or delete it, then build again",
            path,
        )
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def load_json(out: Path, relative: str, what: str, fix: str) -> object | None:
    """The JSON value of a metadata file inside `out`; None when the file is absent.

    Invalid UTF-8 or JSON and git conflict markers are located errors that end with `fix`.
    """
    path = confined(out, relative)
    raw = _read_regular(path)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WriteError(f"{what} is not UTF-8; {fix}", path) from None
    if _CONFLICT.search(text):
        raise WriteError(f"{what} holds unresolved git conflict markers; {fix}", path)
    try:
        value: object = json.loads(text)
    except ValueError as exc:
        raise WriteError(f"{what} is not valid JSON ({exc}); {fix}", path) from None
    return value


def read_manifest(out: Path) -> dict[str, dict[str, object]]:
    """The packages contractgen wrote last time, with their files and input hashes."""
    return _manifest(out)[1]


def read_generator(out: Path) -> str | None:
    """The fingerprint of the generator that wrote the folder last time."""
    return _manifest(out)[0]


def manifest_text(out: Path) -> str:
    """The manifest as it is on disk ('' when there is none)."""
    raw = _read_regular(confined(out, MANIFEST))
    return "" if raw is None else raw.decode("utf-8", errors="replace")


def _manifest(out: Path) -> tuple[str | None, dict[str, dict[str, object]]]:
    fix = f"restore it from git, or delete {out} and build again"
    data = load_json(out, MANIFEST, "the manifest", fix)
    if data is None:
        return None, {}
    problem = _manifest_problem(data)
    if problem is not None:
        raise WriteError(f"the manifest {problem}; {fix}", out / MANIFEST)
    assert isinstance(data, dict)
    return data.get("generator"), data["packages"]


def _manifest_problem(data: object) -> str | None:  # noqa: PLR0911 -- one return per kind of damage
    """What makes `data` something other than a manifest we wrote; None when nothing does."""
    if not isinstance(data, dict) or not isinstance(data.get("packages"), dict):
        return "is not an object with a 'packages' object"
    if not isinstance(data.get("generator", ""), str):
        return "has a 'generator' that is not text"
    for package, entry in data["packages"].items():
        if _lexical(package) is not None or "/" in package:
            return f"names the package folder {package!r}, which is not a folder inside the output folder"
        if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
            return f"has no 'files' object for package {package!r}"
        if any(not isinstance(entry.get(key, ""), str) for key in ("source", "hash", "layout")):
            return f"has a 'source', 'hash' or 'layout' that is not text for package {package!r}"
        for rel, digest in entry["files"].items():
            problem = _lexical(rel)
            if problem is not None:
                return f"names the file {package}/{rel}, which {problem}"
            if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
                return f"has no sha256 digest for {package}/{rel}"
    return None


def _is_ours(path: Path, digest: object, record: str = "the manifest") -> bytes:
    """The bytes of a file we recorded with `digest`; refused when its content is something else."""
    data = _read_regular(path)
    if data is not None and _sha(data) != digest:
        raise WriteError(
            f"is not the file contractgen wrote (its content does not match the digest in {record}), "
            "so it is neither replaced nor removed; restore it from git, or move it away or delete "
            "it, then build again",
            path,
        )
    return b"" if data is None else data


_CACHES = frozenset({"__pycache__"})
_BUILT = frozenset({"build", "dist"})  # what building a wheel leaves beside pyproject.toml
_IMPORTABLE = frozenset({".py", ".pyc", ".pyd", ".so", ".pth"})  # what Python imports or runs
_PYC_FLAGS = slice(4, 8)  # a .pyc header: magic number, then the flags word


def unlisted(out: Path, manifest: dict[str, dict[str, object]]) -> list[str]:
    """Files the manifest does not list that Python would ship or import from a package folder
    (a folder no entry names counts whole: the output folder holds packages only).

    Inside the import folder, every file but Python's own caches (its wheel ships them all);
    beside it, what Python imports from a folder on its path (modules and packages, as on
    `PYTHONPATH=generated/<package>` or in an editable install). Hidden files and folders (an
    editor's, a tool's) are not imported and not counted, nor is what building a wheel leaves.
    A .pyc counts when Python would run it without comparing it with a source: outside
    `__pycache__`, or hash-based and unchecked.
    """
    found: list[str] = []
    if not manifest or not out.is_dir() or out.is_symlink():
        return found  # not (yet) an output folder of ours
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        listed = manifest.get(folder.name, {}).get("files")
        listed = listed if isinstance(listed, dict) else {}
        if folder.is_symlink():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            parts = rel.parts
            if path.is_dir() or rel.as_posix() in listed or any(p.startswith(".") for p in parts):
                continue
            if parts[0] in _BUILT or parts[0].endswith(".egg-info"):
                continue
            shipped = parts[0] == folder.name  # inside the import folder
            if not shipped and path.suffix not in _IMPORTABLE:
                continue
            if path.suffix == ".pyc" and _CACHES.intersection(parts) and not _unchecked_bytecode(path):
                continue
            if path.suffix != ".pyc" and _CACHES.intersection(parts):
                continue
            found.append(f"{folder.name}/{rel.as_posix()}")
    return found


def _unchecked_bytecode(path: Path) -> bool:
    """A cached .pyc that Python runs whatever its source says (PEP 552: hash-based, unchecked)."""
    if path.is_symlink():
        return True
    with path.open("rb") as handle:
        header = handle.read(_PYC_FLAGS.stop)
    flags = int.from_bytes(header[_PYC_FLAGS], "little") if len(header) == _PYC_FLAGS.stop else 0
    return bool(flags & 1) and not flags & 2


def intact(out: Path, package: str, entry: dict[str, object]) -> bool:
    """Every file the manifest lists for `package` is on disk with the content we wrote."""
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return False
    for rel, digest in files.items():
        try:
            data = _read_regular(confined(out, f"{package}/{rel}"))
        except WriteError:
            return False  # the build that follows says why
        if data is None or _sha(data) != digest:
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
    Only a file whose path is confined, that is a regular file and whose content is what we
    recorded is replaced or removed, or shown in the diff.
    """
    owned = _owned(manifest)
    changes = Changes()
    wanted = {f"{pkg}/{rel}": text for pkg, files in packages.items() for rel, text in files.items()}
    for rel, text in sorted(wanted.items()):
        target = confined(out, rel)
        new = text.encode("utf-8")
        old = _read_regular(target)
        if old is None:
            changes.added.append(rel)
            changes.diff += _diff(rel, "", text)
            continue
        if old == new:
            continue
        if rel not in owned:
            raise WriteError(
                "exists but contractgen did not write it; move it away or delete it, then build again",
                target,
            )
        _is_ours(target, owned[rel])
        changes.changed.append(rel)
        changes.diff += _diff(rel, old.decode("utf-8", errors="replace"), text)
    for rel, digest in sorted(owned.items()):
        package = rel.split("/", 1)[0]
        if rel in wanted or package in keep:
            continue
        target = confined(out, rel)
        old = _is_ours(target, digest)
        if not os.path.lexists(target):
            continue
        changes.removed.append(rel)
        changes.diff += _diff(rel, old.decode("utf-8", errors="replace"), "")
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
    path = confined(out, LOCK)
    try:  # never through a link: a planted one would make us create a file outside
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        raise WriteError(f"cannot open the lock: {exc.strerror}", path) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WriteError(
                f"another contractgen build is writing {out}; wait for it to finish", path
            ) from None
        recover(out)
        yield
    finally:
        os.close(fd)


def recover(out: Path) -> None:
    """Finish or discard a build that was interrupted; refuse a journal we could not have written."""
    txn = confined(out, TXN)
    if not txn.is_dir():
        return  # nothing to recover; a stray file there makes the commit fail with its reason
    fix = f"if no build of yours was interrupted, delete {txn} and build again"
    data = load_json(out, f"{TXN}/{JOURNAL}", "the transaction journal", fix)
    if data is not None:
        _apply(out, _checked_journal(out, data, fix))
    shutil.rmtree(txn, ignore_errors=True)


def _checked_journal(out: Path, data: object, fix: str) -> Journal:
    """`data` as a journal, if every step stays inside `out` and touches only our own files.

    Checked in full before any step runs: a journal with one bad step is not applied at all.
    A move still pending replaces a file the manifest on disk lists (the manifest moves last);
    a removal names the digest of the file it removes.
    """
    path = out / TXN / JOURNAL

    def refuse(problem: str) -> WriteError:
        return WriteError(
            f"the transaction journal {problem}; it was not applied, nothing changed; {fix}", path
        )

    if (
        not isinstance(data, dict)
        or not _pairs(data.get("moves"))
        or not _pairs(data.get("remove"))
        or not all(_DIGEST.fullmatch(digest) for _, digest in data["remove"])
    ):
        raise refuse("is not one contractgen writes (it needs 'moves' and 'remove' lists of pairs)")
    for rel in [rel for _, rel in data["moves"]] + [rel for rel, _ in data["remove"]]:
        problem = _unconfined(out, rel)
        if problem is not None:
            lexical = _lexical(rel)
            raise refuse(
                f"names {rel!r}, which {lexical}"
                if lexical
                else f"names {rel!r}, but {problem[0]} {problem[1]}"
            )
    owned = _owned(read_manifest(out))
    for staged, rel in data["moves"]:
        if _lexical(staged) is not None or "/" in staged:
            raise refuse(f"moves {staged!r}, which is not a file of {out / TXN}")
        if _read_regular(confined(out, f"{TXN}/{staged}")) is None or rel == MANIFEST:
            continue  # moved already; the manifest is ours to replace
        target = out / rel
        if rel in owned:
            _is_ours(target, owned[rel])
        elif os.path.lexists(target):
            raise refuse(f"would replace {target}, which contractgen did not write")
    for rel, digest in data["remove"]:
        _is_ours(out / rel, digest, "the transaction journal")
    return Journal(moves=data["moves"], remove=data["remove"])


def _pairs(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)  # noqa: PLR2004 -- a pair
        for item in value
    )


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
    owned = _owned(read_manifest(out))
    try:
        txn.mkdir(parents=True)
        moves = []
        for i, rel in enumerate(changes.added + changes.changed):
            pkg, inner = rel.split("/", 1)
            staged = txn / f"{i:05d}"
            _write_synced(staged, packages[pkg][inner].encode("utf-8"))
            moves.append([staged.name, rel])
        _write_synced(txn / "manifest", manifest_text.encode("utf-8"))
        moves.append(["manifest", MANIFEST])  # last: while a move is pending, the old manifest is on disk
        journal: Journal = {"moves": moves, "remove": [[rel, owned[rel]] for rel in changes.removed]}
        _write_synced(txn / (JOURNAL + ".tmp"), json.dumps(journal).encode())
        os.replace(txn / (JOURNAL + ".tmp"), txn / JOURNAL)  # the commit point
        _fsync_dir(txn)
    except OSError as exc:
        shutil.rmtree(txn, ignore_errors=True)
        raise WriteError(f"cannot write to {out}: {exc.strerror}; the old output is unchanged") from None
    _apply(out, journal)
    shutil.rmtree(txn, ignore_errors=True)


def _apply(out: Path, journal: Journal) -> None:
    """Idempotent: running it twice (after a crash half-way) gives the same result.

    The journal's paths are confined (checked by `plan_changes` or `_checked_journal`).
    """
    txn = out / TXN
    for staged, rel in journal["moves"]:
        source, target = txn / staged, out / rel
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for rel, _ in journal["remove"]:
        (out / rel).unlink(missing_ok=True)
        # Remove the folders this emptied, deepest first, never `out` itself nor above it.
        parts = rel.split("/")[:-1]
        while parts:
            folder = out.joinpath(*parts)
            if not folder.is_dir() or folder.is_symlink() or any(folder.iterdir()):
                break
            folder.rmdir()
            parts.pop()


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
