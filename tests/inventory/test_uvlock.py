"""uv.lock reader on the real locks of the corpus (see tests/data/corpus/SOURCES.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pyward._inventory import _uvlock
from pyward._inventory._toml import stdlib_loads
from pyward._model import Component, ComponentKey, Inventory
from pyward.errors import InputError
from tests.conftest import CORPUS

UV = CORPUS / "uv"


def read(name: str) -> Inventory:
    return _uvlock.read(UV / name / "uv.lock")


def get(inv: Inventory, key: str) -> Component:
    c = inv.component(ComponentKey(key))
    assert c is not None, key
    return c


def installable(path: Path) -> set[tuple[str, str]]:
    """What uv installs with every group, extra and package selected, derived with the
    stdlib parser: every [[package]] with a version, except the workspace root (the
    package at source "." ) and workspace members without a version."""
    data = stdlib_loads(path.read_text())
    result = set()
    for p in data["package"]:
        src = p["source"]
        if src.get("editable") == "." or src.get("virtual") == ".":
            continue
        if "version" in p:
            result.add((p["name"], p["version"]))
    return result


# file -> (components, distinct names among them, not audited)
# guidellm: 177 entries, 170 names; minus the editable root guidellm -> 176 / 169; seven
#   names at two versions (torch, torchcodec, numpy, matplotlib, contourpy, networkx, tomli).
# litestar: 214 entries minus the editable root.
# pydantic: 176 entries (173 names) minus the root pydantic and the versionless member
#   pydantic-core (not audited); numpy, rpds-py and pyodide-build at two versions.
# fastapi: 205 entries minus the root. flask: 83 entries (81 names) minus the root.
COUNTS = {
    "guidellm": (176, 169, 0),
    "litestar-2024": (213, 213, 0),
    "pydantic": (174, 171, 1),
    "fastapi": (204, 204, 0),
    "flask": (82, 80, 0),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_installable_set(name: str) -> None:
    inv = read(name)
    components, names, not_audited = COUNTS[name]
    assert len(inv.components) == components
    assert len({c.name for c in inv.components}) == names
    assert len(inv.not_audited) == not_audited
    assert {(c.name, c.version) for c in inv.components} == installable(UV / name / "uv.lock")
    assert inv.format == "uv.lock"
    assert inv.notes == ()
    # Every component is reachable from the project in some group (a full lock).
    assert all(c.groups for c in inv.components)
    # Keys are unique.
    assert len({c.key for c in inv.components}) == components


def test_guidellm_two_torch_builds_from_a_second_index() -> None:
    inv = read("guidellm")
    cpu = get(inv, "torch==2.13.0+cpu")
    mac = get(inv, "torch==2.13.0")
    for c in (cpu, mac):
        assert c.source == "registry"
        assert c.non_default_index
        assert c.index is not None
        assert urlsplit(c.index).path == "/whl/cpu"
        assert urlsplit(c.index).hostname != "pypi.invalid"
        assert c.direct
        assert c.groups == {"main", "dev", "test", "extra:all", "extra:audio"}
    # The markers of the root's edges, not the packages' resolution-markers.
    assert mac.markers == "platform_machine == 'arm64' and sys_platform == 'darwin'"
    assert cpu.markers == "platform_machine != 'arm64' or sys_platform != 'darwin'"
    assert cpu.purl == f"pkg:pypi/torch@2.13.0%2Bcpu?repository_url={cpu.index}"
    assert len(cpu.hashes) == 31  # wheels only, no sdist
    assert len(mac.hashes) == 6
    assert mac.location is not None
    assert mac.location.line == 4622  # its [[package]] header
    assert cpu.location is not None
    assert cpu.location.line == 4651
    non_default = sorted(c.key for c in inv.components if c.non_default_index)
    assert non_default == [
        "torch==2.13.0",
        "torch==2.13.0+cpu",
        "torchcodec==0.13.0",
        "torchcodec==0.13.0+cpu",
    ]


def test_guidellm_registry_component() -> None:
    inv = read("guidellm")
    c = get(inv, "aiofiles==25.1.0")
    assert c.index == "https://pypi.invalid/simple"
    assert not c.non_default_index
    assert c.purl == "pkg:pypi/aiofiles@25.1.0"
    assert [h.algorithm for h in c.hashes] == ["sha256", "sha256"]
    assert c.hashes[0].value == "a8d728f0a29de45dc521f18f07297428d56992a742f0cd2701ba86e44d23d5b2"
    assert c.location is not None
    assert c.location.line == 22
    assert c.location.file == str(UV / "guidellm" / "uv.lock")
    assert not c.direct  # comes through sanic
    assert c.markers is None


def test_guidellm_groups_through_extras_and_self_reference() -> None:
    inv = read("guidellm")
    # pytest is only in the dev and test groups.
    assert get(inv, "pytest==9.1.1").groups == {"dev", "test"}
    assert get(inv, "pytest==9.1.1").direct
    # matplotlib: extra "plot" (and "all", which "dev"/"test" pull in as guidellm[all]).
    plot = get(inv, "matplotlib==3.10.9")
    assert plot.groups == {"extra:all", "extra:plot", "dev", "test"}
    assert plot.markers == "python_full_version < '3.11'"
    assert get(inv, "matplotlib==3.11.0").markers == "python_full_version >= '3.11'"
    # async-timeout: only on old Pythons, through aiohttp.
    at = get(inv, "async-timeout==5.0.1")
    assert at.markers == "python_full_version < '3.11'"
    assert not at.direct


def test_guidellm_edges_and_why() -> None:
    inv = read("guidellm")
    assert inv.project is not None
    assert inv.project.name == "guidellm"
    assert inv.project.version is None
    assert inv.project.source == "editable"
    assert inv.project.source_url == "."
    assert len(inv.roots) == 60
    assert ComponentKey("torch==2.13.0+cpu") in inv.roots
    assert inv.why(ComponentKey("sympy==1.14.0")) == ("torch==2.13.0", "sympy==1.14.0")
    assert inv.why(ComponentKey("async-timeout==5.0.1")) == (
        "mkdocs-linkcheck==1.0.6",
        "aiohttp==3.14.3",
        "async-timeout==5.0.1",
    )
    # Dependency entries with version/source point at the right one of two builds.
    datasets_edges = inv.edges[ComponentKey("datasets==4.4.1")]
    assert "torchcodec==0.13.0" in datasets_edges
    assert "torchcodec==0.13.0+cpu" in datasets_edges


def test_pydantic_workspace() -> None:
    inv = read("pydantic")
    assert inv.project is not None
    assert (inv.project.name, inv.project.version) == ("pydantic", None)
    assert inv.project.location is not None
    assert inv.project.location.line == 2415
    [member] = inv.not_audited
    assert member.name == "pydantic-core"
    assert member.reason == (
        "local workspace member without a version; nothing to match advisories against"
    )
    assert member.location is not None
    assert member.location.line == 2667
    # The member's own dev groups count: pytest-codspeed comes from its "codspeed" group
    # (and the root's "all"/"dev" groups).
    assert get(inv, "pytest-codspeed==4.5.0").groups == {"all", "codspeed", "dev"}
    # Member dependencies are direct dependencies of the project.
    assert get(inv, "maturin==1.13.3").direct
    assert inv.why(ComponentKey("maturin==1.13.3")) == ("maturin==1.13.3",)
    assert get(inv, "typing-extensions==4.15.0").direct
    # Git source.
    docs = get(inv, "pydantic-docs==0.0.1")
    assert docs.source == "git"
    assert docs.source_url == (
        "https://github.com/pydantic/pydantic-docs#6f657b30593b00cf5f7c0b7eca74e83b3b6b7819"
    )
    assert docs.index is None
    assert docs.hashes == ()
    assert docs.purl == "pkg:pypi/pydantic-docs@0.0.1"
    # Two versions of rpds-py, chosen by marker on the edges of jsonschema/referencing.
    old = get(inv, "rpds-py==0.30.0")
    assert old.markers == "python_full_version < '3.11'"
    assert get(inv, "rpds-py==2026.6.3").markers == "python_full_version >= '3.11'"
    assert inv.why(old.key) == ("jsonschema==4.26.0", "rpds-py==0.30.0")
    assert len(old.hashes) == 115


def test_litestar_old_format_and_git() -> None:
    inv = read("litestar-2024")
    assert inv.project is not None
    assert (inv.project.name, inv.project.version) == ("litestar", "2.13.0")
    theme = get(inv, "litestar-sphinx-theme==0.2.0")
    assert theme.source == "git"
    assert theme.groups == {"docs"}
    assert theme.direct
    assert theme.location is not None
    assert theme.location.line == 1937
    jinja = get(inv, "jinja2==3.1.4")
    assert jinja.groups == {
        "dev",
        "docs",
        "extra:full",
        "extra:jinja",
        "extra:piccolo",
        "extra:standard",
    }
    assert len(jinja.hashes) == 2
    assert get(inv, "h11==0.14.0").direct is False


def test_flask_two_sphinx_versions() -> None:
    inv = read("flask")
    assert inv.project is not None
    assert inv.project.version == "3.2.0.dev0"
    a, b = get(inv, "sphinx==8.1.3"), get(inv, "sphinx==8.2.3")
    assert a.markers == "python_full_version < '3.11'"
    assert b.markers == "python_full_version >= '3.11'"
    assert a.groups == b.groups == {"docs", "docs-auto"}
    assert get(inv, "blinker==1.9.0").groups == {"main"}
    assert Counter(c.name for c in inv.components)["sphinx-autobuild"] == 2


def test_fastapi_sdist_only() -> None:
    inv = read("fastapi")
    jieba = get(inv, "jieba==0.42.1")
    assert len(jieba.hashes) == 1
    assert jieba.groups == {"dev", "docs"}


# --- errors ------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "uv.lock"
    path.write_text(text)
    return path


HEAD = 'version = 1\nrevision = 3\nrequires-python = ">=3.10"\n\n'
PKG = (
    '[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "https://x.invalid/simple" }\n'
)


def test_missing_version_names_the_package(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + PKG + '\n[[package]]\nname = "b"\nsource = { registry = 1 }\n')
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert (
        str(err.value) == f"{path}: package[1].source.registry: expected a string, found a number"
    )


def test_registry_package_without_version(tmp_path: Path) -> None:
    # Twelve good packages p0..p11, then a registry package without a version.
    good = "\n".join(PKG.replace('"a"', f'"p{i}"') for i in range(12))
    path = write(tmp_path, HEAD + good + "\n" + PKG.replace('version = "1.0"\n', ""))
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert str(err.value) == f"{path}: package[12].version: missing"


def test_missing_source(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + PKG + '\n[[package]]\nname = "b"\nversion = "2"\n')
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert str(err.value) == f"{path}: package[1].source: missing"


def test_unknown_major_version_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "version = 2\n" + PKG)
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert (
        str(err.value)
        == f"{path}: version: unsupported uv.lock format version 2 (this pyward reads 1)"
    )


def test_unknown_revision_is_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "version = 1\nrevision = 9\n\n" + PKG)
    inv = _uvlock.read(path)
    assert inv.notes == (
        f"{path}: uv.lock revision 9 is newer than this pyward knows (5); read as revision 5",
    )
    assert [c.key for c in inv.components] == ["a==1.0"]


def test_dependency_that_matches_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + PKG + 'dependencies = [{ name = "zzz" }]\n')
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert (
        str(err.value)
        == f"{path}: package[0].dependencies[0].name: no locked package matches 'zzz'"
    )


def test_ambiguous_dependency(tmp_path: Path) -> None:
    two = PKG + "\n" + PKG.replace('"1.0"', '"2.0"')
    path = write(
        tmp_path,
        HEAD + two + '\n[[package]]\nname = "c"\nversion = "1"\n'
        'source = { registry = "https://x.invalid/simple" }\ndependencies = [{ name = "a" }]\n',
    )
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert str(err.value) == (
        f"{path}: package[2].dependencies[0].name: ambiguous: several locked packages match 'a'"
    )


def test_bad_hash(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + PKG + 'wheels = [{ url = "u", hash = "sha256:xyz" }]\n')
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert (
        str(err.value)
        == f"{path}: package[0].wheels[0].hash: not an ALGORITHM:HEX hash: 'sha256:xyz'"
    )


def test_truncated_real_lock_mid_table(tmp_path: Path) -> None:
    # Cut guidellm's lock inside aiofiles' sdist hash (line 26, 168 characters long).
    text = (UV / "guidellm" / "uv.lock").read_text()
    cut = text.index('hash = "sha256:a8d728f0') + len('hash = "sha256:a8d728f0')
    path = write(tmp_path, text[:cut])
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert str(err.value) == (
        f"{path}: line 26: invalid TOML: unclosed inline table, expected `}}` (column 169)"
    )


def test_truncated_real_lock_at_package_boundary(tmp_path: Path) -> None:
    # Cut right after the third package's name: valid TOML, but no version or source.
    text = (UV / "guidellm" / "uv.lock").read_text()
    cut = text.index('name = "aiohttp"\n') + len('name = "aiohttp"\n')
    path = write(tmp_path, text[:cut])
    with pytest.raises(InputError) as err:
        _uvlock.read(path)
    assert str(err.value) == f"{path}: package[2].source: missing"


def test_empty_lock(tmp_path: Path) -> None:
    inv = _uvlock.read(write(tmp_path, "version = 1\nrevision = 3\n"))
    assert inv.components == ()
    assert inv.project is None


def test_path_dependency_without_version_is_not_audited(tmp_path: Path) -> None:
    root = '[[package]]\nname = "proj"\nversion = "0.1"\nsource = { editable = "." }\n'
    root += 'dependencies = [{ name = "local" }, { name = "a" }]\n\n'
    local = '[[package]]\nname = "local"\nsource = { directory = "../local" }\n\n'
    path = write(tmp_path, HEAD + root + local + PKG)
    inv = _uvlock.read(path)
    assert [c.key for c in inv.components] == ["a==1.0"]
    [na] = inv.not_audited
    assert na.requirement == "local @ ../local"
    assert (
        na.reason == "directory dependency without a version; nothing to match advisories against"
    )
    assert na.location is not None
    assert na.location.line == 11
    assert inv.roots == ("a==1.0",)
    assert inv.project is not None
    assert inv.project.key == "proj==0.1"


def test_virtual_root_and_versioned_member(tmp_path: Path) -> None:
    # A virtual workspace root (never installed) with two members: "lib" carries a
    # version (a component), "tools" is virtual (not installed, not audited). "lib"'s
    # extra "fast" is requested by the root's "dev" group as lib[fast].
    text = (
        'version = 1\nrevision = 3\n\n[manifest]\nmembers = ["lib", "root", "tools"]\n\n'
        '[[package]]\nname = "root"\nversion = "0"\nsource = { virtual = "." }\n\n'
        "[package.dev-dependencies]\n"
        'dev = [{ name = "lib", extra = ["fast"] }, { name = "tools" }]\n\n'
        '[[package]]\nname = "lib"\nversion = "2.0"\nsource = { editable = "lib" }\n'
        'dependencies = [{ name = "a" }]\n\n'
        "[package.optional-dependencies]\n"
        'fast = [{ name = "b", marker = "sys_platform == \'linux\'" }]\n\n'
        '[[package]]\nname = "tools"\nsource = { virtual = "tools" }\n'
        'dependencies = [{ name = "a" }]\n\n' + PKG + "\n" + PKG.replace('"a"', '"b"')
    )
    inv = _uvlock.read(write(tmp_path, text))
    assert inv.project is not None
    assert (inv.project.name, inv.project.source) == ("root", "virtual")
    assert sorted(c.key for c in inv.components) == ["a==1.0", "b==1.0", "lib==2.0"]
    lib = get(inv, "lib==2.0")
    assert lib.source == "editable"
    assert lib.source_url == "lib"
    assert lib.direct
    assert lib.purl == "pkg:pypi/lib@2.0"
    b = get(inv, "b==1.0")
    assert b.groups == {"dev", "extra:fast"}
    assert b.markers == "sys_platform == 'linux'"
    assert b.direct  # a member's dependency is the project's
    assert get(inv, "a==1.0").groups == {"dev", "main"}
    [tools] = inv.not_audited
    assert tools.reason == "virtual workspace member (not installed; its dependencies are)"
    assert inv.edges[ComponentKey("lib==2.0")] == ("a==1.0", "b==1.0")


def env(python: str, system: str, machine: str) -> dict[str, str]:
    return {
        "python_version": ".".join(python.split(".")[:2]),
        "python_full_version": python,
        "sys_platform": system,
        "platform_machine": machine,
        "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[system],
        "os_name": "nt" if system == "win32" else "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }


@pytest.mark.parametrize(
    ("environment", "installed", "absent"),
    [
        (
            env("3.12.4", "linux", "x86_64"),
            {"numpy==2.3.5", "torch==2.13.0+cpu", "matplotlib==3.11.0", "contourpy==1.3.3"},
            {"numpy==2.2.6", "torch==2.13.0", "matplotlib==3.10.9", "async-timeout==5.0.1"},
        ),
        (
            env("3.10.14", "darwin", "arm64"),
            {"numpy==2.2.6", "torch==2.13.0", "contourpy==1.3.2", "async-timeout==5.0.1"},
            {"numpy==2.3.5", "torch==2.13.0+cpu", "contourpy==1.3.3", "torchcodec==0.13.0+cpu"},
        ),
    ],
)
def test_guidellm_markers_select_one_build_per_environment(
    environment: dict[str, str], installed: set[str], absent: set[str]
) -> None:
    # Markers are derived along the whole path: numpy 2.2.6 is reached unconditionally
    # from contourpy 1.3.2, which is only reached on Python < 3.11.
    from packaging.markers import Marker

    inv = read("guidellm")

    def is_installed(c: Component) -> bool:
        return c.markers is None or Marker(c.markers).evaluate(environment)

    chosen = {c.key for c in inv.components if is_installed(c)}
    assert installed <= chosen
    assert not absent & chosen
    # On any one environment, each name resolves to a single version.
    names = [k.split("==")[0] for k in chosen]
    assert len(names) == len(set(names))


ENVIRONMENTS = [
    env(python, system, machine)
    for python in ("3.10.14", "3.11.9", "3.12.4", "3.13.1", "3.14.0")
    for system, machine in (("linux", "x86_64"), ("darwin", "arm64"), ("win32", "AMD64"))
]


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_one_version_per_name_in_every_environment(name: str) -> None:
    from packaging.markers import Marker

    inv = read(name)
    for environment in ENVIRONMENTS:
        chosen = [
            c.name
            for c in inv.components
            if c.markers is None or Marker(c.markers).evaluate(environment)
        ]
        assert len(chosen) == len(set(chosen)), environment["python_full_version"]


def test_one_version_from_two_sources_is_one_component(tmp_path: Path) -> None:
    # uv can lock one version from git on Linux and from the registry elsewhere; the
    # model's keys are unique, so it is one component with a note naming both sources.
    root = '[[package]]\nname = "proj"\nversion = "0.1"\nsource = { editable = "." }\n'
    root += "dependencies = [\n"
    root += '  { name = "a", version = "1.0", source = { git = "https://git.invalid/a#c0ffee" },'
    root += " marker = \"sys_platform == 'linux'\" },\n"
    root += '  { name = "a", version = "1.0", source = { registry = "https://x.invalid/simple" },'
    root += " marker = \"sys_platform != 'linux'\" },\n]\n\n"
    git = '[[package]]\nname = "a"\nversion = "1.0"\n'
    git += 'source = { git = "https://git.invalid/a#c0ffee" }\n\n'
    path = write(
        tmp_path, HEAD + root + git + PKG + 'wheels = [{ url = "u", hash = "sha256:ab" }]\n'
    )
    inv = _uvlock.read(path)
    [a] = inv.components
    assert a.key == "a==1.0"
    assert a.source == "git"
    assert a.source_url == "https://git.invalid/a#c0ffee"
    assert a.hashes[0].value == "ab"
    assert a.markers == "(sys_platform == 'linux') or (sys_platform != 'linux')"
    assert a.direct
    assert inv.roots == ("a==1.0",)
    assert inv.notes == (
        f"{path}: a 1.0 is locked 2 times "
        "(https://git.invalid/a#c0ffee, https://x.invalid/simple); audited once",
    )


def uv_export(tmp_path: Path, name: str) -> dict[tuple[str, str | None], str | None]:
    """What uv itself installs from a corpus lock: `uv export --frozen --offline` of every
    package, extra and group, in a stand-in project (the lock plus a minimal
    pyproject.toml per workspace member). Returns (name, version) -> marker; VCS
    requirements have no version in uv's output."""
    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        pytest.skip("uv is not installed in this environment")
    lock = UV / name / "uv.lock"
    project = tmp_path / name
    project.mkdir()
    shutil.copy(lock, project / "uv.lock")
    data = stdlib_loads(lock.read_text())
    for p in data["package"]:
        where = p["source"].get("editable") or p["source"].get("virtual")
        if where is None:
            continue
        (project / where).mkdir(parents=True, exist_ok=True)
        text = f'[project]\nname = "{p["name"]}"\nversion = "0"\n'
        if where == "." and "manifest" in data:
            text += '[tool.uv.workspace]\nmembers = ["*"]\n'
        (project / where / "pyproject.toml").write_text(text)
    flags = "--frozen --offline --all-extras --all-groups --all-packages --no-hashes"
    flags += " --no-header --no-annotate --no-emit-workspace --format requirements-txt"
    out = subprocess.run(
        [str(uv), "export", *flags.split()],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "UV_NO_CONFIG": "1", "UV_CACHE_DIR": str(tmp_path / "uv-cache")},
    ).stdout
    result: dict[tuple[str, str | None], str | None] = {}
    for line in out.splitlines():
        requirement, _, marker = line.strip().partition(" ; ")
        if "==" in requirement:
            pkg, version = requirement.split("==")
            result[pkg, version] = marker or None
        else:
            result[requirement.split(" @ ")[0], None] = marker or None
    return result


