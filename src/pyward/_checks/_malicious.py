"""The ``malicious`` check: a release that an OSV ``MAL-`` record names.

ossf/malicious-packages publishes one OSV record per malicious package (a typosquat
that steals credentials when it is installed, a hijacked account's releases); OSV's
PyPI export carries them beside the PYSEC and GHSA records, and ``pyward db update
--source DIR`` reads a clone of the repository. A record is malicious when its id starts
with ``MAL-`` or it carries ``database_specific.malicious-packages-origins`` (see
:func:`~pyward._checks._advisories.is_malicious`). Withdrawn records (false positives)
are kept by the store but never match.

Matching is the ``vulnerability`` check's (:mod:`pyward._checks._advisories`): records
linked by aliases are one group, and a group with a malicious record is reported here,
once, with every id (``MAL-2025-6794``, ``PYSEC-2025-72``, ``GHSA-jxr6-qrxx-2ph2``),
never also as a vulnerability. The finding is critical whatever the other records'
scores: a malicious release runs its code when it is installed, and the fix is to
remove it, not to upgrade (the fix plan says so).
"""

from __future__ import annotations

from pyward._advisory._types import Advisory, Vulnerability
from pyward._audit._exposure import exposure
from pyward._checks import CHECKS, CheckContext, CheckResult
from pyward._checks._advisories import (
    MAL_ORIGINS,
    collect,
    dates_of,
    is_malicious,
    references_of,
)
from pyward._findings import (
    MALICIOUS,
    CheckId,
    Finding,
    MaliciousDetail,
    check_rating,
    status_id,
)
from pyward._model import Component, ComponentKey

#: The check's id: the kind of finding it reports.
CHECK = CheckId("malicious")


def run(context: CheckContext) -> CheckResult:
    return collect(
        context,
        malicious=True,
        finding_of=lambda comp, vuln, path: (finding_of(comp, vuln, path), ()),
    )


def finding_of(comp: Component, vuln: Vulnerability, path: tuple[ComponentKey, ...]) -> Finding:
    """The finding of one group of records (one malicious record at least) that names
    ``comp``'s release: the malicious records' ids first, then every other id of the
    group, then the ids an ignore rule may name whatever the records
    (``malicious:NAME@VERSION``, ``malicious:NAME``)."""
    # The malicious records speak first: their summary says what the release is ("Malicious
    # code in num2words (PyPI)"), their id is the finding's. The others keep the store's
    # order (PYSEC, then GHSA, then the rest).
    advisories = sorted(vuln.advisories, key=lambda a: not is_malicious(a))
    malicious_ids = [a.id for a in advisories if is_malicious(a)]
    ids = [*malicious_ids, *(i for i in vuln.ids if i not in malicious_ids)]
    summary = next((a.summary.strip() for a in advisories if a.summary and a.summary.strip()), "")
    details = next((a.details for a in advisories if a.details), None)
    status, general = status_id(CHECK, comp.name, comp.version)
    published, modified = dates_of(advisories)
    detail = MaliciousDetail(
        matches=vuln.matches,
        published=published,
        modified=modified,
        origins=origins_of(advisories),
        every_version=any(names_every_version(a, comp.name) for a in advisories),
    )
    return Finding(
        kind=MALICIOUS,
        check=CHECK,
        component=comp,
        id=ids[0],
        aliases=(*ids[1:], status, *general),
        summary=summary or f"{comp.name} {comp.version} is malicious ({ids[0]})",
        details=details,
        rating=check_rating(CHECKS[CHECK].severity),
        path=path,
        references=references_of(advisories),
        exposure=exposure(comp),
        detail=detail,
    )


def origins_of(advisories: list[Advisory]) -> tuple[str, ...]:
    """Who reported the package, once each in record order: the ``source`` of every
    ``database_specific.malicious-packages-origins`` entry (``ghsa-malware``,
    ``amazon-inspector``, ``ossf-package-analysis``...). Entries that are not objects
    with a string ``source`` are passed over: the field is informative, not matched."""
    found: list[str] = []
    for a in advisories:
        entries = a.database_specific.get(MAL_ORIGINS)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            source = entry.get("source") if isinstance(entry, dict) else None
            if isinstance(source, str) and source.strip() and source.strip() not in found:
                found.append(source.strip())
    return tuple(found)


def names_every_version(advisory: Advisory, name: str) -> bool:
    """Whether the record names every release of ``name``: a range introduced at ``0``
    that nothing closes (no ``fixed``, ``last_affected`` or ``limit``). Such a project
    exists to attack; a record that lists versions (a hijacked release) leaves the
    project's other releases alone."""
    for affected in advisory.affected:
        if affected.name != name:
            continue
        for rng in affected.ranges:
            if rng.type == "GIT":
                continue
            if any(e.kind == "introduced" and e.value == "0" for e in rng.events) and all(
                e.kind == "introduced" for e in rng.events
            ):
                return True
    return False
