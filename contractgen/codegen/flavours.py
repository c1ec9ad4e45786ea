"""Other model flavours: the row's JSON Schema → dataclasses, TypedDicts or msgspec Structs.

Pydantic models come from our own templates (exact, and the readers return them). For the other
flavours datamodel-code-generator is the well-kept tool: it turns the row's JSON Schema, in the
variant that describes a row as `DataFrame.to_dicts()` gives it (every column present, dates as
dates, decimals as Decimal), into `{package}/records.py`. It is an optional extra
(`contractgen[models]`), imported only here and only when a build asks for a flavour, so a no-op
build never pays for it.
"""

from __future__ import annotations

import ast
import json
import unicodedata
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING

from contractgen.codegen.literal import py_str, toml_str

if TYPE_CHECKING:
    from contractgen.codegen.plan import PackagePlan

FLAVOURS = ("pydantic", "dataclass", "typeddict", "msgspec")
RECORDS = "{package}/records.py"
# What a flavour's records.py imports beyond the standard library and the package's own runtime.
DEPENDENCIES = {"msgspec": ("msgspec>=0.18,<1",)}


def with_dependencies(plan: PackagePlan, flavour: str) -> PackagePlan:
    """The plan whose pyproject.toml also depends on what `flavour`'s records.py imports."""
    extra = DEPENDENCIES.get(flavour, ())
    if not extra:
        return plan
    listed = ", ".join((plan.pyproject.requirements, *(toml_str(d) for d in extra)))
    return replace(plan, pyproject=replace(plan.pyproject, requirements=listed))


def _header(header: str, flavour: str) -> str:
    return f'{header}\n"""{flavour} row classes, from the row\'s JSON Schema as Polars hands it over."""'


class FlavourError(Exception):
    """The flavour cannot be produced (the extra is not installed, the generator failed, or the
    contract holds what the flavour's classes cannot); `hint` says what to do."""

    def __init__(self, message: str, hint: str = "build with --models pydantic") -> None:
        super().__init__(message)
        self.hint = hint


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def refusal(json_schema: str, flavour: str) -> FlavourError | None:
    """What in the row makes `flavour`'s classes wrong, if anything.

    datamodel-code-generator writes column names and enum values into records.py without
    escaping invisible characters; Python normalises attribute names (NFKC), so `µs` would become
    `μs` and full-width `ｉｄ` would become `id`; msgspec refuses field names with a quote or a
    backslash; and a dataclass's `from_row` does not turn nested mappings into nested classes.
    """
    names: list[tuple[str, str]] = []  # (what, text)
    nested: list[str] = []

    def walk(schema: dict[str, object], path: str) -> None:
        options = schema.get("anyOf")
        for option in options if isinstance(options, list) else []:
            if isinstance(option, dict):
                walk(option, path)
        values = schema.get("enum")
        if isinstance(values, list):
            names.extend((f"an enum value of '{path}'", str(v)) for v in values)
        items = schema.get("items")
        if isinstance(items, dict):
            walk(items, path + "[]")
        properties = schema.get("properties")
        if isinstance(properties, dict):
            if path:
                nested.append(path)
            for name, sub in properties.items():
                names.append(("column", name))
                if isinstance(sub, dict):
                    walk(sub, f"{path}.{name}" if path else name)

    walk(json.loads(json_schema), "")
    for what, text in names:
        if any(unicodedata.category(c) in _INVISIBLE for c in text):
            return FlavourError(
                f"{what} {py_str(text)} holds an invisible or control character, which "
                f"datamodel-code-generator would write into records.py unescaped",
                "rename it, or build with --models pydantic",
            )
        if what == "column" and flavour != "typeddict" and unicodedata.normalize("NFKC", text) != text:
            return FlavourError(
                f"column {py_str(text)} changes under Unicode normalisation (NFKC), which Python applies "
                f"to attribute names: {flavour} records would hold it under another name",
                "use --models typeddict (its keys are the column names), or rename the column",
            )
        if what == "column" and flavour == "msgspec" and ('"' in text or "\\" in text):
            return FlavourError(
                f"column {py_str(text)} has a quote or a backslash, which msgspec refuses in a field name",
                "use --models typeddict, or rename the column",
            )
    if flavour == "dataclass" and nested:
        return FlavourError(
            f"'{nested[0]}' is a struct: dataclass records do not turn nested mappings into classes",
            "use --models typeddict or msgspec for nested rows",
        )
    return None


