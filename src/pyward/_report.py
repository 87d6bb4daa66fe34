"""The audit's result model: what every renderer (table, JSON, Markdown, SARIF,
CycloneDX VEX) turns into output. One model, many renderers.

The findings it holds are the general :class:`~pyward._findings.Finding` of any kind;
which of them fail the run is the gate's decision (:mod:`pyward._gate`), recorded here
as ``fail_on``, ``unknown_severity`` and ``failed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyward._advisory._types import StoreInfo
from pyward._findings import CheckId, Finding, FixStep, Level, Suppressed
from pyward._gate import UnknownPolicy, fails_run
from pyward._model import Component, Inventory, NotAudited

if TYPE_CHECKING:
    from pyward._provenance._model import ProvenanceReport

__all__ = ["JSON_SCHEMA_VERSION", "AuditReport", "DataSource", "PolicySummary", "SkippedCheck"]

#: JSON output schema version (``--format json``); bump the major on breaking changes
#: and record every change in ``docs/json-output.md``'s changelog.
JSON_SCHEMA_VERSION = "4.2"


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedCheck:
    """A registered check that did not run, and why (never skipped silently)."""

    check: CheckId
    """The check's id."""
    reason: str
    """Why it did not run: the data it needs is not available (``offline: no package
    index metadata``), or it was not selected."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DataSource:
    """One data source a run used, and its age (the report's footer names each)."""

    name: str
    """What it is: ``index metadata``, ``lifecycle data``."""
    origin: str
    """Where it came from: the indexes asked, ``built-in snapshot``, a URL."""
    updated: dt.datetime | None = None
    """How new it is: the oldest index page's fetch time, the lifecycle data's date;
    ``None`` when unknown."""
    stale: bool = False
    """Older than its freshness limit (a cached copy used offline or because the
    source could not be reached)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySummary:
    """The policy a ``pyward check`` run checked, as its report states it."""

    origins: tuple[str, ...]
    """Where it was read, base first (empty: the built-in default policy)."""
    rules: tuple[str, ...]
    """The rules in force, in :data:`pyward._policy.RULES` order."""
    settings: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Each rule's settings, as the JSON output shows them."""
    undecided: str = "fail"
    """Whether an undecided rule fails the run (``fail``) or passes (``pass``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    """The whole result of ``pyward audit`` for one or more inventories."""

    database: StoreInfo
    """The advisory data the vulnerability check used, and how old it is."""
    inventories: tuple[Inventory, ...]
    """Every input read, once each."""
    components: tuple[Component, ...]
    """Every audited component (across inventories, deduplicated by source and key)."""
    not_audited: tuple[NotAudited, ...]
    """What could not be audited, with the reason."""
    findings: tuple[Finding, ...]
    """What the gate kept. Sorted: exposed first, then by severity, then by name."""
    suppressed: tuple[Suppressed, ...] = ()
    """What the gate removed (ignore rules, VEX statements), with the rule."""
    fix_plan: tuple[FixStep, ...] = ()
    """The smallest upgrade per component that fixes its findings."""
    warnings: tuple[str, ...] = ()
    """Unused ignores, expired ignores, skipped advisories, stale data..."""
    errors: tuple[str, ...] = ()
    """Input parts that could not be read; the rest was audited."""
    skipped: tuple[SkippedCheck, ...] = ()
    """Checks that did not run, and why."""
    fail_on: Level | None = None
    """The threshold in force (``None``: any finding fails)."""
    unknown_severity: UnknownPolicy = "fail"
    """Whether findings of unknown severity count against the threshold."""
    failed: bool = False
    """The gate's verdict: the run fails (findings at/above the threshold, or an
    expired ignore)."""
    fail_on_kinds: frozenset[str] | None = None
    """The kinds of finding that can fail the run (the others inform); ``None``: every
    kind but :data:`pyward._gate.INFORMATIONAL_KINDS`."""
    sources: tuple[DataSource, ...] = ()
    """Every data source the run used besides the advisory data, and how old it is
    (index metadata, lifecycle data), for the report's footer."""
    kind_fail_on: Mapping[str, Level | None] = field(default_factory=dict)
    """Kinds with their own threshold (a policy's ``vulnerabilities.severity``)."""
    policy: PolicySummary | None = None
    """The usage policy checked (``pyward check``); ``None`` for an audit."""
    provenance: ProvenanceReport | None = None
    """Every artifact's verified provenance and the coverage (``pyward provenance``, or a
    run whose ``provenance`` check ran); ``None`` otherwise."""

    @property
    def failing(self) -> tuple[Finding, ...]:
        """The findings that count against the run (a failing kind, at or above the
        threshold)."""
        return tuple(
            f
            for f in self.findings
            if fails_run(
                f,
                self.fail_on,
                self.unknown_severity,
                fail_on_kinds=self.fail_on_kinds,
                kind_fail_on=self.kind_fail_on,
            )
        )
