"""The check registry: every analysis pyward runs is one registered :class:`Check`.

A check has a stable id, the kind of finding it reports, a default severity, a
one-line description and an anchor in ``docs/checks.md``, and declares the data it
needs (advisories, package-index metadata, lifecycle data, a repository checkout).
When that data is not available the check is skipped with the reason, never silently
(the report lists it). A check only reports findings: what they mean for the run is
the gate's decision (:mod:`pyward._gate`).

Adding a check is one module with ``run(context) -> CheckResult`` and one line in
:data:`CHECKS`; ``tests/checks`` walks the registry, so none is forgotten. Modelled
on zizmor's audit registry (``crates/zizmor/src/registry.rs``).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pyward._findings import CheckId, Finding, FindingKind, Level
from pyward._model import Component, ComponentKey, Inventory, Location, NotAudited
from pyward._report import SkippedCheck
from pyward.errors import UsageError

if TYPE_CHECKING:
    from pyward._advisory._types import AdvisoryData
    from pyward._policy._model import Policy
    from pyward._provenance._model import ProvenanceReport
    from pyward._sources.index._metadata import IndexMetadata
    from pyward._sources.index._public import PublicNames
    from pyward._sources.lifecycle import Lifecycle
    from pyward._sources.popularity import Popularity

__all__ = [
    "CHECKS",
    "DOCS",
    "GROUPS",
    "NEEDS",
    "Check",
    "CheckContext",
    "CheckOptions",
    "CheckResult",
    "Need",
    "PythonTarget",
    "Sources",
    "Undecided",
    "run_checks",
    "select_checks",
]

#: What a check may need besides the inventory.
Need = Literal["advisories", "index", "lifecycle", "popularity", "provenance", "repository"]

#: Each need, in words (for ``pyward rules`` and the reason a check is skipped).
NEEDS: Mapping[Need, str] = {
    "advisories": "advisory data (the local store or the built-in snapshot)",
    "index": "package-index metadata (the index port, online or cached)",
    "lifecycle": "end-of-life and lifecycle data",
    "popularity": "the popularity list (download counts of the most used projects)",
    "provenance": "the artifacts' verified PEP 740 provenance (pyward provenance: the "
    "index's integrity API and Sigstore)",
    "repository": "a repository checkout",
}

#: Where the checks are documented: one section per check, headed with its id.
DOCS = "docs/checks.md"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sources:
    """The data a run has. A source that is ``None`` is not available, and
    ``unavailable`` may say why (``--offline``, ``no index configured``)."""

    advisories: AdvisoryData | None = None
    """The advisory store (or any :class:`~pyward._advisory._types.AdvisoryData`)."""
    index: IndexMetadata | None = None
    """What the package indexes say about the run's components (:mod:`pyward._sources.index`),
    fetched once before the checks run: release lists, upload times, yanked files and
    project status, from each component's index."""
    lifecycle: Lifecycle | None = None
    """End-of-life schedules of the interpreter and of packages
    (:mod:`pyward._sources.lifecycle`)."""
    popularity: Popularity | None = None
    """The most downloaded projects with their download counts
    (:mod:`pyward._sources.popularity`)."""
    provenance: ProvenanceReport | None = None
    """Every artifact's PEP 740 provenance, fetched and verified once before the checks
    run (:func:`pyward._provenance._gather.gather_provenance`), with the pins compared."""
    repository: Path | None = None
    """The checkout a repository check reads."""
    configured_indexes: Mapping[str, str] = field(default_factory=dict)
    """Inventory source -> the index configured for its project (``--index-url``, the
    environment, pip's and uv's settings: :class:`~pyward._sources.index._resolve.IndexResolver`),
    where one is: the index an installer takes a package from when the input records
    none. The ``source`` check reads it."""
    public_names: PublicNames = field(default_factory=dict)
    """What the ``sources`` rule's public indexes answered for the names taken from
    other indexes (:func:`~pyward._sources.index._public.probe_public`), fetched once
    before the checks run: the dependency-confusion probe."""
    unavailable: Mapping[Need, str] = field(default_factory=dict)
    """Why a source is missing, where the caller knows."""

    def has(self, need: Need) -> bool:
        """Whether the source a check names as ``need`` (a field of this name) is here."""
        return getattr(self, need) is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonTarget:
    """The Python version the audited project runs on, and how that was decided."""

    version: str
    """``X.Y`` or ``X.Y.Z``, as given or found."""
    origin: str
    """Where it comes from: ``--python-version``, ``.python-version``, ``uv.lock
    requires-python``, ``the audited environment``..."""
    location: Location | None = None
    """The file (and line) that says so, when one does."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOptions:
    """Settings of the checks that have any (``[tool.pyward]``)."""

    unmaintained_years: float = 3.0
    """A project with no release for this many years is ``unmaintained``."""
    policy: Policy | None = None
    """The usage policy, when the run checks one (``pyward check``): the policy checks
    read their settings from it (each rule's record; a check whose rule is off, or a run
    without a policy, uses the record's defaults)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    """What a check runs on: the audited components and the data sources."""

    subjects: tuple[tuple[Inventory, Component], ...]
    """Every component to check, once per key, with the first inventory that has it."""
    sources: Sources
    """The data available to the run."""
    path_of: Callable[[Inventory, Component], tuple[ComponentKey, ...]]
    """The dependency path from a direct dependency to a component (one search per
    inventory, on first use)."""
    today: dt.date = field(default_factory=dt.date.today)
    """The audit's date: what "past its end of life" and "years without a release"
    are measured against."""
    now: dt.datetime | None = None
    """The run's moment (time-zone aware): what a release's age in hours and days is
    measured against (``cooldown``). ``None``: :meth:`moment` derives it from
    :attr:`today`."""
    python: PythonTarget | None = None
    """The Python the project runs on, when known (end of life of the interpreter;
    which releases the project can upgrade to)."""
    options: CheckOptions = field(default_factory=CheckOptions)
    """The checks' settings."""
    inventories: tuple[Inventory, ...] = ()
    """Every input as read, each once: what a check about the inputs themselves needs
    beyond the subjects (``pinning`` reads a requirements file's entries that are not
    pinned, which are no subject)."""
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What one check works out that another check of the same run needs too, by key,
    filled by the first that needs it: the advisory matching that the ``vulnerability``
    and ``malicious`` checks both report from (:func:`pyward._checks._advisories.matched`)."""

    def moment(self) -> dt.datetime:
        """The run's moment in UTC: :attr:`now` when given; else the current time when
        :attr:`today` is the local date, or :attr:`today` at the current UTC time of day
        (a run dated otherwise is that day, at the hour it runs)."""
        if self.now is not None:
            return self.now.astimezone(dt.timezone.utc)
        current = dt.datetime.now(dt.timezone.utc)
        if self.today == dt.date.today():
            return current
        return dt.datetime.combine(self.today, current.timetz())


@dataclass(frozen=True, slots=True, kw_only=True)
class Undecided:
    """A component a check could not decide for want of data (no index page offline, no
    licence, no upload time). ``pyward check`` makes each an ``undecided`` finding of
    the rule; an audit shows ``note``."""

    component: Component
    """The component."""
    path: tuple[ComponentKey, ...]
    """Its dependency path (as a finding's)."""
    reason: str
    """Why, in words: ``no upload time: the lock records none and the index was not
    asked (offline)``."""
    note: str | None = None
    """The warning an audit shows for it (``None``: the check warned already)."""
    check: CheckId | None = None
    """The check that could not decide (:func:`run_checks` sets it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """What one check reported."""

    findings: tuple[Finding, ...] = ()
    """Its findings, in the order found."""
    not_audited: tuple[NotAudited, ...] = ()
    """Components it could not check, with the reason."""
    warnings: tuple[str, ...] = ()
    """Data it could not use (a record that does not parse, a vector that does not
    score), in words."""
    undecided: tuple[Undecided, ...] = ()
    """Components it could not decide, for want of data."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One registered analysis."""

    id: CheckId
    """Stable id, used in output, configuration and ``pyward rules``."""
    kind: FindingKind
    """The kind of finding it reports."""
    severity: Level
    """Its findings' severity when the data gives none (a vulnerability's comes from
    its records; this is the level of a record without any)."""
    description: str
    """One line: what it finds."""
    needs: frozenset[Need]
    """The data it cannot run without."""
    module: str
    """The module that holds ``run(context: CheckContext) -> CheckResult``; imported
    only when the check runs."""
    default: bool = True
    """Whether an audit runs it unless ``--checks`` says otherwise; the policy checks
    that only mean something with a policy's settings (licences, cooldown, sources...)
    run when ``pyward check``'s policy turns their rule on, or ``--checks`` names them."""

    @property
    def docs_url(self) -> str:
        return f"{DOCS}#{self.id}"

    def skip_reason(self, sources: Sources) -> str | None:
        """Why the check cannot run with ``sources`` (``None``: it can)."""
        missing = [n for n in sorted(self.needs) if not sources.has(n)]
        if not missing:
            return None
        return "; ".join(
            f"needs {NEEDS[n]}"
            + (f": {sources.unavailable[n]}" if n in sources.unavailable else "")
            for n in missing
        )

    def run(self, context: CheckContext) -> CheckResult:
        result: CheckResult = importlib.import_module(self.module).run(context)
        return result


def _check(
    id: str,
    *,
    kind: str,
    severity: Level,
    description: str,
    needs: Iterable[Need],
    module: str,
    default: bool = True,
) -> Check:
    return Check(
        id=CheckId(id),
        kind=FindingKind(kind),
        severity=severity,
        description=description,
        needs=frozenset(needs),
        module=module,
        default=default,
    )


#: id -> check. Adding a check is one module plus one entry here.
CHECKS: dict[CheckId, Check] = {
    c.id: c
    for c in (
        _check(
            "vulnerability",
            kind="vulnerability",
            severity="unknown",
            description="a component version that a known advisory (OSV: PYSEC, GHSA, CVE) affects",
            needs=("advisories",),
            module="pyward._checks._vulnerability",
        ),
        _check(
            "yanked",
            kind="yanked",
            severity="high",
            description="a pinned release that its index has yanked (PEP 592), with the reason",
            needs=("index",),
            module="pyward._checks._yanked",
        ),
        _check(
            "project-status",
            kind="project-status",
            severity="medium",
            description="a project its index marks archived, deprecated or quarantined (PEP 792)",
            needs=("index",),
            module="pyward._checks._project_status",
        ),
        _check(
            "eol",
            kind="eol",
            severity="high",
            description="a package release line or the Python interpreter past its end of life",
            needs=("lifecycle",),
            module="pyward._checks._eol",
        ),
        _check(
            "outdated",
            kind="outdated",
            severity="low",
            description="a pin behind the newest release that the project's Python can use",
            needs=("index",),
            module="pyward._checks._outdated",
        ),
        _check(
            "unmaintained",
            kind="unmaintained",
            severity="low",
            description="a project with no release for years (default 3), or marked Inactive",
            needs=("index",),
            module="pyward._checks._unmaintained",
        ),
        _check(
            "malicious",
            kind="malicious",
            severity="critical",
            description="a release that an OSV MAL record names as malicious (withdrawn "
            "records never match)",
            needs=("advisories",),
            module="pyward._checks._malicious",
        ),
        _check(
            "typosquat",
            kind="typosquat",
            severity="high",
            description="a name that imitates a popular project's (edit distance, "
            "separators, affixes, confusable characters)",
            needs=("popularity",),
            module="pyward._checks._typosquat",
            default=False,
        ),
        _check(
            "cooldown",
            kind="cooldown",
            severity="medium",
            description="a release younger than the cooldown (default 7 days), from the "
            "lock's or the index's upload time",
            needs=(),
            module="pyward._checks._cooldown",
            default=False,
        ),
        _check(
            "license",
            kind="license",
            severity="medium",
            description="a licence the policy denies or does not allow, or an unknown one",
            needs=(),
            module="pyward._checks._license",
            default=False,
        ),
        _check(
            "package",
            kind="package",
            severity="high",
            description="a package (or version) on the policy's deny-list, or off its allow-list",
            needs=(),
            module="pyward._checks._package",
            default=False,
        ),
        _check(
            "source",
            kind="source",
            severity="high",
            description="a package from an index the policy does not name, or a private name "
            "that a public index has too (dependency confusion)",
            needs=(),
            module="pyward._checks._source",
            default=False,
        ),
        _check(
            "pinning",
            kind="pinning",
            severity="medium",
            description="a requirement-file entry not pinned with == or without --hash",
            needs=(),
            module="pyward._checks._pinning",
            default=False,
        ),
        _check(
            "provenance",
            kind="provenance",
            severity="high",
            description="an artifact whose PEP 740 attestations fail to verify, a project "
            "whose publisher changed from its pinned one, or (by policy) one not attested",
            needs=("provenance",),
            module="pyward._checks._provenance",
            default=False,
        ),
        _check(
            "release-check",
            kind="release",
            severity="medium",
            description="a release-process weakness of a repository checkout: publishing, "
            "workflows, dependencies, policy, code, tests, metadata (pyward release-check)",
            needs=("repository",),
            module="pyward._checks._release",
            default=False,
        ),
    )
}

#: Names ``--checks`` takes besides the checks' own ids, each standing for several.
GROUPS: Mapping[str, tuple[str, ...]] = {
    "vulnerabilities": ("vulnerability", "malicious"),
    "status": ("yanked", "project-status", "unmaintained"),
    "policy": ("typosquat", "cooldown", "license", "package", "source", "pinning", "provenance"),
    "default": tuple(c.id for c in CHECKS.values() if c.default),
    "all": tuple(CHECKS),
}


def select_checks(names: Iterable[str]) -> tuple[Check, ...]:
    """The checks ``names`` (check ids or :data:`GROUPS`, as ``--checks`` takes them) select,
    in registry order. An unknown name is a :class:`~pyward.errors.UsageError`."""
    wanted: set[str] = set()
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name in GROUPS:
            wanted.update(GROUPS[name])
        elif name in CHECKS:
            wanted.add(name)
        else:
            known = ", ".join([*CHECKS, *(g for g in GROUPS if g not in CHECKS)])
            raise UsageError(f"--checks: unknown check {name!r} (known: {known})")
    if not wanted:
        raise UsageError("--checks: no check named")
    return tuple(c for c in CHECKS.values() if c.id in wanted)


def run_checks(
    context: CheckContext, checks: Iterable[Check] | None = None
) -> tuple[CheckResult, tuple[SkippedCheck, ...]]:
    """Run ``checks`` (default: every registered one that runs by default) on
    ``context``: their results merged in registry order, and the checks skipped with the
    reason."""
    findings: list[Finding] = []
    not_audited: list[NotAudited] = []
    warnings: list[str] = []
    undecided: list[Undecided] = []
    skipped: list[SkippedCheck] = []
    chosen = [c for c in CHECKS.values() if c.default] if checks is None else checks
    for check in chosen:
        reason = check.skip_reason(context.sources)
        if reason is not None:
            skipped.append(SkippedCheck(check=check.id, reason=reason))
            continue
        result = check.run(context)
        findings.extend(result.findings)
        not_audited.extend(result.not_audited)
        warnings.extend(result.warnings)
        undecided.extend(
            u if u.check is not None else replace(u, check=check.id) for u in result.undecided
        )
    merged = CheckResult(
        findings=tuple(findings),
        # Once each: the checks that share the advisory matching (vulnerability,
        # malicious) cannot read the same component for the same reason.
        not_audited=tuple(dict.fromkeys(not_audited)),
        warnings=tuple(warnings),
        undecided=tuple(undecided),
    )
    return merged, tuple(skipped)
