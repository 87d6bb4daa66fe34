"""``--format markdown``: a pull-request comment (GitHub-flavoured Markdown).

A run that gathered provenance gets a ``Provenance`` section after the findings (the
coverage line and a table of every package). Everything taken from advisories, lock
files or provenance is escaped, so a summary cannot break the table (``|``), open a
link, or inject HTML into the comment.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from pyward._findings import MALICIOUS, VULNERABILITY
from pyward._render._common import (
    STATUS_KINDS,
    advisory_link,
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
    summary_text,
    suppression_text,
    tool_version,
    upgrade_hint,
)
from pyward._render._groups import group_findings
from pyward._render._options import RenderOptions
from pyward._report import AuditReport
from pyward._text import visible

if TYPE_CHECKING:
    # Annotations only: a clean run never creates the finding classes.
    from pyward._findings import Finding
    from pyward._provenance._model import PackageProvenance, ProvenanceReport

#: Longest summary in the table; the advisory link has the rest.
SUMMARY_LIMIT = 120

# Characters that start inline markup in CommonMark/GFM (links, emphasis, code,
# strikethrough) and ``|``, which ends a table cell. ``.``, ``-`` and the like only
# mean something at the start of a line: see _LEADING.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LEADING = re.compile(r"^(\d*)([#+=>.)-])(?=\s|$)")


def escape(text: str) -> str:
    """Text as literal Markdown on one line: a backslash before every character that
    could start markup, ``&``, ``<`` and ``>`` as HTML entities (no raw HTML), control
    characters as visible escapes (issue 12, item 8)."""
    text = visible(" ".join(text.split()))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return _LEADING.sub(r"\1\\\2", text)


def code(text: str) -> str:
    """Inline code that survives a table cell (a code span cannot hold ``|``)."""
    text = visible(" ".join(text.split())).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def render(report: AuditReport, *, options: RenderOptions) -> str:
    out: list[str] = []
    # Findings that only inform (outdated, unmaintained...) get their own compact table
    # after the ones that can fail the run.
    informing = [f for f in report.findings if informs(report, f)]
    groups = group_findings(f for f in report.findings if not informs(report, f))
    counts = severity_counts_text(count_by_severity(report.findings))
    out.append(f"### pyward: {headline(report)}" + (f" ({counts})" if counts else ""))
    out.append("")
    out.append(f"**{result_text(report)}**")
    out.append("")
    policy = policy_text(report)
    if policy is not None:
        out.append(escape(policy))
        out.append("")
    if groups:
        if any(g.exposed for g in groups):
            out.append("Network-facing packages (**exposed**) are listed first: fix them first.")
            out.append("")
        out.append("| Package | Version | ID | Severity | Fixed in | Path | Summary |")
        out.append("|---|---|---|---|---|---|---|")
        for group in groups:
            for f in group.findings:
                out.append(_row(f, group.exposure, options))
        out.append("")
    if informing:
        # Folded: forty outdated pins must not push the failing findings out of sight.
        title = (
            f"Informational ({kind_counts_text(kind_counts(informing))}): "
            "reported, not failing the run"
        )
        out.append(f"<details>\n<summary>{html.escape(title)}</summary>\n")
        out.append("| Package | Version | ID | Kind | Status |")
        out.append("|---|---|---|---|---|")
        rows = sorted(informing, key=lambda f: (kind_order(f.kind), subject_label(f), f.id))
        for f in rows:
            c = f.component
            cells = [
                escape(c.name if c is not None else subject_label(f)),
                escape((c.version or "") if c is not None else ""),
                f"[{escape(f.id)}]({advisory_link(f, options)})",
                escape(f.kind),
                escape(status_text(f) or summary_text(f, SUMMARY_LIMIT)),
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("\n</details>\n")

    if report.provenance is not None:
        out.extend(_provenance(report.provenance))
    if report.fix_plan:
        out.append("#### Fix plan")
        out.append("")
        out.extend(f"- {escape(fix_step_text(s))}" for s in report.fix_plan)
        out.append("")
    if report.not_audited:
        out.append(_details(
            f"Not audited ({len(report.not_audited)})",
            [
                f"{code(n.requirement)}: {escape(n.reason)}"
                + (f" ({code(w)})" if (w := location_text(n.location)) else "")
                for n in report.not_audited
            ],
        ))  # fmt: skip
    if report.suppressed:
        out.append(_details(
            f"Suppressed ({len(report.suppressed)})",
            [
                f"[{escape(s.finding.id)}]({advisory_link(s.finding, options)}) in "
                f"{code(subject_label(s.finding))}: {escape(suppression_text(s))}"
                for s in report.suppressed
            ],
        ))  # fmt: skip
    if report.warnings:
        out.append(f"**Warnings ({len(report.warnings)})**")
        out.append("")
        out.extend(f"- {escape(w)}" for w in report.warnings)
        out.append("")
    if report.errors:
        out.append(f"**Errors ({len(report.errors)})**")
        out.append("")
        out.extend(f"- {escape(e)}" for e in report.errors)
        out.append("")

    data, age = database_lines(report.database, options)
    audited = plural(len(report.components), "package")
    sources = "".join(f"{escape(line)}. " for line in source_lines(report, options))
    out.append(
        f"<sub>{escape(data)}. {escape(age)}. {sources}"
        f"{audited} {'checked' if report.policy is not None else 'audited'} by pyward "
        f"{escape(tool_version())}.</sub>"
    )
    return "\n".join(out) + "\n"


def _row(f: Finding, exposure: str | None, options: RenderOptions) -> str:
    c = f.component
    name = escape(c.name if c is not None else subject_label(f))
    name += f" **(exposed: {escape(exposure)})**" if exposure else ""
    ids = f"[{escape(f.id)}]({advisory_link(f, options)})"
    if f.aliases:
        ids += "<br>" + ", ".join(escape(a) for a in f.aliases)
    level = f.rating.level
    severity = f"**{level}**" if level in ("critical", "high") else level
    if f.rating.score is not None:
        severity += f" {f.rating.score:.1f}"
    if f.kind == VULNERABILITY:
        fixed = ", ".join(escape(v) for v in f.fixed_in) or "no fix yet"
    elif f.kind == MALICIOUS:
        fixed = "**remove**"
    elif f.kind in STATUS_KINDS:
        hint = upgrade_hint(f)
        fixed = escape(hint) if hint else "-"
    else:
        fixed = "-"
    cells = [
        name,
        escape((c.version or "") if c is not None else ""),
        ids,
        severity,
        fixed,
        escape(path_text(f.path)),
        escape(summary_text(f, SUMMARY_LIMIT)),
    ]
    return "| " + " | ".join(cells) + " |"


def _provenance(provenance: ProvenanceReport) -> list[str]:
    """The ``#### Provenance`` section (at the level of ``Fix plan``): the trust root,
    the coverage line and a table of every package, worst first; more than
    :data:`~pyward._render._provenance.VERIFIED_LISTED` verified packages are folded
    into a table of their own under ``<details>``."""
    from pyward._render._provenance import (
        VERIFIED_LISTED,
        coverage_text,
        ordered,
        trust_text,
        verified_summary,
    )

    out = ["#### Provenance", "", f"{escape(coverage_text(provenance))}.", ""]
    out.append(f"<sub>{escape(trust_text(provenance))}.</sub>")
    out.append("")
    packages = ordered(provenance)
    verified = [p for p in packages if p.status == "verified"]
    folded = verified if len(verified) > VERIFIED_LISTED else []
    shown = [p for p in packages if not (folded and p.status == "verified")]
    head = ["| Package | Version | Status | Publisher | Detail |", "|---|---|---|---|---|"]
    if shown:
        out.extend(head)
        out.extend(_provenance_row(p) for p in shown)
        out.append("")
    if folded:
        out.append(f"<details>\n<summary>{html.escape(verified_summary(folded))}</summary>\n")
        out.extend(head)
        out.extend(_provenance_row(p) for p in folded)
        out.append("\n</details>\n")
    for file, what in provenance.pinned.items():
        out.append(f"- Pinned in {code(file)}: {escape(what)}")
    out.extend(f"- Note: {escape(note)}" for note in provenance.notes)
    if provenance.pinned or provenance.notes:
        out.append("")
    return out


def _provenance_row(p: PackageProvenance) -> str:
    from pyward._render._provenance import STATUS_WORDS, detail_text, publisher_text

    status = STATUS_WORDS[p.status]
    cells = [
        escape(p.component.name),
        escape(p.component.version or ""),
        f"**{status}**" if p.status in ("changed", "failed") else status,
        escape(publisher_text(p)) or "-",
        escape(detail_text(p)) or "-",
    ]
    return "| " + " | ".join(cells) + " |"


def _details(title: str, items: list[str]) -> str:
    # A blank line after <summary> lets GitHub render the Markdown list inside.
    body = "\n".join(f"- {item}" for item in items)
    # Markdown is not parsed inside <summary>: HTML-escape it instead.
    return f"<details>\n<summary>{html.escape(title)}</summary>\n\n{body}\n\n</details>\n"
