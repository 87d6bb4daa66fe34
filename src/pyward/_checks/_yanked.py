"""The ``yanked`` check: a pinned release that its index has yanked (PEP 592).

A release is yanked when every one of its files is: installers then skip it unless it
is pinned exactly, which is what a lock does, so a locked project keeps installing a
release its maintainers withdrew ("Regression in OpenSSL"). The finding gives the
index's reason and the nearest release above that can be installed instead.

Versions compare by PEP 440 (``2.32`` is ``2.32.0``; a local version such as
``2.1.0+cpu`` is its own release, found on the index that serves it).
"""

from __future__ import annotations

from pyward._checks import CheckContext, CheckResult
from pyward._checks._index import (
    PageFacts,
    VersionFacts,
    admits,
    index_of,
    is_prerelease,
    pinned_pages,
    status_finding,
)
from pyward._findings import CheckId, Finding, YankedDetail

#: The check's id: the kind of finding it reports.
CHECK = CheckId("yanked")


def run(context: CheckContext) -> CheckResult:
    findings: list[Finding] = []
    warnings: list[str] = []
    python = context.python.version if context.python is not None else None
    for inv, comp, page, version, _parsed in pinned_pages(context, warnings):
        found = page.version_facts()
        at = found.position(version)
        index = index_of(page)
        if at is None:
            warnings.append(f"{comp.name} {version}: not on the index ({index})")
            continue
        if found.yanked[at] is None:
            continue
        release = found[at]
        reason = release.yanked_reason
        target = upgrade(found, release, python)
        said = f': "{reason}"' if reason else " (no reason given)"
        advice = f"upgrade to {target.version}" if target else "no later release to upgrade to"
        findings.append(
            status_finding(
                CHECK,
                context,
                inv,
                comp,
                page,
                version=version,
                summary=f"{comp.name} {version} was yanked from its index{said}; {advice}",
                details=details(f"{comp.name} {version}", index, reason, target, python=python),
                detail=YankedDetail(reason=reason, index=index),
            )
        )
    return CheckResult(findings=tuple(findings), warnings=tuple(warnings))


def details(
    pin: str, index: str, reason: str | None, target: VersionFacts | None, *, python: str | None
) -> str:
    """The finding's longer text: what a yank means for a lock, the reason, the way out."""
    text = (
        f"Every file of {pin} on {index} is yanked (PEP 592): installers skip it unless it "
        "is pinned exactly, as a lock pins it. "
    )
    text += f'The index gives the reason "{reason}". ' if reason else "The index gives no reason. "
    on = f" on Python {python}." if python else "."
    if target is not None:
        return f"{text}{target.version} is the nearest release above it that can be installed{on}"
    return f"{text}No release above it can be installed{on}"


def upgrade(found: PageFacts, pinned: VersionFacts, python: str | None) -> VersionFacts | None:
    """The nearest release above ``pinned`` that an installer can pick on ``python``: not
    yanked, and final unless ``pinned`` is a pre-release."""
    pre = is_prerelease(pinned.version)
    for at in range(found.above(pinned.version), len(found)):
        if found.candidate(at, prereleases=pre):
            r = found[at]
            if admits(r, python):
                return r
    return None
