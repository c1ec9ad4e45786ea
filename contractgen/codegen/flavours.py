"""Other model flavours: the row's JSON Schema → dataclasses, TypedDicts or msgspec Structs.

Pydantic models come from our own templates (exact, and the readers return them). For the other
flavours datamodel-code-generator is the well-kept tool: it turns the exported JSON Schema into
`{package}/records.py`. It is an optional extra (`contractgen[models]`), imported only here and
only when a build asks for a flavour, so a no-op build never pays for it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractgen.codegen.plan import PackagePlan

FLAVOURS = ("pydantic", "dataclass", "typeddict", "msgspec")
RECORDS = "{package}/records.py"


def _header(header: str, flavour: str) -> str:
    # msgspec's optional fields read `X | None | UnsetType`, the order its docs use.
    lint = "\n# ruff: noqa: RUF036" if flavour == "msgspec" else ""
    return f'{header}{lint}\n"""{flavour} row classes, from the row\'s JSON Schema."""'


class FlavourError(Exception):
    """The flavour cannot be produced (the extra is not installed, or the generator failed)."""


def records(json_schema: str, flavour: str, class_name: str, header: str) -> str:
    """The module of `flavour` row classes for one package, formatted and deterministic."""
    try:
        from datamodel_code_generator import generate  # noqa: PLC0415 -- optional and heavy: only when asked
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
    return code.rstrip("\n") + "\n"


def add_records(
    files: dict[str, str], flavour: str, json_schema: str, plan: PackagePlan
) -> tuple[str, str] | None:
    """Add `records.py` of `flavour` to a rendered package; the problem and its hint if it cannot."""
    if flavour == "pydantic":
        return None
    try:
        files[RECORDS.format(package=plan.package)] = records(
            json_schema, flavour, plan.row_model, plan.header
        )
    except FlavourError as exc:
        return str(exc), "install contractgen[models], or build with --models pydantic"
    return None
