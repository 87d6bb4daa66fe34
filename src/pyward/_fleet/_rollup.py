"""The fleet report: a :class:`~._model.FleetRun`'s results rolled up into the views a
security team reads (``docs/fleet-report.md``).

* per advisory, the projects it affects: one row per advisory however many ids it goes
  by (a ``PYSEC`` and a ``GHSA`` id of one flaw are one row, through the findings'
  aliases), worst first by the number of projects it hits;
* per project, its counts, worst severity and the gate's verdict;
* the upgrades ranked by findings cleared across the fleet: each project's fix plan
  grouped by package, with the one target that clears everything the plans clear;
  removing a malicious package comes first; what no release fixes is listed apart;
* what could not be audited (failed projects; requirements grouped by reason);
* the advisory data the projects used, with a warning when they disagree.

The roll-up is a pure function of the run's results: it sorts them first, and every
list it makes has a total order, so the same results in any order (a local pool and a
Dask cluster finish projects in different orders) give an equal report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from pyward._advisory._types import id_order
from pyward._findings import LEVEL_RANK, LEVELS, MALICIOUS, VULNERABILITY, Level
from pyward._fleet._model import FleetJob, ProjectResult, worst_level
from pyward._render._common import kind_order, plural

if TYPE_CHECKING:
    from packaging.version import Version

    from pyward._fleet._model import FleetRun

__all__ = [
    "ADVISORY_KINDS",
    "AdvisoryRow",
    "Affected",
    "DataUse",
    "FailedProject",
    "FleetReport",
    "NotAuditedGroup",
    "ProjectMessage",
    "ProjectRow",
    "Totals",
    "Unfixable",
    "Upgrade",
    "data_time",
    "id_key",
    "level_rank",
    "reason_group",
    "rollup",
    "version_key",
    "worst_first",
]

#: Kinds whose ids are advisory ids, merged through their aliases. A status or policy
#: finding's alias names its check (``eol:python``), not the same record under another
#: id: merging through it would make one row of every Python line past its end of life.
ADVISORY_KINDS = frozenset({VULNERABILITY, MALICIOUS})


def id_key(advisory_id: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key of an id: :func:`~pyward._advisory._types.id_order` (numbers as
    numbers), then the text, so that two ids it ranks equal (``A01``, ``A1``) still sort
    the same way every time."""
    return (id_order(advisory_id), advisory_id)


def level_rank(level: Level | None) -> int:
    """Sort key of a severity: ``critical`` 0 ... ``unknown`` 4, no finding 5."""
    return len(LEVELS) if level is None else LEVEL_RANK[level]


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    """One finding of an advisory in one project."""

    project: str
    """The project's id."""
    id: str
    """The id the project's finding goes by (another of the row's ids, with other data)."""
    package: str | None
    """The affected component's name (None: a finding about the project, such as its
    interpreter's end of life)."""
    version: str | None
    """The affected component's version."""
    level: Level
    """The finding's severity in that project."""
    fix: str | None
    """The version the project's fix plan moves the package to for it (None: none)."""
    fails: bool
    """The project's gate counts it."""
    direct: bool
    """The package is a direct dependency of the project."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvisoryRow:
    """One advisory (or one status or policy finding id) across the fleet."""

    id: str
    """The id most projects' findings use (ties: the first in id order)."""
    aliases: tuple[str, ...]
    """Every other id it goes by, in id order."""
    kind: str
    """The findings' kind."""
    level: Level
    """The worst severity among its findings."""
    summary: str
    """One line (the first non-empty summary, in project order)."""
    packages: tuple[str, ...]
    """The affected packages' names, sorted."""
    affected: tuple[Affected, ...]
    """Every finding of it, by project, then package and version."""

    @property
    def projects(self) -> int:
        """How many projects it affects."""
        return len({a.project for a in self.affected})

    @property
    def ids(self) -> tuple[str, ...]:
        """:attr:`id` and :attr:`aliases`."""
        return (self.id, *self.aliases)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectRow:
    """One project's line of the report; :attr:`result` is all it keeps of its run."""

    result: ProjectResult
    """The project's result, as its runner gave it."""
    cached: bool
    """The result came from the incremental cache."""

    @property
    def id(self) -> str:
        """The project's id."""
        return self.result.project

    @property
    def worst(self) -> Level | None:
        """Its worst severity (None: no finding)."""
        return self.result.worst

    @property
    def counts(self) -> dict[Level, int]:
        """Its findings by severity, every level present."""
        return self.result.counts()

    @property
    def findings(self) -> int:
        """How many findings it kept."""
        return len(self.result.findings)

    @property
    def failing(self) -> bool:
        """The gate fails it, it could not be audited at all, or an input of it could
        not be read (its report is incomplete: its own command exits 2)."""
        return self.result.failed or self.result.state == "failed" or bool(self.result.errors)


