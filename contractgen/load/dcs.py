"""Import a Data Contract Specification (DCS) file: one `Contract` per model.

DCS keeps tables under `models:` (a mapping from model name to fields), so each model becomes a
contract named after it, sharing the file's `info` (version, owner, contact), `servicelevels`,
`terms` and first server, as ODCS schema objects do. Field definitions may be shared through
`$ref: '#/definitions/NAME'`: only local references are followed (a URL is never fetched), and a
reference cycle (through any path), a chain longer than MAX_REF_DEPTH and an expansion beyond
MAX_EXPANDED fields are errors; nothing here recurses deeper than the nesting limit. Booleans and
whole numbers are read by the same shape readers as the other formats; everything that has no
place in a contract is a located warning, never lost quietly.
"""

from __future__ import annotations

import re
from dataclasses import replace

from contractgen import naming
from contractgen.contract import (
    MAX_DECIMAL_PRECISION,
    SEMVER,
    Access,
    ChangePolicy,
    Contract,
    Duration,
    Field,
    FieldType,
    Party,
    QualityRule,
    Sla,
    Value,
)
from contractgen.diagnostics import Position, Report
from contractgen.load.shapes import Shapes, suggest
from contractgen.load.typespec import MAX_NESTING, STRING_FORMATS
from contractgen.load.values import parse_duration, parse_percent, parse_value
from contractgen.load.yamltree import Map, Node, Scalar, Seq, describe
from contractgen.load.yamltree import child as _get
from contractgen.load.yamltree import each as _each
from contractgen.load.yamltree import entries as _entries
from contractgen.load.yamltree import text_of as _text

# DCS field types (the FieldType enum of the specification) and what each one is here.
TYPES: dict[str, FieldType] = {
    "string": FieldType("string"),
    "text": FieldType("string"),
    "varchar": FieldType("string"),
    "int": FieldType("integer", bits=32),
    "integer": FieldType("integer", bits=32),
    "long": FieldType("integer", bits=64),
    "bigint": FieldType("integer", bits=64),
    "float": FieldType("float", bits=32),
    "double": FieldType("float", bits=64),
    "number": FieldType("float", bits=64),
    "decimal": FieldType("float", bits=64),
    "numeric": FieldType("float", bits=64),
    "boolean": FieldType("boolean"),
    "timestamp": FieldType("timestamp", timezone="UTC"),
    "timestamp_tz": FieldType("timestamp", timezone="UTC"),
    "timestamp_ntz": FieldType("timestamp"),
    "date": FieldType("date"),
    "time": FieldType("time"),
    "bytes": FieldType("binary"),
}
_CONTAINERS = ("array", "object", "record", "struct", "map")
_AS_TEXT = ("variant", "json", "null")  # no structure to check: kept as text, with a warning

# Keys of a field (and of a definition) that contractgen reads.
_FIELD_KEYS = (
    "type",
    "description",
    "required",
    "unique",
    "primaryKey",
    "primary",
    "enum",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "precision",
    "scale",
    "fields",
    "items",
    "keys",
    "values",
    "pii",
    "classification",
    "example",
    "examples",
    "quality",
    "$ref",
)
# Keys that are documentation or tooling only: no meaning for a contract, left out quietly.
_FIELD_DOCS = ("title", "tags", "links", "lineage", "config", "domain", "name", "references")
_INFO_KEYS = ("title", "version", "status", "description", "owner", "contact")
_MODEL_KEYS = ("description", "type", "title", "fields", "primaryKey", "quality", "examples", "config")
_MODEL_DOCS = ("examples", "config", "additionalFields")
_TOP_KEYS = (
    "dataContractSpecification",
    "id",
    "info",
    "servers",
    "terms",
    "models",
    "definitions",
    "servicelevels",
    "links",
    "tags",
    "examples",
)
# Server keys that name where the data is; anything else (accounts, tokens, roles) stays out.
_SERVER_PLACES = (
    "location",
    "path",
    "host",
    "project",
    "account",
    "catalog",
    "database",
    "dataset",
    "schema",
    "topic",
)
_STATUS = {
    "proposed": "draft",
    "draft": "draft",
    "in development": "draft",
    "active": "active",
    "deprecated": "deprecated",
    "retired": "retired",
}
MAX_REF_DEPTH = 64  # definitions followed on one path, like the YAML nesting limit
MAX_EXPANDED = 10_000  # fields built from definitions: each `$ref` copies its definition
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


