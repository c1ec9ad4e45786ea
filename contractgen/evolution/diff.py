"""Diff stage: two versions of a contract → every change, classified by the rule registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from contractgen.contract import INT_RANGE, Contract, Field, FieldType
from contractgen.diagnostics import Position
from contractgen.evolution import sectiondiff
from contractgen.evolution.rules import RULES, Bump, Rule, Severity


@dataclass(frozen=True, slots=True)
class Finding:
    """One change: which rule, what changed, where in the new contract, and how to migrate."""

    rule: Rule
    subject: str  # "usage_activity.last_login_date"
    message: str
    path: str
    pos: Position
    old: str | None = None
    new: str | None = None
    migration: str | None = None

    def severity(self, mode: str) -> Severity:
        return self.rule.severity(mode)

    def bump(self, mode: str) -> Bump:
        return self.rule.bump(mode)

    def record(self, mode: str) -> dict[str, Any]:
        """A stable, machine-readable form (one line of `--format json`)."""
        return {
            "rule": self.rule.id,
            "severity": self.severity(mode),
            "breaks": list(self.rule.breaks()),
            "compat": {"backward": self.rule.backward, "forward": self.rule.forward},
            "required_bump": self.bump(mode),
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "message": self.message,
            "migration": self.migration,
            "location": {"file": self.path, "line": self.pos.line, "column": self.pos.col},
        }


def show(value: object) -> str:
    """A value as a contract author would write it."""
    if isinstance(value, FieldType):
        return value.describe()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    return str(value)


def diff(old: Contract, new: Contract) -> list[Finding]:
    """Every change from `old` to `new`, in the order of the new contract."""
    return _Differ(old, new).run()


class _Differ:
    def __init__(self, old: Contract, new: Contract) -> None:
        self.old, self.new = old, new
        self.findings: list[Finding] = []
        self.name = new.data_source
        self.renames: dict[str, str] = {}  # top-level old name → new name, from renamed_from

    def add(  # noqa: PLR0913, PLR0917 -- a finding's parts, named at every call
        self,
        rule_id: str,
        subject: str,
        message: str,
        pos: Position,
        old: object = None,
        new: object = None,
        migration: str | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                RULES[rule_id],
                subject,
                message,
                self.new.path,
                pos,
                None if old is None else show(old),
                None if new is None else show(new),
                migration,
            )
        )

    def run(self) -> list[Finding]:
        old, new = self.old, self.new
        if old.data_source != new.data_source:
            self.add(
                "DATASET_RENAMED",
                new.data_source,
                f"Data source '{old.data_source}' was renamed to '{new.data_source}'.",
                new.loc("data_source"),
                old.data_source,
                new.data_source,
                f"import the new package {new.data_source} instead of {old.data_source}",
            )
        self.fields(old.fields, new.fields, self.name, new.loc("schema"), top=True)
        if old.primary_key != new.primary_key:
            self.add(
                "PRIMARY_KEY_CHANGED",
                self.name,
                f"Primary key changed from {show(old.primary_key)} to {show(new.primary_key)}.",
                new.loc("schema"),
                old.primary_key,
                new.primary_key,
                "re-check joins and de-duplication that rely on the grain of the table",
            )
        sectiondiff.diff(old, new, self.renames, self.add_contract_level)
        return self.findings

    def add_contract_level(  # noqa: PLR0913, PLR0917 -- a finding's parts, named at every call
        self,
        rule_id: str,
        message: str,
        pos: Position,
        old: object = None,
        new: object = None,
        migration: str | None = None,
    ) -> None:
        self.add(rule_id, self.name, message, pos, old, new, migration)

    # -- fields --------------------------------------------------------------------------------

    def fields(
        self, old: tuple[Field, ...], new: tuple[Field, ...], owner: str, where: Position, top: bool
    ) -> None:
        """Fields matched by name (and renamed_from); `where` locates removals."""
        old_by, new_by = {f.name: f for f in old}, {f.name: f for f in new}
        renamed: dict[str, Field] = {}  # old name → new field
        for field in new:
            for previous in field.renamed_from:
                if previous in old_by and previous not in new_by and field.name not in old_by:
                    renamed[previous] = field
                    if top:
                        self.renames[previous] = field.name
                    break
        targets = {f.name for f in renamed.values()}
        removed = [f for f in old if f.name not in new_by and f.name not in renamed]
        added = [f for f in new if f.name not in old_by and f.name not in targets]
        tombstones = set(self.old.removed_fields) if top else set()
        for field in new:
            subject = f"{owner}.{field.name}"
            if field.name in targets:
                previous = next(k for k, v in renamed.items() if v is field)
                until = f" until {field.renamed_until.isoformat()}" if field.renamed_until else ""
                self.add(
                    "FIELD_RENAMED",
                    subject,
                    f"'{previous}' was renamed to '{field.name}' (renamed_from).",
                    field.loc("renamed_from"),
                    previous,
                    field.name,
                    f"read '{field.name}' instead of '{previous}'; files that still have '{previous}' load "
                    f"under the new name, with a warning{until}",
                )
                self.field(old_by[previous], field, subject)
            elif field.name in old_by:
                self.field(old_by[field.name], field, subject)
        for field in added:
            self.added(field, f"{owner}.{field.name}", tombstones)
        for field in removed:
            self.add(
                "FIELD_REMOVED",
                f"{owner}.{field.name}",
                f"Field '{field.name}' was removed.",
                where,
                field.name,
                None,
                f"stop reading '{field.name}'; it is no longer delivered",
            )
        self.suspected_renames(old, new, removed, added, owner)
        common_old = [f.name for f in old if f.name in new_by]
        common_new = [f.name for f in new if f.name in old_by]
        if common_old != common_new:
            first = next(n for n, o in zip(common_new, common_old, strict=True) if n != o)
            self.add(
                "FIELD_REORDERED",
                owner,
                f"Fields were reordered; '{first}' moved.",
                new_by[first].pos,
                migration="read columns by name, never by position",
            )

    def added(self, field: Field, subject: str, tombstones: set[str]) -> None:
        if field.name in tombstones:
            self.add(
                "FIELD_NAME_REUSED",
                subject,
                f"'{field.name}' was removed in an earlier version and is used again.",
                field.pos,
                new=field.type,
                migration="historical data under this name means something else; choose a new name",
            )
        if field.required and field.default is None:
            rule, what = "FIELD_ADDED_REQUIRED", "Required field"
        elif field.required:
            rule, what = "FIELD_ADDED_REQUIRED_WITH_DEFAULT", "Required field with a default"
        else:
            rule, what = "FIELD_ADDED_OPTIONAL", "Optional field"
        self.add(
            rule,
            subject,
            f"{what} '{field.name}' ({field.type.describe()}) was added.",
            field.pos,
            None,
            field.type,
            "readers that reject unexpected columns fail on new files until they are regenerated; "
            "producers must write the new column"
            if rule == "FIELD_ADDED_REQUIRED"
            else "regenerate readers before new files arrive, or read with unexpected='drop'",
        )

    def suspected_renames(
        self,
        old: tuple[Field, ...],
        new: tuple[Field, ...],
        removed: list[Field],
        added: list[Field],
        owner: str,
    ) -> None:
        """One removed and one added field of the same shape are reported, never assumed, as a rename."""
        # Positions by identity: tuple.index compares whole fields, cubic on a wide table.
        old_at = {id(f): i for i, f in enumerate(old)}
        new_at = {id(f): i for i, f in enumerate(new)}
        added_at = {new_at[id(f)]: f for f in added}
        for gone in removed:
            if len(removed) == len(added) == 1:
                pool = added
            else:
                at = added_at.get(old_at[id(gone)])
                pool = [at] if at is not None else []
            same = [f for f in pool if f.type == gone.type and f.required == gone.required]
            if len(same) == 1:
                cand = same[0]
                self.add(
                    "FIELD_RENAME_SUSPECTED",
                    f"{owner}.{cand.name}",
                    f"'{gone.name}' was removed and '{cand.name}' added with the same type "
                    f"({cand.type.describe()}): if this is a rename, add 'renamed_from: {gone.name}' to "
                    f"'{cand.name}' (line {cand.pos.line}).",
                    cand.pos,
                    gone.name,
                    cand.name,
                    f"with renamed_from, readers keep loading files that still have '{gone.name}'",
                )

    def field(self, old: Field, new: Field, subject: str) -> None:
        self.type(old.type, new, subject)
        for dropped in (n for n in old.renamed_from if n not in new.renamed_from):
            self.add(
                "FIELD_OLD_NAME_DROPPED",
                subject,
                f"Files that still have '{dropped}' no longer load as '{new.name}'.",
                new.pos,
                dropped,
                None,
                f"producers must write '{new.name}'; the deprecated attribute '{dropped}' is gone",
            )
        if old.required != new.required:
            rule = "FIELD_BECAME_NON_NULLABLE" if new.required else "FIELD_BECAME_NULLABLE"
            self.add(
                rule,
                subject,
                f"'{new.name}' is now required."
                if new.required
                else f"'{new.name}' is no longer required; it may be null.",
                new.loc("required"),
                old.required,
                new.required,
                "producers must fill it in every row, history included"
                if new.required
                else "handle nulls (the model's type becomes Optional)",
            )
        if old.unique != new.unique:
            rule = "CONSTRAINT_UNIQUE_ADDED" if new.unique else "CONSTRAINT_UNIQUE_REMOVED"
            self.add(
                rule,
                subject,
                f"'{new.name}' {'must now' if new.unique else 'need no longer'} be unique.",
                new.loc("unique"),
                old.unique,
                new.unique,
            )
        if _comparable(old.type, new.type):
            self.bound("MINIMUM", old, new, subject, lower=True)
            self.bound("MAXIMUM", old, new, subject, lower=False)
        self.length("MIN_LENGTH", old.min_length, new.min_length, new, subject, lower=True)
        self.length("MAX_LENGTH", old.max_length, new.max_length, new, subject, lower=False)
        if old.pattern != new.pattern:
            rule = (
                "CONSTRAINT_PATTERN_ADDED"
                if old.pattern is None
                else "CONSTRAINT_PATTERN_REMOVED"
                if new.pattern is None
                else "CONSTRAINT_PATTERN_CHANGED"
            )
            self.add(
                rule,
                subject,
                f"The pattern of '{new.name}' changed.",
                new.loc("pattern"),
                old.pattern,
                new.pattern,
            )
        if old.default != new.default:
            rule = (
                "FIELD_DEFAULT_ADDED"
                if old.default is None
                else "FIELD_DEFAULT_REMOVED"
                if new.default is None
                else "FIELD_DEFAULT_CHANGED"
            )
            self.add(
                rule,
                subject,
                f"The default of '{new.name}' changed.",
                new.loc("default"),
                old.default,
                new.default,
                "rows that omit the value now get a different one",
            )
        if old.unit != new.unit:
            self.add(
                "FIELD_SEMANTICS_CHANGED",
                subject,
                f"The unit of '{new.name}' changed.",
                new.loc("unit"),
                old.unit,
                new.unit,
                f"convert '{new.name}' from {old.unit} to {new.unit} where it is used",
            )
        if old.description != new.description or old.examples != new.examples:
            self.add(
                "FIELD_DOC_CHANGED",
                subject,
                f"The description of '{new.name}' changed.",
                new.loc("description"),
            )
        self.handling(old, new, subject)
        if (old.deprecated is None) != (new.deprecated is None):
            if new.deprecated is not None:
                sunset = f", sunset {new.deprecated.sunset.isoformat()}" if new.deprecated.sunset else ""
                self.add(
                    "FIELD_DEPRECATED",
                    subject,
                    f"'{new.name}' is deprecated{sunset}.",
                    new.loc("deprecated"),
                    None,
                    new.deprecated.reason,
                    new.deprecated.replacement and f"move to '{new.deprecated.replacement}'",
                )
            else:
                self.add("FIELD_UNDEPRECATED", subject, f"'{new.name}' is no longer deprecated.", new.pos)

    def handling(self, old: Field, new: Field, subject: str) -> None:
        """How the field's values must be handled: its classification and anonymize treatment."""
        if (old.pii, old.classification) != (new.pii, new.classification):
            self.add(
                "CLASSIFICATION_CHANGED",
                subject,
                f"The classification of '{new.name}' changed.",
                new.loc("pii") if old.pii != new.pii else new.loc("classification"),
                _classification(old),
                _classification(new),
                "re-check who may read this column",
            )
        if old.anonymize != new.anonymize:
            self.add(
                "FIELD_ANONYMIZE_CHANGED",
                subject,
                f"The anonymize treatment of '{new.name}' changed.",
                new.loc("anonymize"),
                old.anonymize or "none",
                new.anonymize or "none",
                "re-check where the output of anonymize() goes",
            )

    def type(self, old: FieldType, new_field: Field, subject: str) -> None:
        new = new_field.type
        if old == new:
            return
        pos = new_field.loc("type")
        name = new_field.name
        if old.kind == new.kind == "enum":
            self.enum(old, new, new_field, subject)
            return
        if old.kind == new.kind == "list":
            assert old.items is not None and new.items is not None
            self.field(old.items, new.items, f"{subject}[]")
            return
        if old.kind == new.kind == "struct":
            self.fields(old.fields, new.fields, subject, new_field.pos, top=False)
            return
        if old.kind == new.kind and old.kind in ("string", "date", "time") and old.format != new.format:
            self.add(
                "FIELD_SEMANTICS_CHANGED",
                subject,
                f"The format of '{name}' changed.",
                pos,
                old.format,
                new.format,
                f"re-check code that parses '{name}'",
            )
            return
        rule = classify(old, new)
        migration = {
            "TYPE_WIDENED": f"regenerate readers: old readers reject the wider values of '{name}'",
            "TYPE_WIDENED_LOSSY": f"values of '{name}' may lose precision; re-check arithmetic on it",
            "TYPE_NARROWED": f"producers must fit '{name}' into {new.describe()}, history included",
            "TYPE_TEMPORAL_CHANGED": f"re-check time zone and unit handling of '{name}'",
            "ENUM_CONSTRAINT_ADDED": f"producers may only write the listed values to '{name}'",
            "ENUM_CONSTRAINT_REMOVED": f"'{name}' may hold any text; handle values outside the old list",
        }.get(rule, f"'{name}' is now {new.describe()}; regenerate and update code that reads it")
        self.add(
            rule,
            subject,
            f"The type of '{name}' changed from {_temporal(old)} to {_temporal(new)}."
            if rule == "TYPE_TEMPORAL_CHANGED"
            else f"The type of '{name}' changed from {old.describe()} to {new.describe()}.",
            pos,
            old,
            new,
            migration,
        )

    def enum(self, old: FieldType, new: FieldType, field: Field, subject: str) -> None:
        pos = field.loc("values") if "values" in dict(field.locs) else field.loc("type")
        gone = [v for v in old.values if v not in new.values]
        came = [v for v in new.values if v not in old.values]
        renamed = set()
        if len(old.values) == len(new.values):
            for index, (was, now) in enumerate(zip(old.values, new.values, strict=True)):
                if was in gone and now in came:
                    renamed.add((was, now))
                    self.add(
                        "ENUM_VALUE_RENAMED",
                        subject,
                        f"Value '{was}' of '{field.name}' became '{now}'.",
                        pos,
                        was,
                        now,
                        f"map '{was}' to '{now}' in code and in stored data (position {index})",
                    )
        for value in came:
            if any(now == value for _, now in renamed):
                continue
            self.add(
                "ENUM_VALUE_ADDED",
                subject,
                f"'{field.name}' may now be '{value}'.",
                pos,
                None,
                value,
                f"handle '{value}' wherever '{field.name}' is matched",
            )
        for value in gone:
            if any(was == value for was, _ in renamed):
                continue
            self.add(
                "ENUM_VALUE_REMOVED",
                subject,
                f"'{field.name}' may no longer be '{value}'.",
                pos,
                value,
                None,
                f"stop writing '{value}'; code that compares with it no longer type-checks",
            )
        kept_old = [v for v in old.values if v in new.values]
        kept_new = [v for v in new.values if v in old.values]
        if kept_old != kept_new:
            self.add(
                "ENUM_VALUES_REORDERED",
                subject,
                f"The values of '{field.name}' were reordered.",
                pos,
                old.values,
                new.values,
                "sorting and comparisons on the enum follow the new order",
            )

    def bound(self, which: str, old: Field, new: Field, subject: str, lower: bool) -> None:
        key = which.lower()
        was, now = getattr(old, key), getattr(new, key)
        was_x, now_x = getattr(old, f"exclusive_{key}"), getattr(new, f"exclusive_{key}")
        if (was, was_x) == (now, now_x):
            return
        word = which.lower()
        pos = new.loc(key) if key in dict(new.locs) else new.loc(f"exclusive_{key}")
        if was is None:
            rule = f"CONSTRAINT_{which}_ADDED"
        elif now is None:
            rule = f"CONSTRAINT_{which}_REMOVED"
        else:
            # Compare as (value, exclusive): an exclusive bound at the same value is tighter.
            tighter = (
                (now > was or (now == was and now_x)) if lower else (now < was or (now == was and now_x))
            )
            rule = f"CONSTRAINT_{which}_{_TIGHTER[which] if tighter else _LOOSER[which]}"
        self.add(
            rule,
            subject,
            f"The {word} of '{new.name}' changed.",
            pos,
            _bound_text(was, was_x),
            _bound_text(now, now_x),
        )

    def length(  # noqa: PLR0913, PLR0917 -- both bounds of both versions
        self, which: str, was: int | None, now: int | None, new: Field, subject: str, lower: bool
    ) -> None:
        if was == now:
            return
        if was is None:
            rule = f"CONSTRAINT_{which}_ADDED"
        elif now is None:
            rule = f"CONSTRAINT_{which}_REMOVED"
        else:
            tighter = now > was if lower else now < was
            rule = f"CONSTRAINT_{which}_{_TIGHTER[which] if tighter else _LOOSER[which]}"
        self.add(
            rule,
            subject,
            f"The {which.lower().replace('_', ' ')} of '{new.name}' changed.",
            new.loc(which.lower()),
            was,
            now,
        )


