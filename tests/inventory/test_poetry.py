"""poetry.lock reader on the real locks of the corpus (see tests/data/corpus/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._inventory import _poetry
from pyward._inventory._toml import stdlib_loads
from pyward._model import Component, ComponentKey, Inventory
from pyward.errors import InputError
from tests.conftest import CORPUS

POETRY = CORPUS / "poetry"


def read(name: str) -> Inventory:
    return _poetry.read(POETRY / name / "poetry.lock")


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


# A poetry.lock holds no entry for the project itself and one entry per distribution;
# `poetry install --all-extras --all-groups` installs every one (no markers evaluated).
# file -> (components, direct: packages no other package requires)
COUNTS = {
    "saleor-2020": (207, 66),
    "wemake-python-styleguide-2019": (130, 39),
    "langgraph-2024": (147, 18),
    "poetry": (78, 26),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_installable_set(name: str) -> None:
    inv = read(name)
    components, roots = COUNTS[name]
    assert len(inv.components) == components
    assert len(inv.roots) == roots
    assert sum(c.direct for c in inv.components) == roots
    assert inv.not_audited == ()
    assert inv.project is None
    assert inv.notes == ()
    data = stdlib_loads((POETRY / name / "poetry.lock").read_text())
    expected = {
        (p["name"].lower().replace("_", "-").replace(".", "-"), p["version"])
        for p in data["package"]
    }
    assert {(c.name, c.version) for c in inv.components} == expected


def test_saleor_lock_1_1_category_and_metadata_files() -> None:
    inv = read("saleor-2020")
    django = get(inv, "django==3.1.4")
    assert django.groups == {"main"}
    assert len(django.hashes) == 2
    assert django.location is not None
    assert django.location.line == 445
    assert django.purl == "pkg:pypi/django@3.1.4"
    assert django.index is None
    assert not django.non_default_index
    assert len(get(inv, "pillow==8.0.1").hashes) == 28
    assert get(inv, "jinja2==2.11.2").groups == {"dev"}
    adyen = get(inv, "adyen==3.1.0")
    assert adyen.direct
    assert (
        adyen.hashes[0].value == "8ac866a5dba790952cdf3bdbbb44a893d9268fa3dd81222db5de5a034b2462c9"
    )
    assert inv.why(ComponentKey("pytz==2020.4")) == (
        "django-filter==2.4.0",
        "django==3.1.4",
        "pytz==2020.4",
    )
    assert sum("main" in c.groups for c in inv.components) == 141
    assert sum("dev" in c.groups for c in inv.components) == 66


def test_wemake_pre_1_0_bare_hashes_and_marker() -> None:
    inv = read("wemake-python-styleguide-2019")
    pyyaml = get(inv, "pyyaml==4.2b4")
    assert pyyaml.groups == {"main"}
    assert len(pyyaml.hashes) == 9
    assert {h.algorithm for h in pyyaml.hashes} == {"sha256"}
    appnope = get(inv, "appnope==0.1.0")
    assert appnope.markers == (
        'python_version >= "3.4" and sys_platform == "darwin" or sys_platform == "darwin"'
    )
    assert appnope.location is not None
    assert appnope.location.line == 23
    assert appnope.hashes[0].value == (
        "5b26757dc6f79a3b7dc9fab95359328d5747fcb2409d331ea66d0272b90ab2a0"
    )
    ruamel = get(inv, "ruamel-yaml==0.16.5")
    assert ruamel.display_name == "ruamel.yaml"
    assert get(inv, "added-value==0.14.2").direct


def test_langgraph_directory_sources_and_no_groups() -> None:
    inv = read("langgraph-2024")
    cp = get(inv, "langgraph-checkpoint==2.0.2")
    assert cp.source == "editable"  # develop = true
    assert cp.source_url == "../checkpoint"
    assert cp.hashes == ()
    assert cp.location is not None
    assert cp.location.line == 1360
    # lock-version 2.0 records neither category nor groups.
    assert all(c.groups == frozenset() for c in inv.components)
    assert inv.why(ComponentKey("duckdb==1.1.2")) == (
        "langgraph-checkpoint-duckdb==2.0.1",
        "duckdb==1.1.2",
    )
    assert sorted(c.name for c in inv.components if c.source == "editable") == [
        "langgraph-checkpoint",
        "langgraph-checkpoint-duckdb",
        "langgraph-checkpoint-postgres",
        "langgraph-checkpoint-sqlite",
        "langgraph-sdk",
    ]


def test_poetry_2_1_git_groups_and_marker_table() -> None:
    inv = read("poetry")
    core = get(inv, "poetry-core==2.4.1")
    assert core.source == "git"
    assert core.source_url == (
        "git+https://github.com/python-poetry/poetry-core.git@e3998b0e111dc03e4aa721fd054c48e5c7de6fc5"
    )
    assert core.direct
    assert core.groups == {"main"}
    colorama = get(inv, "colorama==0.4.6")
    assert colorama.groups == {"main", "github-actions", "test"}
    # {main = 'os_name == "nt"', github-actions = ..., test = ...}: any group's marker.
    assert colorama.markers == '(os_name == "nt") or (sys_platform == "win32")'
    assert colorama.location is not None
    assert colorama.location.line == 363
    assert get(inv, "backports-tarfile==1.2.0").markers == 'python_version < "3.12"'
    assert inv.why(colorama.key) == ("build==1.5.0", "colorama==0.4.6")


# --- synthetic cases the corpus lacks ------------------------------------------------

LEGACY = """
[[package]]
name = "Private_Pkg"
version = "1.0"
description = ""
optional = true
python-versions = "*"
groups = ["main"]
files = [{file = "p-1.0.tar.gz", hash = "sha256:ab"}]

