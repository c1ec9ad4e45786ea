"""Load stage, before any importer: credentials written out in a contract, in any format.

`scan` walks the YAML tree of every file, whatever its format, and looks at every scalar and every
mapping key, so an importer added later is covered without doing anything. Each error names the
shape found and where it is, never the text itself: that text may be the secret.
"""

from __future__ import annotations

import re

from contractgen.diagnostics import Report
from contractgen.load.yamltree import Map, Node, Scalar, Seq

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_NOT_REF = r"(?!\$\{)"  # a value written as ${NAME} names a variable; it is not the secret

# The shapes of credentials, most specific first: a value is reported once, as the first it has.
SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key (AKIA...)"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}"), "a GitHub fine-grained token (github_pat_...)"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}"), "a GitHub token (ghp_...)"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), "a Google API key (AIza...)"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token (xox...)"),
    (re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}"), "a Stripe secret key (sk_live_...)"),
    (re.compile(r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}"), "a secret API key (sk-...)"),
    (
        re.compile(rf"(?i)\bjdbc:\S*?[?&;:](?:password|pwd)={_NOT_REF}[^&;\s]"),
        "a password in a JDBC URL (password=...)",
    ),
    (re.compile(r"://[^/\s:@]*:[^/\s@]+@"), "a password inside a URL"),
    (
        re.compile(rf"(?i)(?:^|;)\s*(?:password|pwd)\s*=\s*{_NOT_REF}[^;\s]"),
        "a password in a connection string (Password=...)",
    ),
    (
        re.compile(
            r"(?i)[?&](?:api[_-]?key|access[_-]?token|token|client[_-]?secret|secret|password)"
            rf"={_NOT_REF}[^&#\s]"
        ),
        "a secret in a URL query parameter (api_key=, token=, secret=)",
    ),
)
# A key that names a credential; its value must be a ${NAME} reference.
_SECRET_KEY = re.compile(r"[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key)", re.I)
# Mappings whose keys are column names (native `schema:`, `fields:`) or that the importer checks
# itself (native `access.credentials`, with a message that says how to reference the variable).
_NAMES_NOT_VALUES = frozenset({"schema", "fields", "credentials"})
_HINT = "never put credentials in a contract; reference an environment variable instead"


def shape(text: str) -> str | None:
    """What kind of credential `text` holds, or None."""
    for pattern, label in SHAPES:
        if pattern.search(text):
            return label
    return None


def scan(root: Node, report: Report) -> None:
    """Report every literal credential in the tree, as an error at its position."""
    _walk(root, report, "")


def _walk(node: Node, report: Report, parent: str) -> None:
    if isinstance(node, Map):
        for key, value in node.items:
            _scalar(key, report, "key")
            if (
                isinstance(value, Scalar)
                and not value.is_null
                and parent not in _NAMES_NOT_VALUES
                and _SECRET_KEY.fullmatch(key.text)
                and not ENV_REF.match(value.text)
                and shape(value.text) is None  # reported below, by its shape
            ):
                report.error(
                    value.pos,
                    f"'{key.text}' holds a literal value that looks like a credential",
                    "move it to access.credentials as an environment variable reference like ${NAME}",
                )
            _walk(value, report, key.text)
    elif isinstance(node, Seq):
        for item in node.items:
            _walk(item, report, "")
    else:
        _scalar(node, report, "value")


def _scalar(node: Scalar, report: Report, what: str) -> None:
    label = shape(node.text)
    if label is not None:
        report.error(node.pos, f"this {what} contains what looks like {label}", _HINT)