_TIGHTER = {
    "MINIMUM": "INCREASED",
    "MAXIMUM": "DECREASED",
    "MIN_LENGTH": "INCREASED",
    "MAX_LENGTH": "DECREASED",
}
_LOOSER = {
    "MINIMUM": "DECREASED",
    "MAXIMUM": "INCREASED",
    "MIN_LENGTH": "DECREASED",
    "MAX_LENGTH": "INCREASED",
}


def classify(old: FieldType, new: FieldType) -> str:  # noqa: PLR0911, PLR0912 -- the table of type changes, one return per row
    """The rule for a type change between two different types that are not both enums."""
    if old.kind == "string" and new.kind == "enum":
        return "ENUM_CONSTRAINT_ADDED"
    if old.kind == "enum" and new.kind == "string":
        return "ENUM_CONSTRAINT_REMOVED"
    if old.kind == new.kind == "integer":
        lo, hi = INT_RANGE[(old.bits or 64, old.signed)]
        new_lo, new_hi = INT_RANGE[(new.bits or 64, new.signed)]
        if new_lo <= lo and hi <= new_hi:
            return "TYPE_WIDENED"
        if lo <= new_lo and new_hi <= hi:
            return "TYPE_NARROWED"
        return "TYPE_CHANGED"
    if old.kind == new.kind == "float":
        return "TYPE_WIDENED" if (new.bits or 64) > (old.bits or 64) else "TYPE_NARROWED"
    if old.kind == new.kind == "decimal":
        dp, ds = (new.precision or 0) - (old.precision or 0), (new.scale or 0) - (old.scale or 0)
        if dp >= ds >= 0:
            return "TYPE_WIDENED"
        if dp <= ds <= 0:
            return "TYPE_NARROWED"
        return "TYPE_CHANGED"
    if old.kind == new.kind and old.kind in ("timestamp", "duration"):
        return "TYPE_TEMPORAL_CHANGED"
    if old.kind == "integer" and new.kind == "float":
        exact_bits = 24 if new.bits == 32 else 53  # noqa: PLR2004 -- a float is 32 or 64 bits wide
        return "TYPE_WIDENED" if (old.bits or 64) - int(old.signed) <= exact_bits else "TYPE_WIDENED_LOSSY"
    if old.kind == "integer" and new.kind == "decimal":
        digits = len(str(INT_RANGE[(old.bits or 64, old.signed)][1]))
        return "TYPE_WIDENED" if (new.precision or 0) - (new.scale or 0) >= digits else "TYPE_WIDENED_LOSSY"
    if old.kind == "float" and new.kind == "integer":
        # Narrowed only when every new integer is exact in the old float, so old readers keep up.
        exact_bits = 24 if old.bits == 32 else 53  # noqa: PLR2004 -- a float is 32 or 64 bits wide
        return "TYPE_NARROWED" if (new.bits or 64) - int(new.signed) <= exact_bits else "TYPE_CHANGED"
    if old.kind == "decimal" and new.kind == "integer":
        digits = len(str(INT_RANGE[(new.bits or 64, new.signed)][1]))
        return "TYPE_NARROWED" if (old.precision or 0) - (old.scale or 0) >= digits else "TYPE_CHANGED"
    if old.kind == "date" and new.kind == "timestamp" and new.timezone is None and new.unit != "ns":
        return "TYPE_WIDENED"  # midnight of each day; ns timestamps end in 2262, so not every date fits
    if old.kind == "timestamp" and new.kind == "date":
        return "TYPE_NARROWED"
    if {old.kind, new.kind} == {"date", "timestamp"}:
        return "TYPE_TEMPORAL_CHANGED"
    return "TYPE_CHANGED"


def _temporal(ftype: FieldType) -> str:
    """A time type with its unit and zone, which is what a temporal change is about."""
    if ftype.kind == "timestamp":
        return f"timestamp ({ftype.unit}, {ftype.timezone or 'naive'})"
    if ftype.kind == "duration":
        return f"duration ({ftype.unit})"
    return ftype.describe()


def _comparable(old: FieldType, new: FieldType) -> bool:
    numeric = ("integer", "float", "decimal")
    return old.kind == new.kind or (old.kind in numeric and new.kind in numeric)


def _bound_text(value: object, exclusive: bool) -> str | None:
    if value is None:
        return None
    return f"{show(value)} (exclusive)" if exclusive else show(value)


def _classification(field: Field) -> str:
    return f"{'pii' if field.pii else 'not pii'}, {field.classification or 'unclassified'}"
