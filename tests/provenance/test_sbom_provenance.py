"""Verified provenance in CycloneDX: ``add_provenance`` on hand-built reports and on a
real verification, documents that validate as CycloneDX 1.5 and 1.6 (JSON and XML),
``pyward sbom --provenance`` end to end with the gathering stubbed, and SPDX refused."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pyward._cli import main
from pyward._commands._sources import Gathered
from pyward._inventory import read_inventory
from pyward._model import Component, Inventory
from pyward._provenance._model import Coverage, PackageProvenance, ProvenanceReport, Publisher
from pyward._sbom import write_sbom
from pyward._sbom._provenance import VERIFIED_COMMENT, add_provenance, publisher_links
from pyward.errors import UsageError
from tests.conftest import CORPUS
from tests.render._reports import CIRCLECI, GITHUB, GITLAB, GOOGLE
from tests.render._reports import provenance as provenance_report

FLASK = CORPUS / "uv" / "flask" / "uv.lock"
REPO = "https://github.com/trailofbits/pypi-attestations"


def _bom(report: ProvenanceReport) -> Any:
    """A CycloneDX document listing the report's components, as the SBOM writer makes
    them (purl, name, version), built with the library."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from packageurl import PackageURL

    return Bom(
        components=[
            CdxComponent(
                type=ComponentType.LIBRARY,
                name=p.component.name,
                version=p.component.version,
                purl=PackageURL.from_string(p.component.purl),
                bom_ref=p.component.purl,
            )
            for p in report.packages
        ]
    )


def _serialise(bom: Any, version: str, fmt: str) -> str:
    from cyclonedx.output import make_outputter
    from cyclonedx.schema import OutputFormat, SchemaVersion

    schema = SchemaVersion.from_version(version)
    output = OutputFormat.JSON if fmt == "json" else OutputFormat.XML
    text: str = make_outputter(bom, output, schema).output_as_string(indent=2)
    return text


def _validate(text: str, version: str, fmt: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from cyclonedx.validation.xml import XmlValidator

    schema = SchemaVersion.from_version(version)
    validator = JsonStrictValidator(schema) if fmt == "json" else XmlValidator(schema)
    error = validator.validate_str(text)
    assert error is None, str(error)


def _component(bom: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in bom["components"] if c["name"] == name)
    return found


def _props(component: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (p["name"].removeprefix("pyward:provenance:"), p["value"])
        for p in component.get("properties", [])
        if p["name"].startswith("pyward:provenance:")
    ]


def _refs(component: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["type"], r["url"]) for r in component.get("externalReferences", [])]


def _sample_bom() -> tuple[ProvenanceReport, dict[str, Any]]:
    """The sample report's provenance and its CycloneDX 1.6 JSON document with the
    provenance added."""
    report = provenance_report().provenance
    assert report is not None
    bom = _bom(report)
    add_provenance(bom, report)
    data: dict[str, Any] = json.loads(_serialise(bom, "1.6", "json"))
    return report, data


