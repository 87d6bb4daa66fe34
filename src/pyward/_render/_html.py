"""``--format html``: one self-contained page a person opens in a browser.

The page (:mod:`pyward._render._html_page`) holds the verdict and its reason, cards of
counts, one findings table that sorts by any column (severity by its rank, not its
spelling) and filters by kind, severity and whether the finding fails the run, each
finding's dependency path and location, then the fix plan, the provenance, what was not
audited, what was suppressed and why, the checks that did not run, the warnings and
errors, and every data source with its age. It shows at least what ``--format
markdown`` shows, in the same words: the sentences come from
:mod:`pyward._render._common`. Every text from an input or an advisory goes through
:func:`~pyward._render._html_page.esc`, and every URL through
:func:`~pyward._render._html_page.link` (a ``javascript:`` reference stays text). The
generation time is ``options.now``, so a fixed clock gives the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyward._findings import LEVELS, MALICIOUS, VULNERABILITY
from pyward._gate import INFORMATIONAL_KINDS
from pyward._render._common import (
    STATUS_KINDS,
    advisory_link,
    age_text,
    count_by_severity,
    fix_step_text,
    fix_steps,
    fix_target,
    headline,
    informs,
    iso,
    kind_counts,
    kind_counts_text,
    kind_order,
    location_text,
    one_line,
    path_text,
    plural,
    policy_text,
    remedy_text,
    result_text,
    source_age_text,
    status_text,
    subject_label,
    summary_text,
    suppression_text,
    title,
    tool_version,
    upgrade_hint,
)
from pyward._render._groups import sorted_findings
from pyward._render._html_page import (
    Column,
    Row,
    badge,
    cards,
    details,
    esc,
    link,
    page,
    section,
    severity_rank,
    table,
)
from pyward._render._options import RenderOptions
from pyward._report import AuditReport

if TYPE_CHECKING:
    from pyward._findings import Finding, FixStep
    from pyward._model import ComponentKey, Location
    from pyward._provenance._model import PackageProvenance, ProvenanceReport

#: A dependency path longer than this many packages is folded under its length.
PATH_FOLDED = 3

#: An id this long or shorter (``GHSA-xxxx-xxxx-xxxx``) is never broken.
ID_NOWRAP = 20

#: Longest description shown under a finding; the advisory link has the rest.
DETAILS_LIMIT = 1500


def render(report: AuditReport, *, options: RenderOptions) -> str:
    heading = title(report)
    inputs = ", ".join(f"{inv.source} ({inv.format})" for inv in report.inventories)
    body = [
        "<header>",
        f"<h1>{esc(heading)}</h1>",
        f'<p class="muted">of {esc(inputs or "nothing")}</p>',
        _verdict(report),
        "</header>",
        _cards(report),
        section("Findings", _findings(report, options), id="findings-section"),
        section("Fix plan", _fix_plan(report), id="fix-plan"),
    ]
    if report.provenance is not None:
        body.append(section("Provenance", _provenance(report.provenance), id="provenance"))
    body += [
        section(f"Not audited ({len(report.not_audited)})", _not_audited(report), id="not-audited"),
        section(
            f"Suppressed ({len(report.suppressed)})", _suppressed(report, options), id="suppressed"
        ),
        section(f"Skipped checks ({len(report.skipped)})", _skipped(report), id="skipped"),
        section(f"Warnings ({len(report.warnings)})", _list(report.warnings), id="warnings"),
        section(f"Errors ({len(report.errors)})", _list(report.errors), id="errors"),
        section("Data sources", _sources(report, options), id="sources"),
        _footer(report, options),
    ]
    return page(title=f"{heading} of {inputs or 'nothing'}", body="\n".join(b for b in body if b))


# -- the verdict and the cards ----------------------------------------------------------


def _verdict(report: AuditReport) -> str:
    """The result (why the run fails or passes), the headline, and the gate's settings:
    the threshold, what unknown severities do, which kinds can fail the run."""
    cls = "verdict-fail" if report.failed else "verdict-pass"
    out = [
        f'<p class="{cls}" id="verdict">{esc(result_text(report))}</p>',
        f'<p class="summary" id="headline">{esc(headline(report))}</p>',
    ]
    policy = policy_text(report)
    if policy is not None:
        out.append(f'<p id="policy">{esc(policy)}</p>')
    out.append(f'<p class="muted" id="gate">{esc(_gate_text(report))}</p>')
    return "\n".join(out)


def _gate_text(report: AuditReport) -> str:
    """``Fails at or above high; unknown severity: fail; kinds that fail the run: every
    kind but outdated, ...``."""
    threshold = f"at or above {report.fail_on}" if report.fail_on else "at any severity"
    parts = [
        "Fails on every policy violation"
        if report.policy is not None
        else f"Fails on findings {threshold}"
    ]
    parts += [
        f"{kind}: {f'at or above {level}' if level else 'at any severity'}"
        for kind, level in sorted(report.kind_fail_on.items())
    ]
    text = "; ".join(parts) + f"; unknown severity: {report.unknown_severity}"
    if report.fail_on_kinds is None:
        text += (
            f"; kinds that fail the run: every kind but {', '.join(sorted(INFORMATIONAL_KINDS))}"
        )
    else:
        text += f"; kinds that fail the run: {', '.join(sorted(report.fail_on_kinds)) or 'none'}"
    return text


def _cards(report: AuditReport) -> str:
    counts = count_by_severity(report.findings)
    return cards(
        [
            ("packages", len(report.components)),
            ("findings", len(report.findings)),
            ("fail the run", len(report.failing)),
            *((level, counts[level]) for level in LEVELS),
            ("suppressed", len(report.suppressed)),
            ("not audited", len(report.not_audited)),
        ]
    )


# -- findings -------------------------------------------------------------------------


def _findings(report: AuditReport, options: RenderOptions) -> str:
    """The findings table, the ones that can fail the run first (in every format's
    order), then the ones that only inform (by kind, then package)."""
    if not report.findings:
        return f'<p id="no-findings">{esc(headline(report))}.</p>'
    failing = {id(f) for f in report.failing}
    steps = fix_steps(report)
    informing = sorted(
        (f for f in report.findings if informs(report, f)),
        key=lambda f: (kind_order(f.kind), subject_label(f), f.id),
    )
    ordered = sorted_findings(f for f in report.findings if not informs(report, f)) + informing
    # One input: its file is in the header, so a location in it is its line alone.
    single = report.inventories[0].source if len(report.inventories) == 1 else None
    rows = [
        _finding_row(report, f, fails=id(f) in failing, steps=steps, single=single, options=options)
        for f in ordered
    ]
    out = []
    if any(f.exposed for f in report.findings):
        out.append(
            "<p>Network-facing packages (<b>exposed</b>) are listed first: fix them first.</p>"
        )
    out.append(
        table(
            "findings",
            [
                Column(label="Package"),
                Column(label="ID"),
                Column(label="Severity"),
                Column(label="Kind"),
                Column(label="Summary"),
                Column(label="Fixed in / fix target"),
                Column(label="Path / location"),
                Column(label="Run"),
            ],
            rows,
            filters=[("kind", "kind"), ("severity", "severity"), ("run", "run")],
        )
    )
    return "\n".join(out)


def _finding_row(
    report: AuditReport,
    f: Finding,
    *,
    fails: bool,
    steps: dict[tuple[ComponentKey, Location | None], FixStep],
    single: str | None,
    options: RenderOptions,
) -> Row:
    c = f.component
    label = c.name if c is not None else subject_label(f)
    name = f'<b class="words">{esc(label)}</b>'
    if c is not None and c.version:
        name += f'<br><span class="nowrap">{esc(c.version)}</span>'
    if c is not None and c.direct:
        name += '<br><span class="muted">direct</span>'
    if f.exposure:
        name += f'<br><b class="sev-medium">exposed: {esc(f.exposure)}</b>'
    ids = _breakable_link(advisory_link(f, options), f.id)
    if len(f.id) <= ID_NOWRAP:
        ids = f'<span class="nowrap">{ids}</span>'
    if f.aliases:
        ids += "".join(f'<br><span class="muted">{_breakable(esc(a))}</span>' for a in f.aliases)
    level = f.rating.level
    severity = badge(level)
    if f.rating.score is not None:
        severity += f" {f.rating.score:.1f}"
    run = "fails" if fails else ("informs" if informs(report, f) else "passes")
    run_cell = {
        "fails": "<b>fails the run</b>",
        "informs": "informs",
        "passes": "passes (below the threshold)",
    }[run]
    # Worst first when sorted descending: the rank inverted, then the score.
    rank = severity_rank(level)
    score = round((f.rating.score or 0.0) * 10)
    return Row(
        cells=[
            name,
            f'<div class="words">{ids}</div>',
            f'<span class="nowrap">{severity}</span>',
            f'<span class="nowrap">{esc(f.kind)}</span>',
            _summary(report, f),
            _fixed(f, steps),
            f'<div class="words">{_where(f, single)}</div>',
            run_cell,
        ],
        # The id whole (the cell's text may break after a ``:``): for scripts and tests.
        attrs={"id": f.id, "kind": f.kind, "severity": level, "run": run},
        sort_keys={0: f"{label} {(c.version or '') if c else ''}", 2: f"{rank}{score:03d}"},
    )


def _breakable(text: str) -> str:
    """Escaped ``text`` that may break after ``:``, ``@`` and ``==``
    (``unmaintained:<wbr>pytimeparse``), as it does after a hyphen: a long id then does
    not widen its column. :func:`esc`'s output holds these characters only as text."""
    return text.replace("==", "==<wbr>").replace(":", ":<wbr>").replace("@", "@<wbr>")


