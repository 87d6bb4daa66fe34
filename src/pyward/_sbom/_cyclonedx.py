"""CycloneDX 1.6 writer (JSON and XML), built with ``cyclonedx-python-lib``.

https://cyclonedx.org/docs/1.6/json/
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pyward import __version__
from pyward._audit._severity import rate
from pyward._findings import Rating
from pyward._render._cyclonedx_vex import MALWARE_CWE, cyclonedx_ratings
from pyward._sbom._facts import DIGESTS, Document, Facts, clean_url, osv_page
from pyward._sbom._licenses import License, embedded_licenses, spdx_declared
from pyward._sbom._pep770 import Embedded, EmbeddedSbom
from pyward._text import json_lone_surrogates, xml_safe
from pyward._wire import rfc3339

if TYPE_CHECKING:
    from cyclonedx.model import XsUri
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    from cyclonedx.model.vulnerability import Vulnerability as CdxVulnerability
    from cyclonedx.model.vulnerability import VulnerabilityRating, VulnerabilitySource

    from pyward._advisory._types import Vulnerability
    from pyward._provenance._model import ProvenanceReport

#: Namespace of the serial numbers pyward derives from a document's content.
SERIAL_NAMESPACE = uuid.UUID("6f0e2a9c-4b1d-5c3e-9a7f-2d8e6b4c1a30")


def render(
    doc: Document,
    *,
    xml: bool = False,
    vulnerabilities: Mapping[str, Sequence[Vulnerability]] | None = None,
    provenance: ProvenanceReport | None = None,
) -> tuple[bytes, list[str]]:
    """The document as CycloneDX 1.6 JSON (or XML), and notes on what was left out.

    ``provenance``: each component's verified publisher, as
    :func:`pyward._sbom._provenance.add_provenance` writes it.

    The serial number is a UUIDv5 of the document's own content (rendered with a nil
    serial), so equal inventories at an equal ``SOURCE_DATE_EPOCH`` give byte-identical
    output, and different content never shares a serial.
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        # The library warns while the model is built (a version longer than 1024
        # characters): a note of ours, not its source line on stderr (issue 12, item 14).
        warnings.simplefilter("always")
        bom = _bom(doc, notes, vulnerabilities or {})
        if provenance is not None:
            from pyward._sbom._provenance import add_provenance

            notes.extend(add_provenance(bom, provenance))
    notes.extend(dict.fromkeys(f"CycloneDX: {w.message}" for w in caught))
    nil = uuid.UUID(int=0)
    bom.serial_number = nil
    text = _output(bom, xml)
    # Rendered once, not again with the real serial: the library's serialisation is
    # the slow part of a large document, and the nil serial occurs once in the text.
    serial = uuid.uuid5(SERIAL_NAMESPACE, text)
    return text.replace(f"urn:uuid:{nil}", f"urn:uuid:{serial}", 1).encode(), notes


def _output(bom: Bom, xml: bool) -> str:
    from cyclonedx.output.json import JsonV1Dot6
    from cyclonedx.output.xml import XmlV1Dot6

    with warnings.catch_warnings():
        # The library warns about things it cannot know are deliberate (e.g. a root
        # component without dependencies); the document is validated in tests instead.
        warnings.simplefilter("ignore")
        # Names from disk may hold lone surrogates (not valid UTF-8) and control
        # characters, which XML 1.0 cannot hold: shown escaped (issue 12, item 10).
        if xml:
            from xml.dom.minidom import parseString  # nosec B408 - parses our own text

            # Indented as the library does (``output_as_string(indent=2)``), once the
            # text is valid XML.
            flat = xml_safe(XmlV1Dot6(bom).output_as_string())
            # Our own text, just written by the library, never input:
            pretty = parseString(flat).toprettyxml(indent="  ")  # noqa: S318 # nosec B318
            return xml_safe(pretty) + "\n"  # minidom wrote character references raw
        return json_lone_surrogates(JsonV1Dot6(bom).output_as_string(indent=2)) + "\n"


