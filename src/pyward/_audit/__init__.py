"""The audit core: inventories and advisory data in, one :class:`AuditReport` out.

Pure: no I/O (configuration and VEX files are read before, by the caller). Every
component is either audited or reported as not audited, with the reason; a record or
an input part that cannot be read becomes a warning or an error, and the rest of the
audit goes on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pyward._audit._report import LEVELS, AuditReport, Level, at_or_above
from pyward._config import Config, IgnoreRule
from pyward._model import Component, ComponentKey, Inventory, NotAudited, shortest_paths
from pyward.errors import PywardError

if TYPE_CHECKING:
    from pyward._advisory._records import AdvisoryData, Vulnerability

    # Created only when something is found (``pyward._audit._findings``).
    from pyward._audit._findings import Finding, FixStep, Rating, Suppressed

    # Imported only when VEX documents are given: the hot path does without it.
    from pyward._audit._vex import VexStatement

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


def audit(
    inventories: Sequence[Inventory],
    data: AdvisoryData,
    *,
    config: Config | None = None,
    vex: Sequence[VexStatement] = (),
    errors: Sequence[str] = (),
    warnings: Sequence[str] = (),
    today: dt.date | None = None,
) -> AuditReport:
    """Audit ``inventories`` against ``data``.

    ``config`` carries the threshold and the ignore rules; ``vex`` the statements of
    the VEX documents already read; ``errors`` and ``warnings`` are what the caller met
    while reading inputs (they go into the report as they are). ``today`` decides
    which ignores have expired (default: the local date).
    """
    config = config or Config()
    today = today or dt.date.today()
    notes: list[str] = list(warnings)
    components: list[Component] = []
    not_audited: list[NotAudited] = []
    # One finding per flaw and component key across inputs: the same pin in two files
    # is one thing to fix. The first inventory that has the component gives its path.
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
            if comp.source not in _AUDITABLE or not comp.version:
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

    findings: list[Finding] = []
    # Per inventory: the dependency path to each component (one search per inventory,
    # equal to ``Inventory.why``).
    paths: dict[str, Callable[[ComponentKey], tuple[ComponentKey, ...]]] = {}
    # One query for every package rather than one each (``AdvisoryStore.prefetch``);
    # other ``AdvisoryData`` implementations need not have it.
    prefetch = getattr(data, "prefetch", None)
    if prefetch is not None:
        prefetch(comp.name for _, comp in owner.values())
    for inv, comp in owner.values():
        version = comp.version or ""
        try:
            vulns = data.vulnerabilities(comp.name, version)
        except (PywardError, ValueError, KeyError, TypeError) as exc:
            notes.append(f"advisories for {comp.name} {comp.version} could not be read: {exc}")
            not_audited.append(
                NotAudited(
                    name=comp.name,
                    requirement=f"{comp.name}=={comp.version}",
                    reason=f"advisory data error: {exc}",
                    location=comp.location,
                )
            )
            continue
        if vulns and inv.source not in paths:
            paths[inv.source] = shortest_paths(inv.roots, inv.edges)
        for vuln in vulns:
            finding, extra = _finding(comp, vuln, paths[inv.source](comp.key), data)
            findings.append(finding)
            notes.extend(extra)

    kept: list[Finding]
    suppressed: tuple[Suppressed, ...] = ()
    expired = False
    # With no ignore rule, every finding is kept and there is nothing to warn about;
    # VEX statements only remove findings (they never warn): so the module (and the
    # classes it builds) is loaded only when there is something to decide.
    if config.ignores or (findings and vex):
        from pyward._audit._suppress import suppress

        outcome = suppress(findings, config.ignores, vex, today=today)
        notes.extend(outcome.warnings)
        kept = sorted(outcome.findings, key=_sort_key)
        suppressed = outcome.suppressed
        expired = outcome.expired
    else:
        kept = sorted(findings, key=_sort_key)

    fix_plan: tuple[FixStep, ...] = ()
    if kept:
        from pyward._audit._fix import plan

        fix_plan = plan(kept, data)

    failed = expired or any(fails(f.rating.level, config) for f in kept)
    return AuditReport(
        database=data.info,
        inventories=tuple(kept_inventories),
        components=tuple(components),
        not_audited=tuple(not_audited),
        findings=tuple(kept),
        suppressed=tuple(sorted(suppressed, key=lambda s: _sort_key(s.finding))),
        fix_plan=fix_plan,
        warnings=tuple(dict.fromkeys(notes)),
        errors=tuple(errors),
        fail_on=config.fail_on,
        unknown_severity=config.unknown_severity,
        failed=failed,
    )


def fails(level: Level, config: Config) -> bool:
    """Whether a finding of ``level`` fails the run under ``config``."""
    return at_or_above(level, config.fail_on, config.unknown_severity)


#: Longest summary taken from ``details`` (the whole text stays in ``Finding.details``).
SUMMARY_MAX = 160


def _first_line(details: str) -> str:
    """The first line of ``details``; a long one (records often hold one paragraph per
    line) is cut at a word boundary and ends with an ellipsis."""
    line = details.strip().splitlines()[0].strip()
    if len(line) <= SUMMARY_MAX:
        return line
    cut = line[: SUMMARY_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def _sort_key(f: Finding) -> tuple[bool, int, str, str, tuple[str | int, ...]]:
    return (
        not f.exposed,
        LEVELS.index(f.rating.level),
        f.component.name,
        f.component.version or "",
        _natural(f.id),
    )


def _natural(advisory_id: str) -> tuple[str | int, ...]:
    """``PYSEC-2021-35`` before ``PYSEC-2021-137``: numbers compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", advisory_id))