def _breakable_link(url: str, text: str) -> str:
    """:func:`link`, its text :func:`_breakable` (its URL untouched)."""
    html = link(url, text)
    if not html.startswith("<a "):
        return _breakable(html)
    # The escaped href holds no ``>``: the first one ends the tag.
    tag, rest = html.split(">", 1)
    return f"{tag}>{_breakable(rest)}"


def _summary(report: AuditReport, f: Finding) -> str:
    """The whole summary, then what the status says and the advice, then the long
    description folded (cut at :data:`DETAILS_LIMIT`)."""
    out = [esc(summary_text(f))]
    # What the informing section of the other formats says in place of the summary.
    status = status_text(f) if informs(report, f) else None
    if status and status not in summary_text(f):
        out.append(f'<br><span class="muted">{esc(status)}</span>')
    remedy = remedy_text(f)
    if remedy:
        out.append(f"<br><b>{esc(remedy)}</b>")
    text = (f.details or "").strip()
    if text and one_line(text) != summary_text(f):
        if len(text) > DETAILS_LIMIT:
            text = text[: DETAILS_LIMIT - 3].rstrip() + "..."
        paragraphs = [one_line(p) for p in text.split("\n\n") if one_line(p)]
        out.append(details("details", "".join(f"<p>{esc(p)}</p>" for p in paragraphs)))
    return f'<div class="prose">{"".join(out)}</div>'


