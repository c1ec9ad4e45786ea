"""What a generated package depends on, hashed cheaply: a no-op build needs nothing heavier.

Kept apart from the render stage so that deciding "nothing changed" imports no template engine,
no Polars and no Pydantic.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from contractgen import __version__

# Output path inside the package folder → template. `{package}` is the import name.
FILES = {
    "pyproject.toml": "pyproject.toml.jinja",
    "{package}/__init__.py": "package/__init__.py.jinja",
    "{package}/models.py": "package/models.py.jinja",
    "{package}/frame.py": "package/frame.py.jinja",
    "{package}/spark.py": "package/spark.py.jinja",
    "CHANGELOG.md": "CHANGELOG.md.jinja",
}
# The files of a dataset package beside its tables' subpackages (`build --layout dataset`).
DATASET_FILES = {
    "pyproject.toml": "pyproject.toml.jinja",
    "{package}/__init__.py": "dataset/__init__.py.jinja",
    "CHANGELOG.md": "dataset/CHANGELOG.md.jinja",
}
# Data files beside the templates' output: rendered from data the build hands in, not templates.
DATA_FILES = ("{package}/schema.json",)  # the row's JSON Schema, from the exporter


def builtin_templates() -> Path:
    """The templates shipped inside this package (`contractgen/codegen/templates/`)."""
    return Path(__file__).resolve().parent / "templates"


def template_fingerprint(user_dir: Path | None, dataset: bool = False) -> bytes:
    """The bytes of every template in use, so that a template change shows in the header hash."""
    parts = []
    names = {*FILES.values(), *DATASET_FILES.values()} if dataset else set(FILES.values())
    for name in sorted(names):
        for folder in (user_dir, builtin_templates()):
            if folder is not None and (folder / name).is_file():
                parts.append(name.encode() + b"\0" + (folder / name).read_bytes())
                break
    return b"\0\0".join(parts)


def content_hash(source: bytes, templates: bytes) -> str:
    """What the header names: the contract text, the templates and the generator version."""
    digest = hashlib.sha256()
    for part in (__version__.encode(), source, templates):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:16]


_GENERATOR: list[str] = []


def generator_modules() -> list[Path]:
    """Every module of the generator, in every subpackage; the runtime's are not the generator."""
    package = Path(__file__).resolve().parent.parent
    found = (path for path in package.rglob("*.py") if path.relative_to(package).parts[0] != "runtime")
    return sorted(found, key=lambda path: path.relative_to(package).as_posix())


def generator_fingerprint() -> str:
    """A hash of the generator's own code, so that a changed generator is never mistaken for a
    no-op. Releases change it with the version; editable installs on every edit of a module."""
    if not _GENERATOR:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(__version__.encode())
        for path in generator_modules():
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _GENERATOR.append(digest.hexdigest()[:16])
    return _GENERATOR[0]
