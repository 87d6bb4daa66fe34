"""SBOM writers: schema-valid CycloneDX 1.6 and SPDX 2.3 from real inventories."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import sysconfig
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyward._advisory import AdvisoryStore
from pyward._advisory._osv import load_document
from pyward._cli import main
from pyward._inventory import read_inventory
from pyward._inventory._environment import read_environment
from pyward._model import Component, ComponentKey, Inventory
from pyward._sbom import Sbom
from pyward._sbom import write_sbom as _write_sbom
from pyward._sbom._licenses import License, resolve
from pyward._settings import Settings
from tests.conftest import CORPUS, PYPA_VULNS

SITE = Path(sysconfig.get_paths()["purelib"])
EPOCH = "1700000000"
#: Real distributions of the test environment: orjson ships a PEP 770 SBOM of its
#: Rust crates; the others cover every licence rule.
DISTS = (
    "orjson",
    "requests",
    "certifi",
    "idna",
    "urllib3",
    "charset-normalizer",
    "cachecontrol",
    "msgpack",
    "sortedcontainers",
    "ply",
    "uvloop",
    "cvss",
)


def _dist_info(name: str) -> Path:
    return Path(str(importlib.metadata.distribution(name)._path))  # type: ignore[attr-defined]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A virtual environment (``env``) holding copies of the real distributions."""
    venv = tmp_path / "env"
    path = _packages(venv)
    path.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /nowhere\nversion = 3.11.7\n", encoding="utf-8")
    for name in DISTS:
        src = _dist_info(name)
        # Without pip's REQUESTED marker, which depends on how the test environment was
        # installed: the dependency graph decides the root.
        shutil.copytree(src, path / src.name, ignore=shutil.ignore_patterns("REQUESTED"))
    return venv


def _packages(venv: Path) -> Path:
    return venv / "lib" / "python3.11" / "site-packages"


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def write_sbom(inventory: Inventory, **kw: Any) -> Sbom:
    """``write_sbom`` dated as the CLI dates it: by ``$SOURCE_DATE_EPOCH`` (``_epoch``)."""
    epoch = Settings.from_environ(os.environ).source_date_epoch
    return _write_sbom(inventory, source_date_epoch=epoch, **kw)


def _cdx(inv: Inventory, target: Path | None = None, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        write_sbom(inv, format="cyclonedx-json", target=target, **kw).data
    )
    return data


def _validate_cdx_json(text: bytes) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text.decode())
    assert error is None, str(error)


def _validate_cdx_xml(text: bytes) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.xml import XmlValidator

    error = XmlValidator(SchemaVersion.V1_6).validate_str(text.decode())
    assert error is None, str(error)


def _validate_spdx(text: bytes, suffix: str, tmp_path: Path) -> Any:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    path = tmp_path / f"doc{suffix}"
    path.write_bytes(text)
    document = parse_file(str(path))
    messages = validate_full_spdx_document(document)
    assert [m.validation_message for m in messages] == []
    return document


def test_every_format_validates(site: Path, tmp_path: Path) -> None:
    inv = read_environment(site)
    _validate_cdx_json(write_sbom(inv, format="cyclonedx-json", target=site).data)
    _validate_cdx_xml(write_sbom(inv, format="cyclonedx-xml", target=site).data)
    doc = _validate_spdx(
        write_sbom(inv, format="spdx-json", target=site).data, ".spdx.json", tmp_path
    )
    tv = _validate_spdx(write_sbom(inv, format="spdx-tv", target=site).data, ".spdx", tmp_path)
    assert len(doc.packages) == len(tv.packages)
    crates = len(
        json.loads((_dist_info("orjson") / "sboms" / "orjson.cyclonedx.json").read_bytes())[
            "components"
        ]
    )
    assert len(doc.packages) == 1 + len(DISTS) + crates


