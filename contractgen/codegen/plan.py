"""Plan stage: `Contract` → every name, type and literal the generated package will contain.

Pure functions, no I/O. Templates only lay out what is decided here; every string from the
contract reaches the plan through `contractgen.codegen.literal`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from contractgen import __version__, naming
from contractgen.codegen.layout import LINE_LENGTH, Expr, Group, call, prefixed, split_call
from contractgen.codegen.literal import (
    comment,
    doc_text,
    md_text,
    py_doc,
    py_regex,
    py_str,
    py_value,
    toml_str,
    version_text,
)
from contractgen.contract import Contract, Field, FieldType
from contractgen.evolution.changelog import Changelog, Release, Section, first, releases
from contractgen.formats import PATTERNS as FORMAT_PATTERNS
from contractgen.formats import strptime_layout
from contractgen.snapshot import snapshot

# Names the package exports itself; contract-derived names must not take them.
_PACKAGE_NAMES = frozenset(
    {
        "CONTRACT_NAME",
        "CONTRACT_VERSION",
        "ContractViolationError",
        "SCHEMA",
        "TABLE",
        "anonymize",
        "frame",
        "models",
        "read_csv",
        "read_database",
        "read_parquet",
        "scan_parquet",
        "spark",
        "to_models",
        "validate",
    }
)
_INT_ALIAS = {
    (8, True): ("_Int8", "-128", "127"),
    (16, True): ("_Int16", "-32768", "32767"),
    (32, True): ("_Int32", "-(2**31)", "2**31 - 1"),
    (64, True): ("_Int64", "-(2**63)", "2**63 - 1"),
    (8, False): ("_UInt8", "0", "255"),
    (16, False): ("_UInt16", "0", "65535"),
    (32, False): ("_UInt32", "0", "2**32 - 1"),
    (64, False): ("_UInt64", "0", "2**64 - 1"),
}


@dataclass(frozen=True, slots=True)
class Statement:
    """`prefix` followed by an expression laid out to fit, such as `x: int = _pd.Field(...)`."""

    prefix: str
    value: Expr = ""


@dataclass(frozen=True, slots=True)
class EnumPlan:
    alias: str
    constant: str
    literal: Statement
    values: Statement


@dataclass(frozen=True, slots=True)
class OldName:
    """A deprecated property that keeps a renamed field's old attribute name working."""

    decorator: Statement  # @_te.deprecated("...")
    signature: Statement  # def old_name(self) -> T:
    target: str  # the new attribute it returns


@dataclass(frozen=True, slots=True)
class ModelPlan:
    name: str
    docstring: str  # a ready docstring literal
    fields: tuple[Statement, ...]
    old_names: tuple[OldName, ...] = ()
    validate_by_name: str = "True"  # "False" when an attribute is another column's name
    hide_input: bool = False  # a field is sensitive: validation errors must not echo the input


@dataclass(frozen=True, slots=True)
class Pyproject:
    """The values of pyproject.toml, each a ready TOML string literal."""

    name: str
    version: str
    description: str
    requirements: str  # the items of `dependencies`, each a TOML string, joined by ", "
    package: str


@dataclass(frozen=True, slots=True)
class PackagePlan:
    """Everything the templates need for one contract's package.

    Every text is ready for the place its name says; the plain ones are names from `naming` and
    a version checked whole as semver, which need no escaping anywhere but TOML.
    """

    package: str
    dist_name: str
    version: str
    header: str  # a whole `#` comment line, escaped
    title: str  # plain text for docstrings of generated modules (already escaped)
    pyproject: Pyproject
    description_literal: str  # a Python literal
    type_aliases: tuple[Statement, ...]  # bounded integer widths, then constrained list items
    enums: tuple[EnumPlan, ...]
    models: tuple[ModelPlan, ...]  # nested models first; the row model last
    row_model: str
    models_imports: tuple[str, ...]
    schema: Statement
    table: Statement
    frame_imports: tuple[str, ...]
    exports: tuple[str, ...]
    model_exports: tuple[str, ...]
    to_models_def: Statement
    name_literal: str
    version_literal: str
    snapshot: str
    releases: tuple[Release, ...]
    changelog_json: str
    generator_version: str
    runtime_requirement: str
    spark_requirement: str  # the runtime with its Spark extra, for the package's `spark` extra
    unexpected_literal: str = '"error"'  # the readers' default policy for extra columns