@dataclass(frozen=True, slots=True, kw_only=True)
class Upgrade:
    """One package's change across the fleet: what every project's plan for it
    clears."""

    package: str
    """The normalised name."""
    action: str
    """``remove`` (a malicious release) or ``upgrade``."""
    target: str | None
    """The version to move to: the highest of the projects' plan targets, which clears
    every finding any of them clears (``remove``: the other way out, when known)."""
    versions: tuple[str, ...]
    """The versions the projects have now, lowest first."""
    findings: int
    """Findings it clears across the fleet (one per finding of each project)."""
    advisories: tuple[str, ...]
    """The advisories (report ids) it clears, in id order."""
    projects: tuple[str, ...]
    """The projects it touches, sorted."""
    direct: int
    """How many of :attr:`projects` have the package as a direct dependency."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unfixable:
    """A package's findings that no known release fixes, across the fleet."""

    package: str
    """The normalised name."""
    advisories: tuple[str, ...]
    """The advisories (report ids) no release fixes, in id order."""
    findings: int
    """How many findings across the fleet."""
    projects: tuple[str, ...]
    """The projects that have them, sorted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FailedProject:
    """A project that could not be audited at all."""

    project: str
    """Its id."""
    error: str
    """Why (one line)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectMessage:
    """An input error of an audited project (a file it could not read)."""

    project: str
    """Its id."""
    message: str
    """The report's error line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NotAuditedGroup:
    """Requirements that could not be checked for one reason, across the fleet."""

    reason: str
    """The reason, without the requirement's own text (:func:`reason_group`)."""
    count: int
    """How many requirements."""
    projects: tuple[str, ...]
    """The projects that have them, sorted."""
    requirements: tuple[str, ...]
    """The distinct requirements, sorted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DataUse:
    """One advisory data set, and the projects audited with it."""

    data: str
    """Its origin and newest record's time, as the projects report it."""
    newest: datetime | None
    """Its newest record's time, when the text names one (UTC)."""
    projects: tuple[str, ...]
    """The projects audited with it, sorted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    """The fleet in numbers."""

    projects: int
    """Projects in the run."""
    audited: int
    """Projects audited (their command ran)."""
    failed: int
    """Projects that could not be audited."""
    cached: int
    """Results taken from the incremental cache."""
    failing: int
    """Projects the gate fails, that could not be audited, or with input errors."""
    components: int
    """Components audited, summed over the projects."""
    findings: int
    """Kept findings, summed over the projects."""
    advisories: int
    """Distinct advisories (rows of :attr:`FleetReport.advisories`)."""
    suppressed: int
    """Suppressed findings, summed over the projects."""
    not_audited: int
    """Requirements that could not be checked, summed over the projects."""
    by_level: tuple[tuple[Level, int], ...]
    """Findings by severity, every level in order (zeros included)."""
    by_kind: tuple[tuple[str, int], ...]
    """Findings by kind, vulnerabilities first, then the report order of kinds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetReport:
    """The whole fleet, ready to render."""

    job: FleetJob
    """What every project got."""
    runner: str
    """How the projects were run (for people; not a result)."""
    cached: tuple[str, ...]
    """Ids of the projects whose result came from the cache, sorted."""
    totals: Totals
    """The numbers."""
    data: tuple[DataUse, ...]
    """The advisory data used, the most used first."""
    warnings: tuple[str, ...]
    """About the run as a whole (projects audited with different data)."""
    advisories: tuple[AdvisoryRow, ...]
    """Most projects affected first, then worst severity, then id."""
    upgrades: tuple[Upgrade, ...]
    """Removals first, then most findings cleared, most projects, package name."""
    unfixable: tuple[Unfixable, ...]
    """Most findings first, then package name."""
    projects: tuple[ProjectRow, ...]
    """Every project, by id."""
    failed: tuple[FailedProject, ...]
    """Projects that could not be audited, by id."""
    errors: tuple[ProjectMessage, ...]
    """Input errors of audited projects, by project."""
    not_audited: tuple[NotAuditedGroup, ...]
    """Requirements that could not be checked, most first, then reason."""


