"""gather_provenance end to end on the real samples through a loopback index: every
kind of input artifact (a lock's digests, an installed wheel's name, a hash-only input),
every outcome (verified, none, failed, unavailable, no artifacts), notes for server
errors, pins compared, coverage, the trust root, offline and the cache."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pypi_attestations", reason="needs the 'provenance' extra")
pytest.importorskip("sigstore", reason="needs the 'provenance' extra")

from pyward._checks import CHECKS
from pyward._commands._sources import gather_sources
from pyward._config import Config
from pyward._findings import CheckId
from pyward._model import Artifact, Component, ComponentKey, Hash, Inventory
from pyward._provenance import _gather
from pyward._provenance._gather import gather_provenance
from pyward._provenance._model import PackageProvenance, ProvenanceReport
from pyward._provenance._pins import SIDE_FILE, Pins
from pyward._settings import Settings
from pyward._sources.index._fetch import ClientOptions
from pyward.errors import InputError
from tests.index._loopback_index import (
    INTEGRITY_JSON,
    SIMPLE_JSON,
    LoopbackIndex,
    loopback_index,
)
from tests.provenance._support import (
    CIRCLECI,
    GITHUB,
    GITHUB_RECORD,
    GITLAB,
    GOOGLE,
    SAMPLES,
    TRUST_ROOTS,
    fake_pins,
    gitlab_provenance,
    no_pins,
    page,
    sha256,
)

FAST = ClientOptions(timeout=0.5, retries=1, backoff=0.01, max_retry_after=0.05)


def locked(sample: tuple[str, str, str], *, direct: bool = False, digest: bool = True) -> Component:
    """The sample as a lock records it: the file with its real digest."""
    name, version, filename = sample
    return Component(
        name=name,
        version=version,
        direct=direct,
        artifacts=(Artifact(filename=filename, sha256=sha256(filename) if digest else None),),
    )


def lock(tmp_path: Path, *components: Component, fmt: str = "uv.lock") -> Inventory:
    return Inventory(
        source=str(tmp_path / fmt),
        format=fmt,
        components=components,
        roots=tuple(ComponentKey(c.key) for c in components if c.direct),
    )


def gather(
    inventory: Inventory, index: LoopbackIndex | None, tmp_path: Path, **kwargs: Any
) -> ProvenanceReport:
    options: dict[str, Any] = {
        "option": index.simple_url if index is not None else None,
        "environ": {},
        "cache_dir": tmp_path / "cache",
        "client": FAST,
        "pins": no_pins,
        **kwargs,
    }
    subjects = [(inventory, c) for c in inventory.components]
    return gather_provenance([inventory], subjects, **options)


def by_name(report: ProvenanceReport) -> dict[str, PackageProvenance]:
    return {p.component.name: p for p in report.packages}


def test_every_publisher_kind_verifies_and_a_file_without_provenance_is_none(
    tmp_path: Path,
) -> None:
    inventory = lock(
        tmp_path,
        locked(GITHUB, direct=True),
        locked(GOOGLE),
        locked(CIRCLECI),
        locked(GITLAB, direct=True),
    )
    with loopback_index() as index:
        report = gather(inventory, index, tmp_path)
    got = by_name(report)
    assert [p.status for p in report.packages] == ["verified", "verified", "verified", "none"]
    github = got["pypi-attestations"]
    (artifact,) = github.artifacts
    assert (artifact.filename, artifact.sha256, artifact.digest_from) == (
        GITHUB[2],
        sha256(GITHUB[2]),
        "lock",
    )
    assert artifact.publisher is not None
    assert artifact.publisher.describe() == "github trailofbits/pypi-attestations release.yml"
    assert artifact.publisher.record == GITHUB_RECORD
    assert [p.kind for p in got["gcb-attestation-test"].publishers] == ["google"]
    assert [p.kind for p in got["circleci-sign-publish-example"].publishers] == ["circleci"]
    none = got["gitlab-oidc-project"].artifacts[0]
    assert (none.status, none.reason, none.verification) == ("none", None, None)
    # Where each provenance was asked: the index's integrity API, named in the report.
    assert artifact.url == (
        f"{index.simple_url.removesuffix('/simple/')}/integrity/pypi-attestations/0.0.19/"
        f"{GITHUB[2]}/provenance"
    )
    assert none.url is not None
    assert none.url.endswith(f"/integrity/gitlab-oidc-project/0.0.3/{GITLAB[2]}/provenance")
    assert report.coverage.packages == 4
    assert report.coverage.packages_attested == 3
    assert (report.coverage.artifacts, report.coverage.artifacts_attested) == (4, 3)
    assert report.coverage.unattested_direct == ("gitlab-oidc-project==0.0.3",)
    assert (report.trust, report.trust_root, report.notes) == ("production", "bundled", ())
    assert github.pinned_in == str(tmp_path / "attestation-identities.toml")
    assert github.path == (ComponentKey("pypi-attestations==0.0.19"),)


def test_a_provenance_built_around_a_real_gitlab_attestation_verifies(tmp_path: Path) -> None:
    inventory = lock(tmp_path, locked(GITLAB))
    with loopback_index(provenance={GITLAB[2]: gitlab_provenance()}) as index:
        (package,) = gather(inventory, index, tmp_path).packages
    assert package.status == "verified"
    assert (
        package.publishers[0].describe() == "gitlab facutuesca/gitlab-oidc-project .gitlab-ci.yml"
    )


def test_tampered_provenance_and_a_wrong_digest_fail_with_the_reason(tmp_path: Path) -> None:
    data = json.loads((SAMPLES / f"{GOOGLE[2]}.provenance").read_bytes())
    bundle = data["attestation_bundles"][0]["attestations"][0]
    signature = bundle["envelope"]["signature"]
    bundle["envelope"]["signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]
    wrong = dataclasses.replace(
        locked(GITHUB), artifacts=(Artifact(filename=GITHUB[2], sha256="0" * 64),)
    )
    inventory = lock(tmp_path, locked(GOOGLE), wrong)
    with loopback_index(provenance={GOOGLE[2]: json.dumps(data).encode()}) as index:
        report = gather(inventory, index, tmp_path)
    google, github = report.packages
    assert google.status == "failed"
    assert google.artifacts[0].reason == "invalid signature"
    assert github.status == "failed"
    assert github.artifacts[0].reason == "subject does not match distribution digest"
    assert github.artifacts[0].verification is not None
    assert report.coverage.packages_attested == 0


def test_a_body_that_is_no_provenance_object_fails(tmp_path: Path) -> None:
    served = {GITHUB[2]: b'{"version": 1}', GOOGLE[2]: b"[1, 2]"}
    inventory = lock(tmp_path, locked(GITHUB), locked(GOOGLE))
    with loopback_index(provenance=served) as index:
        github, google = gather(inventory, index, tmp_path).packages
    assert github.status == "failed"
    assert github.artifacts[0].reason == (
        f"{GITHUB[2]}.provenance: attestation_bundles: field required"
    )
    assert google.status == "failed"
    assert google.artifacts[0].reason is not None
    assert google.artifacts[0].reason.endswith("not a provenance object (a JSON list)")


def test_a_server_error_is_a_note_and_unavailable_never_a_failure(tmp_path: Path) -> None:
    inventory = lock(tmp_path, locked(GITHUB), locked(GOOGLE))
    with loopback_index(faults={"pypi-attestations": "error"}) as index:
        report = gather(inventory, index, tmp_path)
    github, google = report.packages
    assert github.status == "unavailable"
    assert github.artifacts[0].reason is not None
    assert "HTTP 500" in github.artifacts[0].reason
    assert google.status == "verified"
    assert report.notes == (github.artifacts[0].reason,)


def test_an_installed_wheel_is_verified_against_the_index_digest(tmp_path: Path) -> None:
    installed = dataclasses.replace(locked(CIRCLECI, digest=False), source="installed")
    # Built from an sdist: a wheel the index never had.
    local = Component(
        name="gcb-attestation-test",
        version="0.0.0",
        source="installed",
        artifacts=(Artifact(filename="gcb_attestation_test-0.0.0-py3-none-any.whl"),),
    )
    inventory = lock(tmp_path, installed, local, fmt="environment")
    name, version, filename = CIRCLECI
    with loopback_index() as index:
        pages = {
            name: page(name, version, {filename: sha256(filename)}, base=index.base),
            GOOGLE[0]: page(GOOGLE[0], GOOGLE[1], {GOOGLE[2]: sha256(GOOGLE[2])}),
        }
        index.pages.update(pages)
        report = gather(inventory, index, tmp_path)
        # The page's own provenance URL is asked, not the integrity API.
        assert index.asked(f"/files/{filename}.provenance") == 1
    wheel, built = report.packages
    assert wheel.status == "verified"
    assert (wheel.artifacts[0].digest_from, wheel.artifacts[0].sha256) == (
        "index",
        sha256(filename),
    )
    assert wheel.notes == (
        f"the installed files were not compared with {filename}: its digest is the index's",
    )
    assert built.status == "unavailable"
    assert built.artifacts[0].reason == (
        "the index lists no file gcb_attestation_test-0.0.0-py3-none-any.whl (built from "
        "an sdist, or not from this index?)"
    )


def test_an_installers_own_digest_is_used_as_recorded(tmp_path: Path) -> None:
    inventory = lock(tmp_path, locked(GITHUB), fmt="environment")
    with loopback_index() as index:
        (package,) = gather(inventory, index, tmp_path).packages
    assert (package.status, package.artifacts[0].digest_from) == ("verified", "installer")


def test_hashes_without_files_are_matched_on_the_page(tmp_path: Path) -> None:
    name, version, filename = GITHUB
    stray = "ab" * 32
    hashed = Component(
        name=name,
        version=version,
        hashes=(
            Hash(algorithm="sha256", value=sha256(filename)),
            Hash(algorithm="sha256", value=stray),
        ),
    )
    bare = Component(name="six", version="1.16.0")
    inventory = lock(tmp_path, hashed, bare, fmt="requirements")
    with loopback_index() as index:
        index.pages[name] = page(name, version, {filename: sha256(filename)})
        report = gather(inventory, index, tmp_path)
    package, nothing = report.packages
    assert package.status == "verified"
    assert [(a.filename, a.digest_from) for a in package.artifacts] == [(filename, "lock")]
    assert package.notes == (
        "sha256 abababababab... recorded by the input matches no file on the index",
    )
    assert nothing.status == "no-artifacts"
    assert report.notes == (
        f"{inventory.source} records no files or SHA-256 digests for 1 package(s) "
        "(six==1.16.0): their provenance cannot be checked",
    )
    assert report.coverage.packages == 1


def test_a_page_that_cannot_be_had_leaves_hashes_unavailable(tmp_path: Path) -> None:
    name, version, filename = GITHUB
    hashed = Component(
        name=name, version=version, hashes=(Hash(algorithm="sha256", value=sha256(filename)),)
    )
    inventory = lock(tmp_path, hashed, fmt="requirements")
    with loopback_index(faults={name: "error"}) as index:
        report = gather(inventory, index, tmp_path)
    (package,) = report.packages
    assert package.status == "unavailable"
    (artifact,) = package.artifacts
    assert artifact.filename == f"sha256:{sha256(filename)}"
    assert artifact.reason is not None
    assert artifact.reason.startswith("no file name: the index page could not be had")
    assert len(report.notes) == 1
    assert "HTTP 500" in report.notes[0]


def test_a_publisher_the_pins_do_not_admit_is_a_change(tmp_path: Path) -> None:
    moved = {**GITHUB_RECORD, "repository": "someone-else/pypi-attestations"}
    inventory = lock(tmp_path, locked(GITHUB), locked(GOOGLE))
    pins = fake_pins({"pypi-attestations": (moved,), "gcb-attestation-test": ()})
    with loopback_index() as index:
        report = gather(inventory, index, tmp_path, pins=pins)
        kept = gather(inventory, index, tmp_path, pins=fake_pins({GITHUB[0]: (GITHUB_RECORD,)}))
    github, google = report.packages
    assert github.status == "changed"
    assert github.artifacts[0].status == "verified"
    assert github.change is not None
    assert github.change.pinned == (moved,)
    assert github.change.filename == GITHUB[2]
    assert github.change.pinned_in == "pins.toml"
    assert github.change.found.repository == "trailofbits/pypi-attestations"
    assert (google.status, google.change) == ("verified", None)
    assert kept.packages[0].status == "verified"
    assert kept.packages[0].pinned == (GITHUB_RECORD,)


def test_a_trust_root_file_is_used_and_a_bad_one_is_an_input_error(tmp_path: Path) -> None:
    inventory = lock(tmp_path, locked(GITHUB))
    production = TRUST_ROOTS / "production-trusted_root.json"
    staging = TRUST_ROOTS / "staging-trusted_root.json"
    with loopback_index() as index:
        report = gather(inventory, index, tmp_path, trust_root=production)
        assert report.packages[0].status == "verified"
        assert report.trust_root == str(production)
        wrong = gather(inventory, index, tmp_path, trust_root=staging)
        assert wrong.packages[0].artifacts[0].reason == (
            "bundle does not verify against the production trust root"
        )
        bad = tmp_path / "root.json"
        bad.write_text('{"mediaType": 3}')
        with pytest.raises(InputError) as exc:
            gather(inventory, index, tmp_path, trust_root=bad)
        assert str(exc.value).startswith(f"{bad}: mediaType: not a Sigstore trusted root: ")
        with pytest.raises(InputError) as missing:
            gather(inventory, index, tmp_path, trust_root=tmp_path / "none.json")
        assert str(missing.value) == (
            f"{tmp_path / 'none.json'}: cannot read the trust root: No such file or directory"
        )
        staged = gather(inventory, index, tmp_path, trust="staging")
    assert staged.trust == "staging"
    assert staged.packages[0].artifacts[0].reason == (
        "bundle does not verify against the staging trust root"
    )


def test_offline_reads_the_cache_and_says_what_it_lacks(tmp_path: Path) -> None:
    inventory = lock(tmp_path, locked(GITHUB), locked(GOOGLE))
    with loopback_index() as index:
        cold = gather(inventory, index, tmp_path, offline=True)
        assert index.requests == []
        warm_online = gather(inventory, index, tmp_path)
        asked = len(index.requests)
        warm = gather(inventory, index, tmp_path, offline=True)
        assert len(index.requests) == asked
    assert [p.status for p in cold.packages] == ["unavailable", "unavailable"]
    assert cold.notes == (
        "offline: the provenance of 2 artifact(s) is not cached, so it was not checked",
    )
    assert [p.status for p in warm_online.packages] == ["verified", "verified"]
    assert warm.packages == warm_online.packages


def test_threads_and_serial_agree_and_progress_is_told(tmp_path: Path) -> None:
    samples = (GITHUB, GOOGLE, CIRCLECI)
    components = [
        Component(
            name=f"{s[0]}-{i}",
            version=s[1],
            artifacts=(Artifact(filename=s[2], sha256=sha256(s[2])),),
        )
        for i in range(4)
        for s in samples
    ]
    inventory = lock(tmp_path, *components)
    seen: list[tuple[int, int]] = []
    with loopback_index() as index:
        # Each copy is asked under its own project name: the integrity API serves the
        # real object by file name.
        serial = gather(inventory, index, tmp_path, workers=1)
        pooled = gather(
            inventory, index, tmp_path, workers=2, progress=lambda d, t: seen.append((d, t))
        )
    assert [p.status for p in serial.packages] == ["verified"] * 12
    assert serial.packages == pooled.packages
    assert seen[0] == (0, 12)
    assert seen[-1] == (12, 12)
    assert len(seen) == 13


def test_without_an_index_every_artifact_is_unavailable(tmp_path: Path) -> None:
    inventory = lock(tmp_path, locked(GITHUB))
    report = gather(inventory, None, tmp_path)
    (package,) = report.packages
    assert package.status == "unavailable"
    assert package.artifacts[0].reason is not None
    assert "no package index" in package.artifacts[0].reason


def test_a_pin_file_that_cannot_be_read_fails_before_any_request(tmp_path: Path) -> None:
    inventory = lock(tmp_path, locked(GITHUB))

    def broken(inv: Inventory) -> Pins:
        raise InputError(tmp_path / SIDE_FILE, "expected a table", "packages[0]")

    with loopback_index() as index:
        with pytest.raises(InputError) as exc:
            gather(inventory, index, tmp_path, pins=broken)
        assert index.requests == []
    assert str(exc.value) == f"{tmp_path / SIDE_FILE}: packages[0]: expected a table"


@pytest.mark.usefixtures("online")
@pytest.mark.parametrize("staging", [False, True])
def test_a_run_whose_check_needs_provenance_gathers_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, staging: bool
) -> None:
    monkeypatch.setattr(_gather, "read_pins", no_pins)
    inventory = lock(tmp_path, locked(GITHUB, direct=True))
    args = argparse.Namespace(
        index_url=None, offline=False, refresh=False, python_version=None, quiet=True
    )
    if staging:
        args.staging = True
    with loopback_index() as index:
        gathered = gather_sources(
            [inventory],
            [CHECKS[CheckId("provenance")]],
            args=args,
            config=Config(index_url=index.simple_url),
            settings=Settings(cache_dir=tmp_path / "cache"),
            start=tmp_path,
        )
    report = gathered.sources.provenance
    assert report is not None
    assert report.trust == ("staging" if staging else "production")
    assert [p.status for p in report.packages] == ["failed" if staging else "verified"]


def test_offline_with_nothing_cached_the_run_still_has_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_gather, "read_pins", no_pins)
    inventory = lock(tmp_path, locked(GITHUB))
    args = argparse.Namespace(
        index_url="https://index.example.invalid/simple/",
        offline=True,
        refresh=False,
        python_version=None,
        quiet=True,
    )
    gathered = gather_sources(
        [inventory],
        [CHECKS[CheckId("provenance")]],
        args=args,
        config=Config(),
        settings=Settings(cache_dir=tmp_path / "cache"),
        start=tmp_path,
    )
    report = gathered.sources.provenance
    assert report is not None
    assert [p.status for p in report.packages] == ["unavailable"]
    assert gathered.notes == (
        "offline: the provenance of 1 artifact(s) is not cached, so it was not checked",
    )


def test_an_index_without_an_integrity_api_is_asked_at_its_pages_urls(tmp_path: Path) -> None:
    import httpx

    root = "https://mirror.example.invalid/root/+simple/"
    served = "https://mirror.example.invalid/root/+f/"
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        asked.append(url)
        if url == f"{root}pypi-attestations/":
            body = page(*GITHUB[:2], {GITHUB[2]: sha256(GITHUB[2])}, base=served.rstrip("/"))
            return httpx.Response(200, content=body, headers={"Content-Type": SIMPLE_JSON})
        if url == f"{root}gcb-attestation-test/":
            body = page(*GOOGLE[:2], {GOOGLE[2]: sha256(GOOGLE[2])})  # no provenance URL
            return httpx.Response(200, content=body, headers={"Content-Type": SIMPLE_JSON})
        if url == f"{served}files/{GITHUB[2]}.provenance":
            body = (SAMPLES / f"{GITHUB[2]}.provenance").read_bytes()
            return httpx.Response(200, content=body, headers={"Content-Type": INTEGRITY_JSON})
        return httpx.Response(404)

    inventory = lock(tmp_path, locked(GITHUB), locked(GOOGLE))
    options = dataclasses.replace(FAST, transport=httpx.MockTransport(answer))
    report = gather(inventory, None, tmp_path, option=root, client=options)
    github, google = report.packages
    assert github.status == "verified"
    assert google.status == "unavailable"
    assert google.artifacts[0].reason is not None
    assert "no integrity API configured for this index" in google.artifacts[0].reason
    # The two pages are fetched concurrently (in either order), then the provenance.
    assert sorted(asked[:2]) == [f"{root}gcb-attestation-test/", f"{root}pypi-attestations/"]
    assert asked[2:] == [f"{served}files/{GITHUB[2]}.provenance"]
