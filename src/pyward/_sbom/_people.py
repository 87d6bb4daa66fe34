"""People in package metadata: ``Name <address>, ...`` strings as (name, email)."""

from __future__ import annotations

import re
from email.utils import getaddresses
from typing import Literal

#: What SPDX calls an actor: ``Person: NAME`` or ``Organization: NAME``.
PartyKind = Literal["person", "organization"]

# Core metadata's Author and Maintainer fields name people unless they say otherwise
# ("The Pallets Team", "Python Software Foundation", "Acme Inc.").
_ORGANIZATION = re.compile(
    r"\b(?:inc|llc|ltd|gmbh|corp|corporation|company|foundation|team|project|developers"
    r"|contributors|community|authors|maintainers|group|organi[sz]ation|labs?"
    r"|university|institute|association|consortium|authority|software|technologies"
    r"|services)\b",
    re.IGNORECASE,
)

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


def party_kind(name: str) -> PartyKind:
    """Whether ``name`` is a person or an organisation, from the name alone: the same
    name is always classified the same way, whatever role it has (supplier,
    originator, author; issue 11, item 17)."""
    return "organization" if _ORGANIZATION.search(name) else "person"
