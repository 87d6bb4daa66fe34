"""``--format cyclonedx-vex``: CycloneDX 1.6 JSON with the components and their
vulnerabilities, built and serialised with cyclonedx-python-lib.

* Each finding is one ``vulnerability`` that ``affects`` its component's ``bom-ref`` at
  the installed version (``affected``) and lists the fixed versions (``unaffected``).
  Findings carry no ``analysis``: pyward matched versions, it did not analyse code.
* Suppressed findings are vulnerabilities with an ``analysis``. A VEX statement keeps
  its state (``not_affected``, ``false_positive``...; OpenVEX ``fixed`` is
  ``resolved``) and justification (OpenVEX ones mapped to CycloneDX's). An ignore rule
  is the user's decision, not a finding that the code is unaffected, so it becomes
  ``in_triage`` with the response ``will_not_fix`` and the reason as ``detail``.
* Findings of the package-status kinds (yanked, project-status, eol, outdated,
  unmaintained) are not vulnerabilities and CycloneDX 1.6 has no field for them: each is
  a property of its component in pyward's namespace, ``pyward:status:KIND``, whose value
  is the finding's id, severity, whether it fails the run or informs, and what the
  status says (``yanked:regex@2020.11.13 (high, fails the run): yanked: Regression``).
  A release line past its end of life also carries the registered
  ``cdx:lifecycle:milestone:endOfSupport`` property with the date
  (https://cyclonedx.github.io/cyclonedx-property-taxonomy/cdx/lifecycle.html). The
  interpreter's end of life, about no component, is a ``pyward:status:eol`` property
  of the document (not the milestone, which would date the document's subject). The
  data sources and their age are ``pyward:source:NAME`` properties of the document.
* Provenance (issue 15), when the run gathered it: each component's verified publisher
  as ``pyward sbom --provenance`` writes it (:mod:`pyward._sbom._provenance`:
  ``pyward:provenance:*`` properties and ``vcs``/``build-system``/``build-meta``/
  ``attestation`` references), the trust root and the coverage as properties of the
  document.
* Reproducible: the timestamp is ``SOURCE_DATE_EPOCH`` (or the caller's clock) and the
  serial number is derived from the content, never random.
"""

from __future__ import annotations

import hashlib
import warnings
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, uuid5

from pyward._findings import (
    MALICIOUS,
    VULNERABILITY,
    EolDetail,
    Finding,
    MaliciousDetail,
    VulnerabilityDetail,
)
from pyward._render._common import (
    STATUS_KINDS,
    TOOL_NAME,
    advisory_link,
    fix_steps,
    fix_target,
    informs,
    iso,
    remedy_text,
    source_age_text,
    status_text,
    subject_label,
    summary_text,
    tool_version,
)
from pyward._render._groups import sorted_findings
from pyward._render._options import RenderOptions
from pyward._report import AuditReport, DataSource
from pyward._text import URL_SCHEMES, json_lone_surrogates, safe_url
from pyward._wire import rfc3339

if TYPE_CHECKING:
    from cyclonedx.model.impact_analysis import ImpactAnalysisJustification
    from cyclonedx.model.vulnerability import (
        Vulnerability,
        VulnerabilityRating,
        VulnerabilitySource,
    )

    from pyward._findings import FixStep, Level, Rating, Score, Suppressed
    from pyward._model import Component, ComponentKey, Location

#: The kinds that are CycloneDX vulnerabilities: a known flaw, and a malicious release
#: (an OSV record names both).
ADVISORY_KINDS = frozenset({VULNERABILITY, MALICIOUS})

#: CWE-506, Embedded Malicious Code: the weakness ossf/malicious-packages records give.
MALWARE_CWE = 506

#: OpenVEX justifications (https://github.com/openvex/spec) as CycloneDX ones, following
#: CISA's "Minimum Requirements for VEX" mapping.
OPENVEX_JUSTIFICATION = {
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "protected_by_mitigating_control",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}

#: OpenVEX states as CycloneDX ones (the other suppressing states are spelled alike).
OPENVEX_STATE = {"fixed": "resolved"}


def render(report: AuditReport, *, options: RenderOptions) -> str:
    from cyclonedx.output import make_outputter
    from cyclonedx.schema import OutputFormat, SchemaVersion

    with warnings.catch_warnings():
        # The library warns about values longer than the schema's limits (a version of
        # 5000 digits from a hostile lock file): the document says what it was given.
        warnings.simplefilter("ignore")
        bom = build_bom(report, options=options)
        outputter = make_outputter(bom, OutputFormat.JSON, SchemaVersion.V1_6)
        text = outputter.output_as_string(indent=2)
    # A file name that is not valid UTF-8 is shown escaped (issue 12, item 10).
    return json_lone_surrogates(text) + "\n"


