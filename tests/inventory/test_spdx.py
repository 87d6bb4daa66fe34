"""SPDX reader on the corpus SBOM (JSON), on tag-value written by spdx-tools, and on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyward._inventory import _cyclonedx, _spdx
from pyward._model import Component, ComponentKey, Hash, Inventory, NotAudited
from pyward.errors import InputError
from tests.conftest import CORPUS

SBOM = CORPUS / "sbom-spdx" / "sbom4python" / "sbom4python.spdx.json"
CDX = CORPUS / "sbom-cyclonedx" / "sbom4python" / "sbom4python.cdx.json"


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def test_sbom4python_json() -> None:
    inv = _spdx.read(SBOM)
    assert inv.format == "spdx"
    assert len(inv.components) == 15
    assert inv.not_audited == ()
    # The same environment as the CycloneDX document of the corpus: same packages,
    # same graph, same hashes.
    cdx = _cyclonedx.read(CDX)
    assert {c.key for c in inv.components} == {c.key for c in cdx.components}
    assert {c.key: c.hashes for c in inv.components} == {c.key: c.hashes for c in cdx.components}
    assert {k: sorted(v) for k, v in inv.edges.items()} == {
        k: sorted(v) for k, v in cdx.edges.items()
    }
    assert inv.roots == ("sbom4python==0.12.0",)
    assert inv.project is not None
    assert (inv.project.name, inv.project.version) == ("sbom4python", "0.12.0")
    requests = get(inv, "requests==2.31.0")
    assert requests.purl == "pkg:pypi/requests@2.31.0"
    assert requests.hashes == (
        Hash(
            algorithm="sha256",
            value="58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f",
        ),
    )
    # licenseDeclared is NOASSERTION: the concluded licence is used.
    assert requests.license_expression == "Apache-2.0"
    assert get(inv, "idna==3.4").license_expression is None
    assert requests.metadata == {
        "summary": "Python HTTP for Humans.",
        "supplier": "Kenneth Reitz (me@kennethreitz.org)",
        # The input's "Person:", for an SBOM written from this one (issue 11, item 17).
        "supplier_kind": "person",
        "home_page": "https://requests.readthedocs.io",
    }
    assert get(inv, "sbom4python==0.12.0").direct
    assert inv.why(ComponentKey("python-magic==0.4.27")) == (
        "sbom4python==0.12.0",
        "sbom4files==0.4.4",
        "python-magic==0.4.27",
    )


def test_spdx_tools_rejects_the_corpus_document() -> None:
    """Why the reader does not use spdx-tools' parser (see the module docstring)."""
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.parse_anything import parse_file

    with pytest.raises(SPDXParsingError) as err:
        parse_file(str(SBOM))
    assert "3.25.0 is not a valid version string" in str(err.value.get_messages())


def test_tag_value_written_by_spdx_tools_reads_like_the_json(tmp_path: Path) -> None:
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser
    from spdx_tools.spdx.writer.tagvalue.tagvalue_writer import write_document_to_file

    data = json.loads(SBOM.read_text())
    # spdx-tools only accepts MAJOR.MINOR here (the corpus says 3.25.0).
    data["creationInfo"]["licenseListVersion"] = "3.25"
    path = tmp_path / "sbom4python.spdx"
    write_document_to_file(JsonLikeDictParser().parse(data), str(path), validate=False)
    assert "ExternalRef: PACKAGE-MANAGER purl pkg:pypi/requests@2.31.0" in path.read_text()
    inv = _spdx.read(path)
    original = _spdx.read(SBOM)
    assert inv.components == original.components
    assert inv.edges == original.edges
    assert inv.roots == original.roots
    assert inv.project == original.project
    assert inv.not_audited == ()


def document(packages: list[dict[str, Any]], relationships: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "packages": packages,
        "relationships": relationships,
    }


def package(spdx_id: str, name: str, version: str, purl: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"SPDXID": spdx_id, "name": name, "versionInfo": version}
    if purl:
        out["externalRefs"] = [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": purl,
            }
        ]
    return out


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "sbom.spdx.json"
    path.write_text(json.dumps(data))
    return path


