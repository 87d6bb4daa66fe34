"""SPDX 2.3 writer (JSON and tag-value), built with ``spdx-tools``.

https://spdx.github.io/spdx-spec/v2.3/

Each component is a package (``filesAnalyzed: false``: an SBOM of dependencies, not of
files); the root project is what the document ``DESCRIBES``; the dependency graph is
``DEPENDS_ON``; PEP 770 nested components are packages the distribution ``CONTAINS``.
SPDX 2.3 has no vulnerability section: with vulnerabilities, each affected package gets
a ``SECURITY``/``advisory`` external reference per flaw, pointing at its OSV record.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pyward import __version__
from pyward._sbom._facts import DIGESTS, Document, Facts, clean_url, osv_page, valid_purl
from pyward._sbom._licenses import embedded_licenses, spdx_declared
from pyward._sbom._people import PartyKind, party_kind
from pyward._sbom._pep770 import Embedded
from pyward._text import json_invisible, json_lone_surrogates, plain_text

if TYPE_CHECKING:
    from pyward._advisory._types import Vulnerability

#: Replaced by the content-derived UUID once the document is rendered.
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
_NAMESPACE_ROOT = "https://spdx.org/spdxdocs/pyward"
_SERIAL_NAMESPACE = uuid.UUID("2b7f0c4e-8d6a-5e1f-b3c9-7a4d2e6f8b10")

#: CycloneDX algorithm name (lower case, no ``-``) -> SPDX algorithm, for the hashes of
#: embedded SBOMs, which are kept under their CycloneDX names.
_FROM_CYCLONEDX = {
    d.cyclonedx.lower().replace("-", ""): d.spdx for d in DIGESTS.values() if d.cyclonedx
}


class _Ids:
    """SPDX element ids (``SPDXRef-`` + letters, digits, ``.`` and ``-``), unique."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, *parts: str) -> str:
        slug = re.sub(r"[^A-Za-z0-9.-]+", "-", "-".join(p for p in parts if p)).strip("-") or "x"
        candidate = f"SPDXRef-{slug}"
        n = 2
        while candidate in self.used:
            candidate = f"SPDXRef-{slug}-{n}"
            n += 1
        self.used.add(candidate)
        return candidate


