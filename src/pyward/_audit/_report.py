"""The audit's result model: what every renderer (table, JSON, Markdown, SARIF,
CycloneDX VEX) turns into output. One model, many renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pyward._advisory._types import Match, StoreInfo
from pyward._model import Component, ComponentKey, Inventory, NotAudited

Level = Literal["critical", "high", "medium", "low", "unknown"]

#: Severity levels from most to least severe; ``unknown`` sorts last.
LEVELS: tuple[Level, ...] = ("critical", "high", "medium", "low", "unknown")


def at_or_above(level: Level, fail_on: Level | None, unknown_severity: str = "fail") -> bool:
    """Whether a finding of ``level`` counts against the threshold: the one place that
    decides it (the exit code, the summary lines and every renderer ask here).

    ``fail_on=None`` means any finding fails; ``unknown`` severity fails unless
    ``unknown_severity == "pass"``.
    """
    if level == "unknown":
        return unknown_severity == "fail"
    if fail_on is None:
        return True
    return LEVELS.index(level) <= LEVELS.index(fail_on)


#: JSON output schema version (``--format json``); bump the major on breaking changes.
JSON_SCHEMA_VERSION = "1.0"


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


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    """The whole result of ``pyward audit`` for one or more inventories."""

    database: StoreInfo
    inventories: tuple[Inventory, ...]
    components: tuple[Component, ...]
    """Every audited component (across inventories, deduplicated by source and key)."""
    not_audited: tuple[NotAudited, ...]
    findings: tuple[Finding, ...]
    """Sorted: exposed first, then by severity, then by name."""
    suppressed: tuple[Suppressed, ...] = ()
    fix_plan: tuple[FixStep, ...] = ()
    warnings: tuple[str, ...] = ()
    """Unused ignores, expired ignores, skipped advisories, stale data..."""
    errors: tuple[str, ...] = ()
    """Input parts that could not be read; the rest was audited."""
    fail_on: Level | None = None
    """The threshold in force (``None``: any finding fails)."""
    unknown_severity: Literal["fail", "pass"] = "fail"
    """Whether findings of unknown severity count against the threshold."""
    failed: bool = field(default=False)
    """Whether the run fails (findings at/above the threshold, or an expired ignore)."""

    @property
    def failing(self) -> tuple[Finding, ...]:
        """The findings at or above the threshold."""
        return tuple(
            f
            for f in self.findings
            if at_or_above(f.rating.level, self.fail_on, self.unknown_severity)
        )
