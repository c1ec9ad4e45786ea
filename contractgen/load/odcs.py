"""Import an Open Data Contract Standard (ODCS v3) file: one `Contract` per schema object.

ODCS describes several tables in one file; contractgen's unit is one table per contract, so each
schema object becomes a contract named after it, sharing the file's version, status, team, SLA
and servers. The YAML is read by the same safe reader as native contracts, so positions are kept.
What has no place in a contract (prices, tags, authoritative definitions, ...) is left out, and
every lossy choice (a type that had to be guessed) is reported as a warning at its position.
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
    Deprecation,
    Duration,
    Field,
    FieldType,
    Party,
    QualityRule,
    Sla,
    Value,
)
from contractgen.diagnostics import Position, Report
from contractgen.load import regex, sqlrule
from contractgen.load.shapes import Shapes
from contractgen.load.values import parse_duration, parse_percent, parse_value
from contractgen.load.yamltree import Map, Node, Scalar, Seq
from contractgen.load.yamltree import child as _get
from contractgen.load.yamltree import each as _each
from contractgen.load.yamltree import text_of as _text

_SIZED = re.compile(
    r"^\s*(?:varchar|char|character varying|bpchar|nvarchar|string)\s*[\[(]\s*(\d+)\s*[\])]\s*\Z", re.I
)
_DECIMAL = re.compile(r"^\s*(?:decimal|numeric|number)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*\Z", re.I)
_PHYSICAL: dict[str, FieldType] = {
    "int": FieldType("integer", bits=32),
    "int4": FieldType("integer", bits=32),
    "integer": FieldType("integer", bits=32),
    "serial": FieldType("integer", bits=32),
    "int2": FieldType("integer", bits=16),
    "smallint": FieldType("integer", bits=16),
    "smallserial": FieldType("integer", bits=16),
    "tinyint": FieldType("integer", bits=8),
    "int8": FieldType("integer", bits=64),
    "bigint": FieldType("integer", bits=64),
    "bigserial": FieldType("integer", bits=64),
    "long": FieldType("integer", bits=64),
    "float": FieldType("float", bits=64),
    "float8": FieldType("float", bits=64),
    "double": FieldType("float", bits=64),
    "double precision": FieldType("float", bits=64),
    "real": FieldType("float", bits=32),
    "float4": FieldType("float", bits=32),
    "uuid": FieldType("string", format="uuid"),
    "bool": FieldType("boolean"),
    "boolean": FieldType("boolean"),
    "flag": FieldType("boolean"),  # a common PostgreSQL domain over boolean
    "bytea": FieldType("binary"),
    "binary": FieldType("binary"),
    "blob": FieldType("binary"),
    "date": FieldType("date"),
    "time": FieldType("time"),
    "timestamp": FieldType("timestamp"),
    "datetime": FieldType("timestamp"),
    "timestamptz": FieldType("timestamp", timezone="UTC"),
    "timestamp_tz": FieldType("timestamp", timezone="UTC"),
    "timestamp with time zone": FieldType("timestamp", timezone="UTC"),
    # Snowflake's TIMESTAMP_LTZ and Oracle's WITH LOCAL TIME ZONE store instants: zoned, UTC.
    "timestampltz": FieldType("timestamp", timezone="UTC"),
    "timestamp_ltz": FieldType("timestamp", timezone="UTC"),
    "timestamp_ntz": FieldType("timestamp"),
    "timestamp without time zone": FieldType("timestamp"),
    "timestamp with local time zone": FieldType("timestamp", timezone="UTC"),
}
# A timestamp with a fractional-second precision: `TIMESTAMP_TZ(9)`, `timestamptz(6)`,
# `timestamp(6) with time zone`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`. The precision is dropped to
# look the type up in _PHYSICAL and picks the time unit.
_TIMESTAMP_PRECISION = re.compile(
    r"^\s*(timestamp(?:_?n?tz|_?ltz)?|datetime2?)\s*\(\s*(\d+)\s*\)\s*(.*?)\s*\Z", re.I
)
# pandas / NumPy: datetime64[ns], datetime64[us, UTC].
_DATETIME64 = re.compile(r"^\s*datetime64\s*\[\s*(s|ms|us|ns)\s*(?:,\s*([^\]]+?)\s*)?\]\s*\Z", re.I)
# 128-bit integers (DuckDB HUGEINT/UHUGEINT): a contract integer holds 64 bits, so the closest
# exact type is the widest decimal, which refuses the few values past 38 digits.
_WIDE_INTEGERS = ("hugeint", "uhugeint", "int128", "uint128")
# Exact numbers written without precision: NUMERIC, Snowflake NUMBER, BigQuery BIGNUMERIC.
_EXACT = ("numeric", "decimal", "number", "bignumeric", "bigdecimal")
# Read as decimal(38, 9) (BigQuery NUMERIC's shape): 29 integer digits, 9 after the point.
_EXACT_DEFAULT = FieldType("decimal", precision=MAX_DECIMAL_PRECISION, scale=9)
# The narrowest signed integer holding every number of up to N decimal digits.
_INTEGER_DIGITS = ((2, 8), (4, 16), (9, 32), (18, 64))
_LOGICAL = {
    "string": FieldType("string"),
    "integer": FieldType("integer", bits=64),
    "number": _EXACT_DEFAULT,
    "boolean": FieldType("boolean"),
    "date": FieldType("date"),
    "time": FieldType("time"),
    "timestamp": FieldType("timestamp"),
}
_STATUS = {
    "proposed": "draft",
    "draft": "draft",
    "active": "active",
    "deprecated": "deprecated",
    "retired": "retired",
}
# ODCS slaProperties units (`d`, `day`, `days`, `y`, `yr`, `years`, ...) as parse_duration reads them.
_UNITS = {
    "d": "days",
    "day": "days",
    "h": "hours",
    "hr": "hours",
    "m": "minutes",
    "min": "minutes",
    "y": "years",
    "yr": "years",
    "ms": "ms",
}


def is_odcs(root: Node) -> bool:
    """An ODCS document says so: kind DataContract and an apiVersion."""
    if not isinstance(root, Map):
        return False
    keys = {k.text: v for k, v in root.items}
    kind = keys.get("kind")
    return "apiVersion" in keys and isinstance(kind, Scalar) and kind.text == "DataContract"


def import_root(root: Node, report: Report, path: str) -> list[Contract]:
    """The tables of an already parsed ODCS document."""
    return _Importer(report, path).contracts(root)


def _pos(node: Node, key: str) -> Position:
    """Where `key` of `node` was written, or where `node` starts."""
    found = _get(node, key)
    return found.pos if found is not None else node.pos


class _Importer(Shapes):
    def __init__(self, report: Report, path: str) -> None:
        super().__init__(report)
        self.path = path

    def flag(self, node: Node | None, what: str) -> bool:
        """An optional boolean, read like every boolean of every format: YAML 1.2 true or false."""
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return False
        return self.boolean(node, what) is True

    def contracts(self, root: Node) -> list[Contract]:
        if not is_odcs(root):
            self.report.error(root.pos, "not an ODCS contract (no 'kind: DataContract' with an apiVersion)")
            return []
        for key in ("apiVersion", "kind", "id", "version", "status"):
            if _text(_get(root, key)) is None:
                self.report.error(root.pos, f"ODCS requires '{key}' at the top level", f"add '{key}:'")
        for table in _each(_get(root, "schema")):
            self.check_object(table, "schema object")
        version = _text(_get(root, "version")) or "0.0.0"
        if not SEMVER.fullmatch(version):
            # The package version is the contract version: reading another one would publish a
            # package that claims what the contract never said.
            self.report.error(
                _pos(root, "version"),
                f"version '{version}' is not a semantic version",
                "write MAJOR.MINOR.PATCH, such as 2.1.0",
            )
        description = _get(root, "description")
        purpose = _text(_get(description, "purpose")) or _text(description)
        shared = {
            "version": version,
            "status": _STATUS.get((_text(_get(root, "status")) or "active").lower(), "active"),
            "domain": _text(_get(root, "domain")),
            "owner": self.owner(root),
            "contacts": self.contacts(root),
            "sla": self.sla(root),
            "access": self.access(root),
            "change_policy": ChangePolicy(),
        }
        name = _text(_get(root, "name"))
        # Where each part of a contract was written, by the ODCS key that holds it.
        where = {
            "version": "version",
            "status": "status",
            "domain": "owner",
            "team": "owner",
            "name": "description",
            "description": "description",
            "support": "owner",
            "slaProperties": "sla",
            "servers": "access",
            "roles": "access",
        }
        top_locs = (
            tuple((where[k.text], k.pos) for k, _ in root.items if k.text in where)
            if isinstance(root, Map)
            else ()
        )
        out = []
        for table in _each(_get(root, "schema")):
            table_name = _text(_get(table, "name")) or "table"
            fields = self.fields(_get(table, "properties"), table_name)
            if not fields:
                self.report.warning(table.pos, f"schema object '{table_name}' has no properties; skipped")
                continue
            out.append(
                Contract(
                    data_source=naming.package(table_name),
                    fields=fields,
                    path=self.path,
                    title=_text(_get(table, "businessName")) or name,
                    description=_text(_get(table, "description")) or purpose,
                    quality=self.quality(table, fields),
                    locs=(*top_locs, ("schema", table.pos), ("quality", table.pos)),
                    **shared,  # type: ignore[arg-type]
                )
            )
        return out

    def check_object(self, node: Node, what: str) -> None:
        """What the ODCS JSON schema requires of a schema object or a property."""
        if not isinstance(node, Map):
            self.report.error(node.pos, f"each {what} must be a mapping")
            return
        if _text(_get(node, "name")) is None:
            self.report.error(node.pos, f"a {what} has no name", "add 'name:'")
        for key, value in node.items:
            if (
                key.text in ("description", "businessName", "physicalName")
                and isinstance(value, Scalar)
                and value.is_null
            ):
                self.report.error(
                    value.pos,
                    f"'{key.text}' of a {what} is empty; ODCS wants text",
                    "write the text or remove the key",
                )
        logical = _text(_get(node, "logicalType"))
        if logical is not None and logical.lower() not in (*_LOGICAL, "object", "array"):
            self.report.error(
                _pos(node, "logicalType"),
                f"unknown logicalType '{logical}'",
                "ODCS logical types: string, integer, number, boolean, date, time, timestamp, object, array",
            )
        for prop in _each(_get(node, "properties")):
            self.check_object(prop, "property")

    def owner(self, root: Node) -> str | None:
        team = _get(root, "team")
        return _text(_get(team, "name")) if isinstance(team, Map) else None

    def contacts(self, root: Node) -> tuple[Party, ...]:
        team = _get(root, "team")
        members = _get(team, "members") if isinstance(team, Map) else team
        out = [
            Party(
                name=_text(_get(m, "username")) or _text(_get(m, "name")) or "member",
                role=_text(_get(m, "role")),
            )
            for m in _each(members)
        ]
        out += [
            Party(name=_text(_get(s, "channel")) or "support", channel=_text(_get(s, "url")))
            for s in _each(_get(root, "support"))
        ]
        return tuple(out)

    def sla(self, root: Node) -> Sla:
        """The SLA properties contractgen checks; a value it cannot read is a located warning."""
        values: dict[str, tuple[str, Node]] = {}
        for prop in _each(_get(root, "slaProperties")):
            key, value = _text(_get(prop, "property")), _text(_get(prop, "value"))
            unit = (_text(_get(prop, "unit")) or "").strip()
            if key and value and key not in values:
                if unit and not value.strip().endswith(unit):  # `95%` with unit `%` is written once
                    value = f"{value}{'' if unit == '%' else ' '}{_UNITS.get(unit.lower(), unit)}"
                values[key] = (value, _get(prop, "value") or prop)

        def duration(key: str) -> Duration | None:
            if key not in values:
                return None
            text, node = values[key]
            found = parse_duration(text)
            if found is None:
                self.report.warning(
                    node.pos,
                    f"slaProperties {key} '{text}' is not a duration; left out",
                    "write an ISO 8601 duration like PT25H or P1Y, or a value with a unit like 25 h",
                )
            return found

        uptime = None
        for key in ("availability", "uptime"):
            if key in values and uptime is None:
                text, node = values[key]
                uptime = parse_percent(text)
                if uptime is None:
                    self.report.warning(
                        node.pos, f"slaProperties {key} '{text}' is not a percentage; left out"
                    )
        frequency = values.get("frequency")
        return Sla(
            update_frequency=frequency[0] if frequency else None,
            max_delay=duration("latency"),
            uptime=uptime,
            retention=duration("retention"),
        )

    def access(self, root: Node) -> Access:
        server = next(_each(_get(root, "servers")), None)
        if server is None:
            return Access()
        parts = [_text(_get(server, k)) for k in ("host", "database", "schema", "topic")]
        roles = [
            f"{_text(_get(r, 'role'))}: {_text(_get(r, 'access'))}" for r in _each(_get(server, "roles"))
        ]
        roles += [f"{_text(_get(r, 'role'))}: {_text(_get(r, 'access'))}" for r in _each(_get(root, "roles"))]
        return Access(
            system=_text(_get(server, "type")),
            endpoint="/".join(p for p in parts if p) or None,
            permissions="; ".join(roles) or None,
        )

    def quality(self, table: Node, fields: tuple[Field, ...]) -> tuple[QualityRule, ...]:
        out = []
        for rule in _each(_get(table, "quality")):
            metric = (
                _text(_get(rule, "metric")) or _text(_get(rule, "rule")) or _text(_get(rule, "name")) or ""
            ).lower()
            if metric in ("rowcount", "row_count"):
                minimum = _text(_get(rule, "mustBeGreaterThan"))
                at_least = _text(_get(rule, "mustBeGreaterOrEqualTo"))
                low = (
                    int(minimum) + 1
                    if minimum and minimum.isdigit()
                    else int(at_least)
                    if at_least and at_least.isdigit()
                    else None
                )
                out.append(
                    QualityRule(
                        "row_count", rule.pos, min_rows=low, description=_text(_get(rule, "description"))
                    )
                )
            elif (row_rule := self.row_rule(rule, table, fields)) is not None:
                out.append(row_rule)
            else:
                out.append(
                    QualityRule(
                        "custom", rule.pos, description=_text(_get(rule, "description")) or metric or None
                    )
                )
        return tuple(out)

    def row_rule(self, rule: Node, table: Node, fields: tuple[Field, ...]) -> QualityRule | None:
        """An ODCS sql rule that counts broken rows and must count none, as a checked row rule."""
        query = _text(_get(rule, "query"))
        if (_text(_get(rule, "type")) or "").lower() != "sql" or query is None:
            return None
        if _text(_get(rule, "mustBe")) != "0":
            self.report.warning(
                rule.pos,
                "this sql quality rule is kept as a description; only a count of broken rows "
                "that must be 0 becomes a checked row rule",
            )
            return None
        kinds = {f.name: f.type.kind for f in fields}
        names: dict[str, str | None] = {
            n: kinds.get(n)
            for p in _each(_get(table, "properties"))
            if (n := _text(_get(p, "name"))) is not None
        }
        try:
            checked = sqlrule.from_count_query(query, _text(_get(table, "name")) or "", names)
        except sqlrule.RuleError as exc:
            self.report.warning(rule.pos, f"this sql quality rule is kept as a description: {exc}", exc.hint)
            return None
        description = _text(_get(rule, "description"))
        return QualityRule(
            "sql", rule.pos, columns=checked.columns, expression=checked.text, description=description
        )

    def fields(self, node: Node | None, owner: str) -> tuple[Field, ...]:
        out = []
        seen: set[str] = set()
        for prop in _each(node):
            name = _text(_get(prop, "name"))
            if name is None:
                self.report.error(
                    prop.pos, f"a property of '{owner}' has no name", "give every property a name"
                )
                continue
            if name in seen:
                self.report.error(
                    prop.pos, f"duplicate property '{name}' in '{owner}'", "remove or rename one"
                )
                continue
            seen.add(name)
            field = self.field(prop, name, f"{owner}.{name}")
            if field is not None:
                out.append(field)
        return tuple(out)

    def field(self, prop: Node, name: str, where: str) -> Field | None:
        ftype = self.field_type(prop, where)
        if ftype is None:
            return None
        options = _get(prop, "logicalTypeOptions")
        values = self.valid_values(prop, where, ftype.kind == "string" and ftype.format is None)
        if values is not None:
            # How contractgen writes an enum to ODCS (which has none); read back as the enum it was.
            for key in ("pattern", "minLength", "maxLength"):
                if (node := _get(options, key)) is not None:
                    self.report.warning(
                        node.pos,
                        f"{where}: {key} left out: the validValues rule lists every value",
                        f"remove '{key}' or the validValues rule",
                    )
            ftype, options = FieldType("enum", values=values), None
        required = self.flag(_get(prop, "required"), f"'required' of property '{where}'")
        primary = self.flag(_get(prop, "primaryKey"), f"'primaryKey' of property '{where}'")
        classification = _text(_get(prop, "classification"))
        pii = False
        for custom in _each(_get(prop, "customProperties")):
            if (_text(_get(custom, "property")) or "").lower() == "pii":
                # A custom property's value may be of any type: true, or the text "true".
                value = _get(custom, "value")
                pii = (
                    (_text(value) or "").lower() == "true"
                    if isinstance(value, Scalar) and not value.plain
                    else self.flag(value, f"the pii property of '{where}'")
                )
        field = Field(
            name=name,
            type=ftype,
            pos=prop.pos,
            required=required or primary,
            description=_text(_get(prop, "description")),
            unique=self.flag(_get(prop, "unique"), f"'unique' of property '{where}'"),
            primary_key=primary,
            pattern=self.pattern(options, where) if ftype.kind == "string" and ftype.format is None else None,
            min_length=_int(_get(options, "minItems" if ftype.kind == "list" else "minLength")),
            max_length=_int(_get(options, "maxItems"))
            if ftype.kind == "list"
            else None
            if ftype.kind == "enum"
            else _int(_get(options, "maxLength")) or _sized(prop),
            pii=pii,
            classification=classification,
            examples=tuple(t for t in (_text(e) for e in _each(_get(prop, "examples"))) if t is not None),
            locs=tuple((k.text, v.pos) for k, v in prop.items) if isinstance(prop, Map) else (),
            deprecated=Deprecation() if (_text(_get(prop, "status")) or "").lower() == "deprecated" else None,
        )
        return self.bounds(field, prop, options, where)

    def valid_values(self, prop: Node, where: str, text: bool) -> tuple[str, ...] | None:
        """The values of the `invalidValues` library rules that must count 0 against
        `validValues` (several rules: the values they share): the property's enum. `text` says
        whether the property can be one (a string without a format)."""
        out: tuple[str, ...] | None = None
        for rule in _each(_get(prop, "quality")):
            metric = (_text(_get(rule, "metric")) or "").lower()
            listed = _get(_get(rule, "arguments"), "validValues")
            kind = (_text(_get(rule, "type")) or "library").lower()
            severity = (_text(_get(rule, "severity")) or "error").lower()
            if metric != "invalidvalues" or listed is None or not _zero(_text(_get(rule, "mustBe"))):
                continue
            if kind != "library" or severity != "error" or not text:
                why = (
                    f"a {kind} rule"
                    if kind != "library"
                    else f"its severity is {severity}"
                    if severity != "error"
                    else "only a text property without a format can be an enum"
                )
                self.report.warning(rule.pos, f"{where}: this validValues rule is not checked: {why}")
                continue
            if not isinstance(listed, Seq) or not listed.items:
                what = "is empty" if isinstance(listed, Seq) else "is not a list of values"
                self.report.warning(listed.pos, f"{where}: validValues {what}; left out")
                continue
            values = self.texts(listed, f"validValues of property '{where}'")
            if len(set(values)) != len(values):
                self.report.error(listed.pos, f"validValues of property '{where}' repeats a value")
                return None
            if len(values) != len(listed.items):
                return None  # a null among them: reported by texts()
            out = values if out is None else tuple(v for v in out if v in values)
            if not out:
                self.report.error(listed.pos, f"the validValues rules of property '{where}' share no value")
                return None
        return out

    def pattern(self, options: Node | None, where: str) -> str | None:
        node = _get(options, "pattern")
        pattern = _text(node)
        if node is None or pattern is None:
            return None
        refused = regex.problem(pattern)
        if refused is not None:
            self.report.error(node.pos, f"pattern of {where} {refused}", regex.hint(refused))
            return None
        return pattern

    def bounds(self, field: Field, prop: Node, options: Node | None, where: str) -> Field:
        """Ranges from logicalTypeOptions and from column quality rules that are plain bounds.

        A field holds one bound per side; when several are written, the stricter one is kept (so
        no value the file refuses is accepted) and each one left out is reported where it stands.
        """
        found: dict[str, list[tuple[Value, bool, str, Node]]] = {"minimum": [], "maximum": []}
        for key, bound, exclusive in (
            ("minimum", "minimum", False),
            ("exclusiveMinimum", "minimum", True),
            ("maximum", "maximum", False),
            ("exclusiveMaximum", "maximum", True),
        ):
            node = _get(options, key)
            if exclusive and isinstance(node, Scalar) and node.plain and node.text in ("true", "false"):
                continue  # JSON Schema draft 4: a flag on the inclusive bound, read below
            value = self.value(node, field.type, where)
            if value is not None and node is not None:
                found[bound].append((value, exclusive or self.draft4(options, key, bound), key, node))
        for rule in _each(_get(prop, "quality")):
            if _get(rule, "query") is not None or _get(rule, "metric") is not None:
                continue  # a query or a library metric, not a bound on the values
            for key, bound, exclusive in (
                ("mustBeGreaterThan", "minimum", True),
                ("mustBeGreaterOrEqualTo", "minimum", False),
                ("mustBeLessThan", "maximum", True),
                ("mustBeLessOrEqualTo", "maximum", False),
            ):
                node = _get(rule, key)
                value = self.value(node, field.type, where)
                if value is not None and node is not None:
                    found[bound].append((value, exclusive, key, node))
        changes: dict[str, object] = {}
        for bound, candidates in found.items():
            if not candidates:
                continue
            kept = _stricter(bound, candidates)
            changes[bound], changes[f"exclusive_{bound}"] = kept[0], kept[1]
            for _, _, key, node in candidates:
                if node is not kept[3]:
                    self.report.warning(
                        node.pos,
                        f"{where}: {key} {_text(node)} left out: the stricter {kept[2]} {_text(kept[3])} "
                        f"is kept (a contract field holds one {bound})",
                        f"write one {bound} for '{where}'",
                    )
        return replace(field, **changes) if changes else field  # type: ignore[arg-type]

    def draft4(self, options: Node | None, key: str, bound: str) -> bool:
        """`exclusiveMaximum: true` beside `maximum` (JSON Schema draft 4) makes that bound exclusive."""
        flag = _get(options, f"exclusive{bound.capitalize()}")
        return key == bound and isinstance(flag, Scalar) and flag.plain and flag.text == "true"

    def value(self, node: Node | None, ftype: FieldType, where: str) -> Value | None:
        text = _text(node)
        if text is None or ftype.kind not in ("integer", "float", "decimal", "date", "time", "timestamp"):
            return None
        try:
            return parse_value(text.replace(" ", "T", 1) if ftype.kind == "timestamp" else text, ftype)
        except ValueError as exc:
            assert node is not None
            self.report.warning(node.pos, f"{where}: bound '{text}' left out: {exc}")
            return None

    def field_type(self, prop: Node, where: str) -> FieldType | None:  # noqa: PLR0911, PLR0912 -- one branch per ODCS type option
        logical = (_text(_get(prop, "logicalType")) or "").lower()
        physical = (_text(_get(prop, "physicalType")) or "").strip()
        options = _get(prop, "logicalTypeOptions")
        pos = _pos(prop, "logicalType")
        if logical == "array":
            items = _get(prop, "items")
            item = self.field(items, "item", f"{where}[]") if isinstance(items, Map) else None
            if item is None:
                self.report.warning(pos, f"{where}: array without items; imported as a list of strings")
                item = Field("item", FieldType("string"), pos)
            return FieldType("list", items=item)
        if logical == "object":
            members = self.fields(_get(prop, "properties"), where)
            if members:
                return FieldType("struct", fields=members)
            return self.from_physical(physical, logical, pos, where)
        sized = _DECIMAL.match(physical)
        if sized and logical in ("number", "", "integer"):
            precision, scale = int(sized.group(1)), int(sized.group(2) or 0)
            if logical == "integer" and scale == 0:
                bits = next((b for digits, b in _INTEGER_DIGITS if precision <= digits), None)
                if bits is not None:
                    return FieldType("integer", bits=bits)
            if 1 <= precision <= MAX_DECIMAL_PRECISION and scale <= precision:
                return FieldType("decimal", precision=precision, scale=scale)
        fmt = (_text(_get(options, "format")) or "").lower()
        if physical.lower() in _EXACT and logical in ("number", ""):
            self.report.warning(
                pos,
                f"{where}: {physical} without precision imported as decimal(38, 9)",
                "write the precision and scale, e.g. physicalType: NUMBER(18, 2)",
            )
            return _EXACT_DEFAULT
        if physical.lower() in _WIDE_INTEGERS and logical in ("", "integer", "number"):
            self.report.warning(
                _pos(prop, "physicalType"),
                f"{where}: {physical} (128-bit integer) imported as decimal(38, 0): "
                "values of more than 38 digits are refused",
                "use a 64-bit integer type if the values fit",
            )
            return FieldType("decimal", precision=MAX_DECIMAL_PRECISION, scale=0)
        base = self.timestamp(physical, _pos(prop, "physicalType"), where) or _PHYSICAL.get(physical.lower())
        if base is not None and (
            logical in ("", "object")
            or base.kind == _LOGICAL.get(logical, base).kind
            or (logical == "number" and base.kind in ("integer", "float"))
            or (logical == "date" and base.kind == "timestamp")
        ):
            ftype = base
        elif logical in _LOGICAL:
            ftype = _LOGICAL[logical]
            if base is not None:
                self.report.warning(
                    _pos(prop, "physicalType"),
                    f"{where}: logicalType {logical} with physicalType {physical} (a {base.describe()}) "
                    f"imported as {ftype.describe()}, the logical type",
                    "make the logical and physical types agree",
                )
        else:
            return self.from_physical(physical, logical, pos, where)
        if ftype == _EXACT_DEFAULT:
            if fmt in ("f32", "f64"):  # the ODCS schema's number formats: floating point
                ftype = FieldType("float", bits=64)
            else:
                self.report.warning(
                    pos,
                    f"{where}: number without precision or format imported as decimal(38, 9)",
                    "say logicalTypeOptions.format: f64 for floating point, or physicalType: decimal(p, s)",
                )
        if ftype.kind == "float" and fmt == "f32":
            ftype = FieldType("float", bits=32)
        if ftype.kind == "integer" and fmt in ("i32", "i64"):
            ftype = FieldType("integer", bits=int(fmt[1:]))
        if ftype.kind == "string" and fmt in ("uuid", "email"):
            ftype = FieldType("string", format=fmt)
        if ftype.kind == "timestamp" and self.flag(
            _get(options, "timezone"), f"'timezone' of property '{where}'"
        ):
            zone = _text(_get(options, "defaultTimezone")) or "UTC"
            ftype = replace(ftype, timezone=zone)
        layout = _text(_get(options, "format"))
        if ftype.kind == "date" and layout:
            # A layout such as dd/MM/yyyy, for text files. Timestamp layouts stay out: their
            # pattern letters for zones (Z, XXX) have no strptime equivalent.
            ftype = replace(ftype, format=layout)
        return ftype

    def timestamp(self, physical: str, pos: Position, where: str) -> FieldType | None:
        """A timestamp whose physical type names its precision: the unit that holds it exactly."""
        sized = _TIMESTAMP_PRECISION.match(physical)
        if sized is not None:
            name = f"{sized.group(1)} {sized.group(3)}".strip().lower()
            base = _PHYSICAL.get(name)
            if base is None or base.kind != "timestamp":
                return None
            digits = int(sized.group(2))
            if digits > 9:  # noqa: PLR2004 -- nanoseconds: the finest unit Polars holds
                self.report.warning(
                    pos,
                    f"{where}: {physical} imported with unit ns: digits past the nanosecond are refused",
                    "use a precision of 9 or less",
                )
            return replace(base, unit="ms" if digits <= 3 else "us" if digits <= 6 else "ns")  # noqa: PLR2004 -- 3 digits per unit
        numpy = _DATETIME64.match(physical)
        if numpy is not None:
            unit = numpy.group(1).lower()
            return FieldType("timestamp", unit="ms" if unit == "s" else unit, timezone=numpy.group(2))  # type: ignore[arg-type]
        return None

    def from_physical(self, physical: str, logical: str, pos: Position, where: str) -> FieldType:
        base = _PHYSICAL.get(physical.lower())
        if base is not None:
            return base
        self.report.warning(
            pos,
            f"{where}: {logical or 'no logicalType'} with physicalType '{physical or '?'}' read as string",
            "describe the value with a logicalType (and properties for an object) to check it precisely",
        )
        return FieldType("string")


def _zero(text: str | None) -> bool:
    """`mustBe: 0`, however the number is written (0, 0.0, "0")."""
    try:
        return text is not None and float(text) == 0
    except ValueError:
        return False


def _int(node: Node | None) -> int | None:
    text = _text(node)
    return int(text) if text is not None and text.isdigit() else None


def _sized(prop: Node) -> int | None:
    match = _SIZED.match(_text(_get(prop, "physicalType")) or "")
    length = int(match.group(1)) if match else None
    return length if length is not None and length < 2**31 - 1 else None


def _stricter(bound: str, candidates: list[tuple[Value, bool, str, Node]]) -> tuple[Value, bool, str, Node]:
    """The bound that admits the fewest values: the highest minimum, the lowest maximum, and on a
    tie the exclusive one."""
    if bound == "minimum":
        return max(candidates, key=lambda c: (c[0], c[1]))
    return min(candidates, key=lambda c: (c[0], not c[1]))
