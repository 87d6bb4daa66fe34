"""Domain types of the advisory subsystem (OSV records, matches, store metadata).

These are the seam between the advisory store and its users (audit, serve, sbom):
the store returns them; nothing outside ``pyward._advisory`` touches SQLite or OSV
wire data except through them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, NewType, Protocol

#: An OSV id: ``PYSEC-2023-100``, ``GHSA-xxxx-xxxx-xxxx``, ``CVE-2023-32681``, ``MAL-...``.
AdvisoryId = NewType("AdvisoryId", str)

EventKind = Literal["introduced", "fixed", "last_affected", "limit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: EventKind
    value: str
    """The version exactly as the record writes it (``"0"`` for introduced-from-start)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    type: Literal["ECOSYSTEM", "SEMVER", "GIT"]
    events: tuple[Event, ...]
    """For ECOSYSTEM ranges: sorted by PEP 440 version (``"0"`` first), as OSV's
    evaluation rules require; for GIT ranges: as written (they never decide a match)."""
    repo: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    name: str
    """PEP 503 normalised package name."""
    ecosystem: str
    """``PyPI`` (records of other ecosystems are not stored)."""
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    ecosystem_specific: Mapping[str, Any] = field(default_factory=dict)
    database_specific: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Severity:
    type: str
    """``CVSS_V2``, ``CVSS_V3``, ``CVSS_V4``, ``Ubuntu``..."""
    score: str
    """The vector string (or the ecosystem's rating) as the record writes it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Advisory:
    """One OSV record, validated."""

    id: AdvisoryId
    modified: str
    """RFC 3339 timestamp as written."""
    published: str | None = None
    withdrawn: str | None = None
    """Set for withdrawn records: they are kept but never match."""
    aliases: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str | None = None
    details: str | None = None
    severity: tuple[Severity, ...] = ()
    affected: tuple[Affected, ...] = ()
    references: tuple[Mapping[str, str], ...] = ()
    credits: tuple[Mapping[str, Any], ...] = ()
    database_specific: Mapping[str, Any] = field(default_factory=dict)
    schema_version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """Why one record affects one package version."""

    advisory_id: AdvisoryId
    package: str
    """Normalised package name."""
    version: str
    """The version that was checked, as given."""
    reason: str
    """How it matched, in words, e.g. ``ECOSYSTEM range: introduced 0, fixed 2.32.4``
    or ``listed in versions``."""
    fixed: tuple[str, ...] = ()
    """``fixed`` versions of the affected entry that matched (every range), sorted."""
    last_affected: tuple[str, ...] = ()
    """``last_affected`` versions of that entry, sorted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Vulnerability:
    """One flaw affecting one package version: every record that describes it, merged
    through ``aliases``/``upstream`` (a PYSEC and a GHSA record of one CVE become one)."""

    ids: tuple[str, ...]
    """Every id of the flaw: the matched records' ids first (sorted: PYSEC, GHSA, then
    others), then their aliases (CVE...), deduplicated."""
    advisories: tuple[Advisory, ...]
    """The matched records themselves (at least one)."""
    matches: tuple[Match, ...]
    """One per matched record."""

    @property
    def id(self) -> str:
        return self.ids[0]


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


class AdvisoryData(Protocol):
    """What audit, serve and sbom need from the advisory store.

    ``pyward._advisory.AdvisoryStore`` implements it over SQLite;
    ``AdvisoryStore.from_records([...osv dicts...])`` builds an in-memory one for tests.
    """

    @property
    def info(self) -> StoreInfo: ...

    def matches(self, name: str, version: str) -> list[Match]:
        """Every non-withdrawn record affecting ``name`` (any spelling) at ``version``."""
        ...

    def vulnerabilities(self, name: str, version: str) -> list[Vulnerability]:
        """:meth:`matches`, merged through aliases into one entry per flaw."""
        ...

    def advisory(self, advisory_id: str) -> Advisory | None:
        """The parsed record with this id (withdrawn ones too), else ``None``."""
        ...

    def record(self, advisory_id: str) -> dict[str, Any] | None:
        """The record as OSV JSON (what ``GET /v1/vulns/{id}`` answers)."""
        ...

    def ids_for_package(self, name: str) -> list[AdvisoryId]:
        """Ids of every non-withdrawn record naming this package, any version."""
        ...
