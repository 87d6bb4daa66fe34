"""One project's run, as every runner (the local pool, a Dask worker) does it.

:func:`run_project` parses the project's command line with the command's own parser and
builds its report with the command's own library path (``audit.build_report``,
``check.build_report``), so a project's result is exactly what ``pyward audit TARGET``
would report. The parser and the settings are made once per process and reused.
Nothing a project does escapes as an exception: a project that cannot be audited is a
``failed`` result with a one-line reason.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from typing import TYPE_CHECKING

from pyward._fleet._model import (
    FleetFinding,
    FleetFix,
    FleetJob,
    NotAuditedEntry,
    Project,
    ProjectResult,
)

if TYPE_CHECKING:
    from pyward._config import Config
    from pyward._report import AuditReport
    from pyward._settings import Settings

__all__ = ["replace_path", "run_project", "summarise"]

#: Per process: the parser of each command and the settings of each job's environment.
_PARSERS: dict[str, argparse.ArgumentParser] = {}
_SETTINGS: dict[tuple[tuple[str, str], ...], Settings] = {}


def _parser(command: str) -> argparse.ArgumentParser:
    parser = _PARSERS.get(command)
    if parser is None:
        import importlib

        module = "pyward._commands.check" if command == "check" else "pyward._commands.audit"
        parser = argparse.ArgumentParser(prog=f"pyward {command}", exit_on_error=False)
        importlib.import_module(module).add_arguments(parser)
        _PARSERS[command] = parser
    return parser


def _settings(job: FleetJob) -> Settings:
    settings = _SETTINGS.get(job.environ)
    if settings is None:
        import dataclasses

        from pyward._settings import Settings

        # No inventory read cache: a project the fleet runs is one whose inputs changed
        # (the fleet's own cache has the others), so an entry would never be read again.
        settings = dataclasses.replace(Settings.from_environ(job.environ_map()), read_cache=False)
        _SETTINGS[job.environ] = settings
    return settings


def parse_job(job: FleetJob, target: str) -> argparse.Namespace:
    """The project's command line: ``TARGET`` plus the job's options (``status`` is
    ``audit --checks status`` unless the options choose checks)."""
    argv = [target, *job.argv, "--quiet"]
    if job.command == "status" and "--checks" not in job.argv:
        argv += ["--checks", "status"]
    parser = _parser(job.command)
    # argparse writes usage errors to stderr and exits; the fleet checks the options once
    # up front (pyward fleet), so an error here is a project's own (a bad target).
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            return parser.parse_args(argv)
        except (argparse.ArgumentError, SystemExit) as exc:
            from pyward.errors import UsageError

            detail = stderr.getvalue().strip().splitlines()
            raise UsageError(detail[-1] if detail else str(exc)) from None


def build(job: FleetJob, target: str) -> tuple[AuditReport, Config]:
    """The project's report, as its own command builds it, and the configuration in
    force (its page's advisory links follow it, as the command's own output does)."""
    from pyward._files import input_limit

    args = parse_job(job, target)
    settings = _settings(job)
    with input_limit(settings.max_input_bytes):
        if job.command == "check":
            from pyward._commands.check import build_report as build_check

            report, config = build_check(args, settings)
        else:
            from pyward._commands.audit import build_report as build_audit

            report, _, config = build_audit(args, settings)
    return report, config


def run_project(project: Project, job: FleetJob, *, target: str | None = None) -> ProjectResult:
    """Run ``job`` on ``project``; never raises (but for ``KeyboardInterrupt``).

    ``target`` is where the project's files are on this machine when not at
    ``project.target`` (a Dask worker's copy); messages then name the project's own path.
    """
    from pyward.errors import PywardError

    where = target if target is not None else project.target
    error: str | None = None
    try:
        report, config = build(job, where)
    except PywardError as exc:
        error = str(exc)
    except RecursionError:
        error = "input nested too deeply to read"
    except Exception as exc:  # a bug: the fleet goes on, and the report names it
        error = f"internal error: {type(exc).__name__}: {exc}"
    if error is not None:
        failed = ProjectResult(project=project.id, state="failed", error=error)
        return replace_path(failed, where, project.target)
    result = replace_path(summarise(report, project, where=where), where, project.target)
    if job.pages is not None:
        try:
            result = _write_page(result, report, job, job.pages, config=config)
        except PywardError as exc:
            # The audit stands; the page is what is missing, and the report says so.
            import dataclasses

            result = dataclasses.replace(
                result, warnings=(*result.warnings, f"page not written: {exc}")
            )
    return result


def summarise(report: AuditReport, project: Project, *, where: str | None = None) -> ProjectResult:
    """What the fleet keeps of ``report``; ``where`` is where the project's files were
    read (a worker's copy), so inputs are named relative to it as to the project."""
    from pyward._commands.audit import exit_code
    from pyward._render._common import fix_steps, fix_target, one_line

    failing = {id(f) for f in report.failing}
    steps = fix_steps(report)
    fixes = [
        FleetFix(
            package=step.component.name,
            version=step.component.version,
            target=step.target,
            fixes=step.fixes,
            unfixed=step.unfixed,
            action=step.action,
        )
        for step in report.fix_plan
    ]
    findings = []
    for f in report.findings:
        subject = f.component
        findings.append(
            FleetFinding(
                id=f.id,
                kind=f.kind,
                aliases=f.aliases,
                package=subject.name if subject is not None else None,
                version=subject.version if subject is not None else None,
                level=f.rating.level,
                summary=one_line(f.summary),
                fix=fix_target(f, steps),
                fails=id(f) in failing,
                direct=subject.direct if subject is not None else False,
            )
        )
    root = where if where is not None else project.target
    inputs = tuple(sorted({_inside(inv.source, root) for inv in report.inventories}))
    data = report.database
    return ProjectResult(
        project=project.id,
        state="audited",
        inputs=inputs,
        components=len(report.components),
        findings=tuple(findings),
        suppressed=len(report.suppressed),
        fixes=tuple(fixes),
        not_audited=tuple(
            NotAuditedEntry(requirement=n.requirement, reason=n.reason) for n in report.not_audited
        ),
        errors=tuple(report.errors),
        warnings=tuple(report.warnings),
        skipped=tuple(f"{s.check}: {s.reason}" for s in report.skipped),
        failed=report.failed,
        exit_code=exit_code(report),
        data=f"{data.source} ({data.newest_modified or data.updated.isoformat()})"
        if data.used
        else "",
    )


def _inside(source: str, target: str) -> str:
    """``source`` relative to the project's target directory when it is inside it."""
    from pathlib import PurePath

    try:
        relative = PurePath(source).relative_to(target)
    except ValueError:
        return source
    return relative.as_posix() if relative.parts else PurePath(source).name


def replace_path(result: ProjectResult, here: str, there: str) -> ProjectResult:
    """``result`` with the path ``here`` (a worker's copy) replaced by ``there`` (the
    project's own) in every message."""
    import dataclasses

    if here == there:
        return result

    def fix(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.replace(here, there) for v in values)

    return dataclasses.replace(
        result,
        error=result.error.replace(here, there) if result.error is not None else None,
        inputs=fix(result.inputs),
        errors=fix(result.errors),
        warnings=fix(result.warnings),
        skipped=fix(result.skipped),
        not_audited=tuple(
            NotAuditedEntry(
                requirement=n.requirement.replace(here, there),
                reason=n.reason.replace(here, there),
            )
            for n in result.not_audited
        ),
    )


def _write_page(
    result: ProjectResult, report: AuditReport, job: FleetJob, pages: str, *, config: Config
) -> ProjectResult:
    """Write the project's own HTML report into the pages directory (``--pages``): the
    report its own ``pyward audit --format html`` writes (its advisory links too: the
    configuration's ``advisory_url``, else ``PYWARD_ADVISORY_URL``), named after the
    project."""
    import dataclasses
    import hashlib
    import re
    from pathlib import Path

    from pyward._atomic import write_atomic
    from pyward._render import render

    # A readable, safe, unique file name: the id's words, then a digest of the whole id.
    words = re.sub(r"[^A-Za-z0-9._-]+", "-", result.project).strip("-.")[:80] or "project"
    digest = hashlib.sha256(result.project.encode("utf-8")).hexdigest()[:10]
    name = f"{words}-{digest}.html"
    settings = _settings(job)
    text = render(
        report,
        "html",
        color=False,
        now=settings.source_date_epoch,
        advisory_url=config.advisory_url or settings.advisory_url,
    )
    write_atomic(Path(pages) / name, text.encode("utf-8"))
    return dataclasses.replace(result, page=name)
