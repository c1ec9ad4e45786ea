"""The access configuration: how to reach each contract's live data (`config/data_access.yaml`).

One entry per contract, keyed by its `data_source`: a `kind` and the fields that kind needs.

    sources:
      billing_payments:
        kind: postgres            # other SQL databases follow the same shape: kind + host, port,
        host: ${BILLING_DB_HOST}  # database, schema, table, user, password
        port: 5432
        database: billing
        table: invoices
        user: ${BILLING_DB_USER}
        password: ${BILLING_DB_PASSWORD}
        rate_limit: 100 requests/hour
        batch_export: nightly Parquet export to s3://billing-exports/

Credentials are only ever environment-variable references (`${NAME}`); a literal secret is
refused with the same checks contracts get. The file is read with the contract loader's YAML
reader, so every problem is reported at its `file:line:col` with a hint.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from contractgen.diagnostics import ContractError, Position, Report
from contractgen.load import secrets
from contractgen.load.sections import Sections
from contractgen.load.shapes import suggest
from contractgen.load.yamltree import Map, Node, Scalar, decode, describe, parse

Kind = Literal["parquet", "csv", "ndjson", "duckdb", "sqlite", "postgres"]
KINDS: tuple[Kind, ...] = get_args(Kind)
FILE_KINDS = ("parquet", "csv", "ndjson")
SERVER_KINDS = ("postgres",)
# What each kind is reached by, and what it may carry besides.
_NEEDS: dict[str, tuple[str, ...]] = {
    "parquet": ("path",),
    "csv": ("path",),
    "ndjson": ("path",),
    "duckdb": ("path", "table"),
    "sqlite": ("path", "table"),
    "postgres": ("host", "database", "table", "user"),
}
_MAY: dict[str, tuple[str, ...]] = {
    "parquet": (),
    "csv": ("separator",),
    "ndjson": (),
    "duckdb": ("schema",),
    "sqlite": (),
    "postgres": ("port", "schema", "password", "sslmode", "connect_timeout"),
}
_COMMON = ("kind", "description", "rate_limit", "batch_export")
KEYS = tuple(dict.fromkeys((*_COMMON, *(k for ks in (*_NEEDS.values(), *_MAY.values()) for k in ks))))
# Other SQL databases known by name: the shape is the same, the connector is not written yet.
_PLANNED = ("mysql", "snowflake", "bigquery", "redshift", "sqlserver", "oracle")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DEFAULT_PORT = {"postgres": 5432}


class ConfigError(ContractError):
    """The access configuration has errors; `diagnostics` lists every one."""


@dataclass(frozen=True, slots=True)
class Source:
    """How to reach one contract's data. Values are as written: `${NAME}` references unresolved."""

    name: str
    kind: Kind
    pos: Position
    path: str | None = None
    table: str | None = None
    schema: str | None = None
    host: str | None = None
    port: str | None = None
    database: str | None = None
    user: str | None = None
    password: str | None = None
    sslmode: str | None = None
    connect_timeout: str | None = None
    separator: str | None = None
    description: str | None = None
    rate_limit: str | None = None
    batch_export: str | None = None
    locs: tuple[tuple[str, Position], ...] = field(default=(), compare=False)

    def loc(self, key: str) -> Position:
        return dict(self.locs).get(key, self.pos)

    @property
    def env_vars(self) -> tuple[str, ...]:
        """Every environment variable the entry references, in the order written."""
        found: list[str] = []
        for key in KEYS:
            value = getattr(self, key, None) if key != "kind" else None
            for name in _ENV.findall(value or ""):
                if name not in found:
                    found.append(name)
        return tuple(found)

    def missing_env(self, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
        environ = os.environ if env is None else env
        return tuple(n for n in self.env_vars if not environ.get(n))

    def resolved(self, key: str, env: Mapping[str, str] | None = None) -> str | None:
        """A field with its `${NAME}` references replaced from the environment (KeyError: unset)."""
        value = getattr(self, key)
        if value is None:
            return None
        environ = os.environ if env is None else env
        return _ENV.sub(lambda m: environ[m.group(1)], value)

    @property
    def target(self) -> str:
        """Where the data is, without any credential: for reports."""
        if self.kind in SERVER_KINDS:
            port = self.port or _DEFAULT_PORT.get(self.kind, "")
            where = f"{self.kind}://{self.host}:{port}/{self.database}"
            return f"{where} table {self.qualified}"
        if self.kind in FILE_KINDS:
            return f"{self.kind} {self.path}"
        return f"{self.kind} {self.path} table {self.qualified}"

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else str(self.table)


@dataclass(frozen=True, slots=True)
class AccessConfig:
    path: str
    sources: tuple[Source, ...]

    def get(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)


def load(path: Path, display: str | None = None) -> AccessConfig:
    """Read and check an access configuration; ConfigError lists every problem (OSError: unreadable)."""
    shown = display or str(path)
    return parse_config(path.read_bytes(), shown)


def parse_config(data: bytes, shown: str) -> AccessConfig:
    report = Report(shown)
    text = decode(data, report)
    root = parse(text, report) if text is not None else None
    sources: list[Source] = []
    if root is not None:
        reader = _Reader(report)
        sources = reader.config(root)
    if report.has_errors:
        raise ConfigError(sorted(report.items, key=lambda d: (d.pos, d.message)))
    return AccessConfig(shown, tuple(sources))


class _Reader(Sections):
    _HINT = "write ${NAME} and set the environment variable NAME where the check runs"

    def config(self, root: Node) -> list[Source]:
        keys = self.mapping(root, "the access configuration", ("version", "sources"))
        if keys is None:
            return []
        if "version" in keys:
            version = self.text(keys["version"][1], "version")
            if version not in (None, "1"):
                self.report.error(
                    keys["version"][1].pos, f"unknown configuration version '{version}'", "write 1"
                )
        if "sources" not in keys:
            self.report.error(root.pos, "the access configuration has no 'sources'", "add 'sources:'")
            return []
        node = keys["sources"][1]
        if not isinstance(node, Map):
            self.report.error(node.pos, f"sources must map each contract to its access, not {describe(node)}")
            return []
        secrets.scan(root, self.report, self._HINT)
        out = []
        seen: dict[str, Position] = {}
        for key, value in node.items:
            if key.text in seen:
                first = seen[key.text].line
                self.report.error(
                    key.pos,
                    f"source '{key.text}' is configured twice (first at line {first})",
                    "keep one entry",
                )
                continue
            seen[key.text] = key.pos
            source = self.source(key, value)
            if source is not None:
                out.append(source)
        return out

    def source(self, key: Scalar, node: Node) -> Source | None:
        name = key.text
        keys = self.mapping(node, f"source '{name}'", KEYS)
        if keys is None:
            return None
        if "kind" not in keys:
            self.report.error(
                key.pos, f"source '{name}' has no kind", f"add 'kind:', one of: {', '.join(KINDS)}"
            )
            return None
        kind = self.text(keys["kind"][1], "kind")
        if kind not in KINDS:
            where = keys["kind"][1].pos
            if kind in _PLANNED:
                self.report.error(
                    where,
                    f"source '{name}': there is no {kind} connector yet",
                    f"use one of: {', '.join(KINDS)}; SQL databases share the postgres shape "
                    "(kind, host, port, database, schema, table, user, password)",
                )
            else:
                self.report.error(
                    where, f"source '{name}': unknown kind '{kind}'", suggest(str(kind), KINDS, "kinds")
                )
            return None
        allowed = (*_COMMON, *_NEEDS[kind], *_MAY[kind])
        values: dict[str, str] = {}
        for field_name, (fkey, fvalue) in keys.items():
            if field_name not in allowed:
                self.report.error(
                    fkey.pos,
                    f"'{field_name}' does not apply to a {kind} source",
                    f"a {kind} source takes: {', '.join(k for k in allowed if k != 'kind')}",
                )
                continue
            text = self.text(fvalue, field_name)
            if text is not None:
                values[field_name] = text
        for needed in _NEEDS[kind]:
            if needed not in keys:
                self.report.error(key.pos, f"source '{name}' ({kind}) has no '{needed}'", f"add '{needed}:'")
        written = values.get("password")
        if written is not None and not _ENV.fullmatch(written):
            where = keys["password"][1].pos
            if all(d.pos != where for d in self.report.items):  # unless the secret scan spoke
                self.report.error(
                    where,
                    f"source '{name}': the password is written out; it must be an environment variable "
                    "reference",
                    self._HINT,
                )
        values.pop("kind", None)
        locs = tuple((k, v[1].pos) for k, v in keys.items())
        return Source(name=name, kind=kind, pos=key.pos, locs=locs, **values)