def build_bom(report: AuditReport, *, options: RenderOptions) -> Any:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from cyclonedx.model.tool import ToolRepository
    from packageurl import PackageURL

    refs: dict[int, str] = {}
    seen: set[str] = set()
    for c in report.components:
        ref = c.purl or str(c.key)
        n = 1
        while ref in seen:
            n += 1
            ref = f"{c.purl or c.key}#{n}"
        seen.add(ref)
        refs[id(c)] = ref

    def ref_of(c: Component) -> str:
        # A finding's component is normally one of report.components (same object);
        # match by key and location when it is an equal copy.
        if id(c) in refs:
            return refs[id(c)]
        for other in report.components:
            if other.key == c.key and other.location == c.location:
                return refs[id(other)]
        raise KeyError(f"finding for {c.key} names a component the report does not list")

    failing = {id(f) for f in report.failing}
    status_props: dict[str, list[Any]] = {}
    document_status = []
    for f in sorted_findings(report.findings):
        if f.kind not in STATUS_KINDS:
            continue
        prop = Property(name=f"pyward:status:{f.kind}", value=_status_value(f, report, failing))
        if f.component is None:
            # Not the document's own end of support: only pyward's property.
            document_status.append(prop)
            continue
        props = status_props.setdefault(ref_of(f.component), [])
        props.append(prop)
        if isinstance(f.detail, EolDetail):
            props.append(
                Property(
                    name="cdx:lifecycle:milestone:endOfSupport", value=f.detail.eol.isoformat()
                )
            )

    components: list[Any] = [
        CdxComponent(
            type=ComponentType.LIBRARY,
            name=c.display_name or c.name,
            version=c.version,
            purl=PackageURL.from_string(c.purl) if c.purl else None,
            bom_ref=refs[id(c)],
            properties=status_props.get(refs[id(c)], []),
        )
        for c in report.components
    ]

    provenance_notes: list[str] = []
    if report.provenance is not None:
        # Each component's verified publisher, as ``pyward sbom --provenance`` writes it.
        from pyward._sbom._provenance import add_provenance

        provenance_notes = add_provenance(components, report.provenance)

    steps = fix_steps(report)
    # A vulnerability of a component is a CycloneDX vulnerability, and so is a malicious
    # release (an OSV MAL record, CWE-506); a package status is a property of its
    # component (above); a finding of any other kind has no place in the vulnerability
    # model and becomes a property of the document (``pyward:finding:CHECK``, or
    # ``pyward:suppressed:CHECK`` with the rule that suppressed it), so nothing is dropped.
    vulnerabilities = [
        _vulnerability(f, ref_of(f.component), options, steps, None)
        for f in sorted_findings(report.findings)
        if f.kind in ADVISORY_KINDS and f.component is not None
    ]
    vulnerabilities += [
        _vulnerability(s.finding, ref_of(s.finding.component), options, steps, s)
        for s in report.suppressed
        if s.finding.kind in ADVISORY_KINDS and s.finding.component is not None
    ]
    others = [
        Property(
            name=f"pyward:finding:{f.check}",
            value=f"{f.id} ({f.rating.level}) {subject_label(f)}: {summary_text(f)}",
        )
        for f in sorted_findings(report.findings)
        if f.kind not in STATUS_KINDS and (f.kind not in ADVISORY_KINDS or f.component is None)
    ]
    others += [
        Property(
            name=f"pyward:suppressed:{s.finding.check}",
            value=f"{s.finding.id} {subject_label(s.finding)}: {s.rule}: {s.reason}",
        )
        for s in report.suppressed
        if s.finding.kind not in ADVISORY_KINDS or s.finding.component is None
    ]
    info = report.database
    tool = CdxComponent(type=ComponentType.APPLICATION, name=TOOL_NAME, version=tool_version())
    metadata = BomMetaData(
        tools=ToolRepository(components=[tool]),
        timestamp=options.now.replace(microsecond=0),
        properties=[
            Property(name="pyward:database:source", value=info.source),
            Property(name="pyward:database:updated", value=iso(info.updated)),
            Property(name="pyward:database:newest_modified", value=info.newest_modified or ""),
            Property(name="pyward:database:record_count", value=str(info.record_count)),
            Property(name="pyward:database:snapshot", value=str(info.snapshot).lower()),
            *(Property(name="pyward:inventory", value=inv.source) for inv in report.inventories),
            *(
                Property(
                    name="pyward:source:" + "-".join(source.name.split()),
                    value=_source_value(source, options),
                )
                for source in report.sources
            ),
            *document_status,
            *others,
            *_provenance_properties(report, provenance_notes),
        ],
    )
    return Bom(
        components=components,
        vulnerabilities=vulnerabilities,
        metadata=metadata,
        serial_number=_serial_number(report, options),
    )


