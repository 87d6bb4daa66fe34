"""Verified provenance in CycloneDX (issue 15): what ``pyward sbom --provenance`` and
``--format cyclonedx-vex`` say about who published each component.

CycloneDX (1.5, 1.6) has no field for "this component's files were verified to come
from that CI workflow of that repository". What the format does allow, per component
of the report:

* ``properties`` in pyward's namespace, for every package with provenance:
  ``pyward:provenance:status`` (``verified``, ``partial``, ``changed``, ``failed``,
  ``none``, ``unavailable``, ``no-artifacts``: :data:`~pyward._provenance._model.PackageStatus`),
  ``pyward:provenance:artifacts`` and ``pyward:provenance:verified-artifacts`` (counts),
  and for each verified publisher ``pyward:provenance:publisher-kind``, ``repository``,
  ``workflow``, ``environment`` and ``identity`` (the Sigstore certificate's subject).
* ``externalReferences``, only for a package whose artifacts verified (``verified`` or
  ``partial``; never for a publisher change, whose new publisher is what is in
  question): ``vcs``, the repository on its source host (GitHub, GitLab, and the VCS
  origin a CircleCI publisher names); ``build-system``, the workflow's page on GitHub
  or the pipelines of a GitLab project; ``build-meta``, the workflow file at the
  signed ref; ``attestation``, each verified artifact's provenance object where the
  run asked for it. Each carries the comment ``verified publisher (PEP 740)``.
* the document's ``metadata.properties``: ``pyward:provenance:trust`` (the Sigstore
  instance and trust root) and ``pyward:provenance:coverage`` (the coverage line).

The repository URLs are derived from the publisher's kind: GitHub and GitLab Trusted
Publishers are projects on github.com and gitlab.com (the only hosts their OIDC issuers
serve), so these are source hosts, never a package index.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pyward._model import canonical_name
from pyward._render._provenance import coverage_text, trust_text

if TYPE_CHECKING:
    from cyclonedx.model import ExternalReference, Property, XsUri
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component as CdxComponent

    from pyward._provenance._model import PackageProvenance, ProvenanceReport, Publisher

__all__ = ["PROPERTY_PREFIX", "VERIFIED_COMMENT", "add_provenance", "publisher_links"]

#: The namespace of pyward's provenance properties.
PROPERTY_PREFIX = "pyward:provenance:"

#: The comment on every external reference taken from a verified publisher.
VERIFIED_COMMENT = "verified publisher (PEP 740)"


def add_provenance(target: Bom | Iterable[CdxComponent], report: ProvenanceReport) -> list[str]:
    """Add ``report``'s provenance to the components of ``target`` (a whole document, or
    its components), matching each package by package URL, else by name and version.

    A whole document also gets the trust root and the coverage as properties of its
    metadata. Returns notes: the packages of the report that the document does not list.
    """
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom

    if isinstance(target, Bom):
        components: list[CdxComponent] = list(target.components)
        target.metadata.properties.update(
            [
                Property(name=f"{PROPERTY_PREFIX}trust", value=trust_text(report)),
                Property(name=f"{PROPERTY_PREFIX}coverage", value=coverage_text(report)),
            ]
        )
    else:
        components = list(target)
    by_purl: dict[str, CdxComponent] = {}
    by_name: dict[tuple[str, str], CdxComponent] = {}
    for comp in components:
        if comp.purl is not None:
            by_purl.setdefault(_purl_key(comp.purl.to_string()), comp)
        by_name.setdefault((canonical_name(comp.name), comp.version or ""), comp)
    notes: list[str] = []
    for package in report.packages:
        c = package.component
        found = by_purl.get(_purl_key(c.purl)) if c.purl else None
        if found is None:
            found = by_name.get((canonical_name(c.name), c.version or ""))
        if found is None:
            notes.append(f"provenance of {c.key}: no such component in the SBOM")
            continue
        found.properties.update(_properties(package))
        found.external_references.update(_references(package, notes))
    return notes


def _properties(package: PackageProvenance) -> list[Property]:
    from cyclonedx.model import Property

    verified = sum(a.status == "verified" for a in package.artifacts)
    props = [
        Property(name=f"{PROPERTY_PREFIX}status", value=package.status),
        Property(name=f"{PROPERTY_PREFIX}artifacts", value=str(len(package.artifacts))),
        Property(name=f"{PROPERTY_PREFIX}verified-artifacts", value=str(verified)),
    ]
    for publisher in package.publishers:
        for key, value in (
            ("publisher-kind", publisher.kind),
            ("repository", publisher.repository),
            ("workflow", publisher.workflow),
            ("environment", publisher.environment),
            ("identity", publisher.identity),
        ):
            if value:
                props.append(Property(name=f"{PROPERTY_PREFIX}{key}", value=value))
    return props


def _references(package: PackageProvenance, notes: list[str]) -> list[ExternalReference]:
    """The verified publishers' repositories, build systems and workflow files, and the
    verified artifacts' provenance objects (:func:`publisher_links`)."""
    from cyclonedx.model import ExternalReference, ExternalReferenceType

    if package.status not in ("verified", "partial"):
        return []
    links: list[tuple[str, str]] = []
    for publisher in package.publishers:
        links.extend(publisher_links(publisher))
    links.extend(
        ("attestation", a.url)
        for a in package.artifacts
        if a.status == "verified" and a.url is not None
    )
    refs = []
    for kind, url in dict.fromkeys(links):
        uri = _uri(url)
        if uri is None:
            notes.append(f"provenance of {package.component.key}: {url!r} is not a URL; left out")
            continue
        refs.append(
            ExternalReference(type=ExternalReferenceType(kind), url=uri, comment=VERIFIED_COMMENT)
        )
    return refs


