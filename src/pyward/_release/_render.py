"""The release check's outputs: table, JSON, Markdown, SARIF 2.1.0 and HTML.

The audit's renderers (:mod:`pyward._render`) are built around an advisory database,
inventories and components, none of which a release check has; these render a
:class:`~pyward._release._report.ReleaseReport` and reuse their helpers (JSON text,
Markdown escaping, SARIF levels and file URIs).

* JSON follows ``docs/schemas/release-check-1.0.schema.json`` (documented in
  ``docs/release-check.md``); keys come in a fixed order, so two runs on the same
  checkout give the same bytes.
* SARIF: one rule per release-check rule with its rationale and fix as help and a
  ``security-severity`` (GitHub code scanning's band: critical 9.0, high 7.0, medium
  4.0, low 0.1); one result per finding at its file and line, ``error`` when it fails
  the run. A finding about the repository as a whole (no file) is a notification of the
  run: GitHub code scanning rejects a result without a location.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pyward._render._common import (
    TOOL_NAME,
    TOOL_URL,
    json_text,
    location_text,
    plural,
    severity_counts_text,
    tool_version,
)
from pyward._text import visible

if TYPE_CHECKING:
    from pyward._findings import Finding, Suppressed
    from pyward._release import CategoryGrade
    from pyward._release._model import Rule
    from pyward._release._report import ReleaseReport

__all__ = ["DOCS", "FORMATS", "JSON_SCHEMA_VERSION", "docs_url", "render"]

#: JSON output schema version (``docs/schemas/release-check-1.0.schema.json``).
JSON_SCHEMA_VERSION = "1.0"

#: Where the rules are documented: one section per rule, headed with its id.
DOCS = "docs/release-check.md"

_FINGERPRINT_KEY = "pywardRelease/v1"


def docs_url(rule_id: str) -> str:
    """The documentation of a rule: its section of :data:`DOCS`."""
    return f"{TOOL_URL}/blob/main/{DOCS}#{rule_id}"


def render(report: ReleaseReport, fmt: str) -> str:
    """``report`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    return FORMATS[fmt](report)


# -- shared -----------------------------------------------------------------------------


def _grade_text(grade: CategoryGrade) -> str:
    if grade.grade == "n/a":
        return grade.reason or "does not apply"
    text = severity_counts_text(grade.counts) or "no findings"
    if grade.incomplete:
        text += " (incomplete: a file could not be checked)"
    return text


def _rule_markdown(text: str) -> str:
    """A rule's rationale or fix as Markdown: written by pyward (a module's ``RULES``,
    never the checked repository), with code spans meant as such; only made one line
    and visible."""
    return visible(" ".join(text.split()))


def _where(f: Finding) -> str:
    return location_text(f.location) or "(repository)"


def _rule_parts(report: ReleaseReport, f: Finding) -> tuple[str, str]:
    rule = report.rule(f)
    if rule is None:
        return "", ""
    return rule.rationale, rule.fix


def _result_text(report: ReleaseReport) -> str:
    count = len(report.failing)
    threshold = report.fail_on or "any"
    if report.failed:
        if count:
            return f"FAILED: {plural(count, 'finding')} at or above {threshold}"
        return "FAILED: " + "; ".join(w for w in report.warnings if "fails" in w)
    return f"PASSED: no finding at or above {threshold}"


# -- table ------------------------------------------------------------------------------


def render_table(report: ReleaseReport) -> str:
    """Plain text for a terminal or a CI log. A rule's fix and docs link are shown under
    its first finding only: thirty Bandit findings need the advice once."""
    lines = [f"pyward release-check: {report.root}", ""]
    lines.append(f"{'Category':<14}{'Grade':<7}Findings")
    for grade in report.summary.grades:
        lines.append(f"{grade.category:<14}{grade.grade:<7}{_grade_text(grade)}")
    if report.findings:
        lines += ["", "Findings"]
        advised: set[str] = set()
        for f in report.findings:
            mark = " (fails)" if f in report.failing else ""
            lines.append(f"  {f.rating.level.upper():<9}{f.id}  {_where(f)}{mark}")
            lines.append(f"           {f.summary}")
            if f.id in advised:
                continue
            advised.add(f.id)
            _, fix = _rule_parts(report, f)
            if fix:
                lines.append(f"           Fix: {fix}")
            lines.append(f"           Docs: {DOCS}#{f.id}")
    if report.suppressed:
        lines += ["", "Ignored"]
        lines += [
            f"  {s.finding.id}  {_where(s.finding)}: {s.reason} ({s.rule})"
            for s in report.suppressed
        ]
    if report.warnings:
        lines += ["", "Warnings"]
        lines += [f"  {w}" for w in report.warnings]
    lines += ["", _result_text(report)]
    return "\n".join(visible(line) for line in lines) + "\n"


# -- Markdown ---------------------------------------------------------------------------


def render_markdown(report: ReleaseReport) -> str:
    """Markdown for a pull-request comment or a job summary."""
    from pyward._render._markdown import code, escape

    out = [f"## pyward release-check: {escape(_result_text(report))}", ""]
    out += ["| Category | Grade | Findings |", "|---|---|---|"]
    for grade in report.summary.grades:
        out.append(f"| {grade.category} | {grade.grade} | {escape(_grade_text(grade))} |")
    if report.findings:
        out += ["", "| Severity | Rule | Where | Finding |", "|---|---|---|---|"]
        for f in report.findings:
            rule = f"[{code(f.id)}]({docs_url(f.id)})"
            fails = " (fails)" if f in report.failing else ""
            out.append(
                f"| {f.rating.level}{fails} | {rule} | {code(_where(f))} | {escape(f.summary)} |"
            )
        out += ["", "<details><summary>How to fix</summary>", ""]
        seen: set[str] = set()
        for f in report.findings:
            if f.id in seen:
                continue
            seen.add(f.id)
            rationale, fix = _rule_parts(report, f)
            out.append(
                f"- {code(f.id)}: {_rule_markdown(rationale)} **Fix:** {_rule_markdown(fix)}"
            )
        out += ["", "</details>"]
    if report.suppressed:
        out += ["", "<details><summary>Ignored</summary>", ""]
        out += [
            f"- {code(s.finding.id)} {code(_where(s.finding))}: {escape(s.reason)}"
            for s in report.suppressed
        ]
        out += ["", "</details>"]
    if report.warnings:
        out += ["", "**Warnings**", ""]
        out += [f"- {escape(w)}" for w in report.warnings]
    return "\n".join(out) + "\n"


# -- JSON -------------------------------------------------------------------------------


def to_json(report: ReleaseReport) -> dict[str, Any]:
    """The report as ``docs/schemas/release-check-1.0.schema.json`` describes it."""
    failing = {id(f) for f in report.failing}
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "repository": report.root,
        "dist": report.dist,
        "categories": [
            {
                "category": g.category,
                "grade": g.grade,
                "counts": dict(g.counts),
                "reason": g.reason,
                "incomplete": g.incomplete,
            }
            for g in report.summary.grades
        ],
        "findings": [_finding(report, f, fails=id(f) in failing) for f in report.findings],
        "suppressed": [
            {**_finding(report, s.finding, fails=False), "ignore": s.rule, "reason": s.reason}
            for s in report.suppressed
        ],
        "not_checked": [
            {
                "file": n.file,
                "reason": n.reason,
                "scanner": n.scanner,
                "categories": list(n.categories),
            }
            for n in report.summary.not_checked
        ],
        "rules": [_rule(r) for r in report.rules],
        "warnings": list(report.warnings),
        "summary": {
            "findings": len(report.findings),
            "failing": len(report.failing),
            "suppressed": len(report.suppressed),
            "by_severity": dict(report.summary.counts),
            "fail_on": report.fail_on,
            "strict": report.strict,
            "failed": report.failed,
        },
    }


def _finding(report: ReleaseReport, f: Finding, *, fails: bool) -> dict[str, Any]:
    rationale, fix = _rule_parts(report, f)
    loc = f.location
    return {
        "rule": f.id,
        "category": report.category(f),
        "aliases": list(f.aliases),
        "severity": f.rating.level,
        "confidence": f.confidence,
        "summary": f.summary,
        "rationale": rationale,
        "fix": fix,
        "file": loc.file if loc is not None else None,
        "line": loc.line if loc is not None else None,
        "fails": fails,
        "docs": docs_url(f.id),
    }


def _rule(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "category": r.category,
        "severity": r.severity,
        "title": r.title,
        "rationale": r.rationale,
        "fix": r.fix,
        "docs": docs_url(r.id),
    }


def render_json(report: ReleaseReport) -> str:
    return json_text(to_json(report))


# -- SARIF ------------------------------------------------------------------------------


def to_sarif(report: ReleaseReport) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log."""
    from pyward._render._sarif import BAND_SCORE, LEVEL_TO_SARIF, sarif_log

    index = {r.id: n for n, r in enumerate(report.rules)}
    rules = [
        {
            "id": r.id,
            "name": "".join(part.capitalize() for part in r.id.split("-")),
            "shortDescription": {"text": r.title[:1].upper() + r.title[1:]},
            "fullDescription": {"text": r.rationale},
            "help": {
                "text": f"{r.rationale} Fix: {r.fix} See {docs_url(r.id)}",
                "markdown": f"{_rule_markdown(r.rationale)}\n\n**Fix:** {_rule_markdown(r.fix)}\n\n"
                f"[Documentation]({docs_url(r.id)})",
            },
            "helpUri": docs_url(r.id),
            "defaultConfiguration": {"level": LEVEL_TO_SARIF[r.severity]},
            "properties": {
                "tags": ["security", "release", r.category],
                "precision": "high",
                "security-severity": BAND_SCORE.get(r.severity, "0.1"),
            },
        }
        for r in report.rules
    ]
    failing = {id(f) for f in report.failing}

    def level(f: Finding) -> str:
        return "error" if id(f) in failing else LEVEL_TO_SARIF[f.rating.level]

    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    every: list[tuple[Finding, Suppressed | None]] = [(f, None) for f in report.findings]
    every += [(s.finding, s) for s in report.suppressed]
    for f, suppressed in every:
        result = _result(report, f, level(f), index, suppressed)
        if "locations" in result:
            results.append(result)
        else:
            note: dict[str, Any] = {"level": result["level"], "message": result["message"]}
            if f.id in index:
                note["associatedRule"] = {"id": f.id, "index": index[f.id]}
            notifications.append(note)
    notifications += [{"level": "warning", "message": {"text": w}} for w in report.warnings]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return sarif_log(
        rules=rules,
        invocation=invocation,
        results=results,
        properties={
            "grades": {g.category: g.grade for g in report.summary.grades},
            "failOn": report.fail_on,
            "failed": report.failed,
        },
    )


def _result(
    report: ReleaseReport,
    f: Finding,
    level: str,
    index: Mapping[str, int],
    suppressed: Suppressed | None,
) -> dict[str, Any]:
    from pyward._render._sarif import physical_location

    _, fix = _rule_parts(report, f)
    text = f"{f.summary}." if not f.summary.endswith(".") else f.summary
    if fix:
        text += f" Fix: {fix}"
    result: dict[str, Any] = {"ruleId": f.id}
    if f.id in index:
        result["ruleIndex"] = index[f.id]
    result |= {"level": level, "message": {"text": text}}
    loc = f.location
    if loc is not None:
        result["locations"] = [{"physicalLocation": physical_location(loc.file, loc.line)}]
    # Stable when lines move: the rule, the file, the place in it and the message (two
    # commands of one step differ only there); never the line.
    subject = f.aliases[-1] if f.aliases else f.id
    raw = f"{f.id}\0{loc.file if loc is not None else ''}\0{subject}\0{f.summary}"
    result["partialFingerprints"] = {
        _FINGERPRINT_KEY: hashlib.sha256(raw.encode(errors="surrogateescape")).hexdigest()[:32]
    }
    result["properties"] = {
        "category": report.category(f),
        "severity": f.rating.level,
        "confidence": f.confidence,
        "aliases": list(f.aliases),
    }
    if suppressed is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{suppressed.rule}: {suppressed.reason}",
            }
        ]
    return result


def render_sarif(report: ReleaseReport) -> str:
    return json_text(to_sarif(report))


# -- HTML -------------------------------------------------------------------------------


def render_html(report: ReleaseReport) -> str:
    from pyward._release._html import render_html as html

    return html(report)


#: format name -> renderer. ``--format`` takes these names.
FORMATS: dict[str, Callable[[ReleaseReport], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "html": render_html,
}
