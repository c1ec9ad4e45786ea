"""Native contracts: the YAML tree of a contractgen contract → `Contract`, every problem located.

Scalars are interpreted here, by what each key expects, from the text the author wrote: a version
`2.10` stays "2.10" (and is refused as not semver), an enum value `yes` stays "yes", a minimum
`0.1` for a decimal column is exactly Decimal("0.1").
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import replace

from contractgen.contract import (
    MAX_DECIMAL_PRECISION,
    SEMVER,
    Access,
    ChangePolicy,
    Contract,
    Deprecation,
    Field,
    FieldType,
    Sla,
    Value,
)
from contractgen.diagnostics import Position, Report
from contractgen.formats import PATTERNS as FORMAT_PATTERNS
from contractgen.load import regex
from contractgen.load.sections import Sections
from contractgen.load.typespec import STRING_FORMATS, TypeError_, parse_type
from contractgen.load.values import (
    BOOL,
    parse_value,
    value_hint,
)
from contractgen.load.yamltree import Map, Node, Scalar, Seq, describe
from contractgen.policy import TREATMENTS, Treatment

# Syntax Python's `re` accepts but the Rust regex engine (Polars, Pydantic) refuses.
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
TOP_KEYS = (
    "data_source",
    "version",
    "title",
    "description",
    "status",
    "owner",
    "domain",
    "contacts",
    "consumers",
    "schema",
    "sla",
    "quality",
    "change_policy",
    "access",
    "removed_fields",
)
FIELD_KEYS = (
    "type",
    "required",
    "description",
    "unique",
    "primary_key",
    "minimum",
    "maximum",
    "exclusive_minimum",
    "exclusive_maximum",
    "min_length",
    "max_length",
    "pattern",
    "format",
    "values",
    "precision",
    "scale",
    "timezone",
    "time_unit",
    "fields",
    "items",
    "default",
    "deprecated",
    "renamed_from",
    "pii",
    "classification",
    "anonymize",
    "unit",
    "examples",
)
STATUSES = ("draft", "active", "deprecated", "retired")
# The kinds of field each anonymize treatment applies to (drop applies to every field).
TREATED_KINDS: dict[str, tuple[str, ...]] = {
    "hash": ("string", "integer", "decimal", "date", "time", "timestamp", "enum"),
    "mask": ("string",),
}


def load_native(root: Node, report: Report, path: str) -> Contract | None:
    """A contractgen contract from its parsed YAML tree; None when it has errors."""
    return _Loader(report).contract(root, path)


class _Loader(Sections):
    """The schema: fields, their types and constraints; the rest comes from `Sections`."""

    # How many lists and structs the field being read sits in (0: a top-level column).
    depth = 0

    # -- the contract ------------------------------------------------------------------------

    def contract(self, root: Node, path: str) -> Contract | None:
        keys = self.mapping(root, "the contract", TOP_KEYS)
        if keys is None:
            return None
        for required in ("data_source", "version", "schema"):
            if required not in keys:
                self.report.error(
                    root.pos,
                    f"missing required key '{required}'",
                    f"add '{required}:' at the top level",
                )
        data_source = self.optional(keys, "data_source", self.text, "data_source")
        if data_source is not None and not _IDENTIFIER.match(data_source):
            self.report.error(
                keys["data_source"][1].pos,
                f"data_source '{data_source}' is not a simple name",
                "use letters, digits and underscores, like customer_master; it names the package",
            )
        version = self.optional(keys, "version", self.text, "version")
        if version is not None and not SEMVER.fullmatch(version):
            self.report.error(
                keys["version"][1].pos,
                f"version '{version}' is not a semantic version",
                "write MAJOR.MINOR.PATCH, such as 2.1.0",
            )
        status = self.optional(keys, "status", self.text, "status") or "active"
        if status not in STATUSES:
            self.report.error(
                keys["status"][1].pos,
                f"unknown status '{status}'",
                f"use one of: {', '.join(STATUSES)}",
            )
        fields = self.schema(keys["schema"][1]) if "schema" in keys else ()
        # Every declared name, including fields with errors of their own: no cascade of errors.
        schema_node = keys["schema"][1] if "schema" in keys else None
        names = {k.text for k, _ in schema_node.items} if isinstance(schema_node, Map) else set()
        removed = self.optional(keys, "removed_fields", self.texts, "removed_fields") or ()
        for name in removed:
            if name in names:
                self.report.error(
                    keys["removed_fields"][1].pos,
                    f"'{name}' is listed in removed_fields but is still in the schema",
                    "a removed name may not come back; pick a new name",
                )
        contract = Contract(
            data_source=data_source or "",
            version=version or "0.0.0",
            fields=fields,
            path=path,
            title=self.optional(keys, "title", self.text, "title"),
            description=self.optional(keys, "description", self.text, "description"),
            status=status,
            owner=self.optional(keys, "owner", self.text, "owner"),
            domain=self.optional(keys, "domain", self.text, "domain"),
            contacts=self.parties(keys, "contacts"),
            consumers=self.parties(keys, "consumers"),
            sla=self.sla(keys["sla"][1]) if "sla" in keys else Sla(),
            quality=self.quality(keys["quality"][1], _kinds(names, fields)) if "quality" in keys else (),
            change_policy=self.policy(keys["change_policy"][1])
            if "change_policy" in keys
            else ChangePolicy(),
            access=self.access(keys["access"][1]) if "access" in keys else Access(),
            removed_fields=removed,
            # Where each value starts, and (as "KEY:") where its key is written, for the
            # diagnostics that are about a whole section, such as a smell at `schema:`.
            locs=tuple((key, value.pos) for key, (_, value) in keys.items())
            + tuple((f"{key}:", scalar.pos) for key, (scalar, _) in keys.items()),
        )
        return contract

    def schema(self, node: Node) -> tuple[Field, ...]:
        if isinstance(node, Seq):
            self.report.error(
                node.pos,
                "schema must map each field name to its spec, not be a list",
                "write 'schema:' then 'customer_id:' with 'type: string' indented below it",
            )
            return ()
        fields = self.fields(node, "schema")
        if isinstance(node, Map) and not node.items:
            self.report.error(node.pos, "the schema has no fields", "list at least one field")
        return fields

    def fields(self, node: Node, where: str) -> tuple[Field, ...]:
        if not isinstance(node, Map):
            self.report.error(node.pos, f"{where} must be a mapping of field names, not {describe(node)}")
            return ()
        out: list[Field] = []
        seen: dict[str, Position] = {}
        for key, value in node.items:
            if key.is_null and key.plain:
                self.report.error(key.pos, f"a field in {where} has no name", "give every field a name")
                continue
            if key.text in seen:
                self.report.error(
                    key.pos,
                    f"duplicate field '{key.text}' in {where} (first at line {seen[key.text].line})",
                    "remove or rename one of them",
                )
                continue
            seen[key.text] = key.pos
            field = self.field(key.text, value, key.pos, f"field '{key.text}'")
            if field is not None:
                out.append(field)
        names = {f.name for f in out}
        for field in out:
            for old in field.renamed_from:
                if old == field.name or old in names:
                    self.report.error(
                        field.pos,
                        f"field '{field.name}' is renamed_from '{old}', which is still a field",
                        "renamed_from names the old column, which must no longer exist",
                    )
        return tuple(out)

    def field(self, name: str, node: Node, pos: Position, where: str) -> Field | None:
        if isinstance(node, Scalar) and not node.is_null:
            node = Map(((Scalar("type", True, node.pos), node),), node.pos)  # `id: int64` shorthand
        keys = self.mapping(node, where, FIELD_KEYS)
        if keys is None:
            return None
        if "type" not in keys:
            self.report.error(pos, f"{where} has no type", "add 'type:', for example 'type: string'")
            return None
        ftype = self.field_type(keys, where)
        if ftype is None:
            # Still report what else is wrong with the field; its constraints need its type.
            for flag in ("required", "unique", "primary_key", "pii"):
                self.optional(keys, flag, self.boolean, f"{flag} of {where}")
            return None
        required = self.optional(keys, "required", self.boolean, f"required of {where}")
        primary_key = bool(self.optional(keys, "primary_key", self.boolean, f"primary_key of {where}"))
        if primary_key and required is False:
            self.report.error(
                keys["required"][1].pos,
                f"{where} is a primary key but says required: false",
                "a primary key is always required; remove 'required: false'",
            )
        renamed = self.renamed(keys["renamed_from"][1], where) if "renamed_from" in keys else ((), None)
        field = Field(
            name=name,
            type=ftype,
            pos=pos,
            required=bool(required) or primary_key,
            description=self.optional(keys, "description", self.text, f"description of {where}"),
            unique=bool(self.optional(keys, "unique", self.boolean, f"unique of {where}")),
            primary_key=primary_key,
            pattern=self.pattern(keys, where),
            deprecated=self.deprecation(keys["deprecated"][1], where) if "deprecated" in keys else None,
            renamed_from=renamed[0],
            renamed_until=renamed[1],
            pii=bool(self.optional(keys, "pii", self.boolean, f"pii of {where}")),
            classification=self.optional(keys, "classification", self.text, f"classification of {where}"),
            anonymize=self.treatment(keys, ftype, where),
            unit=self.optional(keys, "unit", self.text, f"unit of {where}"),
            examples=self.optional(keys, "examples", self.texts, f"examples of {where}") or (),
            locs=tuple((key, value.pos) for key, (_, value) in keys.items()),
        )
        return self.constraints(field, keys, where)

    def treatment(
        self, keys: dict[str, tuple[Scalar, Node]], ftype: FieldType, where: str
    ) -> Treatment | None:
        """The field's `anonymize:` treatment, if it names a known one that fits the field's type."""
        text = self.optional(keys, "anonymize", self.text, f"anonymize of {where}")
        if text is None:
            return None
        node = keys["anonymize"][1]
        if text not in TREATMENTS:
            self.report.error(
                node.pos,
                f"unknown anonymize treatment '{text}' ({where})",
                f"use one of: {', '.join(TREATMENTS)}",
            )
            return None
        kinds = TREATED_KINDS.get(text)
        if kinds is not None and ftype.kind not in kinds:
            self.report.error(
                node.pos,
                f"anonymize: {text} does not apply to {'an' if ftype.kind[0] in 'aeiou' else 'a'} "
                f"{ftype.kind} field ({where})",
                f"{text} is for {', '.join(kinds)} fields; use "
                + ("hash or drop" if text == "mask" and ftype.kind in TREATED_KINDS["hash"] else "drop"),
            )
            return None
        return next(t for t in TREATMENTS if t == text)

    def field_type(self, keys: dict[str, tuple[Scalar, Node]], where: str) -> FieldType | None:
        node = keys["type"][1]
        text = self.text(node, f"type of {where}")
        if text is None:
            return None
        assert isinstance(node, Scalar)
        try:
            ftype = parse_type(text)
        except TypeError_ as exc:
            offset = exc.offset + (0 if node.plain else 1)
            pos = Position(node.pos.line, node.pos.col + offset) if "\n" not in text else node.pos
            self.report.error(pos, f"{exc.message} in {where}", exc.hint)
            return None
        return self.refine_type(ftype, keys, where)

    def refine_type(  # noqa: PLR0912 -- one branch per structured type key
        self, ftype: FieldType, keys: dict[str, tuple[Scalar, Node]], where: str
    ) -> FieldType | None:
        """Apply the structured type keys (values, precision, fields, ...) to a parsed type."""
        applies = {
            "values": ("enum",),
            "precision": ("decimal",),
            "scale": ("decimal",),
            "timezone": ("timestamp",),
            "time_unit": ("timestamp", "duration"),
            "fields": ("struct",),
            "items": ("list",),
            "format": ("string", "date", "time", "timestamp"),
        }
        ok = True
        for key, kinds in applies.items():
            if key in keys and ftype.kind not in kinds:
                self.report.error(
                    keys[key][0].pos,
                    f"'{key}' does not apply to a {ftype.kind} field ({where})",
                    f"'{key}' is for {' and '.join(kinds)} fields",
                )
                ok = False
        if not ok:
            return None
        changes: dict[str, object] = {}
        if "values" in keys:
            if ftype.values:
                self.report.error(
                    keys["values"][0].pos,
                    f"{where} lists enum values twice (in its type and in 'values')",
                    "keep one list",
                )
            changes["values"] = self.enum_values(keys["values"][1], where)
        if "precision" in keys:
            changes["precision"] = self.integer(keys["precision"][1], f"precision of {where}", 1)
        if "scale" in keys:
            changes["scale"] = self.integer(keys["scale"][1], f"scale of {where}", 0)
        if "timezone" in keys:
            changes["timezone"] = self.timezone(keys["timezone"][1], where)
        if "time_unit" in keys:
            unit = self.text(keys["time_unit"][1], f"time_unit of {where}")
            if unit not in ("ms", "us", "ns"):
                self.report.error(keys["time_unit"][1].pos, f"time_unit must be ms, us or ns ({where})")
            else:
                changes["unit"] = unit
        if "format" in keys:
            fmt = self.text(keys["format"][1], f"format of {where}")
            if ftype.kind == "string" and fmt is not None and fmt.lower() not in STRING_FORMATS:
                self.report.error(
                    keys["format"][1].pos,
                    f"unknown string format '{fmt}' ({where})",
                    f"known formats: {', '.join(STRING_FORMATS)}; use 'pattern:' for anything else",
                )
            elif fmt is not None:
                changes["format"] = fmt.lower() if ftype.kind == "string" else fmt
        if "fields" in keys:
            self.depth += 1
            members = self.fields(keys["fields"][1], f"the fields of {where}")
            self.depth -= 1
            for member in members:
                self.nested_constraints(member, f"field '{member.name}' of {where}")
            changes["fields"] = members
        if "items" in keys:
            self.depth += 1
            item = self.field("item", keys["items"][1], keys["items"][0].pos, f"the items of {where}")
            self.depth -= 1
            if item is not None:
                # The readers check the items of a top-level list one by one.
                self.nested_constraints(item, f"the items of {where}", readers=self.depth == 0)
            changes["items"] = item
        ftype = replace(ftype, **changes)  # type: ignore[arg-type]
        return self.check_type(ftype, keys, where)

    def check_type(
        self, ftype: FieldType, keys: dict[str, tuple[Scalar, Node]], where: str
    ) -> FieldType | None:
        pos = keys["type"][1].pos
        if ftype.kind == "enum" and not ftype.values:
            self.report.error(
                pos, f"{where} is an enum without values", 'write enum ["a", "b"] or add values:'
            )
            return None
        if ftype.kind == "struct" and not ftype.fields:
            self.report.error(pos, f"{where} is a struct without fields", "add 'fields:' with the members")
            return None
        if ftype.kind == "list" and ftype.items is None:
            self.report.error(
                pos, f"{where} is a list without an item type", "write list<string> or add 'items:'"
            )
            return None
        if ftype.kind == "decimal":
            precision, scale = ftype.precision or 0, ftype.scale or 0
            if not 1 <= precision <= MAX_DECIMAL_PRECISION or scale > precision:
                self.report.error(
                    pos,
                    f"{where} has decimal({precision},{scale})",
                    "precision is 1 to 38 and scale at most precision",
                )
                return None
        return ftype

    def nested_constraints(self, field: Field, where: str, *, readers: bool = False) -> None:
        """Say plainly which nested checks only the generated models make."""
        if field.anonymize is not None:
            self.report.error(
                field.loc("anonymize"),
                f"anonymize on {where} is not supported: treatments apply to top-level fields",
                "put 'anonymize:' on the top-level field that holds it",
            )
        kinds = [
            name
            for name, on in (
                ("required", field.required),
                ("unique", field.unique),
                ("minimum", field.minimum is not None),
                ("maximum", field.maximum is not None),
                ("min_length", field.min_length is not None),
                ("max_length", field.max_length is not None),
                ("pattern", field.pattern is not None),
                ("format", field.type.format in FORMAT_PATTERNS),
            )
            if on and not (readers and name != "unique")
        ]
        if kinds:
            self.report.warning(
                field.pos,
                f"{', '.join(kinds)} on {where} is checked by the generated models, "
                "not by the Polars readers (they check nested types and enum values)",
                "keep constraints the readers must enforce on top-level fields",
            )

    def enum_values(self, node: Node, where: str) -> tuple[str, ...]:
        values = []
        for item in self.each(node, f"values of {where}"):
            if isinstance(item, Scalar) and item.is_null:
                self.report.error(
                    item.pos,
                    f"null among the enum values of {where}",
                    "quote it if 'null' is a value",
                )
                continue
            text = self.text(item, f"each enum value of {where}")
            if text is None:
                continue
            if text in values:
                self.report.error(item.pos, f"enum value '{text}' is listed twice in {where}", "remove one")
                continue
            values.append(text)
        return tuple(values)

    def timezone(self, node: Node, where: str) -> str | None:
        if isinstance(node, Scalar) and node.plain and node.text in BOOL:
            return "UTC" if BOOL[node.text] else None
        zone = self.text(node, f"timezone of {where}")
        if zone is None:
            return None
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.report.error(
                node.pos, f"unknown time zone '{zone}' ({where})", "use an IANA name such as UTC"
            )
            return None
        return zone

    def pattern(self, keys: dict[str, tuple[Scalar, Node]], where: str) -> str | None:
        pattern = self.optional(keys, "pattern", self.text, f"pattern of {where}")
        if pattern is None:
            return None
        refused = regex.problem(pattern)
        if refused is not None:
            self.report.error(keys["pattern"][1].pos, f"pattern of {where} {refused}", regex.hint(refused))
            return None
        return pattern

    def constraints(self, field: Field, keys: dict[str, tuple[Scalar, Node]], where: str) -> Field:
        kind = field.type.kind
        ordered = ("integer", "float", "decimal", "date", "time", "timestamp", "duration")
        sized = ("string", "binary", "list")
        rules = {
            "minimum": ordered,
            "maximum": ordered,
            "exclusive_minimum": ordered,
            "exclusive_maximum": ordered,
            "min_length": sized,
            "max_length": sized,
            "pattern": ("string",),
            "unique": (
                "string",
                "integer",
                "float",
                "decimal",
                "date",
                "time",
                "timestamp",
                "enum",
                "binary",
            ),
        }
        changes: dict[str, object] = {}
        for key, kinds in rules.items():
            if key in keys and kind not in kinds:
                self.report.error(
                    keys[key][0].pos,
                    f"'{key}' does not apply to a {kind} field ({where})",
                    f"'{key}' is for {', '.join(kinds)} fields",
                )
        for key in ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum"):
            if key in keys and kind in ordered:
                value = self.value(keys[key][1], field.type, f"{key} of {where}")
                bound = key.removeprefix("exclusive_")
                if bound in changes:
                    self.report.error(keys[key][0].pos, f"{where} has both '{bound}' and '{key}'", "keep one")
                changes[bound] = value
                changes[f"exclusive_{bound}"] = key.startswith("exclusive_")
        for key in ("min_length", "max_length"):
            if key in keys and kind in sized:
                changes[key] = self.integer(keys[key][1], f"{key} of {where}")
        if "default" in keys:
            changes["default"] = self.value(keys["default"][1], field.type, f"default of {where}")
        field = replace(field, **changes)  # type: ignore[arg-type]
        if field.pattern is not None and field.type.format in FORMAT_PATTERNS:
            self.report.error(
                keys["pattern"][0].pos,
                f"{where} has both format {field.type.format} and a pattern",
                f"format {field.type.format} already checks the shape; remove one of them",
            )
        lo, hi = field.minimum, field.maximum
        if lo is not None and hi is not None and type(lo) is type(hi) and lo > hi:  # type: ignore[operator]
            self.report.error(field.pos, f"{where} has minimum {lo} above maximum {hi}")
        if (
            field.min_length is not None
            and field.max_length is not None
            and field.min_length > field.max_length
        ):
            self.report.error(field.pos, f"{where} has min_length above max_length")
        self.check_default(field, keys, where)
        return field

    def check_default(self, field: Field, keys: dict[str, tuple[Scalar, Node]], where: str) -> None:
        """The default fills old files, so it must pass the checks the readers run on the field."""
        broken = None if field.default is None else _default_problem(field)
        if broken is not None:
            self.report.error(
                keys["default"][1].pos,
                f"default of {where}: {broken}",
                "the default fills old files, so it must pass the field's own checks; change one of them",
            )

    def value(self, node: Node, ftype: FieldType, what: str) -> Value | None:
        """A literal of the field's type, read from the text exactly as written."""
        if not isinstance(node, Scalar) or node.is_null:
            self.report.error(node.pos, f"{what} must be a single value, not {describe(node)}")
            return None
        # Text is kept exactly; around numbers and dates, spaces carry no meaning.
        text = node.text if ftype.kind in ("string", "enum") else node.text.strip()
        try:
            return parse_value(text, ftype)
        except ValueError as exc:
            self.report.error(node.pos, f"{what}: {exc}", value_hint(ftype))
            return None

    def renamed(self, node: Node, where: str) -> tuple[tuple[str, ...], dt.date | None]:
        """`renamed_from: old`, a list of old names, or `{name: old, until: YYYY-MM-DD}`."""
        if not isinstance(node, Map):
            return self.texts(node, f"renamed_from of {where}"), None
        keys = self.mapping(node, f"renamed_from of {where}", ("name", "until"))
        if keys is None or "name" not in keys:
            self.report.error(
                node.pos, f"renamed_from of {where} needs the old 'name'", "add 'name: old_column'"
            )
            return (), None
        return self.texts(keys["name"][1], "renamed_from name"), self.optional(
            keys, "until", self.date, "until"
        )

    def deprecation(self, node: Node, where: str) -> Deprecation | None:
        if isinstance(node, Scalar) and node.plain and node.text in BOOL:
            return Deprecation() if BOOL[node.text] else None
        if isinstance(node, Scalar):
            return Deprecation(reason=node.text)
        keys = self.mapping(node, f"deprecated of {where}", ("reason", "since", "sunset", "replacement"))
        if keys is None:
            return None
        sunset = self.optional(keys, "sunset", self.date, "sunset")
        return Deprecation(
            reason=self.optional(keys, "reason", self.text, "reason"),
            since=self.optional(keys, "since", self.text, "since"),
            sunset=sunset,
            replacement=self.optional(keys, "replacement", self.text, "replacement"),
        )

    # -- the other sections ------------------------------------------------------------------


