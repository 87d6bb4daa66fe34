"""Discovery: which directories and files of a tree are projects, and their ids."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pyward._fleet._discover import discover
from pyward.errors import UsageError
from tests.conftest import CORPUS
from tests.fleet._tree import SAMPLES, refuse_listing

UV = CORPUS / "uv" / "flask" / "uv.lock"
REQS = CORPUS / "requirements" / "httpx" / "requirements.txt"
SBOM = CORPUS / "sbom-cyclonedx" / "sbom4python" / "sbom4python.cdx.json"


def put(path: Path, source: Path | None = None, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, path)
    else:
        path.write_text(text)
    return path


def ids(paths: list[str], **kw: str) -> list[str]:
    projects, failed = discover(paths, **kw)
    assert failed == []
    return [p.id for p in projects]


def test_projects_nested_sboms_and_environments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repos = tmp_path / "repos"
    put(repos / "api" / "uv.lock", UV)
    put(repos / "api" / "pyproject.toml", text="[project]\nname = 'api'\n")
    put(repos / "mono" / "uv.lock", UV)
    put(repos / "mono" / "packages" / "lib" / "poetry.lock", SAMPLES[1])
    put(repos / "web" / "requirements.txt", REQS)
    put(repos / "sboms" / "bom.cdx.json", SBOM)
    put(repos / "tools" / "venv" / "pyvenv.cfg", text="home = /usr/bin\n")
    # The project's own environment: its lock says what the project is.
    put(repos / "api" / "env" / "pyvenv.cfg", text="home = /usr/bin\n")
    put(repos / "api" / "env" / "lib" / "uv.lock", UV)
    # Never walked: hidden, tool and package directories.
    for skipped in (".git", "node_modules", "__pycache__", ".tox", "lib/site-packages"):
        put(repos / "skipped" / skipped / "uv.lock", UV)
    # Text files but no requirements*.txt: not a project.
    put(repos / "docs" / "notes.txt", text="hello\n")
    monkeypatch.chdir(tmp_path)
    projects, failed = discover(["repos"])
    assert failed == []
    assert [(p.id, p.environment) for p in projects] == [
        ("repos/api", False),
        ("repos/mono", False),
        ("repos/mono/packages/lib", False),
        ("repos/sboms/bom.cdx.json", False),
        ("repos/tools/venv", True),
        ("repos/web", False),
    ]
    api = projects[0]
    assert api.target == str(tmp_path / "repos" / "api")
    assert api.inputs == tuple(
        sorted(str(tmp_path / "repos" / "api" / n) for n in ("pyproject.toml", "uv.lock"))
    )
    sbom = projects[3]
    assert sbom.target == str(tmp_path / "repos" / "sboms" / "bom.cdx.json")
    assert projects[4].inputs == ()


def test_ids_relative_to_the_root_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(tmp_path / "a" / "uv.lock", UV)
    put(tmp_path / "b" / "c" / "uv.lock", UV)
    monkeypatch.chdir(tmp_path)
    assert ids(["."]) == ["a", "b/c"]
    assert ids(["./a", "b/"]) == ["a", "b/c"]
    assert ids([str(tmp_path)]) == [f"{tmp_path.as_posix()}/a", f"{tmp_path.as_posix()}/b/c"]
    # A file given directly is a project of its own.
    assert ids(["a/uv.lock"]) == ["a/uv.lock"]


def test_one_project_however_many_roots_reach_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(tmp_path / "a" / "uv.lock", UV)
    monkeypatch.chdir(tmp_path)
    assert ids([".", "a", "./a", str(tmp_path / "a")]) == ["a"]


def test_requirements_includes_are_inputs(tmp_path: Path) -> None:
    put(tmp_path / "p" / "requirements.txt", text="-r base.txt\n-c ../constraints.txt\nidna==3.7\n")
    put(tmp_path / "p" / "base.txt", text="--requirement=more/extra.txt\nanyio==4.0\n")
    put(tmp_path / "p" / "more" / "extra.txt", text="-r missing.txt\nsniffio==1.3.0\n")
    put(tmp_path / "constraints.txt", text="idna<4\n")
    (project,) = discover([str(tmp_path / "p")])[0]
    assert project.inputs == tuple(
        sorted(
            str(tmp_path / p)
            for p in ("p/requirements.txt", "p/base.txt", "p/more/extra.txt", "constraints.txt")
        )
    )


def test_config_file_is_an_input(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    put(tmp_path / "pyward.toml", text="fail-on = 'high'\n")
    put(tmp_path / "svc" / "uv.lock", UV)
    (project,) = discover([str(tmp_path / "svc")])[0]
    assert str(tmp_path / "pyward.toml") in project.inputs


def test_vex_files_the_config_names_are_inputs(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    put(tmp_path / "pyward.toml", text="vex = ['security/vex.json', 'gone.json']\n")
    put(tmp_path / "security" / "vex.json", text="{}")
    put(tmp_path / "svc" / "uv.lock", UV)
    (project,) = discover([str(tmp_path / "svc")])[0]
    assert project.inputs == tuple(
        sorted(str(tmp_path / p) for p in ("pyward.toml", "security/vex.json", "svc/uv.lock"))
    )


def test_an_environment_has_its_config_as_input(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    put(tmp_path / "pyward.toml", text="fail-on = 'high'\n")
    put(tmp_path / "venv" / "pyvenv.cfg", text="home = /usr/bin\n")
    (project,) = discover([str(tmp_path / "venv")])[0]
    assert project.environment
    assert project.inputs == (str(tmp_path / "pyward.toml"),)


def test_settings_beside_the_input_are_inputs(tmp_path: Path) -> None:
    # .python-version decides the Python (end of life), uv.toml the index.
    put(tmp_path / "svc" / "uv.lock", UV)
    put(tmp_path / "svc" / ".python-version", text="3.8\n")
    put(tmp_path / "svc" / "uv.toml", text="index-url = 'https://index.invalid/simple/'\n")
    put(tmp_path / "reqs" / "requirements.txt", REQS)
    put(tmp_path / "reqs" / ".python-version", text="3.9\n")
    projects = discover([str(tmp_path / "svc"), str(tmp_path / "reqs" / "requirements.txt")])[0]
    assert {p.id: p.inputs for p in projects} == {
        str(tmp_path / "svc"): tuple(
            str(tmp_path / "svc" / n) for n in (".python-version", "uv.lock", "uv.toml")
        ),
        str(tmp_path / "reqs" / "requirements.txt"): tuple(
            str(tmp_path / "reqs" / n) for n in (".python-version", "requirements.txt")
        ),
    }


def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    put(tmp_path / "a" / "uv.lock", UV)
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "a", tmp_path / "alias")
    assert ids([str(tmp_path)]) == [f"{tmp_path.as_posix()}/a"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_unreadable_directory_and_missing_path_are_failed_results(tmp_path: Path) -> None:
    put(tmp_path / "ok" / "uv.lock", UV)
    locked = tmp_path / "locked"
    put(locked / "uv.lock", UV)
    locked.chmod(0)
    try:
        projects, failed = discover([str(tmp_path), str(tmp_path / "nope")])
    finally:
        locked.chmod(0o755)
    assert [p.id for p in projects] == [f"{tmp_path}/ok"]
    assert [(r.project, r.state, r.error) for r in failed] == [
        (f"{tmp_path}/locked", "failed", f"{tmp_path}/locked: cannot list: Permission denied"),
        (f"{tmp_path}/nope", "failed", f"{tmp_path}/nope: no such file or directory"),
    ]


def test_a_path_under_a_file_is_a_failed_result(tmp_path: Path) -> None:
    # ENOTDIR: to a stat the path is not there, like any missing one.
    put(tmp_path / "ok" / "uv.lock", UV)
    projects, failed = discover([str(tmp_path / "ok"), str(tmp_path / "ok" / "uv.lock" / "x")])
    assert [p.id for p in projects] == [f"{tmp_path}/ok"]
    assert [r.error for r in failed] == [f"{tmp_path}/ok/uv.lock/x: no such file or directory"]


def test_from_file(tmp_path: Path) -> None:
    put(tmp_path / "repos" / "a" / "uv.lock", UV)
    put(tmp_path / "repos" / "b" / "uv.lock", UV)
    listing = put(
        tmp_path / "lists" / "fleet.txt",
        text="# the fleet\n\n../repos/a\n  ../repos/b  \n../repos/gone\n",
    )
    projects, failed = discover([], from_file=str(listing))
    assert [(p.id, p.target) for p in projects] == [
        ("../repos/a", str(tmp_path / "repos" / "a")),
        ("../repos/b", str(tmp_path / "repos" / "b")),
    ]
    assert [(r.project, r.error) for r in failed] == [
        ("../repos/gone", f"{listing}:5: ../repos/gone: no such file or directory")
    ]


def test_from_file_lines_that_are_not_paths(tmp_path: Path) -> None:
    listing = tmp_path / "fleet.txt"
    listing.write_bytes(b"bad\x00path\n" + b"x" * 100_000 + b"\n\xff\xfe\n")
    projects, failed = discover([], from_file=str(listing))
    assert projects == []
    assert [(r.project, r.error) for r in failed] == [
        (f"{listing}:1", f"{listing}:1: not a path (it holds a NUL byte)"),
        (f"{listing}:2", f"{listing}:2: not a path (a line of 100000 characters)"),
        ("\udcff\udcfe", f"{listing}:3: \\xff\\xfe: no such file or directory"),
    ]


def test_unreadable_from_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^.*nope\.txt: cannot read: No such file"):
        discover([], from_file=str(tmp_path / "nope.txt"))


def test_output_is_sorted_and_deterministic(tmp_path: Path) -> None:
    for name in ("zeta", "alpha", "Mid", "b-2", "b_1"):
        put(tmp_path / name / "uv.lock", UV)
    first = discover([str(tmp_path)])
    assert [p.id for p in first[0]] == sorted(p.id for p in first[0])
    assert discover([str(tmp_path)]) == first


def test_directory_that_cannot_be_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(tmp_path / "ok" / "uv.lock", UV)
    put(tmp_path / "locked" / "uv.lock", UV)
    refuse_listing(monkeypatch, "locked")
    monkeypatch.chdir(tmp_path)
    projects, failed = discover(["."])
    assert [p.id for p in projects] == ["ok"]
    assert [(r.project, r.error) for r in failed] == [
        ("locked", "locked: cannot list: Permission denied")
    ]