def plan(  # noqa: PLR0913 -- the contract and the build options it is planned under
    contract: Contract,
    display_path: str,
    digest: str,
    log: Changelog | None = None,
    *,
    prefix: str = "",
    unexpected: str = "error",
    within: str = "",
) -> PackagePlan:
    """Decide every name, type and literal of `contract`'s generated package.

    `log` is the contract's changelog with this version's entry; a first version's by default.
    `within` names the dataset package the table's package sits in (`shop` → `shop.orders`).
    """
    planned = _Planner(contract).build(display_path, digest, log or first(contract))
    package = f"{within}.{planned.package}" if within else naming.package(contract.data_source, prefix)
    # A table of a dataset ships in the dataset's distribution.
    dist_name = within.replace("_", "-") if within else planned.dist_name
    return replace(
        planned,
        package=package,
        dist_name=dist_name,
        pyproject=_pyproject(dist_name, package, planned.version),
        unexpected_literal=py_str(unexpected),
    )


def _pyproject(dist_name: str, package: str, version: str) -> Pyproject:
    return Pyproject(
        name=toml_str(dist_name),
        version=toml_str(version),
        description=toml_str(f"Typed, checked client for the {package} data contract."),
        requirements=toml_str(f"contractgen>={_minor(__version__)},<{_next_minor(__version__)}"),
        package=toml_str(package),
    )


@dataclass(frozen=True, slots=True)
class TablePlan:
    """One table of a dataset package, for the dataset's own files."""

    module: str  # the table's subpackage name, such as `orders`
    title: str  # plain text for docstrings (already escaped)
    heading: str  # the table's name for Markdown (already escaped)
    releases: tuple[Release, ...]


@dataclass(frozen=True, slots=True)
class DatasetPlan:
    """The files of a dataset package beside its tables' subpackages: pyproject.toml, the
    top-level `__init__.py` and CHANGELOG.md."""

    package: str
    version: str
    version_literal: str
    header: str
    title: str
    pyproject: Pyproject
    spark_requirement: str
    tables: tuple[TablePlan, ...]


def dataset_plan(package: str, title: str | None, tables: list[PackagePlan]) -> DatasetPlan:
    """The dataset package `package` holding `tables` (planned with `within=package`), which come
    from one file and so share its header and version."""
    one = tables[0]
    listed = ", ".join(
        dict.fromkeys(r for t in tables for r in t.pyproject.requirements.split(", "))
    )  # every table's requirements (a model flavour adds some), each once
    pyproject = replace(_pyproject(package.replace("_", "-"), package, one.version), requirements=listed)
    return DatasetPlan(
        package=package,
        version=one.version,
        version_literal=one.version_literal,
        header=one.header,
        title=doc_text(title or package),
        pyproject=pyproject,
        spark_requirement=one.spark_requirement,
        # ruff's order for the `from` import and `__all__` alike, all names being lowercase
        tables=tuple(sorted(map(_table_plan, tables), key=lambda t: _isort_key(t.module))),
    )


def _table_plan(planned: PackagePlan) -> TablePlan:
    module = planned.package.rsplit(".", 1)[1]  # `shop.orders` → `orders`
    return TablePlan(module, planned.title, md_text(module), planned.releases)