def rollup(run: FleetRun) -> FleetReport:
    """The fleet report of ``run``: equal for equal results, whatever their order."""
    results = sorted(run.results, key=lambda r: r.project)
    cached = tuple(sorted(set(run.cached)))
    canon = _canonical_ids(results)
    advisories = _advisories(results, canon)
    upgrades, unfixable = _upgrades(results, canon)
    data, warnings = _data(results)
    failed = tuple(
        FailedProject(project=r.project, error=r.error or "not audited")
        for r in results
        if r.state == "failed"
    )
    errors = tuple(
        ProjectMessage(project=r.project, message=e)
        for r in results
        if r.state == "audited"
        for e in r.errors
    )
    in_cache = set(cached)
    projects = tuple(ProjectRow(result=r, cached=r.project in in_cache) for r in results)
    return FleetReport(
        job=run.job,
        runner=run.runner,
        cached=cached,
        totals=_totals(results, projects, advisories, cached),
        data=data,
        warnings=warnings,
        advisories=advisories,
        upgrades=upgrades,
        unfixable=unfixable,
        projects=projects,
        failed=failed,
        errors=errors,
        not_audited=_not_audited(results),
    )


def worst_first(projects: Iterable[ProjectRow]) -> list[ProjectRow]:
    """Projects worst first: those that could not be audited, then by worst severity,
    most findings, failing before passing, then id."""
    return sorted(
        projects,
        key=lambda p: (
            p.result.state != "failed",
            level_rank(p.worst),
            -p.findings,
            not p.failing,
            p.id,
        ),
    )


# -- advisories -------------------------------------------------------------------------


