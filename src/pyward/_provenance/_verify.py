"""PEP 740 verification with ``pypi-attestations`` and ``sigstore``, fully offline.

Each attestation is a DSSE envelope signed with a short-lived certificate that
Sigstore's certificate authority issued to a CI workflow's OIDC identity, and logged in
Sigstore's transparency log. :func:`verify` checks, for every attestation of a
provenance object (https://peps.python.org/pep-0740/#provenance-objects):

1. the bundle against the trust root bundled in the ``sigstore`` package (certificate
   chain at the logged time, transparency-log inclusion, the envelope's signature);
2. the certificate against the Trusted Publisher the provenance names (the policy
   ``pypi-attestations`` derives from it);
3. the signed statement's single subject against the artifact's file name and SHA-256,
   and its predicate type against those PEP 740 knows;
4. the certificate's identity against an expected publisher, when one is given.

The trust root is read from the installed ``sigstore`` package, never through TUF (no
network, nothing read from or written to the home directory).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pydantic
import sigstore.errors
from cryptography import x509
from pypi_attestations import Attestation, AttestationType, ConversionError, Provenance
from sigstore._internal.tuf import DEFAULT_TUF_URL, STAGING_TUF_URL
from sigstore._utils import read_embedded
from sigstore.models import TrustedRoot
from sigstore.verify.policy import VerificationPolicy
from sigstore.verify.verifier import Verifier
from sigstore_models.trustroot import v1 as trustroot_v1

from pyward._provenance._model import (
    INDEX_KINDS,
    AttestationResult,
    Publisher,
    PublisherKind,
    Trust,
    Verification,
    dist_key,
)
from pyward.errors import InputError

#: The in-toto envelope payload type every PEP 740 attestation carries.
_IN_TOTO = "application/vnd.in-toto+json"

#: OIDC issuer -> Trusted Publisher kind.
_ISSUERS: dict[str, PublisherKind] = {
    "https://token.actions.githubusercontent.com": "github",
    "https://gitlab.com": "gitlab",
    "https://accounts.google.com": "google",
    "https://oidc.circleci.com": "circleci",
}

#: pypi-attestations' publisher ``kind`` -> ours.
_KINDS: dict[str, PublisherKind] = {spelled: kind for kind, spelled in INDEX_KINDS.items()}

# Fulcio's certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
_OID_ISSUER = "1.3.6.1.4.1.57264.1.8"
_OID_BUILD_SIGNER_URI = "1.3.6.1.4.1.57264.1.9"
_OID_SOURCE_REPOSITORY_URI = "1.3.6.1.4.1.57264.1.12"
_OID_BUILD_CONFIG_URI = "1.3.6.1.4.1.57264.1.18"

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


@lru_cache(maxsize=4)
def verifier(trust: Trust, path: str | None = None) -> Verifier:
    """The Sigstore verifier for ``trust``, built once from the trusted root bundled in
    the installed ``sigstore`` package, or from the ``trusted_root.json`` at ``path``
    (``pyward provenance --trust-root FILE``: a root refreshed or pinned by the user).
    A file that cannot be read or is not a trusted root is an
    :class:`~pyward.errors.InputError` naming it."""
    if path is None:
        url = STAGING_TUF_URL if trust == "staging" else DEFAULT_TUF_URL
        raw = read_embedded("trusted_root.json", url)
        return Verifier(trusted_root=TrustedRoot(trustroot_v1.TrustedRoot.from_json(raw)))
    try:
        text = Path(path).read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read the trust root: {err.strerror or err}") from None
    try:
        root = TrustedRoot(trustroot_v1.TrustedRoot.from_json(text))
        return Verifier(trusted_root=root)
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        message = str(first["msg"])
        where = _path(first["loc"]) or None
        raise InputError(path, f"not a Sigstore trusted root: {message}", where) from None
    except (ValueError, TypeError, KeyError) as err:
        raise InputError(path, f"not a Sigstore trusted root: {err}") from None


def verify_provenance(
    filename: str,
    sha256: str,
    provenance: bytes | dict[str, Any],
    *,
    trust: Trust = "production",
    identity: Publisher | None = None,
    source: str | None = None,
    trust_root: str | None = None,
) -> Verification:
    """Verify every attestation of a PEP 740 provenance object for one artifact.

    ``provenance`` is the object as served by the index's integrity API (JSON bytes or
    the decoded object); ``source`` names it in errors (default ``FILENAME.provenance``);
    ``trust_root`` a ``trusted_root.json`` used instead of the bundled one. Raises
    :class:`~pyward.errors.InputError` when it is not a provenance object.
    """
    where = source if source is not None else f"{filename}.provenance"
    digest = _digest(filename, sha256)
    parsed = _parse(Provenance, provenance, where)
    bundles = parsed.attestation_bundles
    results: list[AttestationResult] = []
    first: Publisher | None = None
    for bundle in bundles:
        named = bundle.publisher
        kind = _KINDS.get(named.kind, "other")
        environment = getattr(named, "environment", None)
        record = {
            key: str(value)
            for key, value in named.model_dump(mode="json").items()
            if value is not None
        }
        policy = named._as_policy()
        for attestation in bundle.attestations:
            result = _verify_one(
                attestation,
                filename,
                digest,
                trust=trust,
                policy=policy,
                named=f"{kind} {_named(named)}",
                environment=environment,
                identity=identity,
                record=record,
                trust_root=trust_root,
            )
            results.append(result)
            if first is None and result.publisher is not None:
                first = result.publisher
    return _outcome(filename, digest, trust, first, results)


def verify_attestation(
    filename: str,
    sha256: str,
    attestation: bytes | dict[str, Any],
    *,
    trust: Trust = "production",
    identity: Publisher | None = None,
    source: str | None = None,
    trust_root: str | None = None,
) -> Verification:
    """Verify one PEP 740 attestation object (no provenance around it) for an artifact.

    Without a provenance object no Trusted Publisher is named, so the certificate's own
    identity is reported; pass ``identity`` to require one. ``source`` names the
    attestation in errors (default ``FILENAME.attestation``).
    """
    where = source if source is not None else f"{filename}.attestation"
    digest = _digest(filename, sha256)
    parsed = _parse(Attestation, attestation, where)
    result = _verify_one(
        parsed,
        filename,
        digest,
        trust=trust,
        policy=None,
        named=None,
        environment=None,
        identity=identity,
        trust_root=trust_root,
    )
    return _outcome(filename, digest, trust, result.publisher, [result])


def _outcome(
    filename: str,
    digest: str,
    trust: Trust,
    publisher: Publisher | None,
    results: list[AttestationResult],
) -> Verification:
    reason = next((r.reason for r in results if r.reason is not None), None)
    if not results:
        reason = "the provenance holds no attestations"
    return Verification(
        filename=filename,
        sha256=digest,
        trust=trust,
        publisher=publisher if reason is None else None,
        attestations=tuple(results),
        reason=reason,
    )


class _Recording:
    """A Sigstore verification policy that remembers whether it was the check that
    failed, so an identity mismatch is told apart from a bad signature."""

    def __init__(self, inner: VerificationPolicy | None) -> None:
        self.inner = inner
        self.failure: str | None = None

    def verify(self, cert: x509.Certificate) -> None:
        """Check ``cert`` against the inner policy (none: any identity)."""
        if self.inner is None:
            return
        try:
            self.inner.verify(cert)
        except sigstore.errors.VerificationError as err:
            self.failure = str(err)
            raise


def _verify_one(
    attestation: Attestation,
    filename: str,
    digest: str,
    *,
    trust: Trust,
    policy: VerificationPolicy | None,
    named: str | None,
    environment: str | None,
    identity: Publisher | None,
    record: dict[str, str] | None = None,
    trust_root: str | None = None,
) -> AttestationResult:
    try:
        cert = x509.load_der_x509_certificate(attestation.verification_material.certificate)
        publisher = _publisher_of(cert, environment, record)
    except ValueError as err:
        return AttestationResult(
            predicate_type=None,
            publisher=None,
            reason="the signing certificate cannot be read",
            detail=str(err),
        )
    try:
        bundle = attestation.to_bundle()
    except (ConversionError, ValueError) as err:
        return AttestationResult(
            predicate_type=None,
            publisher=publisher,
            reason="the attestation is not a valid Sigstore bundle",
            detail=str(err),
        )
    recording = _Recording(policy)
    try:
        payload_type, payload = verifier(trust, trust_root).verify_dsse(bundle, recording)
    except sigstore.errors.VerificationError as err:
        message = str(err)
        failed: str
        if recording.failure is not None:
            failed = (
                f"certificate not from the expected identity: signed by "
                f"{publisher.describe()}, provenance names {named}"
            )
        elif isinstance(err, sigstore.errors.CertValidationError):
            failed = f"bundle does not verify against the {trust} trust root"
        elif "invalid signature" in message:
            failed = "invalid signature"
        else:
            failed = f"bundle does not verify: {message}"
        return AttestationResult(
            predicate_type=None, publisher=publisher, reason=failed, detail=message
        )
    predicate_type, reason = _statement(payload_type, payload, filename, digest)
    if reason is None and identity is not None and not identity.admits(publisher):
        reason = (
            f"certificate not from the expected identity: signed by "
            f"{publisher.describe()}, expected {identity.describe()}"
        )
    return AttestationResult(predicate_type=predicate_type, publisher=publisher, reason=reason)


def _statement(
    payload_type: str, payload: bytes, filename: str, digest: str
) -> tuple[str | None, str | None]:
    """The verified statement's predicate type, and why it does not fit the artifact
    (``None`` when it does)."""
    if payload_type != _IN_TOTO:
        return None, f"the envelope is not an in-toto statement ({payload_type})"
    try:
        statement = json.loads(payload)
        subjects = statement["subject"]
        predicate_type = statement["predicateType"]
    except (ValueError, KeyError, TypeError):
        return None, "the signed statement is not an in-toto statement"
    if not isinstance(predicate_type, str):
        return None, "the signed statement is not an in-toto statement"
    if not isinstance(subjects, list) or len(subjects) != 1:
        return predicate_type, "the statement must have exactly one subject"
    subject = subjects[0]
    name = subject.get("name") if isinstance(subject, dict) else None
    sums = subject.get("digest") if isinstance(subject, dict) else None
    if not isinstance(name, str) or dist_key(name) is None:
        return predicate_type, "the statement's subject is not a distribution file name"
    if dist_key(name) != dist_key(filename):
        return predicate_type, f"subject does not match distribution name: {name}"
    if not isinstance(sums, dict) or sums.get("sha256") != digest:
        return predicate_type, "subject does not match distribution digest"
    if predicate_type not in {t.value for t in AttestationType}:
        return predicate_type, f"unknown attestation type: {predicate_type}"
    return predicate_type, None


def _publisher_of(
    cert: x509.Certificate, environment: str | None, record: dict[str, str] | None = None
) -> Publisher:
    """The publisher identity a Fulcio certificate carries."""
    claims: dict[str, str] = {}
    for extension in cert.extensions:
        oid = extension.oid.dotted_string
        if oid.startswith("1.3.6.1.4.1.57264.1.") and isinstance(
            extension.value, x509.UnrecognizedExtension
        ):
            claims[oid] = _der_string(extension.value.value)
    identity = _san(cert)
    kind = _ISSUERS.get(claims.get(_OID_ISSUER, ""), "other")
    source = claims.get(_OID_SOURCE_REPOSITORY_URI)
    config = claims.get(_OID_BUILD_CONFIG_URI, "")
    repository: str | None = None
    workflow: str | None = None
    if kind == "github" and source is not None:
        repository = source.removeprefix("https://github.com/")
        marker = f"{source}/.github/workflows/"
        if config.startswith(marker):
            workflow = config[len(marker) :].partition("@")[0]
    elif kind == "gitlab" and source is not None:
        repository = source.removeprefix("https://gitlab.com/")
        if config.startswith(f"{source}//"):
            workflow = config[len(source) + 2 :].partition("@")[0]
    elif kind == "circleci":
        repository = source
        signer = claims.get(_OID_BUILD_SIGNER_URI, "")
        _, found, definition = signer.partition("/pipeline-definitions/")
        workflow = definition if found else None
    elif kind == "other":
        repository = source
    return Publisher(
        kind=kind,
        repository=repository,
        workflow=workflow,
        environment=environment or None,
        identity=identity,
        record=record,
    )


def _san(cert: x509.Certificate) -> str | None:
    """The certificate's subject alternative name: a URI or an e-mail address."""
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for kind in (x509.UniformResourceIdentifier, x509.RFC822Name):
        values = names.get_values_for_type(kind)
        if values:
            return str(values[0])
    return None


