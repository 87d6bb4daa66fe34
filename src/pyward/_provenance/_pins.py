"""Publisher pins (trust on first use): the identity each project was verified to be
published by, recorded where PEP 751 puts it, and compared on later runs.

A ``pylock.toml`` keeps them in each package's ``[[packages.attestation-identities]]``
(an entry written by another tool is honoured as written). Any other input keeps them
in :data:`SIDE_FILE` beside it, a small TOML file in the same layout
(docs/provenance.md#pins). :func:`read_pins` reads the pins of an input;
:func:`write_pins` records verified publishers (``pyward provenance --pin``);
:func:`admits` says whether a pinned identity admits a verified publisher.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pyward._model import Inventory
from pyward._provenance._model import IdentityRecord, Publisher

__all__ = ["IDENTITY_KEYS", "SIDE_FILE", "PinWrite", "Pins", "admits", "read_pins", "write_pins"]

#: The file beside a lock other than ``pylock.toml`` that holds its pins.
SIDE_FILE = "attestation-identities.toml"

#: Per publisher ``kind`` (as the index spells it), the keys that make up the identity:
#: a pinned key outside these (CircleCI's ``vcs_ref``, which names the branch or tag a
#: release ran on) is recorded but never compared.
IDENTITY_KEYS: Mapping[str, tuple[str, ...]] = {
    "GitHub": ("repository", "workflow", "environment"),
    "GitLab": ("repository", "workflow_filepath", "environment"),
    "Google": ("email",),
    "CircleCI": ("project_id", "pipeline_definition_id", "vcs_origin"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Pins:
    """The pins of one input."""

    path: str
    """The file they are read from (and ``--pin`` writes): the ``pylock.toml`` itself,
    or :data:`SIDE_FILE` beside the input (which need not exist yet)."""
    identities: Mapping[str, tuple[IdentityRecord, ...]] = field(default_factory=dict)
    """PEP 503 name -> the identities pinned for the project (any of them admits)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PinWrite:
    """What :func:`write_pins` did to one file."""

    path: str
    """The file written."""
    added: tuple[str, ...] = ()
    """Projects pinned for the first time."""
    kept: tuple[str, ...] = ()
    """Projects whose pins were there already and admit the verified publisher."""


def admits(pinned: IdentityRecord, publisher: Publisher) -> bool:
    """Whether the pinned identity ``pinned`` admits the verified ``publisher``: the same
    ``kind``, and every identity key (:data:`IDENTITY_KEYS`) the pin sets equal to the
    publisher's record (repositories compare without regard to case on GitHub and
    GitLab). A key the pin leaves out matches anything, so a pin written by another
    tool with fewer keys is honoured as written."""
    raise NotImplementedError


def read_pins(inventory: Inventory) -> Pins:
    """The pins recorded for ``inventory``'s input."""
    raise NotImplementedError


def write_pins(
    inventory: Inventory,
    verified: Mapping[str, tuple[IdentityRecord, ...]],
    *,
    replace: frozenset[str] = frozenset(),
) -> PinWrite:
    """Record ``verified`` (PEP 503 name -> the publisher records its artifacts verified
    for) as the pins of ``inventory``'s input, atomically. A project already pinned keeps
    its pins (a changed publisher is never re-pinned silently), unless ``replace`` names
    it (``pyward provenance --pin --repin NAME``: a person accepted the change)."""
    raise NotImplementedError
