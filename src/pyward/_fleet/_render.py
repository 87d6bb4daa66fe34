"""The fleet report's outputs: table, JSON, Markdown and HTML (``docs/fleet-report.md``).

* ``json`` follows ``docs/schemas/fleet-1.0.schema.json``; keys come in a fixed order
  and every list has a total order, so a local run and a Dask run of the same projects
  with the same data give equal documents for every section but ``run`` (the runner,
  the clock and the cache are not results);
* ``table``: the terminal view: the top advisories, the top upgrades, the projects
  worst first (folded beyond :data:`TOP_PROJECTS`), what could not be audited;
* ``markdown``: the same for a pull-request or issue comment, escaped as the audit's
  Markdown is;
* ``html``: one self-contained page (:mod:`pyward._render._html_page`) with every row,
  sortable and filterable, linking each project's own page when ``--pages`` wrote one.

Every text a project, a lock file or an advisory supplied goes through
:func:`pyward._text.visible` (table), the Markdown escape, or the page's ``esc``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyward._render._common import (
    TOOL_NAME,
    iso,
    json_text,
    plural,
    tool_version,
)
from pyward._render._options import RenderOptions

if TYPE_CHECKING:
    from pyward._fleet._rollup import (
        AdvisoryRow,
        FleetReport,
        ProjectRow,
        Upgrade,
    )

__all__ = ["FORMATS", "JSON_SCHEMA_VERSION", "render", "to_dict"]

#: The fleet JSON's schema version (``docs/schemas/fleet-1.0.schema.json``).
JSON_SCHEMA_VERSION = "1.0"

FORMATS = ("table", "json", "markdown", "html")

#: Rows of each ranking the table and Markdown show; the JSON and the page have all.
TOP_ADVISORIES = 10
TOP_UPGRADES = 10
TOP_PROJECTS = 20


def render(
    report: FleetReport,
    fmt: str,
    *,
    now: datetime | None = None,
    color: bool = False,
    width: int | None = None,
) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`). ``now`` is the report's
    time and the clock the data's age is measured against (default: the wall clock);
    ``color`` and ``width`` only affect ``table`` (the caller decides about
    ``NO_COLOR``)."""
    from pyward.errors import UsageError

    writers: dict[str, Callable[[FleetReport, RenderOptions], str]] = {
        "table": _table,
        "json": lambda r, o: json_text(to_dict(r, now=o.now)),
        "markdown": _markdown,
        "html": _html,
    }
    writer = writers.get(fmt)
    if writer is None:
        raise UsageError(f"unknown fleet report format {fmt!r} (choose from {', '.join(FORMATS)})")
    return writer(report, RenderOptions.resolve(color=color, now=now, width=width))


# -- shared -----------------------------------------------------------------------------

_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def _options_text(argv: tuple[str, ...]) -> list[str]:
    """The job's options as given, with the user information of a URL (an index's
    password) left out: the report is shared."""
    return [_CREDENTIALS.sub("***@", a) for a in argv]


def fixed_in(row: AdvisoryRow) -> tuple[str, ...]:
    """The versions the projects' plans move to for this advisory, lowest first."""
    from pyward._fleet._rollup import version_key

    found = {a.fix for a in row.affected if a.fix is not None}
    return tuple(sorted(found, key=lambda v: (version_key(v), v)))


def headline(report: FleetReport) -> str:
    """``148 findings in 18 of 25 projects (3 critical, 20 high); 18 projects failing``."""
    from pyward._render._common import severity_counts_text

    t = report.totals
    hit = sum(1 for p in report.projects if p.findings)
    counts = severity_counts_text(dict(t.by_level))
    text = f"{plural(t.findings, 'finding')} in {hit} of {plural(t.projects, 'project')}"
    if counts:
        text += f" ({counts})"
    text += f"; {plural(t.failing, 'project')} failing"
    if t.failed:
        text += f" ({t.failed} could not be audited)"
    return text


def result_text(report: FleetReport) -> str:
    """``FAILED: 18 of 25 projects`` / ``Passed: every project``."""
    t = report.totals
    if t.failing:
        return f"FAILED: {t.failing} of {plural(t.projects, 'project')} failing"
    return f"Passed: no project failing ({plural(t.projects, 'project')})"


def upgrade_text(u: Upgrade) -> str:
    """``upgrade werkzeug 0.16.0, 2.0.1 -> 2.3.8`` / ``remove evil 1.0``."""
    versions = ", ".join(u.versions)
    if u.action == "remove":
        text = f"remove {u.package} {versions}".rstrip()
        if u.target is not None:
            text += f" (or move to {u.target})"
        return text
    return f"{u.action} {u.package} {versions} -> {u.target}".replace("  ", " ")