def test_components_carry_purl_hashes_licences_supplier_and_references(site: Path) -> None:
    bom = _cdx(read_environment(site), site)
    by_name = {c["name"]: c for c in bom["components"]}
    assert sorted(by_name) == sorted(
        importlib.metadata.distribution(n).metadata["Name"] for n in DISTS
    )
    version = importlib.metadata.version("requests")
    requests = by_name["requests"]
    assert requests["purl"] == f"pkg:pypi/requests@{version}"
    assert requests["bom-ref"] == requests["purl"]
    import hashlib

    record = (_packages(site) / _dist_info("requests").name / "RECORD").read_bytes()
    assert requests["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(record).hexdigest()}]
    assert {"name": "pyward:hash:sha256:of", "value": "RECORD"} in requests["properties"]
    assert requests["licenses"] == [
        {"license": {"acknowledgement": "declared", "id": "Apache-2.0"}}
    ]
    assert requests["supplier"]["name"] == "Ian Stapleton Cordasco"
    assert requests["authors"] == [{"email": "me@kennethreitz.org", "name": "Kenneth Reitz"}]
    assert {
        "comment": "Project-URL: Source",
        "type": "vcs",
        "url": "https://github.com/psf/requests",
    } in (requests["externalReferences"])
    assert requests["description"] == "Python HTTP for Humans."
    assert all(c.get("hashes") for c in bom["components"])
    # orjson's metadata names no author or maintainer: no supplier rather than a guess.
    assert [c["name"] for c in bom["components"] if not c.get("supplier")] == ["orjson"]
    # Licences: License-Expression, an SPDX License field, classifiers, named otherwise.
    assert by_name["orjson"]["licenses"] == [
        {"acknowledgement": "declared", "expression": "MPL-2.0 AND (Apache-2.0 OR MIT)"}
    ]
    assert by_name["cvss"]["licenses"] == [
        {"license": {"acknowledgement": "declared", "id": "LGPL-3.0-or-later"}}
    ]
    assert by_name["sortedcontainers"]["licenses"] == [
        {
            "license": {
                "acknowledgement": "declared",
                "name": "Apache Software License",
                "text": {"content": "Apache 2.0", "contentType": "text/plain"},
            }
        }
    ]
    assert by_name["ply"]["licenses"] == [
        {
            "license": {
                "acknowledgement": "declared",
                "name": "BSD",
                "text": {"content": "BSD", "contentType": "text/plain"},
            }
        }
    ]
    uvloop = [
        lic["license"].get("id") or lic["license"]["name"] for lic in by_name["uvloop"]["licenses"]
    ]
    assert sorted(uvloop) == ["Apache Software License", "MIT"]
    for c in bom["components"]:
        for lic in c["licenses"]:
            assert "::" not in json.dumps(lic), c["name"]  # never a raw classifier


def test_dependency_graph_and_root(site: Path) -> None:
    inv = read_environment(site)
    bom = _cdx(inv, site)
    root = bom["metadata"]["component"]
    assert root == {"bom-ref": "root:env", "name": "env", "type": "application"}
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    v = {n: importlib.metadata.version(n) for n in ("requests", "cachecontrol", "msgpack", "idna")}
    assert sorted(deps["root:env"]) == sorted(
        next(c["bom-ref"] for c in bom["components"] if c["name"] == name)
        for name in ("CacheControl", "cvss", "orjson", "ply", "sortedcontainers", "uvloop")
    )
    assert deps[f"pkg:pypi/cachecontrol@{v['cachecontrol']}"] == [
        f"pkg:pypi/msgpack@{v['msgpack']}",
        f"pkg:pypi/requests@{v['requests']}",
    ]
    assert f"pkg:pypi/idna@{v['idna']}" in deps[f"pkg:pypi/requests@{v['requests']}"]
    assert bom["metadata"]["tools"]["components"][0]["name"] == "pyward"
    assert bom["metadata"]["timestamp"] == "2023-11-14T22:13:20+00:00"
    assert bom["metadata"]["authors"] == [{"name": "pyward 0.1.0 (automated)"}]


def test_pep770_sboms_are_nested_components(site: Path) -> None:
    bom = _cdx(read_environment(site), site)
    orjson = next(c for c in bom["components"] if c["name"] == "orjson")
    embedded = json.loads(
        (
            _packages(site) / _dist_info("orjson").name / "sboms" / "orjson.cyclonedx.json"
        ).read_bytes()
    )
    assert sorted(c["purl"] for c in orjson["components"]) == sorted(
        c["purl"] for c in embedded["components"]
    )
    first = embedded["components"][0]
    nested = next(c for c in orjson["components"] if c["purl"] == first["purl"])
    assert nested["hashes"] == first["hashes"]
    assert nested["name"] == first["name"]
    assert nested["version"] == first["version"]
    expr = first["licenses"][0]["expression"]
    assert json.dumps(nested["licenses"]).count(expr.split(" ")[0]) == 1
    assert nested["bom-ref"].startswith(orjson["bom-ref"] + "|sboms/orjson.cyclonedx.json|")
    # The embedded graph is kept: the distribution depends on its crates.
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    subject_deps = next(
        d["dependsOn"]
        for d in embedded["dependencies"]
        if d["ref"] == embedded["metadata"]["component"]["bom-ref"]
    )
    assert len(
        [r for r in deps[orjson["bom-ref"]] if r.startswith(orjson["bom-ref"] + "|")]
    ) == len(subject_deps)


def test_pep770_spdx_document_is_merged(site: Path, tmp_path: Path) -> None:
    dist = _packages(site) / _dist_info("idna").name
    (dist / "sboms").mkdir()
    shutil.copy(
        CORPUS / "sbom-spdx" / "sbom4python" / "sbom4python.spdx.json",
        dist / "sboms" / "deps.spdx.json",
    )
    bom = _cdx(read_environment(site), site)
    idna = next(c for c in bom["components"] if c["name"] == "idna")
    # 15 packages, one of which (sbom4python) is the document's subject: the distribution.
    assert len(idna["components"]) == 14
    requests = next(c for c in idna["components"] if c["name"] == "requests")
    assert requests["version"] == "2.31.0"
    # licenseDeclared is NOASSERTION there; the concluded licence is used.
    assert requests["licenses"] == [
        {"license": {"acknowledgement": "declared", "id": "Apache-2.0"}}
    ]
    charset = next(c for c in idna["components"] if c["name"] == "charset-normalizer")
    assert charset["licenses"] == [{"license": {"acknowledgement": "declared", "id": "MIT"}}]
    _validate_cdx_json(
        write_sbom(read_environment(site), format="cyclonedx-json", target=site).data
    )
    _validate_spdx(
        write_sbom(read_environment(site), format="spdx-json", target=site).data,
        ".spdx.json",
        tmp_path,
    )


_DIGESTS = [{"alg": "BLAKE2b-512", "content": "ab" * 64}, {"alg": "SHA3-256", "content": "cd" * 32}]
_DIGEST_BOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "components": [
        {"type": "library", "name": "a", "version": "1", "purl": "pkg:pypi/a@1", "hashes": _DIGESTS}
    ],
}