def render(
    doc: Document,
    *,
    tag_value: bool = False,
    vulnerabilities: Mapping[str, Sequence[Vulnerability]] | None = None,
) -> tuple[bytes, list[str]]:
    """The document as SPDX 2.3 JSON (or tag-value), and notes on what was left out:
    none, as every digest that ``prepare`` keeps has an SPDX algorithm.

    The document namespace ends in a UUIDv5 of the content (rendered with a nil UUID),
    so equal inventories at an equal ``SOURCE_DATE_EPOCH`` give byte-identical output.
    """
    document = build(doc, vulnerabilities or {})
    stream = io.StringIO()
    if tag_value:
        from spdx_tools.spdx.writer.tagvalue.tagvalue_writer import write_document

        write_document(document, stream)
    else:
        from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter

        converter = DocumentConverter()
        json.dump(converter.convert(document), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    text = stream.getvalue()
    # A file name that is not valid UTF-8 is shown escaped, control characters too
    # (issue 12, items 8 and 10).
    if tag_value:
        text = _TEXT_TAG.sub(_as_text_block, plain_text(text))
    else:
        text = json_invisible(json_lone_surrogates(text))
    serial = uuid.uuid5(_SERIAL_NAMESPACE, text)
    return text.replace(_PLACEHOLDER, str(serial)).encode(), []


# The free-text tags of SPDX 2.3 tag-value. spdx-tools writes a one-line value bare, and
# its own parser then reads a value that is a tag's name (a package summarised as
# ``ExternalRef``) as that tag: written as a ``<text>`` block, any value reads back.
_TEXT_TAGS = (
    "PackageSummary|PackageDescription|PackageComment|PackageAttributionText|"
    "PackageSourceInfo|PackageLicenseComments|ExternalRefComment|DocumentComment|"
    "CreatorComment|RelationshipComment|AnnotationComment|LicenseComment"
)
_TEXT_TAG = re.compile(rf"^({_TEXT_TAGS}): (?!<text>)(.*)$", re.MULTILINE)


def _as_text_block(m: re.Match[str]) -> str:
    value = m[2]
    if "</text>" in value:  # cannot be enclosed: left as spdx-tools wrote it
        return m[0]
    return f"{m[1]}: <text>{value}</text>"


def build(doc: Document, vulns: Mapping[str, Sequence[Vulnerability]]) -> Any:
    """The ``spdx_tools`` document (validated by the tests with
    ``validate_full_spdx_document``)."""
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.document import CreationInfo
    from spdx_tools.spdx.model.document import Document as SpdxDocument
    from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType

    ids = _Ids()
    ids.used.add("SPDXRef-DOCUMENT")
    license_refs: dict[tuple[str, str | None], str] = {}
    subject_name = doc.subject.component.display_name or doc.subject.component.name
    creators = [Actor(ActorType.TOOL, f"pyward-{__version__}")]
    for name, email in doc.authors:
        creators.append(Actor(ActorType.PERSON, _actor_name(name), email))
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"{subject_name}-sbom",
        document_namespace=f"{_NAMESPACE_ROOT}/{_slug(subject_name)}-{_PLACEHOLDER}",
        creators=creators,
        created=doc.timestamp,
    )
    spdx_id: dict[str, str] = {}
    packages = []
    relationships = []
    subject_id = ids.new("Root", subject_name, doc.subject.component.version or "")
    spdx_id[doc.subject.ref] = subject_id
    packages.append(_package(doc.subject, subject_id, license_refs, (), root=True))
    relationships.append(Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, subject_id))
    for facts in doc.components:
        c = facts.component
        pid = ids.new("Package", c.name, c.version or "")
        spdx_id[facts.ref] = pid
        packages.append(_package(facts, pid, license_refs, vulns.get(facts.ref, ())))
        for sbom in facts.embedded:
            local: dict[str, str] = {}
            if sbom.subject:
                local[sbom.subject] = pid

            def add(
                e: Embedded, parent: str, owner: str = pid, local: dict[str, str] = local
            ) -> None:
                eid = ids.new(
                    "Package", owner.removeprefix("SPDXRef-Package-"), e.name, e.version or ""
                )
                local.setdefault(e.ref, eid)
                packages.append(_embedded_package(e, eid, license_refs))
                relationships.append(Relationship(parent, RelationshipType.CONTAINS, eid))
                for child in e.children:
                    add(child, eid)

            for e in sbom.components:
                add(e, pid)
            for ref, targets in sbom.dependencies:
                if ref not in local:
                    continue
                for t in targets:
                    if t in local and local[t] != local[ref]:
                        relationships.append(
                            Relationship(local[ref], RelationshipType.DEPENDS_ON, local[t])
                        )
    for ref, targets in sorted(doc.dependencies.items()):
        for t in targets:
            relationships.append(
                Relationship(spdx_id[ref], RelationshipType.DEPENDS_ON, spdx_id[t])
            )
    extracted = [
        ExtractedLicensingInfo(
            license_id=ref,
            extracted_text=text
            or f"{name}: named by the package's metadata, whose licence text is not included",
            license_name=name,
        )
        for (name, text), ref in sorted(license_refs.items(), key=lambda kv: kv[1])
    ]
    return SpdxDocument(
        creation_info=info,
        packages=packages,
        relationships=relationships,
        extracted_licensing_info=extracted,
    )


def _ref_type(kind: str) -> str:
    # tag-value writes ``ExternalRef: CATEGORY TYPE LOCATOR``: no spaces in the type.
    return re.sub(r"\s+", "-", kind.strip()) or "other"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "project"


def _actor_name(name: str) -> str:
    # The tag-value form ``Person: NAME (EMAIL)`` cannot hold parentheses in NAME.
    return name.replace("(", "[").replace(")", "]")


def _package(
    facts: Facts,
    pid: str,
    license_refs: dict[tuple[str, str | None], str],
    vulns: Sequence[Vulnerability],
    *,
    root: bool = False,
) -> Any:
    from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
    from spdx_tools.spdx.model.package import (
        ExternalPackageRef,
        ExternalPackageRefCategory,
        PackagePurpose,
    )
    from spdx_tools.spdx.validation.uri_validators import validate_download_location

    c = facts.component
    checksums = [Checksum(ChecksumAlgorithm[DIGESTS[h.algorithm].spdx], h.value) for h in c.hashes]
    refs = []
    if c.purl:
        refs.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", c.purl))
    homepage = _homepage_and_others([(r.type, r.url, r.comment) for r in facts.references], refs)
    for v in vulns:
        refs.append(
            ExternalPackageRef(
                ExternalPackageRefCategory.SECURITY,
                "advisory",
                osv_page(v.id),
                f"{', '.join(v.ids)}: {v.advisories[0].summary or 'known vulnerability'}",
            )
        )
    download = None
    if c.source in ("url", "git") and c.source_url and not validate_download_location(c.source_url):
        download = c.source_url
    comment = None
    if c.metadata.get("hash_of") == "RECORD":
        comment = "SHA256 checksum: of the installed distribution's RECORD file"
    return _new_package(
        spdx_id=pid,
        name=c.display_name or c.name,
        version=c.version,
        supplier=facts.supplier,
        supplier_kind=facts.supplier_kind,
        authors=facts.authors,
        checksums=checksums,
        homepage=homepage,
        declared=spdx_declared(facts.licenses, license_refs),
        summary=c.metadata.get("summary"),
        refs=refs,
        download=download,
        comment=comment,
        purpose=PackagePurpose.APPLICATION if root else PackagePurpose.LIBRARY,
    )