def data_age_text(newest: datetime | None, now: datetime) -> str:
    """``12 days old`` / ``3 hours old`` / ``age unknown``."""
    if newest is None:
        return "age unknown"
    days = max((now - newest).total_seconds() / 86400, 0.0)
    if days < 1:
        return f"{plural(int(days * 24), 'hour')} old"
    return f"{plural(int(days), 'day')} old"


# -- json -------------------------------------------------------------------------------


def to_dict(report: FleetReport, *, now: datetime | None = None) -> dict[str, Any]:
    """The JSON document (``docs/schemas/fleet-1.0.schema.json``)."""
    if now is None:
        now = RenderOptions.resolve(color=False, width=80).now
    t = report.totals
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "run": {
            "runner": report.runner,
            "command": report.job.command,
            "options": _options_text(report.job.argv),
            "generated": iso(now),
            "cached": list(report.cached),
        },
        "totals": {
            "projects": t.projects,
            "audited": t.audited,
            "failed": t.failed,
            "failing": t.failing,
            "components": t.components,
            "findings": t.findings,
            "advisories": t.advisories,
            "suppressed": t.suppressed,
            "not_audited": t.not_audited,
            "by_level": dict(t.by_level),
            "by_kind": dict(t.by_kind),
        },
        "data": {
            "sets": [
                {
                    "data": u.data,
                    "newest": iso(u.newest) if u.newest is not None else None,
                    "projects": list(u.projects),
                }
                for u in report.data
            ],
            "warnings": list(report.warnings),
        },
        "advisories": [
            {
                "id": a.id,
                "aliases": list(a.aliases),
                "kind": a.kind,
                "level": a.level,
                "summary": a.summary,
                "projects": a.projects,
                "packages": list(a.packages),
                "fixed_in": list(fixed_in(a)),
                "affected": [
                    {
                        "project": x.project,
                        "id": x.id,
                        "package": x.package,
                        "version": x.version,
                        "level": x.level,
                        "fix": x.fix,
                        "fails": x.fails,
                        "direct": x.direct,
                    }
                    for x in a.affected
                ],
            }
            for a in report.advisories
        ],
        "upgrades": [
            {
                "package": u.package,
                "action": u.action,
                "target": u.target,
                "versions": list(u.versions),
                "findings": u.findings,
                "advisories": list(u.advisories),
                "projects": list(u.projects),
                "direct": u.direct,
            }
            for u in report.upgrades
        ],
        "unfixable": [
            {
                "package": u.package,
                "advisories": list(u.advisories),
                "findings": u.findings,
                "projects": list(u.projects),
            }
            for u in report.unfixable
        ],
        "projects": [_project(p) for p in report.projects],
        "not_audited": {
            "failed": [{"project": f.project, "error": f.error} for f in report.failed],
            "errors": [{"project": e.project, "message": e.message} for e in report.errors],
            "requirements": [
                {
                    "reason": g.reason,
                    "count": g.count,
                    "projects": list(g.projects),
                    "requirements": list(g.requirements),
                }
                for g in report.not_audited
            ],
        },
    }


def _project(p: ProjectRow) -> dict[str, Any]:
    r = p.result
    return {
        "project": r.project,
        "state": r.state,
        "error": r.error,
        "worst": p.worst,
        "counts": dict(p.counts),
        "failing": p.failing,
        "exit_code": r.exit_code,
        "components": r.components,
        "inputs": list(r.inputs),
        "page": r.page,
        "data": r.data,
        "suppressed": r.suppressed,
        "findings": [
            {
                "id": f.id,
                "kind": f.kind,
                "aliases": list(f.aliases),
                "package": f.package,
                "version": f.version,
                "level": f.level,
                "summary": f.summary,
                "fix": f.fix,
                "fails": f.fails,
                "direct": f.direct,
            }
            for f in r.findings
        ],
        "fixes": [
            {
                "package": s.package,
                "version": s.version,
                "target": s.target,
                "action": s.action,
                "fixes": list(s.fixes),
                "unfixed": list(s.unfixed),
            }
            for s in r.fixes
        ],
        "not_audited": [{"requirement": n.requirement, "reason": n.reason} for n in r.not_audited],
        "errors": list(r.errors),
        "warnings": list(r.warnings),
        "skipped": list(r.skipped),
    }


# -- table ------------------------------------------------------------------------------


def _table(report: FleetReport, options: RenderOptions) -> str:
    raise NotImplementedError


# -- markdown ---------------------------------------------------------------------------


def _markdown(report: FleetReport, options: RenderOptions) -> str:
    raise NotImplementedError


# -- html -------------------------------------------------------------------------------


def _html(report: FleetReport, options: RenderOptions) -> str:
    raise NotImplementedError
