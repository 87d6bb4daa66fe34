"""Credentials in index URLs (``https://user:token@host/simple/``) are never shown:
every URL that reaches a note, an error or an origin goes through :func:`redact_url`
or :func:`redact_text`."""

from __future__ import annotations

import re

# ``scheme://userinfo@``: userinfo has no ``/``, ``?``, ``#`` or whitespace (RFC 3986).
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]+@")


def redact_url(url: str) -> str:
    """``https://user:secret@host/x`` -> ``https://***@host/x`` (the user name goes too:
    tokens are often passed as one)."""
    return _USERINFO.sub(r"\g<scheme>***@", url, count=1)


def redact_text(text: str) -> str:
    """Every URL's credentials in ``text`` replaced by ``***``."""
    return _USERINFO.sub(r"\g<scheme>***@", text)
