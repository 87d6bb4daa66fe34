"""The findings of an audit: what :class:`~pyward._audit._report.AuditReport` holds
when something matched.

Apart from :mod:`pyward._audit._report` (which re-exports every name here) so that a
clean run never creates these classes: each frozen, slotted dataclass costs about
1 ms of start-up to create (``bench/bench_audit.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

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


#: OSV reference types (https://ossf.github.io/osv-schema/#references-field).
REFERENCE_TYPES = (
    "ADVISORY",
    "ARTICLE",
    "DETECTION",
    "DISCUSSION",
    "REPORT",
    "FIX",
    "INTRODUCED",
    "GIT",
    "PACKAGE",
    "EVIDENCE",
    "WEB",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """One reference of the records of a flaw (OSV ``references[]``)."""

    type: str
    """The OSV reference type as the record writes it (one of :data:`REFERENCE_TYPES`
    for a valid record): ``ADVISORY`` is a published advisory, ``PACKAGE`` the package's
    page (never the advisory), ``FIX`` a commit, ``WEB`` anything else."""
    url: str
    """The URL as the record writes it."""


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
    references: tuple[Reference, ...] = ()
    """Every reference of the records, once per URL, in record order (an URL that any
    record types ``ADVISORY`` is typed ``ADVISORY``)."""
    exposure: str | None = None
    """Why the component faces the network or untrusted input: the category of
    :mod:`pyward._audit._exposure` (``web framework``, ``web server``, ``network
    client``, ``untrusted-input parser``, ``template engine``); ``None``: not exposed."""
    published: str | None = None
    modified: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def exposed(self) -> bool:
        """The component faces the network or parses untrusted input: fix it first."""
        return self.exposure is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressed:
    """A finding that an ignore rule or a VEX statement removed, kept for the report."""

    finding: Finding
    rule: str
    """Where the rule is written, in words: ``ignore PYSEC-2023-74 (pyproject.toml:
    tool.pyward.ignore[0])`` or ``VEX not_affected: FILE statements[3]``."""
    reason: str
    """Why, as the rule gives it (an ignore's ``reason``; a VEX statement's state,
    justification and detail joined with ``: ``)."""
    kind: Literal["ignore", "vex"]
    """What removed it: an ignore rule (the user's decision) or a VEX statement (a
    claim about the product)."""
    state: str | None = None
    """The VEX state as the document writes it: CycloneDX ``not_affected``,
    ``false_positive``, ``resolved``; OpenVEX ``not_affected``, ``fixed``. ``None`` for
    an ignore."""
    justification: str | None = None
    """The VEX justification as the document writes it (CycloneDX
    ``analysis.justification`` such as ``code_not_reachable``, or OpenVEX
    ``justification`` such as ``vulnerable_code_not_in_execute_path``); ``None`` when
    the statement gives none, and for an ignore."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FixStep:
    """The smallest upgrade that fixes every finding of one component."""

    component: Component
    target: str | None
    """Version to upgrade to: the smallest release that fixes every finding some
    release fixes (when no one release fixes them all, the one that fixes the most).
    ``None`` only when no finding of the component can be fixed (no known release
    fixes any, or the installed version does not parse)."""
    fixes: tuple[str, ...]
    """Primary ids of the findings that upgrading to ``target`` resolves (empty when
    ``target`` is ``None``)."""
    unfixed: tuple[str, ...] = ()
    """Primary ids that ``target`` leaves affected: no known release fixes them, or
    none that also fixes the others (every id when ``target`` is ``None``)."""
    same_major: bool = True
    """The target keeps the installed major version."""
