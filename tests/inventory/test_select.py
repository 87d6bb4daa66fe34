"""Selection: groups, extras, marker evaluation for a target Python/platform, graph pruning."""

from __future__ import annotations

import pytest

from pyward._inventory import _requirements, _uvlock
from pyward._inventory._select import Selection, environments, select
from pyward._model import Component, ComponentKey, Inventory
from pyward.errors import UsageError
from tests.conftest import CORPUS

JAX = CORPUS / "requirements-hashes" / "jax-2025" / "requirements_lock_3_12.txt"
WEBUI = CORPUS / "requirements" / "text-generation-webui-2023" / "requirements.txt"


def keys(inv: Inventory) -> set[str]:
    return {c.key for c in inv.components}


def test_default_selection_is_identity() -> None:
    inv = _requirements.read(JAX)
    assert select(inv, Selection()) is inv


@pytest.mark.parametrize(
    ("platform", "machine", "sys_platform", "system", "os_name"),
    [
        ("linux", "x86_64", "linux", "Linux", "posix"),
        ("macos", "arm64", "darwin", "Darwin", "posix"),
        ("windows", "AMD64", "win32", "Windows", "nt"),
        ("x86_64-unknown-linux-gnu", "x86_64", "linux", "Linux", "posix"),
        ("aarch64-unknown-linux-musl", "aarch64", "linux", "Linux", "posix"),
        ("x86_64-manylinux_2_28", "x86_64", "linux", "Linux", "posix"),
        ("aarch64-apple-darwin", "arm64", "darwin", "Darwin", "posix"),
        ("x86_64-apple-darwin", "x86_64", "darwin", "Darwin", "posix"),
        ("x86_64-pc-windows-msvc", "AMD64", "win32", "Windows", "nt"),
        ("aarch64-pc-windows-msvc", "ARM64", "win32", "Windows", "nt"),
        ("i686-pc-windows-msvc", "x86", "win32", "Windows", "nt"),
    ],
)
def test_platform_environment(
    platform: str, machine: str, sys_platform: str, system: str, os_name: str
) -> None:
    envs = environments(Selection(platform=platform, python_version="3.12.4"))
    assert envs == [
        {
            "python_version": "3.12",
            "python_full_version": "3.12.4",
            "implementation_name": "cpython",
            "implementation_version": "3.12.4",
            "platform_python_implementation": "CPython",
            "sys_platform": sys_platform,
            "platform_system": system,
            "os_name": os_name,
            "platform_machine": machine,
            "platform_release": "",
            "platform_version": "",
        }
    ]


def test_open_values_are_tried_over_their_range() -> None:
    only_python = environments(Selection(python_version="3.11"))
    assert {e["sys_platform"] for e in only_python} == {"linux", "darwin", "win32"}
    assert {e["python_full_version"] for e in only_python} == {"3.11.0", "3.11.99"}
    only_platform = environments(Selection(platform="linux"))
    assert {e["python_version"] for e in only_platform} == {
        "2.7",
        *(f"3.{m}" for m in range(6, 16)),
    }


def test_bad_platform_and_version() -> None:
    with pytest.raises(UsageError) as err:
        environments(Selection(platform="amiga"))
    assert str(err.value) == (
        "unknown platform 'amiga': use linux, macos, windows or a target triple such as "
        "x86_64-unknown-linux-gnu, aarch64-apple-darwin, x86_64-pc-windows-msvc"
    )
    with pytest.raises(UsageError) as err:
        environments(Selection(python_version="three"))
    assert str(err.value) == "invalid Python version 'three' (expected e.g. 3.12 or 3.12.4)"


def test_jax_markers_for_macos_and_python() -> None:
    inv = _requirements.read(JAX)
    mac = select(inv, Selection(platform="macos", python_version="3.12"))
    linux_only = {c.key for c in inv.components if c.markers and "sys_platform" in c.markers}
    assert len(linux_only) == 29
    assert keys(mac) == keys(inv) - linux_only
    assert "numpy==2.0.2" in keys(mac)
    # pip installs every line whose marker holds, whatever ``# via`` says: nothing else goes.
    py314 = select(inv, Selection(python_version="3.14"))
    assert keys(inv) - keys(py314) == {
        "jax-cuda12-plugin==0.7.2",
        "matplotlib==3.10.6",
        "numpy==2.0.2",
        "portpicker==1.6.0",
        "scipy==1.16.2",
        "tensorflow==2.20.0",
        "tensorstore==0.1.78",
        "zstandard==0.25.0",
    }
    assert py314.notes == (
        "selection: 8 of 105 components left out (8 with markers false for Python 3.14)",
    )
    assert all(k in keys(py314) for k in py314.roots)


def test_webui_windows_keeps_only_windows_urls() -> None:
    inv = _requirements.read(WEBUI)
    linux = select(inv, Selection(platform="linux", python_version="3.10"))
    assert "exllamav2==0.0.4" not in keys(linux)  # platform_machine != "x86_64"
    assert len(linux.components) == 9
    lines = sorted(
        n.location.line
        for n in linux.not_audited
        if n.location and n.location.line is not None and n.reason == "direct URL"
    )
    assert lines == [35, 40, 42, 44, 45, 47, 49, 50]
    windows = select(inv, Selection(platform="windows"))
    assert "bitsandbytes==0.41.1" not in keys(windows)
    assert "exllamav2==0.0.4" in keys(windows)
    lines = sorted(
        n.location.line
        for n in windows.not_audited
        if n.location and n.location.line is not None and n.reason == "direct URL"
    )
    assert lines == [32, 36, 39, 41, 43, 46, 48, 50]
    aarch64 = select(inv, Selection(platform="aarch64-unknown-linux-gnu"))
    assert "exllamav2==0.0.4" in keys(aarch64)


