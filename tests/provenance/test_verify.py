"""PEP 740 verification on real attestations, fully offline: every production sample
verifies with its publisher, the staging one fails against the production root, and
tampered copies, wrong identities and malformed input fail with the right reason."""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pypi_attestations", reason="needs the 'provenance' extra")
pytest.importorskip("sigstore", reason="needs the 'provenance' extra")

from pyward._provenance import (
    Publisher,
    Verification,
    verify_attestation,
    verify_provenance,
)
from pyward.errors import InputError
from tests.provenance._support import SAMPLES, TRAILOFBITS, sha256

#: PEP 740's publish predicate type, as the library names it (an identifier in the signed
#: statements, not an address pyward asks).
PUBLISH = str(pytest.importorskip("pypi_attestations").AttestationType.PYPI_PUBLISH_V1.value)
SLSA = "https://slsa.dev/provenance/v1"
GITHUB_SDIST = "pypi_attestations-0.0.19.tar.gz"
STAGING_WHEEL = "rfc8785-0.1.2-py3-none-any.whl"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name).read_bytes())
    return data


def github_provenance() -> dict[str, Any]:
    return load(f"{GITHUB_SDIST}.provenance")


def flip(text: str, at: int) -> str:
    """Base64 ``text`` with one bit of its byte ``at`` (negative: from the end) changed."""
    raw = bytearray(base64.b64decode(text))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def verify_github(provenance: dict[str, Any], **kwargs: Any) -> Verification:
    return verify_provenance(GITHUB_SDIST, sha256(GITHUB_SDIST), provenance, **kwargs)


@pytest.mark.parametrize(
    ("filename", "publisher"),
    [
        pytest.param(GITHUB_SDIST, TRAILOFBITS, id="github"),
        pytest.param(
            "gcb_attestation_test-0.0.0.tar.gz",
            Publisher(kind="google", identity="919436158236-compute@developer.gserviceaccount.com"),
            id="google-cloud-build",
        ),
        pytest.param(
            "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl",
            Publisher(
                kind="circleci",
                repository="github.com/CircleCI-Public/sign-and-publish-examples",
                workflow="8e4f8ab2-8d7c-4827-9f15-de076d6d647f",
                identity=(
                    "https://circleci.com/api/v2/projects/fdd9283f-e619-46af-8f9c-"
                    "851f7d3e8b2b/pipeline-definitions/8e4f8ab2-8d7c-4827-9f15-de076d6d647f"
                ),
            ),
            id="circleci",
        ),
    ],
)
def test_every_production_provenance_verifies(filename: str, publisher: Publisher) -> None:
    raw = (SAMPLES / f"{filename}.provenance").read_bytes()
    result = verify_provenance(filename, sha256(filename), raw)
    assert result.verified, result.reason
    assert result.reason is None
    assert result.publisher == publisher
    assert result.trust == "production"
    assert result.sha256 == sha256(filename)
    assert result.predicate_types == (PUBLISH,)
    assert [a.verified for a in result.attestations] == [True]


def test_the_github_sample_describes_its_publisher() -> None:
    result = verify_github(github_provenance())
    assert result.describe() == (
        "pypi_attestations-0.0.19.tar.gz: verified: "
        "github trailofbits/pypi-attestations release.yml"
    )


def test_the_gitlab_attestation_verifies() -> None:
    name = "gitlab_oidc_project-0.0.3.tar.gz"
    result = verify_attestation(
        name, sha256(name), (SAMPLES / f"{name}.publish.attestation").read_bytes()
    )
    assert result.verified, result.reason
    assert result.publisher == Publisher(
        kind="gitlab",
        repository="facutuesca/gitlab-oidc-project",
        workflow=".gitlab-ci.yml",
        identity="https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main",
    )


def test_the_slsa_and_publish_attestations_of_one_bundle_all_verify() -> None:
    provenance = github_provenance()
    provenance["attestation_bundles"][0]["attestations"].append(
        load(f"{GITHUB_SDIST}.slsa.attestation")
    )
    result = verify_github(provenance)
    assert result.verified, result.reason
    assert result.predicate_types == (PUBLISH, SLSA)


def test_the_staging_attestation_fails_against_the_production_root() -> None:
    raw = (SAMPLES / f"{STAGING_WHEEL}.publish.attestation").read_bytes()
    result = verify_attestation(STAGING_WHEEL, sha256(STAGING_WHEEL), raw)
    assert not result.verified
    assert result.reason == "bundle does not verify against the production trust root"
    assert result.publisher is None
    detail = result.attestations[0].detail
    assert detail is not None
    assert "certificate chain" in detail
    assert result.describe() == (
        f"{STAGING_WHEEL}: failed: bundle does not verify against the production trust root"
    )