def _fixed(f: Finding, steps: dict[tuple[ComponentKey, Location | None], FixStep]) -> str:
    """What resolves the finding: a vulnerability's fixed versions and the fix plan's
    target for it, ``remove`` for malware, a status's upgrade hint."""
    if f.kind == VULNERABILITY:
        if f.fixed_in:
            text = ", ".join(f'<span class="nowrap">{esc(v)}</span>' for v in f.fixed_in)
        else:
            text = "<b>no fix yet</b>"
        target = fix_target(f, steps)
        if target is not None:
            text += f'<br><span class="muted nowrap">plan: {esc(target)}</span>'
        return text
    if f.kind == MALICIOUS:
        return "<b>remove</b>"
    if f.kind in STATUS_KINDS:
        hint = upgrade_hint(f)
        return esc(hint) if hint else "-"
    return "-"


def _where(f: Finding, single: str | None) -> str:
    """The dependency path (folded under its length when long) and the location (its
    line alone in ``single``, the report's one input)."""
    out = []
    if f.path:
        # path_text's words, each package kept on one line.
        hops = path_text(f.path).split(" > ")
        text = " &gt; ".join(f'<code class="words">{_breakable(esc(h))}</code>' for h in hops)
        if len(f.path) > PATH_FOLDED:
            out.append(details(f"via {plural(len(f.path) - 1, 'package')}", text))
        else:
            out.append(text)
    loc = f.where
    if loc is not None and loc.file == single and loc.line is not None:
        out.append(f'<span class="muted nowrap">line {loc.line}</span>')
    elif (where := location_text(loc)) is not None:
        where = _breakable(esc(where)).replace("/", "/<wbr>")
        out.append(f'<span class="muted">in</span> <code class="words">{where}</code>')
    return "<br>".join(out) or "-"


