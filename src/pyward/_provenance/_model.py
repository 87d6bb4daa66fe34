"""The records a PEP 740 verification returns: who published an artifact, and whether
every attestation of its provenance verified.

These are plain records with no dependency on the ``provenance`` extra, so a renderer
or the gate can read them without loading Sigstore.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from pyward._model import Component, ComponentKey

__all__ = [
    "INDEX_KINDS",
    "PUBLISHER_KINDS",
    "ArtifactProvenance",
    "ArtifactStatus",
    "AttestationResult",
    "Coverage",
    "DigestFrom",
    "IdentityRecord",
    "PackageProvenance",
    "PackageStatus",
    "ProvenanceReport",
    "Publisher",
    "PublisherChange",
    "PublisherKind",
    "Trust",
    "Verification",
    "describe_record",
    "dist_key",
]

#: A publisher identity as PEP 751's ``[[packages.attestation-identities]]`` records it
#: and a PEP 740 provenance object's ``publisher`` names it: ``kind`` (``GitHub``,
#: ``GitLab``, ``Google``, ``CircleCI``) and the kind's own keys, top-level
#: (``repository``, ``workflow``, ``environment``; ``workflow_filepath``; ``email``;
#: ``project_id``, ``pipeline_definition_id``...).
IdentityRecord: TypeAlias = Mapping[str, str]

#: Which Sigstore instance's trust root a verification uses: ``production`` is the
#: public-good instance every index attestation is signed through; ``staging`` is its
#: test instance.
Trust: TypeAlias = Literal["production", "staging"]

#: The kinds of Trusted Publisher PEP 740 attestations come from, and ``other`` for a
#: certificate from an issuer none of them uses.
PublisherKind: TypeAlias = Literal["github", "gitlab", "google", "circleci", "other"]

#: Every :data:`PublisherKind`, in the order the docs list them.
PUBLISHER_KINDS: tuple[PublisherKind, ...] = ("github", "gitlab", "google", "circleci", "other")

#: A Trusted Publisher's kind as the index (and pypi-attestations, and a PEP 751
#: ``attestation-identities`` record) spells it.
INDEX_KINDS: Mapping[PublisherKind, str] = {
    "github": "GitHub",
    "gitlab": "GitLab",
    "google": "Google",
    "circleci": "CircleCI",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Publisher:
    """A publisher identity: the CI workflow of a repository that built and uploaded an
    artifact (or, as an expected identity, the one it must come from).

    As a verified identity, every field but ``environment`` is read from the signing
    certificate that Sigstore's certificate authority issued; ``environment`` is the
    index's record of the Trusted Publisher (the certificate does not carry it).
    As an expected identity, a field left ``None`` matches any value.
    """

    kind: PublisherKind
    """The Trusted Publisher's kind (the certificate's OIDC issuer)."""

    repository: str | None = None
    """``owner/name`` on GitHub, ``group/project`` on GitLab, the VCS origin on CircleCI
    (``github.com/org/repo``); ``None`` for Google Cloud."""

    workflow: str | None = None
    """The workflow file (``release.yml``, ``.gitlab-ci.yml``) or, on CircleCI, the
    pipeline definition id; ``None`` for Google Cloud."""

    environment: str | None = None
    """The CI environment the upload ran in, when the index records one."""

    identity: str | None = None
    """The Sigstore identity: the certificate's subject alternative name (the workflow
    URI, or a service account's e-mail address)."""

    record: IdentityRecord | None = field(default=None, hash=False, compare=False)
    """The Trusted Publisher as the provenance object names it (its ``publisher``, with
    ``kind`` as the index spells it), which the certificate was verified against: what
    ``pyward provenance --pin`` writes into ``attestation-identities``. ``None`` for a
    bare attestation (no provenance object around it) and for an expected identity."""

    def describe(self) -> str:
        """One phrase naming the publisher: ``github trailofbits/pypi-attestations
        release.yml (environment release)``."""
        parts: list[str] = [self.kind]
        if self.repository is not None:
            parts.append(self.repository)
        if self.workflow is not None:
            parts.append(self.workflow)
        if self.repository is None and self.workflow is None and self.identity is not None:
            parts.append(self.identity)
        text = " ".join(parts)
        if self.environment:
            text += f" (environment {self.environment})"
        return text

    def admits(self, other: Publisher) -> bool:
        """Whether ``other`` (a verified identity) is this expected publisher: the same
        kind, and every field this one sets equal (repositories compare without regard
        to case on GitHub and GitLab, whose slugs do not)."""
        if self.kind != other.kind:
            return False
        fold = self.kind in {"github", "gitlab"}
        for want, got in (
            (self.repository, other.repository),
            (self.workflow, other.workflow),
            (self.environment, other.environment),
            (self.identity, other.identity),
        ):
            if want is None:
                continue
            if got is None:
                return False
            if (want.casefold() != got.casefold()) if fold else (want != got):
                return False
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class AttestationResult:
    """The outcome for one attestation of a provenance object."""

    predicate_type: str | None
    """The in-toto predicate type (PEP 740's publish type,
    ``pypi_attestations.AttestationType.PYPI_PUBLISH_V1``, or
    ``https://slsa.dev/provenance/v1``); ``None`` when the statement could not be read."""

    publisher: Publisher | None
    """The identity in the signing certificate (``None`` when it could not be read)."""

    reason: str | None = None
    """Why it failed, one line (``invalid signature``); ``None`` when it verified."""

    detail: str | None = None
    """The verifier's own message behind ``reason``, when it adds something."""

    @property
    def verified(self) -> bool:
        """Whether this attestation verified."""
        return self.reason is None


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    """The outcome for one artifact: verified when every attestation of its provenance
    verified against the artifact's digest, the trust root and the publisher; failed
    otherwise, with the first failure's reason."""

    filename: str
    """The artifact's file name (``pypi_attestations-0.0.19.tar.gz``)."""

    sha256: str
    """The artifact's SHA-256 the attestations were checked against (lower-case hex)."""

    trust: Trust
    """The Sigstore trust root used."""

    publisher: Publisher | None
    """The verified publisher (``None`` when verification failed before one was known)."""

    attestations: tuple[AttestationResult, ...]
    """Every attestation's outcome, in the provenance object's order."""

    reason: str | None = None
    """Why verification failed, one line; ``None`` when it verified."""

    @property
    def verified(self) -> bool:
        """Whether every attestation verified."""
        return self.reason is None

    @property
    def predicate_types(self) -> tuple[str, ...]:
        """The predicate types of the attestations that verified."""
        return tuple(a.predicate_type for a in self.attestations if a.verified and a.predicate_type)

    def describe(self) -> str:
        """One line: ``verified: github owner/repo release.yml`` or ``failed: REASON``."""
        if self.reason is None:
            who = self.publisher.describe() if self.publisher is not None else "unknown"
            return f"{self.filename}: verified: {who}"
        return f"{self.filename}: failed: {self.reason}"


