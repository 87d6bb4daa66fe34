"""The ``project-status`` check: a project its index marks archived, deprecated or
quarantined (PEP 792, the simple API's ``project-status`` from API version 1.4).

The finding is about the project, whatever version is pinned (its id has no version:
``project-status:NAME``). Its severity follows the marker: a quarantined project is
one the index considers unsafe (malware, say) and serves no files of, so it is
``critical``; a deprecated one is ``medium``; an archived one, which only gets no more
releases, ``low``. What fails the run is the gate's decision: by default quarantined
fails and archived or deprecated inform (``project-status:archived`` in
``fail-on-kinds`` makes it fail).
"""

from __future__ import annotations

from collections.abc import Mapping

from pyward._checks import CheckContext, CheckResult
from pyward._checks._index import index_of, pages, status_finding
from pyward._findings import CheckId, Finding, Level, ProjectStatusDetail

#: The check's id: the kind of finding it reports.
CHECK = CheckId("project-status")

#: The markers reported, and each one's severity.
LEVELS: Mapping[str, Level] = {"quarantined": "critical", "deprecated": "medium", "archived": "low"}

# What each marker means for the user, and what to do (PEP 792's definitions:
# https://peps.python.org/pep-0792/#status-markers).
_ADVICE: Mapping[str, tuple[str, str]] = {
    "quarantined": (
        "its index considers it unsafe to use (malware, say) and serves none of its files",
        "remove it",
    ),
    "deprecated": (
        "its maintainers consider it obsolete, perhaps superseded by another project",
        "move to its replacement",
    ),
    "archived": (
        "its maintainers expect no further releases, fixes included",
        "plan a replacement",
    ),
}


def run(context: CheckContext) -> CheckResult:
    findings: list[Finding] = []
    warnings: list[str] = []
    for inv, comp, page in pages(context, warnings):
        status = page.status.status
        level = LEVELS.get(status)
        if level is None:
            continue
        reason = page.status.reason.strip() if page.status.reason else None
        meaning, advice = _ADVICE[status]
        said = f': "{reason}"' if reason else ""
        index = index_of(page)
        findings.append(
            status_finding(
                CHECK,
                context,
                inv,
                comp,
                page,
                version=None,
                level=level,
                summary=f"{comp.name} is {status} on its index{said}; {advice}",
                details=(
                    f"{index} marks the project {comp.name} {status} (PEP 792): {meaning}."
                    + (f' The index gives the reason "{reason}".' if reason else "")
                    + f" The audit pins {comp.version}."
                ),
                detail=ProjectStatusDetail(status=status, reason=reason, index=index),
            )
        )
    return CheckResult(findings=tuple(findings), warnings=tuple(warnings))
