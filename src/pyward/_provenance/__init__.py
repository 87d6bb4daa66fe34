"""PEP 740 provenance: verify that an artifact was built and uploaded by the CI
workflow its attestations name, signed through Sigstore, fully offline.

The verification needs the ``provenance`` extra (``pypi-attestations`` and
``sigstore``): :func:`verify_provenance` and :func:`verify_attestation` check for it
first, so a missing extra is one line naming it. The result records
(:mod:`pyward._provenance._model`) need nothing beyond the core.
"""

from __future__ import annotations

from typing import Any

from pyward._extras import require
from pyward._provenance._model import (
    PUBLISHER_KINDS,
    AttestationResult,
    Publisher,
    PublisherKind,
    Trust,
    Verification,
)

__all__ = [
    "PUBLISHER_KINDS",
    "AttestationResult",
    "Publisher",
    "PublisherKind",
    "Trust",
    "Verification",
    "verify_attestation",
    "verify_provenance",
]


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
    """Verify every attestation of the PEP 740 provenance object ``provenance`` (JSON
    bytes, or the decoded object) for the artifact ``filename`` whose SHA-256 is
    ``sha256``, against the ``trust`` root bundled with ``sigstore``.

    With ``identity``, the certificate must also come from that publisher: a valid
    signature from another repository or workflow is a failure naming both. ``source``
    names the provenance in errors (default ``FILENAME.provenance``); ``trust_root`` is
    a ``trusted_root.json`` used instead of the bundled one. Raises
    :class:`~pyward.errors.InputError` for input that is not a provenance object (the
    file and key path named) and :class:`~pyward._extras.MissingExtra` without the
    ``provenance`` extra.
    """
    require("provenance", what="provenance verification")
    from pyward._provenance import _verify

    return _verify.verify_provenance(
        filename,
        sha256,
        provenance,
        trust=trust,
        identity=identity,
        source=source,
        trust_root=trust_root,
    )


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
    """Verify a single PEP 740 attestation object for an artifact, as
    :func:`verify_provenance` does; with no provenance around it no Trusted Publisher
    is named, so the certificate's identity is reported (``identity`` requires one)."""
    require("provenance", what="provenance verification")
    from pyward._provenance import _verify

    return _verify.verify_attestation(
        filename,
        sha256,
        attestation,
        trust=trust,
        identity=identity,
        source=source,
        trust_root=trust_root,
    )