@pytest.mark.parametrize("version", ["1.5", "1.6"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_document_validates_as_cyclonedx(version: str, fmt: str) -> None:
    bom = _bom(provenance_report().provenance)  # type: ignore[arg-type]
    assert add_provenance(bom, provenance_report().provenance) == []  # type: ignore[arg-type]
    text = _serialise(bom, version, fmt)
    _validate(text, version, fmt)
    assert "pyward:provenance:publisher-kind" in text
    assert f"{REPO}/blob/v0.0.19/.github/workflows/release.yml" in text


def test_a_verified_github_package_carries_its_publisher_and_links() -> None:
    _, data = _sample_bom()
    github = _component(data, "pypi-attestations")
    assert _props(github) == [
        ("artifacts", "1"),
        ("environment", "release"),
        ("identity", GITHUB.identity),
        ("publisher-kind", "github"),
        ("repository", "trailofbits/pypi-attestations"),
        ("status", "verified"),
        ("verified-artifacts", "1"),
        ("workflow", "release.yml"),
    ]
    assert _refs(github) == [
        (
            "attestation",
            "https://index.example.invalid/integrity/pypi-attestations/0.0.19/"
            "pypi_attestations-0.0.19.tar.gz/provenance",
        ),
        ("build-meta", f"{REPO}/blob/v0.0.19/.github/workflows/release.yml"),
        ("build-system", f"{REPO}/actions/workflows/release.yml"),
        ("vcs", REPO),
    ]
    assert {r["comment"] for r in github["externalReferences"]} == {VERIFIED_COMMENT}
    assert {(p["name"], p["value"]) for p in data["metadata"]["properties"]} == {
        ("pyward:provenance:trust", "Sigstore production trust root (bundled)"),
        (
            "pyward:provenance:coverage",
            "3 of 7 packages attested (4 of 8 artifacts); not attested: direct deps "
            "pypi-attestation-models==0.0.4a2",
        ),
    }


def test_only_verified_and_partial_packages_get_references() -> None:
    report, data = _sample_bom()
    statuses = {c["name"]: dict(_props(c))["status"] for c in data["components"]}
    assert statuses == {p.component.name: p.status for p in report.packages}
    with_refs = sorted(c["name"] for c in data["components"] if c.get("externalReferences"))
    # A publisher change names its new publisher, never as the component's repository.
    assert with_refs == [
        "circleci-sign-publish-example",
        "gcb-attestation-test",
        "pypi-attestations",
    ]
    changed = _component(data, "gitlab-oidc-project")
    assert ("publisher-kind", "gitlab") in _props(changed)
    # A partly attested package links the artifact that verified, not the others.
    assert _refs(_component(data, "gcb-attestation-test")) == [
        (
            "attestation",
            "https://index.example.invalid/integrity/gcb-attestation-test/0.0.0/"
            "gcb_attestation_test-0.0.0.tar.gz/provenance",
        )
    ]
    assert _props(_component(data, "six")) == [
        ("artifacts", "0"),
        ("status", "no-artifacts"),
        ("verified-artifacts", "0"),
    ]


@pytest.mark.parametrize(
    ("publisher", "links"),
    [
        pytest.param(
            GITHUB,
            [
                ("vcs", REPO),
                ("build-system", f"{REPO}/actions/workflows/release.yml"),
                ("build-meta", f"{REPO}/blob/v0.0.19/.github/workflows/release.yml"),
            ],
            id="github",
        ),
        pytest.param(
            dataclasses.replace(
                GITHUB,
                identity="https://github.com/org/shared/.github/workflows/pypi.yml@refs/heads/main",
            ),
            [
                ("vcs", REPO),
                ("build-system", f"{REPO}/actions/workflows/release.yml"),
                ("build-meta", f"{REPO}/blob/HEAD/.github/workflows/release.yml"),
            ],
            id="github-reusable-workflow",
        ),
        pytest.param(
            GITLAB,
            [
                ("vcs", "https://gitlab.com/facutuesca/gitlab-oidc-project"),
                ("build-system", "https://gitlab.com/facutuesca/gitlab-oidc-project/-/pipelines"),
                (
                    "build-meta",
                    "https://gitlab.com/facutuesca/gitlab-oidc-project/-/blob/main/.gitlab-ci.yml",
                ),
            ],
            id="gitlab",
        ),
        pytest.param(
            CIRCLECI,
            [("vcs", "https://github.com/CircleCI-Public/sign-and-publish-examples")],
            id="circleci",
        ),
        pytest.param(GOOGLE, [], id="google"),
        pytest.param(
            Publisher(kind="other", repository="https://git.example.invalid/a/b"),
            [],
            id="other",
        ),
        pytest.param(
            Publisher(kind="github", repository="owner/repo"),
            [("vcs", "https://github.com/owner/repo")],
            id="github-without-workflow",
        ),
    ],
)
def test_publisher_links(publisher: Publisher, links: list[tuple[str, str]]) -> None:
    assert publisher_links(publisher) == links


def test_components_are_matched_by_purl_then_by_name_and_version() -> None:
    from cyclonedx.model.component import Component as CdxComponent

    report = provenance_report().provenance
    assert report is not None
    # A component written without a purl, under the name as the project spells it.
    bare = CdxComponent(name="PyPI_Attestations", version="0.0.19")
    notes = add_provenance([bare], report)
    assert ("pyward:provenance:status", "verified") in {(p.name, p.value) for p in bare.properties}
    assert len(notes) == len(report.packages) - 1
    assert notes[0] == ("provenance of gcb-attestation-test==0.0.0: no such component in the SBOM")


def test_a_real_verification_gives_the_github_repository() -> None:
    pytest.importorskip("pypi_attestations", reason="needs the 'provenance' extra")
    from tests.provenance.test_render import real_report

    report = real_report()
    bom = _bom(report)
    add_provenance(bom, report)
    text = _serialise(bom, "1.6", "json")
    _validate(text, "1.6", "json")
    github = _component(json.loads(text), "pypi-attestations")
    assert ("vcs", REPO) in _refs(github)
    assert ("identity", GITHUB.identity) in _props(github)


# -- pyward sbom --provenance ---------------------------------------------------------


def _flask_report(inventory: Inventory) -> ProvenanceReport:
    """Three registry components of the flask lock verified for one GitHub publisher
    (hand-made: the lock's real components, a made-up outcome). Three: the schema
    validator checks each reference's URL with a slow pattern (seconds per URL)."""
    from tests.render._reports import artifact

    def package(c: Component) -> PackageProvenance:
        filename = f"{c.name.replace('-', '_')}-{c.version}.tar.gz"
        return PackageProvenance(
            component=c,
            artifacts=(artifact(c, filename, "verified", publisher=GITHUB),),
        )

    packages = tuple(package(c) for c in inventory.components if c.source == "registry")[:3]
    return ProvenanceReport(
        packages=packages,
        coverage=Coverage(
            packages=len(packages),
            packages_attested=len(packages),
            artifacts=len(packages),
            artifacts_attested=len(packages),
        ),
    )


def test_write_sbom_carries_provenance_in_json_and_xml() -> None:
    inventory = read_inventory(FLASK)
    report = _flask_report(inventory)
    out = write_sbom(inventory, format="cyclonedx-json", target=FLASK, provenance=report)
    _validate(out.data.decode(), "1.6", "json")
    bom = json.loads(out.data)
    attested = [c for c in bom["components"] if ("status", "verified") in _props(c)]
    assert len(attested) == len(report.packages) == 3
    assert all(("vcs", REPO) in _refs(c) for c in attested)
    xml = write_sbom(inventory, format="cyclonedx-xml", target=FLASK, provenance=report)
    _validate(xml.data.decode(), "1.6", "xml")
    assert xml.data.count(b'name="pyward:provenance:status"') == len(report.packages)


def test_spdx_has_no_place_for_provenance() -> None:
    inventory = read_inventory(FLASK)
    with pytest.raises(UsageError) as raised:
        write_sbom(inventory, format="spdx-json", provenance=_flask_report(inventory))
    assert str(raised.value) == (
        "provenance needs a CycloneDX format: spdx-json (SPDX 2.3) has no field for a "
        "verified publisher"
    )


def test_cli_refuses_provenance_in_spdx_before_asking_anything(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyward._commands._sources as sources

    def fail(*args: object, **kwargs: object) -> Gathered:
        raise AssertionError("nothing is gathered for SPDX")

    monkeypatch.setattr(sources, "gather_sources", fail)
    assert main(["sbom", str(FLASK), "--provenance", "-f", "spdx-tv"]) == 2
    assert capsys.readouterr().err == (
        "pyward: error: provenance needs a CycloneDX format: spdx-tv (SPDX 2.3) has no "
        "field for a verified publisher\n"
    )


def test_cli_provenance_end_to_end(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--provenance`` gathers through the same call the ``provenance`` check uses
    (stubbed here: its own tests run it against a loopback index) and writes what it
    found into the document."""
    import pyward._commands._sources as sources
    from pyward._checks import Sources

    asked: list[tuple[str, ...]] = []

    def gather(inventories: list[Inventory], selected: Any, **kwargs: Any) -> Gathered:
        asked.append(tuple(c.id for c in selected))
        assert kwargs["args"].offline is True  # the data options reach the gathering
        report = _flask_report(inventories[0])
        report = dataclasses.replace(report, notes=("an index answered 503",))
        return Gathered(sources=Sources(provenance=report))

    monkeypatch.setattr(sources, "gather_sources", gather)
    out = tmp_path / "bom.json"
    assert main(["sbom", str(FLASK), "--provenance", "--offline", "-o", str(out)]) == 0
    assert asked == [("provenance",)]
    # The gathering's notes first, then the SBOM's own (the project's editable root).
    assert capsys.readouterr().err.startswith("pyward: note: an index answered 503\npyward: ")
    bom = json.loads(out.read_text(encoding="utf-8"))
    _validate(json.dumps(bom), "1.6", "json")
    assert sum(("status", "verified") in _props(c) for c in bom["components"]) == 3

    def nothing(inventories: list[Inventory], selected: Any, **kwargs: Any) -> Gathered:
        return Gathered(sources=Sources(unavailable={"provenance": "no package index configured"}))

    monkeypatch.setattr(sources, "gather_sources", nothing)
    assert main(["sbom", str(FLASK), "--provenance", "-o", str(out)]) == 0
    assert capsys.readouterr().err.startswith(
        "pyward: note: provenance left out: no package index configured\npyward: "
    )
    assert "pyward:provenance:" not in out.read_text(encoding="utf-8")


def test_cli_provenance_without_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pypi_attestations", None)  # as when not installed
    assert main(["sbom", str(FLASK), "--provenance"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "pyward: error: provenance in an SBOM (--provenance) needs the 'provenance' extra, "
        "which is not installed (no module pypi_attestations): pip install "
        "'pyward[provenance]'\n"
    )