def test_blake2b_and_sha3_digests_are_carried(site: Path, tmp_path: Path) -> None:
    # The readers record BLAKE2b-512 under hashlib's name ``blake2b``: it was once
    # left out as "not a valid digest"; SPDX dropped an embedded SBOM's SHA3 digests.
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(_DIGEST_BOM), encoding="utf-8")
    inv = read_inventory(path)
    assert [h.algorithm for h in inv.components[0].hashes] == ["blake2b", "sha3_256"]
    out = write_sbom(inv, format="cyclonedx-json", target=path)
    assert out.notes == ()
    assert json.loads(out.data)["components"][0]["hashes"] == _DIGESTS
    out = write_sbom(inv, format="spdx-json", target=path)
    assert out.notes == ()
    expected = [
        {"algorithm": "BLAKE2b-512", "checksumValue": "ab" * 64},
        {"algorithm": "SHA3-256", "checksumValue": "cd" * 32},
    ]
    package = next(p for p in json.loads(out.data)["packages"] if p["name"] == "a")
    assert package["checksums"] == expected
    dist = _packages(site) / _dist_info("idna").name
    (dist / "sboms").mkdir()
    (dist / "sboms" / "digests.cdx.json").write_text(json.dumps(_DIGEST_BOM), encoding="utf-8")
    spdx = json.loads(write_sbom(read_environment(site), format="spdx-json", target=site).data)
    nested = next(p for p in spdx["packages"] if p["name"] == "a")
    assert nested["checksums"] == expected


def test_unreadable_embedded_sbom_is_a_note(site: Path) -> None:
    dist = _packages(site) / _dist_info("idna").name
    (dist / "sboms").mkdir()
    (dist / "sboms" / "broken.cdx.json").write_text("{not json", encoding="utf-8")
    sbom = write_sbom(read_environment(site), format="cyclonedx-json", target=site)
    assert [n for n in sbom.notes if "broken" in n] == [
        f"{dist / 'sboms' / 'broken.cdx.json'}: embedded SBOM unreadable "
        "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1)); not merged"
    ]


