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
import keyword
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
    # msgspec's optional fields read `X | None | UnsetType`, the order its docs use.
    lint = "\n# ruff: noqa: RUF036" if flavour == "msgspec" else ""
    return f'{header}{lint}\n"""{flavour} row classes, from the row\'s JSON Schema."""'


class FlavourError(Exception):
    """The flavour cannot be produced (the extra is not installed, or the generator failed)."""


def records(json_schema: str, flavour: str, class_name: str, header: str) -> str:
    """The module of `flavour` row classes for one package, formatted and deterministic."""
    try:
        from datamodel_code_generator import DatetimeClassType, generate  # noqa: PLC0415 -- optional and heavy: only when asked
        from datamodel_code_generator.enums import DataModelType, InputFileType  # noqa: PLC0415
        from datamodel_code_generator.format import Formatter, PythonVersion  # noqa: PLC0415
    except ImportError:
        raise FlavourError(
            f"--models {flavour} needs datamodel-code-generator; install contractgen[models]"
        ) from None
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
    typed = code.replace(future, future + "from collections.abc import Mapping\nfrom typing import Any\n", 1)
    return isort.code(typed + _from_row(code, json_schema, class_name), profile="black")


def _from_row(code: str, json_schema: str, class_name: str) -> str:
    """A dataclass has no aliases, and its attributes are identifiers made from the column names
    (`a b` → `a_b`): add the column → attribute map and `from_row`, so a row keyed by column
    names still makes a record. The attributes come in the schema's (the contract's) order."""
    columns = list(json.loads(json_schema)["properties"])
    row = next(
        (n for n in ast.parse(code).body if isinstance(n, ast.ClassDef) and n.name == class_name), None
    )
    names = [
        s.target.id
        for s in (row.body if row else [])
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    ]
    if len(names) != len(columns):
        raise FlavourError(
            f"datamodel-code-generator wrote {len(names)} attributes for {len(columns)} columns"
        )
    for column, name in zip(columns, names, strict=True):
        if column.isidentifier() and not keyword.iskeyword(column) and name != column:
            # a reordered or renamed attribute would put values under the wrong names
            raise FlavourError(
                f"datamodel-code-generator wrote attribute '{name}' where column '{column}' is"
            )
    pairs = "".join(f"    {py_str(c)}: {py_str(n)},\n" for c, n in zip(columns, names, strict=True))
    return (
        "\n\n# Column names as rows carry them → attributes of the dataclass, which has no aliases.\n"
        f"COLUMNS: dict[str, str] = {{\n{pairs}}}\n\n\n"
        f"def from_row(row: Mapping[str, Any]) -> {class_name}:\n"
        f'    """A {class_name} from a row keyed by column names; an unknown column is a KeyError."""\n'
        f"    return {class_name}(**{{COLUMNS[name]: value for name, value in row.items()}})\n"
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
        return str(exc), "install contractgen[models], or build with --models pydantic"
    return None
