"""Untrusted text made safe to show: control characters, lone surrogates, URLs.

Package names, advisory ids, summaries, file names and error messages come from
lock files, SBOMs and advisory mirrors that an attacker may write (issue 12, items 8-10).
A terminal obeys the escape sequences in them (title changes, screen clears, hidden
text; CVE-2021-42574 for bidirectional overrides), and a file name that is not valid
UTF-8 reaches pyward as a lone surrogate (PEP 383), which no UTF-8 encoder accepts.
Every human-facing output (the table, Markdown, stderr) shows such characters as
visible escapes through :func:`visible`; machine formats keep the text exact and only
replace what their encoding cannot carry (:func:`encodable`, :func:`xml_safe`,
:func:`json_lone_surrogates`). Links go through :func:`safe_url`.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

__all__ = [
    "URL_SCHEMES",
    "encodable",
    "encodable_tree",
    "json_invisible",
    "json_invisible_utf8",
    "json_lone_surrogates",
    "plain_text",
    "safe_url",
    "safe_url_template",
    "visible",
    "xml_safe",
]

# C0 controls, DEL, C1 controls, lone surrogates, and the Unicode bidirectional
# controls (they reorder what a terminal or a browser shows: "Trojan Source").
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# XML 1.0 (https://www.w3.org/TR/xml/#charsets) cannot hold these, even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Valid in JSON strings and XML text, but a terminal showing the document obeys them:
# written as escapes (JSON) or character references (XML), which keep the value exact.
_INVISIBLE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# What plain text (SPDX tag-value) may hold: lines and tabs, no other control.
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    r"""``text`` with every control character, lone surrogate and bidirectional control
    written as a visible escape (``\x1b``, ``\udcff``, ``\u202e``), so that it cannot
    move the cursor, change the terminal or reorder the line. Newlines and tabs are
    escaped too: callers join lines themselves."""
    return _UNSAFE.sub(_escape, text)


def encodable(text: str) -> str:
    r"""``text`` unchanged unless it holds a lone surrogate (a file name that is not
    valid UTF-8, PEP 383), which becomes a visible ``\udcff``: UTF-8 cannot encode it."""
    return _SURROGATE.sub(_escape, text)


def encodable_tree(value: object) -> object:
    r"""A JSON-like document (dicts, lists, strings...) with :func:`encodable` applied to
    every string, keys included: what a JSON encoder that refuses lone surrogates
    (orjson) accepts. The escape's backslash is JSON-escaped in turn (``\\udcff``), so a
    reader gets the visible escape, never a lone surrogate."""
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {encodable_tree(k): encodable_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encodable_tree(v) for v in value]
    return value


# The ``\uXXXX`` escape of a lone surrogate in JSON text (after an even number of
# backslashes): a high one not followed by a low one, or a low one not after a high one.
_JSON_LONE = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})(?!\\ud[c-f][0-9a-f]{2})"
    r"|(?<!\\)((?:\\\\)*)(?<!\\ud[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})",
    re.IGNORECASE,
)


def json_lone_surrogates(text: str) -> str:
    r"""JSON text with the escape of every lone surrogate (``"\udcff"``, as
    ``json.dumps`` writes it) turned into the escaped text of that escape
    (``"\\udcff"``), and every raw lone surrogate into the same; surrogate pairs
    (characters outside the BMP) are kept. Strict JSON readers refuse lone surrogates
    (RFC 8259, section 8.2)."""
    if "\\u" not in text and not _SURROGATE.search(text):
        return text

    def fix(m: re.Match[str]) -> str:
        lead = m.group(1) if m.group(2) else m.group(3)
        return f"{lead or ''}\\\\u{m.group(2) or m.group(4)}"

    text = _JSON_LONE.sub(fix, text)
    return _SURROGATE.sub(lambda m: f"\\\\u{ord(m.group()):04x}", text)


def json_invisible(text: str) -> str:
    r"""JSON text with DEL, C1 controls, line separators and bidirectional controls
    written as ``\u`` escapes: the same document, that a terminal cannot act on."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: Every ASCII byte: what ``bytes.translate`` deletes from UTF-8 text to leave the
