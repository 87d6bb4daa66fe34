"""``--format json``: pyward's own, versioned schema.

The schema is documented in ``docs/json-output.md`` and published as a JSON Schema in
``docs/schemas/audit-report-4.2.schema.json``; a test validates every report against it.
Keys come in a fixed order (the order the documentation lists them), so two runs on the
same input give the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from pyward._advisory._types import Match
from pyward._findings import VULNERABILITY, Finding, VulnerabilityDetail
from pyward._report import JSON_SCHEMA_VERSION

if TYPE_CHECKING:
    from pyward._findings import FixStep, Rating
    from pyward._model import Component, ComponentKey, Location, NotAudited
    from pyward._provenance._model import PackageProvenance, ProvenanceReport, Publisher
    from pyward._report import AuditReport, DataSource
from pyward._render._common import (
    TOOL_NAME,
    advisory_link,
    age_days,
    count_by_severity,
    fix_steps,
    fix_target,
    iso,
    json_text,
    kind_order,
    source_age_days,
    tool_version,
)
from pyward._render._groups import sorted_findings
from pyward._render._options import RenderOptions


def render(report: AuditReport, *, options: RenderOptions) -> str:
    return json_text(to_dict(report, options=options))


def to_dict(report: AuditReport, *, options: RenderOptions) -> dict[str, Any]:
    info = report.database
    steps = fix_steps(report)
    failing = {id(f) for f in report.failing}
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "database": {
            "source": info.source,
            "updated": iso(info.updated),
            "newest_modified": info.newest_modified,
            "age_days": age_days(info, options),
            "record_count": info.record_count,
            "skipped": info.skipped,
            "snapshot": info.snapshot,
        },
        "sources": [_source(s, options) for s in report.sources],
        "inventories": [
            {
                "source": inv.source,
                "format": inv.format,
                "components": len(inv.components),
                "not_audited": len(inv.not_audited),
                "notes": list(inv.notes),
            }
            for inv in report.inventories
        ],
        "components": [_component(c) for c in report.components],
        "not_audited": [_not_audited(n) for n in report.not_audited],
        "findings": [
            _finding(f, options, steps, fails=id(f) in failing)
            for f in sorted_findings(report.findings)
        ],
        "suppressed": [
            {
                **_finding(s.finding, options, steps, fails=False),
                "rule": s.rule,
                "reason": s.reason,
                "suppressed_by": s.kind,
                "state": s.state,
                "justification": s.justification,
            }
            for s in report.suppressed
        ],
        "fix_plan": [_fix_step(s) for s in report.fix_plan],
        "warnings": list(report.warnings),
        "errors": list(report.errors),
        "skipped_checks": [{"check": s.check, "reason": s.reason} for s in report.skipped],
        "fail_on_kinds": sorted(report.fail_on_kinds) if report.fail_on_kinds is not None else None,
        "policy": _policy(report),
        "provenance": provenance_dict(report.provenance),
        "summary": {
            "components": len(report.components),
            "not_audited": len(report.not_audited),
            "findings": len(report.findings),
            "failing": len(failing),
            "suppressed": len(report.suppressed),
            "by_severity": count_by_severity(report.findings),
            "by_kind": _by_kind(report.findings),
            "fail_on": report.fail_on,
            "failed": report.failed,
        },
    }


def _policy(report: AuditReport) -> dict[str, Any] | None:
    """The policy a ``pyward check`` checked (``null`` for an audit)."""
    policy = report.policy
    if policy is None:
        return None
    return {
        "origins": list(policy.origins),
        "rules": {rule: dict(policy.settings.get(rule, {})) for rule in policy.rules},
        "undecided": policy.undecided,
        "kind_fail_on": dict(report.kind_fail_on),
    }


def provenance_dict(provenance: ProvenanceReport | None) -> dict[str, Any] | None:
    """The provenance of every artifact and the coverage (``null`` when the run gathered
    none): per package its status, verified publishers, pins and artifacts."""
    if provenance is None:
        return None
    c = provenance.coverage
    return {
        "trust": provenance.trust,
        "trust_root": provenance.trust_root,
        "coverage": {
            "packages": c.packages,
            "packages_attested": c.packages_attested,
            "artifacts": c.artifacts,
            "artifacts_attested": c.artifacts_attested,
            "unattested_direct": list(c.unattested_direct),
            "packages_unavailable": c.packages_unavailable,
        },
        "packages": [_provenance_package(p) for p in provenance.packages],
        "pinned": dict(provenance.pinned),
        "notes": list(provenance.notes),
    }


def _provenance_package(p: PackageProvenance) -> dict[str, Any]:
    from pyward._render._provenance import artifact_reason

    c = p.component
    change = p.change
    return {
        "name": c.name,
        "version": c.version,
        "purl": c.purl,
        "direct": c.direct,
        "status": p.status,
        "publishers": [_publisher(pub) for pub in p.publishers],
        "pinned": [dict(r) for r in p.pinned],
        "pinned_in": p.pinned_in,
        "change": None
        if change is None
        else {
            "pinned": [dict(r) for r in change.pinned],
            "found": _publisher(change.found),
            "filename": change.filename,
        },
        "artifacts": [
            {
                "filename": a.filename,
                "sha256": a.sha256,
                "digest_from": a.digest_from,
                "status": a.status,
                "reason": artifact_reason(a),
                "predicate_types": (
                    list(a.verification.predicate_types) if a.verification is not None else []
                ),
                "url": a.url,
            }
            for a in p.artifacts
        ],
        "notes": list(p.notes),
    }


def _publisher(p: Publisher) -> dict[str, Any]:
    return {
        "kind": p.kind,
        "repository": p.repository,
        "workflow": p.workflow,
        "environment": p.environment,
        "identity": p.identity,
        "record": dict(p.record) if p.record is not None else None,
    }


def _source(source: DataSource, options: RenderOptions) -> dict[str, Any]:
    return {
        "name": source.name,
        "origin": source.origin,
        "updated": iso(source.updated) if source.updated is not None else None,
        "age_days": source_age_days(source, options.now),
        "stale": source.stale,
    }


def _by_kind(findings: tuple[Finding, ...]) -> dict[str, int]:
    """Findings per kind, for the kinds that have any: vulnerabilities and the
    package-status kinds first, then any other kind by name."""
    counts: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: kind_order(f.kind)):
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return counts


def detail_dict(f: Finding) -> dict[str, Any] | None:
    """The fields of a finding's detail record, dates as ``YYYY-MM-DD``; ``None`` for a
    vulnerability (whose fields are the finding's own keys, as in 3.0) and for a kind
    without a detail record."""
    detail = f.detail
    if detail is None or isinstance(detail, VulnerabilityDetail):
        return None
    out: dict[str, Any] = {}
    for field in dataclasses.fields(detail):
        value = getattr(detail, field.name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            # A malicious finding's matches read as a vulnerability's.
            value = [_match(v) if isinstance(v, Match) else v for v in value]
        out[field.name] = value
    return out


def _match(m: Match) -> dict[str, Any]:
    return {
        "advisory_id": m.advisory_id,
        "reason": m.reason,
        "fixed": list(m.fixed),
        "last_affected": list(m.last_affected),
    }


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line}


def _component(c: Component) -> dict[str, Any]:
    return {
        "name": c.name,
        "version": c.version,
        "display_name": c.display_name,
        "purl": c.purl,
        "source": c.source,
        "index": c.index,
        "non_default_index": c.non_default_index,
        "source_url": c.source_url,
        "direct": c.direct,
        "groups": sorted(c.groups),
        "extras": sorted(c.extras),
        "markers": c.markers,
        "location": _location(c.location),
    }


def _not_audited(n: NotAudited) -> dict[str, Any]:
    return {
        "name": n.name,
        "requirement": n.requirement,
        "reason": n.reason,
        "location": _location(n.location),
    }


def _severity(rating: Rating) -> dict[str, Any]:
    return {
        "level": rating.level,
        "score": rating.score,
        "vector": rating.vector,
        "type": rating.type,
        "scores": [
            {"type": s.type, "vector": s.vector, "score": s.base_score, "level": s.level}
            for s in rating.scores
        ],
    }


def _finding(
    f: Finding,
    options: RenderOptions,
    steps: dict[tuple[ComponentKey, Location | None], FixStep],
    *,
    fails: bool,
) -> dict[str, Any]:
    """The keys every kind has, then the keys of its ``detail`` (docs/json-output.md).
    ``fails``: the finding counts against the run (:attr:`AuditReport.failing`)."""
    c = f.component
    out: dict[str, Any] = {
        "kind": f.kind,
        "name": c.name if c is not None else None,
        "version": c.version if c is not None else None,
        "purl": c.purl if c is not None else None,
        "id": f.id,
        "aliases": list(f.aliases),
        "summary": f.summary,
        "details": f.details,
        "severity": _severity(f.rating),
        "fails": fails,
    }
    if f.kind != VULNERABILITY:
        out["check"] = f.check
        out["confidence"] = f.confidence
        out["detail"] = detail_dict(f)
    detail = f.detail
    if isinstance(detail, VulnerabilityDetail):
        out["fixed_in"] = list(detail.fixed_in)
        out["fix"] = fix_target(f, steps)
    out |= {
        "path": list(f.path),
        "exposed": f.exposed,
        "exposure": f.exposure,
        "location": _location(f.where),
    }
    if isinstance(detail, VulnerabilityDetail):
        out["matches"] = [_match(m) for m in detail.matches]
    out["url"] = advisory_link(f, options)
    out["references"] = [{"type": r.type, "url": r.url} for r in f.references]
    if isinstance(detail, VulnerabilityDetail):
        out["published"] = detail.published
        out["modified"] = detail.modified
    return out


def _fix_step(s: FixStep) -> dict[str, Any]:
    return {
        "name": s.component.name,
        "version": s.component.version,
        "purl": s.component.purl,
        "target": s.target,
        "fixes": list(s.fixes),
        "unfixed": list(s.unfixed),
        "same_major": s.same_major,
        "action": s.action,
    }