# Environments where our marker is true and uv's is false (never the other way round).
# pydantic: optional dependencies count whenever their package is installed (which extra
# was requested, and under what marker, is not traced), e.g. linkify-it-py through
# markdown-it-py[linkify].
WIDER = {"guidellm": 0, "litestar-2024": 0, "pydantic": 15, "fastapi": 0, "flask": 0}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COUNTS))
def test_matches_uv_export(tmp_path: Path, name: str) -> None:
    from packaging.markers import Marker

    exported = uv_export(tmp_path, name)
    inv = read(name)
    ours = {(c.name, None if c.source == "git" else c.version): c.markers for c in inv.components}
    assert set(ours) == set(exported)
    platforms = (("linux", "x86_64"), ("darwin", "arm64"), ("win32", "AMD64"), ("linux", "aarch64"))
    wider = 0
    for python in ("3.10.14", "3.11.9", "3.12.4", "3.13.1", "3.14.0"):
        for system, machine in platforms:
            environment = env(python, system, machine)
            for key, theirs in exported.items():
                uv_says = theirs is None or Marker(theirs).evaluate(environment)
                we_say = (mine := ours[key]) is None or Marker(mine).evaluate(environment)
                assert we_say or not uv_says, (key, environment)
                wider += we_say and not uv_says
    assert wider == WIDER[name]
