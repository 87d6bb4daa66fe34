"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

* One ``run``; one rule per distinct primary advisory id, and one per check for the
  package-status kinds (``yanked``, ``project-status``, ``eol``, ``outdated``,
  ``unmaintained``: their ids name one release, so the rule is the check, with its
  section of ``docs/checks.md`` as help); one result per finding, located at the
  component's line in the lock or requirements file. A finding about no component and
  no file (the interpreter's end of life when no file names the version) is a
  notification of the run (``toolExecutionNotifications``, with its ``associatedRule``):
  SARIF allows a result without locations (3.27.12), but GitHub code scanning rejects
  the whole file for one.
* ``level``: ``error`` for a finding that fails the run (the gate's rule: a kind that
  fails, at or above ``--fail-on``, or of unknown severity under ``unknown-severity =
  fail``); ``note`` for a finding of a kind that only informs (``outdated``,
  ``unmaintained``, an archived project: issue 13); otherwise ``warning`` for critical,
  high and medium, ``note`` for low and unknown (issue 11, item 13: a run that fails on
  a finding must not show it as a note).
* ``properties.security-severity`` on each rule: the CVSS base score as a string, which
  GitHub code scanning maps to critical (>= 9.0), high (>= 7.0), medium (>= 4.0) and low
  (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object).
  A record rated only in words gets the lowest score of its band (critical 9.0, high
  7.0, medium 4.0, low 0.1); an unrated one gets none.
* Suppressed findings are results too, with ``suppressions`` saying why (SARIF 3.35).
* ``partialFingerprints`` are stable for (id, package, version), so a finding keeps its
  alert across runs and line moves.
* Provenance (issue 15): a ``provenance`` finding (a failed verification, a publisher
  change, a package the policy requires attested) is a result of the ``provenance``
  check's one rule, as a package status is; the run's ``properties.provenance`` gives
  the coverage (packages and artifacts attested, direct dependencies not attested) and
  the packages per status.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pyward._checks import CHECKS, DOCS
from pyward._findings import VULNERABILITY
from pyward._gate import kind_fails
from pyward._render._common import (
    STATUS_KINDS,
    TOOL_NAME,
    TOOL_URL,
    advisory_link,
    age_days,
    informs,
    iso,
    json_text,
    path_text,
    remedy_text,
    source_age_days,
    status_text,
    subject_label,
    summary_text,
    tool_version,
)
from pyward._render._groups import sorted_findings
from pyward._render._json import detail_dict
from pyward._render._markdown import code as markdown_code
from pyward._render._markdown import escape as markdown_escape
from pyward._render._options import RenderOptions
from pyward._report import AuditReport

if TYPE_CHECKING:
    from pyward._findings import Finding, Level, Suppressed

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

#: The level of a finding that does not fail the run.
LEVEL_TO_SARIF: dict[Level, str] = {
    "critical": "warning",
    "high": "warning",
    "medium": "warning",
    "low": "note",
    "unknown": "note",
}

#: security-severity for a record rated in words only: the lowest score of the band.
BAND_SCORE: dict[Level, str] = {"critical": "9.0", "high": "7.0", "medium": "4.0", "low": "0.1"}

FINGERPRINT_KEY = "pywardFinding/v1"

#: The kinds whose findings share one rule, their check's: the package-status kinds,
#: and ``provenance``, whose ids name one package (``provenance:NAME@VERSION``) and whose
#: help is the check's documentation, not an advisory.
CHECK_RULE_KINDS = STATUS_KINDS | {"provenance"}


def render(report: AuditReport, *, options: RenderOptions) -> str:
    return json_text(to_dict(report, options=options))


def to_dict(report: AuditReport, *, options: RenderOptions) -> dict[str, Any]:
    findings = sorted_findings(report.findings)
    every = [*findings, *(s.finding for s in report.suppressed)]
    failing = {id(f) for f in report.failing}
    rules: dict[str, dict[str, Any]] = {}
    for f in every:
        if rule_id(f) not in rules:
            level = _level(report, failing, f)
            rules[rule_id(f)] = (
                _check_rule(f, report, level)
                if f.kind in CHECK_RULE_KINDS
                else _rule(f, options, level)
            )
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    default_file = report.inventories[0].source if report.inventories else None
    results = [
        _result(
            f,
            rule_index=index[rule_id(f)],
            default_file=default_file,
            suppressed=None,
            level=_level(report, failing, f),
            report=report,
            failing=failing,
        )
        for f in findings
    ]
    results += [
        _result(
            s.finding,
            rule_index=index[rule_id(s.finding)],
            default_file=default_file,
            suppressed=s,
            level=_level(report, failing, s.finding),
            report=report,
            failing=failing,
        )
        for s in report.suppressed
    ]
    database = _database(report, options)
    # A finding about no component and no file (the interpreter's end of life when no
    # file names the version) cannot be a result: GitHub code scanning rejects the whole
    # file for one result without a location. It is a notification of the run, with its
    # rule, level and properties.
    notifications = [_notification(r) for r in results if "locations" not in r]
    results = [r for r in results if "locations" in r]
    notifications += [
        {"level": "warning", "message": {"text": f"not audited: {n.requirement}: {n.reason}"}}
        for n in report.not_audited
    ]
    notifications += [{"level": "warning", "message": {"text": w}} for w in report.warnings]
    notifications += [{"level": "error", "message": {"text": e}} for e in report.errors]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    invocation["properties"] = {"database": database}
    return sarif_log(
        rules=list(rules.values()),
        invocation=invocation,
        results=results,
        properties={
            "database": database,
            "sources": [
                {
                    "name": s.name,
                    "origin": s.origin,
                    "updated": iso(s.updated) if s.updated is not None else None,
                    "ageDays": source_age_days(s, options.now),
                    "stale": s.stale,
                }
                for s in report.sources
            ],
            "components": len(report.components),
            "notAudited": len(report.not_audited),
            "failOn": report.fail_on,
            "failOnKinds": (
                sorted(report.fail_on_kinds) if report.fail_on_kinds is not None else None
            ),
            "failed": report.failed,
            **_policy(report),
            **_provenance(report),
        },
    )


def sarif_log(
    *,
    rules: list[dict[str, Any]],
    invocation: dict[str, Any],
    results: list[dict[str, Any]],
    properties: dict[str, Any],
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one pyward run: the audit's and the release check's."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version(),
                        "informationUri": TOOL_URL,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": properties,
            }
        ],
    }


