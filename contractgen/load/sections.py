"""The parts of a contract around its schema: contacts and consumers, SLA, quality rules,
change policy and access (credentials only as environment variable references)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from contractgen.contract import MODES, Access, ChangePolicy, Party, QualityRule, Sla
from contractgen.load import sqlrule
from contractgen.load.secrets import ENV_REF
from contractgen.load.shapes import Shapes, suggest
from contractgen.load.values import PERCENT, float_or_none
from contractgen.load.yamltree import Map, Node, Scalar

SLA_KEYS = (
    "update_frequency",
    "max_delay",
    "uptime",
    "retention",
    "freshness_column",
    "support_hours",
)
POLICY_KEYS = ("breaking_changes", "deprecation_period", "notification_channel", "compatibility")
ACCESS_KEYS = (
    "system",
    "method",
    "endpoint",
    "permissions",
    "rate_limit",
    "network",
    "credentials",
    "approval",
)
PARTY_KEYS = ("name", "email", "role", "channel")
QUALITY_KINDS = ("completeness", "row_count", "freshness", "uniqueness", "sql", "custom")
QUALITY_KEYS = (
    "type",
    "columns",
    "column",
    "min_ratio",
    "min",
    "max",
    "max_age",
    "expression",
    "description",
)
COMPATIBILITY = MODES


class Sections(Shapes):
    """Readers for every section of a contract except its schema."""

    def parties(self, keys: dict[str, tuple[Scalar, Node]], section: str) -> tuple[Party, ...]:
        if section not in keys:
            return ()
        out = []
        for item in self.each(keys[section][1], section):
            if isinstance(item, Scalar):
                name = self.text(item, f"each entry of {section}")
                if name is not None:
                    out.append(Party(name=name, email=name if "@" in name else None))
                continue
            sub = self.mapping(item, f"an entry of {section}", PARTY_KEYS)
            if sub is None:
                continue
            if "name" not in sub:
                self.report.error(item.pos, f"an entry of {section} has no name", "add 'name:'")
                continue
            out.append(
                Party(
                    name=self.text(sub["name"][1], "name") or "",
                    email=self.optional(sub, "email", self.text, "email"),
                    role=self.optional(sub, "role", self.text, "role"),
                    channel=self.optional(sub, "channel", self.text, "channel"),
                )
            )
        return tuple(out)

    def sla(self, node: Node) -> Sla:
        keys = self.mapping(node, "sla", SLA_KEYS)
        if keys is None:
            return Sla()
        uptime = self.optional(keys, "uptime", self.text, "uptime")
        if uptime is not None and not (PERCENT.match(uptime) and float(uptime.strip().rstrip("%")) <= 100):  # noqa: PLR2004 -- a percentage
            self.report.error(
                keys["uptime"][1].pos,
                f"uptime '{uptime}' is not a percentage",
                "write it like '99.9%'",
            )
        return Sla(
            update_frequency=self.optional(keys, "update_frequency", self.text, "update_frequency"),
            max_delay=self.optional(keys, "max_delay", self.duration, "max_delay"),
            uptime=uptime,
            retention=self.optional(keys, "retention", self.duration, "retention"),
            freshness_column=self.optional(keys, "freshness_column", self.text, "freshness_column"),
            support_hours=self.optional(keys, "support_hours", self.text, "support_hours"),
        )

    def policy(self, node: Node) -> ChangePolicy:
        keys = self.mapping(node, "change_policy", POLICY_KEYS)
        if keys is None:
            return ChangePolicy()
        mode = self.optional(keys, "compatibility", self.text, "compatibility") or "FULL_TRANSITIVE"
        if mode not in COMPATIBILITY:
            self.report.error(
                keys["compatibility"][1].pos,
                f"unknown compatibility mode '{mode}'",
                f"use one of: {', '.join(COMPATIBILITY)}",
            )
        return ChangePolicy(
            breaking_changes=self.optional(keys, "breaking_changes", self.duration, "breaking_changes"),
            deprecation_period=self.optional(keys, "deprecation_period", self.duration, "deprecation_period"),
            notification_channel=self.optional(
                keys, "notification_channel", self.text, "notification_channel"
            ),
            compatibility=mode,
        )

    def quality(self, node: Node, names: Mapping[str, str | None]) -> tuple[QualityRule, ...]:
        out = []
        for item in self.each(node, "quality"):
            keys = self.mapping(item, "a quality rule", QUALITY_KEYS)
            if keys is None:
                continue
            kind = self.optional(keys, "type", self.text, "type of a quality rule")
            if kind not in QUALITY_KINDS:
                where = keys["type"][1].pos if "type" in keys else item.pos
                self.report.error(
                    where,
                    f"unknown quality rule type '{kind}'",
                    f"use one of: {', '.join(QUALITY_KINDS)}",
                )
                continue
            columns = self.optional(keys, "columns", self.texts, "columns") or ()
            columns += self.optional(keys, "column", self.texts, "column") or ()
            for column in columns:
                if column not in names:
                    self.report.error(
                        item.pos,
                        f"quality rule {kind} names '{column}', which is not a field",
                        suggest(column, set(names), "fields"),
                    )
            ratio = None
            if "min_ratio" in keys:
                text = self.text(keys["min_ratio"][1], "min_ratio") or ""
                percent = PERCENT.match(text)
                ratio = float(percent.group(1)) / 100 if percent else float_or_none(text)
                if ratio is None or not 0 <= ratio <= 1:
                    self.report.error(
                        keys["min_ratio"][1].pos,
                        f"min_ratio '{text}' is not a ratio",
                        "write 0.99 or 99%",
                    )
            expression = None
            if kind == "sql":
                expression, columns = self.row_rule(keys, item, names, columns)
            elif "expression" in keys:
                self.report.error(
                    keys["expression"][0].pos,
                    f"a {kind} quality rule takes no expression",
                    "write a row rule as 'type: sql' with 'expression:'",
                )
            rule = QualityRule(
                kind=kind,  # type: ignore[arg-type]
                pos=item.pos,
                columns=columns,
                min_ratio=ratio,
                min_rows=self.optional(keys, "min", self.integer, "min"),
                max_rows=self.optional(keys, "max", self.integer, "max"),
                max_age=self.optional(keys, "max_age", self.duration, "max_age"),
                description=self.optional(keys, "description", self.text, "description"),
                expression=expression,
            )
            out.append(rule)
        return tuple(out)

    def row_rule(
        self,
        keys: dict[str, tuple[Scalar, Node]],
        item: Node,
        names: Mapping[str, str | None],
        columns: tuple[str, ...],
    ) -> tuple[str | None, tuple[str, ...]]:
        """The normalized expression of a `type: sql` rule and the columns it reads."""
        if "expression" not in keys:
            self.report.error(
                item.pos,
                "a sql quality rule has no expression",
                "add 'expression:' with a condition on the row, like 'end_date >= start_date'",
            )
            return None, columns
        node = keys["expression"][1]
        text = self.text(node, "expression")
        if text is None:
            return None, columns
        if columns:
            self.report.error(
                keys["columns" if "columns" in keys else "column"][0].pos,
                "a sql quality rule takes its columns from the expression",
                "remove 'columns:'",
            )
        try:
            checked = sqlrule.check(text, names)
        except sqlrule.RuleError as exc:
            self.report.error(node.pos, f"expression {text!r}: {exc}", exc.hint)
            return None, columns
        except ImportError:
            self.report.error(
                node.pos,
                "sql quality rules are parsed with sqlglot, which is not installed",
                "pip install 'contractgen[cli]'",
            )
            return None, columns
        return checked.text, checked.columns

    def access(self, node: Node) -> Access:
        keys = self.mapping(node, "access", ACCESS_KEYS)
        if keys is None:
            return Access()
        credentials: list[tuple[str, str]] = []
        if "credentials" in keys:
            sub = keys["credentials"][1]
            if not isinstance(sub, Map):
                self.report.error(sub.pos, "access.credentials must map each credential to ${ENV_VAR}")
            else:
                for key, value in sub.items:
                    ref = value.text if isinstance(value, Scalar) else ""
                    match = ENV_REF.match(ref)
                    if match is None:
                        self.report.error(
                            value.pos,
                            f"credential '{key.text}' is not an environment variable reference",
                            f"never write credentials in a contract; write ${{{_env_name(key.text)}}} "
                            "and set that variable where the data is read",
                        )
                    else:
                        credentials.append((key.text, match.group(1)))
        return Access(
            system=self.optional(keys, "system", self.text, "system"),
            method=self.optional(keys, "method", self.text, "method"),
            endpoint=self.optional(keys, "endpoint", self.text, "endpoint"),
            permissions=self.optional(keys, "permissions", self.text, "permissions"),
            rate_limit=self.optional(keys, "rate_limit", self.text, "rate_limit"),
            network=self.optional(keys, "network", self.text, "network"),
            credentials=tuple(credentials),
            approval=self.optional(keys, "approval", self.text, "approval"),
        )


def _env_name(key: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", key.upper()).strip("_") or "SECRET"