def test_the_staging_attestation_verifies_against_the_staging_root() -> None:
    raw = (SAMPLES / f"{STAGING_WHEEL}.publish.attestation").read_bytes()
    result = verify_attestation(STAGING_WHEEL, sha256(STAGING_WHEEL), raw, trust="staging")
    assert result.verified, result.reason
    assert result.trust == "staging"
    assert result.publisher is not None
    assert result.publisher.identity == "william@yossarian.net"


def test_a_production_attestation_fails_against_the_staging_root() -> None:
    result = verify_github(github_provenance(), trust="staging")
    assert result.reason == "bundle does not verify against the staging trust root"


def test_one_byte_of_the_artifact_digest() -> None:
    digest = sha256(GITHUB_SDIST)
    changed = ("0" if digest[0] != "0" else "1") + digest[1:]
    result = verify_provenance(GITHUB_SDIST, changed, github_provenance())
    assert result.reason == "subject does not match distribution digest"
    # The signature itself was good: the record names who signed.
    assert result.attestations[0].publisher == TRAILOFBITS


def test_one_byte_of_the_signed_statements_digest() -> None:
    provenance = github_provenance()
    envelope = provenance["attestation_bundles"][0]["attestations"][0]["envelope"]
    statement = base64.b64decode(envelope["statement"])
    digest = sha256(GITHUB_SDIST).encode()
    changed = (b"0" if digest[:1] != b"0" else b"1") + digest[1:]
    assert statement.count(digest) == 1
    envelope["statement"] = base64.b64encode(statement.replace(digest, changed)).decode()
    assert verify_github(provenance).reason == "invalid signature"


def test_one_byte_of_the_signature() -> None:
    provenance = github_provenance()
    envelope = provenance["attestation_bundles"][0]["attestations"][0]["envelope"]
    envelope["signature"] = flip(envelope["signature"], 10)
    assert verify_github(provenance).reason == "invalid signature"


def test_one_byte_of_the_certificate() -> None:
    provenance = github_provenance()
    material = provenance["attestation_bundles"][0]["attestations"][0]["verification_material"]
    # A byte of the certificate authority's signature over the certificate.
    material["certificate"] = flip(material["certificate"], -3)
    result = verify_github(provenance)
    assert result.reason == "bundle does not verify against the production trust root"


def test_a_certificate_that_is_not_der_at_all() -> None:
    provenance = github_provenance()
    material = provenance["attestation_bundles"][0]["attestations"][0]["verification_material"]
    material["certificate"] = base64.b64encode(b"not a certificate").decode()
    result = verify_github(provenance)
    assert result.reason == "the signing certificate cannot be read"
    assert result.attestations[0].publisher is None


def test_every_attestation_must_verify() -> None:
    provenance = github_provenance()
    attestations = provenance["attestation_bundles"][0]["attestations"]
    bad = json.loads(json.dumps(attestations[0]))
    bad["envelope"]["signature"] = flip(bad["envelope"]["signature"], 5)
    attestations.append(bad)
    result = verify_github(provenance)
    assert [a.verified for a in result.attestations] == [True, False]
    assert result.reason == "invalid signature"
    assert result.publisher is None


def test_a_provenance_with_no_attestations_is_no_pass() -> None:
    result = verify_github({"version": 1, "attestation_bundles": []})
    assert not result.verified
    assert result.reason == "the provenance holds no attestations"


@pytest.mark.parametrize(
    "expected",
    [
        TRAILOFBITS,
        Publisher(kind="github", repository="TrailOfBits/PYPI-Attestations"),
        Publisher(
            kind="github", repository="trailofbits/pypi-attestations", workflow="release.yml"
        ),
    ],
    ids=["exact", "repository-any-case", "without-identity-uri"],
)
def test_the_expected_identity_verifies(expected: Publisher) -> None:
    result = verify_github(github_provenance(), identity=expected)
    assert result.verified, result.reason


@pytest.mark.parametrize(
    ("expected", "named"),
    [
        (
            Publisher(kind="github", repository="evil/pypi-attestations", workflow="release.yml"),
            "github evil/pypi-attestations release.yml",
        ),
        (
            Publisher(
                kind="github", repository="trailofbits/pypi-attestations", workflow="other.yml"
            ),
            "github trailofbits/pypi-attestations other.yml",
        ),
        (
            Publisher(kind="gitlab", repository="trailofbits/pypi-attestations"),
            "gitlab trailofbits/pypi-attestations",
        ),
        (
            Publisher(
                kind="github", repository="trailofbits/pypi-attestations", environment="pypi"
            ),
            "github trailofbits/pypi-attestations (environment pypi)",
        ),
    ],
    ids=["repository", "workflow", "kind", "environment"],
)
def test_a_wrong_expected_identity_fails_naming_both(expected: Publisher, named: str) -> None:
    result = verify_github(github_provenance(), identity=expected)
    assert result.reason == (
        "certificate not from the expected identity: signed by "
        f"github trailofbits/pypi-attestations release.yml, expected {named}"
    )


