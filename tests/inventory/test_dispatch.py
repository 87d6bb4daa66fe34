"""read_inventory: environments, project directories, files by name, content and --format."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

import pyward
from pyward._inventory import Selection, read_inventory
from pyward._inventory._detect import detect_project, is_environment
from pyward.errors import InputError, UsageError
from tests.conftest import CORPUS

FLASK_UV = CORPUS / "uv" / "flask" / "uv.lock"
REQS = CORPUS / "requirements" / "ctfd-2019" / "requirements.txt"


def test_public_api() -> None:
    assert pyward.read_inventory is read_inventory


def test_running_environment() -> None:
    inv = read_inventory()
    assert inv.format == "environment"
    assert {"packaging", "pytest"} <= {c.name for c in inv.components}


def test_python_option_reads_that_interpreter() -> None:
    inv = read_inventory(python=sys.executable)
    assert inv.format == "environment"
    assert "packaging" in {c.name for c in inv.components}


def test_venv_directory() -> None:
    assert is_environment(Path(sys.prefix))
    inv = read_inventory(sys.prefix)
    assert inv.format == "environment"
    assert "pytest" in {c.name for c in inv.components}


def project(tmp_path: Path, *files: tuple[str, Path | str]) -> Path:
    for name, content in files:
        if isinstance(content, Path):
            shutil.copyfile(content, tmp_path / name)
        else:
            (tmp_path / name).write_text(content)
    return tmp_path


PYPROJECT = '[project]\nname = "demo"\nversion = "1.0"\ndependencies = ["idna==3.4", "click>=8"]\n'


def test_project_prefers_the_lock(tmp_path: Path) -> None:
    directory = project(
        tmp_path,
        ("pyproject.toml", PYPROJECT),
        ("requirements.txt", REQS),
        ("requirements-dev.txt", "pytest==8.0.0\n"),
        ("uv.lock", FLASK_UV),
    )
    inv = read_inventory(directory)
    assert inv.format == "uv.lock"
    assert inv.source == str(directory / "uv.lock")
    assert inv.notes[0] == (
        "using uv.lock (also found: requirements.txt, requirements-dev.txt, pyproject.toml)"
    )
    assert len(inv.components) == 82


@pytest.mark.parametrize(
    ("files", "chosen", "also"),
    [
        (
            (
                ("poetry.lock", CORPUS / "poetry" / "poetry" / "poetry.lock"),
                ("pdm.lock", CORPUS / "pdm" / "pdm" / "pdm.lock"),
            ),
            "poetry.lock",
            ["pdm.lock"],
        ),
        (
            (
                ("pylock.toml", CORPUS / "pylock" / "comfy-cli" / "pylock.toml"),
                ("poetry.lock", CORPUS / "poetry" / "poetry" / "poetry.lock"),
            ),
            "pylock.toml",
            ["poetry.lock"],
        ),
        (
            (
                ("Pipfile.lock", CORPUS / "pipenv" / "httpbin-2018" / "Pipfile.lock"),
                ("requirements.txt", REQS),
            ),
            "Pipfile.lock",
            ["requirements.txt"],
        ),
        (
            (
                ("requirements-prod.txt", "six==1.16.0\n"),
                ("requirements.txt", REQS),
                ("pyproject.toml", PYPROJECT),
            ),
            "requirements.txt",
            ["requirements-prod.txt", "pyproject.toml"],
        ),
        ((("pyproject.toml", PYPROJECT), ("notes.txt", "hello\n")), "pyproject.toml", []),
    ],
)
def test_detection_order(
    tmp_path: Path, files: tuple[tuple[str, Path | str], ...], chosen: str, also: list[str]
) -> None:
    found = detect_project(project(tmp_path, *files))
    assert found.path.name == chosen
    assert [p.name for p in found.also_found] == also


def test_pyproject_alone(tmp_path: Path) -> None:
    inv = read_inventory(project(tmp_path, ("pyproject.toml", PYPROJECT)))
    assert inv.format == "pyproject.toml"
    assert inv.notes == ("using pyproject.toml",)
    assert [c.key for c in inv.components] == ["idna==3.4"]
    assert [n.reason for n in inv.not_audited] == ["not pinned; lock the project first"]


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_inventory(tmp_path)
    assert str(err.value) == (
        f"{tmp_path}: no lock file, requirements*.txt or pyproject.toml found "
        "(name a file, or a virtual environment directory)"
    )


@pytest.mark.parametrize(
    ("path", "reader_id", "count"),
    [
        (FLASK_UV, "uv.lock", 82),
        (CORPUS / "pylock" / "snowflake-cli" / "pylock.toml", "pylock.toml", 70),
        (CORPUS / "poetry" / "saleor-2020" / "poetry.lock", "poetry.lock", 207),
        (CORPUS / "pdm" / "pydantic-2023" / "pdm.lock", "pdm.lock", 82),
        (CORPUS / "pipenv" / "httpbin-2018" / "Pipfile.lock", "Pipfile.lock", 19),
        (REQS, "requirements", 28),
        (CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt", "requirements", 141),
        (CORPUS / "sbom-cyclonedx" / "sbom4python" / "sbom4python.cdx.json", "cyclonedx", 15),
        (
            CORPUS
            / "sbom-cyclonedx"
            / "cyclonedx-python-private-packages"
            / "plain_private-packges_v2_lock21_1.6.json.bin",
            "cyclonedx",
            12,
        ),
        (CORPUS / "sbom-spdx" / "sbom4python" / "sbom4python.spdx.json", "spdx", 15),
    ],
)
def test_files_by_name_or_content(path: Path, reader_id: str, count: int) -> None:
    inv = read_inventory(path)
    assert inv.format == reader_id
    assert len(inv.components) == count
    assert inv.source == str(path)


def test_format_forces_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "deps.lst"
    path.write_text("six==1.16.0\n")
    inv = read_inventory(path, format="requirements")
    assert [c.key for c in inv.components] == ["six==1.16.0"]
    with pytest.raises(UsageError) as err:
        read_inventory(path, format="gemfile")
    assert str(err.value).startswith("unknown input format 'gemfile' (known: uv.lock,")
    with pytest.raises(InputError) as err2:
        read_inventory(path, format="cyclonedx")
    assert str(err2.value) == (
        f"{path}: line 1: invalid JSON: unexpected character, expected a JSON value (column 1)"
    )
    with pytest.raises(InputError) as err2:
        read_inventory(tmp_path, format="uv.lock")
    assert str(err2.value) == f"{tmp_path}: is a directory; --format uv.lock needs a file"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_inventory(tmp_path / "nope.txt")
    assert str(err.value) == f"{tmp_path / 'nope.txt'}: no such file or directory"


def test_results_are_cached_by_content(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("six==1.16.0\n")
    first = read_inventory(path)
    assert read_inventory(path) == first
    path.write_text("six==1.17.0\n")
    assert [c.key for c in read_inventory(path).components] == ["six==1.17.0"]


def test_requirements_follow_changed_includes(tmp_path: Path) -> None:
    # The cache is keyed by one file's bytes; a requirements file's result also depends
    # on what it includes, so an edit of the included file must be seen.
    top = tmp_path / "requirements.txt"
    top.write_text("-r base.txt\n")
    base = tmp_path / "base.txt"
    base.write_text("requests==2.28.1\n")
    assert [c.version for c in read_inventory(top).components] == ["2.28.1"]
    base.write_text("requests==2.31.0\n")
    assert [c.version for c in read_inventory(top).components] == ["2.31.0"]


def test_selection_is_applied(tmp_path: Path) -> None:
    inv = read_inventory(
        CORPUS / "requirements-hashes" / "jax-2025" / "requirements_lock_3_12.txt",
        selection=Selection(platform="macos", python_version="3.12"),
    )
    assert len(inv.components) == 105 - 29
    assert inv.notes == (
        "selection: 29 of 105 components left out (29 with markers false for Python 3.12 on macos)",
    )


def _fifo_with(tmp_path: Path, name: str, data: bytes) -> tuple[Path, threading.Thread]:
    fifo = tmp_path / name
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as fh:
            fh.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    return fifo, writer


def test_a_pipe_is_read_once_and_named_as_given(tmp_path: Path) -> None:
    # ``pyward audit <(cat requirements.txt)``: sniffing, the cache and the reader must
    # not each consume the pipe (it used to come out empty: 0 components, exit 0).
    data = (CORPUS / "requirements/httpx/requirements.txt").read_bytes()
    fifo, writer = _fifo_with(tmp_path, "63", data)
    inventory = read_inventory(fifo)
    writer.join(5)
    assert inventory.format == "requirements"
    assert inventory.source == str(fifo)
    assert len(inventory.components) == 15
    assert {c.location.file for c in inventory.components if c.location} == {str(fifo)}


def test_a_pipe_named_like_a_lock(tmp_path: Path) -> None:
    data = (CORPUS / "uv/flask/uv.lock").read_bytes()
    fifo, writer = _fifo_with(tmp_path, "uv.lock", data)
    inventory = read_inventory(fifo)
    writer.join(5)
    assert inventory.format == "uv.lock"
    assert len(inventory.components) == 82


def test_a_site_packages_directory_is_an_environment() -> None:
    import sysconfig

    site = Path(sysconfig.get_paths()["purelib"])
    inventory = read_inventory(site)
    assert inventory.format == "environment"
    assert "pytest" in {c.name for c in inventory.components}


@pytest.mark.parametrize("pyproject", [True, False])
def test_a_lock_beside_its_pyproject_is_not_noted(tmp_path: Path, pyproject: bool) -> None:
    # Issue 11, item 16: the expected layout warned "using uv.lock (also found:
    # pyproject.toml)" on every run.
    files = [("uv.lock", FLASK_UV)] + ([("pyproject.toml", PYPROJECT)] if pyproject else [])
    directory = project(tmp_path, *files)
    assert detect_project(directory).note is None
    inv = read_inventory(directory)
    assert inv.format == "uv.lock"
    assert inv.notes == ()