def test_non_pypi_project_and_dependency_of(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        document(
            [
                package("SPDXRef-app", "my-app", "1.0", None),
                package("SPDXRef-a", "Flask", "3.0.0", "pkg:pypi/flask@3.0.0"),
                package(
                    "SPDXRef-b",
                    "werkzeug",
                    "3.0.1",
                    "pkg:pypi/werkzeug@3.0.1?repository_url=https://mirror.invalid/simple",
                ),
                package("SPDXRef-c", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0"),
            ],
            [
                {
                    "spdxElementId": "SPDXRef-DOCUMENT",
                    "relationshipType": "DESCRIBES",
                    "relatedSpdxElement": "SPDXRef-app",
                },
                {
                    "spdxElementId": "SPDXRef-app",
                    "relationshipType": "DEPENDS_ON",
                    "relatedSpdxElement": "SPDXRef-a",
                },
                {
                    "spdxElementId": "SPDXRef-b",
                    "relationshipType": "DEPENDENCY_OF",
                    "relatedSpdxElement": "SPDXRef-a",
                },
                {
                    "spdxElementId": "SPDXRef-c",
                    "relationshipType": "DEPENDENCY_OF",
                    "relatedSpdxElement": "SPDXRef-app",
                },
            ],
        ),
    )
    inv = _spdx.read(path)
    assert [c.key for c in inv.components] == ["flask==3.0.0", "werkzeug==3.0.1"]
    assert inv.project is not None
    assert (inv.project.name, inv.project.version) == ("my-app", "1.0")
    assert inv.roots == ("flask==3.0.0",)
    assert inv.edges == {"flask==3.0.0": ("werkzeug==3.0.1",)}
    werkzeug = get(inv, "werkzeug==3.0.1")
    assert werkzeug.index == "https://mirror.invalid/simple"
    assert werkzeug.non_default_index
    assert get(inv, "flask==3.0.0").display_name == "Flask"
    assert inv.not_audited == (
        NotAudited(
            name="my-app",
            requirement="my-app==1.0",
            reason="no package URL (purl); cannot tell which ecosystem it belongs to",
        ),
        NotAudited(
            name="left-pad",
            requirement="pkg:npm/left-pad@1.3.0",
            reason="not a PyPI package: pkg:npm/left-pad@1.3.0",
        ),
    )


def test_without_describes_the_roots_are_what_nothing_depends_on(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        document(
            [
                package("SPDXRef-a", "flask", "3.0.0", "pkg:pypi/flask@3.0.0"),
                package("SPDXRef-b", "werkzeug", "3.0.1", "pkg:pypi/werkzeug@3.0.1"),
            ],
            [
                {
                    "spdxElementId": "SPDXRef-a",
                    "relationshipType": "DEPENDS_ON",
                    "relatedSpdxElement": "SPDXRef-b",
                },
            ],
        ),
    )
    inv = _spdx.read(path)
    assert inv.project is None
    assert inv.roots == ("flask==3.0.0",)
    assert [(c.key, c.direct) for c in inv.components] == [
        ("flask==3.0.0", True),
        ("werkzeug==3.0.1", False),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"spdxVersion": "SPDX-3.0"},
            "spdxVersion: unsupported SPDX-3.0 (this pyward reads SPDX 2.x)",
        ),
        ({"bomFormat": "CycloneDX"}, "spdxVersion: not an SPDX document (spdxVersion is None)"),
        (document([{"name": "x"}], []), "packages[0].SPDXID: missing"),
        (
            document(
                [
                    package("SPDXRef-a", "a", "1", "pkg:pypi/a@1"),
                    package("SPDXRef-a", "b", "1", None),
                ],
                [],
            ),
            "packages[1].SPDXID: duplicate SPDXID 'SPDXRef-a'",
        ),
        (
            document(
                [
                    {
                        **package("SPDXRef-a", "a", "1", "pkg:pypi/a@1"),
                        "checksums": [{"algorithm": "SHA256", "checksumValue": "xyz"}],
                    }
                ],
                [],
            ),
            "packages[0].checksums[0].checksumValue: expected a hex digest",
        ),
        (
            document(
                [package("SPDXRef-a", "a", "1", "pkg:pypi/a@1")],
                [
                    {
                        "spdxElementId": "SPDXRef-a",
                        "relationshipType": "DEPENDS_ON",
                        "relatedSpdxElement": "SPDXRef-zz",
                    }
                ],
            ),
            "relationships[0].relatedSpdxElement: unknown SPDX id 'SPDXRef-zz'",
        ),
        (
            document([package("SPDXRef-a", "a", "1", "pypi/a@1")], []),
            "packages[0].externalRefs[0].referenceLocator: invalid purl: "
            "purl is missing the required \"pkg\" scheme component: 'pypi/a@1'.",
        ),
    ],
)
def test_malformed_json(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(InputError) as err:
        _spdx.read(path)
    assert str(err.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "SPDXVersion: SPDX-2.3\nthis is not a tag\n",
            "line 2: expected 'Tag: value', found 'this is not a tag'",
        ),
        (
            "SPDXVersion: SPDX-2.3\nPackageName: a\nPackageSummary: <text>open\n",
            "line 3: <text> of PackageSummary is not closed",
        ),
        (
            "SPDXVersion: SPDX-2.3\nRelationship: SPDXRef-a DEPENDS_ON\n",
            "line 2: expected 'Relationship: A TYPE B', found 'SPDXRef-a DEPENDS_ON'",
        ),
    ],
)
def test_malformed_tag_value(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sbom.spdx"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        _spdx.read(path)
    assert str(err.value) == f"{path}: {message}"