#: Where the SHA-256 an artifact was verified against comes from: the lock (or other
#: input) itself; the index's page, for an input that records the file but not its
#: digest (an installed wheel: the installer keeps none); the installer's own record
#: (``direct_url.json``'s archive hash).
DigestFrom: TypeAlias = Literal["lock", "index", "installer"]

#: One artifact's outcome: every attestation verified (against the pinned identity,
#: when one is pinned); verification failed; the index has no provenance for it; or it
#: could not be had (offline with nothing cached, a server error, no index, no digest).
ArtifactStatus: TypeAlias = Literal["verified", "failed", "none", "unavailable"]

#: One package's outcome, from its artifacts' (worst first): a verified publisher other
#: than the pinned one; a failed verification; some artifacts attested and others not;
#: no provenance for any; an artifact whose provenance could not be had; every artifact
#: verified. ``no-artifacts``: the input records no file and no digest for it.
PackageStatus: TypeAlias = Literal[
    "changed", "failed", "partial", "none", "unavailable", "verified", "no-artifacts"
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ArtifactProvenance:
    """What was found for one distribution file of a package."""

    filename: str
    """The file's name."""
    sha256: str | None
    """The digest its attestations were checked against (``None``: none was known)."""
    digest_from: DigestFrom
    """Where that digest comes from."""
    status: ArtifactStatus
    """The outcome."""
    verification: Verification | None = None
    """The verification, when one ran (``verified`` and ``failed`` after a check)."""
    reason: str | None = None
    """Why it failed or could not be had, one line; ``None`` when verified or when the
    index has no provenance."""
    url: str | None = None
    """Where its provenance object was asked for (the project page's per-file
    ``provenance`` link, else the index's integrity API), credentials redacted; ``None``
    when none was asked. CycloneDX output links a verified artifact's attestations here."""

    @property
    def publisher(self) -> Publisher | None:
        """The verified publisher, when it verified."""
        if self.status != "verified" or self.verification is None:
            return None
        return self.verification.publisher


@dataclass(frozen=True, slots=True, kw_only=True)
class PublisherChange:
    """A verified publisher that is none of the identities pinned for its project."""

    pinned: tuple[IdentityRecord, ...]
    """The identities pinned for the project."""
    found: Publisher
    """The publisher the artifact's attestations verified for."""
    filename: str
    """The artifact that shows the change."""
    pinned_in: str
    """The file the pins are read from (``pylock.toml``, ``attestation-identities.toml``)."""

    def describe(self) -> str:
        """One line: ``publisher changed: pinned github a/b release.yml, now github
        c/d publish.yml (FILE)``."""
        old = "; ".join(describe_record(r) for r in self.pinned) or "none"
        return f"publisher changed: pinned {old}, now {self.found.describe()} ({self.filename})"


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageProvenance:
    """What was found for one package (one component) of the inputs."""

    component: Component
    """The package."""
    path: tuple[ComponentKey, ...] = ()
    """Its dependency path from a direct dependency."""
    artifacts: tuple[ArtifactProvenance, ...] = ()
    """Each of its files, in the input's order."""
    pinned: tuple[IdentityRecord, ...] = ()
    """The identities pinned for its project (``attestation-identities``), if any."""
    pinned_in: str | None = None
    """Where those pins are written."""
    change: PublisherChange | None = None
    """A verified publisher the pins do not admit."""
    notes: tuple[str, ...] = ()
    """What a person should know (a recorded digest no file on the index has; the
    installed files not compared with the index's wheel)."""

    @property
    def publishers(self) -> tuple[Publisher, ...]:
        """The distinct verified publishers of its artifacts, in order."""
        seen: dict[Publisher, None] = {}
        for artifact in self.artifacts:
            if artifact.publisher is not None:
                seen.setdefault(artifact.publisher)
        return tuple(seen)

    @property
    def status(self) -> PackageStatus:
        """The package's outcome (see :data:`PackageStatus`)."""
        if self.change is not None:
            return "changed"
        states = {a.status for a in self.artifacts}
        if not states:
            return "no-artifacts"
        if "failed" in states:
            return "failed"
        if "verified" in states:
            return "verified" if states == {"verified"} else "partial"
        if "unavailable" in states:
            return "unavailable"
        return "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """How much of the inputs is attested."""

    packages: int
    """Packages with at least one artifact to check."""
    packages_attested: int
    """Of these, packages every artifact of which verified."""
    artifacts: int
    """Artifacts checked."""
    artifacts_attested: int
    """Of these, artifacts that verified."""
    unattested_direct: tuple[str, ...] = ()
    """Direct dependencies (``name==version``) known to have no provenance (the index
    has none for any of their files, or the input records no file), sorted. A failed
    verification is a finding of its own; a package whose provenance could not be had
    is counted in :attr:`packages_unavailable`, not here."""
    packages_unavailable: int = 0
    """Packages whose provenance could not be had (offline with nothing cached, a
    server error, no index): neither attested nor known not to be."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvenanceReport:
    """Everything ``pyward provenance`` found: per package, coverage, and what it used."""

    packages: tuple[PackageProvenance, ...]
    """Every registry package with a version, in the inputs' order."""
    coverage: Coverage
    """How much is attested."""
    trust: Trust = "production"
    """The Sigstore instance whose trust root was used."""
    trust_root: str = "bundled"
    """Where that trust root came from: ``bundled`` (the one ``sigstore`` ships) or the
    file it was read from."""
    pinned: Mapping[str, str] = field(default_factory=dict)
    """Pin file -> what ``--pin`` did to it (``3 projects pinned``), when it ran."""
    notes: tuple[str, ...] = ()
    """Indexes passed over, server errors and time-outs (``5xx`` and time-outs are
    notes, not failures), inputs that record no artifacts."""


def describe_record(record: IdentityRecord) -> str:
    """One phrase naming a pinned identity: ``GitHub python-attrs/attrs
    pypi-package.yml (environment release-pypi)``."""
    kind = record.get("kind", "?")
    main = [
        record[key]
        for key in ("repository", "vcs_origin", "email", "project_id")
        if record.get(key)
    ][:1]
    workflow = [
        record[key]
        for key in ("workflow", "workflow_filepath", "pipeline_definition_id")
        if record.get(key)
    ][:1]
    text = " ".join([kind, *main, *workflow])
    if record.get("environment"):
        text += f" (environment {record['environment']})"
    return text


def dist_key(filename: str) -> tuple[object, ...] | None:
    """What identifies a distribution file whatever its spelling (a wheel's name from its
    ``WHEEL`` tags may escape or order them otherwise than the index's): its kind,
    project, version (and a wheel's build tag and tags); ``None`` for a name that is no
    distribution's."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if filename.endswith(".whl"):
            name, version, build, tags = parse_wheel_filename(filename)
            return ("wheel", name, version, build, tags)
        if filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
            return ("sdist", name, version)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None
