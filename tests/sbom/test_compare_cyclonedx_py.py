"""pyward's SBOM of an environment against cyclonedx-py's (``cyclonedx-bom``, a test
extra), on the test environment itself: pyward carries every component and every
field cyclonedx-py does, plus hashes, suppliers and SPDX licences."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.compare_sbom import component_key as _key
from bench.compare_sbom import cyclonedx_py_sbom

from pyward._inventory._environment import read_environment
from pyward._sbom import write_sbom
from pyward._sbom._licenses import classifier_table

CYCLONEDX_PY = Path(sys.executable).parent / "cyclonedx-py"


def _purl(c: dict[str, Any]) -> str:
    # packageurl normalises pypi names; compare on the normalised form.
    from packageurl import PackageURL

    p = PackageURL.from_string(c["purl"])
    return str(
        PackageURL(
            type=p.type, name=p.name.lower().replace("_", "-"), version=p.version
        ).to_string()
    )


def _spdx_ids(c: dict[str, Any]) -> set[str]:
    ids: set[str] = set()
    for lic in c.get("licenses", []):
        if "expression" in lic:
            ids.add(lic["expression"])
        elif "id" in lic["license"]:
            ids.add(lic["license"]["id"])
    return ids


def _only_requested_under_an_extra(name: str, extra: str) -> bool:
    """Every installed ``Requires-Dist`` asking for ``name[extra]`` has an ``extra``
    marker (so nothing installed requests it unless that extra is requested)."""
    import importlib.metadata

    from packaging.requirements import Requirement

    from pyward._model import canonical_name

    asking = [
        r
        for d in importlib.metadata.distributions()
        for r in map(Requirement, d.requires or ())
        if canonical_name(r.name) == name and extra in {canonical_name(e) for e in r.extras}
    ]
    return bool(asking) and all(r.marker is not None and "extra" in str(r.marker) for r in asking)


@pytest.mark.slow
def test_pyward_carries_everything_cyclonedx_py_does(tmp_path: Path) -> None:
    if not CYCLONEDX_PY.exists():
        pytest.skip("cyclonedx-py (the cyclonedx-bom test extra) is not installed")
    theirs = cyclonedx_py_sbom(CYCLONEDX_PY, sys.executable, tmp_path / "cdxpy.json", timeout=300)
    ours = json.loads(
        write_sbom(read_environment(python=sys.executable), format="cyclonedx-json").data
    )
    t = {_key(c): c for c in theirs["components"]}
    o = {_key(c): c for c in ours["components"]}
    missing = sorted(set(t) - set(o))
    assert missing == []
    classifiers = set(classifier_table())
    spdx_theirs = spdx_ours = 0
    for key, tc in t.items():
        oc = o[key]
        # Every field cyclonedx-py fills, pyward fills too (bom-ref values differ by design).
        assert set(tc) - set(oc) == set(), key
        for field in ("name", "version", "type"):
            assert oc.get(field) == tc.get(field), (key, field)
        # pyward strips the whitespace around a Summary; the text is the same.
        assert oc.get("description") == ((tc.get("description") or "").strip() or None), key
        if "purl" in tc:
            assert _purl(oc) == _purl(tc), key
            assert oc["purl"] == tc["purl"], key
        their_urls = {r["url"] for r in tc.get("externalReferences", [])}
        our_urls = {r["url"] for r in oc.get("externalReferences", [])}
        assert their_urls <= our_urls, key
        their_props = {(p["name"], p["value"]) for p in tc.get("properties", [])}
        our_props = {(p["name"], p["value"]) for p in oc.get("properties", [])}
        for prop in their_props - our_props:
            # cyclonedx-py marks an extra as required even when only an extra of the
            # dependant asks for it (``uvicorn[standard]; extra == "standard"``).
            assert prop[0] == "cdx:python:package:required-extra", (key, prop)
            assert _only_requested_under_an_extra(key.split("@")[0], prop[1]), (key, prop)
        # Where cyclonedx-py found an SPDX licence, so does pyward; and never a classifier.
        if _spdx_ids(tc):
            assert _spdx_ids(oc), key
        spdx_theirs += bool(_spdx_ids(tc))
        spdx_ours += bool(_spdx_ids(oc))
        for lic in oc.get("licenses", []):
            assert lic.get("license", {}).get("name") not in classifiers, key
        assert oc["hashes"][0]["alg"] == "SHA-256", key
    assert spdx_ours >= spdx_theirs
    assert sum(1 for c in theirs["components"] if c.get("hashes")) == 0
    assert (
        sum(1 for c in theirs["components"] if "License ::" in json.dumps(c.get("licenses", [])))
        > 0
    )
    # Edges: pyward evaluates markers and extras, so its graph is a subset of
    # cyclonedx-py's, which links every Requires-Dist name that is installed.
    assert _edges(ours) <= _edges(theirs)


def _edges(bom: dict[str, Any]) -> set[tuple[str, str]]:
    """(dependant, dependency) keys of the edges between top-level components."""
    names = {c["bom-ref"]: _key(c) for c in bom["components"]}
    return {
        (names[d["ref"]], names[x])
        for d in bom["dependencies"]
        if d["ref"] in names
        for x in d.get("dependsOn", [])
        if x in names
    }