[package.source]
type = "legacy"
url = "https://private.invalid/simple"
reference = "private"

[[package]]
name = "numpy"
version = "1.26.4"
optional = false
python-versions = "*"
groups = ["main"]
files = []

[[package]]
name = "numpy"
version = "2.1.0"
optional = false
python-versions = "*"
groups = ["main"]
files = []

[[package]]
name = "user"
version = "1"
optional = false
python-versions = "*"
groups = ["main"]
files = []

[package.dependencies]
numpy = [
    {version = ">=1.26,<2", markers = "python_version < \\"3.10\\""},
    {version = ">=2.1", markers = "python_version >= \\"3.10\\""},
]
Private_Pkg = "1.0"

[extras]
private = ["private-pkg"]

[metadata]
lock-version = "2.1"
python-versions = ">=3.9"
content-hash = "x"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "poetry.lock"
    path.write_text(text)
    return path


def test_secondary_index_optional_extra_and_two_versions(tmp_path: Path) -> None:
    inv = _poetry.read(write(tmp_path, LEGACY))
    private = get(inv, "private-pkg==1.0")
    assert private.display_name == "Private_Pkg"
    assert private.index == "https://private.invalid/simple"
    assert private.non_default_index
    assert private.purl == "pkg:pypi/private-pkg@1.0?repository_url=https://private.invalid/simple"
    assert private.groups == {"extra:private"}
    assert private.hashes[0].value == "ab"
    assert inv.edges[ComponentKey("user==1")] == (
        "numpy==1.26.4",
        "numpy==2.1.0",
        "private-pkg==1.0",
    )
    assert inv.roots == ("user==1",)


def test_unknown_major_refused(tmp_path: Path) -> None:
    path = write(tmp_path, LEGACY.replace('lock-version = "2.1"', 'lock-version = "3.0"'))
    with pytest.raises(InputError) as err:
        _poetry.read(path)
    assert str(err.value) == (
        f"{path}: metadata.lock-version: unsupported poetry.lock format version 3.0 "
        "(this pyward reads 1.x, 2.x)"
    )


def test_unknown_minor_noted(tmp_path: Path) -> None:
    path = write(tmp_path, LEGACY.replace('lock-version = "2.1"', 'lock-version = "2.4"'))
    inv = _poetry.read(path)
    assert inv.notes == (
        f"{path}: poetry.lock format version 2.4 is newer than this pyward knows (2.1); "
        "read as 2.1",
    )
    assert len(inv.components) == 4


def test_missing_version(tmp_path: Path) -> None:
    path = write(tmp_path, LEGACY.replace('version = "2.1.0"\n', ""))
    with pytest.raises(InputError) as err:
        _poetry.read(path)
    assert str(err.value) == f"{path}: package[2].version: missing"


def test_bad_hash_in_metadata_files(tmp_path: Path) -> None:
    text = (POETRY / "saleor-2020" / "poetry.lock").read_text()
    text = text.replace(
        'hash = "sha256:8ac866a5dba790952cdf3bdbbb44a893d9268fa3dd81222db5de5a034b2462c9"',
        'hash = "8ac866a5"',
    )
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        _poetry.read(path)
    assert str(err.value) == f"{path}: metadata.files.adyen[0].hash: not an ALGORITHM:HEX hash"


def test_truncated_real_lock(tmp_path: Path) -> None:
    # poetry's own lock cut after line 12, the last entry of the first, unclosed, files array.
    lines = (POETRY / "poetry" / "poetry.lock").read_text().splitlines(keepends=True)
    path = write(tmp_path, "".join(lines[:12]))
    with pytest.raises(InputError) as err:
        _poetry.read(path)
    assert (
        str(err.value)
        == f"{path}: line 12: invalid TOML: unclosed array, expected `]` (column 118)"
    )


def test_not_a_poetry_lock(tmp_path: Path) -> None:
    path = write(tmp_path, '[tool.other]\nname = "x"\n')
    with pytest.raises(InputError) as err:
        _poetry.read(path)
    assert str(err.value) == f"{path}: metadata: missing"