def test_reproducible_with_source_date_epoch(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inv = read_environment(site)
    for fmt in ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv"):
        first = write_sbom(inv, format=fmt, target=site).data
        assert write_sbom(inv, format=fmt, target=site).data == first, fmt
    bom = json.loads(write_sbom(inv, format="cyclonedx-json", target=site).data)
    serial = uuid.UUID(bom["serialNumber"].removeprefix("urn:uuid:"))
    assert serial.version == 5
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000001")
    later = json.loads(write_sbom(inv, format="cyclonedx-json", target=site).data)
    assert later["serialNumber"] != bom["serialNumber"]
    spdx = json.loads(write_sbom(inv, format="spdx-json", target=site).data)
    assert spdx["documentNamespace"].startswith("https://spdx.org/spdxdocs/pyward/env-")
    assert spdx["creationInfo"]["created"] == "2023-11-14T22:13:21Z"


def test_bad_source_date_epoch_is_a_usage_error(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyward.errors import UsageError

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError) as exc:
        write_sbom(read_environment(site), format="spdx-json", target=site)
    assert str(exc.value) == "SOURCE_DATE_EPOCH: not a Unix timestamp: 'yesterday'"


def test_spdx_document_describes_the_root_and_depends_on(site: Path) -> None:
    doc = json.loads(write_sbom(read_environment(site), format="spdx-json", target=site).data)
    describes = [r for r in doc["relationships"] if r["relationshipType"] == "DESCRIBES"]
    assert describes == [
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relatedSpdxElement": "SPDXRef-Root-env",
            "relationshipType": "DESCRIBES",
        }
    ]
    packages = {p["SPDXID"]: p for p in doc["packages"]}
    requests = next(p for p in doc["packages"] if p["name"] == "requests")
    idna = next(p for p in doc["packages"] if p["name"] == "idna")
    assert {
        "spdxElementId": requests["SPDXID"],
        "relatedSpdxElement": idna["SPDXID"],
        "relationshipType": "DEPENDS_ON",
    } in doc["relationships"]
    assert requests["licenseDeclared"] == "Apache-2.0"
    # A maintainer is a person (issue 11, item 17), as the originator is.
    assert requests["supplier"] == "Person: Ian Stapleton Cordasco (graffatcolmingov@gmail.com)"
    assert requests["originator"] == "Person: Kenneth Reitz (me@kennethreitz.org)"
    assert requests["checksums"][0]["algorithm"] == "SHA256"
    sc = next(p for p in doc["packages"] if p["name"] == "sortedcontainers")
    ref = sc["licenseDeclared"]
    assert ref == "LicenseRef-Apache-Software-License"
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    assert extracted[ref]["name"] == "Apache Software License"
    assert extracted[ref]["extractedText"] == "Apache 2.0"
    contains = [r for r in doc["relationships"] if r["relationshipType"] == "CONTAINS"]
    assert all(packages[r["relatedSpdxElement"]]["name"] for r in contains)
    assert len(contains) == len(
        json.loads((_dist_info("orjson") / "sboms" / "orjson.cyclonedx.json").read_bytes())[
            "components"
        ]
    )


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"license": "MIT"}, [License(expression="MIT", origin="License")]),
        ({"license": "GPL-2.0+"}, [License(expression="GPL-2.0-or-later", origin="License")]),
        (
            {"license": "BSD", "classifiers": "License :: OSI Approved :: BSD License"},
            [License(name="BSD License", text="BSD", origin="classifier")],
        ),
        (
            {
                "classifiers": "License :: OSI Approved :: MIT License\n"
                "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"
            },
            [
                License(expression="MIT", origin="classifier"),
                License(expression="GPL-3.0-only", origin="classifier"),
            ],
        ),
        (
            {"license": "Copyright (c) 2020 Someone\n\nPermission is hereby granted"},
            [
                License(
                    name="Copyright (c) 2020 Someone",
                    text="Copyright (c) 2020 Someone\n\nPermission is hereby granted",
                    origin="License",
                )
            ],
        ),
        ({"classifiers": "License :: OSI Approved"}, []),
        (  # nltk's metadata, on which license-expression's validator itself raises
            {
                "license": "Apache License, Version 2.0",
                "classifiers": "License :: OSI Approved :: Apache Software License",
            },
            [
                License(
                    name="Apache Software License",
                    text="Apache License, Version 2.0",
                    origin="classifier",
                )
            ],
        ),
    ],
)
def test_licence_rules(meta: dict[str, str], expected: list[License]) -> None:
    c = Component(name="x", version="1", metadata=meta)
    assert list(resolve(c)) == expected


def test_license_expression_comes_first_and_licenseref_is_kept() -> None:
    c = Component(
        name="x",
        version="1",
        license_expression="mit OR LicenseRef-Custom",
        metadata={"license": "GPL-3.0-only"},
    )
    assert resolve(c) == (
        License(expression="MIT OR LicenseRef-Custom", origin="License-Expression"),
    )
    bad = Component(name="x", version="1", license_expression="MIT-ish")
    assert resolve(bad) == (License(name="MIT-ish", origin="License-Expression"),)


def test_classifier_table_covers_every_licence_classifier() -> None:
    from pyward._sbom._licenses import classifier_table, spdx_expression

    table = classifier_table()
    for classifier, spdx in table.items():
        assert classifier.startswith("License :: ")
        if spdx is not None:
            assert spdx_expression(spdx) == spdx, classifier
    assert table["License :: OSI Approved :: MIT License"] == "MIT"
    assert table["License :: OSI Approved :: BSD License"] is None
    assert table["License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)"] == "EPL-2.0"


