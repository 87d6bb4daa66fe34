"""The release check as one self-contained HTML page (``--format html``).

Built on the shared page (:mod:`pyward._render._html_page`) and the wording of the other
release-check outputs (:mod:`pyward._release._render`): the verdict, a card per
category with its grade, the findings in a table that sorts and filters by category and
severity (each rule linked to its section of the documentation, its rationale and fix
folded under the finding), what was ignored and why, what could not be checked, and
the categories that do not apply. No text of the checked repository (a file name, a
workflow's job name) reaches the page unescaped: every cell goes through
:func:`~pyward._render._html_page.esc`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pyward._release._render import (
    _grade_text,
    _result_text,
    _rule_parts,
    _where,
    docs_url,
)
from pyward._render._common import TOOL_NAME, plural, tool_version
from pyward._render._html_page import (
    Column,
    Row,
    badge,
    details,
    esc,
    link,
    page,
    section,
    severity_rank,
    table,
)

if TYPE_CHECKING:
    from pyward._findings import Finding
    from pyward._release import CategoryGrade, Grade
    from pyward._release._report import ReleaseReport

__all__ = ["GRADE_CLASS", "render_html"]

#: The colour class of each grade: the severity whose finding gives it (``A``: none).
GRADE_CLASS: dict[Grade, str] = {
    "A": "none",
    "B": "low",
    "C": "medium",
    "D": "high",
    "F": "critical",
    "n/a": "unknown",
}


def _card(grade: CategoryGrade) -> str:
    cls = GRADE_CLASS.get(grade.grade, "unknown")
    return (
        f'<div class="card" data-category="{esc(grade.category)}">'
        f'<span class="muted">{esc(grade.category)}</span>'
        f'<b class="sev-{cls}" title="grade {esc(grade.grade)}">{esc(grade.grade)}</b>'
        f"<span>{esc(_grade_text(grade))}</span></div>"
    )


def _path(text: str) -> str:
    """A file (and line) as code that may wrap after a ``/`` (a long workflow path
    otherwise takes the width of the finding it locates)."""
    head, sep, last = text.rpartition("/")
    # The file's own name and line stay on one line unless they are very long.
    tail = f'<span class="nowrap">{esc(last)}</span>' if len(last) <= 40 else esc(last)
    return "<code>" + esc(head + sep).replace("/", "/<wbr>") + tail + "</code>"


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _rule_html(text: str, lead: str = "") -> str:
    """A rule's rationale or fix as paragraphs and code blocks: written by pyward (a
    module's ``RULES``, never the checked repository) in Markdown's terms: blank lines
    between paragraphs, code spans, fenced snippets. Every piece is escaped first;
    ``lead`` (HTML) starts the first paragraph."""
    out: list[str] = []
    for n, part in enumerate(text.split("```")):
        if n % 2:  # a fenced snippet: its first line names the language
            code = part.split("\n", 1)[1] if "\n" in part else ""
            lines = "\n".join(esc(line) for line in code.strip("\n").splitlines())
            out.append(f"<pre><code>{lines}</code></pre>")
            continue
        for para in re.split(r"\n\s*\n", part):
            if para.strip():
                out.append("<p>" + _CODE_SPAN.sub(_code, esc(" ".join(para.split()))) + "</p>")
    if lead and out:
        first = out[0]
        out[0] = f"<p>{lead} {first[3:]}" if first.startswith("<p>") else f"<p>{lead}</p>{first}"
    return "".join(out)


def _code(match: re.Match[str]) -> str:
    return f"<code>{match.group(1)}</code>"


def _advice(report: ReleaseReport, f: Finding) -> str:
    rationale, fix = _rule_parts(report, f)
    if not rationale and not fix:
        return ""
    body = _rule_html(rationale) + _rule_html(fix, lead="<strong>Fix:</strong>")
    return details("why, and how to fix", body)


def _finding_rows(report: ReleaseReport) -> list[Row]:
    failing = {id(f) for f in report.failing}
    rows: list[Row] = []
    for f in report.findings:
        level = f.rating.level
        category = report.category(f) or "other"
        fails = id(f) in failing
        mark = ' <span class="verdict-fail">fails</span>' if fails else ""
        rows.append(
            Row(
                cells=[
                    f'<span class="nowrap">{badge(level)}{mark}</span>',
                    f"<code>{link(docs_url(f.id), f.id)}</code>",
                    f'<span class="nowrap">{esc(category)}</span>',
                    _path(_where(f)),
                    esc(f.summary) + _advice(report, f),
                ],
                attrs={"category": category, "severity": level, "fails": str(fails).lower()},
                sort_keys={0: str(severity_rank(level))},
            )
        )
    return rows


def _ignored_rows(report: ReleaseReport) -> list[Row]:
    return [
        Row(
            cells=[
                badge(s.finding.rating.level),
                f"<code>{link(docs_url(s.finding.id), s.finding.id)}</code>",
                _path(_where(s.finding)),
                esc(s.finding.summary),
                esc(s.reason),
                esc(s.rule),
            ],
            attrs={"severity": s.finding.rating.level},
            sort_keys={0: str(severity_rank(s.finding.rating.level))},
        )
        for s in report.suppressed
    ]


def _not_checked(report: ReleaseReport) -> str:
    items = [
        f"<li><code>{esc(n.file or '(the scanner as a whole)')}</code>: {esc(n.reason)} "
        f'<span class="muted">({esc(", ".join(n.categories))} incomplete)</span></li>'
        for n in report.summary.not_checked
    ]
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _not_applicable(report: ReleaseReport) -> str:
    items = [
        f"<li><strong>{esc(g.category)}</strong>: {esc(g.reason or 'does not apply')}</li>"
        for g in report.summary.grades
        if g.grade == "n/a"
    ]
    return f"<ul>{''.join(items)}</ul>" if items else ""


def render_html(report: ReleaseReport) -> str:
    """``report`` as one HTML page; the same report gives the same bytes."""
    verdict = "verdict-fail" if report.failed else "verdict-pass"
    facts = [f"Repository <code>{esc(report.root)}</code>"]
    facts.append(
        f"artifacts <code>{esc(report.dist)}</code>"
        if report.dist is not None
        else "built artifacts not checked (no <code>--dist</code>)"
    )
    facts.append(
        f"fails on {esc(report.fail_on)} and above"
        if report.fail_on is not None
        else "any finding fails"
    )
    if report.strict:
        facts.append("strict")
    parts = [
        f"<h1>{esc(TOOL_NAME)} release-check</h1>",
        f'<p class="summary"><span class="{verdict}">{esc(_result_text(report))}</span></p>',
        f'<p class="muted">{" · ".join(facts)}; {esc(TOOL_NAME)} {esc(tool_version())}</p>',
    ]
    cards = "".join(_card(g) for g in report.summary.grades)
    parts.append(section("Grades", f'<div class="cards">{cards}</div>', id="grades"))
    counts = (
        f"{plural(len(report.findings), 'finding')}, {len(report.failing)} failing the run"
        if report.findings
        else "no finding"
    )
    findings = table(
        "findings",
        [
            Column(label="severity"),
            Column(label="rule"),
            Column(label="category"),
            Column(label="where"),
            Column(label="finding", sortable=False),
        ],
        _finding_rows(report),
        filters=[("category", "category"), ("severity", "severity")],
        caption=counts,
    )
    parts.append(
        section(
            "Findings", findings or f'<p class="muted">{esc(counts)}</p>', id="findings-section"
        )
    )
    parts.append(
        section(
            "Ignored",
            table(
                "ignored",
                [
                    Column(label="severity"),
                    Column(label="rule"),
                    Column(label="where"),
                    Column(label="finding"),
                    Column(label="reason"),
                    Column(label="ignore"),
                ],
                _ignored_rows(report),
                filters=[("severity", "severity")],
                caption=plural(len(report.suppressed), "ignored finding"),
            ),
            id="ignored-section",
        )
    )
    parts.append(section("Not checked", _not_checked(report), id="not-checked"))
    parts.append(section("Not applicable", _not_applicable(report), id="not-applicable"))
    warnings = "".join(f"<li>{esc(w)}</li>" for w in report.warnings)
    parts.append(section("Warnings", f"<ul>{warnings}</ul>" if warnings else "", id="warnings"))
    return page(
        title=f"{TOOL_NAME} release-check: {_result_text(report)} ({report.root})",
        body="\n".join(p for p in parts if p),
    )
