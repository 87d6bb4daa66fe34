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

from pyward._findings import MALICIOUS
from pyward._fleet._rollup import version_key, worst_first
from pyward._render._common import (
    TOOL_NAME,
    iso,
    json_text,
    plural,
    severity_counts_text,
    tool_version,
)
from pyward._render._html_page import (
    Column,
    Row,
    badge,
    cards,
    details,
    esc,
    page,
    section,
    severity_rank,
    table,
)
from pyward._render._options import RenderOptions
from pyward._text import visible

if TYPE_CHECKING:
    from rich.console import Console

    from pyward._fleet._rollup import (
        AdvisoryRow,
        FleetReport,
        NotAuditedGroup,
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
    pages: str = "",
) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`). ``now`` is the report's
    time and the clock the data's age is measured against (default: the wall clock);
    ``color`` and ``width`` only affect ``table`` (the caller decides about
    ``NO_COLOR``). ``pages`` (``html``): the pages directory as seen from where the
    report is written, as a relative URL (``pages/``; default: the same directory),
    for the links to each project's page."""
    from pyward.errors import UsageError

    if pages and not pages.endswith("/"):
        pages += "/"
    writers: dict[str, Callable[[FleetReport, RenderOptions], str]] = {
        "table": _table,
        "json": lambda r, o: json_text(to_dict(r, now=o.now)),
        "markdown": _markdown,
        "html": lambda r, o: _html(r, o, pages),
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
    found = {a.fix for a in row.affected if a.fix is not None}
    return tuple(sorted(found, key=lambda v: (version_key(v), v)))


def fixed_text(row: AdvisoryRow) -> str:
    """The "fixed in" cell: the plans' versions, ``remove`` for malware, else ``-``."""
    if row.kind == MALICIOUS:
        return "remove"
    return ", ".join(fixed_in(row)) or "-"


def headline(report: FleetReport) -> str:
    """``148 findings in 18 of 25 projects (3 critical, 20 high); 18 projects failing``."""
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
    """``upgrade werkzeug (0.14.1, 0.16.0) to 2.3.8`` / ``remove evil 1.0``."""
    versions = ", ".join(u.versions)
    if len(u.versions) > 1:
        versions = f"({versions})"
    name = f"{u.package} {versions}".rstrip()
    if u.action == "remove":
        return f"remove {name}" + (f" (or move to {u.target})" if u.target is not None else "")
    return f"{u.action} {name} to {u.target}"


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


def _title(report: FleetReport) -> str:
    t = report.totals
    text = f"pyward fleet {report.job.command}: {plural(t.projects, 'project')}"
    text += f" ({t.audited} audited, {t.failed} could not be)"
    if report.cached:
        text += f", {len(report.cached)} from the cache"
    return text


def _table(report: FleetReport, options: RenderOptions) -> str:
    from rich.text import Text

    from pyward._render._table import SEVERITY_STYLE, text_console
    from pyward._render._table import _table as new_table

    console, out = text_console(options)
    console.print(Text(visible(_title(report)), style="bold"))
    if report.runner:
        console.print(Text(visible(report.runner), style="dim"))
    console.print()
    console.print(Text(headline(report), style="bold"))
    for w in report.warnings:
        console.print(Text(visible(f"warning: {w}"), style="yellow"))

    if report.advisories:
        console.print()
        shown = report.advisories[:TOP_ADVISORIES]
        console.print(Text(_top("Advisories", len(shown), len(report.advisories)), style="bold"))
        table = new_table(options)
        table.add_column("Advisory", no_wrap=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Projects", justify="right", no_wrap=True)
        table.add_column("Packages", overflow="fold", max_width=30)
        table.add_column("Fixed in", overflow="fold", max_width=20)
        table.add_column("Summary", overflow="fold", ratio=1)
        for a in shown:
            table.add_row(
                Text(visible(a.id), style="bold"),
                Text(a.level, style=SEVERITY_STYLE[a.level]),
                str(a.projects),
                Text(visible(", ".join(a.packages) or "-")),
                Text(visible(fixed_text(a))),
                Text(visible(_cut(a.summary, 100))),
            )
        console.print(table)

    if report.upgrades:
        console.print()
        shown_u = report.upgrades[:TOP_UPGRADES]
        console.print(
            Text(
                _top("Upgrades, by findings cleared", len(shown_u), len(report.upgrades)),
                style="bold",
            )
        )
        table = new_table(options)
        table.add_column("Change", overflow="fold", ratio=1)
        table.add_column("Findings", justify="right", no_wrap=True)
        table.add_column("Advisories", justify="right", no_wrap=True)
        table.add_column("Projects", justify="right", no_wrap=True)
        table.add_column("Direct", justify="right", no_wrap=True)
        for u in shown_u:
            table.add_row(
                Text(visible(upgrade_text(u)), style="bold red" if u.action == "remove" else ""),
                str(u.findings),
                str(len(u.advisories)),
                str(len(u.projects)),
                str(u.direct),
            )
        console.print(table)
    if report.unfixable:
        lines = [
            f"{u.package}: {', '.join(u.advisories)} ({plural(len(u.projects), 'project')})"
            for u in report.unfixable
        ]
        _lines(console, f"No release fixes ({len(report.unfixable)} packages)", lines, "red")

    console.print()
    ordered = worst_first(report.projects)
    listed = ordered[:TOP_PROJECTS]
    console.print(Text(_top("Projects, worst first", len(listed), len(ordered)), style="bold"))
    table = new_table(options)
    table.add_column("Project", overflow="fold", ratio=1)
    table.add_column("Worst", no_wrap=True)
    table.add_column("Findings", justify="right", no_wrap=True)
    table.add_column("By severity", overflow="fold")
    table.add_column("Components", justify="right", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    for p in listed:
        table.add_row(
            Text(visible(p.id)),
            Text(p.worst or "-", style=SEVERITY_STYLE[p.worst] if p.worst else "dim"),
            str(p.findings),
            severity_counts_text(p.counts) or "-",
            str(p.result.components),
            _state_text(p),
        )
    console.print(table)
    rest = ordered[len(listed) :]
    if rest:
        failing = sum(p.failing for p in rest)
        console.print(
            Text(
                f"... and {plural(len(rest), 'more project')} ({failing} failing):"
                " every project is in --format json and html",
                style="dim",
            )
        )

    if report.failed:
        lines = [f"{f.project}: {f.error}" for f in report.failed]
        _lines(console, f"Could not be audited ({len(report.failed)})", lines, "red")
    if report.errors:
        lines = [f"{e.project}: {e.message}" for e in report.errors]
        _lines(console, f"Input errors ({len(report.errors)})", lines, "red")
    if report.not_audited:
        lines = [_not_audited_text(g) for g in report.not_audited]
        _lines(console, f"Not audited ({report.totals.not_audited} requirements)", lines, "yellow")

    console.print()
    console.rule(style="dim", characters="-")
    for line in _data_lines(report, options):
        console.print(Text(visible(line), style="dim"))
    failing = report.totals.failing
    console.print(Text(result_text(report), style="bold red" if failing else "green"))
    text = out.getvalue()
    if not options.color:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text


def _top(title: str, shown: int, total: int) -> str:
    return f"{title} ({total})" if shown == total else f"{title} (top {shown} of {total})"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "..."


def _state_text(p: ProjectRow) -> str:
    """``not audited``, ``FAILED`` (the gate), ``input errors`` or ``passed``."""
    if p.result.state == "failed":
        return "not audited"
    if p.result.failed:
        return "FAILED"
    return "input errors" if p.result.errors else "passed"


def _not_audited_text(g: NotAuditedGroup) -> str:
    return f"{plural(g.count, 'requirement')}: {g.reason} ({plural(len(g.projects), 'project')})"


def _data_lines(report: FleetReport, options: RenderOptions) -> list[str]:
    if not report.data:
        return ["Advisory data: none used"]
    return [
        f"Advisory data: {u.data}, {data_age_text(u.newest, options.now)}"
        f" ({plural(len(u.projects), 'project')})"
        for u in report.data
    ]


def _lines(console: Console, title: str, lines: list[str], style: str) -> None:
    from rich.padding import Padding
    from rich.text import Text

    console.print()
    console.print(Text(title, style="bold"))
    for line in lines:
        console.print(Padding(Text(visible(line), style=style), (0, 0, 0, 2)))


# -- markdown ---------------------------------------------------------------------------


def _markdown(report: FleetReport, options: RenderOptions) -> str:
    from pyward._render._markdown import code, escape

    out = [f"### {escape(_title(report))}", "", f"**{escape(headline(report))}**", ""]
    out.extend(f"> **Warning:** {escape(w)}\n" for w in report.warnings)
    if report.advisories:
        shown = report.advisories[:TOP_ADVISORIES]
        out += [f"#### {_top('Advisories', len(shown), len(report.advisories))}", ""]
        out.append("| Advisory | Severity | Projects | Packages | Fixed in | Summary |")
        out.append("|---|---|---:|---|---|---|")
        for a in shown:
            ids = escape(a.id) + (
                "<br>" + ", ".join(escape(x) for x in a.aliases) if a.aliases else ""
            )
            level = f"**{a.level}**" if a.level in ("critical", "high") else a.level
            cells = [
                ids,
                level,
                str(a.projects),
                escape(", ".join(a.packages)) or "-",
                escape(fixed_text(a)),
                escape(_cut(a.summary, 120)),
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if report.upgrades:
        shown_u = report.upgrades[:TOP_UPGRADES]
        out += [f"#### {_top('Upgrades, by findings cleared', len(shown_u), len(report.upgrades))}"]
        out += [
            "",
            "| Change | Findings | Advisories | Projects | Direct |",
            "|---|---:|---:|---:|---:|",
        ]
        for u in shown_u:
            change = escape(upgrade_text(u))
            if u.action == "remove":
                change = f"**{change}**"
            cells = [
                change,
                str(u.findings),
                str(len(u.advisories)),
                str(len(u.projects)),
                str(u.direct),
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if report.unfixable:
        out.append(
            _details(
                f"No release fixes ({len(report.unfixable)} packages)",
                [
                    f"{code(u.package)}: {escape(', '.join(u.advisories))}"
                    f" ({plural(len(u.projects), 'project')})"
                    for u in report.unfixable
                ],
            )
        )
    ordered = worst_first(report.projects)
    listed = ordered[:TOP_PROJECTS]
    out += [f"#### {_top('Projects, worst first', len(listed), len(ordered))}", ""]
    out.append("| Project | Worst | Findings | By severity | Result |")
    out.append("|---|---|---:|---|---|")
    for p in listed:
        cells = [
            code(p.id),
            p.worst or "-",
            str(p.findings),
            severity_counts_text(p.counts) or "-",
            f"**{_state_text(p)}**" if p.failing else _state_text(p),
        ]
        out.append("| " + " | ".join(cells) + " |")
    rest = ordered[len(listed) :]
    if rest:
        failing = sum(p.failing for p in rest)
        out += ["", f"... and {plural(len(rest), 'more project')} ({failing} failing)."]
    out.append("")
    if report.failed:
        out.append(
            _details(
                f"Could not be audited ({len(report.failed)})",
                [f"{code(f.project)}: {escape(f.error)}" for f in report.failed],
            )
        )
    if report.errors:
        out.append(
            _details(
                f"Input errors ({len(report.errors)})",
                [f"{code(e.project)}: {escape(e.message)}" for e in report.errors],
            )
        )
    if report.not_audited:
        out.append(
            _details(
                f"Not audited ({report.totals.not_audited} requirements)",
                [escape(_not_audited_text(g)) for g in report.not_audited],
            )
        )
    out.append(f"**{escape(result_text(report))}**")
    out.append("")
    data = " ".join(f"{escape(line)}." for line in _data_lines(report, options))
    out.append(f"<sub>{data} Report by pyward {escape(tool_version())}.</sub>")
    return "\n".join(out) + "\n"


def _details(title: str, items: list[str]) -> str:
    import html

    body = "\n".join(f"- {item}" for item in items)
    return f"<details>\n<summary>{html.escape(title)}</summary>\n\n{body}\n\n</details>\n"


# -- html -------------------------------------------------------------------------------


def _html(report: FleetReport, options: RenderOptions, pages: str) -> str:
    """The page: the totals, then one section per view. The tables' ids are not the
    sections' (the page script finds a table by its id)."""
    parts = [
        _html_head(report, options),
        _html_advisories(report),
        _html_upgrades(report),
        _html_projects(report, pages),
        _html_not_audited(report),
        _html_data(report, options),
        f'<p class="muted">Report by pyward {esc(tool_version())}.</p>',
    ]
    return page(title=_title(report), body="\n".join(p for p in parts if p))


def _html_head(report: FleetReport, options: RenderOptions) -> str:
    t = report.totals
    verdict = "verdict-fail" if t.failing else "verdict-pass"
    parts = [
        f"<h1>{esc(_title(report))}</h1>",
        f'<p class="summary">{esc(headline(report))}</p>',
        f'<p class="{verdict}">{esc(result_text(report))}</p>',
    ]
    run = f"{report.runner}; generated" if report.runner else "Generated"
    parts.append(f'<p class="muted">{esc(run)} {esc(iso(options.now))}</p>')
    counts: list[tuple[str, object]] = [
        ("projects", t.projects),
        ("audited", t.audited),
        ("could not be audited", t.failed),
        ("failing", t.failing),
        ("from the cache", len(report.cached)),
        ("findings", t.findings),
        ("advisories", t.advisories),
        *((level, n) for level, n in t.by_level if n),
    ]
    parts.append(cards(counts))
    parts.extend(f'<p class="verdict-fail">warning: {esc(w)}</p>' for w in report.warnings)
    return "\n".join(parts)


def _html_advisories(report: FleetReport) -> str:
    rows = []
    for a in report.advisories:
        ids = esc(a.id) + "".join(f'<br><span class="muted">{esc(x)}</span>' for x in a.aliases)
        if a.kind != "vulnerability":
            ids += f'<br><span class="muted">{esc(a.kind)}</span>'
        affected = "".join(
            f"<li>{esc(x.project)}: {esc(x.package or '-')} {esc(x.version or '')}"
            f"{' (direct)' if x.direct else ''}"
            f"{f'; fixed in {esc(x.fix)}' if x.fix else ''}</li>"
            for x in a.affected
        )
        where = f"{plural(len(a.affected), 'finding')} in {plural(a.projects, 'project')}"
        rows.append(
            Row(
                cells=[
                    ids,
                    badge(a.level),
                    str(a.projects),
                    esc(", ".join(a.packages)) or "-",
                    esc(fixed_text(a)),
                    # The summary, and under it every finding (folded): a column of its
                    # own would take the summary's room.
                    esc(_cut(a.summary, 240))
                    + details(where, f'<ul class="paths">{affected}</ul>'),
                ],
                attrs={"severity": a.level, "kind": a.kind},
                sort_keys={1: str(severity_rank(a.level))},
            )
        )
    return section(
        f"Advisories ({len(report.advisories)})",
        table(
            "advisories-table",
            [
                Column(label="advisory"),
                Column(label="severity"),
                Column(label="projects", numeric=True),
                Column(label="packages"),
                Column(label="fixed in"),
                Column(label="summary", sortable=False),
            ],
            rows,
            filters=[("severity", "severity"), ("kind", "kind")],
            caption="advisories, most projects affected first",
        ),
        id="advisories",
    )


def _html_upgrades(report: FleetReport) -> str:
    rows = [
        Row(
            cells=[
                f"<strong>{esc(u.action)}</strong>" if u.action == "remove" else esc(u.action),
                esc(u.package),
                esc(", ".join(u.versions)) or "-",
                esc(u.target or "-"),
                str(u.findings),
                str(len(u.advisories)),
                str(len(u.projects)),
                str(u.direct),
                details(
                    plural(len(u.projects), "project"),
                    f'<p class="mono">{esc(", ".join(u.advisories))}</p><ul class="paths">'
                    + "".join(f"<li>{esc(p)}</li>" for p in u.projects)
                    + "</ul>",
                ),
            ],
            attrs={"action": u.action},
            sort_keys={0: "0" if u.action == "remove" else "1"},
        )
        for u in report.upgrades
    ]
    upgrades = ""
    if rows:
        upgrades = section(
            f"Upgrades ({len(report.upgrades)})",
            '<p class="muted">Ranked by findings cleared across the fleet; removing a'
            " malicious package first. The target clears every finding the projects'"
            " plans clear.</p>"
            + table(
                "upgrades-table",
                [
                    Column(label="action"),
                    Column(label="package"),
                    Column(label="versions now"),
                    Column(label="target"),
                    Column(label="findings cleared", numeric=True),
                    Column(label="advisories", numeric=True),
                    Column(label="projects", numeric=True),
                    Column(label="direct", numeric=True),
                    Column(label="where", sortable=False),
                ],
                rows,
                filters=[("action", "action")],
                caption="upgrades, most findings cleared first",
            ),
            id="upgrades",
        )
    items = "".join(
        f"<li><code>{esc(u.package)}</code>: {esc(', '.join(u.advisories))}"
        f" ({esc(plural(len(u.projects), 'project'))}: {esc(', '.join(u.projects))})</li>"
        for u in report.unfixable
    )
    unfixable = section(
        f"No release fixes ({len(report.unfixable)})",
        f'<ul class="paths">{items}</ul>' if items else "",
        id="unfixable",
    )
    return upgrades + unfixable


def _html_projects(report: FleetReport, pages: str) -> str:
    rows = []
    for p in worst_first(report.projects):
        state = _state_text(p)
        name = page_link(p.result.page, p.id, pages)
        # Why it could not be audited (or its input errors), folded under its name: the
        # "Not audited" section lists them in full.
        if p.result.error:
            name += details("why", f'<span class="muted">{esc(p.result.error)}</span>')
        elif p.result.errors:
            why = "".join(f"<li>{esc(e)}</li>" for e in p.result.errors)
            title = plural(len(p.result.errors), "input error")
            name += details(title, f'<ul class="paths muted">{why}</ul>')
        rows.append(
            Row(
                cells=[
                    name,
                    badge(p.worst) if p.worst else '<span class="muted">none</span>',
                    str(p.findings),
                    esc(severity_counts_text(p.counts) or "-"),
                    str(p.result.components),
                    str(len(p.result.not_audited)),
                    f'<span class="verdict-fail">{esc(state)}</span>' if p.failing else esc(state),
                ],
                attrs={"worst": p.worst or "none", "state": state},
                sort_keys={1: str(severity_rank(p.worst))},
            )
        )
    return section(
        f"Projects ({len(report.projects)})",
        table(
            "projects-table",
            [
                Column(label="project"),
                Column(label="worst"),
                Column(label="findings", numeric=True),
                Column(label="by severity", sortable=False),
                Column(label="components", numeric=True),
                Column(label="not audited", numeric=True),
                Column(label="result"),
            ],
            rows,
            filters=[("worst", "worst severity"), ("state", "result")],
            caption="projects, worst first",
        ),
        id="projects",
    )


def _html_not_audited(report: FleetReport) -> str:
    blocks = []
    if report.failed:
        items = "".join(
            f"<li><code>{esc(f.project)}</code>: {esc(f.error)}</li>" for f in report.failed
        )
        blocks.append(f"<h3>Projects ({len(report.failed)})</h3><ul>{items}</ul>")
    if report.errors:
        items = "".join(
            f"<li><code>{esc(e.project)}</code>: {esc(e.message)}</li>" for e in report.errors
        )
        blocks.append(f"<h3>Input errors ({len(report.errors)})</h3><ul>{items}</ul>")
    if report.not_audited:
        items = "".join(
            "<li>"
            + details(
                _not_audited_text(g),
                '<ul class="paths">'
                + "".join(f"<li><code>{esc(q)}</code></li>" for q in g.requirements)
                + f'</ul><p class="muted">{esc(", ".join(g.projects))}</p>',
            )
            + "</li>"
            for g in report.not_audited
        )
        blocks.append(f"<h3>Requirements ({report.totals.not_audited})</h3><ul>{items}</ul>")
    return section("Not audited", "".join(blocks), id="not-audited")


def _html_data(report: FleetReport, options: RenderOptions) -> str:
    items = "".join(
        f"<li>{esc(u.data)}: <strong>{esc(data_age_text(u.newest, options.now))}</strong>"
        f" ({esc(plural(len(u.projects), 'project'))})</li>"
        for u in report.data
    )
    body = f"<ul>{items}</ul>" if items else '<p class="muted">none used</p>'
    return section("Advisory data", body, id="data")


def page_link(page: str | None, text: str, pages: str) -> str:
    """A project's name (HTML), linking its own page when ``--pages`` wrote one: a
    relative link, ``pages`` (the pages directory as seen from the report) then the
    page's name, percent-encoded and never able to leave for another host."""
    from urllib.parse import quote

    if page is None:
        return esc(text)
    # A page name from a cached result is data: no scheme, no host, no query.
    href = quote(pages + page.lstrip("/"), safe="/")
    if href.startswith("/"):
        href = "." + href
    return f'<a href="{esc(href)}">{esc(text)}</a>'
