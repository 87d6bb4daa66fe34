"""The findings of an audit: what :class:`~pyward._audit._report.AuditReport` holds
when something matched.

Apart from :mod:`pyward._audit._report` (which re-exports every name here) so that a
clean run never creates these classes: each frozen, slotted dataclass costs about
1 ms of start-up to create (``bench/bench_audit.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyward._advisory._records import Match
    from pyward._audit._report import Level
    from pyward._model import Component, ComponentKey


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """One scored severity vector of an advisory."""

    type: str
    """``CVSS_V3`` or ``CVSS_V4`` (``CVSS_V2`` when that is all there is)."""
    vector: str
    base_score: float
    level: Level


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating:
    """The severity a finding is gated on: the highest scored vector, else the
    record's own rating (``database_specific.severity``), else ``unknown``."""

    level: Level
    score: float | None = None
    vector: str | None = None
    type: str | None = None
    """``CVSS_V3``, ``CVSS_V4``, ``database`` (record's rating) or ``None`` (unknown)."""
    scores: tuple[Score, ...] = ()
    """Every vector the records carry, scored."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One flaw in one component."""

    component: Component
    id: str
    """The primary id (first of ``ids``)."""
    aliases: tuple[str, ...]
    """Every other id of the flaw (PYSEC, GHSA, CVE...)."""
    summary: str
    details: str | None
    rating: Rating
    fixed_in: tuple[str, ...]
    """Versions that fix this flaw (sorted, PEP 440)."""
    path: tuple[ComponentKey, ...]
    """Shortest path from a direct dependency (just the component when direct/unknown)."""
    matches: tuple[Match, ...]
    """How it matched: one per record (range event or ``versions`` entry)."""
    references: tuple[str, ...] = ()
    exposed: bool = False
    """The component faces the network (web framework, server, HTTP client, parser)."""
    published: str | None = None
    modified: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressed:
    """A finding that an ignore rule or a VEX statement removed, kept for the report."""

    finding: Finding
    rule: str
    """``ignore PYSEC-2023-74 (reason...)`` or ``VEX not_affected: FILE``."""
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FixStep:
    """The smallest upgrade that fixes every finding of one component."""

    component: Component
    target: str | None
    """Version to upgrade to, or ``None`` when no release fixes every finding."""
    fixes: tuple[str, ...]
    """Primary ids of the findings this upgrade resolves."""
    unfixed: tuple[str, ...] = ()
    """Primary ids that no known release fixes."""
    same_major: bool = True
    """The target keeps the installed major version."""