def component(
    name: str, *, groups: frozenset[str] | set[str] = frozenset(), markers: str | None = None
) -> Component:
    return Component(name=name, version="1.0", groups=frozenset(groups), markers=markers)


def k(name: str) -> ComponentKey:
    return ComponentKey(f"{name}==1.0")


def synthetic(fmt: str) -> Inventory:
    comps = (
        component("app-dep", groups={"main"}),
        component("shared", groups={"main", "dev"}),
        component("pytest", groups={"dev"}),
        component("pluggy", groups={"dev"}),
        component("sphinx", groups={"docs"}),
        component("pysocks", groups={"extra:socks"}, markers='extra == "socks"'),
        component("brotli", groups={"extra:brotli"}),
        component("colorama", groups={"main"}, markers='sys_platform == "win32"'),
        component("winonly-dep", groups={"main"}),
        component("ungrouped"),
        component("locked-extra", groups={"main"}, markers='"socks" in extras'),
        component("locked-group", groups={"main"}, markers='"docs" in dependency_groups'),
    )
    edges = {
        k("app-dep"): (k("shared"),),
        k("pytest"): (k("pluggy"), k("shared")),
        k("colorama"): (k("winonly-dep"),),
    }
    roots = (
        k("app-dep"),
        k("pytest"),
        k("sphinx"),
        k("pysocks"),
        k("brotli"),
        k("colorama"),
        k("locked-extra"),
        k("locked-group"),
    )
    return Inventory(source="x", format=fmt, components=comps, edges=edges, roots=roots)


def names(inv: Inventory) -> list[str]:
    return [c.name for c in inv.components]


def test_no_dev() -> None:
    inv = select(synthetic("uv.lock"), Selection(no_dev=True))
    assert names(inv) == [
        "app-dep",
        "shared",
        "pysocks",
        "brotli",
        "colorama",
        "winonly-dep",
        "ungrouped",
        "locked-extra",
        "locked-group",
    ]
    assert inv.roots == (
        k("app-dep"),
        k("pysocks"),
        k("brotli"),
        k("colorama"),
        k("locked-extra"),
        k("locked-group"),
    )
    assert k("pytest") not in inv.edges
    assert inv.notes == ("selection: 3 of 12 components left out (3 not in the selected groups)",)


def test_only_groups_and_extras() -> None:
    inv = select(synthetic("uv.lock"), Selection(only_groups=("docs",)))
    assert names(inv) == ["sphinx", "ungrouped"]
    inv = select(synthetic("uv.lock"), Selection(extras=("socks",)))
    assert "brotli" not in names(inv)
    assert "pysocks" in names(inv)


def test_markers_evaluate_extras_and_groups() -> None:
    base = synthetic("uv.lock")
    linux_no_extras = select(base, Selection(platform="linux", extras=()))
    assert names(linux_no_extras) == [
        "app-dep",
        "shared",
        "pytest",
        "pluggy",
        "sphinx",
        "ungrouped",
        "locked-group",
    ]
    # pysocks/brotli are not among the (no) selected extras; colorama is false on linux,
    # and winonly-dep came in only through it (uv walks the graph); "socks" is not in
    # extras; "docs" is a selected group (no --only-group: every group).
    assert linux_no_extras.notes == (
        "selection: 5 of 12 components left out (2 not in the selected groups; "
        "2 with markers false for linux; 1 needed only by those)",
    )
    socks = select(
        base, Selection(platform="linux", extras=("socks",), only_groups=("main", "dev"))
    )
    assert "pysocks" in names(socks)
    assert "locked-extra" in names(socks)
    assert "locked-group" not in names(socks)
    windows = select(base, Selection(platform="windows"))
    assert {"colorama", "winonly-dep", "pysocks", "locked-extra"} <= set(names(windows))


def test_flat_formats_do_not_prune_by_graph() -> None:
    inv = select(synthetic("requirements"), Selection(platform="linux"))
    assert "winonly-dep" in names(inv)
    assert "colorama" not in names(inv)


def test_uv_lock_no_dev_on_real_lock() -> None:
    inv = _uvlock.read(CORPUS / "uv" / "flask" / "uv.lock")
    main = ["blinker==1.9.0", "click==8.3.2", "colorama==0.4.6", "itsdangerous==2.2.0"]
    main += ["jinja2==3.1.6", "markupsafe==3.0.3", "werkzeug==3.1.8"]
    selected = select(inv, Selection(no_dev=True))
    extras = ["asgiref==3.11.1", "python-dotenv==1.2.2", "typing-extensions==4.15.0"]
    assert sorted(keys(selected)) == sorted(main + extras)
    assert selected.notes == (
        "selection: 72 of 82 components left out (72 not in the selected groups)",
    )
    assert sorted(keys(select(inv, Selection(no_dev=True, extras=())))) == main


def test_select_keeps_why_consistent() -> None:
    inv = select(synthetic("uv.lock"), Selection(no_dev=True))
    for c in inv.components:
        path = inv.why(c.key)
        assert all(p in keys(inv) for p in path)