def records(json_schema: str, flavour: str, class_name: str, header: str) -> str:
    """The module of `flavour` row classes for one package, formatted and deterministic."""
    try:
        from datamodel_code_generator import DatetimeClassType, LiteralType, generate  # noqa: PLC0415 -- optional and heavy: only when asked
        from datamodel_code_generator.enums import DataModelType, InputFileType  # noqa: PLC0415
        from datamodel_code_generator.format import Formatter, PythonVersion  # noqa: PLC0415
    except ImportError:
        raise FlavourError(
            f"--models {flavour} needs datamodel-code-generator",
            "install contractgen[models], or build with --models pydantic",
        ) from None
    refused = refusal(json_schema, flavour)
    if refused is not None:
        raise refused
    kinds = {
        "dataclass": DataModelType.DataclassesDataclass,
        "typeddict": DataModelType.TypingTypedDict,
        "msgspec": DataModelType.MsgspecStruct,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its notices about future defaults are not ours to show
        try:
            code = generate(
                json_schema,
                input_file_type=InputFileType.JsonSchema,
                output_model_type=kinds[flavour],
                target_python_version=PythonVersion.PY_311,
                class_name=class_name,
                # date, time and datetime objects, as Polars hands them over (not ISO text)
                output_datetime_class=DatetimeClassType.Datetime,
                # enum values are the text Polars hands over, never members of an Enum class
                enum_field_as_literal=LiteralType.All,
                disable_timestamp=True,
                custom_file_header=_header(header, flavour),
                use_double_quotes=True,
                use_standard_collections=True,
                use_union_operator=True,
                formatters=[Formatter.BLACK, Formatter.ISORT],
            )
        except Exception as exc:  # any failure of the generator is reported, never a traceback
            raise FlavourError(f"datamodel-code-generator could not write {flavour} classes: {exc}") from None
    if not isinstance(code, str):
        raise FlavourError(f"datamodel-code-generator wrote several modules for {flavour}; expected one")
    code = code.rstrip("\n") + "\n"
    if flavour != "dataclass":
        return code
    import isort  # noqa: PLC0415 -- comes with datamodel-code-generator, needed only here

    future = "from __future__ import annotations\n"
    # Module names, not `Mapping` and `Any`: a table named `any` or `mapping` is a class of that name.
    typed = code.replace(future, future + "import collections.abc as _abc\nimport typing as _typing\n", 1)
    return isort.code(typed + _from_row(code, json_schema, class_name), profile="black")


def _from_row(code: str, json_schema: str, class_name: str) -> str:
    """A dataclass has no aliases, and its attributes are identifiers made from the column names
    (`a b` → `a_b`): add the column → attribute map and `from_row`, so a row keyed by column
    names still makes a record. The attributes come in the schema's (the contract's) order."""
    columns = list(json.loads(json_schema)["properties"])
    classes = [n for n in ast.parse(code).body if isinstance(n, ast.ClassDef)]
    # The row's class, which the generator renames when its name is taken (`Decimal` → `DecimalModel`).
    row = next((n for n in classes if n.name == class_name), classes[-1] if classes else None)
    names = [
        s.target.id
        for s in (row.body if row else [])
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    ]
    if row is None or len(names) != len(columns) or len(set(names)) != len(names):
        raise FlavourError(
            f"datamodel-code-generator wrote {len(set(names))} attributes for {len(columns)} columns"
        )
    # Every field is required (a row holds every column), so none is moved after the others:
    # the attributes come in the columns' order.
    pairs = "".join(f"    {py_str(c)}: {py_str(n)},\n" for c, n in zip(columns, names, strict=True))
    return (
        "\n\n# Column names as rows carry them → attributes of the dataclass, which has no aliases.\n"
        f"COLUMNS: dict[str, str] = {{\n{pairs}}}\n\n\n"
        f"def from_row(row: _abc.Mapping[str, _typing.Any]) -> {row.name}:\n"
        f'    """A {row.name} from a row keyed by column names; an unknown column is a KeyError."""\n'
        f"    return {row.name}(**{{COLUMNS[name]: value for name, value in row.items()}})\n"
    )


def add_records(
    files: dict[str, str], flavour: str, json_schema: str, plan: PackagePlan
) -> tuple[str, str] | None:
    """Add `records.py` of `flavour` to a rendered package; the problem and its hint if it cannot."""
    if flavour == "pydantic":
        return None
    try:
        files[RECORDS.format(package=plan.package.replace(".", "/"))] = records(
            json_schema, flavour, plan.row_model, plan.header
        )
    except FlavourError as exc:
        return str(exc), exc.hint
    return None