def _canonical_ids(results: Sequence[ProjectResult]) -> dict[str, str]:
    """Every advisory id found (primary or alias) -> the id of its row.

    Ids joined by any finding's aliases form one advisory (a union-find over the ids);
    its row's id is the one most findings use as their own, ties broken by id order.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    used: dict[str, int] = {}
    for r in results:
        for f in r.findings:
            if f.kind not in ADVISORY_KINDS:
                continue
            used[f.id] = used.get(f.id, 0) + 1
            root = find(f.id)
            for alias in f.aliases:
                other = find(alias)
                if other != root:
                    # The smaller id becomes the root: the same sets whatever the order.
                    low, high = sorted((root, other), key=id_key)
                    parent[high] = low
                    root = low
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    canon: dict[str, str] = {}
    for members in groups.values():
        best = min(members, key=lambda i: (-used.get(i, 0), id_key(i)))
        for m in members:
            canon[m] = best
    return canon


def _row_key(kind: str, fid: str, canon: Mapping[str, str]) -> tuple[str, str]:
    if kind in ADVISORY_KINDS:
        return (kind, canon.get(fid, fid))
    return (kind, fid)


def _advisories(
    results: Sequence[ProjectResult], canon: Mapping[str, str]
) -> tuple[AdvisoryRow, ...]:
    hits: dict[tuple[str, str], list[Affected]] = {}
    ids: dict[tuple[str, str], set[str]] = {}
    summaries: dict[tuple[str, str], str] = {}
    for r in results:
        for f in r.findings:
            key = _row_key(f.kind, f.id, canon)
            hits.setdefault(key, []).append(
                Affected(
                    project=r.project,
                    id=f.id,
                    package=f.package,
                    version=f.version,
                    level=f.level,
                    fix=f.fix,
                    fails=f.fails,
                    direct=f.direct,
                )
            )
            bucket = ids.setdefault(key, set())
            bucket.add(f.id)
            if f.kind in ADVISORY_KINDS:
                bucket.update(f.aliases)
            if f.summary and key not in summaries:
                summaries[key] = f.summary
    rows = []
    for key, affected in hits.items():
        kind, row_id = key
        # Never "unknown" by default: a row has at least one finding.
        level = worst_level(a.level for a in affected) or "unknown"
        rows.append(
            AdvisoryRow(
                id=row_id,
                aliases=tuple(sorted(ids[key] - {row_id}, key=id_key)),
                kind=kind,
                level=level,
                summary=summaries.get(key, ""),
                packages=tuple(sorted({a.package for a in affected if a.package is not None})),
                affected=tuple(
                    sorted(
                        affected,
                        key=lambda a: (
                            a.project,
                            a.package or "",
                            a.version or "",
                            id_key(a.id),
                            level_rank(a.level),
                        ),
                    )
                ),
            )
        )
    rows.sort(key=lambda a: (-a.projects, LEVEL_RANK[a.level], id_key(a.id), a.kind))
    return tuple(rows)


# -- upgrades ---------------------------------------------------------------------------


def version_key(version: str) -> tuple[int, Version | str]:
    """Sort key of a version: PEP 440 order (``packaging``), a version that does not
    parse before every one that does, by its text."""
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _sort_versions(versions: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(versions), key=lambda v: (version_key(v), v)))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Step:
    project: str
    version: str | None
    target: str | None
    cleared: tuple[str, ...]
    """The report ids of the findings the step clears (one per finding)."""
    direct: bool


def _report_ids(
    ids: Iterable[str], kinds: Mapping[str, str], canon: Mapping[str, str]
) -> tuple[str, ...]:
    """A plan's ids (its findings' own ids) as the advisory rows' ids; an id with no
    finding of the project is taken as an advisory's."""
    return tuple(_row_key(kinds.get(i, VULNERABILITY), i, canon)[1] for i in ids)


def _upgrades(
    results: Sequence[ProjectResult], canon: Mapping[str, str]
) -> tuple[tuple[Upgrade, ...], tuple[Unfixable, ...]]:
    steps: dict[tuple[str, str], list[_Step]] = {}
    stuck: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for r in results:
        kinds = {f.id: f.kind for f in r.findings}
        direct = {f.package for f in r.findings if f.direct and f.package is not None}

        for s in r.fixes:
            if s.target is not None or s.action == "remove":
                steps.setdefault((s.action, s.package), []).append(
                    _Step(
                        project=r.project,
                        version=s.version,
                        target=s.target,
                        cleared=_report_ids(s.fixes, kinds, canon),
                        direct=s.package in direct,
                    )
                )
            if s.unfixed:
                stuck.setdefault(s.package, []).append(
                    (r.project, _report_ids(s.unfixed, kinds, canon))
                )
    upgrades = []
    for (action, package), found in steps.items():
        targets = [s.target for s in found if s.target is not None]
        target = max(targets, key=lambda t: (version_key(t), t), default=None)
        projects = sorted({s.project for s in found})
        upgrades.append(
            Upgrade(
                package=package,
                action=action,
                target=target,
                versions=_sort_versions(s.version for s in found if s.version is not None),
                findings=sum(len(s.cleared) for s in found),
                advisories=tuple(sorted({i for s in found for i in s.cleared}, key=id_key)),
                projects=tuple(projects),
                direct=len({s.project for s in found if s.direct}),
            )
        )
    upgrades.sort(
        key=lambda u: (u.action != "remove", -u.findings, -len(u.projects), u.package, u.action)
    )
    unfixable = [
        Unfixable(
            package=package,
            advisories=tuple(sorted({i for _, ids in found for i in ids}, key=id_key)),
            findings=sum(len(ids) for _, ids in found),
            projects=tuple(sorted({p for p, _ in found})),
        )
        for package, found in stuck.items()
    ]
    unfixable.sort(key=lambda u: (-u.findings, -len(u.projects), u.package))
    return tuple(upgrades), tuple(unfixable)


