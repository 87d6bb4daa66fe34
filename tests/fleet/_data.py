"""Fleet results for the roll-up and render tests: real ones (every project of the
corpus audited by the serial runner) and made-up ones for the edge cases."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

from pyward._findings import Level
from pyward._fleet._model import (
    FleetFinding,
    FleetFix,
    FleetJob,
    FleetRun,
    NotAuditedEntry,
    Project,
    ProjectResult,
)
from pyward._fleet._runner import SerialRunner
from tests.conftest import CORPUS

#: The built-in snapshot's text, as every corpus result names it.
SNAPSHOT = (
    "built-in snapshot: PyPA advisory database 3ccb6125 (2024-10-10) (2024-10-10T17:22:00.587279Z)"
)

#: Vulnerabilities and malware only: the status checks depend on the day (end of life).
JOB = FleetJob(command="audit", argv=("--checks", "vulnerabilities"))


def corpus_projects() -> list[Project]:
    """One project per corpus directory (``uv/flask``...), some with no input the
    audit finds in a directory (they fail)."""
    return [
        Project(id=p.relative_to(CORPUS).as_posix(), target=str(p))
        for p in sorted(CORPUS.glob("*/*"))
        if p.is_dir()
    ]


@functools.cache
def corpus_results() -> tuple[ProjectResult, ...]:
    """The corpus audited offline with the built-in data, once per test session (the
    results are plain data; the first test that asks runs them under the test
    environment of ``tests/conftest.py``)."""
    job = FleetJob(
        command=JOB.command,
        argv=JOB.argv,
        environ=(("PYWARD_CACHE_DIR", os.environ["PYWARD_CACHE_DIR"]), ("PYWARD_OFFLINE", "1")),
    )
    with SerialRunner() as runner:
        return tuple(sorted(runner.run(corpus_projects(), job), key=lambda r: r.project))


def corpus_run(*, cached: Sequence[str] = (), runner: str = "") -> FleetRun:
    return FleetRun(job=JOB, results=corpus_results(), cached=tuple(cached), runner=runner)


def finding(
    fid: str,
    package: str | None = "pkg",
    version: str | None = "1.0",
    *,
    level: Level = "high",
    kind: str = "vulnerability",
    aliases: Sequence[str] = (),
    fix: str | None = None,
    summary: str = "",
    direct: bool = False,
) -> FleetFinding:
    return FleetFinding(
        id=fid,
        kind=kind,
        aliases=tuple(aliases),
        package=package,
        version=version,
        level=level,
        summary=summary or f"{fid} summary",
        fix=fix,
        fails=True,
        direct=direct,
    )


def fix(
    package: str,
    version: str | None,
    target: str | None,
    fixes: Sequence[str] = (),
    *,
    unfixed: Sequence[str] = (),
    action: str = "upgrade",
) -> FleetFix:
    return FleetFix(
        package=package,
        version=version,
        target=target,
        fixes=tuple(fixes),
        unfixed=tuple(unfixed),
        action=action,
    )


def result(
    project: str,
    findings: Sequence[FleetFinding] = (),
    fixes: Sequence[FleetFix] = (),
    *,
    data: str = "store A (2024-10-10T00:00:00Z)",
    not_audited: Sequence[tuple[str, str]] = (),
    errors: Sequence[str] = (),
    page: str | None = None,
    components: int = 10,
) -> ProjectResult:
    return ProjectResult(
        project=project,
        state="audited",
        components=components,
        findings=tuple(findings),
        fixes=tuple(fixes),
        not_audited=tuple(NotAuditedEntry(requirement=r, reason=w) for r, w in not_audited),
        errors=tuple(errors),
        failed=bool(findings),
        exit_code=2 if errors else (1 if findings else 0),
        data=data,
        page=page,
    )


def failed(project: str, error: str) -> ProjectResult:
    return ProjectResult(project=project, state="failed", error=error)


def run(*results: ProjectResult, cached: Sequence[str] = (), runner: str = "") -> FleetRun:
    return FleetRun(
        job=JOB,
        results=tuple(sorted(results, key=lambda r: r.project)),
        cached=tuple(cached),
        runner=runner,
    )
