"""The ``outdated`` check: a pin behind the newest release that the project's Python
can use.

The newest release considered is the highest version that an installer can pick (at
least one file not yanked) and, when the audit knows the project's Python
(``CheckContext.python``), that has a file whose ``Requires-Python`` admits it (a file
that declares none admits every Python). It is a final release, unless the pin is a
pre-release itself: then pre-releases are candidates too, and are counted among the
releases behind.

It runs over every component of a lock, so each distinct version string and
``Requires-Python`` is parsed once (:mod:`pyward._checks._index`).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from pyward._checks import CheckContext, CheckResult
from pyward._checks._index import (
    VersionFacts,
    admits,
    parse_version,
    pinned_pages,
    status_finding,
)
from pyward._findings import CheckId, Finding, OutdatedDetail

#: The check's id: the kind of finding it reports.
CHECK = CheckId("outdated")


def run(context: CheckContext) -> CheckResult:
    findings: list[Finding] = []
    warnings: list[str] = []
    python = context.python.version if context.python is not None else None
    for inv, comp, page, version, pinned in pinned_pages(context, warnings):
        pre = pinned.is_prerelease
        found = page.version_facts()
        start = found.above(version)
        latest: VersionFacts | None = None
        # Newest first: the first candidate the project's Python can install.
        for at in range(len(found) - 1, start - 1, -1):
            if found.candidate(at, prereleases=pre):
                release = found[at]
                if admits(release, python):
                    latest = release
                    break
        if latest is None:
            continue
        behind = found.count(start, at, prereleases=pre)
        mine = found.position(version)
        # Major versions released in between, counted, not subtracted: calendar
        # versioning (gevent 1.3 -> 20.9 -> 26.9) would otherwise count 25.
        majors: set[int | None] = set()
        if latest.parsed.major != pinned.major:
            majors = set(map(_major, found.versions[start : at + 1])) - {pinned.major, None}
            # ``latest``'s major is a candidate's; another counts only if a candidate
            # (not a pre-release or a yanked release) has it.
            if majors - {latest.parsed.major}:
                majors &= {latest.parsed.major} | {
                    _major(found.versions[i])
                    for i in range(start, at + 1)
                    if found.candidate(i, prereleases=pre)
                }
        detail = OutdatedDetail(
            latest=latest.version,
            releases_behind=behind,
            majors_behind=len(majors),
            pinned_released=_day(found.upload_time(mine)) if mine is not None else None,
            latest_released=latest.uploaded(),
            python=python,
        )
        findings.append(
            status_finding(
                CHECK,
                context,
                inv,
                comp,
                page,
                version=version,
                summary=summary(comp.name, version, detail),
                details=details(comp.name, version, detail),
                detail=detail,
            )
        )
    return CheckResult(findings=tuple(findings), warnings=tuple(warnings))


@lru_cache(maxsize=65536)
def _major(version: str) -> int | None:
    """The major version of a PEP 440 version string: read off a plain leading number
    (most releases: ``2.32.0``), else parsed (``1!2.0``, ``2rc1``)."""
    head = version.split(".", 1)[0]
    if head.isdigit():
        return int(head)
    parsed = parse_version(version)
    return parsed.major if parsed is not None else None


def summary(name: str, pinned: str, detail: OutdatedDetail) -> str:
    """``urllib3 1.26.5 is 23 releases and 1 major version behind 2.2.3 (2024-09-12);
    1.26.5 was released 2021-05-26``: the parts the index has no dates for left out."""
    gap = _count(detail.releases_behind, "release")
    if detail.majors_behind:
        gap += f" and {_count(detail.majors_behind, 'major version')}"
    text = f"{name} {pinned} is {gap} behind {detail.latest}"
    if detail.latest_released is not None:
        text += f" ({detail.latest_released.isoformat()})"
    if detail.pinned_released is not None:
        text += f"; {pinned} was released {detail.pinned_released.isoformat()}"
    return text


def details(name: str, pinned: str, detail: OutdatedDetail) -> str:
    """The finding's longer text: for which Python ``latest`` was chosen, and what the
    gap means."""
    python = f"Python {detail.python}" if detail.python else "any Python"
    text = f"The newest release of {name} that {python} can install is {detail.latest}"
    if detail.latest_released is not None:
        text += f", uploaded {detail.latest_released.isoformat()}"
    text += f"; {pinned} is {_count(detail.releases_behind, 'release')} behind it"
    if detail.majors_behind:
        majors = _count(detail.majors_behind, "major version")
        return f"{text}, across {majors}: expect breaking changes."
    return f"{text}."


def _day(when: dt.datetime | None) -> dt.date | None:
    return when.date() if when is not None else None


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
