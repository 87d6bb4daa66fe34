"""The OSV record and match types under their former module name.

They live in :mod:`pyward._advisory._types`; this module only re-exports them for the
importers in ``pyward._audit``.
"""

# TODO(core): remove once the _audit rewrite lands (it imports from ``_types``).

from __future__ import annotations

from pyward._advisory._types import (
    Advisory,
    AdvisoryData,
    Affected,
    Event,
    EventKind,
    Match,
    Range,
    Severity,
    Vulnerability,
)

__all__ = [
    "Advisory",
    "AdvisoryData",
    "Affected",
    "Event",
    "EventKind",
    "Match",
    "Range",
    "Severity",
    "Vulnerability",
]
