"""Contract patterns in Java's syntax (`contractgen.runtime.javaregex`), without Spark.

What the two engines make of the translations is compared in `tests/test_spark.py`, on Spark;
here: the translation of each kind of construct, the refusals and their messages, Rust's case
folding as the translator spells it out (checked against Rust's engine, in Polars), and that any
pattern Rust reads is either translated or refused by name; and, where a JDK is installed,
patterns that need no Spark compared between Rust's engine and Java's (`tests/java/Match.java`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractgen.runtime.javaregex import SparkPatternError, _orbits, java_regex

TRANSLATED = {
    r"^\p{Greek}+$": r"^\p{sc=GREEK}+\z",
    # Java's \p{Alpha} is ASCII, and its Alphabetic (Unicode 13) lacks the combining letters
    r"^\p{Alpha}$": r"^[\p{IsAlphabetic}\x{363}-\x{36F}\x{C04}\x{F82}-\x{F83}\x{1DD3}-\x{1DE6}\x{11080}-\x{11081}]\z",
    r"\p{Grek}\p{sc=Latn}\p{Script=Old_Italic}": r"\p{sc=GREEK}\p{sc=LATIN}\p{sc=OLD_ITALIC}",
    r"\p{Digit}\p{gc=Lu}\pL\P{L}": r"\p{Nd}\p{Lu}\p{L}\P{L}",  # Java's \p{Digit} is ASCII
    r"^\u{e9}\U000000e9\x{1F600}\u00e9$": r"^éé😀é\z",
    r"a\vb": r"a\x{B}b",  # Java's \v is any vertical whitespace
    r"\<a\b{end}": r"(?:\b(?=\w))a(?:\b(?!\w))",
    r"(?-u)^\w\d$": r"^[0-9A-Z\_a-z][0-9]\z",
    r"(?i)straße": r"[Ssſ][Tt][Rr][Aa][ßẞ][Ee]",  # Java's (?i) does not match ẞ, and matches ı
    r"(?i)i": r"[Ii]",
    r"(?m)^a$": r"(?:\A|(?<=\n))a(?:\z|(?=\n))",
    r"[[:alpha:]&&[^aeiou]]": r"[A-Zb-df-hj-np-tv-z]",
    r"[\w--\d]": r"(?:(?!\d)\w)",
    r"(?P<user>\w+)@": r"(\w+)\@",
    r"a**b{2}{3}": r"(?:a*)*(?:b{2}){3}",
    r"(?x) a b # comment": "ab",
    # A class's leading `-`s are literals in Rust (no range, no difference), as is a first `]`.
    r"[--/]": r"[\-\/]",
    r"[^--]": r"[\x{0}-\,\.-\x{10FFFF}]",
    r"[]-a]": r"[\-\]a]",
}
REFUSED = {
    r"^\p{Emoji}$": r"'\p{Emoji}' is a Unicode property Java's regex engine does not have",
    r"^\p{Hex_Digit}+$": r"'\p{Hex_Digit}' is a Unicode property",  # Java's takes every digit
    r"^\p{scx=Grek}$": r"'\p{scx=Grek}' is a Unicode property",
    r"^\p{Age=6.0}$": r"'\p{Age=6.0}' is a Unicode property",
    r"^\p{Kawi}$": r"'\p{Kawi}' is a Unicode property",  # Unicode 15: unknown to Java 17
    r"(?i)\p{Greek}": r"'\p{Greek}' under case-insensitive (?i)",
    r"(?i)\P{Lu}": r"'\P{Lu}' negated under case-insensitive (?i)",
    r"[\d-a]": r"'\d-a' is not a range Rust reads",
}


@pytest.mark.parametrize("pattern", TRANSLATED)
def test_each_construct_is_written_in_java(pattern):
    translated = java_regex(pattern)
    assert re.sub(r"^\(\?dU?\)\(\?:\U00010000\)\{0\}", "", translated) == TRANSLATED[pattern]


def test_unicode_classes_only_where_used():
    """Java's (?U) slows its matcher: set only when a pattern has \\d \\s \\w or a boundary."""
    assert java_regex(r"^[0-9]+$").startswith("(?d)")
    assert java_regex(r"^\d+$").startswith("(?dU)")
    assert java_regex(r"(?-u)\d\b").startswith("(?d)")


@pytest.mark.parametrize("pattern", REFUSED)
def test_patterns_without_a_java_equivalent_are_refused(pattern):
    with pytest.raises(SparkPatternError, match=re.escape(f"pattern {pattern!r}: {REFUSED[pattern]}")):
        java_regex(pattern)


