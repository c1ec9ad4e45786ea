"""A contract's pattern (Rust regex syntax, as the Polars readers match it) in Java's syntax, for
Spark's `rlike`, `regexp_extract` and `regexp_replace`.

The pattern is read by the grammar of Rust's `regex` crate and each construct is written as Java
syntax that matches the same strings, without leaning on Java's flags where the two engines mean
different things by the same words:

- `\\d \\s \\w \\b` are Unicode in Rust, ASCII in Java unless `(?U)` is on: `(?U)` is set where a
  pattern uses them (only there: it makes Java's matcher slower), and under Rust's `(?-u)` they are
  written as ASCII classes. `\\<`, `\\>` and `\\b{start}`-style boundaries are Java's `\\b` with a
  look-ahead. A character beyond U+FFFF in the pattern (repeated zero times) keeps Java from
  matching between the two UTF-16 halves of such a character, where Rust never looks.
- `.` stops only at `\\n` (Java's `(?d)`), `$` is the very end (`\\z`; Java's `$` also matches
  before a final newline), multi-line `^ $` and CRLF mode are look-arounds.
- Case-insensitive matching folds by Unicode's simple case folding in Rust and by Java's own rules
  in Java (which differ: `ß` and `ẞ`, `i` and `ı`): under `(?i)` every letter is written as the class
  of the letters it folds with (from Python's Unicode tables), and Java's `(?i)` is never used.
- `\\p{..}` names are resolved as Rust resolves them (loosely: case, spaces, `_`, `-` and a leading
  `is` ignored; a property, then a general category, then a script) and written as Java's name for
  the same set: `\\p{Greek}` is `\\p{sc=GREEK}`, `\\p{Alpha}` is `\\p{IsAlphabetic}` (Java's
  `\\p{Alpha}` is ASCII). Code points `\\x{..} \\u{..} \\u.... \\U........` are `\\x{..}`; Rust's `\\v` is
  U+000B (Java's is any vertical whitespace).
- Classes with nested classes, POSIX classes or set operations (`&&`, `--`, `~~`) are computed
  into one flat class when their members are known here, and otherwise written with look-aheads
  (`[\\w--\\d]` is `(?!\\d)\\w`: Java's own class operations group differently); `a**` and
  `a{2}{3}` (Java reads `*+` as possessive) are grouped.

What Java cannot match the same way is refused with `SparkPatternError`, naming the construct:
Unicode properties Java lacks or defines differently (`\\p{Emoji}`, `\\p{Hex_Digit}`, script
extensions, ages, scripts newer than Unicode 13, which Java 17 does not know), and scripts or
properties other than general categories under `(?i)`. Both engines use their own Unicode tables
(Java 17 has Unicode 13): characters Unicode 13 had that newer tables class otherwise are spelled
out (`_JAVA_LACKS`, `_JAVA_EXTRA`, `_NEWER_CASES`), characters assigned since may be classed
differently.

Pure functions, no I/O and no PySpark.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import NoReturn

__all__ = ["SparkPatternError", "java_regex"]

Ranges = tuple[tuple[int, int], ...]
_TOP = 0x10FFFF
_EVERYTHING: Ranges = ((0, _TOP),)
# Rust's `is_whitespace` (Unicode White_Space): skipped in verbose mode `(?x)`.
_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                   "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")  # fmt: skip
_ASCII_PERL: dict[str, Ranges] = {
    "d": ((0x30, 0x39),),
    "s": ((0x09, 0x0D), (0x20, 0x20)),
    "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
}
_WORD = r"[0-9A-Za-z_]"
_ONE_CLASS = re.compile(r"\\[pP]\{[^}]*\}|\\[dDsSwW]")
_POSIX: dict[str, Ranges] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": ((0x30, 0x39),),
    "graph": ((0x21, 0x7E),),
    "lower": ((0x61, 0x7A),),
    "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),),
    "word": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}
_ESCAPED = {"a": 0x07, "f": 0x0C, "t": 0x09, "n": 0x0A, "r": 0x0D, "v": 0x0B}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
# Rust's word boundaries beyond \b. Java's look-behinds step back one UTF-16 unit, half a
# character beyond U+FFFF, so a Unicode word character before is asked of Java's `\b` (which
# reads whole characters) and what comes after: `{b}` is Java's `\b`, `{B}` its `\B`.
_BOUNDARIES = {
    "start": "{b}(?={w})",
    "end": "{b}(?!{w})",
    "start-half": "(?:{b}(?={w})|{B}(?!{w}))",
    "end-half": "(?!{w})",
}
# General categories, by Java's name, with every alias Rust accepts for them (Cs is refused by
# Rust in text patterns).
_CATEGORIES = (
    "L Letter|LC Cased_Letter|Lu Uppercase_Letter|Ll Lowercase_Letter|Lt Titlecase_Letter|"
    "Lm Modifier_Letter|Lo Other_Letter|M Mark Combining_Mark|Mn Nonspacing_Mark|Mc Spacing_Mark|"
    "Me Enclosing_Mark|N Number|Nd Decimal_Number digit|Nl Letter_Number|No Other_Number|"
    "P Punctuation punct|Pc Connector_Punctuation|Pd Dash_Punctuation|Ps Open_Punctuation|"
    "Pe Close_Punctuation|Pi Initial_Punctuation|Pf Final_Punctuation|Po Other_Punctuation|S Symbol|"
    "Sm Math_Symbol|Sc Currency_Symbol|Sk Modifier_Symbol|So Other_Symbol|Z Separator|"
    "Zs Space_Separator|Zl Line_Separator|Zp Paragraph_Separator|C Other|Cc Control cntrl|Cf Format|"
    "Co Private_Use|Cn Unassigned"
)
# Binary properties Java has with Unicode's meaning (Java's Hex_Digit takes every decimal digit,
# and its POSIX names are ASCII: those are not here), with Rust's aliases.
_BINARY = (
    "IsAlphabetic Alpha|IsLowercase Lower|IsUppercase Upper|IsWhite_Space WSpace space|"
    "IsIdeographic Ideo|IsJoin_Control Join_C|IsNoncharacter_Code_Point NChar"
)
# The scripts of Java 17 (Unicode 13) with their ISO 15924 codes: a script it does not know
# would fail every Spark task, so newer ones are refused here (Unknown: Rust has no such class).
_SCRIPTS = (
    "ADLAM ADLM|AHOM|ANATOLIAN_HIEROGLYPHS HLUW|ARABIC ARAB|ARMENIAN ARMN|AVESTAN AVST|BALINESE BALI|"
    "BAMUM BAMU|BASSA_VAH BASS|BATAK BATK|BENGALI BENG|BHAIKSUKI BHKS|BOPOMOFO BOPO|BRAHMI BRAH|"
    "BRAILLE BRAI|BUGINESE BUGI|BUHID BUHD|CANADIAN_ABORIGINAL CANS|CARIAN CARI|CAUCASIAN_ALBANIAN AGHB|"
    "CHAKMA CAKM|CHAM|CHEROKEE CHER|CHORASMIAN CHRS|COMMON ZYYY|COPTIC COPT QAAC|CUNEIFORM XSUX|"
    "CYPRIOT CPRT|CYRILLIC CYRL|DESERET DSRT|DEVANAGARI DEVA|DIVES_AKURU DIAK|DOGRA DOGR|DUPLOYAN DUPL|"
    "EGYPTIAN_HIEROGLYPHS EGYP|ELBASAN ELBA|ELYMAIC ELYM|ETHIOPIC ETHI|GEORGIAN GEOR|GLAGOLITIC GLAG|"
    "GOTHIC GOTH|GRANTHA GRAN|GREEK GREK|GUJARATI GUJR|GUNJALA_GONDI GONG|GURMUKHI GURU|HAN HANI|"
    "HANGUL HANG|HANIFI_ROHINGYA ROHG|HANUNOO HANO|HATRAN HATR|HEBREW HEBR|HIRAGANA HIRA|"
    "IMPERIAL_ARAMAIC ARMI|INHERITED ZINH QAAI|INSCRIPTIONAL_PAHLAVI PHLI|INSCRIPTIONAL_PARTHIAN PRTI|"
    "JAVANESE JAVA|KAITHI KTHI|KANNADA KNDA|KATAKANA KANA|KAYAH_LI KALI|KHAROSHTHI KHAR|"
    "KHITAN_SMALL_SCRIPT KITS|KHMER KHMR|KHOJKI KHOJ|KHUDAWADI SIND|LAO LAOO|LATIN LATN|LEPCHA LEPC|"
    "LIMBU LIMB|LINEAR_A LINA|LINEAR_B LINB|LISU|LYCIAN LYCI|LYDIAN LYDI|MAHAJANI MAHJ|MAKASAR MAKA|"
    "MALAYALAM MLYM|MANDAIC MAND|MANICHAEAN MANI|MARCHEN MARC|MASARAM_GONDI GONM|MEDEFAIDRIN MEDF|"
    "MEETEI_MAYEK MTEI|MENDE_KIKAKUI MEND|MEROITIC_CURSIVE MERC|MEROITIC_HIEROGLYPHS MERO|MIAO PLRD|"
    "MODI|MONGOLIAN MONG|MRO MROO|MULTANI MULT|MYANMAR MYMR|NABATAEAN NBAT|NANDINAGARI NAND|NEWA|"
    "NEW_TAI_LUE TALU|NKO NKOO|NUSHU NSHU|NYIAKENG_PUACHUE_HMONG HMNP|OGHAM OGAM|OLD_HUNGARIAN HUNG|"
    "OLD_ITALIC ITAL|OLD_NORTH_ARABIAN NARB|OLD_PERMIC PERM|OLD_PERSIAN XPEO|OLD_SOGDIAN SOGO|"
    "OLD_SOUTH_ARABIAN SARB|OLD_TURKIC ORKH|OL_CHIKI OLCK|ORIYA ORYA|OSAGE OSGE|OSMANYA OSMA|"
    "PAHAWH_HMONG HMNG|PALMYRENE PALM|PAU_CIN_HAU PAUC|PHAGS_PA PHAG|PHOENICIAN PHNX|PSALTER_PAHLAVI PHLP|"
    "REJANG RJNG|RUNIC RUNR|SAMARITAN SAMR|SAURASHTRA SAUR|SHARADA SHRD|SHAVIAN SHAW|SIDDHAM SIDD|"
    "SIGNWRITING SGNW|SINHALA SINH|SOGDIAN SOGD|SORA_SOMPENG SORA|SOYOMBO SOYO|SUNDANESE SUND|"
    "SYLOTI_NAGRI SYLO|SYRIAC SYRC|TAGALOG TGLG|TAGBANWA TAGB|TAI_LE TALE|TAI_THAM LANA|TAI_VIET TAVT|"
    "TAKRI TAKR|TAMIL TAML|TANGUT TANG|TELUGU TELU|THAANA THAA|THAI|TIBETAN TIBT|TIFINAGH TFNG|"
    "TIRHUTA TIRH|UGARITIC UGAR|VAI VAII|WANCHO WCHO|WARANG_CITI WARA|YEZIDI YEZI|YI YIII|"
    "ZANABAZAR_SQUARE ZANB"
)
# Simple case foldings (CaseFolding.txt status S) that `str.casefold` (full folding) hides and
# `str.lower` does not give: lowercase letters folding to another lowercase letter.
_SIMPLE_ONLY = {0x1FD3: 0x390, 0x1FE3: 0x3B0, 0xFB05: 0xFB06}
# Case pairs (uppercase, lowercase) of Unicode 16, which Rust's tables have and Python's before
# 3.14 lack: ƛ and ɤ (letters Java 17 knows) gained uppercase forms, and Garay is new.
_NEWER_CASES = (
    (0xA7DC, 0x19B), (0xA7CB, 0x264), (0x1C89, 0x1C8A), (0xA7CC, 0xA7CD), (0xA7DA, 0xA7DB),
    *((upper, upper + 0x20) for upper in range(0x10D50, 0x10D66)),
)  # fmt: skip
_NEWER_CATEGORY = {cp: cat for pair in _NEWER_CASES for cp, cat in zip(pair, ("Lu", "Ll"), strict=True)}
# Characters Java 17 (Unicode 13) already has but classes otherwise than Rust's newer tables,
# found by asking both engines of every code point: the members Java lacks, by Java's name
# (U+0363..U+036F and the other combining letters became Alphabetic in Unicode 14, U+10FC and
# U+AB69 Lowercase in Unicode 14), and those it has that Rust's class does not (U+1734 and
# U+11F1E became spacing marks in Unicode 14, U+16FE2 and U+16FE3 Han in Unicode 14).
_JAVA_LACKS: dict[str, Ranges] = {
    "IsAlphabetic": ((0x363, 0x36F), (0xC04, 0xC04), (0xF82, 0xF83), (0x1DD3, 0x1DE6), (0x11080, 0x11081)),
    "IsLowercase": ((0x10FC, 0x10FC), (0xAB69, 0xAB69)),
    "Mc": ((0x1734, 0x1734), (0x1171E, 0x1171E)),
    "sc=HAN": ((0x16FE2, 0x16FE3),),
}
_JAVA_EXTRA: dict[str, Ranges] = {
    "Mn": ((0x1734, 0x1734), (0x1171E, 0x1171E)),
    "sc=COMMON": ((0x16FE2, 0x16FE3),),
}
_CASED_PLANES = 0x20000  # every cased letter is in the first two planes
# Java tries matches (and \b, \B, look-behinds) between the two halves of a character beyond
# U+FFFF, where Rust never looks, unless the pattern holds such a character itself: one, repeated
# zero times, makes Java step over whole characters.
_WHOLE_CODE_POINTS = "(?:\U00010000){0}"


class SparkPatternError(ValueError):
    """A pattern that Java's regex engine (Spark's) cannot be made to match as Rust's does."""