def test_lock_file_sbom_uses_lock_hashes_and_project_root(tmp_path: Path) -> None:
    target = CORPUS / "uv" / "flask"
    inv = read_inventory(target)
    out = write_sbom(inv, format="cyclonedx-json", target=target)
    _validate_cdx_json(out.data)
    bom = json.loads(out.data)
    root = bom["metadata"]["component"]
    assert (root["name"], root["version"], root["purl"]) == (
        "flask",
        "3.2.0.dev0",
        "pkg:pypi/flask@3.2.0.dev0",
    )
    assert root["bom-ref"] == "root:pkg:pypi/flask@3.2.0.dev0"
    by_purl = {c["purl"]: c for c in bom["components"] if "purl" in c}
    for c in inv.components:
        if c.purl and c.hashes:
            got = {h["content"] for h in by_purl[c.purl]["hashes"]}
            assert got == {h.value for h in c.hashes if h.algorithm == "sha256"} | {
                h.value for h in c.hashes if h.algorithm in ("sha384", "sha512", "md5", "sha1")
            }
    assert len(bom["components"]) == len(inv.components)
    for c in inv.components:
        props = by_purl[c.purl].get("properties", [])
        assert sorted(p["value"] for p in props if p["name"] == "pyward:group") == sorted(c.groups)
    edges = sum(len(v) for v in inv.edges.values())
    dependson = sum(
        len(d.get("dependsOn", [])) for d in bom["dependencies"] if not d["ref"].startswith("root:")
    )
    assert dependson == edges
    _validate_spdx(write_sbom(inv, format="spdx-tv", target=target).data, ".spdx", tmp_path)


@pytest.mark.parametrize(
    "target",
    [
        "poetry/poetry/poetry.lock",
        "pdm/pdm/pdm.lock",
        "pipenv/paperless-ngx-2025/Pipfile.lock",
        "pylock/comfy-cli/pylock.toml",
        "requirements-hashes/warehouse-2022/main.txt",
        "sbom-cyclonedx/sbom4python/sbom4python.cdx.json",
        "sbom-spdx/sbom4python/sbom4python.spdx.json",
    ],
)
def test_every_inventory_source_gives_a_valid_sbom(target: str, tmp_path: Path) -> None:
    path = CORPUS / target
    inv = read_inventory(path)
    out = write_sbom(inv, format="cyclonedx-json", target=path)
    _validate_cdx_json(out.data)
    bom = json.loads(out.data)
    assert len(bom["components"]) == len(inv.components)
    _validate_spdx(write_sbom(inv, format="spdx-json", target=path).data, ".spdx.json", tmp_path)


def _store_for(*names: str) -> AdvisoryStore:
    records: list[Any] = []
    for name in names:
        for f in sorted((PYPA_VULNS / name).glob("*.yaml")):
            records.append(load_document(f.name, f.read_bytes(), file=str(f)))
    return AdvisoryStore.from_records(records)


HTTPBIN = CORPUS / "pipenv" / "httpbin-2018" / "Pipfile.lock"
#: The flaws of that lock's components in the PyPA records of flask and werkzeug.
HTTPBIN_FLAWS = {
    "flask==1.0.2": ["PYSEC-2023-62"],
    "werkzeug==0.14.1": [
        "PYSEC-2019-140",
        "PYSEC-2022-203",
        "PYSEC-2023-57",
        "PYSEC-2023-58",
        "PYSEC-2023-221",
    ],
}


def test_vulnerabilities_in_cyclonedx_and_spdx(tmp_path: Path) -> None:
    target = HTTPBIN
    inv = read_inventory(target)
    store = _store_for("flask", "werkzeug")
    by_key: dict[str, Component] = {c.key: c for c in inv.components}
    vulns: dict[ComponentKey, list[Any]] = {
        ComponentKey(k): store.vulnerabilities(by_key[k].name, by_key[k].version or "")
        for k in HTTPBIN_FLAWS
    }
    assert {k: [v.id for v in found] for k, found in vulns.items()} == HTTPBIN_FLAWS
    out = write_sbom(inv, format="cyclonedx-json", target=target, vulnerabilities=vulns)
    _validate_cdx_json(out.data)
    bom = json.loads(out.data)
    assert sorted(v["id"] for v in bom["vulnerabilities"]) == sorted(
        i for ids in HTTPBIN_FLAWS.values() for i in ids
    )
    refs = {c["name"].lower(): c["bom-ref"] for c in bom["components"]}
    assert {
        v["id"]: [(a["ref"], a["versions"]) for a in v["affects"]] for v in bom["vulnerabilities"]
    } == {
        i: [(refs[key.split("==")[0]], [{"status": "affected", "version": key.split("==")[1]}])]
        for key, ids in HTTPBIN_FLAWS.items()
        for i in ids
    }
    # Rated as the audit rates them (and as its CycloneDX VEX output says it): the one
    # record with a CVSS vector scored, the others "unknown", never left out.
    ratings = {
        v["id"]: [(r.get("method"), r.get("score"), r["severity"]) for r in v["ratings"]]
        for v in bom["vulnerabilities"]
    }
    assert ratings == {
        i: [("CVSSv31", 7.5, "high")] if i == "PYSEC-2023-221" else [(None, None, "unknown")]
        for ids in HTTPBIN_FLAWS.values()
        for i in ids
    }
    spdx = json.loads(
        write_sbom(inv, format="spdx-json", target=target, vulnerabilities=vulns).data
    )
    flask_pkg = next(p for p in spdx["packages"] if p["name"].lower() == "flask")
    advisories = [
        r["referenceLocator"]
        for r in flask_pkg["externalRefs"]
        if r["referenceCategory"] == "SECURITY"
    ]
    assert advisories == ["https://osv.dev/vulnerability/PYSEC-2023-62"]
    _validate_spdx(json.dumps(spdx).encode(), ".spdx.json", tmp_path)


