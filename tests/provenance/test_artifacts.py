"""Every inventory reader records the distribution files it names (``Component.artifacts``):
what ``pyward provenance`` verifies. On the real locks and SBOMs of the corpus (see
``tests/data/corpus/SOURCES.md``), the pip reports recorded in ``tests/data/pip-report``
and site-packages directories assembled here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from packaging.pylock import Pylock
from packaging.utils import canonicalize_name, parse_wheel_filename

from pyward._inventory import (
    _cache,
    _cyclonedx,
    _pdm,
    _pipfile,
    _pipreport,
    _poetry,
    _pylock,
    _requirements,
    _spdx,
    _uvlock,
)
from pyward._inventory._common import url_file_name
from pyward._inventory._environment import read_environment
from pyward._inventory._toml import stdlib_loads
from pyward._model import Artifact, Component, ComponentKey, Inventory
from pyward.errors import InputError
from tests.conftest import CORPUS, DATA


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def files(c: Component) -> list[tuple[str, str | None, str | None]]:
    return [(a.filename, a.sha256, a.url) for a in c.artifacts]


# -- uv.lock ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["flask", "fastapi", "pydantic", "guidellm", "litestar-2024"])
def test_uv_lock_artifacts_are_the_files_each_registry_package_names(name: str) -> None:
    path = CORPUS / "uv" / name / "uv.lock"
    inv = _uvlock.read(path)
    by_key = {c.key: c for c in inv.components}
    checked = 0
    for p in stdlib_loads(path.read_text())["package"]:
        c = by_key.get(ComponentKey(f"{canonicalize_name(p['name'])}=={p.get('version', '')}"))
        if c is None:
            continue
        if "registry" not in p["source"]:
            assert c.artifacts == (), c.key
            continue
        entries = ([p["sdist"]] if "sdist" in p else []) + p.get("wheels", [])
        expected = [
            (unquote(urlsplit(e["url"]).path.rsplit("/", 1)[1]), e["hash"][7:], e["url"])
            for e in entries
        ]
        assert files(c) == expected, c.key
        checked += len(expected)
    assert checked == sum(len(c.artifacts) for c in inv.components) > 0


def test_uv_lock_file_names_and_digests_of_one_package() -> None:
    alabaster = get(_uvlock.read(CORPUS / "uv" / "flask" / "uv.lock"), "alabaster==1.0.0")
    assert [(a.filename, a.sha256) for a in alabaster.artifacts] == [
        (
            "alabaster-1.0.0.tar.gz",
            "c00dca57bca26fa62a6d7d0a9fcce65f3e026e9bfe33e9c538fd3fbb2144fd9e",
        ),
        (
            "alabaster-1.0.0-py3-none-any.whl",
            "fc6786402dc3fcb2de3cabd5fe455a2db534b371124f1f21de8731783dec828b",
        ),
    ]


def test_uv_lock_file_names_are_percent_decoded() -> None:
    torch = get(_uvlock.read(CORPUS / "uv" / "guidellm" / "uv.lock"), "torch==2.13.0+cpu")
    first = torch.artifacts[0]
    assert first.filename == "torch-2.13.0+cpu-cp310-cp310-linux_s390x.whl"
    assert first.url is not None
    assert first.url.endswith("/torch-2.13.0%2Bcpu-cp310-cp310-linux_s390x.whl")
    assert first.sha256 == "0555fde6108ca90247ae33d4e1237cbae475c86a223bb2f0f91d9addf1f611bd"
    assert all(str(parse_wheel_filename(a.filename)[1]) == torch.version for a in torch.artifacts)


def test_uv_lock_git_source_has_no_artifacts() -> None:
    inv = _uvlock.read(CORPUS / "uv" / "litestar-2024" / "uv.lock")
    theme = next(c for c in inv.components if c.name == "litestar-sphinx-theme")
    assert theme.source == "git"
    assert theme.artifacts == ()


UV_HEAD = 'version = 1\nrevision = 3\nrequires-python = ">=3.10"\n\n'
UV_PKG = '[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "REGISTRY" }\n'
DIGEST = "ab" * 32


def test_uv_lock_local_registry_files_are_named_by_their_path(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(
        UV_HEAD
        + UV_PKG.replace("REGISTRY", "../wheelhouse")
        + f'sdist = {{ path = "sub/a-1.0.tar.gz", hash = "sha256:{DIGEST}" }}\n'
        + f'wheels = [{{ path = "a-1.0-py3-none-any.whl", hash = "SHA512:{DIGEST * 2}" }}]\n'
    )
    a = get(_uvlock.read(lock), "a==1.0")
    # A digest that is not SHA-256 is not one to verify an attestation against.
    assert files(a) == [("a-1.0.tar.gz", DIGEST, None), ("a-1.0-py3-none-any.whl", None, None)]


@pytest.mark.parametrize(
    ("entry", "where", "what"),
    [
        (f'{{ hash = "sha256:{DIGEST}" }}', "package[0].wheels[0]", "no url, path or filename"),
        (
            f'{{ url = "https://files.invalid/", hash = "sha256:{DIGEST}" }}',
            "package[0].wheels[0].url",
            "no file name in 'https://files.invalid/'",
        ),
        (
            f'{{ url = 3, hash = "sha256:{DIGEST}" }}',
            "package[0].wheels[0].url",
            "expected a string, found a number",
        ),
    ],
)
def test_uv_lock_file_without_a_name_is_an_error(
    tmp_path: Path, entry: str, where: str, what: str
) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(
        UV_HEAD + UV_PKG.replace("REGISTRY", "https://x.invalid/simple") + f"wheels = [{entry}]\n"
    )
    with pytest.raises(InputError) as err:
        _uvlock.read(lock)
    assert str(err.value) == f"{lock}: {where}: {what}"


# -- pylock.toml ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["comfy-cli", "snowflake-cli", "pdm-demo-fixture"])
def test_pylock_artifacts_are_packaging_s_file_names_and_sha256(name: str) -> None:
    path = CORPUS / "pylock" / name / "pylock.toml"
    inv = _pylock.read(path)
    lock = Pylock.from_dict(stdlib_loads(path.read_text()))
    expected: dict[ComponentKey, list[tuple[str, str | None, str | None]]] = {}
    for p in lock.packages:
        dists = ([p.sdist] if p.sdist else []) + list(p.wheels or [])
        if dists:
            key = ComponentKey(f"{canonicalize_name(p.name)}=={p.version}")
            expected[key] = [(d.filename, d.hashes.get("sha256"), d.url) for d in dists]
    got = {c.key: files(c) for c in inv.components if c.artifacts}
    assert got == expected
    assert sum(len(v) for v in got.values()) > 0


def test_pylock_archive_is_not_an_index_artifact(tmp_path: Path) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n\n[[packages]]\nname = "a"\n'
        'version = "1.0"\n[packages.archive]\nurl = "https://x.invalid/a-1.0.tar.gz"\n'
        f'hashes = {{ sha256 = "{DIGEST}" }}\n\n[[packages]]\nname = "b"\nversion = "2.0"\n'
        'index = "https://x.invalid/simple"\n[[packages.wheels]]\nname = "b-2.0-py3-none-any.whl"\n'
        f'url = "https://x.invalid/files/other-name"\nhashes = {{ sha256 = "{DIGEST.upper()}" }}\n'
    )
    inv = _pylock.read(lock)
    assert get(inv, "a==1.0").artifacts == ()
    # ``name`` wins over the URL (PEP 751); digests are lower-cased.
    assert files(get(inv, "b==2.0")) == [
        ("b-2.0-py3-none-any.whl", DIGEST, "https://x.invalid/files/other-name")
    ]


# -- poetry.lock ------------------------------------------------------------------------


def test_poetry_2_lock_files_array() -> None:
    inv = _poetry.read(CORPUS / "poetry" / "langgraph-2024" / "poetry.lock")
    assert files(get(inv, "aiosqlite==0.20.0")) == [
        (
            "aiosqlite-0.20.0-py3-none-any.whl",
            "36a1deaca0cac40ebe32aac9977a6e2bbc7f5189f23f4a54d5908986729e5bd6",
            None,
        ),
        (
            "aiosqlite-0.20.0.tar.gz",
            "6d35c8c256637f4672f843c31021464090805bf925385ac39473fb16eaaca3d7",
            None,
        ),
    ]
    # Path dependencies of the project (editable) name no index file.
    assert all(not c.artifacts for c in inv.components if c.source != "registry")


def test_poetry_1_lock_metadata_files_table() -> None:
    path = CORPUS / "poetry" / "saleor-2020" / "poetry.lock"
    inv = _poetry.read(path)
    shared = stdlib_loads(path.read_text())["metadata"]["files"]
    assert files(get(inv, "adyen==3.1.0")) == [
        (
            "Adyen-3.1.0.tar.gz",
            "8ac866a5dba790952cdf3bdbbb44a893d9268fa3dd81222db5de5a034b2462c9",
            None,
        )
    ]
    for c in inv.components:
        entries = shared.get(c.display_name or c.name, shared.get(c.name, []))
        assert [a.filename for a in c.artifacts] == [e["file"] for e in entries], c.key


def test_poetry_pre_1_0_digests_name_no_file() -> None:
    inv = _poetry.read(CORPUS / "poetry" / "wemake-python-styleguide-2019" / "poetry.lock")
    assert any(c.hashes for c in inv.components)
    assert all(c.artifacts == () for c in inv.components)


def test_poetry_git_source_has_no_artifacts() -> None:
    inv = _poetry.read(CORPUS / "poetry" / "poetry" / "poetry.lock")
    core = next(c for c in inv.components if c.name == "poetry-core")
    assert core.source == "git"
    assert core.artifacts == ()


def test_poetry_1_lock_shared_table_is_split_by_version(tmp_path: Path) -> None:
    lock = tmp_path / "poetry.lock"
    lock.write_text(
        '[[package]]\nname = "a"\nversion = "1.0"\ndescription = ""\ncategory = "main"\n'
        'optional = false\npython-versions = "*"\n\n'
        '[[package]]\nname = "a"\nversion = "2.0"\ndescription = ""\ncategory = "main"\n'
        'optional = false\npython-versions = "*"\n\n'
        '[metadata]\nlock-version = "1.1"\npython-versions = "*"\ncontent-hash = "x"\n\n'
        "[metadata.files]\na = [\n"
        f'    {{file = "a-1.0.tar.gz", hash = "sha256:{"1" * 64}"}},\n'
        f'    {{file = "a-2.0-py3-none-any.whl", hash = "sha256:{"2" * 64}"}},\n'
        f'    {{file = "a-2.0.tar.gz", hash = "sha256:{"3" * 64}"}},\n]\n'
    )
    inv = _poetry.read(lock)
    assert [a.filename for a in get(inv, "a==1.0").artifacts] == ["a-1.0.tar.gz"]
    assert [a.filename for a in get(inv, "a==2.0").artifacts] == [
        "a-2.0-py3-none-any.whl",
        "a-2.0.tar.gz",
    ]


# -- pdm.lock ---------------------------------------------------------------------------


def test_pdm_lock_file_entries() -> None:
    inv = _pdm.read(CORPUS / "pdm" / "pdm" / "pdm.lock")
    assert files(get(inv, "anyio==4.13.0")) == [
        (
            "anyio-4.13.0-py3-none-any.whl",
            "08b310f9e24a9594186fd75b4f73f4a4152069e3853f1ed8bfbf58369f4ad708",
            None,
        ),
        (
            "anyio-4.13.0.tar.gz",
            "334b70e641fd2221c1505b3890c69882fe4a2df910cba14d97019b90b24439dc",
            None,
        ),
    ]
    # An extras entry (coverage[toml]) is the same distribution: its files are not doubled.
    coverage = next(c for c in inv.components if c.name == "coverage")
    assert coverage.extras
    assert len(coverage.artifacts) == len({a.filename for a in coverage.artifacts}) > 0


def test_pdm_lock_url_entries_of_the_metadata_table() -> None:
    path = CORPUS / "pdm" / "pydantic-2023" / "pdm.lock"
    inv = _pdm.read(path)
    entries = stdlib_loads(path.read_text())["metadata"]["files"]["annotated-types 0.5.0"]
    assert files(get(inv, "annotated-types==0.5.0")) == [
        (url_file_name(e["url"]), e["hash"][7:], e["url"]) for e in entries
    ]
    assert [a.filename for a in get(inv, "annotated-types==0.5.0").artifacts] == [
        "annotated_types-0.5.0.tar.gz",
        "annotated_types-0.5.0-py3-none-any.whl",
    ]
    assert all(not c.artifacts for c in inv.components if c.source == "git")


# -- pip's installation report ----------------------------------------------------------


def test_pip_report_archives_are_artifacts() -> None:
    report = DATA / "pip-report" / "direct.json"
    inv = _pipreport.read(report)
    raw: dict[str, dict[str, Any]] = {
        canonicalize_name(i["metadata"]["name"]): i["download_info"]
        for i in json.loads(report.read_text())["install"]
    }
    for c in inv.components:
        info = raw[c.name]
        if "archive_info" not in info:
            assert c.artifacts == (), c.key
            continue
        assert files(c) == [
            (
                info["url"].rsplit("/", 1)[1],
                info["archive_info"]["hashes"]["sha256"],
                info["url"],
            )
        ]
    lib = get(inv, "demo-lib==1.2")
    assert lib.source == "registry"
    assert files(lib)[0][:2] == (
        "demo_lib-1.2-py3-none-any.whl",
        "86b92bad08bb99dea1c7e0563befdfc54c959cdee16ec823156ccef0413ce6c1",
    )


# -- CycloneDX --------------------------------------------------------------------------


def test_cyclonedx_distribution_references_with_a_sha256_are_artifacts() -> None:
    sbom = (
        CORPUS
        / "sbom-cyclonedx"
        / "cyclonedx-python-private-packages"
        / "plain_private-packges_v2_lock21_1.6.json.bin"
    )
    inv = _cyclonedx.read(sbom)
    # cyclonedx-py names a Poetry index file in the URL's fragment.
    assert [(a.filename, a.sha256) for a in get(inv, "colorama==0.4.6").artifacts] == [
        (
            "colorama-0.4.6-py2.py3-none-any.whl",
            "4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6",
        ),
        (
            "colorama-0.4.6.tar.gz",
            "08695f5cb7ed6e0531a20572697297273c47b8cae5a63ffc6d6ed5c201be6e44",
        ),
    ]
    document = json.loads(sbom.read_text())
    references = sum(
        1
        for c in document["components"]
        for r in c.get("externalReferences", [])
        if r["type"] == "distribution" and r.get("hashes")
    )
    assert sum(len(c.artifacts) for c in inv.components) == references


def test_cyclonedx_project_pages_are_not_artifacts() -> None:
    inv = _cyclonedx.read(CORPUS / "sbom-cyclonedx" / "sbom4python" / "sbom4python.cdx.json")
    # ".../project/NAME/VERSION/#files" without a digest: no file to verify.
    assert all(c.artifacts == () for c in inv.components)


def test_cyclonedx_intake_reference_and_page_with_a_digest(tmp_path: Path) -> None:
    def ref(kind: str, url: str) -> dict[str, object]:
        return {"type": kind, "url": url, "hashes": [{"alg": "SHA-256", "content": DIGEST}]}

    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "name": "a",
                "version": "1.0",
                "purl": "pkg:pypi/a@1.0",
                "externalReferences": [
                    ref("distribution-intake", "https://x.invalid/files/a-1.0-py3-none-any.whl"),
                    ref("distribution", "https://x.invalid/project/a/1.0"),
                    ref("website", "https://x.invalid/a-1.0.tar.gz"),
                ],
            },
            {
                "name": "b",
                "version": "1.0",
                "purl": "pkg:pypi/b@1.0?vcs_url=git%2Bhttps://x.invalid/b.git",
                "externalReferences": [ref("distribution", "https://x.invalid/b-1.0.tar.gz")],
            },
        ],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(document))
    inv = _cyclonedx.read(path)
    assert files(get(inv, "a==1.0")) == [
        ("a-1.0-py3-none-any.whl", DIGEST, "https://x.invalid/files/a-1.0-py3-none-any.whl")
    ]
    assert get(inv, "b==1.0").artifacts == ()


# -- SPDX -------------------------------------------------------------------------------

SPDX = CORPUS / "sbom-spdx" / "sbom4python" / "sbom4python.spdx.json"
REQUESTS_WHEEL_SHA256 = "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"


def test_spdx_checksum_of_a_project_page_names_no_file() -> None:
    inv = _spdx.read(SPDX)
    requests = get(inv, "requests==2.31.0")
    # The checksum is the wheel's, but the document names no file: the hashes stay for
    # the index look-up to match, and there is no artifact.
    assert [h.value for h in requests.hashes] == [REQUESTS_WHEEL_SHA256]
    assert all(c.artifacts == () for c in inv.components)


def test_spdx_package_file_name_in_json_and_tag_value(tmp_path: Path) -> None:
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser
    from spdx_tools.spdx.writer.tagvalue.tagvalue_writer import write_document_to_file

    data = json.loads(SPDX.read_text())
    data["creationInfo"]["licenseListVersion"] = "3.25"  # spdx-tools wants MAJOR.MINOR
    requests = next(p for p in data["packages"] if p["name"] == "requests")
    requests["packageFileName"] = "requests-2.31.0-py3-none-any.whl"
    path = tmp_path / "sbom.spdx.json"
    path.write_text(json.dumps(data))
    tag_value = tmp_path / "sbom.spdx"
    write_document_to_file(JsonLikeDictParser().parse(data), str(tag_value), validate=False)
    assert "PackageFileName: requests-2.31.0-py3-none-any.whl" in tag_value.read_text()
    for inv in (_spdx.read(path), _spdx.read(tag_value)):
        assert files(get(inv, "requests==2.31.0")) == [
            (
                "requests-2.31.0-py3-none-any.whl",
                REQUESTS_WHEEL_SHA256,
                "https://pypi.invalid/project/requests/2.31.0/#files",
            )
        ]
        assert sum(len(c.artifacts) for c in inv.components) == 1


# -- formats that record hashes only -----------------------------------------------------


def test_pipfile_lock_and_hashed_requirements_record_no_file_names() -> None:
    pipfile = _pipfile.read(CORPUS / "pipenv" / "paperless-ngx-2025" / "Pipfile.lock")
    assert any(c.hashes for c in pipfile.components)
    assert all(c.artifacts == () for c in pipfile.components)
    hashed = _requirements.read(CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt")
    assert any(c.hashes for c in hashed.components)
    assert all(c.artifacts == () for c in hashed.components)


# -- installed environments ------------------------------------------------------------


def dist_info(site: Path, dirname: str, name: str, version: str, **files: str) -> Path:
    path = site / dirname
    path.mkdir(parents=True)
    (path / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    for file, text in files.items():
        (path / file.replace("__", ".")).write_text(text)
    return path


def test_environment_wheel_name_comes_from_wheel_tags(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    dist_info(
        site,
        "PyYAML-6.0.2.dist-info",
        "PyYAML",
        "6.0.2",
        WHEEL="Wheel-Version: 1.0\nGenerator: bdist_wheel (0.44.0)\nRoot-Is-Purelib: false\n"
        "Tag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n",
    )
    dist_info(
        site,
        "six-1.16.0.dist-info",
        "six",
        "1.16.0",
        WHEEL="Wheel-Version: 1.0\nGenerator: bdist_wheel (0.36.2)\nRoot-Is-Purelib: true\n"
        "Tag: py2-none-any\nTag: py3-none-any\n",
    )
    dist_info(
        site,
        "zope.interface-7.0.dist-info",
        "zope.interface",
        "7.0",
        WHEEL="Wheel-Version: 1.0\nGenerator: setuptools (75.1.0)\nRoot-Is-Purelib: false\n"
        "Build: 1\nTag: cp311-cp311-win_amd64\n",
    )
    # A directory whose name does not spell the metadata's: the escaped name is used.
    dist_info(
        site,
        "renamed.dist-info",
        "my-Package",
        "2.0",
        WHEEL="Wheel-Version: 1.0\nTag: py3-none-any\n",
    )
    inv = read_environment(site)
    assert {c.name: [a.filename for a in c.artifacts] for c in inv.components} == {
        "pyyaml": ["PyYAML-6.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"],
        "six": ["six-1.16.0-py2.py3-none-any.whl"],
        "zope-interface": ["zope.interface-7.0-1-cp311-cp311-win_amd64.whl"],
        "my-package": ["my_package-2.0-py3-none-any.whl"],
    }
    # The index's digest is the one to verify: an installer keeps none of the wheel.
    assert all(a.sha256 is None and a.url is None for c in inv.components for a in c.artifacts)
    for c in inv.components:
        name, version, _, tags = parse_wheel_filename(c.artifacts[0].filename)
        assert (name, str(version)) == (c.name, c.version)
        assert tags


def test_environment_direct_url_archive_digest_is_used(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    wheel = "Wheel-Version: 1.0\nTag: py3-none-any\n"
    url = "https://x.invalid/files/demo_lib-1.2-py3-none-any.whl"
    dist_info(
        site,
        "demo_lib-1.2.dist-info",
        "demo-lib",
        "1.2",
        WHEEL=wheel,
        direct_url__json=json.dumps({"url": url, "archive_info": {"hashes": {"sha256": DIGEST}}}),
    )
    legacy = "file:///wheels/old_lib-0.1-py3-none-any.whl"
    dist_info(
        site,
        "old_lib-0.1.dist-info",
        "old-lib",
        "0.1",
        WHEEL=wheel,
        direct_url__json=json.dumps({"url": legacy, "archive_info": {"hash": f"sha256={DIGEST}"}}),
    )
    dist_info(
        site,
        "vcs_lib-3.0.dist-info",
        "vcs-lib",
        "3.0",
        WHEEL=wheel,
        direct_url__json=json.dumps(
            {"url": "https://x.invalid/vcs.git", "vcs_info": {"vcs": "git", "commit_id": "ab"}}
        ),
    )
    inv = read_environment(site)
    artifacts = {c.name: files(c) for c in inv.components}
    assert artifacts == {
        "demo-lib": [("demo_lib-1.2-py3-none-any.whl", DIGEST, url)],
        "old-lib": [("old_lib-0.1-py3-none-any.whl", DIGEST, legacy)],
        "vcs-lib": [],
    }


def test_environment_without_wheel_tags_notes_it(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    dist_info(site, "a-1.0.dist-info", "a", "1.0")
    dist_info(site, "b-1.0.dist-info", "b", "1.0", WHEEL="Wheel-Version: 1.0\nTag: py3-any\n")
    dist_info(site, "c-1.0.dist-info", "c", "1.0", WHEEL="Wheel-Version: 1.0\n")
    dist_info(site, "d-1.0.dist-info", "d", "1.0", WHEEL="Tag: py3-none-any\nBuild: x\n")
    egg = site / "e-1.0.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: e\nVersion: 1.0\n")
    inv = read_environment(site)
    assert all(c.artifacts == () for c in inv.components)
    notes = [n for n in inv.notes if "WHEEL" in n]
    assert notes == [
        f"{site / 'b-1.0.dist-info' / 'WHEEL'}: invalid Tag 'py3-any'; the wheel's name is unknown",
        f"{site / 'c-1.0.dist-info' / 'WHEEL'}: no Tag line; the wheel's name is unknown",
        f"{site / 'd-1.0.dist-info' / 'WHEEL'}: its Tag and Build lines make no valid wheel name "
        "(Invalid build number: x in 'd-1.0-x-py3-none-any')",
    ]


# -- the read cache ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "path"),
    [
        (_uvlock.read, CORPUS / "uv" / "guidellm" / "uv.lock"),
        (_pylock.read, CORPUS / "pylock" / "snowflake-cli" / "pylock.toml"),
        (_poetry.read, CORPUS / "poetry" / "saleor-2020" / "poetry.lock"),
        (_pdm.read, CORPUS / "pdm" / "pydantic-2023" / "pdm.lock"),
        (_pipreport.read, DATA / "pip-report" / "direct.json"),
    ],
)
def test_cache_round_trips_artifacts(reader: object, path: Path) -> None:
    assert callable(reader)
    inv = reader(path)
    assert any(c.artifacts for c in inv.components)
    assert _cache.decode(_cache.encode(inv)) == inv


def test_cache_keeps_a_missing_digest_and_refuses_a_bad_artifact() -> None:
    c = Component(
        name="a",
        version="1.0",
        artifacts=(Artifact(filename="a-1.0-py3-none-any.whl"),),
    )
    inv = Inventory(source="x", format="environment", components=(c,))
    data = _cache.encode(inv)
    assert _cache.decode(data) == inv
    assert _cache.decode(data.replace(b'"a-1.0-py3-none-any.whl"', b"null")) is None
    assert _cache.decode(data.replace(b",null,null]", b",null]")) is None
