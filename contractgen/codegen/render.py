"""Render stage: a `PackagePlan` → the text of every file in its package, through Jinja."""

from __future__ import annotations

from pathlib import Path

import jinja2

from contractgen.codegen.fingerprint import DATA_FILES, FILES
from contractgen.codegen.layout import statement
from contractgen.codegen.literal import py_str, toml_str
from contractgen.codegen.plan import PackagePlan, Statement

_MODULE_ALIAS = {"datetime": "_dt", "decimal": "_decimal", "typing": "_t", "typing_extensions": "_te"}


def _code(value: Statement, indent: str = "") -> str:
    return statement(value.prefix, value.value, indent)


def environment(user_dir: Path | None) -> jinja2.Environment:
    """Templates from `user_dir` first (a user's override of any file), then the built-in ones."""
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("contractgen.codegen", "templates")]
    if user_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(user_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["code"] = _code
    env.filters["py_str"] = py_str
    env.filters["toml_str"] = toml_str
    return env


def render(plan: PackagePlan, env: jinja2.Environment, *, json_schema: str) -> dict[str, str]:
    """Every file of the package, by path relative to the package folder, sorted.

    `json_schema` is the row's JSON Schema as the exporter writes it (`export/jsonschema.py`):
    data shipped with the package, handed in by the build because export and codegen are
    independent stages.
    """
    context = {name: getattr(plan, name) for name in plan.__dataclass_fields__}
    context["module_alias"] = _MODULE_ALIAS
    files = {
        path.format(package=plan.package): env.get_template(template).render(context)
        for path, template in FILES.items()
    }
    files[f"{plan.package}/py.typed"] = ""
    (schema_path,) = DATA_FILES
    files[schema_path.format(package=plan.package)] = json_schema
    files["contract.json"] = plan.snapshot
    files["changelog.json"] = plan.changelog_json
    return dict(sorted(files.items()))
