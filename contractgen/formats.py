"""Formats: the string formats that readers and models check by pattern (the others only
document), and the date and time layouts a contract may name.

The one module that both the generator and the runtime read; it imports nothing.

Each pattern is written for Rust's regex engine, which Polars (the readers) and pydantic-core
(the models) both use, so that a frame and a row model accept exactly the same strings.
"""

_HEX4 = "[0-9A-Fa-f]{1,4}"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"  # 0 to 255, no leading zeros
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_LAST32 = rf"(?:{_HEX4}:{_HEX4}|{_IPV4})"
# RFC 3986's IPv6address: eight groups of up to four hex digits, the last two of which may be
# written as an IPv4 address, and at most one "::" standing for one or more groups of zeros.
_IPV6 = "|".join(
    [
        rf"(?:{_HEX4}:){{6}}{_LAST32}",
        rf"::(?:{_HEX4}:){{5}}{_LAST32}",
        rf"(?:{_HEX4})?::(?:{_HEX4}:){{4}}{_LAST32}",
        rf"(?:(?:{_HEX4}:){{0,1}}{_HEX4})?::(?:{_HEX4}:){{3}}{_LAST32}",
        rf"(?:(?:{_HEX4}:){{0,2}}{_HEX4})?::(?:{_HEX4}:){{2}}{_LAST32}",
        rf"(?:(?:{_HEX4}:){{0,3}}{_HEX4})?::{_HEX4}:{_LAST32}",
        rf"(?:(?:{_HEX4}:){{0,4}}{_HEX4})?::{_LAST32}",
        rf"(?:(?:{_HEX4}:){{0,5}}{_HEX4})?::{_HEX4}",
        rf"(?:(?:{_HEX4}:){{0,6}}{_HEX4})?::",
    ]
)
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"  # RFC 1123: 1 to 63 characters

PATTERNS: dict[str, str] = {
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "ipv4": rf"^{_IPV4}$",
    "ipv6": rf"^(?:{_IPV6})$",
    "hostname": rf"^{_LABEL}(?:\.{_LABEL})*$",
    # A scheme, a colon, then no whitespace: the shape of every absolute URI, not its grammar.
    "uri": r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$",
}

_ISO_LAYOUTS = {"YYYY-MM-DD", "HH:mm:ss", "HH:MM:SS", "ISO", "ISO8601", "ISO 8601", "yyyy-MM-dd"}
_LAYOUT_TOKENS = (
    ("YYYY", "%Y"),
    ("yyyy", "%Y"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
)


def strptime_layout(layout: str | None) -> str | None:
    """A contract date layout (YYYY-MM-DD, DD/MM/YYYY, ...) → strptime; None for ISO."""
    if layout is None or layout in _ISO_LAYOUTS:
        return None
    if "%" in layout:
        return layout
    out = layout
    for token, directive in _LAYOUT_TOKENS:
        out = out.replace(token, directive)
    return out