def publisher_links(publisher: Publisher) -> list[tuple[str, str]]:
    """(CycloneDX external reference type, URL) for a verified publisher: its repository
    (``vcs``), its build system (``build-system``) and its workflow file at the signed
    ref (``build-meta``), where its kind says where they are; empty for Google Cloud
    Build (a service account, no repository) and an unknown issuer."""
    repository = publisher.repository
    if repository is None or publisher.kind not in ("github", "gitlab", "circleci"):
        return []
    if publisher.kind == "circleci":
        # The VCS origin: ``github.com/org/repo``.
        return [("vcs", f"https://{repository}")] if "/" in repository else []
    host = "https://github.com" if publisher.kind == "github" else "https://gitlab.com"
    base = f"{host}/{repository}"
    links = [("vcs", base)]
    workflow = publisher.workflow
    if workflow is None:
        return links
    if publisher.kind == "github":
        path = f".github/workflows/{workflow}"
        ref = _signed_ref(publisher.identity, f"{base}/{path}@")
        links.append(("build-system", f"{base}/actions/workflows/{workflow}"))
        links.append(("build-meta", f"{base}/blob/{ref}/{path}"))
    else:
        ref = _signed_ref(publisher.identity, f"{base}//{workflow}@")
        links.append(("build-system", f"{base}/-/pipelines"))
        links.append(("build-meta", f"{base}/-/blob/{ref}/{workflow}"))
    return links


def _signed_ref(identity: str | None, prefix: str) -> str:
    """The branch or tag the certificate's identity (``WORKFLOW_URI@refs/tags/v1``)
    names, when it is the publisher's own workflow (a reusable workflow's identity names
    another repository); else ``HEAD``."""
    if identity is None or not identity.startswith(prefix):
        return "HEAD"
    ref = identity[len(prefix) :]
    for head in ("refs/tags/", "refs/heads/"):
        if ref.startswith(head):
            return ref[len(head) :] or "HEAD"
    return ref or "HEAD"


def _uri(url: str) -> XsUri | None:
    from cyclonedx.exception.model import InvalidUriException
    from cyclonedx.model import XsUri

    from pyward._sbom._facts import clean_url

    fixed = clean_url(url)
    if fixed is None:
        return None
    try:
        return XsUri(fixed)
    except InvalidUriException:
        return None


def _purl_key(purl: str) -> str:
    """A package URL as the library writes it (qualifiers sorted), for matching."""
    from packageurl import PackageURL

    try:
        return str(PackageURL.from_string(purl).to_string())
    except ValueError:
        return purl