def _embedded_package(
    e: Embedded, eid: str, license_refs: dict[tuple[str, str | None], str]
) -> Any:
    from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
    from spdx_tools.spdx.model.package import ExternalPackageRef, ExternalPackageRefCategory

    checksums = []
    for alg, value in e.hashes:
        name = _FROM_CYCLONEDX.get(alg.lower().replace("-", ""))
        if name:
            checksums.append(Checksum(ChecksumAlgorithm[name], value))
    refs = []
    purl = valid_purl(e.purl)
    if purl:
        refs.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl))
    # An unusable URL: the CycloneDX writer notes it; both formats leave it out.
    cleaned = ((kind, clean_url(raw)) for kind, raw in e.external_references)
    homepage = _homepage_and_others(((k, u, None) for k, u in cleaned if u is not None), refs)
    licenses = embedded_licenses(e.license_expressions, e.license_names)
    return _new_package(
        spdx_id=eid,
        name=e.name,
        version=e.version,
        supplier=(e.supplier, None) if e.supplier else None,
        supplier_kind=party_kind(e.supplier or ""),
        authors=e.authors,
        checksums=checksums,
        homepage=homepage,
        declared=spdx_declared(licenses, license_refs),
        summary=e.description,
        refs=refs,
    )


def _homepage_and_others(
    references: Iterable[tuple[str, str, str | None]], refs: list[Any]
) -> str | None:
    """The first valid ``website`` URL of (type, url, comment) ``references`` (SPDX's
    homepage); every other reference is added to ``refs`` as an ``OTHER`` reference."""
    from spdx_tools.spdx.model.package import ExternalPackageRef, ExternalPackageRefCategory
    from spdx_tools.spdx.validation.uri_validators import validate_url

    homepage: str | None = None
    for kind, url, comment in references:
        if kind == "website" and homepage is None and not validate_url(url):
            homepage = url
        else:
            refs.append(
                ExternalPackageRef(ExternalPackageRefCategory.OTHER, _ref_type(kind), url, comment)
            )
    return homepage


def _new_package(
    *,
    spdx_id: str,
    name: str,
    version: str | None,
    supplier: tuple[str, str | None] | None,
    supplier_kind: PartyKind,
    authors: Sequence[tuple[str, str | None]],
    checksums: list[Any],
    homepage: str | None,
    declared: str | None,
    summary: str | None,
    refs: list[Any],
    download: str | None = None,
    comment: str | None = None,
    purpose: Any = None,
) -> Any:
    """A package of a dependency SBOM (``filesAnalyzed: false``): the supplier, the
    first author the originator, NOASSERTION for what is not known. A party is one
    kind of actor in both roles: the author who is the supplier is classified as the
    supplier is; anyone else by name (issue 11, item 17)."""
    from spdx_tools.common.spdx_licensing import spdx_licensing
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.package import Package
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    def actor(who: str, email: str | None, kind: PartyKind) -> Any:
        kinds = {"person": ActorType.PERSON, "organization": ActorType.ORGANIZATION}
        return Actor(kinds[kind], _actor_name(who), email)

    originator = None
    if authors:
        author, email = authors[0]
        same = supplier is not None and supplier[0] == author
        originator = actor(author, email, supplier_kind if same else party_kind(author))
    return Package(
        spdx_id=spdx_id,
        name=name,
        download_location=download if download is not None else SpdxNoAssertion(),
        version=version,
        supplier=(
            actor(supplier[0], supplier[1], supplier_kind)
            if supplier is not None
            else SpdxNoAssertion()
        ),
        originator=originator,
        files_analyzed=False,
        checksums=checksums,
        homepage=homepage,
        license_concluded=SpdxNoAssertion(),
        license_declared=spdx_licensing.parse(declared) if declared else SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
        summary=summary,
        comment=comment,
        external_references=refs,
        primary_package_purpose=purpose,
    )
