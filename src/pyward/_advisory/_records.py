"""OSV records and matches: the types the store builds when a package has advisories.

Apart from :mod:`pyward._advisory._types` (which re-exports every name here) so that a
run that matches nothing never creates these classes: each frozen, slotted dataclass
costs about 1 ms of start-up to create (``bench/bench_audit.py``), and a clean audit
of a 200-package lock needs none of them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pyward._advisory._types import AdvisoryId, StoreInfo

EventKind = Literal["introduced", "fixed", "last_affected", "limit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One event of a range (OSV ``affected[].ranges[].events[]``)."""

    kind: EventKind
    value: str
    """The version exactly as the record writes it (``"0"`` for introduced-from-start)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    """One range of an affected entry (OSV ``affected[].ranges[]``)."""

    type: Literal["ECOSYSTEM", "SEMVER", "GIT"]
    events: tuple[Event, ...]
    """For ECOSYSTEM ranges: sorted by PEP 440 version (``"0"`` first), as OSV's
    evaluation rules require; for GIT ranges: as written (they never decide a match)."""
    repo: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    """One affected entry of a record, for one PyPI package (OSV ``affected[]``)."""

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
    """One severity of a record (OSV ``severity[]``)."""

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