def _bom(doc: Document, notes: list[str], vulns: Mapping[str, Sequence[Vulnerability]]) -> Bom:
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from cyclonedx.model.contact import OrganizationalContact
    from cyclonedx.model.dependency import Dependency
    from cyclonedx.model.tool import ToolRepository

    tool = CdxComponent(
        type=ComponentType.APPLICATION,
        name="pyward",
        version=__version__,
        bom_ref=f"tool:pyward@{__version__}",
        description="pyward: supply-chain security for Python",
    )
    subject = _component(doc.subject, notes, ComponentType.APPLICATION)
    authors = [OrganizationalContact(name=n, email=e) for n, e in doc.authors] or [
        OrganizationalContact(name=f"pyward {__version__} (automated)")
    ]
    bom = Bom(
        metadata=BomMetaData(
            tools=ToolRepository(components=[tool]),
            authors=authors,
            component=subject,
            timestamp=doc.timestamp,
        )
    )
    by_ref: dict[str, CdxComponent] = {doc.subject.ref: subject}
    nested_deps: list[tuple[str, tuple[str, ...]]] = []
    for facts in doc.components:
        comp = _component(facts, notes, ComponentType.LIBRARY)
        for sbom in facts.embedded:
            children, deps = _embedded(facts.ref, sbom, notes, by_ref)
            comp.components.update(children)
            nested_deps.extend(deps)
        bom.components.add(comp)
        by_ref[facts.ref] = comp
    # Every component gets an entry (an empty one says "depends on nothing known"),
    # built directly: ``Bom.register_dependency`` is linear per call.
    graph: dict[str, set[str]] = {ref: set() for ref in by_ref}
    for ref, targets in doc.dependencies.items():
        graph[ref].update(targets)
    for ref, targets in nested_deps:
        graph[ref].update(t for t in targets if t in by_ref)
    bom.dependencies = [
        Dependency(
            ref=by_ref[ref].bom_ref,
            dependencies=[Dependency(ref=by_ref[t].bom_ref) for t in sorted(targets)],
        )
        for ref, targets in sorted(graph.items())
    ]
    if vulns:
        for v in _vulnerabilities(doc, vulns, notes):
            bom.vulnerabilities.add(v)
    return bom


def _component(facts: Facts, notes: list[str], kind: object) -> CdxComponent:
    from cyclonedx.model import (
        ExternalReference,
        ExternalReferenceType,
        HashAlgorithm,
        HashType,
        Property,
    )
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
    from packageurl import PackageURL

    c = facts.component
    hashes = []
    for h in c.hashes:
        alg = DIGESTS[h.algorithm].cyclonedx
        if alg is None:
            notes.append(f"{c.key}: {h.algorithm} hash left out (not a CycloneDX algorithm)")
            continue
        hashes.append(HashType(alg=HashAlgorithm(alg), content=h.value))
    refs = []
    for r in facts.references:
        try:
            refs.append(
                ExternalReference(
                    type=ExternalReferenceType(r.type), url=_uri(r.url), comment=r.comment
                )
            )
        except ValueError as exc:
            notes.append(f"{c.key}: external reference {r.url!r} left out ({exc})")
    props = []
    if c.metadata.get("hash_of") == "RECORD":
        props.append(Property(name="pyward:hash:sha256:of", value="RECORD"))
    if c.source not in ("registry", "virtual"):
        props.append(Property(name="pyward:source", value=c.source))
    if c.location is not None and c.source != "virtual":
        props.append(Property(name="pyward:location", value=c.location.file))
    for group in sorted(c.groups):
        props.append(Property(name="pyward:group", value=group))
    if c.markers:
        props.append(Property(name="pyward:marker", value=c.markers))
    for extra in sorted(c.extras):
        props.append(Property(name="cdx:python:package:required-extra", value=extra))
    supplier = None
    if facts.supplier is not None:
        name, email = facts.supplier
        supplier = OrganizationalEntity(
            name=name, contacts=[OrganizationalContact(name=name, email=email)] if email else None
        )
    from cyclonedx.model.component import ComponentType

    return CdxComponent(
        type=kind if isinstance(kind, ComponentType) else ComponentType.LIBRARY,
        bom_ref=facts.ref,
        name=c.display_name or c.name,
        version=c.version,
        description=c.metadata.get("summary"),
        purl=PackageURL.from_string(c.purl) if c.purl else None,
        hashes=hashes,
        licenses=_licenses(facts.licenses),
        supplier=supplier,
        authors=[OrganizationalContact(name=n, email=e) for n, e in facts.authors],
        external_references=refs,
        properties=props,
    )