def _database(report: AuditReport, options: RenderOptions) -> dict[str, Any]:
    info = report.database
    return {
        "source": info.source,
        "updated": iso(info.updated),
        "newestModified": info.newest_modified,
        "ageDays": age_days(info, options),
        "recordCount": info.record_count,
        "snapshot": info.snapshot,
    }


def rule_id(f: Finding) -> str:
    """The rule of a finding: its check for a package-status or provenance kind, else
    its id."""
    return f.check if f.kind in CHECK_RULE_KINDS else f.id


def _level(report: AuditReport, failing: set[int], f: Finding) -> str:
    """``error`` when the finding is one the gate fails the run for (``failing``: ids
    of the report's failing findings; a suppressed one never is); ``note`` when its
    kind only informs; else by severity."""
    if id(f) in failing:
        return "error"
    if informs(report, f):
        return "note"
    return LEVEL_TO_SARIF[f.rating.level]


def _check_rule(f: Finding, report: AuditReport, level: str) -> dict[str, Any]:
    """The rule of a package-status check: what it finds, and its documentation."""
    check = CHECKS.get(f.check)
    description = check.description if check is not None else f"{f.kind} findings"
    anchor = quote(f.check, safe="", errors="surrogateescape")
    url = f"{TOOL_URL}/blob/main/{DOCS}#{anchor}"
    fails = kind_fails(f, report.fail_on_kinds)
    effect = (
        "Findings of this kind fail the run at or above the threshold."
        if fails
        else "Findings of this kind inform; they do not fail the run unless fail-on-kinds names it."
    )
    text = description[:1].upper() + description[1:] + "."
    properties: dict[str, Any] = {
        "tags": ["security" if fails else "maintenance", f.kind],
        "precision": "very-high",
        "problem.severity": "recommendation" if level == "note" else level,
    }
    score = _security_severity(f)
    if fails and score is not None:
        properties["security-severity"] = score
    return {
        "id": f.check,
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{text} {effect}"},
        "help": {
            "text": f"{text} {effect} See {url}",
            "markdown": f"{markdown_escape(text)} {markdown_escape(effect)}\n\n"
            f"[Documentation]({url})",
        },
        "helpUri": url,
        "defaultConfiguration": {"level": level},
        "properties": properties,
    }


