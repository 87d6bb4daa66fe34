"""The gate's mechanics (:mod:`pyward._install`) with the real pip and uv: resolution
without installing, the install plan, and an install of exactly the planned set, from a
loopback index of wheels built in the test."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from pyward._install import (
    InstallPlan,
    install,
    plan_install,
    resolve_with_pip,
    resolve_with_uv,
    split_arguments,
    target_python,
)
from pyward._inventory import read_inventory
from pyward.errors import InstallerError, UsageError
from tests.conftest import DATA
from tests.install._wheels import Dist, build_wheel, build_wheels, sha256_of, wheel_index
from tests.install.conftest import installed


def test_split_arguments_sorts_resolution_and_install_options(tmp_path: Path) -> None:
    req = tmp_path / "req.txt"
    req.write_text("demo-app\n")
    got = split_arguments(
        [
            "--",
            "demo-app>=1",
            "-i",
            "http://127.0.0.1:9/simple/",
            "--target=/srv/t",
            "-r",
            str(req),
            "--pre",
            "-U",
            "--only-binary",
            ":all:",
            "-eGIT",
        ]
    )
    assert got.given == (
        "demo-app>=1",
        "-i",
        "http://127.0.0.1:9/simple/",
        "--target=/srv/t",
        "-r",
        str(req),
        "--pre",
        "-U",
        "--only-binary",
        ":all:",
        "-eGIT",
    )
    # Requirements, -r and --pre are the resolution's; the rest the install step takes.
    assert got.install == (
        "-i",
        "http://127.0.0.1:9/simple/",
        "--target",
        "/srv/t",
        "-U",
        "--only-binary",
        ":all:",
    )
    assert got.requirements == ("demo-app>=1", f"-r {req}", "-e GIT")
    assert got.uv == (
        "--index-url",
        "http://127.0.0.1:9/simple/",
        "--prerelease=allow",
        "--only-binary",
        ":all:",
    )
    assert got.index_url == "http://127.0.0.1:9/simple/"
    assert got.target == "/srv/t"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--frobnicate"], "pyward install: pip option '--frobnicate' is not one the gate"),
        (["x", "--dry-run"], "pyward install: --dry-run is not passed to pip: pyward install'"),
        (["x", "--report", "r.json"], "pyward install: --report is not passed to pip: pyward asks"),
        (["x", "-i"], "pyward install: -i needs a value"),
        (["x", "--index-url="], "pyward install: --index-url needs a value"),
        (["x", "--no-index=1"], "pyward install: --no-index takes no value"),
    ],
)
def test_split_arguments_refuses(args: list[str], message: str) -> None:
    with pytest.raises(UsageError) as err:
        split_arguments(args)
    assert str(err.value).startswith(message), str(err.value)


def test_target_python(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    assert target_python(None, None, "/usr/bin/python3") == "/usr/bin/python3"
    assert target_python(None, venv, "/usr/bin/python3") == str(venv / "bin" / "python")
    assert target_python(str(venv), None, "x") == str(venv / "bin" / "python")
    assert target_python(sys.executable, venv, "x") == sys.executable
    with pytest.raises(UsageError) as err:
        target_python(str(tmp_path / "nope"), None, "x")
    assert str(err.value) == f"--python {tmp_path / 'nope'}: no such interpreter"
    with pytest.raises(UsageError) as err:
        target_python(str(tmp_path), None, "x")
    assert str(err.value) == f"--python {tmp_path}: no bin/python in this directory"


def test_plan_of_a_recorded_report() -> None:
    inv = read_inventory(DATA / "pip-report" / "direct.json")
    plan = plan_install(inv)
    hashes = {c.name: c.hashes[0].value for c in inv.components if c.hashes}
    wheel = "file:///srv/pyward-record/wheels/demo_app-1.0-py3-none-any.whl"
    assert plan.pinned == (
        f"demo-app @ {wheel} --hash=sha256:{hashes['demo-app']}",
        f"Demo_Old==0.1 --hash=sha256:{hashes['demo-old']}",
        f"demo-lib==1.2 --hash=sha256:{hashes['demo-lib']}",
    )
    vcs = next(c for c in inv.components if c.name == "demo-vcs")
    assert plan.direct == (
        "demo-local @ file:///srv/pyward-record/demo-local",
        f"demo-vcs @ {vcs.source_url}",
    )
    assert vcs.source_url is not None
    assert vcs.source_url.startswith("git+file:///srv/pyward-record/demo-vcs@")
    assert plan.pinned_names == (
        "demo-app 1.0",
        "Demo_Old 0.1",
        "demo-lib 1.2",
    )
    assert not plan.empty


def test_a_release_without_a_hash_is_not_installed(tmp_path: Path) -> None:
    text = (DATA / "pip-report" / "index.json").read_text()
    path = tmp_path / "pip-report.json"
    import json

    doc = json.loads(text)
    info = doc["install"][1]["download_info"]["archive_info"]
    info.clear()
    path.write_text(json.dumps(doc))
    with pytest.raises(InstallerError) as err:
        plan_install(read_inventory(path))
    assert str(err.value) == (
        "Demo_Old 0.1: the resolution records no sha256 hash for it, so it cannot be "
        "installed pinned; nothing was installed"
    )


def test_pip_resolves_then_exactly_that_set_is_installed_in_a_venv(
    venv: Path, index: str, wheels: Path, tmp_path: Path
) -> None:
    args = split_arguments(["demo-app", "--index-url", index])
    report = resolve_with_pip(str(venv), args, tmp_path)
    # The dry run installed nothing.
    assert "demo-app" not in installed(venv)
    inv = read_inventory(report)
    assert [(c.key, c.hashes[0].value) for c in inv.components] == [
        ("demo-app==1.0", sha256_of(wheels / "demo_app-1.0-py3-none-any.whl")),
        ("demo-lib==1.2", sha256_of(wheels / "demo_lib-1.2-py3-none-any.whl")),
    ]
    plan = plan_install(inv)
    install(str(venv), plan, args, tmp_path)
    got = installed(venv)
    assert (got["demo-app"], got["demo-lib"]) == ("1.0", "1.2")
    # Resolved again, it is satisfied: nothing is left to install.
    again = tmp_path / "again"
    again.mkdir()
    assert read_inventory(resolve_with_pip(str(venv), args, again)).components == ()


def test_target_directory(index: str, tmp_path: Path) -> None:
    target = tmp_path / "target"
    args = split_arguments(["demo-tool==0.5", "-i", index, "--target", str(target)])
    inv = read_inventory(resolve_with_pip(sys.executable, args, tmp_path))
    assert [c.key for c in inv.components] == ["demo-tool==0.5"]
    assert not target.exists()
    install(sys.executable, plan_install(inv), args, tmp_path)
    assert (target / "demo_tool" / "__init__.py").read_text() == (
        '"""demo-tool."""\n\nVERSION = "0.5"\n'
    )
    assert (target / "demo_tool-0.5.dist-info" / "METADATA").is_file()


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")
def test_uv_resolves_with_hashes(index: str, wheels: Path, tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None
    target = tmp_path / "target"
    args = split_arguments(["demo-app", "-i", index, "-t", str(target)])
    compiled = resolve_with_uv(uv, sys.executable, args, tmp_path)
    inv = read_inventory(compiled, format="requirements")
    assert [(c.key, c.hashes[0].value) for c in inv.components] == [
        ("demo-app==1.0", sha256_of(wheels / "demo_app-1.0-py3-none-any.whl")),
        ("demo-lib==1.2", sha256_of(wheels / "demo_lib-1.2-py3-none-any.whl")),
    ]
    install(sys.executable, plan_install(inv), args, tmp_path)
    assert sorted(p.name for p in target.iterdir() if p.name.endswith(".dist-info")) == [
        "demo_app-1.0.dist-info",
        "demo_lib-1.2.dist-info",
    ]


def test_a_file_changed_after_the_check_is_refused_by_its_hash(tmp_path: Path) -> None:
    served = tmp_path / "served"
    build_wheels(served, [Dist(name="demo-swap", version="1.0")])
    target = tmp_path / "target"
    with wheel_index(served) as url:
        args = split_arguments(["demo-swap", "-i", url, "-t", str(target)])
        plan = plan_install(read_inventory(resolve_with_pip(sys.executable, args, tmp_path)))
        # The index now serves other bytes under the same name and version.
        build_wheel(served, Dist(name="demo-swap", version="1.0", license_expression="0BSD"))
        with pytest.raises(InstallerError) as err:
            install(sys.executable, plan, args, tmp_path)
    assert str(err.value).startswith(
        "pip could not install the checked set; nothing was installed (exit 1)"
    )
    assert not target.exists()


def test_a_resolution_that_fails_is_an_installer_error(index: str, tmp_path: Path) -> None:
    args = split_arguments(["demo-missing", "-i", index])
    with pytest.raises(InstallerError) as err:
        resolve_with_pip(sys.executable, args, tmp_path)
    assert str(err.value).startswith(
        "pip could not resolve the requirements; nothing was installed (exit 1): "
    )
    assert "demo-missing" in str(err.value)


def test_an_empty_plan() -> None:
    assert InstallPlan(pinned=(), pinned_names=(), direct=(), names=()).empty
