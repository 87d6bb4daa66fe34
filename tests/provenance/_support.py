"""What the gather and command tests share: the real samples with their digests, project
pages that list them, and a provenance object built around a real bare attestation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from pyward._model import Inventory
from pyward._provenance import _pins
from pyward._provenance._model import IdentityRecord, Publisher
from pyward._provenance._pins import Pins
from tests.conftest import DATA

SAMPLES = DATA / "pep740-attestations"
TRUST_ROOTS = DATA / "sigstore-trust-root"

#: The real samples by project: (PEP 503 name, version, file).
GITHUB = ("pypi-attestations", "0.0.19", "pypi_attestations-0.0.19.tar.gz")
GOOGLE = ("gcb-attestation-test", "0.0.0", "gcb_attestation_test-0.0.0.tar.gz")
CIRCLECI = (
    "circleci-sign-publish-example",
    "0.0.1.dev137",
    "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl",
)
GITLAB = ("gitlab-oidc-project", "0.0.3", "gitlab_oidc_project-0.0.3.tar.gz")

#: The GitHub sample's Trusted Publisher, as its provenance names it.
GITHUB_RECORD: IdentityRecord = {
    "kind": "GitHub",
    "repository": "trailofbits/pypi-attestations",
    "workflow": "release.yml",
}

#: The GitHub sample's publisher, as verifying its provenance reports it.
TRAILOFBITS = Publisher(
    kind="github",
    repository="trailofbits/pypi-attestations",
    workflow="release.yml",
    identity=(
        "https://github.com/trailofbits/pypi-attestations/.github/workflows/"
        "release.yml@refs/tags/v0.0.19"
    ),
)


def sha256(filename: str) -> str:
    """The real file's SHA-256."""
    return hashlib.sha256((SAMPLES / filename).read_bytes()).hexdigest()


def page(name: str, version: str, files: Mapping[str, str | None], *, base: str = "") -> bytes:
    """A PEP 691 project page of ``name`` ``version`` listing ``files`` (file name -> its
    SHA-256, ``None``: no digest given), each with its PEP 740 provenance URL under
    ``base`` when given."""
    entries = []
    for filename, digest in files.items():
        entry: dict[str, object] = {
            "filename": filename,
            "url": f"{base or 'https://files.example.invalid'}/files/{filename}",
            "hashes": {"sha256": digest} if digest else {},
        }
        if base:
            entry["provenance"] = f"{base}/files/{filename}.provenance"
        entries.append(entry)
    body = {"meta": {"api-version": "1.1"}, "name": name, "versions": [version], "files": entries}
    return json.dumps(body).encode()


def gitlab_provenance() -> bytes:
    """The GitLab sample's real attestation in a provenance object naming its Trusted
    Publisher (the sample holds the bare attestation only): still a real signature."""
    import pypi_attestations as pa

    attestation = pa.Attestation.model_validate_json(
        (SAMPLES / f"{GITLAB[2]}.publish.attestation").read_bytes()
    )
    publisher = pa.GitLabPublisher(
        repository="facutuesca/gitlab-oidc-project", workflow_filepath=".gitlab-ci.yml"
    )
    provenance = pa.Provenance(
        attestation_bundles=[pa.AttestationBundle(publisher=publisher, attestations=[attestation])]
    )
    return provenance.model_dump_json().encode()


def fake_pins(
    identities: Mapping[str, tuple[IdentityRecord, ...]], *, path: str = "pins.toml"
) -> Callable[[Inventory], Pins]:
    """A ``pins`` reader that gives every input ``identities``."""

    def read(inventory: Inventory) -> Pins:
        return Pins(path=path, identities=dict(identities))

    return read


def no_pins(inventory: Inventory) -> Pins:
    """A ``pins`` reader for an input with none."""
    return Pins(path=str(Path(inventory.source).parent / _pins.SIDE_FILE))