#: encodings of its other characters, whole and in order.
_ASCII_BYTES = bytes(range(128))


def json_invisible_utf8(data: bytes) -> str:
    r"""``json_invisible(data.decode())``, for JSON text encoded in UTF-8. What it
    escapes is DEL or not ASCII, so only DEL and the text's other characters are
    searched, not the whole text: a report is nearly all ASCII."""
    text = data.decode()
    if b"\x7f" in data or _INVISIBLE.search(data.translate(None, _ASCII_BYTES).decode()):
        return json_invisible(text)
    return text


def plain_text(text: str) -> str:
    """Multi-line text with every control character but newlines and tabs (and every
    lone surrogate, every bidirectional control) as visible escapes."""
    return _NOT_TEXT.sub(_escape, text)


def xml_safe(text: str) -> str:
    r"""``text`` with what XML 1.0 cannot hold (most C0 controls, lone surrogates)
    as visible escapes, and C1 and bidirectional controls as character references."""
    text = _NOT_XML.sub(_escape, text)
    return _INVISIBLE.sub(lambda m: f"&#x{ord(m.group()):x};", text)


# What RFC 3986 allows unencoded in a URL's path, query and fragment, less the
# characters that end or nest a Markdown link destination (``(``, ``)``) or are not
# allowed outside the host (``[``, ``]``).
_URL_SAFE = "-._~!$&'*+,;=:@/?#%"
_HOST = re.compile(r"^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Whitespace as ``str.isspace`` has it (``re`` and ``str`` share the Unicode table; a
# test holds them equal on every code point), searched in C.
_SPACE = re.compile(r"\s")

#: Schemes a link may have (``--advisory-url``); a record's references need https.
URL_SCHEMES = ("https", "http")


def safe_url(url: str, *, schemes: tuple[str, ...] = ("https",)) -> str | None:
    """``url`` as a valid URI that is safe in Markdown, SARIF and CycloneDX, or None.

    None when the scheme is not one of ``schemes``, the host is not a plain host name
    (no user name or password, no IPv6 literal), or the URL holds whitespace or a
    control character. Other characters that RFC 3986 does not allow (``|``, ``<``,
    ``"``, non-ASCII...) and parentheses are percent-encoded.
    """
    if _UNSAFE.search(url) or _SPACE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes or not _HOST.match(parts.netloc):
        return None
    prefix = f"{parts.scheme}://{parts.netloc}"
    if url[: len(prefix)].lower() != prefix.lower():
        return None
    rest = _PERCENT.sub("%25", url[len(prefix) :])
    return f"{parts.scheme.lower()}://{parts.netloc}{quote(rest, safe=_URL_SAFE)}"


def safe_url_template(template: str) -> str | None:
    """An ``http(s)`` URL template with ``{id}`` (``--advisory-url``) checked and
    percent-encoded as :func:`safe_url` does, ``{id}`` kept; None when it is not safe."""
    marker = "pyward0id0"
    checked = safe_url(template.replace("{id}", marker), schemes=URL_SCHEMES)
    return None if checked is None else checked.replace(marker, "{id}")


# -- credentials in URLs --------------------------------------------------------------
# Credentials in index URLs (``https://user:token@host/simple/``) are never shown:
# every URL that reaches a note, an error or an origin goes through redact_url or
# redact_text.

# ``scheme://userinfo@``: userinfo has no ``/``, ``?``, ``#`` or whitespace (RFC 3986).
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]+@")


def redact_url(url: str) -> str:
    """``https://user:secret@host/x`` -> ``https://***@host/x`` (the user name goes too:
    tokens are often passed as one)."""
    # No ``@``, no userinfo: an index page has thousands of file URLs to pass through.
    return _USERINFO.sub(r"\g<scheme>***@", url, count=1) if "@" in url else url


def redact_text(text: str) -> str:
    """Every URL's credentials in ``text`` replaced by ``***``."""
    return _USERINFO.sub(r"\g<scheme>***@", text)
