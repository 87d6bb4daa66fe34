"""HTTP details shared by the clients that download from servers pyward does not
control: the advisory sync (``db update``) and the package-index port."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["raw_header", "sendable"]


def sendable(value: str | None) -> bytes | None:
    """A saved validator as the bytes to send back, or ``None`` when it cannot be sent
    (issue 12: a non-ASCII ``ETag`` broke every later update). Validators are kept as
    the bytes the server sent, decoded as Latin-1 (one character per byte); RFC 9110
    allows visible ASCII and ``obs-text`` (bytes 0x80-0xFF) in them, and spaces in a
    date (https://www.rfc-editor.org/rfc/rfc9110#name-field-values)."""
    if not value:
        return None
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return None  # saved by an older pyward from a decoded header: not the bytes sent
    if any((b < 0x20 and b != 0x09) or b == 0x7F for b in raw):
        return None
    return raw


def raw_header(response: httpx.Response, name: str) -> str | None:
    """A response header's bytes, as Latin-1 text (see :func:`sendable`)."""
    key = name.lower().encode("ascii")
    for k, v in response.headers.raw:
        if k.lower() == key:
            return v.decode("latin-1") if sendable(v.decode("latin-1")) else None
    return None
