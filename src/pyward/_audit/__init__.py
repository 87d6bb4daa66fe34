"""The audit: inventories and data in, one :class:`~pyward._report.AuditReport` out.

Pure: no I/O (configuration and VEX files are read before, by the caller). The steps
are separate seams: the registered checks (:mod:`pyward._checks`) report findings;
the gate (:mod:`pyward._gate`) decides what is kept, suppressed and failing; the fix
planner (:mod:`pyward._audit._fix`) plans upgrades for what is kept. Every component is
either audited or reported as not audited, with the reason; a record or an input part
that cannot be read becomes a warning or an error, and the rest of the audit goes on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from pyward._advisory._types import StoreInfo, id_order
from pyward._checks import (
    Check,
    CheckContext,
    CheckOptions,
    PythonTarget,
    Sources,
    run_checks,
)
from pyward._config import Config, IgnoreRule
from pyward._findings import LEVELS, Finding, FixStep, Level, Suppressed
from pyward._gate import Gate, counts_against
from pyward._model import Component, ComponentKey, Inventory, NotAudited, shortest_paths
from pyward._report import AuditReport, DataSource, SkippedCheck

if TYPE_CHECKING:
    from pyward._advisory._types import AdvisoryData
    from pyward._policy._model import Policy
    from pyward._report import PolicySummary
    from pyward._vex import VexStatement

__all__ = [
    "AuditReport",
    "Config",
    "Finding",
    "FixStep",
    "IgnoreRule",
    "Suppressed",
    "audit",
    "fails",
]

#: Sources whose version is a registry release that advisories can name.
_AUDITABLE = frozenset({"registry", "installed"})

_NOT_REGISTRY = {
    "git": "git source: the version is not a registry release",
    "url": "url source: the version is not a registry release",
    "path": "path source: the version is not a registry release",
    "directory": "directory source: the version is not a registry release",
    "editable": "editable source: the version is not a registry release",
    "virtual": "virtual package (the project itself): not a registry release",
}


def auditable(comp: Component) -> bool:
    """Whether the checks see ``comp``: a registry release (or an installed one) with a
    version that advisories and indexes can name."""
    return comp.source in _AUDITABLE and bool(comp.version)


#: What a report says of its advisory data when it had none (the vulnerability check
#: is then listed as skipped).
_NO_DATA = StoreInfo(
    source="no advisory data",
    updated=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
    record_count=0,
    newest_modified=None,
    used=False,
)


def audit(
    inventories: Sequence[Inventory],
    data: AdvisoryData | None,
    *,
    config: Config | None = None,
    vex: Sequence[VexStatement] = (),
    errors: Sequence[str] = (),
    warnings: Sequence[str] = (),
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    sources: Sources | None = None,
    checks: Iterable[Check] | None = None,
    plan_fixes: bool = True,
    python: PythonTarget | None = None,
    options: CheckOptions | None = None,
) -> AuditReport:
    """Audit ``inventories`` with the registered checks, and gate the findings.

    ``data`` is the advisory data (``None``: the vulnerability check is skipped, and
    the report says so); ``sources`` the other data the checks may use (its
    ``advisories`` is replaced by ``data``); ``checks`` which checks run (default:
    every registered one whose data is available); ``plan_fixes=False`` leaves the fix
    plan out (a caller that plans with more data, or needs none). ``config`` carries the threshold
    and the ignore rules; ``vex`` the statements of the VEX documents already read;
    ``errors`` and ``warnings`` are what the caller met while reading inputs (they go
    into the report as they are). ``today`` decides which ignores have expired
    (default: the local date); ``now`` is the moment a release's age is measured
    against (default: :meth:`CheckContext.moment`).
    """
    config = config or Config()
    options = options or CheckOptions()
    policy = options.policy
    if policy is not None:
        from pyward._policy._verdict import gate_for

        gate = gate_for(policy, config, vex=vex, today=today)
    else:
        gate = Gate.from_config(config, vex=vex, today=today)
    notes: list[str] = list(warnings)
    components: list[Component] = []
    not_audited: list[NotAudited] = []
    # One check per component key across inputs: the same pin in two files is one
    # thing to fix. The first inventory that has the component gives its path.
    owner: dict[ComponentKey, tuple[Inventory, Component]] = {}
    seen_sources: set[str] = set()
    kept_inventories: list[Inventory] = []
    for inv in inventories:
        if inv.source in seen_sources:
            notes.append(f"{inv.source}: given more than once; read once")
            continue
        seen_sources.add(inv.source)
        kept_inventories.append(inv)
        notes.extend(n if n.startswith(inv.source) else f"{inv.source}: {n}" for n in inv.notes)
        not_audited.extend(inv.not_audited)
        for comp in inv.components:
            if not auditable(comp):
                reason = (
                    "no version: nothing to match advisories against"
                    if not comp.version
                    else _NOT_REGISTRY.get(comp.source, f"{comp.source} source: not audited")
                )
                not_audited.append(
                    NotAudited(
                        name=comp.name,
                        requirement=comp.display_name or comp.name,
                        reason=reason,
                        location=comp.location,
                    )
                )
                continue
            components.append(comp)
            owner.setdefault(comp.key, (inv, comp))

    context = CheckContext(
        subjects=tuple(owner.values()),
        sources=dataclasses.replace(sources or Sources(), advisories=data),
        path_of=_path_finder(),
        today=today or dt.date.today(),
        now=now,
        python=python,
        options=options,
        inventories=tuple(kept_inventories),
    )
    result, skipped = run_checks(context, checks)
    if policy is None:
        # (A policy check reports each skipped rule as an ``undecided`` finding instead.)
        notes.extend(_skipped_notes(skipped))
    notes.extend(result.warnings)
    not_audited.extend(result.not_audited)
    findings = list(result.findings)
    if policy is not None:
        # A rule that could not be decided is a finding of its own, never a pass.
        from pyward._policy._verdict import undecided_findings

        findings.extend(undecided_findings(result.undecided, skipped, policy, subjects=len(owner)))
    else:
        notes.extend(u.note for u in result.undecided if u.note)

    if not components:
        notes.append(nothing_audited(not_audited))
    verdict = gate.decide(findings, not_audited=not_audited)
    notes.extend(verdict.warnings)
    kept = sorted(verdict.kept, key=_sort_key)

    fix_plan: tuple[FixStep, ...] = ()
    if plan_fixes and kept and data is not None:
        from pyward._audit._fix import plan

        fix_plan = plan(kept, data)

    return AuditReport(
        database=data.info if data is not None else _NO_DATA,
        inventories=tuple(kept_inventories),
        components=tuple(components),
        not_audited=tuple(not_audited),
        findings=tuple(kept),
        suppressed=tuple(sorted(verdict.suppressed, key=lambda s: _sort_key(s.finding))),
        fix_plan=fix_plan,
        warnings=tuple(dict.fromkeys(notes)),
        errors=tuple(errors),
        skipped=skipped,
        fail_on=gate.fail_on,
        unknown_severity=gate.unknown_severity,
        failed=verdict.failed,
        fail_on_kinds=gate.fail_on_kinds,
        kind_fail_on=gate.kind_fail_on,
        sources=data_sources(context.sources, context.today),
        policy=_policy_summary(policy),
    )


def _policy_summary(policy: Policy | None) -> PolicySummary | None:
    if policy is None:
        return None
    from pyward._policy._verdict import summary

    return summary(policy)


def _skipped_notes(skipped: Sequence[SkippedCheck]) -> list[str]:
    """One line per reason: four index checks skipped for want of an index are one line."""
    by_reason: dict[str, list[str]] = {}
    for s in skipped:
        by_reason.setdefault(s.reason, []).append(s.check)
    return [
        f"check {ids[0]} did not run: {reason}"
        if len(ids) == 1
        else f"checks {', '.join(ids)} did not run: {reason}"
        for reason, ids in by_reason.items()
    ]


def data_sources(sources: Sources, today: dt.date) -> tuple[DataSource, ...]:
    """The footer's list of data sources besides the advisory data, with their age."""
    found: list[DataSource] = []
    if sources.index is not None:
        found.append(sources.index.data_source())
    if sources.lifecycle is not None:
        from pyward._sources.lifecycle import data_source

        found.append(data_source(sources.lifecycle, today))
    if sources.popularity is not None:
        found.append(sources.popularity.data_source())
    return tuple(found)