def java_regex(pattern: str) -> str:
    """A Java regex that matches the same strings as `pattern` in Rust's engine (capture groups
    keep their numbers); `SparkPatternError` naming the construct that has no Java equivalent."""
    return _Translator(pattern).run()


def _normalized(name: str) -> str:
    """A property name as Rust compares it (UAX44-LM3): no case, spaces, `_`, `-`, leading `is`."""
    if name[:2].lower() == "is":
        name = name[2:]
    return "".join(c.lower() for c in name if c.isascii() and c not in " _-")


def _aliases(table: str) -> dict[str, str]:
    return {_normalized(alias): entry.split()[0] for entry in table.split("|") for alias in entry.split()}


_GENERAL = _aliases(_CATEGORIES)
_PROPERTIES = _aliases(_BINARY)
_SCRIPT_NAMES = _aliases(_SCRIPTS)


# -- Sets of code points --------------------------------------------------------------------------


def _merged(ranges: list[tuple[int, int]] | Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(ranges: Ranges) -> Ranges:
    out, start = [], 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= _TOP:
        out.append((start, _TOP))
    return tuple(out)


def _intersection(a: Ranges, b: Ranges) -> Ranges:
    return _complement(_merged(_complement(a) + _complement(b)))


def _operation(op: str, a: Ranges, b: Ranges) -> Ranges:
    if op == "&&":
        return _intersection(a, b)
    if op == "--":
        return _intersection(a, _complement(b))
    return _merged(_intersection(a, _complement(b)) + _intersection(b, _complement(a)))  # ~~


def _contains(ranges: Ranges, cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@functools.cache
def _orbits() -> dict[int, tuple[int, ...]]:
    """Each cased character with every character it matches case-insensitively in Rust: those
    with the same simple case folding (C and S in CaseFolding.txt)."""
    groups: dict[int, set[int]] = {}
    for cp in range(_CASED_PLANES):
        char = chr(cp)
        folded, lower = char.casefold(), char.lower()
        if len(folded) == 1:
            target = ord(folded)
        elif cp in _SIMPLE_ONLY:
            target = _SIMPLE_ONLY[cp]
        elif len(lower) == 1:  # a full folding, with a simple one to its lowercase (ẞ to ß)
            target = ord(lower)
        else:  # only a full folding (İ to i̇): no simple one
            continue
        if target != cp:
            groups.setdefault(target, {target}).add(cp)
    for big, small in _NEWER_CASES:
        groups.setdefault(small, {small}).add(big)
    return {member: tuple(sorted(group)) for group in groups.values() for member in group}


def _folded(ranges: Ranges, unicode: bool) -> Ranges:
    """`ranges` with every character that matches one of them case-insensitively (ASCII letters
    only without Unicode, as Rust's `(?i-u)`)."""
    if unicode:
        extra = [(o, o) for c, orbit in _orbits().items() if _contains(ranges, c) for o in orbit]
    else:
        extra = [(c ^ 0x20, c ^ 0x20) for c in range(0x41, 0x7B) if chr(c).isalpha() and _contains(ranges, c)]
    return _merged(ranges + tuple(extra))


def _char(cp: int) -> str:
    """One code point as Java regex text, literal inside and outside a class."""
    char = chr(cp)
    if char.isascii() and char.isalnum():
        return char
    if 0x21 <= cp <= 0x7E:  # noqa: PLR2004 -- ASCII punctuation: a backslash makes each literal
        return "\\" + char
    visible = char.isprintable() and not char.isspace() and unicodedata.category(char)[0] != "M"
    return char if visible else f"\\x{{{cp:X}}}"  # a combining mark would join what precedes it


def _members(ranges: Ranges) -> str:
    return "".join(_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in ranges)


def _class(ranges: Ranges) -> str:
    """A Java class of exactly `ranges` (one character as itself)."""
    if not ranges:
        return f"[^{_members(_EVERYTHING)}]"
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _char(ranges[0][0])
    return f"[{_members(ranges)}]"


# -- Parsing --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Flags:
    """Rust's flags in effect: `i m s x u R U` (`crlf` is R, `swap` is U, greediness swapped)."""

    i: bool = False
    m: bool = False
    s: bool = False
    x: bool = False
    u: bool = True
    crlf: bool = False
    swap: bool = False


@dataclass(frozen=True, slots=True)
class _Set:
    """The members of a class: `ranges` when they are known here (to be folded under `(?i)`, then
    complemented if `negated`); otherwise Java class members (`\\p{L}`, `\\w`) of a Unicode class
    only the engines know, in a class that is `negated` or not; or, for set operations on such
    classes, `atom`: Java that matches exactly one character of the set."""

    ranges: Ranges | None
    java: str = ""
    negated: bool = False
    atom: str | None = None


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.text, self.i = pattern, 0
        self.flags = _Flags()
        self.unicode = False  # whether the output needs Java's (?U)

    def run(self) -> str:
        body = self.alternation()
        if self.i < len(self.text):
            self.refuse(")", "closes a group that was never opened")
        return ("(?dU)" if self.unicode else "(?d)") + _WHOLE_CODE_POINTS + body

    def refuse(self, construct: str, why: str) -> NoReturn:
        raise SparkPatternError(f"pattern {self.text!r}: '{construct}' {why}")

    def peek(self, n: int = 1) -> str:
        return self.text[self.i : self.i + n]

    def skip_space(self) -> bool:
        """In verbose mode, skip whitespace and a `#` comment; whether anything was skipped."""
        if not self.flags.x or self.i >= len(self.text):
            return False
        if self.text[self.i] in _SPACE:
            self.i += 1
            return True
        if self.text[self.i] == "#":
            end = self.text.find("\n", self.i)
            self.i = len(self.text) if end < 0 else end + 1
            return True
        return False

    def alternation(self) -> str:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.concatenation())
        return "|".join(branches)

    def concatenation(self) -> str:
        pieces: list[str] = []
        repeated: list[bool] = []
        while self.i < len(self.text) and self.peek() not in "|)":
            if self.skip_space():
                continue
            quantifier = self.quantifier()
            if quantifier is not None:
                if not pieces:
                    self.refuse(quantifier, "repeats nothing")
                # Rust repeats a repetition (`a**`); Java would read `*+` as possessive.
                atom = f"(?:{pieces[-1]})" if repeated[-1] else pieces[-1]
                pieces[-1], repeated[-1] = atom + quantifier, True
                continue
            piece = self.atom()
            if piece is not None:
                pieces.append(piece)
                repeated.append(False)
        return "".join(pieces)

    def quantifier(self) -> str | None:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.i += 1
            out = char
        elif char == "{":
            out = self.counted()
        else:
            return None
        lazy = self.peek() == "?"
        self.i += lazy
        return out + ("?" if lazy != self.flags.swap else "")

    def counted(self) -> str:
        end = self.text.find("}", self.i)
        body = "".join(c for c in self.text[self.i + 1 : end] if c not in _SPACE) if end > 0 else ""
        low, comma, high = body.partition(",")
        if not low.isdigit() or not (high.isdigit() or not high):
            self.refuse(self.text[self.i : end + 1] or "{", "is not a repetition Rust reads")
        self.i = end + 1
        return "{" + low + comma + high + "}"

    def atom(self) -> str | None:  # noqa: PLR0911 -- one return per kind of atom
        char = self.text[self.i]
        if char == "(":
            return self.group()
        if char == "[":
            self.i += 1
            return self.class_text(self.bracket())
        if char == "\\":
            return self.escape_outside()
        self.i += 1
        flags = self.flags
        if char == ".":
            if flags.s:
                return "(?s:.)"
            return "[^\\n\\r]" if flags.crlf else "."
        if char == "^":
            if not flags.m:
                return "^"
            return r"(?:\A|(?<=\n)|(?<=\r)(?!\n))" if flags.crlf else r"(?:\A|(?<=\n))"
        if char == "$":
            if not flags.m:
                return r"\z"
            return r"(?:\z|(?=\r)|(?<!\r)(?=\n))" if flags.crlf else r"(?:\z|(?=\n))"
        return self.literal(ord(char))

    def literal(self, cp: int) -> str:
        if not self.flags.i:
            return _char(cp)
        return _class(_folded(((cp, cp),), self.flags.u))

    def group(self) -> str | None:
        self.i += 1
        saved = replace(self.flags)
        opening = "("
        if self.peek() == "?":
            self.i += 1
            if self.peek(2) == "P<" or (self.peek() == "<" and self.peek(2) not in ("<=", "<!")):
                end = self.text.find(">", self.i)
                if end < 0:
                    self.refuse("(?<", "opens a named group without a name")
                self.i = end + 1  # Java's names are narrower than Rust's; the number is what counts
            elif self.peek() == ":":
                self.i += 1
                opening = "(?:"
            else:
                self.set_flags()
                if self.peek() == ")":  # (?flags): for the rest of the enclosing group
                    self.i += 1
                    return None
                self.i += 1  # ':'
                opening = "(?:"
        body = self.alternation()
        if self.peek() != ")":
            self.refuse("(", "opens a group that is never closed")
        self.i += 1
        self.flags = saved
        return opening + body + ")"

    def set_flags(self) -> None:
        on = True
        start = self.i
        while self.i < len(self.text) and self.text[self.i] not in ":)":
            flag = self.text[self.i]
            names = {"i": "i", "m": "m", "s": "s", "x": "x", "u": "u", "R": "crlf", "U": "swap"}
            if flag == "-":
                on = False
            elif flag in names:
                setattr(self.flags, names[flag], on)
            else:
                self.refuse(f"(?{self.text[start : self.i + 1]}", "is not a group or flag Rust reads")
            self.i += 1
        if self.i >= len(self.text):
            self.refuse(f"(?{self.text[start:]}", "is never closed")

    # -- Escapes ----------------------------------------------------------------------------------

    def escape_outside(self) -> str:
        start = self.i
        kind = self.peek(2)[1:]
        if kind in ("A", "z"):
            self.i += 2
            return "\\" + kind
        if kind in ("b", "B", "<", ">"):
            return self.boundary(start)
        found = self.escape(in_class=False)
        if isinstance(found, int):
            return self.literal(found)
        return self.class_text(self.settled(found))

    def boundary(self, start: int) -> str:
        kind = self.text[self.i + 1]
        self.i += 2
        name = {"<": "start", ">": "end"}.get(kind)
        if kind == "b" and self.peek() == "{":
            end = self.text.find("}", self.i)
            name = "".join(c for c in self.text[self.i + 1 : end] if c not in _SPACE)
            if end < 0 or name not in _BOUNDARIES:
                self.refuse(self.text[start : end + 1], "is not a boundary Rust reads")
            self.i = end + 1
        if self.flags.u:
            self.unicode = True
            if name is None:
                return "\\" + kind
            return "(?:" + _BOUNDARIES[name].format(b=r"\b", B=r"\B", w=r"\w") + ")"
        # Java's \b without (?U) counts Unicode letters (before Java 19): ASCII, spelled out
        # (an ASCII character is one UTF-16 unit, so look-behinds read it whole).
        w = _WORD
        b, not_b = f"(?:(?<={w})(?!{w})|(?<!{w})(?={w}))", f"(?:(?<={w})(?={w})|(?<!{w})(?!{w}))"
        if name is not None:
            return "(?:" + _BOUNDARIES[name].format(b=b, B=not_b, w=w) + ")"
        return b if kind == "b" else not_b

    def escape(self, *, in_class: bool) -> int | _Set:
        """The escape at `self.i`: a code point, or a class (`\\d`, `\\p{Greek}`)."""
        start = self.i
        kind = self.peek(2)[1:]
        self.i += 2
        if kind in _ESCAPED:
            return _ESCAPED[kind]
        if kind in _HEX_DIGITS:
            return self.code_point(kind, start)
        if kind.lower() in _ASCII_PERL:
            return self.perl(kind)
        if kind in ("p", "P"):
            return self.property(start, negated=kind == "P")
        if kind and kind.isascii() and not kind.isalnum() and kind not in "<>":
            return ord(kind)
        where = " inside a class" if in_class else ""
        self.refuse(self.text[start : self.i], f"is not an escape Rust reads{where}")

    def code_point(self, kind: str, start: int) -> int:
        if self.peek() == "{":
            end = self.text.find("}", self.i)
            digits = self.text[self.i + 1 : end] if end > 0 else ""
            self.i = end + 1
        else:
            digits = self.peek(_HEX_DIGITS[kind])
            self.i += len(digits)
            if len(digits) != _HEX_DIGITS[kind]:
                digits = ""
        try:
            cp = int(digits, 16)
        except ValueError:
            cp = -1
        if not 0 <= cp <= _TOP or 0xD800 <= cp <= 0xDFFF:  # noqa: PLR2004 -- surrogates are no scalar values
            self.refuse(self.text[start : self.i], "is not a Unicode code point")
        return cp

    def perl(self, kind: str) -> _Set:
        negated = kind.isupper()
        if not self.flags.u:
            return _Set(_ASCII_PERL[kind.lower()], negated=negated)
        self.unicode = True  # Rust's \d \s \w are Unicode; Java's with (?U). Neither folds case.
        return _Set(None, "\\" + kind)

    def property(self, start: int, *, negated: bool) -> _Set:
        if self.peek() == "{":
            end = self.text.find("}", self.i)
            body = self.text[self.i + 1 : end] if end > 0 else ""
            self.i = end + 1 if end > 0 else len(self.text)
        else:
            body = self.peek()
            self.i += 1
        construct = self.text[start : self.i]
        if not self.flags.u:
            self.refuse(construct, "is a Unicode class in a pattern without Unicode (?-u)")
        name, value = None, body
        if "!=" in body:
            name, value = body.split("!=", 1)
            negated = not negated
        elif "=" in body or ":" in body:
            cut = min(i for i in (body.find("="), body.find(":")) if i >= 0)
            name, value = body[:cut], body[cut + 1 :]
        key = _normalized(value)
        kind = _normalized(name) if name is not None else None
        special = key in ("any", "ascii") and kind in (None, "gc", "generalcategory")
        if special:
            return _Set(_EVERYTHING if key == "any" else _POSIX["ascii"], negated=negated)
        if key == "assigned" and kind in (None, "gc", "generalcategory"):
            return self.category("Cn", construct, negated=not negated)
        if kind is None and key not in ("cf", "sc", "lc") and key in _PROPERTIES:
            java = _PROPERTIES[key]
        elif kind in (None, "gc", "generalcategory") and key in _GENERAL:
            return self.category(_GENERAL[key], construct, negated=negated)
        elif kind in (None, "sc", "script") and key in _SCRIPT_NAMES:
            java = "sc=" + _SCRIPT_NAMES[key]
        else:
            self.refuse(
                construct,
                "is a Unicode property Java's regex engine does not have with the same meaning "
                "(Java knows general categories, scripts up to Unicode 13, and Alphabetic, Lowercase, "
                "Uppercase, White_Space, Ideographic, Join_Control, Noncharacter_Code_Point)",
            )
        if self.flags.i:
            self.refuse(construct, "under case-insensitive (?i): Rust adds the letters each member folds to")
        return self.java_class(java, (), negated=negated)

    def category(self, code: str, construct: str, *, negated: bool) -> _Set:
        """A general category; under `(?i)` with the letters its members fold with (U+0345 for
        `\\p{L}`), from Python's tables."""
        extra: Ranges = ()
        if self.flags.i:
            cats = {"LC": ("Lu", "Ll", "Lt")}.get(code, (code,))

            def member(cp: int) -> bool:
                category = _NEWER_CATEGORY.get(cp) or unicodedata.category(chr(cp))
                return category in cats or category[0] == code

            extra = _merged(
                [(c, c) for c, orbit in _orbits().items() if not member(c) and any(map(member, orbit))]
            )
        if extra and negated:
            self.refuse(construct, "negated under case-insensitive (?i) has no Java equivalent")
        return self.java_class(code, extra, negated=negated)

    @staticmethod
    def java_class(java: str, extra: Ranges, *, negated: bool) -> _Set:
        """Java's `\\p{java}` with `extra`, and made Rust's where the two engines' Unicode tables
        class characters Java knows differently (`_JAVA_LACKS`, `_JAVA_EXTRA`)."""
        lacks = _merged(extra + _JAVA_LACKS.get(java, ()))
        if lacks:
            has, has_not = f"[\\p{{{java}}}{_members(lacks)}]", f"[^\\p{{{java}}}{_members(lacks)}]"
        else:
            has, has_not = f"\\p{{{java}}}", f"\\P{{{java}}}"
        removed = _JAVA_EXTRA.get(java)
        if removed is not None:
            cut = _class(removed)
            return _Set(None, atom=f"(?:{cut}|{has_not})" if negated else f"(?:(?!{cut}){has})")
        if not lacks:
            return _Set(None, has_not if negated else has)
        return _Set(None, has[1:-1], negated=negated)

    # -- Classes ----------------------------------------------------------------------------------

    def settled(self, found: _Set) -> _Set:
        """A known set folded under `(?i)`, then negated: the order in which Rust applies them."""
        if found.ranges is None:
            return found
        ranges = _folded(found.ranges, self.flags.u) if self.flags.i else found.ranges
        return _Set(_complement(ranges) if found.negated else ranges)

    def class_text(self, found: _Set) -> str:
        """A settled class as a Java atom."""
        if found.ranges is not None:
            return _class(found.ranges)
        if found.atom is not None:
            return found.atom
        if not found.negated and _ONE_CLASS.fullmatch(found.java):
            return found.java  # one Unicode class, as itself
        return f"[{'^' * found.negated}{found.java}]"

    def bracket(self) -> _Set:
        """The class after its `[`: its members union by union, then set operations, folded and
        negated as Rust does it (each operand folded before the operation, a class before its
        negation)."""
        start = self.i - 1
        negated, leading = self.class_opening(start)
        operands: list[list[_Set]] = [leading]
        operators: list[str] = []
        while True:
            if self.skip_space():
                continue
            if self.i >= len(self.text):
                self.refuse(self.text[start:], "opens a class that is never closed")
            char = self.text[self.i]
            if char == "]":
                self.i += 1
                break
            if self.peek(2) in ("&&", "--", "~~"):
                operators.append(self.peek(2))
                operands.append([])
                self.i += 2
            elif char == "[" and self.peek(2) == "[:" and self.posix() is not None:
                operands[-1].append(self.posix_set())
            elif char == "[":
                self.i += 1
                operands[-1].append(self.bracket())
            else:
                operands[-1].append(self.range_item())
        sets = [self.union(members) for members in operands]
        result = sets[0]
        for op, other in zip(operators, sets[1:], strict=True):
            if result.ranges is not None and other.ranges is not None:
                result = _Set(_operation(op, result.ranges, other.ranges))
            else:  # one character, asked of each side by look-aheads (Java's nested classes differ)
                a, b = self.class_text(result), self.class_text(other)
                both = {"&&": f"(?={a}){b}", "--": f"(?!{b}){a}", "~~": f"(?!{b}){a}|(?!{a}){b}"}[op]
                result = _Set(None, atom=f"(?:{both})")
        if negated and result.atom is not None:
            return _Set(None, atom=f"(?:(?!{result.atom})(?s:.))")
        return self.settled(replace(result, negated=negated))

    def class_opening(self, start: int) -> tuple[bool, list[_Set]]:
        """After a class's `[`: whether it is negated (`^`), and its leading literals, as Rust
        reads them: every `-` there is a literal (`[--/]` is `-` and `/`, no range and no
        difference), and a `]` right after `[` or `[^` is one (`[]-a]` is `]`, `-` and `a`)."""
        self.spaces()
        negated = self.peek() == "^"
        if negated:
            self.i += 1
            self.spaces()
        leading: list[_Set] = []
        while self.peek() == "-":
            leading.append(_Set(((0x2D, 0x2D),)))
            self.i += 1
            self.spaces()
        if not leading and self.peek() == "]":
            leading.append(_Set(((0x5D, 0x5D),)))
            self.i += 1
        if self.i >= len(self.text):
            self.refuse(self.text[start:], "opens a class that is never closed")
        return negated, leading

    def spaces(self) -> None:
        while self.skip_space():
            pass

    def peek_space(self) -> str:
        """The character after the current one as Rust's class parser looks ahead for a range: in
        verbose mode past whitespace and a comment's `#` (to the comment's first character, as Rust
        does), and the very next character if nothing but whitespace follows."""
        after = self.i + 1
        if self.flags.x:
            in_comment = False
            for char in self.text[after:]:
                if char in _SPACE:
                    continue
                if char == "#" and not in_comment:
                    in_comment = True
                    continue
                return char
        return self.text[after : after + 1]

    def union(self, members: list[_Set]) -> _Set:
        """The members of one operand, each settled, then the whole folded (a no-op on the
        members already folded)."""
        settled = [self.settled(m) for m in members]
        known = _merged([r for m in settled if m.ranges is not None for r in m.ranges])
        if self.flags.i:
            known = _folded(known, self.flags.u)
        simple = [m for m in settled if m.ranges is None and m.atom is None and not m.negated]
        others = [self.class_text(m) for m in settled if m.ranges is None and m not in simple]
        if not simple and not others:
            return _Set(known)
        union = _Set(None, "".join(m.java for m in simple) + _members(known))
        if not others:
            return union
        if simple or known:
            others.insert(0, self.class_text(union))
        return _Set(None, atom="(?:" + "|".join(others) + ")")

    def posix(self) -> str | None:
        """The POSIX class name at `self.i` (`[:alpha:]`, `[:^alpha:]`), or None."""
        end = self.text.find(":]", self.i + 2)
        name = self.text[self.i + 2 : end] if end > 0 else ""
        return name if name.removeprefix("^") in _POSIX else None

    def posix_set(self) -> _Set:
        name = self.posix()
        assert name is not None
        self.i += len(name) + 4
        return _Set(_POSIX[name.removeprefix("^")], negated=name.startswith("^"))

    def range_item(self) -> _Set:
        """One member, or a range: `-` makes one unless `]` or `-` (a difference) comes next."""
        start = self.i
        low = self.class_char()
        self.spaces()
        if self.peek() != "-" or self.peek_space() in ("]", "-", ""):
            return low if isinstance(low, _Set) else _Set(((low, low),))
        self.i += 1
        self.spaces()
        if self.i >= len(self.text):
            self.refuse(self.text[start:], "opens a class that is never closed")
        high = self.class_char()
        if isinstance(low, _Set) or isinstance(high, _Set) or high < low:
            self.refuse(self.text[start : self.i], "is not a range Rust reads")
        return _Set(((low, high),))

    def class_char(self) -> int | _Set:
        char = self.text[self.i]
        if char == "\\":
            return self.escape(in_class=True)
        self.i += 1
        return ord(char)
