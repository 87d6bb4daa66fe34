"""Matching the run's components against the advisory data: the one loop that the
``vulnerability`` and ``malicious`` checks share.

Each component is matched once per run against the store (OSV ranges and
``versions`` lists, PEP 440; see :mod:`pyward._advisory._match`); records linked by
aliases come back as one :class:`~pyward._advisory._types.Vulnerability`. Which check
reports a group is decided here too (:func:`is_malicious`), so that a group is reported
by exactly one of them: a MAL record that a PYSEC or GHSA record aliases (an account
takeover) is one ``malicious`` finding with every id, never also a vulnerability.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pyward._advisory._match import short, too_long
from pyward._advisory._types import Advisory, AdvisoryData, Vulnerability
from pyward._checks import CheckContext, CheckResult
from pyward._findings import Finding, Reference
from pyward._model import Component, ComponentKey, Inventory, NotAudited
from pyward.errors import PywardError

__all__ = [
    "MAL_ORIGINS",
    "Matched",
    "collect",
    "dates_of",
    "is_malicious",
    "malicious_group",
    "matched",
    "references_of",
]

#: The key under which ossf/malicious-packages records who reported a package
#: (``database_specific.malicious-packages-origins[].source``).
MAL_ORIGINS = "malicious-packages-origins"


def is_malicious(advisory: Advisory) -> bool:
    """Whether a record says its package is malicious: an OSV ``MAL-`` id, or the
    ``database_specific.malicious-packages-origins`` that ossf/malicious-packages writes
    (a record imported under another id keeps it)."""
    return advisory.id.startswith("MAL-") or MAL_ORIGINS in advisory.database_specific


def malicious_group(vuln: Vulnerability) -> bool:
    """Whether a group of aliased records is a malicious package (any record says so):
    the ``malicious`` check reports it, and the ``vulnerability`` check does not."""
    return any(is_malicious(a) for a in vuln.advisories)


#: Builds the finding of one group of records about one component (at its dependency
#: path), with the warnings met while building it.
FindingOf = Callable[
    [Component, Vulnerability, tuple[ComponentKey, ...]], tuple[Finding, Iterable[str]]
]


def collect(context: CheckContext, *, malicious: bool, finding_of: FindingOf) -> CheckResult:
    """A check's result over :func:`matched`: a finding (by ``finding_of``) of every group
    whose :func:`malicious_group` is ``malicious``, followed in the warnings by those its
    records' readers left (a bound that is not PEP 440 may widen the match: issue 11
    item 9); components that could not be matched are not audited, with their warning."""
    findings: list[Finding] = []
    not_audited: list[NotAudited] = []
    warnings: list[str] = []
    for m in matched(context):
        if m.not_audited is not None:
            not_audited.append(m.not_audited)
            warnings.extend([m.warning] if m.warning else [])
            continue
        for vuln in m.vulnerabilities:
            if malicious_group(vuln) is not malicious:
                continue  # the other check's, with every id of the group
            path = context.path_of(m.inventory, m.component)
            finding, extra = finding_of(m.component, vuln, path)
            findings.append(finding)
            warnings.extend(extra)
            warnings.extend(note for a in vuln.advisories for note in a.notes)
    return CheckResult(
        findings=tuple(findings), not_audited=tuple(not_audited), warnings=tuple(warnings)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Matched:
    """One component that the advisory data was asked about, and what it answered."""

    inventory: Inventory
    """The first inventory that has the component (its dependency path comes from it)."""
    component: Component
    """The component."""
    vulnerabilities: tuple[Vulnerability, ...] = ()
    """The groups of records that affect it (empty: none, or ``not_audited`` says why)."""
    not_audited: NotAudited | None = None
    """Why it could not be matched (a version that cannot be compared, records that
    cannot be read); ``None`` when it was."""
    warning: str | None = None
    """The warning that goes with ``not_audited``, when the data failed."""


#: The key of :attr:`CheckContext.shared` under which :func:`matched` keeps its answer.
_SHARED = "advisories.matched"


def matched(context: CheckContext) -> tuple[Matched, ...]:
    """Every subject of ``context`` matched against its advisory data, in order.

    Worked out once per context: the ``vulnerability`` and ``malicious`` checks of a run
    report from the same matching (:attr:`CheckContext.shared`), each keeping the
    groups that are its own. A ``ValueError`` when the context has no advisory data (the
    registry skips a check that needs it)."""
    data: AdvisoryData | None = context.sources.advisories
    if data is None:
        raise ValueError("matching needs advisory data")
    kept = context.shared.get(_SHARED)
    # Checked by identity: a context copied with other subjects or data matches afresh.
    if kept is not None and kept[0] is context.subjects and kept[1] is data:
        found: tuple[Matched, ...] = kept[2]
        return found
    found = tuple(_match_all(context.subjects, data))
    context.shared[_SHARED] = (context.subjects, data, found)
    return found


def _match_all(
    subjects: tuple[tuple[Inventory, Component], ...], data: AdvisoryData
) -> Iterator[Matched]:
    """Each subject matched against ``data``, in order. One query loads the entries of
    every package first (``AdvisoryStore.prefetch``; other ``AdvisoryData``
    implementations need not have it)."""
    prefetch = getattr(data, "prefetch", None)
    if prefetch is not None:
        prefetch(comp.name for _, comp in subjects)
    for inv, comp in subjects:
        version = comp.version or ""
        if too_long(version):
            # Issue 12: no range can be decided for it; say so rather than guess.
            yield Matched(
                inventory=inv,
                component=comp,
                not_audited=NotAudited(
                    name=comp.name,
                    requirement=comp.name,
                    reason=f"version {short(version)} has a number too long to compare",
                    location=comp.location,
                ),
            )
            continue
        try:
            vulns = data.vulnerabilities(comp.name, version)
        except (PywardError, ValueError, KeyError, TypeError) as exc:
            yield Matched(
                inventory=inv,
                component=comp,
                not_audited=NotAudited(
                    name=comp.name,
                    requirement=f"{comp.name}=={comp.version}",
                    reason=f"advisory data error: {exc}",
                    location=comp.location,
                ),
                warning=f"advisories for {comp.name} {comp.version} could not be read: {exc}",
            )
            continue
        yield Matched(inventory=inv, component=comp, vulnerabilities=tuple(vulns))


def references_of(advisories: Iterable[Advisory]) -> tuple[Reference, ...]:
    """The references of a group of records, once per URL, in record order; an URL that
    any record calls its advisory (``ADVISORY``) is typed so."""
    references: dict[str, str] = {}
    for a in advisories:
        for ref in a.references:
            url = ref.get("url")
            if url and (url not in references or ref.get("type") == "ADVISORY"):
                # OSV requires ``type``; WEB is its catch-all for a record without one.
                references[url] = ref.get("type") or "WEB"
    return tuple(Reference(type=t, url=u) for u, t in references.items())


def dates_of(advisories: Iterable[Advisory]) -> tuple[str | None, str | None]:
    """The earliest ``published`` and the latest ``modified`` of a group of records (as
    written; ``None`` when none has one)."""
    records = list(advisories)
    published = [a.published for a in records if a.published]
    modified = [a.modified for a in records if a.modified]
    return (min(published) if published else None, max(modified) if modified else None)
