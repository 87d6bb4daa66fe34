"""``--format table`` (the default): the terminal report, grouped by package.

The findings that can fail the run come first, one table per component (its
vulnerabilities and its failing statuses, a yanked release or a release line past its
end of life, side by side; the interpreter's end of life under ``Python X.Y
(interpreter)``). The findings of a kind that only informs (``outdated``,
``unmaintained``, an archived project) follow in one compact table, one line each, so
that forty outdated pins do not bury fifty vulnerabilities; a component listed above
names its informing statuses under its header. A run that gathered provenance has a
``Provenance`` section next: the coverage line and one row per package, worst first
(:func:`_write_provenance`). The footer gives the age of every data source, counts each
kind, and says how many findings fail the run and how many inform.

Built with rich into a string. With ``color=False`` (``NO_COLOR``, not a terminal) the
console has no colour system and no terminal, so no escape code is written, and the
table uses an ASCII rule instead of box-drawing characters, which some CI logs mangle.
Every text taken from the inputs or the advisories goes through
:func:`pyward._text.visible`: an escape sequence in a package name or a summary must
not reach the terminal (issue 12, item 8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyward._findings import MALICIOUS, VULNERABILITY, EolDetail
from pyward._render._common import (
    STATUS_KINDS,
    component_label,
    count_by_severity,
    database_lines,
    fix_step_text,
    headline,
    informs,
    kind_counts,
    kind_counts_text,
    kind_order,
    location_text,
    path_text,
    plural,
    policy_text,
    result_text,
    severity_counts_text,
    source_lines,
    status_text,
    subject_label,
    summary_lines,
    suppression_text,
    title,
    upgrade_hint,
)
from pyward._render._groups import Group, group_findings
from pyward._render._options import RenderOptions
from pyward._report import AuditReport
from pyward._text import visible

if TYPE_CHECKING:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from pyward._findings import Finding, Level
    from pyward._provenance._model import PackageStatus, ProvenanceReport

SEVERITY_STYLE: dict[Level, str] = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "unknown": "magenta",
}

_ASCII_HEAD = "    \n    \n -- \n    \n    \n    \n    \n    \n"


def _table(options: RenderOptions, *, show_lines: bool = False) -> Table:
    """An empty table in the report's style: full width, a bold header and, in plain
    output, an ASCII rule under the header and nothing else (for any log viewer);
    ``show_lines`` rules off every row."""
    from rich import box
    from rich.box import Box
    from rich.table import Table

    return Table(
        box=box.SIMPLE_HEAD if options.color else Box(_ASCII_HEAD, ascii=True),
        show_lines=show_lines,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        padding=(0, 1),
        expand=True,
    )


#: Lines of the summary column a summary may take; the full text is in ``pyward
#: explain`` and the JSON output.
SUMMARY_LINES = 3
#: Narrowest summary column assumed, however narrow the terminal.
MIN_SUMMARY_WIDTH = 10


def render(report: AuditReport, *, options: RenderOptions) -> str:
    console, out = text_console(options)
    _write(console, report, options)
    text = out.getvalue()
    if not options.color:
        # rich pads cells and rules with spaces; logs and snapshots need none.
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text


def _write(console: Console, report: AuditReport, options: RenderOptions) -> None:
    from rich.text import Text

    sources = visible(", ".join(f"{inv.source} ({inv.format})" for inv in report.inventories))
    console.print(Text.assemble((title(report), "bold"), f" of {sources or 'nothing'}"))
    policy = policy_text(report)
    if policy is not None:
        console.print(Text(visible(policy), style="dim"))
    console.print()
    # The informing findings get their own compact section (see the module docstring);
    # a component's header still names them, so its status and flaws read together.
    informing = [f for f in report.findings if informs(report, f)]
    groups = group_findings(f for f in report.findings if not informs(report, f))
    also: dict[tuple[object, ...], list[Finding]] = {}
    for f in informing:
        if f.component is not None:
            also.setdefault(_component_id(f), []).append(f)
    console.print(Text(headline(report), style="bold" if report.findings else "bold green"))
    if groups:
        if any(g.exposed for g in groups):
            console.print(
                Text(
                    "Network-facing packages (EXPOSED) are listed first: fix them first.",
                    style="yellow",
                )
            )
        for group in groups:
            console.print()
            key = _component_id(group.findings[0])
            _write_group(console, group, options, also.get(key, []))
    if informing:
        _write_informing(console, informing, options)
    if report.provenance is not None:
        _write_provenance(console, report.provenance, options)

    if report.fix_plan:
        _section(console, "Fix plan", [fix_step_text(s) for s in report.fix_plan])
    if report.not_audited:
        lines = []
        for n in report.not_audited:
            where = location_text(n.location)
            lines.append(f"{n.requirement}: {n.reason}" + (f" ({where})" if where else ""))
        _section(console, f"Not audited ({len(report.not_audited)})", lines, style="yellow")
    if report.suppressed:
        lines = [
            f"{s.finding.id} in {subject_label(s.finding)}: {suppression_text(s)}"
            for s in report.suppressed
        ]
        _section(console, f"Suppressed ({len(report.suppressed)})", lines, style="dim")
    if report.warnings:
        _section(
            console, f"Warnings ({len(report.warnings)})", list(report.warnings), style="yellow"
        )
    if report.errors:
        _section(console, f"Errors ({len(report.errors)})", list(report.errors), style="red")

    console.print()
    console.rule(style="dim", characters="-")
    for line in (*database_lines(report.database, options), *source_lines(report, options)):
        console.print(Text(visible(line), style="dim"))
    counts = severity_counts_text(count_by_severity(report.findings))
    verb = "Checked" if report.policy is not None else "Audited"
    audited = f"{verb} {plural(len(report.components), 'package')}: "
    vulns = sum(f.kind == VULNERABILITY for f in report.findings)
    found = plural(vulns, "known vulnerability", "known vulnerabilities")
    others = kind_counts_text(kind_counts(report.findings), vulnerabilities=False)
    if report.policy is not None:
        found = kind_counts_text(kind_counts(report.findings)) or "no finding"
    elif others:
        found += f", {others}"
    tail = f" ({counts})" if counts else ""
    if report.suppressed:
        tail += f", {len(report.suppressed)} suppressed"
    if report.not_audited:
        tail += f", {len(report.not_audited)} not audited"
    console.print(audited + found + tail)
    console.print(Text(result_text(report), style="bold red" if report.failed else "green"))


def _component_id(f: Finding) -> tuple[object, ...]:
    c = f.component
    return (c.key, c.location, c.purl) if c is not None else ()


def _write_group(
    console: Console, group: Group, options: RenderOptions, also: list[Finding]
) -> None:
    from rich.padding import Padding
    from rich.text import Text

    head = Text()
    component = group.component
    first = group.findings[0]
    if component is not None:
        label = component_label(component)
    elif isinstance(first.detail, EolDetail) and first.detail.subject == "interpreter":
        label = subject_label(first)
    else:
        label = "(project)"
    head.append(visible(label), style="bold")
    if group.exposure:
        head.append("  ")
        head.append(f"EXPOSED: {visible(group.exposure)}", style="bold yellow")
    if component is not None and component.direct:
        head.append("  direct dependency", style="dim")
    console.print(head)
    if len(group.path) > 1:
        console.print(Text(f"  via {visible(path_text(group.path))}", style="dim"))
    where = location_text(group.location)
    if where:
        console.print(Text(f"  in {visible(where)}", style="dim"))
    for f in also:
        text = f"also {f.kind} (informs): {status_text(f) or summary_lines(f, 200, 1)}"
        console.print(Padding(Text(visible(text), style="dim"), (0, 0, 0, 2)))

    table = _table(options, show_lines=True)
    # Widths of the longest usual values (a GHSA id, ``critical 10.0``) so that every
    # package's table lines up.
    table.add_column("ID", no_wrap=True, min_width=_ID_WIDTH)
    table.add_column("Severity", no_wrap=True, min_width=_SEVERITY_WIDTH)
    table.add_column("Fixed in", overflow="fold", min_width=_FIXED_MIN, max_width=_FIXED_MAX)
    table.add_column("Summary", overflow="fold", ratio=1)
    room = _summary_width(group.findings, options.width)
    for f in group.findings:
        table.add_row(
            _ids(f), _severity(f), _fixed(f), Text(visible(summary_lines(f, room, SUMMARY_LINES)))
        )
    console.print(table)


_ID_WIDTH = 19
_SEVERITY_WIDTH = 13
_FIXED_MIN = 10
_FIXED_MAX = 24


def _summary_width(findings: tuple[Finding, ...], width: int) -> int:
    """Columns left for the summary once rich has laid out the others: each takes its
    widest cell (within its bounds) plus a space of padding on either side of the
    one-space divider; the summary column has no right padding (``pad_edge=False``)."""
    ids = max((len(i) for f in findings for i in f.ids), default=0)
    severity = max(len(_severity(f).plain) for f in findings) if findings else 0
    fixed = max(len(_fixed(f).plain) for f in findings) if findings else 0
    used = (
        max(ids, _ID_WIDTH)
        + max(severity, _SEVERITY_WIDTH)
        + min(max(fixed, _FIXED_MIN), _FIXED_MAX)
        + 3 * 3
    )
    return max(width - used, MIN_SUMMARY_WIDTH)


def _ids(f: Finding) -> Text:
    from rich.text import Text

    text = Text()
    text.append(visible(f.id), style="bold")
    for alias in f.aliases:
        text.append("\n" + visible(alias), style="dim")
    return text


def _severity(f: Finding) -> Text:
    from rich.text import Text

    label: str = f.rating.level
    if f.rating.score is not None:
        label += f" {f.rating.score:.1f}"
    return Text(label, style=SEVERITY_STYLE[f.rating.level])


def _fixed(f: Finding) -> Text:
    from rich.text import Text

    if f.kind in STATUS_KINDS:
        hint = upgrade_hint(f)
        return Text(visible(hint), style="green") if hint else Text("-", style="dim")
    if f.kind == MALICIOUS:
        return Text("remove", style="red")
    if f.kind != VULNERABILITY:
        # Not fixed by an upgrade: the finding's own line says what to do.
        return Text(visible(location_text(f.location) or "-"), style="dim")
    if not f.fixed_in:
        return Text("no fix yet", style="red")
    return Text(visible(", ".join(f.fixed_in)), style="green")


def _write_informing(console: Console, findings: list[Finding], options: RenderOptions) -> None:
    """The findings that only inform, one line each under one title: the id (kind,
    package and release: what an ignore rule names) and what the status says."""
    from rich.text import Text

    console.print()
    title = (
        f"Informational ({kind_counts_text(kind_counts(findings))}): reported, not failing the run"
    )
    console.print(Text(title, style="bold"))
    table = _table(options)
    table.add_column("ID", no_wrap=True, min_width=_ID_WIDTH)
    table.add_column("Status", overflow="fold", ratio=1)
    # By kind, then package: the outdated pins together, the unmaintained ones together.
    rows = sorted(findings, key=lambda f: (kind_order(f.kind), subject_label(f), f.id))
    for f in rows:
        table.add_row(
            Text(visible(f.id), style=SEVERITY_STYLE[f.rating.level]),
            Text(visible(status_text(f) or summary_lines(f, options.width, SUMMARY_LINES))),
        )
    console.print(table)


#: How each provenance status is coloured.
PROVENANCE_STYLE: dict[PackageStatus, str] = {
    "changed": "bold red",
    "failed": "red",
    "unavailable": "magenta",
    "partial": "yellow",
    "none": "yellow",
    "no-artifacts": "dim",
    "verified": "green",
}


def _write_provenance(
    console: Console, provenance: ProvenanceReport, options: RenderOptions
) -> None:
    """The ``Provenance`` section: the trust root, the coverage line, one row per
    package (worst first), the pins written and the notes. More than
    :data:`~pyward._render._provenance.VERIFIED_LISTED` verified packages are summarised
    in one line (``--format json`` and ``markdown`` list every one)."""
    from rich.padding import Padding
    from rich.text import Text

    from pyward._render._provenance import (
        STATUS_WORDS,
        VERIFIED_LISTED,
        coverage_text,
        detail_text,
        folded_unavailable,
        ordered,
        publisher_text,
        trust_text,
        verified_summary,
    )

    console.print()
    console.print(Text("Provenance", style="bold"))
    console.print(Padding(Text(visible(trust_text(provenance)), style="dim"), (0, 0, 0, 2)))
    console.print(Padding(Text(visible(coverage_text(provenance))), (0, 0, 0, 2)))
    packages = ordered(provenance)
    verified = [p for p in packages if p.status == "verified"]
    hidden = verified if len(verified) > VERIFIED_LISTED else []
    folded = folded_unavailable(packages)
    gone = {id(p) for ps in folded.values() for p in ps}
    rows = [p for p in packages if not (hidden and p.status == "verified") and id(p) not in gone]
    if rows:
        table = _table(options)
        table.add_column("Package", overflow="fold", max_width=32)
        table.add_column("Version", overflow="fold", max_width=16)
        table.add_column("Status", no_wrap=True)
        # The publisher and the detail share the widest column, one under the other: a
        # repository name or a reason folded into a narrow column of its own is hard
        # to read.
        table.add_column("Publisher / detail", overflow="fold", ratio=1)
        for p in rows:
            cell = Text()
            # A change's detail names the new publisher beside the pinned one.
            publisher = publisher_text(p) if p.change is None else ""
            detail = detail_text(p)
            if publisher:
                cell.append(visible(publisher))
            if detail:
                cell.append("\n" if publisher else "")
                cell.append(visible(detail), style="dim" if p.status == "verified" else "")
            if not cell:
                cell.append("-", style="dim")
            table.add_row(
                Text(visible(p.component.name)),
                Text(visible(p.component.version or "")),
                Text(STATUS_WORDS[p.status], style=PROVENANCE_STYLE[p.status]),
                cell,
            )
        console.print(table)
    for reason, same in folded.items():
        line = f"{plural(len(same), 'package')} could not be checked: {reason}"
        console.print(Padding(Text(visible(line), style="yellow"), (0, 0, 0, 2)))
    if hidden:
        line = f"{verified_summary(hidden)}: listed in --format json and markdown"
        console.print(Padding(Text(line, style="green"), (0, 0, 0, 2)))
    for file, what in provenance.pinned.items():
        console.print(Padding(Text(visible(f"Pinned in {file}: {what}")), (0, 0, 0, 2)))
    for note in provenance.notes:
        console.print(Padding(Text(visible(f"note: {note}"), style="yellow"), (0, 0, 0, 2)))


def _section(console: Console, title: str, lines: list[str], style: str = "") -> None:
    from rich.padding import Padding
    from rich.text import Text

    console.print()
    console.print(Text(title, style="bold"))
    for line in lines:
        # Indented as a block, so a wrapped line stays under its first line.
        console.print(Padding(Text(visible(line), style=style), (0, 0, 0, 2)))


def text_console(options: RenderOptions) -> tuple[Console, StringIO]:
    """A rich console that writes into the returned buffer, coloured as ``options``
    say and at their width; every table renderer (the audit's, the fleet's) uses it."""
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    console = Console(
        file=out,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
        # The caller decided about colour (NO_COLOR, TTY); rich must not read the
        # environment again (TERM, COLUMNS, FORCE_COLOR...) or output would vary.
        _environ={},
    )
    return console, out
