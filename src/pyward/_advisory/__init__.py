"""Advisory data: OSV records, the local store, and the matcher.

Public names: :class:`AdvisoryStore` (the SQLite store, or the built-in snapshot), the
domain types in :mod:`pyward._advisory._types`, :func:`explain` (walk one record's
evaluation for one version, for ``pyward explain``) and :func:`freshness_notice` (the
one-line notice about the data's age for stderr).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyward._advisory._freshness import freshness_notice
from pyward._advisory._match import explain
from pyward._advisory._store import AdvisoryStore
from pyward._advisory._types import AdvisoryId, StoreInfo

if TYPE_CHECKING:
    from pyward._advisory._records import (
        Advisory,
        AdvisoryData,
        Affected,
        Event,
        Match,
        Range,
        Severity,
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


def __getattr__(name: str) -> Any:
    # The record types are created on first use (see ``pyward._advisory._types``).
    from pyward._advisory import _types

    if name in _types._RECORDS:
        return getattr(_types, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
