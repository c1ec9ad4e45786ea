"""Render stage: a `PackagePlan` → the text of every file in its package, through Jinja."""

from __future__ import annotations

from pathlib import Path

import jinja2

from contractgen.codegen.fingerprint import DATA_FILES, DATASET_FILES, FILES
from contractgen.codegen.layout import statement
from contractgen.codegen.literal import py_str, toml_str
from contractgen.codegen.plan import DatasetPlan, PackagePlan, Statement

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
    folder = plan.package.replace(".", "/")  # a table of a dataset is a subpackage
    files = {
        path.format(package=folder): env.get_template(template).render(context)
        for path, template in FILES.items()
    }
    files[f"{folder}/py.typed"] = ""
    (schema_path,) = DATA_FILES
    files[schema_path.format(package=folder)] = json_schema
    files["contract.json"] = plan.snapshot
    files["changelog.json"] = plan.changelog_json
    return dict(sorted(files.items()))


def render_dataset(
    plan: DatasetPlan, tables: dict[str, dict[str, str]], env: jinja2.Environment
) -> dict[str, str]:
    """Every file of a dataset package: its own files, then each table's subpackage.

    `tables` are the tables' rendered packages (`render` of plans made `within` the dataset), by
    table module.
    Their pyproject.toml and CHANGELOG.md give way to the dataset's, their `py.typed` to the
    top-level one, and their history files are kept as `<table>.contract.json` and
    `<table>.changelog.json` beside the dataset's pyproject.toml.
    """
    context = {name: getattr(plan, name) for name in plan.__dataclass_fields__}
    files = {
        path.format(package=plan.package): env.get_template(template).render(context)
        for path, template in DATASET_FILES.items()
    }
    files[f"{plan.package}/py.typed"] = ""
    for table in plan.tables:
        rendered = tables[table.module]
        inside = f"{plan.package}/{table.module}/"
        files.update((rel, text) for rel, text in rendered.items() if rel.startswith(inside))
        del files[f"{inside}py.typed"]
        files[f"{table.module}.contract.json"] = rendered["contract.json"]
        files[f"{table.module}.changelog.json"] = rendered["changelog.json"]
    return dict(sorted(files.items()))