def _provenance_properties(report: AuditReport, notes: list[str]) -> list[Any]:
    """The document's ``pyward:provenance:trust`` and ``coverage``, and a
    ``pyward:provenance:note`` for each package the components do not list."""
    from cyclonedx.model import Property

    from pyward._render._provenance import coverage_text, trust_text

    if report.provenance is None:
        return []
    return [
        Property(name="pyward:provenance:trust", value=trust_text(report.provenance)),
        Property(name="pyward:provenance:coverage", value=coverage_text(report.provenance)),
        *(Property(name="pyward:provenance:note", value=note) for note in notes),
    ]


def _status_value(f: Finding, report: AuditReport, failing: set[int]) -> str:
    """``ID (LEVEL, fails the run|informs|does not fail the run): STATUS``."""
    if id(f) in failing:
        effect = "fails the run"
    elif informs(report, f):
        effect = "informs"
    else:
        effect = "below the threshold"
    subject = "" if f.component is not None else f"{subject_label(f)}: "
    return f"{f.id} ({f.rating.level}, {effect}): {subject}{status_text(f) or summary_text(f)}"


def _source_value(source: DataSource, options: RenderOptions) -> str:
    """``ORIGIN; updated TIME, N days old[, stale]``."""
    when = f"updated {iso(source.updated)}, " if source.updated is not None else ""
    stale = ", stale" if source.stale else ""
    return f"{source.origin}; {when}{source_age_text(source, options.now)}{stale}"