def _rule(f: Finding, options: RenderOptions, level: str) -> dict[str, Any]:
    fixed = " or ".join(f.fixed_in)
    remedy = remedy_text(f)
    if remedy is not None:
        advice = remedy
    elif f.kind != VULNERABILITY:
        advice = f"See the {f.check} check's documentation."
    elif fixed and f.component is not None:
        advice = f"Upgrade {f.component.name} to a fixed version: {fixed}."
    else:
        advice = "No fixed version is known."
    url = advisory_link(f, options)
    summary = summary_text(f, 200)
    details = " ".join((f.details or summary).split())
    ids = ", ".join(f.ids)
    # help.markdown is rendered: escaped like --format markdown (issue 12, item 9).
    ids_md = ", ".join(markdown_code(i) for i in f.ids)
    properties: dict[str, Any] = {
        "tags": ["security", f.kind, "dependency" if f.component else "repository", f.rating.level],
        "precision": "very-high",
        "problem.severity": "recommendation" if level == "note" else level,
    }
    score = _security_severity(f)
    if score is not None:
        properties["security-severity"] = score
    return {
        "id": f.id,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": details},
        "help": {
            "text": f"{ids}. {advice} See {url}",
            "markdown": f"**{ids_md}**\n\n{markdown_escape(advice)}\n\n[Advisory]({url})",
        },
        "helpUri": url,
        "defaultConfiguration": {"level": level},
        "properties": properties,
    }


def _security_severity(f: Finding) -> str | None:
    if f.rating.score is not None:
        return f"{f.rating.score:.1f}"
    return BAND_SCORE.get(f.rating.level)


def _result(
    f: Finding,
    *,
    rule_index: int,
    default_file: str | None,
    suppressed: Suppressed | None,
    level: str,
    report: AuditReport,
    failing: set[int],
) -> dict[str, Any]:
    c = f.component
    if f.kind == VULNERABILITY:
        text = f"{subject_label(f)} is affected by {f.id}"
    else:
        text = f"{subject_label(f)}: {f.id}"
    if f.aliases:
        text += f" ({', '.join(f.aliases)})"
    text += f": {summary_text(f, 200)}"
    if f.kind == VULNERABILITY:
        text += (
            f" Fixed in {', '.join(f.fixed_in)}." if f.fixed_in else " No fixed version is known."
        )
    remedy = remedy_text(f)
    if remedy is not None:
        text += f" {remedy}"
    status = status_text(f)
    if status is not None:
        text += f" ({status})."
    if len(f.path) > 1:
        text += f" Path: {path_text(f.path)}."
    if informs(report, f):
        text += " This finding informs; it does not fail the run."
    result: dict[str, Any] = {
        "ruleId": rule_id(f),
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": text},
    }
    if c is not None or f.where is not None:
        result["locations"] = [_location(f, default_file)]
    result |= {
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": {
            "kind": f.kind,
            "id": f.id,
            "fails": id(f) in failing,
            "package": c.name if c is not None else None,
            "version": c.version if c is not None else None,
            "purl": c.purl if c is not None else None,
            "severity": f.rating.level,
            "score": f.rating.score,
            "aliases": list(f.aliases),
            "fixedIn": list(f.fixed_in),
            "exposed": f.exposed,
            "exposure": f.exposure,
            "path": list(f.path),
        },
    }
    detail = detail_dict(f)
    if detail is not None:
        result["properties"]["detail"] = detail
    if suppressed is not None:
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "justification": f"{suppressed.rule}: {suppressed.reason}",
            "properties": {"kind": suppressed.kind},
        }
        if suppressed.kind == "vex":
            suppression["properties"]["state"] = suppressed.state
            if suppressed.justification:
                suppression["properties"]["justification"] = suppressed.justification
        result["suppressions"] = [suppression]
    return result


