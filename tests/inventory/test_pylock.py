"""pylock.toml (PEP 751) reader on the real locks of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._inventory import _pylock
from pyward._inventory._toml import stdlib_loads
from pyward._model import Component, ComponentKey, Inventory
from pyward.errors import InputError
from tests.conftest import CORPUS

PYLOCK = CORPUS / "pylock"


def read(name: str) -> Inventory:
    return _pylock.read(PYLOCK / name / "pylock.toml")


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


# comfy-cli: 48 entries, one of them the project itself (directory ".", no version) -> 47.
# snowflake-cli: 70 entries, all registry packages. pdm-demo-fixture: 10 entries.
# file -> (components, with markers)
COUNTS = {"comfy-cli": (47, 2), "snowflake-cli": (70, 10), "pdm-demo-fixture": (10, 10)}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_installable_set(name: str) -> None:
    inv = read(name)
    components, with_markers = COUNTS[name]
    assert len(inv.components) == components
    assert sum(c.markers is not None for c in inv.components) == with_markers
    assert inv.not_audited == ()
    assert inv.notes == ()
    data = stdlib_loads((PYLOCK / name / "pylock.toml").read_text())
    assert {(c.name, c.version) for c in inv.components} == {
        (p["name"], p["version"]) for p in data["packages"] if "version" in p
    }
    assert all(len(c.hashes) >= 1 for c in inv.components)


def test_comfy_cli_project_and_index() -> None:
    inv = read("comfy-cli")
    assert inv.project is not None
    assert inv.project.name == "comfy-cli"
    assert inv.project.version is None
    assert inv.project.source == "editable"
    assert inv.project.source_url == "."
    assert inv.project.location is not None
    assert inv.project.location.line == 118
    anyio = get(inv, "anyio==4.10.0")
    assert anyio.index == "https://pypi.invalid/simple"
    assert not anyio.non_default_index
    assert anyio.purl == "pkg:pypi/anyio@4.10.0"
    assert [h.value for h in anyio.hashes] == [
        "3f3fae35c96039744587aa5b8371e7e8e603c0702999535961dd336026973ba6",
        "60e474ac86736bbfd6f210f7a61218939c318f43f9972497381f1c5e930ed3d1",
    ]
    assert anyio.location is not None
    assert anyio.location.line == 7
    # uv export writes no group markers.
    assert all(c.groups == frozenset() for c in inv.components)


def test_snowflake_markers_without_index() -> None:
    inv = read("snowflake-cli")
    cffi = get(inv, "cffi==2.0.0")
    assert cffi.markers == (
        "python_full_version >= '3.9' and platform_python_implementation != 'PyPy'"
    )
    assert cffi.location is not None
    assert cffi.location.line == 44
    assert cffi.index is None
    assert get(inv, "colorama==0.4.6").markers == "sys_platform == 'win32'"
    assert inv.edges == {}


def test_pdm_fixture_groups_from_markers() -> None:
    inv = read("pdm-demo-fixture")
    assert get(inv, "certifi==2025.1.31").groups == {"extra:security"}
    # created-by = "pdm": its "default" dependency group is the project's main one.
    assert get(inv, "chardet==3.0.4").groups == {"main"}
    assert get(inv, "idna==2.7").groups == {"main", "extra:security"}
    assert get(inv, "pytest==3.2.5").groups == {"extra:tests"}
    assert get(inv, "pytest==3.2.5").markers == '"tests" in extras'
    assert inv.project is None


# --- synthetic cases ------------------------------------------------------------------

HEAD = 'lock-version = "1.0"\ncreated-by = "test"\n\n'
PKG = (
    '[[packages]]\nname = "a"\nversion = "1.0"\nindex = "https://one.invalid/simple"\n'
    'sdist = { url = "https://one.invalid/a-1.0.tar.gz", hashes = { sha256 = "AB" } }\n\n'
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pylock.toml"
    path.write_text(text)
    return path


def test_sources_edges_and_second_index(tmp_path: Path) -> None:
    second = PKG.replace('"a"', '"b"').replace("a-1.0", "b-1.0")
    text = HEAD + PKG + second.replace("one.invalid", "two.invalid")
    text += (
        PKG.replace('"a"', '"c"').replace("a-1.0", "c-1.0")
        + 'dependencies = [{ name = "a" }, { name = "b" }]\n\n'
    )
    text += (
        '[[packages]]\nname = "v"\nversion = "2"\n'
        'vcs = { type = "git", url = "https://git.invalid/v.git", commit-id = "abc123" }\n\n'
    )
    text += '[[packages]]\nname = "d"\ndirectory = { path = "../d" }\n'
    inv = _pylock.read(write(tmp_path, text))
    b = get(inv, "b==1.0")
    assert b.non_default_index
    assert b.purl == "pkg:pypi/b@1.0?repository_url=https://two.invalid/simple"
    assert get(inv, "a==1.0").hashes[0].value == "ab"
    assert inv.edges == {ComponentKey("c==1.0"): (ComponentKey("a==1.0"), ComponentKey("b==1.0"))}
    v = get(inv, "v==2")
    assert v.source == "git"
    assert v.source_url == "git+https://git.invalid/v.git@abc123"
    [d] = inv.not_audited
    assert d.requirement == "d @ ../d"
    assert d.reason == "directory package without a version; nothing to match advisories against"


def test_packaging_validation_error_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + PKG.replace('version = "1.0"', "version = 1"))
    with pytest.raises(InputError) as err:
        _pylock.read(path)
    assert str(err.value) == f"{path}: packages[0].version: Unexpected type int (expected str)"


def test_missing_name_via_packaging(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + '[[packages]]\nversion = "1"\n')
    with pytest.raises(InputError) as err:
        _pylock.read(path)
    assert str(err.value) == f"{path}: packages[0].name: missing"


def test_unknown_major_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('"1.0"', '"2.0"') + PKG)
    with pytest.raises(InputError) as err:
        _pylock.read(path)
    assert str(err.value) == (
        f"{path}: lock-version: unsupported pylock.toml format version 2.0 (this pyward reads 1.x)"
    )


def test_unknown_minor_noted(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('"1.0"', '"1.3"') + PKG)
    inv = _pylock.read(path)
    assert inv.notes == (
        f"{path}: pylock.toml format version 1.3 is newer than this pyward knows (1.0); "
        "read as 1.0",
    )
    assert [c.key for c in inv.components] == ["a==1.0"]


def test_truncated_real_lock(tmp_path: Path) -> None:
    # comfy-cli's lock cut inside anyio's sdist table (line 11).
    text = (PYLOCK / "comfy-cli" / "pylock.toml").read_text()
    cut = text.index("sdist = { url") + len("sdist = { url")
    path = write(tmp_path, text[:cut])
    with pytest.raises(InputError) as err:
        _pylock.read(path)
    assert str(err.value) == (
        f"{path}: line 11: invalid TOML: unclosed inline table, expected `}}` (column 14)"
    )
