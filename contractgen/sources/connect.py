"""Connectors: open a source, read its catalog, run the aggregate queries the checks build.

DuckDB is the embedded default: it opens DuckDB files and is also the engine for Parquet, CSV and
NDJSON files (their schema from the file metadata, the checks as SQL over `read_parquet(...)`).
SQLite comes with Python. PostgreSQL is reached with psycopg (v3). Each driver is imported only
when a source of its kind is checked.

Every failure becomes a `SourceError` saying what went wrong and what to do, with no value of
any credential in it: the texts of the resolved `${NAME}` references are masked in every message
a driver returns.
"""

from __future__ import annotations

import glob
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from sqlglot import exp

from contractgen.sources.config import FILE_KINDS, Source

_READERS = {"parquet": "read_parquet", "csv": "read_csv", "ndjson": "read_json_auto"}
CONNECT_TIMEOUT_SECONDS = 10


class SourceError(Exception):
    """A source could not be reached or read; `hint` says what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class Connection(Protocol):
    dialect: str
    loose: bool
    relation: exp.Expression

    def columns(self) -> list[tuple[str, str]]: ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


def connect(source: Source, env: Mapping[str, str], base: Path) -> Connection:
    """Open `source`; SourceError if it cannot be reached."""
    secrets = [env[name] for name in source.env_vars if env.get(name)]
    try:
        if source.kind == "postgres":
            return _Postgres(source, env, secrets)
        if source.kind == "sqlite":
            return _Sqlite(source, env, base, secrets)
        return _DuckDB(source, env, base, secrets)
    except SourceError:
        raise
    except ImportError as exc:
        raise SourceError(
            f"cannot check a {source.kind} source: {exc}", "pip install 'contractgen[sources]'"
        ) from None
    except Exception as exc:  # every driver's own error classes: reported, never a traceback
        raise SourceError(f"cannot connect: {_first_line(exc, secrets)}", _hint(source)) from None


def _first_line(exc: BaseException, secrets: list[str]) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:  # noqa: PLR2004 -- shorter texts would mask ordinary words
            text = text.replace(secret, "***")
    return text


def _hint(source: Source) -> str:
    if source.kind == "postgres":
        return (
            "check that the server is up and reachable from here, and that the host, port, database "
            f"and the credentials in {', '.join(source.env_vars) or 'the configuration'} are right"
        )
    return f"check that {source.path} exists and can be read"


def _path(source: Source, env: Mapping[str, str], base: Path) -> Path:
    text = source.resolved("path", env) or ""
    path = Path(text)
    return path if path.is_absolute() else base / path


class _Base:
    dialect = "duckdb"
    loose = False  # whether catalog types are guesses of a family (text files), not declarations
    relation: exp.Expression
    secrets: list[str]
    source: Source

    def fail(self, exc: BaseException, what: str) -> SourceError:
        message = _first_line(exc, self.secrets)
        lowered = message.lower()
        if "permission denied" in lowered or "insufficient privilege" in lowered:
            return SourceError(
                f"{what}: permission denied ({message})",
                "ask the owner for read access to the table (SELECT on it)",
            )
        return SourceError(f"{what}: {message}", _hint(self.source))


class _DuckDB(_Base):
    def __init__(self, source: Source, env: Mapping[str, str], base: Path, secrets: list[str]) -> None:
        import duckdb  # noqa: PLC0415 -- the driver of this kind only

        self.source, self.secrets, self.errors = source, secrets, (duckdb.Error,)
        path = _path(source, env, base)
        if source.kind in FILE_KINDS:
            if not glob.glob(str(path)):
                raise SourceError(
                    f"no file matches {source.path}",
                    "check the path; a relative path starts from the directory the check runs in",
                )
            self.db = duckdb.connect(":memory:")
            self.relation = exp.Anonymous(
                this=_READERS[source.kind], expressions=[exp.Literal.string(str(path))]
            )
            # Text files carry no types: DuckDB's sniffer guesses a family (BIGINT, DOUBLE,
            # TIMESTAMP), which stands for the contract's width within that family.
            self.loose = source.kind != "parquet"
        else:
            if not path.exists():
                raise SourceError(
                    f"no DuckDB file at {source.path}",
                    "check the path; a relative path starts from the directory the check runs in",
                )
            self.db = duckdb.connect(str(path), read_only=True)
            self.relation = exp.table_(source.table or "", db=source.schema, quoted=True)

    def columns(self) -> list[tuple[str, str]]:
        try:
            if self.source.kind in FILE_KINDS:
                query = exp.Describe(this=exp.select("*").from_(self.relation)).sql("duckdb")
                return [(str(r[0]), str(r[1])) for r in self.db.execute(query).fetchall()]
            catalog = (
                exp.select("column_name", "data_type")
                .from_(exp.table_("columns", db="information_schema"))
                .where(exp.column("table_name").eq(exp.Literal.string(self.source.table or "")))
                .where(exp.column("table_schema").eq(exp.Literal.string(self.source.schema or "main")))
                .order_by("ordinal_position")
            )
            return [(str(r[0]), str(r[1])) for r in self.db.execute(catalog.sql("duckdb")).fetchall()]
        except self.errors as exc:
            raise self.fail(exc, "cannot read the schema") from None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return list(self.db.execute(sql).fetchall())
        except self.errors as exc:
            raise self.fail(exc, "a check query failed") from None

    def close(self) -> None:
        self.db.close()


class _Sqlite(_Base):
    dialect = "sqlite"

    def __init__(self, source: Source, env: Mapping[str, str], base: Path, secrets: list[str]) -> None:
        self.source, self.secrets = source, secrets
        path = _path(source, env, base)
        if not path.exists():
            raise SourceError(
                f"no SQLite file at {source.path}",
                "check the path; a relative path starts from the directory the check runs in",
            )
        self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        self.db.create_function("REGEXP", 2, _regexp, deterministic=True)
        self.relation = exp.table_(source.table or "", quoted=True)

    def columns(self) -> list[tuple[str, str]]:
        try:
            info = self.db.execute("SELECT name, type FROM pragma_table_info(?)", (self.source.table,))
            return [(str(r[0]), str(r[1])) for r in info.fetchall()]
        except sqlite3.Error as exc:
            raise self.fail(exc, "cannot read the schema") from None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return list(self.db.execute(sql).fetchall())
        except sqlite3.Error as exc:
            raise self.fail(exc, "a check query failed") from None

    def close(self) -> None:
        self.db.close()


def _regexp(pattern: str, value: object) -> bool | None:
    """SQLite's REGEXP, with the pattern already rewritten for Python's `re` (sources.regex)."""
    import re  # noqa: PLC0415 -- SQLite calls this only for pattern checks

    return None if value is None else re.search(pattern, str(value)) is not None


class _Postgres(_Base):
    dialect = "postgres"

    def __init__(self, source: Source, env: Mapping[str, str], secrets: list[str]) -> None:
        import psycopg  # noqa: PLC0415 -- the driver of this kind only

        self.source, self.secrets, self.errors = source, secrets, (psycopg.Error,)
        missing = source.missing_env(env)
        if missing:
            raise SourceError(
                f"cannot connect: the environment variables {', '.join(missing)} are not set",
                "set them where the check runs (their values are never printed)",
            )
        timeout = source.resolved("connect_timeout", env) or str(CONNECT_TIMEOUT_SECONDS)
        self.db = psycopg.connect(
            host=source.resolved("host", env),
            port=source.resolved("port", env) or "5432",
            dbname=source.resolved("database", env),
            user=source.resolved("user", env),
            password=source.resolved("password", env) or None,
            sslmode=source.resolved("sslmode", env) or "prefer",
            connect_timeout=timeout,
            autocommit=True,
        )
        self.db.read_only = True
        self.relation = exp.table_(source.table or "", db=source.schema or "public", quoted=True)

    def columns(self) -> list[tuple[str, str]]:
        query = (
            "SELECT column_name, CASE WHEN data_type = 'numeric' AND numeric_precision IS NOT NULL "
            "THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')' "
            "WHEN data_type = 'ARRAY' THEN substr(udt_name, 2) || '[]' ELSE data_type END "
            "FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "ORDER BY ordinal_position"
        )
        try:
            with self.db.cursor() as cursor:
                cursor.execute(query, (self.source.schema or "public", self.source.table))
                return [(str(r[0]), str(r[1])) for r in cursor.fetchall()]
        except self.errors as exc:
            raise self.fail(exc, "cannot read the schema") from None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            with self.db.cursor() as cursor:
                cursor.execute(sql.encode())
                return list(cursor.fetchall())
        except self.errors as exc:
            raise self.fail(exc, "a check query failed") from None

    def close(self) -> None:
        self.db.close()