def _default_problem(field: Field) -> str | None:  # noqa: PLR0911 -- one return per check a value can fail
    """Which of the field's own checks its default fails (the end of a sentence), or None."""
    value, lo, hi = field.default, field.minimum, field.maximum
    same_lo = lo is not None and type(lo) is type(value)
    if same_lo and (value < lo or (field.exclusive_minimum and value == lo)):  # type: ignore[operator]
        return f"{value} is {'at or below' if field.exclusive_minimum else 'below'} the minimum {lo}"
    same_hi = hi is not None and type(hi) is type(value)
    if same_hi and (value > hi or (field.exclusive_maximum and value == hi)):  # type: ignore[operator]
        return f"{value} is {'at or above' if field.exclusive_maximum else 'above'} the maximum {hi}"
    if not isinstance(value, str):
        return None
    if field.min_length is not None and len(value) < field.min_length:
        return f"'{value}' is shorter than min_length {field.min_length}"
    if field.max_length is not None and len(value) > field.max_length:
        return f"'{value}' is longer than max_length {field.max_length}"
    shape = field.type.format
    if (
        field.type.kind == "string"
        and shape in FORMAT_PATTERNS
        and not regex.matches(FORMAT_PATTERNS[shape], value)
    ):
        return f"'{value}' is not a valid {shape}"
    if (
        field.pattern is not None
        and regex.problem(field.pattern) is None
        and not regex.matches(field.pattern, value)
    ):
        return f"'{value}' does not match the pattern {field.pattern!r}"
    return None


def _kinds(names: set[str], fields: tuple[Field, ...]) -> dict[str, str | None]:
    """Every declared name -> its type's kind (None where the field had errors of its own)."""
    known = {f.name: f.type.kind for f in fields}
    return {name: known.get(name) for name in sorted(names)}
