"""The ``unmaintained`` check: a project with no release for years, or that its
maintainers mark ``Development Status :: 7 - Inactive``.

"No release" is measured from the newest upload of any file of the project (any
version, pre-releases and yanked files included: an upload shows someone at work) to
the audit's date, against ``unmaintained-years`` (default 3). Upload times come from
the simple API (PEP 700 ``upload-time``), else from the index's JSON API where it has
one; the classifier comes from the JSON API only. A project whose index gives neither
is named in a warning: whether it is maintained cannot be told.

The finding is about the project (its id has no version: ``unmaintained:NAME``).
"""

from __future__ import annotations

import datetime as dt

from pyward._checks import CheckContext, CheckResult
from pyward._checks._index import pages, status_finding
from pyward._findings import CheckId, Finding, UnmaintainedDetail

#: The check's id: the kind of finding it reports.
CHECK = CheckId("unmaintained")

#: The trove classifier of a project its maintainers no longer work on.
INACTIVE = "Development Status :: 7 - Inactive"

#: Days in a year, on average over the leap years.
_YEAR = 365.25


def run(context: CheckContext) -> CheckResult:
    index = context.sources.index
    findings: list[Finding] = []
    warnings: list[str] = []
    limit = context.options.unmaintained_years
    told: set[str] = set()
    for inv, comp, page in pages(context, warnings):
        info = index.release_info(comp.name) if index is not None else None
        newest = page.version_facts().newest_upload
        if newest is None and info is not None and info.upload_times:
            newest = max(info.upload_times.values())
        inactive = info is not None and INACTIVE in info.classifiers
        last = newest.date() if newest is not None else None
        if last is None and not inactive:
            if comp.name not in told:
                told.add(comp.name)
                warnings.append(
                    f"{comp.name}: its index gives no upload times and no Development Status "
                    "classifier; whether it is unmaintained cannot be told"
                )
            continue
        years = (context.today - last).days / _YEAR if last is not None else None
        stale = years is not None and years > limit
        if not (stale or inactive):
            continue
        detail = UnmaintainedDetail(last_release=last, years=years, inactive=inactive)
        findings.append(
            status_finding(
                CHECK,
                context,
                inv,
                comp,
                page,
                version=None,
                summary=summary(comp.name, detail, stale=stale),
                details=details(comp.name, detail, limit=limit, today=context.today),
                detail=detail,
            )
        )
    return CheckResult(findings=tuple(findings), warnings=tuple(warnings))


def summary(name: str, detail: UnmaintainedDetail, *, stale: bool) -> str:
    """``six has had no release for 4.1 years (last 2020-05-21); look for a maintained
    alternative or fork``; ``stale``: the last release is older than the limit."""
    parts = []
    if detail.inactive:
        parts.append(f"is marked inactive ({INACTIVE})")
    if stale and detail.last_release is not None and detail.years is not None:
        last = detail.last_release.isoformat()
        parts.append(f"has had no release for {detail.years:.1f} years (last {last})")
    return f"{name} {' and '.join(parts)}; look for a maintained alternative or fork"


def details(name: str, detail: UnmaintainedDetail, *, limit: float, today: dt.date) -> str:
    """The finding's longer text: what was measured, against what."""
    last, years = detail.last_release, detail.years
    text = (
        f"The newest file of {name} on its index was uploaded {last.isoformat()}, "
        f"{years:.1f} years before {today.isoformat()} (the limit is {limit:g} years)."
        if last is not None and years is not None
        else f"The index gives no upload time for any file of {name}."
    )
    if detail.inactive:
        text += f" Its newest release declares the classifier {INACTIVE!r}."
    return text