# -- not audited, data, totals ----------------------------------------------------------


def reason_group(requirement: str, reason: str) -> str:
    """The reason a requirement was not checked, without the requirement's own text, so
    that equal reasons group: ``not pinned: flask>=2; lock the project first`` reads
    ``not pinned; lock the project first``."""
    if requirement and f": {requirement}" in reason:
        reason = reason.replace(f": {requirement}", "")
    return " ".join(reason.split())


def _not_audited(results: Sequence[ProjectResult]) -> tuple[NotAuditedGroup, ...]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for r in results:
        for n in r.not_audited:
            groups.setdefault(reason_group(n.requirement, n.reason), []).append(
                (r.project, n.requirement)
            )
    rows = [
        NotAuditedGroup(
            reason=reason,
            count=len(found),
            projects=tuple(sorted({p for p, _ in found})),
            requirements=tuple(sorted({q for _, q in found})),
        )
        for reason, found in groups.items()
    ]
    rows.sort(key=lambda g: (-g.count, g.reason))
    return tuple(rows)


_WHEN = re.compile(r"\(([^()]*)\)\s*$")


def data_time(data: str) -> datetime | None:
    """The time a result's data text ends with (``SOURCE (2024-10-10T17:22:00Z)``), in
    UTC; None when it names none."""
    m = _WHEN.search(data)
    if m is None:
        return None
    try:
        # Python 3.10's fromisoformat does not read a ``Z``.
        when = datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", m.group(1).strip()))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _data(results: Sequence[ProjectResult]) -> tuple[tuple[DataUse, ...], tuple[str, ...]]:
    used: dict[str, list[str]] = {}
    for r in results:
        if r.state == "audited" and r.data:
            used.setdefault(r.data, []).append(r.project)
    uses = sorted(
        (
            DataUse(data=d, newest=data_time(d), projects=tuple(sorted(ps)))
            for d, ps in used.items()
        ),
        key=lambda u: (-len(u.projects), u.data),
    )
    warnings = []
    if len(uses) > 1:
        named = "; ".join(f"{u.data} ({plural(len(u.projects), 'project')})" for u in uses)
        warnings.append(
            f"projects were audited with {len(uses)} different advisory data sets: {named};"
            " their results are not comparable (give every worker the same store)"
        )
    return tuple(uses), tuple(warnings)


def _totals(
    results: Sequence[ProjectResult],
    projects: Sequence[ProjectRow],
    advisories: Sequence[AdvisoryRow],
    cached: Sequence[str],
) -> Totals:
    by_level: dict[Level, int] = dict.fromkeys(LEVELS, 0)
    by_kind: dict[str, int] = {}
    for r in results:
        for f in r.findings:
            by_level[f.level] += 1
            by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
    return Totals(
        projects=len(results),
        audited=sum(r.state == "audited" for r in results),
        failed=sum(r.state == "failed" for r in results),
        cached=len(cached),
        failing=sum(p.failing for p in projects),
        components=sum(r.components for r in results),
        findings=sum(len(r.findings) for r in results),
        advisories=len(advisories),
        suppressed=sum(r.suppressed for r in results),
        not_audited=sum(len(r.not_audited) for r in results),
        by_level=tuple(by_level.items()),
        by_kind=tuple(sorted(by_kind.items(), key=lambda kv: kind_order(kv[0]))),
    )