#: How the warning of a run that audited no package begins.
NOTHING_AUDITED = "nothing was audited"


def nothing_audited(not_audited: Sequence[NotAudited]) -> str:
    """The warning of a run that audited no package: it passes only because there was
    nothing to check (issue 11 item 6), so it says why and what to do instead."""
    if not not_audited:
        return f"{NOTHING_AUDITED}: the inputs list no packages"
    from collections import Counter

    # "not pinned; lock the project first" -> "not pinned": the advice follows.
    reasons = Counter(n.reason.split(";")[0] for n in not_audited)
    why = ", ".join(f"{count} {reason}" for reason, count in reasons.most_common())
    return (
        f"{NOTHING_AUDITED}: 0 packages with a version to check, {len(not_audited)} not "
        f"audited ({why}); lock the project (uv lock, poetry lock, pdm lock or "
        "pip-compile) and audit the lock file, or audit its environment; --strict fails "
        "such a run"
    )


def fails(level: Level, config: Config) -> bool:
    """Whether a finding of ``level`` fails the run under ``config`` (the gate's rule;
    see :func:`pyward._gate.counts_against`)."""
    return counts_against(level, config.fail_on, config.unknown_severity)


def _path_finder() -> Callable[[Inventory, Component], tuple[ComponentKey, ...]]:
    """Dependency paths, with one breadth-first search per inventory on first use
    (equal to ``Inventory.why``)."""
    searches: dict[str, Callable[[ComponentKey], tuple[ComponentKey, ...]]] = {}

    def path_of(inv: Inventory, comp: Component) -> tuple[ComponentKey, ...]:
        search = searches.get(inv.source)
        if search is None:
            search = searches[inv.source] = shortest_paths(inv.roots, inv.edges)
        return search(comp.key)

    return path_of


def _sort_key(f: Finding) -> tuple[bool, int, str, str, tuple[str | int, ...]]:
    comp = f.component
    return (
        not f.exposed,
        LEVELS.index(f.rating.level),
        comp.name if comp is not None else "",
        (comp.version or "") if comp is not None else "",
        id_order(f.id),
    )