def test_case_folding_is_rusts():
    """Each character with the characters it matches under (?i), as Rust's engine has it: every
    character Rust's tables call cased or changed by case folding or mapping (ƛ and ɤ among them,
    with uppercase forms newer than Python's tables), and the ones where Java's rules differ."""
    orbits = _orbits()
    every = pl.Series([chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF], dtype=pl.String)
    cased = every.filter(every.str.contains(r"^[\p{Cased}\p{CWCF}\p{CWCM}]$")).to_list()
    special = "ßẞıİiIkKſsSΐ\u1fd3ﬅﬆǅǄǆ\u0345ιµ\u212a\u212båƛɤ"
    candidates = sorted(set(orbits) | set(map(ord, cased + list(special))))
    columns = [pl.col("s").str.contains(f"(?i)^\\x{{{c:X}}}$").alias(str(c)) for c in candidates]
    found = pl.DataFrame({"s": [chr(c) for c in candidates]}).select(columns)
    rust = {c: {cp for cp, m in zip(candidates, found[str(c)], strict=True) if m} for c in candidates}
    assert {c: set(orbits.get(c, (c,))) for c in candidates} == rust


# Generated patterns (also checked on Spark, in tests/test_spark.py): Rust constructs put together
# at random, over characters every Unicode version since 6.0 classes alike.
ATOMS = [
    *"abksé1α中𐌀 ",
    *(r"\-", r"\!", r"\.", r"\]", ".", "^", "$", r"\A", r"\z"),
    *(r"\d", r"\D", r"\s", r"\S", r"\w", r"\W", r"\b", r"\B", r"\<", r"\>"),
    *(r"\b{start}", r"\b{end}", r"\b{start-half}", r"\b{end-half}"),
    *(r"\p{L}", r"\p{Lu}", r"\pN", r"\P{L}", r"\p{Greek}", r"\p{Latin}", r"\p{Alpha}", r"\p{Lower}"),
    *(r"\x{e9}", r"\u{3b1}", r"\U000000e9", r"\x41", r"\v", r"\n", r"\r", r"\t"),
]
CLASS_ITEMS = [
    "a",
    "b-k",
    "A-Z",
    "0-9",
    "é",
    "α-ω",
    r"\d",
    r"\w",
    r"\s",
    r"\p{L}",
    "[:alpha:]",
    "[:^digit:]",
    "_",
    r"\-",
    "-",  # a literal at the start, and beside `]` or `--`; a range or an error elsewhere
]
GROUPS = ["(", "(?:", "(?i:", "(?-u:", "(?s:", "(?m:", "(?U:", "(?x:", "(?mR:", "(?i-u:"]
QUANTIFIERS = ["*", "+", "?", "{2}", "{1,3}", "*?", "{0,}", "??"]


def _classes() -> st.SearchStrategy[str]:
    items = st.lists(st.sampled_from(CLASS_ITEMS), min_size=1, max_size=3).map("".join)
    operated = st.tuples(items, st.sampled_from(["&&", "--", "~~"]), items).map(
        lambda t: f"{t[0]}{t[1]}[{t[2]}]"
    )
    return st.tuples(st.sampled_from(["[", "[^"]), st.one_of(items, operated)).map(lambda t: f"{t[0]}{t[1]}]")


def rust_patterns() -> st.SearchStrategy[str]:
    """Patterns built from Rust's constructs (not all of them valid: see `valid_in_rust`)."""

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=2, max_size=3).map("".join),
            st.lists(inner, min_size=2, max_size=3).map("|".join),
            st.tuples(inner, st.sampled_from(QUANTIFIERS)).map("".join),
            st.tuples(st.sampled_from(GROUPS), inner).map(lambda t: f"{t[0]}{t[1]})"),
        )

    return st.recursive(st.one_of(st.sampled_from(ATOMS), _classes()), extend, max_leaves=6)


def valid_in_rust(pattern: str) -> bool:
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.PolarsError:
        return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rust_patterns())
def test_every_pattern_rust_reads_is_translated_or_refused_by_name(pattern):
    if not valid_in_rust(pattern):
        return
    try:
        translated = java_regex(pattern)
    except SparkPatternError as error:
        assert str(error).startswith(f"pattern {pattern!r}: '")
        return
    assert translated.startswith(("(?d)", "(?dU)"))
    # Capture groups keep their numbers (regexp_extract asks for them by number).
    assert translated.count("(") - translated.count("(?") == pattern.count("(") - pattern.count("(?")


# -- Rust's engine against Java's, without Spark ---------------------------------------------------

Matcher = Callable[[list[str], list[str]], list[list[bool]]]