def test_cli_writes_atomically_and_reports_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sbom.spdx"
    assert (
        main(
            [
                "sbom",
                str(CORPUS / "uv" / "flask" / "uv.lock"),
                "-f",
                "spdx-tv",
                "-o",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert out.read_text(encoding="utf-8").startswith(
        "## Document Information\nSPDXVersion: SPDX-2.3\n"
    )
    before = out.read_bytes()
    bad = tmp_path / "uv.lock"
    bad.write_text("version = 1\n[[package]]\nname = 3\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["sbom", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"pyward: error: {bad}: ")
    assert out.read_bytes() == before  # the old output is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sbom.spdx", "uv.lock"]


def test_cli_environment_and_with_vulnerabilities(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyward._commands._common as common

    monkeypatch.setattr(common, "open_store", lambda args: _store_for("requests", "urllib3"))
    assert main(["sbom", str(site), "--with-vulnerabilities", "-f", "cyclonedx-json"]) == 0
    bom = json.loads(capsys.readouterr().out)
    _validate_cdx_json(json.dumps(bom).encode())
    assert len(bom["components"]) == len(DISTS)
    # The installed versions are newer than the 2024 advisory snapshot: no findings.
    assert "vulnerabilities" not in bom
    monkeypatch.setattr(common, "open_store", lambda args: _store_for("flask", "werkzeug"))
    assert main(["sbom", str(HTTPBIN), "--with-vulnerabilities", "-q"]) == 0
    bom = json.loads(capsys.readouterr().out)
    assert sorted(v["id"] for v in bom["vulnerabilities"]) == sorted(
        i for ids in HTTPBIN_FLAWS.values() for i in ids
    )


def test_root_from_pyproject_next_to_a_requirements_file(tmp_path: Path) -> None:
    shutil.copy(
        CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt",
        tmp_path / "requirements.txt",
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "My_Service"\nversion = "2.1"\ndescription = "A service"\n'
        'license = "MIT"\n'
        'authors = [{name = "Ada Lovelace", email = "ada@example.invalid"}, {name = "Team"}]\n'
        '[project.urls]\nSource = "https://git.invalid/my-service"\n',
        encoding="utf-8",
    )
    target = tmp_path / "requirements.txt"
    inv = read_inventory(target)
    bom = _cdx(inv, target)
    root = bom["metadata"]["component"]
    assert root["name"] == "My_Service"
    assert root["version"] == "2.1"
    assert root["description"] == "A service"
    assert root["licenses"] == [{"license": {"acknowledgement": "declared", "id": "MIT"}}]
    assert root["externalReferences"] == [
        {"comment": "Project-URL: Source", "type": "vcs", "url": "https://git.invalid/my-service"}
    ]
    assert bom["metadata"]["authors"] == [
        {"email": "ada@example.invalid", "name": "Ada Lovelace"},
        {"name": "Team"},
    ]
    spdx = json.loads(write_sbom(inv, format="spdx-json", target=target).data)
    assert spdx["creationInfo"]["creators"] == [
        "Tool: pyward-0.1.0",
        "Person: Ada Lovelace (ada@example.invalid)",
        "Person: Team",
    ]
    assert spdx["name"] == "My_Service-sbom"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("project = 3\n", "project: expected a table"),
        (
            '[project]\nname = "x"\nversion = 1.0.0\n',
            "line 3: invalid TOML: invalid float, expected nothing (column 14)",
        ),
    ],
)
def test_malformed_pyproject_next_to_the_target_is_an_input_error(
    tmp_path: Path, text: str, error: str
) -> None:
    from pyward.errors import InputError

    shutil.copy(
        CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt",
        tmp_path / "requirements.txt",
    )
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    target = tmp_path / "requirements.txt"
    with pytest.raises(InputError) as exc:
        write_sbom(read_inventory(target), format="cyclonedx-json", target=target)
    assert str(exc.value) == f"{tmp_path / 'pyproject.toml'}: {error}"


def test_project_urls_that_are_not_uris_are_encoded(site: Path) -> None:
    # aiohttp's real metadata: a Matrix room link holds a second "#".
    dist = _packages(site) / "chatty-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Name: chatty\nVersion: 1.0\n"
        "Project-URL: Chat: Matrix, https://matrix.to/#/#aio-libs:matrix.org\n",
        encoding="utf-8",
    )
    out = write_sbom(read_environment(site), format="cyclonedx-json", target=site)
    _validate_cdx_json(out.data)
    chatty = next(c for c in json.loads(out.data)["components"] if c["name"] == "chatty")
    assert chatty["externalReferences"] == [
        {
            "comment": "Project-URL: Chat: Matrix",
            "type": "other",
            "url": "https://matrix.to/#/%23aio-libs:matrix.org",
        }
    ]


_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n\x00"),
    max_size=30,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_TEXT, version=_TEXT, licence=_TEXT, requires=_TEXT, url=_TEXT)
def test_any_metadata_gives_a_valid_document_or_a_clear_error(
    tmp_path_factory: pytest.TempPathFactory,
    *,
    name: str,
    version: str,
    licence: str,
    requires: str,
    url: str,
) -> None:
    """Whatever a METADATA file holds, reading and writing never crash: the result is a
    schema-valid document (or a one-line PywardError)."""
    from pyward.errors import PywardError

    site = tmp_path_factory.mktemp("site") / "site-packages"
    dist = site / "x-1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        f"Name: {name}\nVersion: {version}\nLicense: {licence}\nRequires-Dist: {requires}\n"
        f"Project-URL: Home, {url}\nAuthor-email: {name} <{url}>\n",
        encoding="utf-8",
    )
    try:
        inv = read_environment(site)
        out = write_sbom(inv, format="cyclonedx-json", target=site)
    except PywardError as exc:
        error = str(exc)
    else:
        error = ""
        _validate_cdx_json(out.data)
    if error:
        assert "\n" not in error
        return
    spdx = write_sbom(inv, format="spdx-json", target=site).data
    assert json.loads(spdx)["spdxVersion"] == "SPDX-2.3"


