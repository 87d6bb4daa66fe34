"""The general finding: one model for every kind of analysis, and its parts.

Every check (``pyward._checks``) reports :class:`Finding` objects: a known
vulnerability today; package status, policy, provenance and release-process findings
as those checks are added. The fields every kind shares (check id, severity,
confidence, component or file location, dependency path, references) are on
:class:`Finding`; what only one kind knows lives in its ``detail`` record
(:class:`VulnerabilityDetail` for a vulnerability). The gate (``pyward._gate``) and
every renderer work on the shared fields, so a new kind needs no change there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, NewType, TypeAlias

from pyward._advisory._types import Match
from pyward._model import Component, ComponentKey, Location

if TYPE_CHECKING:
    from pyward._policy._details import (
        CooldownDetail,
        LicenseDetail,
        PackageDetail,
        PinningDetail,
        ProvenanceDetail,
        SourceDetail,
        TyposquatDetail,
        UndecidedDetail,
    )

__all__ = [
    "KIND_PATTERN",
    "LEVELS",
    "LEVEL_RANK",
    "MALICIOUS",
    "REFERENCE_TYPES",
    "VULNERABILITY",
    "CheckId",
    "Confidence",
    "Detail",
    "EolDetail",
    "Finding",
    "FindingKind",
    "FixAction",
    "FixStep",
    "Level",
    "MaliciousDetail",
    "OutdatedDetail",
    "ProjectStatusDetail",
    "Rating",
    "Reference",
    "Score",
    "Suppressed",
    "UnmaintainedDetail",
    "VulnerabilityDetail",
    "YankedDetail",
    "check_rating",
    "status_id",
]

Level = Literal["critical", "high", "medium", "low", "unknown"]

#: Severity levels from most to least severe; ``unknown`` sorts last.
LEVELS: tuple[Level, ...] = ("critical", "high", "medium", "low", "unknown")

#: Each level's place in :data:`LEVELS`: ``critical`` 0 ... ``unknown`` 4.
LEVEL_RANK: dict[Level, int] = {level: i for i, level in enumerate(LEVELS)}

#: How sure a check is of a finding, where that applies (a typosquat guess is
#: ``low``; a version listed by an advisory is certain and has no confidence).
Confidence = Literal["high", "medium", "low"]

#: What a finding is about: a lower-case word that the check declaring it registers
#: (``vulnerability``: a known flaw of a component; later checks add their own, such as
#: ``yanked`` or ``eol``). Open, not a fixed list, so that adding a check is one module
#: and one registration; ``docs/checks.md`` lists the kinds of the registered checks.
FindingKind = NewType("FindingKind", str)

#: The kind of the vulnerability check's findings, the one kind with its own detail
#: record and fix plan.
VULNERABILITY = FindingKind("vulnerability")

#: The kind of the malicious check's findings: an OSV ``MAL-`` record names the release.
#: Planned too (removed, never upgraded), and a vulnerability in CycloneDX VEX.
MALICIOUS = FindingKind("malicious")

#: What a kind may be: lower-case words joined by hyphens.
KIND_PATTERN = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"

#: A registered check's stable id (``vulnerability``); see ``pyward rules``.
CheckId = NewType("CheckId", str)


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """One scored severity vector of an advisory."""

    type: str
    """``CVSS_V3`` or ``CVSS_V4`` (``CVSS_V2`` when that is all there is)."""
    vector: str
    """The vector as the record writes it."""
    base_score: float
    """The base score the ``cvss`` library computes for it."""
    level: Level
    """The qualitative rating of the base score."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating:
    """The severity a finding is gated on. For a vulnerability: the highest scored
    vector, else the record's own rating (``database_specific.severity``), else
    ``unknown``; for other kinds: the check's severity (``type`` ``check``)."""

    level: Level
    """The level the gate compares with ``--fail-on``."""
    score: float | None = None
    """The base score behind ``level``, when a vector gave it."""
    vector: str | None = None
    """That vector."""
    type: str | None = None
    """``CVSS_V3``, ``CVSS_V4``, ``database`` (record's rating), ``check`` (the
    check's own severity) or ``None`` (unknown)."""
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
    """One reference of a finding (for a vulnerability: OSV ``references[]``)."""

    type: str
    """The OSV reference type as the record writes it (one of :data:`REFERENCE_TYPES`
    for a valid record): ``ADVISORY`` is a published advisory, ``PACKAGE`` the package's
    page (never the advisory), ``FIX`` a commit, ``WEB`` anything else."""
    url: str
    """The URL as the record writes it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VulnerabilityDetail:
    """What only a vulnerability finding knows: how its records matched and what
    fixes it."""

    fixed_in: tuple[str, ...]
    """Versions that fix this flaw (sorted, PEP 440), above the installed one."""
    matches: tuple[Match, ...]
    """How it matched: one per record (range event or ``versions`` entry)."""
    published: str | None = None
    """Earliest ``published`` of its records (RFC 3339, as written)."""
    modified: str | None = None
    """Latest ``modified`` of its records."""


@dataclass(frozen=True, slots=True, kw_only=True)
class YankedDetail:
    """A ``yanked`` finding: the pinned release was yanked from its index (PEP 592)."""

    reason: str | None
    """The index's reason, stripped (``None`` when it gives none)."""
    index: str
    """The index that says so (credentials redacted)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectStatusDetail:
    """A ``project-status`` finding: the index marks the project (PEP 792)."""

    status: str
    """``archived``, ``quarantined`` or ``deprecated`` (an unknown marker as written)."""

    @property
    def gate_qualifier(self) -> str:
        """What ``fail-on-kinds`` may name after the kind: ``project-status:quarantined``."""
        return self.status

    reason: str | None
    """The index's reason, if any."""
    index: str
    """The index that says so (credentials redacted)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EolDetail:
    """An ``eol`` finding: a release line of a package, or of the Python interpreter,
    past its end of life (lifecycle data such as endoflife.date's)."""

    subject: Literal["package", "interpreter"]
    """What is past its end of life: a component, or the interpreter audited for."""
    product: str
    """The lifecycle data's product (``django``, ``python``)."""
    cycle: str
    """The release line (``4.1``, ``3.8``)."""
    eol: dt.date
    """The day its support ended."""
    supported: tuple[str, ...] = ()
    """The release lines still supported on the audit's date, oldest first (the
    oldest is the smallest upgrade that is supported)."""
    latest: str | None = None
    """The newest release of the line, when the data gives it."""
    source: str = ""
    """Where the lifecycle data came from, and its date."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutdatedDetail:
    """An ``outdated`` finding: newer releases exist that the project's Python can use."""

    latest: str
    """The newest final release the target Python can install (not yanked)."""
    releases_behind: int
    """Final releases between the pinned one and ``latest`` (``latest`` included)."""
    majors_behind: int
    """Major versions released after the pinned one's, up to ``latest``'s (counted, so
    that a jump to calendar versioning counts the majors released, not their difference)."""
    pinned_released: dt.date | None = None
    """When the pinned release was uploaded, when the index says."""
    latest_released: dt.date | None = None
    """When ``latest`` was uploaded, when the index says."""
    python: str | None = None
    """The Python version ``latest`` was chosen for (``None``: any)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnmaintainedDetail:
    """An ``unmaintained`` finding: no release for years, or marked inactive."""

    last_release: dt.date | None
    """The newest upload of any file of the project, when the index says."""
    years: float | None
    """Years between ``last_release`` and the audit's date."""
    inactive: bool = False
    """The project declares ``Development Status :: 7 - Inactive``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MaliciousDetail:
    """A ``malicious`` finding: an OSV ``MAL-`` record names the release (a package
    published to attack its users: install-time code, a typosquat, a hijacked account)."""

    matches: tuple[Match, ...]
    """How its records matched (``versions`` entries or ranges)."""
    published: str | None = None
    """Earliest ``published`` of its records (RFC 3339, as written)."""
    modified: str | None = None
    """Latest ``modified`` of its records."""
    origins: tuple[str, ...] = ()
    """Who reported it, as the records' ``database_specific.malicious-packages-origins``
    name them (``ghsa-malware``, ``socket``, ``ossf-package-analysis``...)."""
    every_version: bool = False
    """A record names every release of the project (a range from ``0`` that nothing
    closes): the project exists to attack, and no release of it is safe. Otherwise the
    records name some releases (a hijacked account's uploads), and the others are not
    named."""

    def describe(self) -> str:
        text = (
            "malicious package: every release (OSV MAL record)"
            if self.every_version
            else "malicious release (OSV MAL record)"
        )
        if self.origins:
            text += f"; reported by {', '.join(self.origins)}"
        return text

    def advice(self, name: str) -> str:
        """What to do about it, in words: remove the package; when the records name
        only some releases, moving to a release they do not name is the other way."""
        if self.every_version:
            return f"Remove {name}: every release is malicious."
        return f"Remove {name}, or pin a release its malicious records do not name."


#: The per-kind detail records. A kind without its own record has ``detail=None``. The
#: policy checks' records live with the policy (:mod:`pyward._policy._details`), created
#: only by a run that checks a policy rule.
Detail: TypeAlias = (
    "VulnerabilityDetail | YankedDetail | ProjectStatusDetail | EolDetail | OutdatedDetail"
    " | UnmaintainedDetail | MaliciousDetail | TyposquatDetail | CooldownDetail"
    " | LicenseDetail | PackageDetail | SourceDetail | PinningDetail | ProvenanceDetail"
    " | UndecidedDetail"
)


def status_id(kind: str, name: str, version: str | None = None) -> tuple[str, tuple[str, ...]]:
    """The id and aliases of a finding about a component's status: ``yanked:requests@2.32.0``,
    with the alias ``yanked:requests``. An ignore rule names either: the one release or
    line, or the package whatever its version."""
    general = f"{kind}:{name}"
    if version is None:
        return general, ()
    return f"{general}@{version}", (general,)


# One record per level, shared by the findings that have it (frozen: nothing changes it),
# rather than made again for each of the hundreds a lock can have.
@lru_cache(maxsize=8)
def check_rating(level: Level) -> Rating:
    """The rating of a finding that a check's severity rates (``type`` ``check``)."""
    return Rating(level=level, type="check")


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing wrong, found by one check: a flaw of a component, a rule a file
    breaks... ``kind`` says which; ``detail`` holds what only that kind knows."""

    kind: FindingKind
    """What the finding is about: its check's kind (see :data:`FindingKind`)."""
    check: CheckId
    """The id of the registered check that found it (``pyward rules``)."""
    id: str
    """The primary id: the advisory's for a vulnerability (first of ``ids``), the
    rule's for other kinds."""
    aliases: tuple[str, ...] = ()
    """Every other id of the same thing (PYSEC, GHSA, CVE...)."""
    summary: str
    """One line that says what is wrong."""
    details: str | None = None
    """The long description, as its source writes it."""
    rating: Rating
    """The severity the gate decides on."""
    confidence: Confidence | None = None
    """How sure the check is; ``None`` where that does not apply (a version an
    advisory names is affected, full stop)."""
    component: Component | None = None
    """The component the finding is about; ``None`` for a finding about a file of a
    repository (then ``location`` says where)."""
    location: Location | None = None
    """Where the finding is written down, when that is not the component's own
    location (a workflow line, a configuration key)."""
    path: tuple[ComponentKey, ...] = ()
    """Shortest path from a direct dependency (just the component when direct or
    unknown; empty with no component)."""
    references: tuple[Reference, ...] = ()
    """Every reference, once per URL, in source order (for a vulnerability: an URL
    that any record types ``ADVISORY`` is typed ``ADVISORY``)."""
    exposure: str | None = None
    """Why the component faces the network or untrusted input: the category of
    :mod:`pyward._audit._exposure` (``web framework``, ``web server``, ``network
    client``, ``untrusted-input parser``, ``template engine``); ``None``: not exposed."""
    detail: Detail | None = None
    """The record of what only this kind knows (:class:`VulnerabilityDetail`)."""

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def gate_kinds(self) -> tuple[str, ...]:
        """What ``fail-on-kinds`` may name to make this finding fail the run: its kind,
        and for a project status the kind and the status (``project-status:quarantined``)."""
        qualifier = getattr(self.detail, "gate_qualifier", None)
        if qualifier is not None:
            return (self.kind, f"{self.kind}:{qualifier}")
        return (self.kind,)

    @property
    def exposed(self) -> bool:
        """The component faces the network or parses untrusted input: fix it first."""
        return self.exposure is not None

    @property
    def where(self) -> Location | None:
        """The finding's own location, else its component's."""
        if self.location is not None:
            return self.location
        return self.component.location if self.component is not None else None

    @property
    def vulnerability(self) -> VulnerabilityDetail:
        """The detail of a vulnerability finding; a ``TypeError`` for another kind."""
        if not isinstance(self.detail, VulnerabilityDetail):
            raise TypeError(f"{self.id}: a {self.kind} finding has no vulnerability detail")
        return self.detail

    @property
    def fixed_in(self) -> tuple[str, ...]:
        """Versions that resolve the finding (a vulnerability's fixed versions); empty
        for a kind that is not fixed by an upgrade."""
        return self.detail.fixed_in if isinstance(self.detail, VulnerabilityDetail) else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressed:
    """A finding that the gate removed (an ignore rule or a VEX statement), kept for
    the report."""

    finding: Finding
    """The finding as the check reported it."""
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


#: What a fix step asks for: ``upgrade`` to a release that fixes the findings, or
#: ``remove`` a malicious release (no upgrade fixes malware).
FixAction = Literal["upgrade", "remove"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FixStep:
    """The smallest upgrade that fixes every finding of one component; for a malicious
    release, its removal (``action`` ``remove``)."""

    component: Component
    """The component to upgrade (or remove)."""
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
    unchecked: str | None = None
    """Why ``target`` was not checked against a package index's releases (it is then
    an advisory's bound, which may not be a released version: issue 11 item 1);
    ``None`` when it was, or when no index was asked (a plain audit stays offline)."""
    action: FixAction = "upgrade"
    """``upgrade``: move to ``target``. ``remove``: the release is malicious: take the
    package out. ``target`` is then the other way out, a release that its malicious
    records do not name (``None``: every release is named, or the index was not asked
    which releases exist); ``fixes`` lists every finding of the component (removing it
    resolves them all), and ``--fix --apply`` never applies it."""
