"""Bracketed expressions laid out the way `ruff format` lays them out.

An expression goes on one line when it fits in the line length; otherwise it is split one item
per line with a trailing comma, which ruff keeps ("magic trailing comma"). Rendering formatted
text directly keeps generated code stable under ruff without running it at build time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True, slots=True)
class Group:
    """`head` + `open` + items + `close`: a call, a subscript, a tuple, a dict body."""

    head: str
    items: tuple[Expr, ...]
    open: str = "("
    close: str = ")"
    tuple_: bool = False  # a one-item tuple needs its comma even on one line
    hug: bool = False  # too long for its line: items on one line of their own if they fit there


Expr = str | Group


def width(text: str) -> int:
    """Display width as ruff measures it: wide East Asian characters count twice."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


def flat(expr: Expr) -> str:
    if isinstance(expr, str):
        return expr
    inner = ", ".join(flat(item) for item in expr.items)
    if expr.tuple_ and len(expr.items) == 1:
        inner += ","
    return f"{expr.head}{expr.open}{inner}{expr.close}"


def render(expr: Expr, indent: str = "", used: int | None = None, after: int = 0) -> str:
    """Lay out `expr` whose first line starts `used` columns in and is followed by `after` more."""
    one = flat(expr)
    start = width(indent) if used is None else used
    if isinstance(expr, str) or ("\n" not in one and start + width(one) + after <= LINE_LENGTH):
        return one
    if not expr.items:
        return one
    inner = indent + INDENT
    body = ", ".join(flat(item) for item in expr.items)
    if expr.hug and "\n" not in body and width(inner + body) <= LINE_LENGTH:
        # ruff's first split: the items on one indented line, no trailing comma added
        return f"{expr.head}{expr.open}\n{inner}{body}\n{indent}{expr.close}"
    lines = [f"{expr.head}{expr.open}"]
    for item in expr.items:
        lines.append(f"{inner}{render(item, inner, after=1)},")
    lines.append(f"{indent}{expr.close}")
    return "\n".join(lines)


def call(head: str, *args: Expr, **kwargs: Expr) -> Group:
    """A call with positional then keyword arguments (keywords in the order given)."""
    items: list[Expr] = list(args)
    items += [kwarg(k, v) for k, v in kwargs.items()]
    return Group(head, tuple(items))


def kwarg(name: str, value: Expr) -> Expr:
    return prefixed(f"{name}=", value)


def prefixed(prefix: str, value: Expr) -> Expr:
    """`value` with `prefix` in front (a keyword, a dict key), still splittable."""
    if isinstance(value, str):
        return prefix + value
    return Group(prefix + value.head, value.items, value.open, value.close, value.tuple_, value.hug)


def split_call(text: str) -> Expr:
    """`f(a, g(b), c=d)` → a call Group, for a literal built from calls and numbers (no strings)."""
    head, paren, rest = text.partition("(")
    if not paren or not rest.endswith(")") or "'" in text or '"' in text:
        return text
    items, depth, start = [], 0, 0
    body = rest[:-1]
    for i, ch in enumerate(body):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    items.append(body[start:].strip())
    return Group(head, tuple(i for i in items if i), hug=True)


def statement(prefix: str, expr: Expr, indent: str = "") -> str:
    """`prefix` (such as `x: int = `) followed by `expr`, indented. When even the opening of a
    split value does not fit after an assignment's prefix, ruff wraps the value in parentheses."""
    used = width(indent + prefix)
    one = flat(expr)
    opening = width(expr.head + expr.open) if isinstance(expr, Group) else width(one)
    if (
        prefix.endswith("= ")
        and isinstance(expr, Group)
        and used + width(one) > LINE_LENGTH
        and used + opening > LINE_LENGTH
    ):
        inner = indent + INDENT
        return f"{indent}{prefix}(\n{inner}{render(expr, inner)}\n{indent})"
    return indent + prefix + render(expr, indent, used=used)
