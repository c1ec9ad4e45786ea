"""`[tool.contractgen]` in the project's pyproject.toml; command-line flags override it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from contractgen.diagnostics import Diagnostic, Position, did_you_mean
from contractgen.policy import UNEXPECTED

KEYS = {
    "contracts": "folder of contracts (default: contracts)",
    "out": "folder for generated packages (default: generated)",
    "templates": "folder of Jinja templates overriding the built-in ones",
    "package_prefix": "text put before every generated package name, such as 'dc_'",
    "unexpected": "what generated readers do with extra columns by default: error, drop or keep",
    "layout": "one package per table ('table', the default) or per contract file ('dataset')",
    "models": "row classes besides the Pydantic models: 'pydantic' (none, the default), 'dataclass', "
    "'typeddict' or 'msgspec'",
}
MODELS = ("pydantic", "dataclass", "typeddict", "msgspec")
LAYOUTS = ("table", "dataset")
_PREFIX = re.compile(r"^[a-z_][a-z0-9_]*\Z")


@dataclass(frozen=True, slots=True)
class Config:
    root: Path = field(default_factory=Path)
    contracts: Path = Path("contracts")
    out: Path = Path("generated")
    templates: Path | None = None
    package_prefix: str = ""
    unexpected: str = "error"
    layout: str = "table"
    models: str = "pydantic"


def _position(text: str, key: str) -> Position:
    """Where `key` is set inside [tool.contractgen] (TOML parsers keep no positions)."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == "[tool.contractgen]"
            if inside and key == "":
                return Position(number, 1)
            continue
        if inside and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return Position(number, line.index(key) + 1)
    return Position(1, 1)


def load_config(folder: Path) -> tuple[Config, list[Diagnostic]]:
    """The configuration in `folder`/pyproject.toml, or the defaults when there is none."""
    path = folder / "pyproject.toml"
    if not path.is_file():
        return Config(root=folder), []
    shown = "pyproject.toml"
    text = path.read_text("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        pos = Position(int(match.group(1)), int(match.group(2))) if match else Position(1, 1)
        return Config(root=folder), [Diagnostic(shown, pos, "error", f"invalid TOML: {exc}".split(" (at")[0])]
    section = data.get("tool", {}).get("contractgen", {})
    errors: list[Diagnostic] = []
    if not isinstance(section, dict):
        return Config(root=folder), [
            Diagnostic(shown, _position(text, ""), "error", "[tool.contractgen] must be a table")
        ]
    values: dict[str, object] = {}
    for key, value in section.items():
        pos = _position(text, key)
        if key not in KEYS:
            hint = did_you_mean(key, KEYS)
            errors.append(Diagnostic(shown, pos, "error", f"unknown key '{key}' in [tool.contractgen]", hint))
            continue
        if not isinstance(value, str):
            errors.append(Diagnostic(shown, pos, "error", f"'{key}' must be a string", KEYS[key]))
            continue
        if key == "unexpected" and value not in UNEXPECTED:
            errors.append(
                Diagnostic(shown, pos, "error", f"unexpected = '{value}' is not a policy", KEYS[key])
            )
            continue
        if key == "models" and value not in MODELS:
            errors.append(Diagnostic(shown, pos, "error", f"models = '{value}' is not a flavour", KEYS[key]))
            continue
        if key == "layout" and value not in LAYOUTS:
            errors.append(Diagnostic(shown, pos, "error", f"layout = '{value}' is not a layout", KEYS[key]))
            continue
        if key == "package_prefix" and value and not _PREFIX.match(value):
            errors.append(
                Diagnostic(
                    shown,
                    pos,
                    "error",
                    f"package_prefix '{value}' is not a valid start of a Python name",
                    "use lowercase letters, digits and underscores",
                )
            )
            continue
        values[key] = folder / value if key in ("contracts", "out", "templates") else value
    return Config(root=folder, **values), errors  # type: ignore[arg-type]