def is_dcs(root: Node) -> bool:
    """A DCS document says so in its first key: `dataContractSpecification:`."""
    return isinstance(root, Map) and any(k.text == "dataContractSpecification" for k, _ in root.items)


def import_root(root: Node, report: Report, path: str) -> list[Contract]:
    """The models of an already parsed DCS document, one contract each."""
    return _Importer(report, path).contracts(root)


def duration(text: str) -> Duration | None:
    """A DCS duration: ISO 8601 (`P1Y`, `PT24H`) or simple (`25h`, `500ms`, `30 days`)."""
    return parse_duration(text)


def _is_null(node: Node) -> bool:
    return isinstance(node, Scalar) and node.is_null


class _Importer(Shapes):
    def __init__(self, report: Report, path: str) -> None:
        super().__init__(report)
        self.path = path
        self.definitions: dict[str, Node] = {}
        self.chain: list[str] = []  # the definitions being expanded on the way to the current field
        self.level = 0  # how deep the current field is nested, through definitions too
        self.expanded = 0  # fields built by expanding definitions, over the whole document
        self.exhausted = False  # a bound was crossed: stop building, the error is reported
        self.ref_failed = False

    # -- the document ----------------------------------------------------------------------

    def contracts(self, root: Node) -> list[Contract]:
        keys = self.keys(root, "the DCS document", _TOP_KEYS, ())
        if keys is None:
            return []
        for key in ("id", "info"):
            if key not in keys:
                self.report.error(root.pos, f"DCS requires '{key}' at the top level", f"add '{key}:'")
        definitions = _get(root, "definitions")
        if definitions is not None and not isinstance(definitions, Map) and not _is_null(definitions):
            self.report.error(
                definitions.pos,
                f"'definitions' must be a mapping of definition names, not {describe(definitions)}",
                "write each definition as 'NAME: {type: ...}' under 'definitions:'",
            )
        self.definitions = {k.text: v for k, v in _entries(definitions)}
        info = _get(root, "info")
        if info is not None:
            self.keys(info, "'info'", _INFO_KEYS, ("links",))
        version = _text(_get(info, "version")) or "0.0.0"
        if not SEMVER.match(version):
            where = _get(info, "version")
            self.report.warning(
                where.pos if where is not None else root.pos,
                f"version '{version}' is not semantic; read as 0.0.0",
                "write the version as MAJOR.MINOR.PATCH",
            )
            version = "0.0.0"
        shared: dict[str, object] = {
            "version": version,
            "status": self.status(info),
            "owner": _text(_get(info, "owner")),
            "contacts": self.contacts(info),
            "sla": self.sla(_get(root, "servicelevels")),
            "access": self.access(_get(root, "servers")),
            "change_policy": self.terms(_get(root, "terms")),
        }
        part = {"info": "version", "servicelevels": "sla", "servers": "access", "terms": "change_policy"}
        top_locs = tuple((part[k.text], k.pos) for k, _ in _entries(root) if k.text in part)
        top_locs += tuple(("owner", k.pos) for k, _ in _entries(info) if k.text in ("owner", "contact"))
        models = _get(root, "models")
        if models is not None and not isinstance(models, Map):
            self.report.error(
                models.pos, f"'models' must be a mapping of model names, not {describe(models)}"
            )
        if models is None:
            self.report.warning(
                root.pos, "the DCS document has no models; nothing to generate", "add 'models:'"
            )
        out = []
        for name, model in _entries(models):
            contract = self.model(name, model, info, shared, top_locs)
            if contract is not None:
                out.append(contract)
        return out

    def status(self, info: Node | None) -> str:
        text = _text(_get(info, "status"))
        if text is None:
            return "active"
        if text.lower() not in _STATUS:
            node = _get(info, "status")
            assert node is not None
            self.report.warning(node.pos, f"status '{text}' is not one contractgen knows; read as active")
        return _STATUS.get(text.lower(), "active")

    def contacts(self, info: Node | None) -> tuple[Party, ...]:
        contact = _get(info, "contact")
        if not isinstance(contact, Map):
            return ()
        name = _text(_get(contact, "name")) or _text(_get(contact, "email")) or "contact"
        return (Party(name=name, email=_text(_get(contact, "email")), channel=_text(_get(contact, "url"))),)

    def terms(self, node: Node | None) -> ChangePolicy:
        notice = None
        dropped = []
        for key, value in _entries(node):
            if key.text == "noticePeriod" and _text(value) is not None:
                notice = duration(_text(value) or "")
                if notice is None:
                    self.report.warning(
                        value.pos, f"notice period '{_text(value)}' is not a duration; left out"
                    )
            else:
                dropped.append(key)
        if dropped:
            self.report.warning(
                dropped[0].pos,
                f"terms {', '.join(repr(k.text) for k in dropped)} left out: a contract has no terms of use",
                "keep them in the contract's description if consumers should read them",
            )
        return ChangePolicy(breaking_changes=notice)

    def sla(self, node: Node | None) -> Sla:
        def text(part: str, key: str) -> str | None:
            return _text(_get(_get(node, part), key))

        def span(part: str, key: str) -> Duration | None:
            value = text(part, key)
            found = duration(value) if value is not None else None
            if value is not None and found is None:
                where = _get(_get(node, part), key)
                assert where is not None
                self.report.warning(
                    where.pos, f"servicelevels {part}.{key} '{value}' is not a duration; left out"
                )
            return found

        for key, value in _entries(node):
            if key.text == "backup":
                self.report.warning(
                    value.pos, "servicelevels 'backup' left out: contractgen checks no backups"
                )
        uptime = text("availability", "percentage")
        column = text("freshness", "timestampField") or text("latency", "sourceTimestampField")
        return Sla(
            update_frequency=text("frequency", "interval")
            or text("frequency", "cron")
            or text("frequency", "type"),
            max_delay=span("latency", "threshold"),
            uptime=self.percent(uptime, _get(_get(node, "availability"), "percentage")),
            retention=span("retention", "period"),
            freshness_column=column.rsplit(".", 1)[-1] if column else None,
            support_hours=text("support", "time"),
        )

    def percent(self, text: str | None, node: Node | None) -> str | None:
        if text is None or node is None:
            return None
        uptime = parse_percent(text)
        if uptime is None:
            self.report.warning(
                node.pos, f"servicelevels availability.percentage '{text}' is not a percentage; left out"
            )
        return uptime

    def access(self, node: Node | None) -> Access:
        servers = list(_entries(node))
        if not servers:
            return Access()
        name, server = servers[0]
        if len(servers) > 1:
            self.report.warning(
                servers[1][0].pos,
                f"only the first server ('{name.text}') becomes the access configuration; others left out",
            )
        places = []
        for key in _SERVER_PLACES:
            value = _text(_get(server, key))
            if value is None:
                continue
            if _USERINFO.match(value):
                where = _get(server, key)
                assert where is not None
                self.report.warning(where.pos, f"server '{name.text}': credentials in '{key}' left out")
                value = _USERINFO.sub(r"\1", value)
            places.append(value)
        system = _text(_get(server, "type"))
        if system == "custom":  # a custom server names its system in its description
            system = _text(_get(server, "description")) or system
        return Access(system=system, endpoint="/".join(places) or None)

    # -- models ----------------------------------------------------------------------------

    def model(
        self,
        key: Scalar,
        model: Node,
        info: Node | None,
        shared: dict[str, object],
        top_locs: tuple[tuple[str, Position], ...],
    ) -> Contract | None:
        where = f"model '{key.text}'"
        self.exhausted = self.expanded > MAX_EXPANDED  # a nesting error stays with its model
        keys = self.keys(model, where, _MODEL_KEYS, _MODEL_DOCS)
        if keys is None:
            return None
        fields = self.fields(_get(model, "fields"), key.text)
        if not fields:
            if not any(True for _ in _entries(_get(model, "fields"))):
                self.report.warning(key.pos, f"{where} has no fields; skipped")
            return None
        primary = _get(model, "primaryKey")
        if primary is not None:
            columns = self.texts(primary, f"'primaryKey' of {where}")
            names = {f.name for f in fields}
            for column in columns:
                if column not in names:
                    self.report.error(
                        primary.pos, f"primaryKey of {where} names '{column}', which is not a field"
                    )
            fields = tuple(
                replace(f, primary_key=True, required=True) if f.name in columns else f for f in fields
            )
        return Contract(
            data_source=naming.package(key.text),
            fields=fields,
            path=self.path,
            title=_text(_get(model, "title")) or _text(_get(info, "title")),
            description=_text(_get(model, "description")) or _text(_get(info, "description")),
            quality=self.quality(_get(model, "quality"), key.text, ()),
            locs=(*top_locs, ("schema", key.pos), ("quality", key.pos)),
            **shared,  # type: ignore[arg-type]
        )

    def keys(
        self, node: Node, where: str, known: tuple[str, ...], docs: tuple[str, ...]
    ) -> dict[str, Node] | None:
        """The keys of a mapping; one we do not know is a warning (DCS allows extensions)."""
        if not isinstance(node, Map):
            self.report.error(node.pos, f"{where} must be a mapping, not {describe(node)}")
            return None
        out: dict[str, Node] = {}
        for key, value in node.items:
            if key.text in out:
                self.report.error(key.pos, f"duplicate key '{key.text}' in {where}", "remove one of them")
            elif key.text not in known and key.text not in docs:
                self.report.warning(
                    key.pos, f"unknown key '{key.text}' in {where} left out", suggest(key.text, known)
                )
            out[key.text] = value
        return out

    def quality(self, node: Node | None, owner: str, columns: tuple[str, ...]) -> tuple[QualityRule, ...]:
        out = []
        for rule in _each(node):
            kind = (_text(_get(rule, "type")) or "").lower()
            metric = (_text(_get(rule, "metric")) or "").lower()
            described = _text(_get(rule, "description"))
            if metric in ("rowcount", "row_count"):
                low = _whole(_get(rule, "mustBeGreaterThan"), 1) or _whole(
                    _get(rule, "mustBeGreaterOrEqualTo"), 0
                )
                high = _whole(_get(rule, "mustBeLessThan"), -1) or _whole(
                    _get(rule, "mustBeLessOrEqualTo"), 0
                )
                out.append(
                    QualityRule("row_count", rule.pos, min_rows=low, max_rows=high, description=described)
                )
            elif metric in ("duplicatevalues", "duplicate_values") and columns:
                out.append(QualityRule("uniqueness", rule.pos, columns=columns, description=described))
            else:
                if kind in ("sql", "library", "custom"):
                    self.report.warning(
                        rule.pos,
                        f"{kind} quality rule of '{owner}' kept as a description only: readers do not run it",
                    )
                out.append(
                    QualityRule(
                        "custom", rule.pos, columns=columns, description=described or metric or kind or None
                    )
                )
        return tuple(out)

    # -- fields ----------------------------------------------------------------------------

    def fields(self, node: Node | None, owner: str) -> tuple[Field, ...]:
        if node is not None and not isinstance(node, Map):
            self.report.error(
                node.pos, f"'fields' of '{owner}' must be a mapping of field names, not {describe(node)}"
            )
            return ()
        out = []
        for key, value in _entries(node):
            field = self.field(key.text, value, f"{owner}.{key.text}", key.pos)
            if field is not None:
                out.append(field)
        return tuple(out)

    def resolve(self, node: Node, where: str) -> tuple[dict[str, tuple[Scalar, Node]], list[str]] | None:
        """A field's keys with its `$ref` definitions merged under them (its own keys win), and the
        definitions followed. Iterative: a chain is cut at MAX_REF_DEPTH, and a definition already
        being expanded on the way here (through any `$ref`, `fields`, `items`, ...) is a cycle."""
        layers: list[dict[str, tuple[Scalar, Node]]] = []
        followed: list[str] = []
        current = node
        while True:
            if not isinstance(current, Map):
                self.report.error(current.pos, f"field '{where}' must be a mapping, not {describe(current)}")
                return None
            own = {k.text: (k, v) for k, v in current.items}
            ref = own.pop("$ref", None)
            layers.append(own)
            if ref is None:
                break
            name = self.reference(ref[1], where, followed)
            if name is None:
                if self.ref_failed:
                    return None
                break
            followed.append(name)
            current = self.definitions[name]
        merged: dict[str, tuple[Scalar, Node]] = {}
        for layer in reversed(layers):
            merged.update(layer)
        return merged, followed

    def reference(self, node: Node, where: str, followed: list[str]) -> str | None:
        """The definition a `$ref` names, or None (with `ref_failed` set when that is an error)."""
        self.ref_failed = False
        target = _text(node) or ""
        if not target.startswith("#/definitions/"):
            self.report.warning(
                node.pos,
                f"'{where}': $ref '{target}' is not a local definition and is not followed",
                "copy the definition under 'definitions:' and refer to it as '#/definitions/NAME'",
            )
            return None
        self.ref_failed = True
        pointer = target.removeprefix("#/definitions/")
        if "/" in pointer:
            self.report.error(
                node.pos,
                f"'{where}': $ref '{target}' points inside a definition; only whole definitions are followed",
                "write '~1' for a '/' that is part of the definition's name (RFC 6901)",
            )
            return None
        name = pointer.replace("~1", "/").replace("~0", "~")  # RFC 6901: ~1 first, then ~0
        chain = [*self.chain, *followed]
        if name in chain:
            cycle = chain[chain.index(name) :]
            self.report.error(
                node.pos,
                f"'{where}': $ref cycle {' -> '.join((*cycle, name))}",
                "a definition must not refer back to itself, directly or through its fields",
            )
            return None
        if len(chain) >= MAX_REF_DEPTH:
            self.report.error(
                node.pos,
                f"'{where}': $ref chain deeper than {MAX_REF_DEPTH} definitions",
                "refer to the definition that holds the keys instead of a chain of them",
            )
            return None
        if name not in self.definitions:
            self.report.error(
                node.pos,
                f"'{where}': $ref to '{name}', which is not under 'definitions'",
                suggest(name, set(self.definitions), "definitions"),
            )
            return None
        self.ref_failed = False
        return name

    def field(self, name: str, node: Node, where: str, pos: Position) -> Field | None:
        """One field, its `$ref` definitions expanded; nesting and expansion are bounded."""
        if self.exhausted:
            return None
        if self.level >= MAX_NESTING:
            self.report.error(
                pos,
                f"'{where}': type nested more than {MAX_NESTING} levels deep",
                "flatten the structure, or refer to fewer nested definitions",
            )
            self.exhausted = True
            return None
        resolved = self.resolve(node, where)
        if resolved is None:
            return None
        keys, followed = resolved
        if self.chain or followed:
            self.expanded += 1
            if self.expanded > MAX_EXPANDED:
                self.report.error(
                    pos,
                    f"'{where}': expanding $ref definitions gives more than {MAX_EXPANDED} fields",
                    "a definition referred to many times over is copied each time; refer to fewer",
                )
                self.exhausted = True
                return None
        self.chain.extend(followed)
        self.level += 1
        try:
            return self.build_field(name, keys, where, pos)
        finally:
            self.level -= 1
            del self.chain[len(self.chain) - len(followed) :]

    def build_field(
        self, name: str, keys: dict[str, tuple[Scalar, Node]], where: str, pos: Position
    ) -> Field | None:
        for key, (scalar, _) in keys.items():
            if key not in _FIELD_KEYS and key not in _FIELD_DOCS:
                self.report.warning(
                    scalar.pos, f"unknown key '{key}' of field '{where}' left out", suggest(key, _FIELD_KEYS)
                )
        if "references" in keys:
            self.report.warning(
                keys["references"][0].pos,
                f"'{where}': references '{_text(keys['references'][1])}' is not checked by readers; left out",
            )
        ftype = self.field_type(keys, where, pos)
        if ftype is None:
            return None

        def flag(key: str) -> bool:
            value = keys.get(key)
            if value is None or (isinstance(value[1], Scalar) and value[1].is_null):
                return False
            return self.boolean(value[1], f"'{key}' of field '{where}'") is True

        def whole(key: str) -> int | None:
            value = keys.get(key)
            return None if value is None else self.integer(value[1], f"'{key}' of field '{where}'")

        primary = flag("primaryKey") or flag("primary")
        examples = keys.get("examples", keys.get("example"))
        values = (
            _each(examples[1])
            if examples and isinstance(examples[1], Seq)
            else iter([examples[1]] if examples else [])
        )
        field = Field(
            name=name,
            type=ftype,
            pos=pos,
            required=flag("required") or primary,
            description=_text(keys.get("description", (None, None))[1]),
            unique=flag("unique"),
            primary_key=primary,
            pattern=_text(keys["pattern"][1]) if "pattern" in keys and ftype.kind == "string" else None,
            min_length=whole("minLength"),
            max_length=whole("maxLength"),
            pii=flag("pii"),
            classification=_text(keys.get("classification", (None, None))[1]),
            examples=tuple(t for t in (_text(v) for v in values) if t is not None),
            locs=tuple((k, s.pos) for k, (s, _) in keys.items()),
        )
        field = self.bounds(field, keys, where)
        if "quality" in keys:
            self.field_quality(field, keys["quality"][1], where)
        return field

    def bounds(self, field: Field, keys: dict[str, tuple[Scalar, Node]], where: str) -> Field:
        changes: dict[str, object] = {}
        for key, bound, exclusive in (
            ("minimum", "minimum", False),
            ("exclusiveMinimum", "minimum", True),
            ("maximum", "maximum", False),
            ("exclusiveMaximum", "maximum", True),
        ):
            if key not in keys:
                continue
            value = self.value(keys[key][1], field.type, where)
            if value is not None:
                changes[bound], changes[f"exclusive_{bound}"] = value, exclusive
        return replace(field, **changes) if changes else field  # type: ignore[arg-type]

    def field_quality(self, field: Field, node: Node, where: str) -> None:
        """Column quality rules: plain bounds and checks we run are not expressible per field here."""
        for rule in _each(node):
            kind = (_text(_get(rule, "type")) or "").lower()
            if kind != "text":
                self.report.warning(
                    rule.pos,
                    f"{kind or 'untyped'} quality rule of field '{where}' left out: readers do not run it",
                    "express it with the field's own keys (minimum, enum, pattern, ...) where possible",
                )

    def value(self, node: Node, ftype: FieldType, where: str) -> Value | None:
        text = _text(node)
        if text is None:
            return None
        if ftype.kind not in ("integer", "float", "decimal", "date", "time", "timestamp"):
            self.report.warning(node.pos, f"{where}: a bound on a {ftype.describe()} field is left out")
            return None
        try:
            return parse_value(text.replace(" ", "T", 1) if ftype.kind == "timestamp" else text, ftype)
        except ValueError as exc:
            self.report.warning(node.pos, f"{where}: bound '{text}' left out: {exc}")
            return None

    def field_type(  # noqa: PLR0911, PLR0912 -- one branch per DCS type family
        self, keys: dict[str, tuple[Scalar, Node]], where: str, pos: Position
    ) -> FieldType | None:
        written = keys.get("type")
        name = (_text(written[1]) if written else None) or ""
        if written and isinstance(written[1], Scalar) and written[1].is_null and written[1].text:
            name = "null"  # `type: null` is DCS's null type, which YAML reads as no value
        at = written[1].pos if written else pos
        low = name.lower()
        if "enum" in keys and low in ("", "string", "text", "varchar"):
            values = self.texts(keys["enum"][1], f"'enum' of field '{where}'")
            if len(set(values)) != len(values):
                self.report.error(keys["enum"][1].pos, f"'enum' of field '{where}' repeats a value")
            return FieldType("enum", values=values) if values else FieldType("string")
        if "enum" in keys:
            self.report.warning(keys["enum"][0].pos, f"'{where}': enum on a {name} field left out")
        if low in ("array",):
            items = keys.get("items")
            item = self.field("item", items[1], f"{where}[]", items[1].pos) if items else None
            if item is None and self.exhausted:
                return None
            if item is None:
                self.report.warning(at, f"'{where}': array without items; imported as a list of strings")
                item = Field("item", FieldType("string"), at)
            return FieldType("list", items=item)
        if low in ("object", "record", "struct"):
            members = self.fields(keys["fields"][1], where) if "fields" in keys else ()
            if members:
                return FieldType("struct", fields=members)
            if self.exhausted or any(True for _ in _entries(keys.get("fields", (None, None))[1])):
                return None  # its fields failed, each with its own error: no guess on top
            self.report.warning(at, f"'{where}': {name} without fields; kept as text", "list its 'fields:'")
            return FieldType("string")
        if low == "map":
            key_node, value_node = keys.get("keys"), keys.get("values")
            key = self.field("key", key_node[1], f"{where}.key", key_node[1].pos) if key_node else None
            value = (
                self.field("value", value_node[1], f"{where}.value", value_node[1].pos)
                if value_node
                else None
            )
            if key_node is None or value_node is None:
                missing = [k for k, n in (("keys", key_node), ("values", value_node)) if n is None]
                self.report.warning(
                    at,
                    f"'{where}': map without {' and '.join(missing)}; read as string",
                    f"write {' and '.join(f'{k}: {{type: ...}}' for k in missing)}",
                )
            entry = (
                replace(key or Field("key", FieldType("string"), at), required=True),
                value or Field("value", FieldType("string"), at),
            )
            # A map arrives from Parquet and Arrow as a list of key/value structs.
            return FieldType(
                "list", items=Field("entry", FieldType("struct", fields=entry), at, required=True)
            )
        if low in _AS_TEXT:
            self.report.warning(at, f"'{where}': type '{name}' has no structure to check; kept as text")
            return FieldType("string")
        if low not in TYPES:
            self.report.error(
                at,
                f"'{where}': unknown DCS type '{name}'" if name else f"'{where}' has no type",
                suggest(low, set(TYPES) | set(_CONTAINERS), "types") if name else "add 'type:'",
            )
            return None
        ftype = TYPES[low]
        if low in ("number", "decimal", "numeric"):
            ftype = self.decimal(keys, where, at) or ftype
        if ftype.kind == "string" and "format" in keys:
            fmt = (_text(keys["format"][1]) or "").lower()
            if fmt in STRING_FORMATS:
                ftype = FieldType("string", format=fmt)
            else:
                self.report.warning(
                    keys["format"][1].pos,
                    f"'{where}': format '{fmt}' is not checked; left out",
                    f"known formats: {', '.join(STRING_FORMATS)}; use 'pattern:' for anything else",
                )
        return ftype

    def decimal(self, keys: dict[str, tuple[Scalar, Node]], where: str, at: Position) -> FieldType | None:
        if "precision" not in keys:
            if (_text(keys["type"][1]) or "").lower() != "number":
                self.report.warning(
                    at, f"'{where}': decimal without precision imported as float64", "add precision and scale"
                )
            return None
        precision = self.integer(keys["precision"][1], f"'precision' of field '{where}'", 1)
        scale = self.integer(keys["scale"][1], f"'scale' of field '{where}'") if "scale" in keys else 0
        if precision is None or scale is None:
            return None
        if precision > MAX_DECIMAL_PRECISION or scale > precision:
            self.report.error(
                keys["precision"][1].pos,
                f"'{where}': decimal({precision},{scale}) is not a decimal contractgen can hold",
                f"precision is at most {MAX_DECIMAL_PRECISION} and scale at most the precision",
            )
            return None
        return FieldType("decimal", precision=precision, scale=scale)


def _whole(node: Node | None, shift: int) -> int | None:
    text = _text(node)
    if text is None or not text.lstrip("-").isdigit():
        return None
    return int(text) + shift