def _uri(url: str) -> XsUri:
    """``url`` cleaned by :func:`pyward._sbom._facts.clean_url` as an ``XsUri``;
    ``ValueError`` when it is not an absolute URL."""
    from cyclonedx.exception.model import InvalidUriException
    from cyclonedx.model import XsUri

    fixed = clean_url(url)
    if fixed is None:
        raise ValueError(f"{url!r} is not an absolute URL")
    try:
        return XsUri(fixed)
    except InvalidUriException as exc:
        raise ValueError(str(exc)) from None


def _uri_or_none(url: str) -> XsUri | None:
    try:
        return _uri(url)
    except ValueError:
        return None


def _licenses(licenses: Iterable[License]) -> list[LicenseExpression | DisjunctiveLicense]:
    """CycloneDX allows one expression, or a list of ids/names: never both."""
    from cyclonedx.model import AttachedText
    from cyclonedx.model.license import (
        DisjunctiveLicense,
        LicenseAcknowledgement,
        LicenseExpression,
    )

    items = list(licenses)
    declared = LicenseAcknowledgement.DECLARED
    compound = [lic for lic in items if lic.expression and not lic.is_single_id]
    if compound and len(items) == 1:
        return [LicenseExpression(str(compound[0].expression), acknowledgement=declared)]
    if compound:
        # several licences, one a compound expression: join them as SPDX does.
        ref_for: dict[tuple[str, str | None], str] = {}
        joined = spdx_declared(tuple(items), ref_for)
        return [LicenseExpression(str(joined), acknowledgement=declared)]
    out: list[LicenseExpression | DisjunctiveLicense] = []
    for lic in items:
        if lic.expression:
            out.append(DisjunctiveLicense(id=lic.expression, acknowledgement=declared))
        elif lic.name:
            text = AttachedText(content=lic.text) if lic.text else None
            out.append(DisjunctiveLicense(name=lic.name, text=text, acknowledgement=declared))
    return out


def _embedded(
    owner_ref: str,
    sbom: EmbeddedSbom,
    notes: list[str],
    by_ref: dict[str, CdxComponent],
) -> tuple[list[CdxComponent], list[tuple[str, tuple[str, ...]]]]:
    """Components of an embedded SBOM, with refs made unique under their distribution;
    the embedded document's subject is the distribution itself."""
    prefix = f"{owner_ref}|{sbom.file}|"
    refmap: dict[str, str] = {}
    if sbom.subject:
        refmap[sbom.subject] = owner_ref

    def build(e: Embedded) -> CdxComponent:
        from cyclonedx.model import (
            ExternalReference,
            ExternalReferenceType,
            HashAlgorithm,
            HashType,
        )
        from cyclonedx.model.component import Component as CdxComponent
        from cyclonedx.model.component import ComponentType
        from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
        from packageurl import PackageURL

        ref = prefix + e.ref
        n = 2
        while ref in by_ref:
            ref = f"{prefix}{e.ref}#{n}"
            n += 1
        refmap.setdefault(e.ref, ref)
        purl = None
        if e.purl:
            try:
                purl = PackageURL.from_string(e.purl)
            except ValueError:
                notes.append(f"{sbom.file}: {e.ref}: purl {e.purl!r} is not valid; left out")
        hashes = []
        for alg, value in e.hashes:
            try:
                hashes.append(HashType(alg=HashAlgorithm(alg), content=value))
            except ValueError:
                notes.append(f"{sbom.file}: {e.ref}: hash {alg} left out (unknown algorithm)")
        refs = []
        for kind, url in e.external_references:
            try:
                uri = _uri(url)
            except ValueError as exc:
                notes.append(f"{sbom.file}: {e.ref}: external reference left out ({exc})")
                continue
            try:
                refs.append(ExternalReference(type=ExternalReferenceType(kind), url=uri))
            except ValueError:
                refs.append(
                    ExternalReference(type=ExternalReferenceType.OTHER, url=uri, comment=kind)
                )
        try:
            ctype = ComponentType(e.type)
        except ValueError:
            ctype = ComponentType.LIBRARY
        comp = CdxComponent(
            type=ctype,
            bom_ref=ref,
            name=e.name,
            version=e.version,
            description=e.description,
            purl=purl,
            hashes=hashes,
            licenses=_licenses(embedded_licenses(e.license_expressions, e.license_names)),
            supplier=OrganizationalEntity(name=e.supplier) if e.supplier else None,
            authors=[OrganizationalContact(name=n_, email=m) for n_, m in e.authors],
            external_references=refs,
            components=[build(child) for child in e.children],
        )
        by_ref[ref] = comp
        return comp

    children = [build(e) for e in sbom.components]
    deps: list[tuple[str, tuple[str, ...]]] = []
    for ref, targets in sbom.dependencies:
        src = refmap.get(ref)
        if src is None:
            continue
        deps.append((src, tuple(refmap[t] for t in targets if t in refmap and refmap[t] != src)))
    return children, deps


