"""CycloneDX reader: corpus SBOMs, XML written by cyclonedx-python-lib, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyward._inventory import _cyclonedx
from pyward._model import Component, ComponentKey, Hash, Inventory, NotAudited
from pyward.errors import InputError
from tests.conftest import CORPUS

SBOM4PYTHON = CORPUS / "sbom-cyclonedx" / "sbom4python" / "sbom4python.cdx.json"
PRIVATE = (
    CORPUS
    / "sbom-cyclonedx"
    / "cyclonedx-python-private-packages"
    / "plain_private-packges_v2_lock21_1.6.json.bin"
)


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def test_sbom4python() -> None:
    inv = _cyclonedx.read(SBOM4PYTHON)
    assert inv.format == "cyclonedx"
    assert sorted(c.key for c in inv.components) == [
        "certifi==2023.11.17",
        "charset-normalizer==3.3.2",
        "defusedxml==0.7.1",
        "idna==3.4",
        "lib4package==0.3.0",
        "lib4sbom==0.8.0",
        "python-magic==0.4.27",
        "pyyaml==6.0",
        "requests==2.31.0",
        "sbom2dot==0.3.0",
        "sbom4files==0.4.4",
        "sbom4python==0.12.0",
        "semantic-version==2.10.0",
        "toml==0.10.2",
        "urllib3==2.1.0",
    ]
    assert inv.not_audited == ()
    assert inv.project is not None
    assert (inv.project.name, inv.project.version, inv.project.display_name) == (
        "python-sbom4python",
        None,
        "Python-sbom4python",
    )
    assert inv.roots == ("sbom4python==0.12.0",)
    assert get(inv, "sbom4python==0.12.0").direct
    assert not get(inv, "requests==2.31.0").direct
    requests = get(inv, "requests==2.31.0")
    assert requests.hashes == (
        Hash(
            algorithm="sha256",
            value="58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f",
        ),
    )
    assert requests.license_expression == "Apache-2.0"
    assert requests.purl == "pkg:pypi/requests@2.31.0"
    assert get(inv, "idna==3.4").license_expression is None
    assert get(inv, "lib4sbom==0.8.0").hashes == ()
    assert get(inv, "sbom4python==0.12.0").metadata == {
        "summary": "SBOM generator for Python modules",
        "supplier": "Anthony Harrison",
    }
    assert inv.edges[ComponentKey("requests==2.31.0")] == (
        "charset-normalizer==3.3.2",
        "idna==3.4",
        "urllib3==2.1.0",
        "certifi==2023.11.17",
    )
    assert inv.why(ComponentKey("pyyaml==6.0")) == (
        "sbom4python==0.12.0",
        "lib4sbom==0.8.0",
        "pyyaml==6.0",
    )
    assert inv.why(ComponentKey("certifi==2023.11.17")) == (
        "sbom4python==0.12.0",
        "lib4package==0.3.0",
        "requests==2.31.0",
        "certifi==2023.11.17",
    )


def test_private_packages_repository_url_qualifiers() -> None:
    inv = _cyclonedx.read(PRIVATE)
    assert sorted(c.key for c in inv.components) == [
        "colorama==0.4.6",
        "importlib-metadata==8.6.1",
        "jax==0.4.20",
        "ml-dtypes==0.5.1",
        "numpy==2.0.2",
        "numpy==2.2.3",
        "opt-einsum==3.4.0",
        "scipy==1.13.1",
        "scipy==1.15.2",
        "six==1.16.0",
        "toml==0.10.2",
        "zipp==3.21.0",
    ]
    assert inv.project is not None
    assert (inv.project.name, inv.project.version) == ("private-packges-v2", "0.1.0")
    assert inv.roots == ("colorama==0.4.6", "jax==0.4.20", "six==1.16.0", "toml==0.10.2")
    colorama = get(inv, "colorama==0.4.6")
    assert colorama.index == "http://pysrc1.example.local:8080/simple"
    assert colorama.non_default_index
    assert (
        colorama.purl
        == "pkg:pypi/colorama@0.4.6?repository_url=http://pysrc1.example.local:8080/simple"
    )
    assert colorama.groups == frozenset({"main"})
    assert colorama.direct
    assert colorama.hashes == (
        Hash(
            algorithm="sha256",
            value="4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6",
        ),
        Hash(
            algorithm="sha256",
            value="08695f5cb7ed6e0531a20572697297273c47b8cae5a63ffc6d6ed5c201be6e44",
        ),
    )
    assert get(inv, "toml==0.10.2").index == "http://pysrc2.example.local:8080/simple"
    assert (
        get(inv, "jax==0.4.20").index
        == "https://storage.googleapis.com/jax-releases/jax_releases.html"
    )
    six = get(inv, "six==1.16.0")
    assert six.index is None
    assert not six.non_default_index
    assert six.source_url == (
        "https://files.pypi.invalid/packages/d9/5a/"
        "e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/six-1.16.0-py2.py3-none-any.whl"
    )
    assert len(get(inv, "numpy==2.0.2").hashes) == 45
    assert len(get(inv, "numpy==2.2.3").hashes) == 55
    assert get(inv, "zipp==3.21.0").groups == frozenset()
    # ``numpy@2.2.3#1`` and ``scipy@1.15.2#1`` are bom-refs of the second versions.
    assert inv.edges[ComponentKey("scipy==1.15.2")] == ("numpy==2.0.2", "numpy==2.2.3")
    assert inv.why(ComponentKey("zipp==3.21.0")) == (
        "jax==0.4.20",
        "importlib-metadata==8.6.1",
        "zipp==3.21.0",
    )


@pytest.mark.parametrize("version", ["1.4", "1.5", "1.6"])
@pytest.mark.parametrize("source", [SBOM4PYTHON, PRIVATE], ids=["sbom4python", "private"])
def test_xml_written_by_cyclonedx_python_lib_reads_like_the_json(
    tmp_path: Path, source: Path, version: str
) -> None:
    from cyclonedx.model.bom import Bom
    from cyclonedx.output import make_outputter
    from cyclonedx.schema import OutputFormat, SchemaVersion

    # from_json is added by py-serializable's class decorator, which mypy cannot see.
    bom = Bom.from_json(json.loads(source.read_text()))  # type: ignore[attr-defined]
    schema = SchemaVersion.from_version(version)
    xml_path = tmp_path / "bom.xml"
    xml_path.write_text(make_outputter(bom, OutputFormat.XML, schema).output_as_string(indent=2))
    json_path = tmp_path / "bom.json"
    json_path.write_text(make_outputter(bom, OutputFormat.JSON, schema).output_as_string(indent=2))
    original = _cyclonedx.read(source)
    for path in (xml_path, json_path):
        inv = _cyclonedx.read(path)
        assert sorted(inv.components, key=lambda c: c.key) == sorted(
            original.components, key=lambda c: c.key
        )
        assert {k: sorted(v) for k, v in inv.edges.items()} == {
            k: sorted(v) for k, v in original.edges.items()
        }
        assert sorted(inv.roots) == sorted(original.roots)
        assert inv.project == original.project


def document(components: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": components,
        **extra,
    }


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "sbom.cdx.json"
    path.write_text(json.dumps(data))
    return path


def test_non_pypi_and_purl_less_components_are_not_audited(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        document(
            [
                {
                    "type": "library",
                    "name": "serde",
                    "version": "1.0.0",
                    "purl": "pkg:cargo/serde@1.0.0",
                },
                {"type": "library", "name": "libfoo", "version": "2.0"},
                {"type": "library", "name": "Flask", "purl": "pkg:pypi/flask"},
                {
                    "type": "library",
                    "name": "outer",
                    "purl": "pkg:pypi/outer@1.0",
                    "components": [
                        {
                            "type": "library",
                            "name": "Inner_Pkg",
                            "version": "2.0",
                            "purl": "pkg:pypi/inner-pkg",
                        },
                    ],
                    "licenses": [{"expression": "MIT OR Apache-2.0"}],
                },
            ]
        ),
    )
    inv = _cyclonedx.read(path)
    assert [(c.key, c.display_name, c.license_expression) for c in inv.components] == [
        ("outer==1.0", None, "MIT OR Apache-2.0"),
        ("inner-pkg==2.0", "Inner_Pkg", None),
    ]
    assert inv.not_audited == (
        NotAudited(
            name="serde",
            requirement="pkg:cargo/serde@1.0.0",
            reason="not a PyPI package: pkg:cargo/serde@1.0.0",
        ),
        NotAudited(
            name="libfoo",
            requirement="libfoo==2.0",
            reason="no package URL (purl); cannot tell which ecosystem it belongs to",
        ),
        NotAudited(name="flask", requirement="pkg:pypi/flask", reason="no version"),
    )
    # No dependency graph: every component is a top.
    assert inv.roots == ("outer==1.0", "inner-pkg==2.0")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            document(
                [
                    {"type": "library", "name": "a"},
                    {"name": "b", "purl": "pkg:pypi/b@1", "bom-ref": 3},
                ]
            ),
            "components[1].bom-ref: expected a string",
        ),
        (
            document([{"name": "x", "purl": "pkg:pypi/x@1"}, {"name": "b", "purl": "pypi/b@1"}]),
            "components[1].purl: invalid purl: "
            "purl is missing the required \"pkg\" scheme component: 'pypi/b@1'.",
        ),
        (
            document(
                [{"name": "a", "purl": "pkg:pypi/a@1", "components": [{"name": "b", "purl": 7}]}]
            ),
            "components[0].components[0].purl: expected a string",
        ),
        (
            document(
                [
                    {
                        "name": "a",
                        "purl": "pkg:pypi/a@1",
                        "hashes": [{"alg": "SHA-999", "content": "00"}],
                    }
                ]
            ),
            "components[0].hashes[0].alg: unknown hash algorithm 'SHA-999'",
        ),
        (
            document(
                [{"name": "a", "purl": "pkg:pypi/a@1", "bom-ref": "a"}],
                dependencies=[{"ref": "a", "dependsOn": ["zz"]}],
            ),
            "dependencies[0].dependsOn[0]: unknown bom-ref 'zz'",
        ),
        (
            {"bomFormat": "CycloneDX", "specVersion": "2.0"},
            "specVersion: unsupported CycloneDX version 2.0 (this pyward reads 1.x)",
        ),
        (
            {"bomFormat": "SPDX"},
            "bomFormat: not a CycloneDX document (bomFormat is not 'CycloneDX')",
        ),
        (document({"a": 1}), "components: expected an array"),  # type: ignore[arg-type]
    ],
)
def test_malformed(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(InputError) as err:
        _cyclonedx.read(path)
    assert str(err.value) == f"{path}: {message}"


def test_invalid_json_and_xml(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text('{"bomFormat": "CycloneDX",\n "components": [}\n')
    with pytest.raises(InputError) as err:
        _cyclonedx.read(path)
    assert str(err.value) == (
        f"{path}: line 2: invalid JSON: unexpected character, expected a JSON value (column 17)"
    )
    path = tmp_path / "bom.xml"
    path.write_text('<bom xmlns="http://cyclonedx.org/schema/bom/1.6">\n<components>\n</bom>\n')
    with pytest.raises(InputError) as err:
        _cyclonedx.read(path)
    assert str(err.value) == f"{path}: line 3: invalid XML: mismatched tag: line 3, column 2"
    path.write_text("<project/>")
    with pytest.raises(InputError) as err:
        _cyclonedx.read(path)
    assert str(err.value) == f"{path}: not a CycloneDX document (root is not a CycloneDX <bom>)"