def md_releases(log: Changelog) -> tuple[Release, ...]:
    """The changelog's releases for CHANGELOG.md, every text escaped for Markdown.

    changelog.json lives in the output folder, so its text is as untrusted as a contract's.
    """
    return tuple(
        Release(
            md_text(r.version),
            md_text(r.summary),
            tuple(Section(md_text(s.title), tuple(md_text(line) for line in s.lines)) for s in r.sections),
        )
        for r in releases(log)
    )


class _Planner:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.module = naming.Namespace(_PACKAGE_NAMES)
        self.enums: list[EnumPlan] = []
        self.models: list[ModelPlan] = []
        self.int_widths: set[tuple[int, bool]] = set()
        self.item_aliases: list[Statement] = []  # constrained list items, in contract order
        self.model_modules: set[str] = {"pydantic"}  # typing joins when an alias needs it
        self.frame_modules: set[str] = set()
        self.enum_of: dict[int, EnumPlan] = {}  # by id() of the Field, for the Polars side

    def build(self, display_path: str, digest: str, log: Changelog) -> PackagePlan:
        contract = self.contract
        package = naming.package(contract.data_source)
        doc = "\n\n".join(p for p in (contract.title, contract.description) if p) or None
        row_model = self.model(contract.data_source, contract.fields, doc, "", contract.data_source)
        title = contract.title or contract.data_source
        header = (
            f"# Code generated by contractgen {__version__} from {comment(display_path)}"
            f" (sha256:{comment(digest)}). DO NOT EDIT."
        )
        version = version_text(contract.version)
        schema = Statement("SCHEMA: _t.Final = ", call("_pl.Schema", self.dtype_map(contract.fields)))
        table = Statement("TABLE: _t.Final = ", self.table(contract, log.removed_fields))
        model_exports = {m.name for m in self.models} | {e.alias for e in self.enums}
        model_exports |= {e.constant for e in self.enums}
        exports = sorted(model_exports | _PACKAGE_NAMES - {"frame", "models", "spark"}, key=_all_key)
        if self.enums or self.int_widths or self.item_aliases:
            self.model_modules.add("typing")  # only the aliases use it: no unused import
        return PackagePlan(
            package=package,
            dist_name=package.replace("_", "-"),
            version=version,
            header=header,
            title=doc_text(title),
            pyproject=_pyproject(package.replace("_", "-"), package, version),
            description_literal=py_str(contract.description or title),
            type_aliases=(
                *(self.int_alias(w) for w in sorted(self.int_widths, key=lambda w: (not w[1], w[0]))),
                *self.item_aliases,
            ),
            enums=tuple(self.enums),
            models=tuple(self.models),
            row_model=row_model,
            # Literal and integer aliases are the only users of typing in models.py: a table of
            # plain strings and floats must not import it unused.
            models_imports=tuple(
                sorted(self.model_modules | ({"typing"} if self.enums or self.int_widths else set()))
            ),
            schema=schema,
            table=table,
            frame_imports=tuple(sorted(self.frame_modules)),
            exports=tuple(exports),
            model_exports=tuple(sorted(model_exports, key=_isort_key)),
            to_models_def=Statement(
                "def to_models",
                Group("", ("frame: _pl.DataFrame",), "(", f") -> list[_models.{row_model}]:"),
            ),
            name_literal=py_str(contract.data_source),
            version_literal=py_str(contract.version),
            snapshot=snapshot(replace(contract, removed_fields=log.removed_fields)),
            releases=md_releases(log),
            changelog_json=log.to_json(),
            generator_version=__version__,
            runtime_requirement=f"contractgen>={_minor(__version__)},<{_next_minor(__version__)}",
            spark_requirement=f"contractgen[spark]>={_minor(__version__)},<{_next_minor(__version__)}",
        )

    # -- Pydantic ----------------------------------------------------------------------------

    def model(self, name: str, fields: tuple[Field, ...], doc: str | None, prefix: str, path: str) -> str:
        """A model class for `fields`.

        `prefix` is what nested names start with ("" for the row) and `path` is where the model
        sits, for people ("shipments.events[]").
        """
        class_name = self.module.claim(naming.pascal(name))
        attrs = naming.Namespace()
        statements, old_names = [], []
        named = [(field, attrs.claim(naming.snake(field.name))) for field in fields]
        for field, attr in named:
            statement, annotation = self.attribute(field, attr, prefix, path)
            statements.append(statement)
            for old in field.renamed_from:
                until = (
                    f" (files may use the old name until {field.renamed_until})"
                    if field.renamed_until
                    else ""
                )
                message = py_str(f"'{old}' was renamed to '{field.name}'{until}; use {attr}")
                old_attr = attrs.claim(naming.snake(old))
                old_names.append(
                    OldName(
                        Statement("@_te.deprecated", Group("", (message,))),
                        Statement(f"def {old_attr}", Group("", ("self",), "(", f") -> {annotation}:")),
                        attr,
                    )
                )
        if old_names:
            self.model_modules.add("typing_extensions")
        docstring = py_doc(doc or f"One row of {name}.", "    ")
        # Populating by name would let a row's `status` fill the attribute `status` of column
        # `Status` when the attribute of column `status` had to be renamed: keys are columns only.
        keys = {key for field in fields for key in (field.name, *field.renamed_from)}
        by_name = not any(attr != field.name and attr in keys for field, attr in named)
        hide_input = any(field.sensitive for field in fields)
        self.models.append(
            ModelPlan(class_name, docstring, tuple(statements), tuple(old_names), str(by_name), hide_input)
        )
        return class_name

    def attribute(self, field: Field, attr: str, prefix: str, path: str) -> tuple[Statement, str]:
        """The field's line in the model, and its annotation."""
        annotation = self.annotation(field, prefix, f"{path}.{field.name}")
        if not field.required:
            annotation += " | None"
        kwargs: dict[str, Expr] = {}
        if attr != field.name:
            kwargs["alias"] = py_str(field.name)
        if field.renamed_from:
            names = (py_str(field.name), *(py_str(old) for old in field.renamed_from))
            kwargs["validation_alias"] = call("_pd.AliasChoices", *names)
        if field.default is not None:
            kwargs["default"] = self.value(field.default, self.model_modules)
        if field.description:
            kwargs["description"] = py_str(field.description)
        kwargs.update(self.constraints(field))
        if field.deprecated is not None:
            kwargs["deprecated"] = py_str(field.deprecated.reason or f"'{field.name}' is deprecated")
        if field.sensitive:
            kwargs["repr"] = "False"  # logs and tracebacks print instances
        if not kwargs:
            return Statement(f"{attr}: {annotation}"), annotation
        return Statement(f"{attr}: {annotation} = ", call("_pd.Field", **kwargs)), annotation

    def annotation(self, field: Field, prefix: str, path: str) -> str:  # noqa: PLR0911, PLR0912 -- one return per kind of type
        ftype = field.type
        match ftype.kind:
            case "string":
                return "str"
            case "integer":
                if field.minimum is not None or field.maximum is not None:
                    return "int"  # its Field states both bounds: Pydantic lets an alias's bounds win
                width = (ftype.bits or 64, ftype.signed)
                self.int_widths.add(width)
                return _INT_ALIAS[width][0]
            case "float":
                return "float"
            case "decimal":
                self.model_modules.add("decimal")
                return "_decimal.Decimal"
            case "boolean":
                return "bool"
            case "date" | "time":
                self.model_modules.add("datetime")
                return f"_dt.{ftype.kind}"
            case "timestamp":
                return "_pd.AwareDatetime" if ftype.timezone else "_pd.NaiveDatetime"
            case "duration":
                self.model_modules.add("datetime")
                return "_dt.timedelta"
            case "binary":
                return "bytes"
            case "enum":
                return self.enum(field, prefix + field.name).alias
            case "list":
                assert ftype.items is not None
                return f"list[{self.item(ftype.items, prefix + field.name + '_', path + '[]')}]"
            case "struct":
                nested = f"{prefix}{field.name}_"
                name = f"{self.contract.data_source}_{prefix}{field.name}"
                doc = field.description or f"A value of {path}."
                return self.model(name, ftype.fields, doc, nested, path)
        raise AssertionError(ftype.kind)

    def item(self, items: Field, prefix: str, path: str) -> str:
        """A list's item type, optional unless the items are required. Items with constraints
        get a private alias (`_TagsItem = Annotated[str, Field(max_length=2)]`), which keeps the
        field's own line short enough for the formatter to leave alone."""
        annotation = self.annotation(items, prefix, path)
        checks = self.constraints(items)
        if checks:
            alias = self.module.claim(f"_{naming.pascal(prefix + 'item')}")
            constrained = Group("_t.Annotated", (annotation, call("_pd.Field", **checks)), "[", "]")
            self.item_aliases.append(Statement(f"{alias}: _t.TypeAlias = ", constrained))
            annotation = alias
        return annotation if items.required else f"{annotation} | None"

    def enum(self, field: Field, base: str) -> EnumPlan:
        alias = self.module.claim(naming.pascal(base))
        constant = self.module.claim(f"{naming.constant(base)}_VALUES")
        literals = tuple(py_str(v) for v in field.type.values)
        plan = EnumPlan(
            alias=alias,
            constant=constant,
            literal=Statement(f"{alias}: _t.TypeAlias = ", Group("_t.Literal", literals, "[", "]")),
            values=Statement(_values_prefix(constant, alias), Group("", literals, tuple_=True)),
        )
        self.enums.append(plan)
        self.enum_of[id(field)] = plan
        return plan

    def constraints(self, field: Field) -> dict[str, Expr]:
        out: dict[str, Expr] = {}
        _, width_lo, width_hi = _INT_ALIAS.get((field.type.bits or 64, field.type.signed), ("", "", ""))
        bounded = field.minimum is not None or field.maximum is not None
        minimum, maximum = field.bounds
        if minimum is not None:
            out["gt" if field.exclusive_minimum else "ge"] = self.value(minimum, self.model_modules)
        elif field.type.kind == "integer" and bounded:
            out["ge"] = width_lo
        if maximum is not None:
            out["lt" if field.exclusive_maximum else "le"] = self.value(maximum, self.model_modules)
        elif field.type.kind == "integer" and bounded:
            out["le"] = width_hi
        if field.min_length is not None:
            out["min_length"] = str(field.min_length)
        if field.max_length is not None:
            out["max_length"] = str(field.max_length)
        for pattern in field.patterns:
            out["pattern"] = py_regex(pattern)
        if field.type.kind == "decimal":
            out["max_digits"] = str(field.type.precision)
            out["decimal_places"] = str(field.type.scale)
        return out

    def int_alias(self, width: tuple[int, bool]) -> Statement:
        name, lo, hi = _INT_ALIAS[width]
        return Statement(f"{name}: _t.TypeAlias = ", f"_t.Annotated[int, _pd.Field(ge={lo}, le={hi})]")

    @staticmethod
    def value(value: object, modules: set[str]) -> Expr:
        text, needs = py_value(value)  # type: ignore[arg-type]
        modules.update(needs)
        return split_call(text) if text.startswith("_dt.") else text

    # -- Polars ------------------------------------------------------------------------------

    def dtype_map(self, fields: tuple[Field, ...]) -> Group:
        return Group("", tuple(prefixed(f"{py_str(f.name)}: ", self.dtype(f)) for f in fields), "{", "}")

    def dtype(self, field: Field) -> Expr:  # noqa: PLR0911, PLR0912 -- one return per kind of type
        ftype: FieldType = field.type
        match ftype.kind:
            case "string":
                return "_pl.String()"
            case "integer":
                return f"_pl.{'' if ftype.signed else 'U'}Int{ftype.bits}()"
            case "float":
                return f"_pl.Float{ftype.bits}()"
            case "decimal":
                return f"_pl.Decimal({ftype.precision}, {ftype.scale})"
            case "boolean":
                return "_pl.Boolean()"
            case "date":
                return "_pl.Date()"
            case "time":
                return "_pl.Time()"
            case "timestamp":
                zone = f", {py_str(ftype.timezone)}" if ftype.timezone else ""
                return f"_pl.Datetime({py_str(ftype.unit)}{zone})"
            case "duration":
                return f"_pl.Duration({py_str(ftype.unit)})"
            case "binary":
                return "_pl.Binary()"
            case "enum":
                return call("_pl.Enum", f"_models.{self.enum_of[id(field)].constant}")
            case "list":
                assert ftype.items is not None
                return call("_pl.List", self.dtype(ftype.items))
            case "struct":
                return call("_pl.Struct", self.dtype_map(ftype.fields))
        raise AssertionError(ftype.kind)

    def table(self, contract: Contract, removed: tuple[str, ...]) -> Group:
        self.frame_modules.add("datetime")  # the readers' `now: _dt.datetime | None`
        columns = tuple(self.column(f) for f in contract.fields)
        kwargs: dict[str, Expr] = {
            "name": py_str(contract.data_source),
            "version": py_str(contract.version),
            "schema": "SCHEMA",
            "columns": Group("", columns, tuple_=True),
        }
        if contract.primary_key:
            kwargs["primary_key"] = Group("", tuple(py_str(k) for k in contract.primary_key), tuple_=True)
        if removed:
            kwargs["removed"] = Group("", tuple(py_str(k) for k in sorted(removed)), tuple_=True)
        rules = self.rules(contract)
        if rules:
            kwargs["rules"] = Group("", rules, tuple_=True)
        return call("_rt.Table", **kwargs)

    def rules(self, contract: Contract) -> tuple[Expr, ...]:
        """The quality rules readers check, as `codegen.tables.rules` builds them."""
        out: list[Expr] = []

        def names(columns: tuple[str, ...]) -> Group:
            return Group("", tuple(py_str(c) for c in columns), tuple_=True)

        def age(seconds: float, label: str) -> dict[str, Expr]:
            delta = dt.timedelta(seconds=seconds)
            return {"max_age": self.value(delta, self.frame_modules), "label": py_str(label)}

        for q in contract.quality:
            if q.kind == "completeness" and q.min_ratio is not None:
                out.append(
                    call("_rt.Rule", '"completeness"', columns=names(q.columns), min_ratio=repr(q.min_ratio))
                )
            elif q.kind == "row_count" and (q.min_rows is not None or q.max_rows is not None):
                bounds = {"min_rows": str(q.min_rows)} if q.min_rows is not None else {}
                if q.max_rows is not None:
                    bounds["max_rows"] = str(q.max_rows)
                out.append(call("_rt.Rule", '"row_count"', **bounds))
            elif q.kind == "uniqueness" and q.columns:
                out.append(call("_rt.Rule", '"uniqueness"', columns=names(q.columns)))
            elif q.kind == "sql" and q.expression is not None:
                out.append(
                    call("_rt.Rule", '"sql"', columns=names(q.columns), expression=py_str(q.expression))
                )
            elif q.kind == "freshness" and q.columns and q.max_age is not None and q.max_age.seconds:
                more = age(q.max_age.seconds, f"{q.max_age.text} (max_age)")
                out.append(call("_rt.Rule", '"freshness"', columns=names(q.columns[:1]), **more))
        sla = contract.sla
        if sla.freshness_column and sla.max_delay is not None and sla.max_delay.seconds:
            more = age(sla.max_delay.seconds, f"{sla.max_delay.text} (SLA max_delay)")
            out.append(call("_rt.Rule", '"freshness"', columns=names((sla.freshness_column,)), **more))
        return tuple(out)

    def column(self, field: Field) -> Expr:  # noqa: PLR0912 -- one keyword per kind of check a column carries
        kwargs: dict[str, Expr] = {}
        if field.required:
            kwargs["required"] = "True"
        if field.unique or (field.primary_key and len(self.contract.primary_key) == 1):
            kwargs["unique"] = "True"
        minimum, maximum = field.bounds
        if minimum is not None:
            kwargs["minimum"] = self.value(minimum, self.frame_modules)
            if field.exclusive_minimum:
                kwargs["exclusive_minimum"] = "True"
        if maximum is not None:
            kwargs["maximum"] = self.value(maximum, self.frame_modules)
            if field.exclusive_maximum:
                kwargs["exclusive_maximum"] = "True"
        if field.min_length is not None:
            kwargs["min_length"] = str(field.min_length)
        if field.max_length is not None:
            kwargs["max_length"] = str(field.max_length)
        if field.pattern is not None:
            kwargs["pattern"] = py_regex(field.pattern)
        if field.type.kind == "string" and field.type.format in FORMAT_PATTERNS:
            kwargs["format"] = py_str(field.type.format)
        layout = (
            strptime_layout(field.type.format) if field.type.kind in ("date", "time", "timestamp") else None
        )
        if layout is not None:
            kwargs["layout"] = py_str(layout)
        if field.renamed_from:
            kwargs["renamed_from"] = Group("", tuple(py_str(n) for n in field.renamed_from), tuple_=True)
        if field.renamed_until is not None:
            kwargs["renamed_until"] = self.value(field.renamed_until, self.frame_modules)
        if field.default is not None:
            kwargs["default"] = self.value(field.default, self.frame_modules)
        if field.sensitive:
            kwargs["sensitive"] = "True"
        if field.anonymize is not None:
            kwargs["anonymize"] = py_str(field.anonymize)
        items = field.type.items if field.type.kind == "list" else None
        if items is not None and checked_items(items):
            kwargs["items"] = self.column(items)
        return call("_rt.Column", py_str(field.name), **kwargs)


