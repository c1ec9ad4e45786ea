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
_NOT_REF = r"(?!\$\{|\$[A-Za-z_])"  # a value written as ${NAME} (or $NAME) names a variable, not the secret
_WHOLE_REF = r"(?!\$\{[A-Za-z_][A-Za-z0-9_]*\}@)"  # user:${DB_PASSWORD}@host, as the docs recommend

# The shapes of credentials, most specific first: a value is reported once, as the first it has.
SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key (AKIA...)"),
    (
        re.compile(rf"(?i)aws_?secret_?access_?key\W{{0,3}}\s*[=:]\s*{_NOT_REF}[\"']?[A-Za-z0-9/+]{{30,}}"),
        "an AWS secret access key (aws_secret_access_key=...)",
    ),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}"), "a GitHub fine-grained token (github_pat_...)"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}"), "a GitHub token (ghp_...)"),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), "a GitLab token (glpat-...)"),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), "an npm token (npm_...)"),
    (re.compile(r"\bhf_[A-Za-z0-9]{30,}"), "a Hugging Face token (hf_...)"),
    (re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"), "a SendGrid key (SG....)"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), "a Google API key (AIza...)"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token (xox...)"),
    (re.compile(r"hooks\.slack\.com/(?:services|workflows)/[\w/-]{8,}"), "a Slack webhook URL"),
    (re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}"), "a Stripe secret key (sk_live_...)"),
    (re.compile(r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}"), "a secret API key (sk-...)"),
    (
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        "a JSON Web Token (eyJ...)",
    ),
    (
        re.compile(rf"(?i)\b(?:bearer|basic)\s+{_NOT_REF}[A-Za-z0-9._~+/-]{{12,}}=*"),
        "a bearer token (Authorization: Bearer ...)",
    ),
    (
        re.compile(rf"(?i)\bjdbc:\S*?[?&;:](?:password|pwd)={_NOT_REF}[^&;\s]"),
        "a password in a JDBC URL (password=...)",
    ),
    (re.compile(rf"://[^/\s:@]*:{_WHOLE_REF}[^/\s@]+@"), "a password inside a URL"),
    # A whole value that is one URL may have a space in its password (postgres://app:my pw@db/x).
    (
        re.compile(
            rf"^\s*[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:{_WHOLE_REF}(?!\d+\s)[^/@]+@[^\s/@]+(?:[/?#]\S*)?\s*\Z"
        ),
        "a password inside a URL",
    ),
    (
        re.compile(rf"(?i)(?:^|;)\s*(?:password|pwd)\s*=\s*{_NOT_REF}[^;\s]"),
        "a password in a connection string (Password=...)",
    ),
    (
        re.compile(rf"(?i)(?:^|;)\s*(?:AccountKey|SharedAccessKey)\s*=\s*{_NOT_REF}[^;\s]"),
        "an Azure account key in a connection string (AccountKey=...)",
    ),
    (re.compile(r"(?i)[?&]sig=[A-Za-z0-9%+/=_-]{10,}"), "an Azure shared access signature (sig=...)"),
    (
        re.compile(
            r"(?i)[?&](?:api[_-]?key|access[_-]?token|token|client[_-]?secret|secret|password)"
            rf"={_NOT_REF}[^&#\s]"
        ),
        "a secret in a URL query parameter (api_key=, token=, secret=)",
    ),
    (
        # libpq keyword strings (user=app password=x host=db), PGPASSWORD=x, shell-style settings.
        re.compile(
            r"(?i)(?<![A-Za-z0-9])[A-Za-z0-9_]*(?:password|passwd|pwd|secret|token|api[_-]?key)"
            rf"\s*=\s*{_NOT_REF}[\"']?[^\s\"'&;,)]"
        ),
        "a password or secret after password=, pwd=, secret=, token= or api_key=",
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


_KEY_HINT = "move it to access.credentials as an environment variable reference like ${NAME}"


def scan(root: Node, report: Report, hint: str | None = None) -> None:
    """Report every literal credential in the tree, as an error at its position. `hint` replaces
    the contract's hints (access.credentials) in files of another kind."""
    _walk(root, report, "", hint)


def _walk(node: Node, report: Report, parent: str, hint: str | None) -> None:
    if isinstance(node, Map):
        for key, value in node.items:
            _scalar(key, report, "key", hint)
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
                    hint or _KEY_HINT,
                )
            _walk(value, report, key.text, hint)
    elif isinstance(node, Seq):
        for item in node.items:
            _walk(item, report, "", hint)
    else:
        _scalar(node, report, "value", hint)


def _scalar(node: Scalar, report: Report, what: str, hint: str | None) -> None:
    label = shape(node.text)
    if label is not None:
        report.error(node.pos, f"this {what} contains what looks like {label}", hint or _HINT)