def _vulnerabilities(
    doc: Document, vulns: Mapping[str, Sequence[Vulnerability]], notes: list[str]
) -> list[CdxVulnerability]:
    """One CycloneDX vulnerability per flaw, affecting every component it matched."""
    from cyclonedx.model.impact_analysis import ImpactAnalysisAffectedStatus
    from cyclonedx.model.vulnerability import (
        BomTarget,
        BomTargetVersionRange,
        VulnerabilityAdvisory,
        VulnerabilityReference,
    )
    from cyclonedx.model.vulnerability import (
        Vulnerability as CdxVuln,
    )

    version_of = {f.ref: f.component.version or "" for f in doc.components}
    by_id: dict[str, tuple[Vulnerability, list[tuple[str, str]]]] = {}
    for ref, found in vulns.items():
        version = version_of.get(ref, "")
        for v in found:
            entry = by_id.setdefault(v.id, (v, []))
            entry[1].append((ref, version))
    from pyward._checks._advisories import malicious_group

    out: list[CdxVulnerability] = []
    for vid, (v, targets) in sorted(by_id.items()):
        advisory = v.advisories[0]
        fixed = sorted({f for m in v.matches for f in m.fixed})
        malicious = malicious_group(v)
        if malicious:
            recommendation: str | None = "Remove it: a malicious release (OSV MAL record)."
        else:
            recommendation = f"Upgrade to {' or '.join(fixed)}" if fixed else None
        urls = sorted({r["url"] for a in v.advisories for r in a.references if r.get("url")})
        out.append(
            CdxVuln(
                bom_ref=f"vulnerability:{vid}",
                id=vid,
                source=_source(vid),
                references=[
                    VulnerabilityReference(id=alias, source=_source(alias)) for alias in v.ids[1:]
                ],
                ratings=_ratings(v, notes),
                description=advisory.summary,
                detail=advisory.details,
                recommendation=recommendation,
                cwes=[MALWARE_CWE] if malicious else [],
                advisories=[VulnerabilityAdvisory(url=u) for u in map(_uri_or_none, urls) if u],
                published=_time(advisory.published),
                updated=_time(advisory.modified),
                affects=[
                    BomTarget(
                        ref=ref,
                        versions=[
                            BomTargetVersionRange(
                                version=version, status=ImpactAnalysisAffectedStatus.AFFECTED
                            )
                        ],
                    )
                    for ref, version in sorted(targets)
                ],
            )
        )
    return out


def _source(vid: str) -> VulnerabilitySource:
    from cyclonedx.model import XsUri
    from cyclonedx.model.vulnerability import VulnerabilitySource

    return VulnerabilitySource(name="OSV", url=XsUri(osv_page(vid)))


def flaw_rating(v: Vulnerability, notes: list[str]) -> Rating:
    """The flaw rated as ``pyward audit`` rates it: a malicious release critical, as the
    malicious check rates it, else by its advisories; a vector that cannot be scored is
    a note, as in the audit. The SBOM's HTML summary rates with it too."""
    from pyward._checks._advisories import malicious_group

    if malicious_group(v):
        return Rating(level="critical", type="check")
    rating, warnings = rate(v.advisories)
    notes.extend(warnings)
    return rating


def _ratings(v: Vulnerability, notes: list[str]) -> list[VulnerabilityRating]:
    """The flaw's rating in the ratings CycloneDX VEX output carries."""
    return cyclonedx_ratings(flaw_rating(v, notes), _source(v.id))


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return rfc3339(text)
