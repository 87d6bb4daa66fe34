"""Advisory data: OSV records, the local store, and the matcher.

Public names: :class:`AdvisoryStore` (the SQLite store, or the built-in snapshot), the
domain types in :mod:`pyward._advisory._types`, :func:`explain` (walk one record's
evaluation for one version, for ``pyward explain``) and :func:`freshness_notice` (the
one-line notice about the data's age for stderr).
"""

from __future__ import annotations

from pyward._advisory._freshness import freshness_notice
from pyward._advisory._match import explain
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
    "explain",
    "freshness_notice",
]
