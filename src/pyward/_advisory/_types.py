"""Domain types of the advisory subsystem: OSV records, matches, store metadata.

These are the seam between the advisory store and its users (audit, serve, sbom):
the store returns them; nothing outside ``pyward._advisory`` touches SQLite or OSV
wire data except through them. This module imports no other module of the subsystem,
so the store, the matcher, the OSV reader and the updater all depend on it and never
on each other through it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, NewType, Protocol

from pyward._wire import rfc3339

#: An OSV id: ``PYSEC-2023-100``, ``GHSA-xxxx-xxxx-xxxx``, ``CVE-2023-32681``, ``MAL-...``.
AdvisoryId = NewType("AdvisoryId", str)


def id_order(advisory_id: str) -> tuple[str | int, ...]:
    """The sort key of an id: ``PYSEC-2021-6`` before ``PYSEC-2021-109``, numbers
    compared as numbers (issue 11, item 14). Every list of ids sorts by it: the
    audit's findings, every renderer, the fix plan, a record's aliases."""
    # re.split with a group alternates text and digits, text first: keys never
    # compare a str with an int.
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(advisory_id))


_DIGITS = re.compile(r"(\d+)")

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
    "id_order",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreInfo:
    """What every report says about the data it used."""

    source: str
    """Where the data came from: a URL, a path, or ``built-in snapshot``."""
    updated: datetime
    """When the store was last filled (UTC)."""
    record_count: int
    """Records in the store, withdrawn ones included."""
    newest_modified: str | None
    """The newest ``modified`` among its records: how fresh the data really is."""
    skipped: int = 0
    """Records that could not be read at the last update."""
    snapshot: bool = False
    """True when this is the snapshot built into the package."""
    path: str | None = None
    """The SQLite file, when there is one."""
    used: bool = True
    """False when the run used no advisory data at all (a policy check whose rules need
    none): the report then says so rather than giving an age."""

    def age_days(self, now: datetime | None = None) -> float:
        """Age of the data in days, measured from ``newest_modified`` when known
        (a fresh copy of old data is still old data), else from ``updated``."""
        now = now or datetime.now(timezone.utc)
        ref = self.updated
        if self.newest_modified:
            # An unparseable timestamp falls back to ``updated``: age is advisory, never fatal.
            ref = rfc3339(self.newest_modified) or ref
        if ref.tzinfo is None:
            ref = ref.replace(tzinfo=timezone.utc)
        return (now - ref).total_seconds() / 86400.0


#: The kinds of range events OSV defines.
EventKind = Literal["introduced", "fixed", "last_affected", "limit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One event of a range (OSV ``affected[].ranges[].events[]``)."""

    kind: EventKind
    """``introduced``, ``fixed``, ``last_affected`` or ``limit``."""
    value: str
    """The version exactly as the record writes it (``"0"`` for introduced-from-start)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    """One range of an affected entry (OSV ``affected[].ranges[]``)."""

    type: Literal["ECOSYSTEM", "SEMVER", "GIT"]
    """How the events' versions compare; ``GIT`` ranges hold commits."""
    events: tuple[Event, ...]
    """For ECOSYSTEM ranges: sorted by PEP 440 version (``"0"`` first), as OSV's
    evaluation rules require; for GIT ranges: as written (they never decide a match)."""
    repo: str | None = None
    """The repository of a ``GIT`` range."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    """One affected entry of a record, for one PyPI package (OSV ``affected[]``)."""

    name: str
    """PEP 503 normalised package name."""
    ecosystem: str
    """``PyPI`` (records of other ecosystems are not stored)."""
    ranges: tuple[Range, ...] = ()
    """The affected ranges, in written order."""
    versions: tuple[str, ...] = ()
    """The affected versions listed one by one, as written."""
    ecosystem_specific: Mapping[str, Any] = field(default_factory=dict)
    """OSV ``ecosystem_specific``, unchanged."""
    database_specific: Mapping[str, Any] = field(default_factory=dict)
    """OSV ``database_specific`` of the entry, unchanged."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Severity:
    """One severity of a record (OSV ``severity[]``)."""

    type: str
    """``CVSS_V2``, ``CVSS_V3``, ``CVSS_V4``, ``Ubuntu``..."""
    score: str
    """The vector string (or the ecosystem's rating) as the record writes it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Advisory:
    """One OSV record, validated."""

    id: AdvisoryId
    """The record's own id."""
    modified: str
    """RFC 3339 timestamp as written."""
    published: str | None = None
    """RFC 3339 timestamp as written, when the record has one."""
    withdrawn: str | None = None
    """Set for withdrawn records: they are kept but never match."""
    aliases: tuple[str, ...] = ()
    """Ids of the same flaw in other databases (CVE, GHSA...)."""
    upstream: tuple[str, ...] = ()
    """Ids of the records this one derives from."""
    related: tuple[str, ...] = ()
    """Ids of related but different flaws."""
    summary: str | None = None
    """One line."""
    details: str | None = None
    """The full description (Markdown)."""
    severity: tuple[Severity, ...] = ()
    """Every severity the record gives."""
    affected: tuple[Affected, ...] = ()
    """The ``PyPI`` affected entries only."""
    references: tuple[Mapping[str, str], ...] = ()
    """OSV ``references`` (``type``, ``url``), unchanged."""
    credits: tuple[Mapping[str, Any], ...] = ()
    """OSV ``credits``, unchanged."""
    database_specific: Mapping[str, Any] = field(default_factory=dict)
    """OSV ``database_specific`` of the record, unchanged."""
    schema_version: str | None = None
    """The OSV schema version the record declares."""
    notes: tuple[str, ...] = ()
    """What was left out while reading it, one line each naming the record, the key
    path and the value: a range bound or a listed version that is not usable (not PEP
    440). The rest of the record is kept and matches."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """Why one record affects one package version."""

    advisory_id: AdvisoryId
    """The matching record's id."""
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


class AdvisoryData(Protocol):
    """What audit, serve and sbom need from the advisory store.

    ``pyward._advisory.AdvisoryStore`` implements it over SQLite;
    ``AdvisoryStore.from_records([...osv dicts...])`` builds an in-memory one for tests.
    """

    @property
    def info(self) -> StoreInfo: ...

    def matches(
        self, name: str, version: str, *, among: Collection[str] | None = None
    ) -> list[Match]:
        """Every non-withdrawn record affecting ``name`` (any spelling) at ``version``;
        with ``among``, only the records of those ids are evaluated (the fix planner
        asks whether a candidate release still has the flaws it found)."""
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

    def ids_for_alias(self, alias: str) -> list[AdvisoryId]:
        """Ids of every record (withdrawn ones too) that names ``alias`` in its
        ``aliases`` or ``upstream`` (case does not matter): the PYSEC and GHSA records of
        a CVE. A record's own id is not its alias (see :meth:`advisory`)."""
        ...
