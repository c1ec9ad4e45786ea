"""Check a contract's pattern with the engines that run it: Polars and Pydantic (Rust regex).

Python's `re` is not one of them: it refuses valid Rust syntax (`\\p{Greek}`, `\\x{41}`) and
accepts syntax Rust refuses (lookarounds, `(?#...)`, `\\N{...}`, conditionals, `a{,3}`).
"""

from __future__ import annotations

import functools
import re

_HINT = (
    "Polars and Pydantic match with the Rust regex engine: no lookarounds, backreferences, "
    "atomic groups or \\Z; rewrite the pattern without them"
)
# Python syntax that Rust refuses, named in the message when it is the reason.
_PYTHON_ONLY = re.compile(r"\(\?<?[=!]|\(\?>|\(\?P=|(?<!\\)\\[1-9]|(?<!\\)\\Z|\(\?#|\(\?\(|(?<!\\)\\N\{")


@functools.lru_cache(maxsize=256)
def problem(pattern: str) -> str | None:
    """Why the readers or the models cannot run `pattern` (the end of a sentence that begins
    "pattern of field 'a'"), or None when both can."""
    import typing  # noqa: PLC0415 -- the engines load only when a contract has a pattern

    import polars as pl  # noqa: PLC0415
    import pydantic  # noqa: PLC0415
    import pydantic_core  # noqa: PLC0415

    reason = None
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        reason = f"is not a valid regex for the readers (Polars): {_first_line(exc)}"
    else:
        try:
            pydantic.TypeAdapter(typing.Annotated[str, pydantic.StringConstraints(pattern=pattern)])
        except pydantic_core.SchemaError as exc:
            reason = f"is not a valid regex for the models (Pydantic): {_first_line(exc)}"
    python_only = _PYTHON_ONLY.search(pattern)
    if reason is not None and python_only is not None:
        return f"uses '{python_only.group(0)}', which the readers and models cannot run"
    return reason


def matches(pattern: str, text: str) -> bool:
    """Whether the readers' engine (Polars) finds `pattern` in `text`, as the runtime checks it."""
    import polars as pl  # noqa: PLC0415 -- the engine loads only when a contract has a pattern

    return bool(pl.select(pl.lit(text, dtype=pl.String).str.contains(pattern)).item())


def hint(reason: str) -> str | None:
    """What to do about a pattern refused for `reason`: rewrite Python-only syntax."""
    return _HINT if reason.startswith("uses ") else None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3])[:200]
