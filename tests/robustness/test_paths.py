"""Inputs that are not readable files: missing, a directory, a dangling symlink, a file
whose read fails, and paths with spaces and non-ASCII characters, for every command
that reads a file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.robustness._support import run, write

#: A file whose every read fails with EIO (Linux's /proc/<pid>/mem at offset 0): an
#: unreadable file even for root, where chmod 000 is not.
UNREADABLE = Path("/proc/self/mem")
needs_proc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not UNREADABLE.exists(), reason="needs Linux /proc"
)

NAMES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "pylock.toml",
    "requirements.txt",
    "pyproject.toml",
    "bom.json",
    "bom.xml",
    "sbom.spdx.json",
    "sbom.spdx",
)


@pytest.mark.parametrize("name", NAMES)
def test_missing_file(
    name: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    outcome = run(capsys, "audit", path, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (2, [f"{path}: no such file or directory"])
    outcome = run(capsys, "sbom", path)
    assert (outcome.code, outcome.errors) == (2, [f"{path}: no such file or directory"])


@pytest.mark.parametrize("name", NAMES)
def test_dangling_symlink(
    name: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.symlink_to(tmp_path / "gone")
    outcome = run(capsys, "audit", path, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (2, [f"{path}: no such file or directory"])


@needs_proc
@pytest.mark.parametrize("name", NAMES)
def test_unreadable_file(
    name: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.symlink_to(UNREADABLE)
    outcome = run(capsys, "audit", path, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (2, [f"{path}: cannot read: Input/output error"])


@needs_proc
def test_unreadable_requirement_and_vex_and_config(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "requirements.txt", b"flask==2.0.0\n")
    (tmp_path / "inc.txt").symlink_to(UNREADABLE)
    write(tmp_path / "top.txt", b"-r inc.txt\n")
    outcome = run(capsys, "audit", "-r", tmp_path / "top.txt", "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [
            f"{tmp_path / 'top.txt'}: line 1: cannot read included file {tmp_path / 'inc.txt'}: "
            "Input/output error"
        ],
    )
    (tmp_path / "vex.json").symlink_to(UNREADABLE)
    outcome = run(capsys, "audit", good, "--vex", tmp_path / "vex.json", "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [f"{tmp_path / 'vex.json'}: cannot read: Input/output error"],
    )
    (tmp_path / "pyward.toml").symlink_to(UNREADABLE)
    outcome = run(capsys, "audit", good, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [f"{tmp_path / 'pyward.toml'}: cannot read: Input/output error"],
    )


@pytest.mark.parametrize("name", ["uv.lock", "Pipfile.lock", "bom.json"])
def test_directory_where_a_file_is_expected(
    name: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.mkdir()
    outcome = run(capsys, "audit", path, "--cache-dir", store)
    assert outcome.code == 2
    assert outcome.errors == [
        f"{path}: no lock file, requirements*.txt or pyproject.toml found "
        "(name a file, or a virtual environment directory)"
    ]
    outcome = run(capsys, "audit", "-r", path, "--cache-dir", store)
    assert outcome.errors == [f"{path}: is a directory; --format requirements needs a file"]
    good = write(tmp_path / "r.txt", b"flask==2.0.0\n")
    outcome = run(capsys, "audit", good, "--vex", path, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (2, [f"{path}: cannot read: Is a directory"])


def test_spaces_and_unicode_in_paths(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "my project" / "ünïcødé ✓ 名前"
    lock = write(folder / "uv.lock", (CORPUS / "uv/flask/uv.lock").read_bytes())
    outcome = run(
        capsys,
        "audit",
        folder,
        "-f",
        "json",
        "-q",
        "--cache-dir",
        store,
        "--checks",
        "vulnerabilities",
    )
    assert outcome.code == 0
    assert str(lock) in outcome.out
    bad = write(folder / "requirements.txt", b"flask==2.0.0\nnot a requirement!\n")
    outcome = run(capsys, "audit", bad, "--cache-dir", store)
    assert outcome.errors == [
        f"{bad}: line 2: invalid requirement: not a requirement!: "
        "Expected semicolon (after name with no version specifier) or end"
    ]
    outcome = run(capsys, "sbom", bad)
    assert outcome.code == 2
    assert outcome.errors[0].startswith(f"{bad}: line 2: invalid requirement")
    assert os.path.exists(lock)