def test_a_provenance_naming_another_publisher_than_the_certificate_fails() -> None:
    provenance = github_provenance()
    provenance["attestation_bundles"][0]["publisher"]["repository"] = "evil/fork"
    result = verify_github(provenance)
    assert result.reason == (
        "certificate not from the expected identity: signed by "
        "github trailofbits/pypi-attestations release.yml, "
        "provenance names github evil/fork release.yml"
    )


def test_the_attestation_without_its_file() -> None:
    """spt3g's wheel is not in the samples (and its attestation was signed on staging
    Sigstore): it is checked against the digest a lock records for it; any other digest
    fails after the signature verified."""
    name = "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    raw = (SAMPLES / f"{name}.publish.attestation").read_bytes()
    statement = json.loads(base64.b64decode(json.loads(raw)["envelope"]["statement"]))
    locked = statement["subject"][0]["digest"]["sha256"]
    result = verify_attestation(name, locked, raw, trust="staging")
    assert result.verified, result.reason
    assert result.publisher == Publisher(kind="other", identity="william@yossarian.net")
    other = verify_attestation(name, "ab" * 32, raw, trust="staging")
    assert other.reason == "subject does not match distribution digest"
    assert other.attestations[0].publisher == result.publisher
    production = verify_attestation(name, locked, raw)
    assert production.reason == "bundle does not verify against the production trust root"


def test_another_files_attestation_fails_on_the_name() -> None:
    name = "gitlab_oidc_project-0.0.3.tar.gz"
    raw = (SAMPLES / f"{GITHUB_SDIST}.publish.attestation").read_bytes()
    result = verify_attestation(name, sha256(name), raw)
    assert result.reason == f"subject does not match distribution name: {GITHUB_SDIST}"


def test_offline_with_an_empty_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No socket is opened and nothing is read from or written to the home directory:
    the trust root is the one bundled in ``sigstore``, never fetched through TUF."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from pyward._provenance import _verify

    _verify.verifier.cache_clear()
    for name in (
        GITHUB_SDIST,
        "gcb_attestation_test-0.0.0.tar.gz",
        "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl",
    ):
        raw = (SAMPLES / f"{name}.provenance").read_bytes()
        assert verify_provenance(name, sha256(name), raw).verified
    assert list(home.iterdir()) == []


def test_malformed_json_names_the_file_and_place() -> None:
    with pytest.raises(InputError) as caught:
        verify_provenance(GITHUB_SDIST, sha256(GITHUB_SDIST), b'{"version": 1,')
    assert str(caught.value) == (
        f"{GITHUB_SDIST}.provenance: line 1 column 15: not valid JSON: "
        "Expecting property name enclosed in double quotes"
    )


def test_not_an_object() -> None:
    with pytest.raises(InputError) as caught:
        verify_provenance(GITHUB_SDIST, sha256(GITHUB_SDIST), b"[]", source="cache/p.json")
    assert str(caught.value) == "cache/p.json: expected a JSON object, found list"


def test_a_sigstore_bundle_is_not_a_provenance_object() -> None:
    raw = (SAMPLES / f"{STAGING_WHEEL}.sigstore").read_bytes()
    with pytest.raises(InputError) as caught:
        verify_provenance(STAGING_WHEEL, sha256(STAGING_WHEEL), raw)
    assert str(caught.value) == f"{STAGING_WHEEL}.provenance: attestation_bundles: field required"


def test_a_wrong_shape_names_the_key_path() -> None:
    provenance = github_provenance()
    del provenance["attestation_bundles"][0]["publisher"]["workflow"]
    with pytest.raises(InputError) as caught:
        verify_github(provenance)
    assert str(caught.value) == (
        f"{GITHUB_SDIST}.provenance: attestation_bundles[0].publisher.workflow: field required"
    )
    provenance = github_provenance()
    provenance["attestation_bundles"][0]["attestations"][0]["envelope"]["signature"] = 7
    with pytest.raises(InputError) as caught:
        verify_github(provenance)
    assert str(caught.value).startswith(
        f"{GITHUB_SDIST}.provenance: attestation_bundles[0].attestations[0].envelope.signature: "
    )


def test_a_bad_artifact_name_or_digest() -> None:
    with pytest.raises(InputError) as caught:
        verify_provenance("README.md", sha256(GITHUB_SDIST), github_provenance())
    assert str(caught.value) == "README.md: not a distribution file name (a wheel or an sdist)"
    with pytest.raises(InputError) as caught:
        verify_provenance(GITHUB_SDIST, "abc", github_provenance())
    assert str(caught.value) == f"{GITHUB_SDIST}: sha256: not a SHA-256 digest: 'abc'"


def test_an_upper_case_digest_is_the_same_digest() -> None:
    result = verify_provenance(GITHUB_SDIST, sha256(GITHUB_SDIST).upper(), github_provenance())
    assert result.verified, result.reason
    assert result.sha256 == sha256(GITHUB_SDIST)