def test_duplicate_installs_get_distinct_refs(site: Path, tmp_path: Path) -> None:
    real = _packages(site) / _dist_info("idna").name
    shutil.copytree(real, _packages(site) / f"{real.name[: -len('.dist-info')]}-copy.dist-info")
    inv = read_environment(site)
    version = importlib.metadata.version("idna")
    assert [c.key for c in inv.components].count(ComponentKey(f"idna=={version}")) == 2
    out = write_sbom(inv, format="cyclonedx-json", target=site)
    _validate_cdx_json(out.data)
    refs = sorted(c["bom-ref"] for c in json.loads(out.data)["components"] if c["name"] == "idna")
    assert refs == [f"pkg:pypi/idna@{version}", f"pkg:pypi/idna@{version}#2"]
    assert any(n.startswith("idna: installed more than once") for n in out.notes)
    _validate_spdx(write_sbom(inv, format="spdx-json", target=site).data, ".spdx.json", tmp_path)


_HEX = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


def _tag_keywords() -> frozenset[str]:
    from spdx_tools.spdx.parser.tagvalue.lexer import SPDXLexer

    return frozenset(SPDXLexer.reserved)


#: spdx-tools' tag-value lexer reads a whole value that equals a tag's name
#: (``PackageName: PackageSupplier``) as that tag's keyword, and its parser then rejects
#: the line: a limit of the reader, not of the document, which is valid SPDX.
_TAG_KEYWORDS = _tag_keywords()


@settings(max_examples=60, deadline=None)
@given(
    name=_TEXT.filter(str.strip),
    version=st.none() | _TEXT,
    purl=_TEXT,
    expression=st.none() | _TEXT,
    algorithm=st.sampled_from(["sha256", "sha512", "md5", "whirlpool", ""]),
    digest=_HEX,
    supplier=_TEXT,
    url=_TEXT,
)
def test_any_component_from_any_reader_gives_valid_documents(
    *,
    name: str,
    version: str | None,
    purl: str,
    expression: str | None,
    algorithm: str,
    digest: str,
    supplier: str,
    url: str,
) -> None:
    """Readers of lock files and SBOMs fill components with what their input says: the
    writers turn any of it into schema-valid documents (what they cannot say, they note)."""
    from pyward._model import Hash

    c = Component(
        name=name,
        version=version,
        purl=purl,
        license_expression=expression,
        hashes=(Hash(algorithm=algorithm, value=digest),),
        metadata={"supplier": supplier, "home_page": url, "summary": supplier},
    )
    inv = Inventory(source="x", format="cyclonedx", components=(c,), roots=(c.key,))
    out = write_sbom(inv, format="cyclonedx-json")
    _validate_cdx_json(out.data)
    _validate_cdx_xml(write_sbom(inv, format="cyclonedx-xml").data)
    spdx = write_sbom(inv, format="spdx-json").data
    assert len(json.loads(spdx)["packages"]) == 2
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _validate_spdx(spdx, ".spdx.json", Path(tmp))
        tag_value = write_sbom(inv, format="spdx-tv").data
        if _TAG_KEYWORDS.isdisjoint((name, version, purl, expression, supplier, url)):
            _validate_spdx(tag_value, ".spdx", Path(tmp))


