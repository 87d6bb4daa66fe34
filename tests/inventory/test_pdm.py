"""pdm.lock reader on the real locks of the corpus (see tests/data/corpus/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._inventory import _pdm
from pyward._inventory._toml import stdlib_loads
from pyward._model import Component, ComponentKey, Inventory
from pyward.errors import InputError
from tests.conftest import CORPUS

PDM = CORPUS / "pdm"


def read(name: str) -> Inventory:
    return _pdm.read(PDM / name / "pdm.lock")


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


# pdm: 100 entries, 4 of them extras entries (coverage[toml], hishel[httpx],
#   httpx[socks], mkdocstrings[python]) of distributions also listed plainly -> 96.
# pydantic-2023: 83 entries, one extras entry (coverage[toml]) -> 82.
# file -> (components, roots)
COUNTS = {"pdm": (96, 28), "pydantic-2023": (82, 26)}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_installable_set(name: str) -> None:
    inv = read(name)
    components, roots = COUNTS[name]
    assert len(inv.components) == components
    assert len(inv.roots) == roots
    assert inv.not_audited == ()
    assert inv.notes == ()
    data = stdlib_loads((PDM / name / "pdm.lock").read_text())
    assert {(c.name, c.version) for c in inv.components} == {
        (p["name"], p["version"]) for p in data["package"]
    }


def test_pdm_4_5_extras_merged() -> None:
    inv = read("pdm")
    httpx = get(inv, "httpx==0.28.1")
    assert httpx.extras == {"socks"}
    assert httpx.groups == {"main", "test"}  # "default" is main
    assert httpx.location is not None
    assert httpx.location.line == 702  # the plain entry, not httpx[socks] below it
    assert len(httpx.hashes) == 2  # both entries list the same two files
    coverage = get(inv, "coverage==7.13.5")
    assert coverage.extras == {"toml"}
    assert coverage.groups == {"test"}
    assert len(coverage.hashes) == 106
    assert coverage.location is not None
    assert coverage.location.line == 230
    # The extras entry's dependencies are coverage's: tomli comes through it.
    assert ComponentKey("tomli==2.4.1") in inv.edges[coverage.key]
    assert inv.why(ComponentKey("socksio==1.0.0")) == (
        "hishel==1.2.1",
        "httpx==0.28.1",
        "socksio==1.0.0",
    )


def test_pdm_4_5_markers_and_groups() -> None:
    inv = read("pdm")
    assert get(inv, "backports-tarfile==1.2.0").markers == 'python_version < "3.12"'
    assert get(inv, "cffi==2.0.0").markers == (
        'platform_python_implementation != "PyPy" and sys_platform == "linux"'
    )
    anyio = get(inv, "anyio==4.13.0")
    assert anyio.groups == {"main", "test"}
    assert anyio.markers is None
    assert anyio.purl == "pkg:pypi/anyio@4.13.0"
    assert (
        anyio.hashes[0].value == "08b310f9e24a9594186fd75b4f73f4a4152069e3853f1ed8bfbf58369f4ad708"
    )
    assert sum("main" in c.groups for c in inv.components) == 38
    assert sum(c.markers is not None for c in inv.components) == 13


def test_pydantic_4_2_metadata_files_and_git() -> None:
    inv = read("pydantic-2023")
    coverage = get(inv, "coverage==7.2.7")
    assert coverage.extras == {"toml"}
    assert len(coverage.hashes) == 60  # from [metadata.files] "coverage 7.2.7"
    assert coverage.groups == frozenset()  # 4.2 locks record no groups
    mike = get(inv, "mike==1.2.0.dev0")
    assert mike.source == "git"
    assert mike.source_url == (
        "git+https://github.com/jimporter/mike.git@be1aafe244bc86172fbce52a903c9ab83e2e4a26"
    )
    assert mike.hashes == ()
    assert mike.location is not None
    assert mike.location.line == 275
    extra_types = get(inv, "pydantic-extra-types==2.0.0")
    assert extra_types.source == "git"
    assert extra_types.source_url is not None
    assert extra_types.source_url.endswith("@b7cdcc1fe8ec982cb4feb6111201462f7bc66b16")
    annotated = get(inv, "annotated-types==0.5.0")
    assert [h.value for h in annotated.hashes] == [
        "47cdc3490d9ac1506ce92c7aaa76c579dc3509ff11e098fc867e5130ab7be802",
        "58da39888f92c276ad970249761ebea80ba544b77acddaa1a4d6cf78287d45fd",
    ]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pdm.lock"
    path.write_text(text)
    return path


HEAD = '[metadata]\ngroups = ["default"]\nlock_version = "4.5.0"\ncontent_hash = "x"\n\n'


def test_unknown_major_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('"4.5.0"', '"5.0"'))
    with pytest.raises(InputError) as err:
        _pdm.read(path)
    assert str(err.value) == (
        f"{path}: metadata.lock_version: "
        "unsupported pdm.lock format version 5.0 (this pyward reads 4.x)"
    )


def test_unknown_minor_noted(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('"4.5.0"', '"4.6"'))
    assert _pdm.read(path).notes == (
        f"{path}: pdm.lock format version 4.6 is newer than this pyward knows (4.5); read as 4.5",
    )


def test_missing_lock_version(tmp_path: Path) -> None:
    path = write(tmp_path, '[metadata]\ngroups = ["default"]\n')
    with pytest.raises(InputError) as err:
        _pdm.read(path)
    assert str(err.value) == f"{path}: metadata.lock_version: missing"


def test_bad_file_hash(tmp_path: Path) -> None:
    pkg = '[[package]]\nname = "a"\nversion = "1"\nfiles = [{file = "a.whl", hash = "nope"}]\n'
    path = write(tmp_path, HEAD + pkg)
    with pytest.raises(InputError) as err:
        _pdm.read(path)
    assert str(err.value) == (
        f"{path}: package[0].files[0]: expected a file table with an ALGORITHM:HEX hash"
    )


def test_truncated_real_lock(tmp_path: Path) -> None:
    # pdm's lock cut right after the second package's name line: no version.
    text = (PDM / "pdm" / "pdm.lock").read_text()
    cut = text.index('name = "anysqlite"\n') + len('name = "anysqlite"\n')
    path = write(tmp_path, text[:cut])
    with pytest.raises(InputError) as err:
        _pdm.read(path)
    assert str(err.value) == f"{path}: package[1].version: missing"