def _der_string(value: bytes) -> str:
    """A Fulcio extension's value: a DER UTF8String (extensions .8 on), or the raw text
    the deprecated ones (.1 to .6) hold."""
    if len(value) >= 2 and value[0] == 0x0C:
        length = value[1]
        start = 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(value[2 : 2 + count], "big")
            start = 2 + count
        return value[start : start + length].decode("utf-8", "replace")
    return value.decode("utf-8", "replace")


def _named(publisher: Any) -> str:
    """The Trusted Publisher a provenance object names, as text."""
    for field in ("repository", "vcs_origin", "email"):
        value = getattr(publisher, field, None)
        if value:
            workflow = getattr(publisher, "workflow", None) or getattr(
                publisher, "workflow_filepath", None
            )
            return f"{value} {workflow}" if workflow else str(value)
    return str(publisher.kind)


def _digest(filename: str, sha256: str) -> str:
    if dist_key(filename) is None:
        raise InputError(filename, "not a distribution file name (a wheel or an sdist)")
    if not _SHA256.fullmatch(sha256):
        raise InputError(filename, f"not a SHA-256 digest: {sha256!r}", "sha256")
    return sha256.lower()


def _parse(model: Any, data: bytes | dict[str, Any], where: str) -> Any:
    """Validate ``data`` into ``model``; an error names ``where`` and the bad key."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = json.loads(data)
        except UnicodeDecodeError:
            raise InputError(where, "not UTF-8 text") from None
        except json.JSONDecodeError as err:
            raise InputError(
                where, f"not valid JSON: {err.msg}", f"line {err.lineno} column {err.colno}"
            ) from None
    if not isinstance(data, dict):
        raise InputError(where, f"expected a JSON object, found {type(data).__name__}")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        path = _path(first["loc"])
        message = str(first["msg"])
        message = message[:1].lower() + message[1:]
        raise InputError(where, message, path or None) from None


def _path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a key path: ``attestation_bundles[0].publisher``.
    The tag a discriminated union adds (``GitHub``) is no key of the input: left out."""
    text = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif previous == "publisher" and part in _KINDS:
            pass
        else:
            text += f".{part}" if text else part
        previous = part
    return text