def _finding(
    comp: Component, vuln: Vulnerability, path: tuple[ComponentKey, ...], data: AdvisoryData
) -> tuple[Finding, tuple[str, ...]]:
    from pyward._advisory._match import parse_version, sort_versions
    from pyward._audit._exposure import exposure
    from pyward._audit._findings import Finding, Reference
    from pyward._audit._severity import rate

    advisories = vuln.advisories
    summary = next((a.summary.strip() for a in advisories if a.summary and a.summary.strip()), "")
    details = next((a.details for a in advisories if a.details), None)
    if not summary and details:
        summary = _first_line(details)
    rating: Rating
    # The store's scores from ``db update``; other ``AdvisoryData`` need not have them.
    scores = getattr(data, "scores", None)
    rating, warnings = rate(
        advisories, scores(a.id for a in advisories) if scores is not None else None
    )
    installed = parse_version(comp.version or "")
    fixed: list[str] = []
    for m in vuln.matches:
        for v in m.fixed:
            parsed = parse_version(v)
            # A fix on an older branch is no upgrade for this version.
            if installed is None or parsed is None or parsed > installed:
                fixed.append(v)
    # One reference per URL; an URL that any record calls its advisory is one.
    references: dict[str, str] = {}
    for a in advisories:
        for ref in a.references:
            url = ref.get("url")
            if url and (url not in references or ref.get("type") == "ADVISORY"):
                # OSV requires ``type``; WEB is its catch-all for a record without one.
                references[url] = ref.get("type") or "WEB"
    published = [a.published for a in advisories if a.published]
    modified = [a.modified for a in advisories if a.modified]
    finding = Finding(
        component=comp,
        id=vuln.ids[0],
        aliases=tuple(vuln.ids[1:]),
        summary=summary or vuln.ids[0],
        details=details,
        rating=rating,
        fixed_in=sort_versions(fixed),
        path=path,
        matches=vuln.matches,
        references=tuple(Reference(type=t, url=u) for u, t in references.items()),
        exposure=exposure(comp),
        published=min(published) if published else None,
        modified=max(modified) if modified else None,
    )
    return finding, warnings


def __getattr__(name: str) -> Any:
    # ``Finding``, ``FixStep`` and ``Suppressed`` are created on first use
    # (see ``pyward._audit._report``).
    if name in ("Finding", "FixStep", "Suppressed"):
        import pyward._audit._findings as findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
