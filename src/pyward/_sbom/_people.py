"""People in package metadata: ``Name <address>, ...`` strings as (name, email)."""

from __future__ import annotations

import re
from email.utils import getaddresses

#: An address CycloneDX's ``idn-email`` format accepts; anything else is a name.
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def parse_people(text: str) -> tuple[tuple[str, str | None], ...]:
    """``Name <address>, ...`` as (name, email) pairs; something without an ``@`` is a
    name, not an email (CycloneDX validates ``email`` as an address)."""
    people: list[tuple[str, str | None]] = []
    for raw_name, raw_addr in getaddresses([text]):
        name, addr = raw_name.strip(), raw_addr.strip()
        if addr and not EMAIL.fullmatch(addr):
            name, addr = (f"{name} {addr}".strip() if name else addr), ""
        if name or addr:
            people.append((name or addr, addr or None))
    return tuple(people)