@pytest.fixture(scope="module")
def java_matches() -> Matcher:
    """Java's `find()` (Spark's `rlike`) of each pattern on each string, by `tests/java/Match.java`."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("no JDK installed")
    source = Path(__file__).parent / "java" / "Match.java"
    probe = subprocess.run([java, str(source)], input="-\n", capture_output=True, text=True, check=False)
    if probe.returncode != 0:  # a JRE alone has no compiler for the source-file launcher
        reason = (probe.stderr.strip().splitlines() or ["no output"])[0]
        pytest.skip(f"java cannot run a source file here (a JDK is needed): {reason}")

    def encode(text: str) -> str:
        return " ".join(f"{ord(c):x}" for c in text)

    def matches(patterns: list[str], strings: list[str]) -> list[list[bool]]:
        lines = [*map(encode, patterns), "-", *map(encode, strings)]
        run = subprocess.run(
            [java, str(source)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True
        )
        return [[bit == "1" for bit in row] for row in run.stdout.splitlines()]

    return matches


def rust_java_differences(
    java_matches: Matcher, patterns: list[str], strings: list[str]
) -> dict[str, list[str]]:
    """The strings on which each pattern in Rust (Polars) and its translation in Java disagree."""
    found = java_matches([java_regex(p) for p in patterns], strings)
    out = {}
    for pattern, java in zip(patterns, found, strict=True):
        rust = pl.Series(strings, dtype=pl.String).str.contains(pattern).to_list()
        differ = [s for s, r, j in zip(strings, rust, java, strict=True) if r != j]
        if differ:
            out[pattern] = differ
    return out


# Classes starting with `-` or `]`, and `-` beside ranges and differences: Rust reads leading
# `-`s as literals, `--` elsewhere as a difference, and `-` before `]` or `--` as a literal.
DASHES = [
    *(r"[--/]", r"^[--.]+$", r"[--a]", r"[^--]", r"[-]", r"[--]", r"[---]", r"[----]", r"[^-]", r"[^-a]"),
    *(r"[-a]", r"[a-]", r"[--/a]", r"[a--b]", r"[a-c--b]", r"[-a-c--b]", r"[--/--.]", r"[---/]", r"[a--]"),
    *(r"[-a--]", r"[\--/]", r"[[--/]]", r"[a[--/]]", r"[x--[--/]]", r"[--[a]]", r"[-&&-]", r"[--&&-]"),
    *(r"[-~~-]", r"[-&&]", r"[--^]", r"[^^-a]", r"[]-a]", r"[^]-a]", r"[]]", r"[-]]", r"[!--]", r"[!--/]"),
    *(r"(?x)[ - - / ]", r"(?x)[ -- / ]", r"(?x)[a - ]", r"(?x)[a - - b]", r"(?x)[ ^ - ]", r"(?x)[ ^ ] ]"),
    *("(?x)[a -#c\n  z]", "(?x)[ # c\n - a]", r"(?i)[--K]", r"(?i)[^--]"),
]
REFUSED_BY_RUST = [r"[a-&&-]", r"[\d-a]", r"[a-\d]", r"[--z-a]", r"[--", r"[^-"]


def test_leading_dashes_mean_what_they_mean_in_rust(java_matches):
    strings = [chr(c) for c in range(0x20, 0x7F)] + ["\u212a", "é", "", "-]", "a-b", "\n"]
    assert rust_java_differences(java_matches, DASHES, strings) == {}


@pytest.mark.parametrize("pattern", REFUSED_BY_RUST)
def test_a_class_rust_refuses_is_refused(pattern):
    assert not valid_in_rust(pattern)
    with pytest.raises(SparkPatternError):
        java_regex(pattern)


# Characters Java 17 has but classes otherwise than Rust's newer tables, and every 61st code point.
TABLES = [
    *(0x19B, 0x264, 0x362, 0x363, 0x36F, 0x370, 0xC04, 0xF82, 0xF83, 0x1DD2, 0x1DD3, 0x1DE6, 0x1DE7),
    *(0x10FC, 0xAB69, 0x1734, 0x1733, 0x1171E, 0x11080, 0x11081, 0x16FE1, 0x16FE2, 0x16FE3, 0x16FE4),
    *range(0, 0x30000, 61),
]
TABLE_PATTERNS = [
    *(r"^\p{Alpha}$", r"^\P{Alphabetic}$", r"^[\p{Alpha}x]$", r"^[^\p{Alpha}x]$", r"^[\p{Alpha}--\p{L}]$"),
    *(r"(?i)^\p{Lu}$", r"(?i)^\p{Ll}$", r"(?i)^[\p{Lu}a]$", r"(?i)^ƛ$", r"(?i)^ɤ$", r"(?i)^[\x{A7DC}]$"),
    *(r"^\p{Lower}$", r"^\P{Lowercase}$", r"^\p{Mc}$", r"^\P{Mc}$", r"^\p{Mn}$", r"^\P{Mn}$", r"^[\p{Mn}a]$"),
    *(r"^[^\p{Mn}a]$", r"^\p{Han}$", r"^\P{Han}$", r"^\p{Common}$", r"^\P{Zyyy}$", r"^[\p{Common}&&\pL]$"),
    *(r"^\w$", r"^\W$", r"^\p{L}$", r"^\p{M}$"),
]


def test_unicode_tables_of_rust_where_java_17_differs(java_matches):
    """Java's tables are Unicode 13's: the characters it had that Rust's newer tables class
    otherwise (combining letters Alphabetic, ƛ and ɤ cased) are spelled out in the translation."""
    every = [chr(c) for c in TABLES if not 0xD800 <= c <= 0xDFFF]
    (assigned,) = java_matches([r"^\P{Cn}$"], every)  # characters newer than Java's tables differ
    strings = [c for c, known in zip(every, assigned, strict=True) if known]
    assert "ƛ" in strings
    assert "\ua7dc" not in strings
    assert rust_java_differences(java_matches, TABLE_PATTERNS, strings) == {}