# -- the other sections ---------------------------------------------------------------


def _fix_plan(report: AuditReport) -> str:
    if not report.fix_plan:
        return ""
    items = []
    for step in report.fix_plan:
        item = esc(fix_step_text(step))
        if step.unchecked:
            item += f'<br><span class="muted">target not checked: {esc(step.unchecked)}</span>'
        items.append(f'<li data-action="{esc(step.action)}">{item}</li>')
    return f'<ol id="fix-steps">{"".join(items)}</ol>'


def _not_audited(report: AuditReport) -> str:
    rows = [
        Row(
            cells=[
                f"<code>{esc(n.requirement)}</code>",
                esc(n.reason),
                f"<code>{esc(w)}</code>" if (w := location_text(n.location)) else "-",
            ]
        )
        for n in report.not_audited
    ]
    columns = [Column(label="Requirement"), Column(label="Reason"), Column(label="Where")]
    return table("unaudited", columns, rows)


def _suppressed(report: AuditReport, options: RenderOptions) -> str:
    rows = [
        Row(
            cells=[
                link(advisory_link(s.finding, options), s.finding.id),
                f"<code>{esc(subject_label(s.finding))}</code>",
                esc(s.kind),
                esc(suppression_text(s)),
            ],
            attrs={"by": s.kind},
        )
        for s in report.suppressed
    ]
    columns = [Column(label="ID"), Column(label="Package"), Column(label="By"), Column(label="Why")]
    return table("suppressions", columns, rows, filters=[("by", "by")])


def _skipped(report: AuditReport) -> str:
    items = "".join(
        f"<li><code>{esc(s.check)}</code>: {esc(s.reason)}</li>" for s in report.skipped
    )
    return f'<ul id="skipped-checks">{items}</ul>' if items else ""


def _list(lines: tuple[str, ...]) -> str:
    return f"<ul>{''.join(f'<li>{esc(line)}</li>' for line in lines)}</ul>" if lines else ""


