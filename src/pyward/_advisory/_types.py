"""Domain types of the advisory subsystem (OSV records, matches, store metadata).

These are the seam between the advisory store and its users (audit, serve, sbom):
the store returns them; nothing outside ``pyward._advisory`` touches SQLite or OSV
wire data except through them.

The OSV record and match types (:class:`Advisory`, :class:`Match`,
:class:`Vulnerability`...) and the :class:`AdvisoryData` protocol live in
:mod:`pyward._advisory._records` and are imported from here on first use: a clean
audit never needs them, and creating them costs start-up time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NewType

#: An OSV id: ``PYSEC-2023-100``, ``GHSA-xxxx-xxxx-xxxx``, ``CVE-2023-32681``, ``MAL-...``.
AdvisoryId = NewType("AdvisoryId", str)

if TYPE_CHECKING:
    from pyward._advisory._records import (
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
    "AdvisoryId",
    "Affected",
    "Event",
    "EventKind",
    "Match",
    "Range",
    "Severity",
    "StoreInfo",
    "Vulnerability",
]
#: The names above that live in :mod:`pyward._advisory._records`.
_RECORDS = frozenset(__all__).difference({"AdvisoryId", "StoreInfo"})


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreInfo:
    """What every report says about the data it used."""

    source: str
    """Where the data came from: a URL, a path, or ``built-in snapshot``."""
    updated: datetime
    """When the store was last filled (UTC)."""
    record_count: int
    newest_modified: str | None
    """The newest ``modified`` among its records: how fresh the data really is."""
    skipped: int = 0
    """Records that could not be read at the last update."""
    snapshot: bool = False
    """True when this is the snapshot built into the package."""
    path: str | None = None
    """The SQLite file, when there is one."""

    def age_days(self, now: datetime | None = None) -> float:
        """Age of the data in days, measured from ``newest_modified`` when known
        (a fresh copy of old data is still old data), else from ``updated``."""
        now = now or datetime.now(timezone.utc)
        ref = self.updated
        if self.newest_modified:
            # An unparseable timestamp falls back to ``updated``: age is advisory, never fatal.
            with contextlib.suppress(ValueError):
                ref = datetime.fromisoformat(self.newest_modified.replace("Z", "+00:00"))
        if ref.tzinfo is None:
            ref = ref.replace(tzinfo=timezone.utc)
        return (now - ref).total_seconds() / 86400.0


def __getattr__(name: str) -> Any:
    # PEP 562: the record types are created on first use (see the module docstring).
    if name in _RECORDS:
        import pyward._advisory._records as records

        return getattr(records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
