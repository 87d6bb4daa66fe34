"""Advisory data: OSV records, the local store, and the matcher.

Public names: :class:`AdvisoryStore` (the SQLite store, or the built-in snapshot) and
the domain types in :mod:`pyward._advisory._types`.
"""

from __future__ import annotations

from pyward._advisory._store import AdvisoryStore
from pyward._advisory._types import (
    Advisory,
    AdvisoryData,
    AdvisoryId,
    Affected,
    Event,
    Match,
    Range,
    Severity,
    StoreInfo,
    Vulnerability,
)

__all__ = [
    "Advisory",
    "AdvisoryData",
    "AdvisoryId",
    "AdvisoryStore",
    "Affected",
    "Event",
    "Match",
    "Range",
    "Severity",
    "StoreInfo",
    "Vulnerability",
]
