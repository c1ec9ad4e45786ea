"""Python names from column names: the only place where naming decisions are made.

Every function here is deterministic and total: any text gives a valid identifier, and a
`Namespace` makes names unique after normalisation, so two columns never share an attribute.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import sys
import unicodedata

# Attributes of pydantic.BaseModel that a field must not shadow (checked at import time by
# Pydantic for some, silently shadowed for others).
_MODEL_ATTRS = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
_BUILTINS = frozenset(dir(builtins))
# Builtins that generated annotations use: a class attribute of that name would shadow the type
# in the annotations of the fields after it.
_ANNOTATION_BUILTINS = frozenset({"bool", "bytes", "float", "int", "list", "str"})
# Pydantic warns about fields starting with these (its protected namespaces), suffix or not.
_PROTECTED = ("model_validate", "model_dump")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)  # camelCase → camel Case
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)  # HTTPCode → HTTP Code
    return [w for w in re.split(r"[^0-9A-Za-z]+", _ascii(text)) if w]


# Letters that do not decompose into ASCII but have a customary spelling in it.
_SPELLED = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "Oe",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
    }
)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    return "".join(c for c in decomposed if c.isascii())


# Longer names are cut and given a hash of the full name: generated lines then stay within the
# formatter's width in every construct (`name: Alias | None = _pd.Field(` fits in 88 columns).
MAX_NAME = 28


def _shorten(name: str, text: str) -> str:
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{name[: MAX_NAME - 7].rstrip('_')}_{digest}"


def snake(text: str) -> str:
    """`Customer ID` → `customer_id`; always a valid identifier, never private, never a keyword."""
    name = _shorten("_".join(w.lower() for w in _words(text)) or "field", text)
    if name[0].isdigit():
        name = f"f_{name}"
    if name.startswith(_PROTECTED):
        return f"f_{name}"
    if (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or name in _MODEL_ATTRS
        or name in _ANNOTATION_BUILTINS
    ):
        name = f"{name}_"
    if name.startswith("model_"):
        name = f"{name}_"  # Pydantic reserves the model_ namespace
    return name


def pascal(text: str) -> str:
    """`contract_type` → `ContractType`; always a valid identifier, never a builtin."""
    name = _shorten("".join(w[:1].upper() + w[1:] for w in _words(text)) or "Value", text)
    if name[0].isdigit():
        name = f"T{name}"
    if keyword.iskeyword(name) or name in _BUILTINS:
        name = f"{name}_"
    return name


def constant(text: str) -> str:
    """`contract_type` → `CONTRACT_TYPE`."""
    return snake(text).rstrip("_").upper() or "VALUE"


# Modules a generated package imports or sits beside: a package of the same name would shadow
# them (or be shadowed), so it gets the suffix `_contract`.
_TAKEN_MODULES = frozenset(sys.stdlib_module_names) | {
    "annotated_types",
    "contractgen",
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "typing_inspection",
}


def package(text: str, prefix: str = "") -> str:
    """A contract's data_source → the import name of its package, `prefix` in front: never a
    keyword, nor a module the package needs (either gets the suffix `_contract`)."""
    name = prefix + (snake(text).rstrip("_") or "contract")
    return f"{name}_contract" if name in _TAKEN_MODULES or keyword.iskeyword(name) else name


def dataset(file_name: str, prefix: str = "") -> str:
    """A contract file → the import name of its dataset package (`build --layout dataset`): the
    file's name up to its first dot, so `shop.odcs.yaml` gives `shop`."""
    return package(file_name.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0], prefix)


def module_path(data_source: str, file_name: str, prefix: str = "", layout: str = "table") -> str:
    """The dotted import path of a table's generated package under `layout`."""
    if layout == "dataset":
        return f"{dataset(file_name, prefix)}.{package(data_source)}"
    return package(data_source, prefix)


class Namespace:
    """Hands out unique names: the second `customer_id` becomes `customer_id_2`."""

    def __init__(self, reserved: frozenset[str] | set[str] = frozenset()) -> None:
        self._taken: set[str] = set()
        self._reserved = {r.casefold() for r in reserved}

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate.casefold() in self._reserved or candidate.casefold() in self._taken:
            n += 1
            candidate = f"{name.rstrip('_')}_{n}"
        self._taken.add(candidate.casefold())
        return candidate