def _serial_number(report: AuditReport, options: RenderOptions) -> Any:
    """A UUID derived from what the document says, so the same input at the same
    ``SOURCE_DATE_EPOCH`` gives the same document (reproducible builds)."""
    digest = hashlib.sha256()
    for part in (
        iso(options.now),
        report.database.source,
        report.database.newest_modified or "",
        *(f"{c.purl}|{c.key}" for c in report.components),
        *(f"{f.id}|{_subject_key(f)}" for f in report.findings),
        *(f"{s.finding.id}|{_subject_key(s.finding)}|{s.rule}" for s in report.suppressed),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return uuid5(NAMESPACE_URL, f"urn:pyward:audit:{digest.hexdigest()}")


def _subject_key(f: Finding) -> str:
    return str(f.component.key) if f.component is not None else subject_label(f)


def _source(
    advisory_id: str, options: RenderOptions, url: str | None = None
) -> VulnerabilitySource:
    from cyclonedx.model import XsUri
    from cyclonedx.model.vulnerability import VulnerabilitySource

    prefix = advisory_id.split("-", 1)[0].upper()
    name = {
        "PYSEC": "PyPA Advisory Database",
        "GHSA": "GitHub Advisory Database",
        "CVE": "NVD",
        "MAL": "OpenSSF Malicious Packages",
    }.get(prefix, "OSV")
    return VulnerabilitySource(name=name, url=XsUri(url or options.osv_url(advisory_id)))


def _severity(level: Level) -> Any:
    from cyclonedx.model.vulnerability import VulnerabilitySeverity

    return {
        "critical": VulnerabilitySeverity.CRITICAL,
        "high": VulnerabilitySeverity.HIGH,
        "medium": VulnerabilitySeverity.MEDIUM,
        "low": VulnerabilitySeverity.LOW,
        "unknown": VulnerabilitySeverity.UNKNOWN,
    }[level]


def _method(score: Score) -> Any:
    from cyclonedx.model.vulnerability import VulnerabilityScoreSource

    if score.type == "CVSS_V4":
        return VulnerabilityScoreSource.CVSS_V4
    if score.type == "CVSS_V3":
        if score.vector.startswith("CVSS:3.0/"):
            return VulnerabilityScoreSource.CVSS_V3
        return VulnerabilityScoreSource.CVSS_V3_1
    if score.type == "CVSS_V2":
        return VulnerabilityScoreSource.CVSS_V2
    return VulnerabilityScoreSource.OTHER


def _ratings(f: Finding, options: RenderOptions) -> list[VulnerabilityRating]:
    return cyclonedx_ratings(f.rating, _source(f.id, options))


def cyclonedx_ratings(rating: Rating, source: VulnerabilitySource) -> list[VulnerabilityRating]:
    """CycloneDX ratings of one flaw: one per scored vector, else its rating in words
    (the record's own, or "unknown": said, not left out). Also used by the SBOM writer's
    ``vulnerabilities``."""
    from cyclonedx.model.vulnerability import VulnerabilityRating, VulnerabilityScoreSource

    ratings = [
        VulnerabilityRating(
            source=source,
            score=Decimal(str(s.base_score)),
            severity=_severity(s.level),
            method=_method(s),
            vector=s.vector,
        )
        for s in rating.scores
    ]
    if not ratings:
        method = VulnerabilityScoreSource.OTHER if rating.type == "database" else None
        ratings.append(
            VulnerabilityRating(source=source, severity=_severity(rating.level), method=method)
        )
    return ratings


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = rfc3339(value)
    return parsed.replace(microsecond=0) if parsed is not None else None


def _vulnerability(
    f: Finding,
    component_ref: str,
    options: RenderOptions,
    steps: dict[tuple[ComponentKey, Location | None], FixStep],
    suppressed: Suppressed | None,
) -> Vulnerability:
    from cyclonedx.model import XsUri
    from cyclonedx.model.impact_analysis import ImpactAnalysisAffectedStatus
    from cyclonedx.model.vulnerability import (
        BomTarget,
        BomTargetVersionRange,
        Vulnerability,
        VulnerabilityAdvisory,
        VulnerabilityReference,
    )

    component = f.component
    if component is None:
        raise ValueError(f"{f.id}: a CycloneDX vulnerability needs a component")
    detail = f.detail if isinstance(f.detail, VulnerabilityDetail | MaliciousDetail) else None
    target = fix_target(f, steps)
    remedy = remedy_text(f)
    if remedy is not None:
        recommendation = remedy
    elif target is not None:
        recommendation = f"Upgrade {component.name} to {target}."
    elif f.fixed_in:
        recommendation = f"Upgrade {component.name} to a fixed version: {' or '.join(f.fixed_in)}."
    else:
        recommendation = "No fixed version is known."
    versions = []
    if component.version is not None:
        versions.append(
            BomTargetVersionRange(
                version=component.version, status=ImpactAnalysisAffectedStatus.AFFECTED
            )
        )
    versions += [
        BomTargetVersionRange(version=v, status=ImpactAnalysisAffectedStatus.UNAFFECTED)
        for v in f.fixed_in
    ]
    advisories = []
    for ref in f.references:
        if ref.type == "PACKAGE":  # the package's page, not an advisory
            continue
        # Only a URI that is safe and valid (issue 12, item 9); the JSON output keeps all.
        url = safe_url(ref.url, schemes=URL_SCHEMES)
        if url is None:
            continue
        try:
            advisories.append(VulnerabilityAdvisory(url=XsUri(url)))
        except ValueError:  # not a URI the schema accepts; the JSON output keeps it
            continue
    return Vulnerability(
        bom_ref=f"{f.id}/{component_ref}",
        id=f.id,
        source=_source(f.id, options, advisory_link(f, options)),
        # Advisory ids only: ``malicious:NAME@VERSION`` is an id for ignore rules.
        references=[
            VulnerabilityReference(id=a, source=_source(a, options))
            for a in f.aliases
            if ":" not in a
        ],
        cwes=[MALWARE_CWE] if f.kind == MALICIOUS else [],
        ratings=_ratings(f, options),
        description=summary_text(f) if f.summary else None,
        detail=f.details,
        recommendation=recommendation,
        advisories=advisories,
        published=_datetime(detail.published if detail else None),
        updated=_datetime(detail.modified if detail else None),
        analysis=_analysis(suppressed) if suppressed is not None else None,
        affects=[BomTarget(ref=component_ref, versions=versions)],
    )


def _analysis(s: Suppressed) -> Any:
    from cyclonedx.model.impact_analysis import (
        ImpactAnalysisResponse,
        ImpactAnalysisState,
    )
    from cyclonedx.model.vulnerability import VulnerabilityAnalysis

    if s.kind == "vex" and s.state is not None:
        states = {state.value: state for state in ImpactAnalysisState}
        state = states.get(OPENVEX_STATE.get(s.state, s.state))
        if state is not None:
            return VulnerabilityAnalysis(
                state=state,
                justification=_justification(s.justification),
                detail=f"{s.rule}: {s.reason}",
            )
    return VulnerabilityAnalysis(
        state=ImpactAnalysisState.IN_TRIAGE,
        responses=[ImpactAnalysisResponse.WILL_NOT_FIX],
        detail=f"{s.rule}: {s.reason}",
    )


def _justification(justification: str | None) -> ImpactAnalysisJustification | None:
    """The CycloneDX justification of a CycloneDX or OpenVEX one (``None`` for a value
    neither vocabulary has: the detail still carries it)."""
    from cyclonedx.model.impact_analysis import ImpactAnalysisJustification

    if not justification:
        return None
    word = OPENVEX_JUSTIFICATION.get(justification, justification)
    values = {j.value: j for j in ImpactAnalysisJustification}
    return values.get(word)
