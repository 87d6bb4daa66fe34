"""``pyward provenance`` end to end: a uv.lock of the real attested samples, a loopback
index serving their pages and their real provenance through the integrity API; a
tampered provenance, a file without one (404), a server error (a note, not a failure),
``--pin`` then a changed publisher, ``--require-attestations``, the exit codes, the
trust root, and the missing extra."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from pyward._provenance import _pins
from tests.conftest import DATA, run_cli
from tests.index._loopback_index import LoopbackIndex, loopback_index
from tests.provenance._support import (
    CIRCLECI,
    GITHUB,
    GITLAB,
    GOOGLE,
    SAMPLES,
    page,
    sha256,
)

LOCK = DATA / "provenance"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the locked project (``--pin`` writes beside the lock)."""
    target = tmp_path / "project"
    shutil.copytree(LOCK, target)
    return target


def add_pages(index: LoopbackIndex) -> None:
    """A page for every sample, listing its file and digest (what an input that records
    hashes but no file names is matched against)."""
    for name, version, filename in (GITHUB, GOOGLE, CIRCLECI, GITLAB):
        index.pages[name] = page(name, version, {filename: sha256(filename)})


def provenance(
    capsys: pytest.CaptureFixture[str], index: LoopbackIndex, project: Path, *args: str
) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(
        capsys,
        "provenance",
        str(project / "uv.lock"),
        "--index-url",
        index.simple_url,
        "-f",
        "json",
        *args,
    )
    report = json.loads(out) if out else {}
    return code, report, err


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["status"] for p in report["provenance"]["packages"]}


def test_without_the_extra_it_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pypi_attestations", None)
    code, out, err = run_cli(capsys, "provenance", str(project / "uv.lock"))
    assert (code, out) == (2, "")
    assert err == (
        "pyward: error: pyward provenance needs the 'provenance' extra, which is not "
        "installed (no module pypi_attestations): pip install 'pyward[provenance]'\n"
    )


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    code, _, err = run_cli(capsys, "provenance", str(project / "uv.lock"), "--repin", "six")
    assert (code, err) == (2, "pyward: error: --repin needs --pin\n")


def test_a_bad_trust_root_is_an_input_error(
    capsys: pytest.CaptureFixture[str], project: Path, online: None
) -> None:
    pytest.importorskip("sigstore", reason="needs the 'provenance' extra")
    bad = project / "root.json"
    bad.write_text("[]")
    with loopback_index() as index:
        code, report, err = provenance(capsys, index, project, "--trust-root", str(bad))
        assert index.requests == []
    assert (code, report) == (2, {})
    assert err == f"pyward: error: {bad}: not a Sigstore trusted root: Input should be an object\n"


def test_verified_none_and_required(
    capsys: pytest.CaptureFixture[str], project: Path, online: None
) -> None:
    with loopback_index() as index:
        add_pages(index)
        code, report, err = provenance(capsys, index, project)
        required, strict, _ = provenance(capsys, index, project, "--require-attestations")
    assert code == 0, err
    assert statuses(report) == {
        "circleci-sign-publish-example": "verified",
        "gcb-attestation-test": "verified",
        "gitlab-oidc-project": "none",
        "pypi-attestations": "verified",
    }
    coverage = report["provenance"]["coverage"]
    assert coverage["packages_attested"] == 3
    assert coverage["unattested_direct"] == ["gitlab-oidc-project==0.0.3"]
    assert report["provenance"]["trust"] == "production"
    assert required == 1
    assert [f["id"] for f in strict["findings"]] == ["provenance:gitlab-oidc-project@0.0.3"]


def test_a_tampered_provenance_fails_and_a_server_error_is_a_note(
    capsys: pytest.CaptureFixture[str], project: Path, online: None
) -> None:
    data = json.loads((SAMPLES / f"{GITHUB[2]}.provenance").read_bytes())
    envelope = data["attestation_bundles"][0]["attestations"][0]["envelope"]
    envelope["signature"] = ("A" if envelope["signature"][0] != "A" else "B") + envelope[
        "signature"
    ][1:]
    tampered = {GITHUB[2]: json.dumps(data).encode()}
    with loopback_index(provenance=tampered, faults={"gcb-attestation-test": "error"}) as index:
        add_pages(index)
        code, report, _ = provenance(capsys, index, project)
        # The real provenance again (revalidated: another ETag); the server error stays.
        index.provenance.clear()
        noted, fine, err = provenance(capsys, index, project, "--refresh")
    assert code == 1
    assert statuses(report)["pypi-attestations"] == "failed"
    (finding,) = report["findings"]
    assert finding["id"] == "provenance:pypi-attestations@0.0.19"
    assert noted == 0
    assert statuses(fine)["pypi-attestations"] == "verified"
    assert statuses(fine)["gcb-attestation-test"] == "unavailable"
    assert "HTTP 500" in err


def test_pin_then_a_changed_publisher_fails_until_repinned(
    capsys: pytest.CaptureFixture[str], project: Path, online: None
) -> None:
    side = project / _pins.SIDE_FILE
    with loopback_index() as index:
        add_pages(index)
        code, _, err = provenance(capsys, index, project, "--pin")
        assert code == 0
        assert f"{side}: 3 project(s) pinned" in err
        pinned = side.read_text()
        assert 'repository = "trailofbits/pypi-attestations"' in pinned
        # Another repository now publishes the project: the pin no longer admits it.
        side.write_text(pinned.replace("trailofbits/pypi-attestations", "someone/else"))
        changed, report, _ = provenance(capsys, index, project)
        assert changed == 1
        assert statuses(report)["pypi-attestations"] == "changed"
        (finding,) = report["findings"]
        assert "publisher changed" in finding["summary"]
        repinned, _, err = provenance(
            capsys, index, project, "--pin", "--repin", "PyPI_Attestations"
        )
        assert repinned == 1  # this run still saw the change
        again, _, _ = provenance(capsys, index, project)
    assert again == 0
    assert "someone/else" not in side.read_text()


def test_an_sbom_carries_the_verified_publishers(
    capsys: pytest.CaptureFixture[str], project: Path, online: None
) -> None:
    """``pyward sbom --provenance`` through the real gather: the loopback index's real
    provenance verified, each verified publisher on its component, the unattested one
    with its status only."""
    with loopback_index() as index:
        add_pages(index)
        code, out, err = run_cli(
            capsys,
            "sbom",
            str(project / "uv.lock"),
            "--provenance",
            "--index-url",
            index.simple_url,
            "--format",
            "cyclonedx-json",
        )
    assert code == 0, err
    bom = json.loads(out)
    by_name = {c["name"]: c for c in bom["components"]}

    def properties(name: str) -> dict[str, str]:
        return {
            p["name"]: p["value"]
            for p in by_name[name].get("properties", [])
            if p["name"].startswith("pyward:provenance:")
        }

    github = properties("pypi-attestations")
    assert github["pyward:provenance:status"] == "verified"
    assert github["pyward:provenance:repository"] == "trailofbits/pypi-attestations"
    assert github["pyward:provenance:workflow"] == "release.yml"
    links = {(r["type"], r["url"]) for r in by_name["pypi-attestations"]["externalReferences"]}
    assert ("vcs", "https://github.com/trailofbits/pypi-attestations") in links
    assert any(kind == "attestation" and url.endswith("/provenance") for kind, url in links)
    assert properties("gitlab-oidc-project")["pyward:provenance:status"] == "none"
    assert not any(
        r["type"] == "attestation"
        for r in by_name["gitlab-oidc-project"].get("externalReferences", [])
    )
