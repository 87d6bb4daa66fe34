"""The audit's result model: what every renderer (table, JSON, Markdown, SARIF,
CycloneDX VEX) turns into output. One model, many renderers.

The finding types (:class:`Finding`, :class:`Rating`, :class:`Score`,
:class:`Reference`, :class:`FixStep`, :class:`Suppressed`) live in
:mod:`pyward._audit._findings` and are imported from here on first use: a clean run
never needs them, and creating them costs start-up time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pyward._advisory._types import StoreInfo
    from pyward._audit._findings import (
        Finding,
        FixStep,
        Rating,
        Reference,
        Score,
        Suppressed,
    )
    from pyward._model import Component, Inventory, NotAudited

__all__ = [
    "JSON_SCHEMA_VERSION",
    "LEVELS",
    "AuditReport",
    "Finding",
    "FixStep",
    "Level",
    "Rating",
    "Reference",
    "Score",
    "Suppressed",
    "at_or_above",
]

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
JSON_SCHEMA_VERSION = "2.0"


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


#: Names of :mod:`pyward._audit._findings` that this module re-exports.
_FINDINGS = frozenset({"Finding", "FixStep", "Rating", "Reference", "Score", "Suppressed"})


def __getattr__(name: str) -> Any:
    # PEP 562: the finding types are created on first use (see the module docstring).
    if name in _FINDINGS:
        import pyward._audit._findings as findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