def _notification(result: dict[str, Any]) -> dict[str, Any]:
    """The run-level notification of a result that has no location."""
    text = result["message"]["text"]
    for suppression in result.get("suppressions", ()):
        text += f" Suppressed: {suppression['justification']}."
    return {
        "level": result["level"],
        "message": {"text": text},
        "associatedRule": {"id": result["ruleId"], "index": result["ruleIndex"]},
        "properties": result["properties"],
    }


def fingerprint(f: Finding) -> str:
    """Stable per (advisory id, package, version): no line, no path."""

    c = f.component
    if c is not None:
        raw = f"{f.id}\0{c.name}\0{c.version or ''}"
    else:
        raw = f"{f.id}\0{f.location.file if f.location else ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _location(f: Finding, default_file: str | None) -> dict[str, Any]:
    loc = f.where
    file = loc.file if loc is not None else default_file
    return {
        "physicalLocation": physical_location(file or ".", loc.line if loc is not None else None),
        "logicalLocations": [
            {"name": subject_label(f), "kind": "package" if f.component else "resource"}
        ],
    }


def physical_location(file: str, line: int | None) -> dict[str, Any]:
    """A SARIF ``physicalLocation``: the file and, when known (1 or more), its line."""
    physical: dict[str, Any] = {"artifactLocation": _artifact(file)}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return physical


def _artifact(file: str) -> dict[str, Any]:
    """A relative URI with forward slashes against %SRCROOT% (what code scanning needs);
    an absolute path outside the working directory becomes a ``file:`` URI."""
    if PureWindowsPath(file).drive or file.startswith("/"):
        try:
            rel = os.path.relpath(file)
        except ValueError:  # another drive on Windows
            rel = None
        if rel is None or rel.startswith(".."):
            # A name that is not valid UTF-8 is its bytes, percent-encoded.
            posix = PureWindowsPath(file).as_posix() if PureWindowsPath(file).drive else file
            return {
                "uri": "file://"
                + ("/" if not posix.startswith("/") else "")
                + quote(posix, errors="surrogateescape")
            }
        file = rel
    uri = PurePosixPath(file.replace("\\", "/")).as_posix()
    # A name that is not valid UTF-8 is its bytes, percent-encoded (issue 12, item 10).
    return {"uri": quote(uri, errors="surrogateescape"), "uriBaseId": "%SRCROOT%"}


def _policy(report: AuditReport) -> dict[str, Any]:
    """The run's ``policy`` property, for a policy check (nothing for an audit)."""
    if report.policy is None:
        return {}
    return {
        "policy": {
            "origins": list(report.policy.origins),
            "rules": list(report.policy.rules),
            "undecided": report.policy.undecided,
        }
    }


def _provenance(report: AuditReport) -> dict[str, Any]:
    """The run's ``provenance`` property when the run gathered provenance: the trust
    root, the coverage and the packages per status (each failure is a result of the
    ``provenance`` check; nothing for a run without provenance)."""
    from pyward._render._provenance import coverage_text, status_counts

    provenance = report.provenance
    if provenance is None:
        return {}
    c = provenance.coverage
    return {
        "provenance": {
            "trust": provenance.trust,
            "trustRoot": provenance.trust_root,
            "coverage": coverage_text(provenance),
            "packages": c.packages,
            "packagesAttested": c.packages_attested,
            "artifacts": c.artifacts,
            "artifactsAttested": c.artifacts_attested,
            "unattestedDirect": list(c.unattested_direct),
            "packagesUnavailable": c.packages_unavailable,
            "byStatus": dict(status_counts(provenance)),
            "pinned": dict(provenance.pinned),
            "notes": list(provenance.notes),
        }
    }