def checked_items(items: Field) -> bool:
    """Whether a list's items carry a check the readers run on each of them."""
    return (
        items.required
        or items.minimum is not None
        or items.maximum is not None
        or items.min_length is not None
        or items.max_length is not None
        or items.pattern is not None
        or (items.type.kind == "string" and items.type.format in FORMAT_PATTERNS)
    )


def _values_prefix(constant: str, alias: str) -> str:
    """Typed by its Literal alias when that fits on the line; a formatter would split it otherwise."""
    typed = f"{constant}: _t.Final[tuple[{alias}, ...]] = "
    return typed if len(typed) + 1 <= LINE_LENGTH else f"{constant}: _t.Final = "


_Natural = tuple[tuple[int, int | str], ...]


def _all_key(name: str) -> tuple[int, _Natural]:
    """Constants, then classes, then the rest, each in natural order: ruff's `__all__` sort (RUF022)."""
    return (_member_type(name), _natural(name))


def _isort_key(name: str) -> tuple[int, _Natural, _Natural]:
    """The order ruff's isort gives the names of a `from` import: by type, then natural order
    ignoring case, then natural order."""
    return (_member_type(name), _natural(name.lower()), _natural(name))


def _member_type(name: str) -> int:
    """Ruff's member type: SCREAMING_CASE of two or more characters is a constant; a single capital
    letter (`E`, `X`) starts a class name like `Ea` does."""
    return 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2


def _natural(name: str) -> _Natural:
    """`level2` before `level10`: runs of digits compare as numbers (digits sort before letters)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", name))


def _minor(version: str) -> str:
    major, minor = version.split(".")[:2]
    return f"{major}.{minor}"


def _next_minor(version: str) -> str:
    major, minor = version.split(".")[:2]
    return f"{major}.{int(minor) + 1}"
