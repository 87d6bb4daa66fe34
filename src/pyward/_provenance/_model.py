"""The records a PEP 740 verification returns: who published an artifact, and whether
every attestation of its provenance verified.

These are plain records with no dependency on the ``provenance`` extra, so a renderer
or the gate can read them without loading Sigstore.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = [
    "PUBLISHER_KINDS",
    "AttestationResult",
    "Publisher",
    "PublisherKind",
    "Trust",
    "Verification",
]

#: Which Sigstore instance's trust root a verification uses: ``production`` is the
#: public-good instance every index attestation is signed through; ``staging`` is its
#: test instance.
Trust: TypeAlias = Literal["production", "staging"]

#: The kinds of Trusted Publisher PEP 740 attestations come from, and ``other`` for a
#: certificate from an issuer none of them uses.
PublisherKind: TypeAlias = Literal["github", "gitlab", "google", "circleci", "other"]

#: Every :data:`PublisherKind`, in the order the docs list them.
PUBLISHER_KINDS: tuple[PublisherKind, ...] = ("github", "gitlab", "google", "circleci", "other")


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