@pytest.mark.parametrize(
    ("meta", "supplier", "originator"),
    [
        ({"supplier": " ", "author": "Bob"}, "Person: Bob", "Person: Bob"),
        ({"maintainer": " ", "author": "Bob"}, "Person: Bob", "Person: Bob"),
        ({"author": " "}, "NOASSERTION", None),
    ],
)
def test_blank_people_are_no_people(
    meta: dict[str, str], supplier: str, originator: str | None, tmp_path: Path
) -> None:
    # Found by the property test above: a blank name became an SPDX actor without a
    # name, which spdx-tools refuses to parse.
    c = Component(name="x", version="1", metadata=meta)
    inv = Inventory(source="proj", format="cyclonedx", components=(c,), roots=(c.key,))
    out = write_sbom(inv, format="spdx-json").data
    _validate_spdx(out, ".spdx.json", tmp_path)
    package = next(p for p in json.loads(out)["packages"] if p["name"] == "x")
    assert (package["supplier"], package.get("originator")) == (supplier, originator)


def test_interpreter_environment_is_named_after_its_prefix(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "bin").mkdir()
    (site / "bin" / "python3.11").write_text("#!/bin/sh\nexit 99\n", encoding="utf-8")
    assert main(["sbom", "--python", str(site / "bin" / "python3.11"), "-q"]) == 0
    bom = json.loads(capsys.readouterr().out)
    assert bom["metadata"]["component"]["name"] == "env"
    assert len(bom["components"]) == len(DISTS)


@pytest.mark.parametrize(
    ("meta", "supplier", "originator"),
    [
        # Issue 11, item 17: "Organization: Andrey Petrov" supplied what "Person: Andrey
        # Petrov" originated. One party, one kind.
        (
            {"author": "Andrey Petrov", "author_email": "andrey.petrov@example.invalid"},
            "Person: Andrey Petrov (andrey.petrov@example.invalid)",
            "Person: Andrey Petrov (andrey.petrov@example.invalid)",
        ),
        (
            {"author": "The Pallets Team"},
            "Organization: The Pallets Team",
            "Organization: The Pallets Team",
        ),
        (
            {"maintainer": "Python Packaging Authority", "author": "Ada Lovelace"},
            "Organization: Python Packaging Authority",
            "Person: Ada Lovelace",
        ),
        (
            {"maintainer": "Acme Developers", "author": "Ada Lovelace"},
            "Organization: Acme Developers",
            "Person: Ada Lovelace",
        ),
        # An input SBOM's word for the supplier is kept, and the same party as
        # originator is classified the same way.
        (
            {"supplier": "Acme", "supplier_kind": "organization", "author": "Acme"},
            "Organization: Acme",
            "Organization: Acme",
        ),
    ],
)
def test_one_party_one_kind_in_spdx(
    meta: dict[str, str], supplier: str, originator: str, tmp_path: Path
) -> None:
    c = Component(name="x", version="1", metadata=meta)
    inv = Inventory(source="proj", format="cyclonedx", components=(c,), roots=(c.key,))
    out = write_sbom(inv, format="spdx-json").data
    _validate_spdx(out, ".spdx.json", tmp_path)
    package = next(p for p in json.loads(out)["packages"] if p["name"] == "x")
    assert (package["supplier"], package["originator"]) == (supplier, originator)


def test_advisory_pages_in_both_formats_are_valid_uris() -> None:
    # An id from a mirror may hold anything; SPDX wrote it unescaped into a locator.
    from pyward._sbom._facts import osv_page

    assert osv_page("PYSEC 1\x1b/..") == "https://osv.dev/vulnerability/PYSEC%201%1B%2F.."
    assert osv_page("GHSA-abcd-efgh-ijkl") == "https://osv.dev/vulnerability/GHSA-abcd-efgh-ijkl"


def test_tag_value_free_text_that_names_a_tag_reads_back(tmp_path: Path) -> None:
    # Found by the Hypothesis test above: spdx-tools wrote ``PackageSummary: ExternalRef``
    # bare and its own parser then read the value as the ExternalRef tag.
    from pyward._model import Hash

    c = Component(
        name="n",
        version="1",
        purl="",
        hashes=(Hash(algorithm="sha256", value="0" * 64),),
        metadata={"supplier": "ExternalRef", "summary": "ExternalRef"},
    )
    inv = Inventory(source="x", format="cyclonedx", components=(c,), roots=(c.key,))
    data = write_sbom(inv, format="spdx-tv").data
    assert b"PackageSummary: <text>ExternalRef</text>\n" in data
    _validate_spdx(data, ".spdx", tmp_path)
