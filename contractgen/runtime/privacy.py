"""Sensitive values: kept out of every message (redaction) and out of shared data (anonymize).

A column is sensitive when its contract marks it `pii`, classifies it `confidential` or
`restricted`, or gives it an `anonymize:` treatment. Its sample values never reach a message:
each becomes `<redacted sha256:1a2b3c4d>`, the first 8 hex digits of an HMAC-SHA256 of the value.
The key is CONTRACTGEN_REDACTION_KEY when set, otherwise random for each process: equal values
show the same digest within one report (so repeats can still be matched), and without the key
nobody can test a guess (a list of likely email addresses) against a digest.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import polars as pl

from contractgen.runtime.errors import Violation
from contractgen.runtime.spec import Column, Table

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)
REDACTION_KEY_ENV = "CONTRACTGEN_REDACTION_KEY"
ANONYMIZE_KEY_ENV = "CONTRACTGEN_ANONYMIZE_KEY"
MIN_KEY_BYTES = 16  # below this, a key could be found by trying them all
_PROCESS_KEY = secrets.token_bytes(32)
_DIGEST_CHARS = 8


class AnonymizeKeyError(ValueError):
    """anonymize() was asked to hash without a usable secret key."""


@dataclass(frozen=True, slots=True)
class Redacted:
    """A sample value of a sensitive column, standing in for it in messages and structured output."""

    digest: str  # 8 hex digits of HMAC-SHA256(key, repr(value))

    def __repr__(self) -> str:
        return f"<redacted sha256:{self.digest}>"

    def __str__(self) -> str:
        return repr(self)


def redact(value: Any) -> Any:
    """`value` as a `Redacted` digest; None stays None (that a value is missing is no secret)."""
    if value is None or isinstance(value, Redacted):
        return value  # a digest already: hashing it again would not match the other readers'
    key = os.environ.get(REDACTION_KEY_ENV, "").encode() or _PROCESS_KEY
    digest = hmac.new(key, repr(value).encode(), hashlib.sha256).hexdigest()
    return Redacted(digest[:_DIGEST_CHARS])


def redact_violations(violations: list[Violation], table: Table) -> list[Violation]:
    """The violations with every sample value of a sensitive column replaced by its digest.

    A composite key's sample is a mapping of column to value: only its sensitive parts are hidden.
    """
    hidden = {c.name for c in table.columns if c.sensitive}
    if not hidden:
        return violations
    out = []
    for violation in violations:
        samples = tuple(
            (row, _redact_sample(value, violation.column, hidden)) for row, value in violation.samples
        )
        out.append(replace(violation, samples=samples) if samples != violation.samples else violation)
    return out


def _redact_sample(value: Any, column: str | None, hidden: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: redact(v) if k in hidden else v for k, v in value.items()}
    return redact(value) if column in hidden else value


def anonymize(frame: F, table: Table, *, key: str | bytes | None = None) -> F:
    """Apply each column's `anonymize` treatment; the other columns are returned untouched.

    hash: the HMAC-SHA256 (64 hex digits) of the value's text, keyed by `key` or the environment
    variable CONTRACTGEN_ANONYMIZE_KEY; refused without one. mask: the first character, then
    `***` (an email keeps its domain: `a***@example.com`). drop: the column is removed. Nulls stay
    null. Columns the frame does not have are skipped.
    """
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    # A treated column may arrive under an old name (`renamed_from`, which readers accept).
    treated: list[tuple[str, Column]] = []
    spec: Column
    for spec in table.columns:
        aliases: tuple[str, ...] = (spec.name, *spec.renamed_from) if spec.anonymize is not None else ()
        treated.extend((alias, spec) for alias in aliases if alias in names)
    _refuse_case_twins(names, table, {name for name, _ in treated})
    hashed = [name for name, c in treated if c.anonymize == "hash"]
    secret = _anonymize_key(key, table, hashed) if hashed else b""
    changes = []
    for name, column in treated:
        text = pl.col(name).cast(pl.String)
        if column.anonymize == "hash":
            # Polars has no SHA-256: hash each distinct value once (hashlib, in C), map rows in Polars.
            changes.append(text.map_batches(partial(_hmac_hex, secret), return_dtype=pl.String))
        elif column.anonymize == "mask":
            changes.append(_mask(text, email=column.format == "email").alias(name))
    dropped = [name for name, c in treated if c.anonymize == "drop"]
    return frame.with_columns(*changes).drop(dropped)


def _refuse_case_twins(names: list[str], table: Table, treated: set[str]) -> None:
    """A ValueError for a column that differs only in case from a treated one: never returned in clear."""
    folded = {
        name.casefold(): name
        for c in table.columns
        if c.anonymize is not None
        for name in (c.name, *c.renamed_from)
    }
    for name in names:
        twin = folded.get(name.casefold())
        if twin is not None and name not in treated and name != twin:
            raise ValueError(
                f"{table.label}: anonymize() refuses column {name!r}: it differs only in case from "
                f"{twin!r}, which the contract treats; rename it to {twin!r} or drop it first, so "
                "that its values are not returned in clear"
            )


def _anonymize_key(key: str | bytes | None, table: Table, hashed: list[str]) -> bytes:
    given = key if key is not None else os.environ.get(ANONYMIZE_KEY_ENV, "")
    secret = given.encode() if isinstance(given, str) else given
    what = f"{table.label}: anonymize() hashes {', '.join(repr(n) for n in hashed)}"
    if not secret:
        raise AnonymizeKeyError(
            f"{what} and needs a secret key: set the environment variable {ANONYMIZE_KEY_ENV} or pass "
            "key=. Without a key, a hash of an email address is undone by hashing a list of addresses."
        )
    if len(secret) < MIN_KEY_BYTES:
        raise AnonymizeKeyError(
            f"{what}, and its key is {len(secret)} bytes; use at least {MIN_KEY_BYTES} "
            "(for example the output of: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return secret


def _hmac_hex(key: bytes, values: pl.Series) -> pl.Series:
    distinct = values.drop_nulls().unique()
    digests = [hmac.digest(key, v.encode(), "sha256").hex() for v in distinct.to_list()]
    return values.replace_strict(
        distinct, pl.Series(digests, dtype=pl.String), default=None, return_dtype=pl.String
    )


def _mask(text: pl.Expr, *, email: bool) -> pl.Expr:
    masked = text.str.head(1) + "***"
    if not email:
        return masked
    domain = text.str.extract(r"@([^@]*)$", 1)
    return pl.when(domain.is_not_null()).then(masked + "@" + domain).otherwise(masked)