def _sources(report: AuditReport, options: RenderOptions) -> str:
    """The advisory data (origin, records, newest record, age) and every other data
    source (origin, update time, age, stale)."""
    from pyward._advisory._freshness import STALE_DAYS

    info = report.database
    rows = []
    if info.used:
        records = plural(info.record_count, "record")
        if info.skipped:
            records += f" ({info.skipped} unreadable, skipped)"
        origin = info.source + (
            " (built-in snapshot)" if info.snapshot and "snapshot" not in info.source else ""
        )
        updated = iso(info.updated)
        if info.newest_modified:
            updated += f" (newest record {info.newest_modified})"
        stale = info.age_days(options.now) > STALE_DAYS
        rows.append(
            _source_row(
                "advisory data",
                origin=origin,
                records=records,
                updated=updated,
                age=age_text(info, options),
                stale=stale,
            )
        )
    else:
        rows.append(
            _source_row(
                "advisory data",
                origin="none used",
                records="-",
                updated="-",
                age="no check that ran could use it",
                stale=False,
            )
        )
    for s in report.sources:
        updated = iso(s.updated) if s.updated is not None else "unknown"
        rows.append(
            _source_row(
                s.name,
                origin=s.origin,
                records="-",
                updated=updated,
                age=source_age_text(s, options.now),
                stale=s.stale,
            )
        )
    columns = [
        Column(label="Source"),
        Column(label="Origin"),
        Column(label="Records"),
        Column(label="Updated"),
        Column(label="Age"),
        Column(label="State"),
    ]
    return table("data-sources", columns, rows, search=False)


def _source_row(
    name: str, *, origin: str, records: str, updated: str, age: str, stale: bool
) -> Row:
    state = '<b class="sev-high">stale</b>' if stale else "current"
    return Row(
        cells=[
            esc(name),
            f"<code>{esc(origin)}</code>",
            esc(records),
            esc(updated),
            esc(age),
            state,
        ],
        attrs={"state": "stale" if stale else "current"},
    )


def _footer(report: AuditReport, options: RenderOptions) -> str:
    verb = "checked" if report.policy is not None else "audited"
    counts = kind_counts_text(kind_counts(report.findings)) or "no finding"
    return (
        f'<footer class="muted"><p>{esc(plural(len(report.components), "package"))} {verb} '
        f"by pyward {esc(tool_version())}: {esc(counts)}. Generated {esc(iso(options.now))}."
        "</p></footer>"
    )


# -- provenance -----------------------------------------------------------------------


def _provenance(provenance: ProvenanceReport) -> str:
    """The trust root, the coverage line, and every package, worst first, filterable by
    status (the page can hold them all: unlike the terminal, nothing is folded)."""
    from pyward._render._provenance import (
        STATUS_ORDER,
        STATUS_WORDS,
        coverage_text,
        ordered,
        trust_text,
    )

    out = [
        f'<p id="coverage">{esc(coverage_text(provenance))}.</p>',
        f'<p class="muted">{esc(trust_text(provenance))}.</p>',
    ]
    rows = []
    for p in ordered(provenance):
        rows.append(
            Row(
                cells=[
                    f'<span class="words">{esc(p.component.name)}</span>',
                    f'<span class="nowrap">{esc(p.component.version or "")}</span>',
                    _provenance_status(p, STATUS_WORDS[p.status]),
                    *_provenance_text(p),
                ],
                attrs={"status": STATUS_WORDS[p.status]},
                sort_keys={2: str(STATUS_ORDER.index(p.status))},
            )
        )
    columns = [
        Column(label="Package"),
        Column(label="Version"),
        Column(label="Status"),
        Column(label="Publisher"),
        Column(label="Detail"),
    ]
    out.append(table("provenance-packages", columns, rows, filters=[("status", "status")]))
    notes = [f"Pinned in {file}: {what}" for file, what in provenance.pinned.items()]
    notes += [f"Note: {note}" for note in provenance.notes]
    out.append(_list(tuple(notes)))
    return "\n".join(o for o in out if o)


def _provenance_status(p: PackageProvenance, word: str) -> str:
    if p.status in ("changed", "failed"):
        return f'<b class="sev-high">{esc(word)}</b>'
    if p.status == "verified":
        return f'<span class="sev-none">{esc(word)}</span>'
    return esc(word)


def _provenance_text(p: PackageProvenance) -> tuple[str, str]:
    from pyward._render._provenance import detail_text, publisher_text

    return esc(publisher_text(p)) or "-", esc(detail_text(p)) or "-"
