"""Hostile requirements files (issue 12, items 4 and 7): secrets from ``${VAR}`` and
the lines of files that are not requirements files never reach a report or an error;
include DAGs and long files are read in time linear in their size."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from pyward._files import read_capped
from pyward._inventory import _requirements, read_inventory
from pyward._model import Location, NotAudited
from pyward.errors import InputError

TOKEN = "ghp_0123456789abcdefSECRET"  # noqa: S105 - a fake token, to find in output
ENV = {"GITHUB_TOKEN": TOKEN, "HOST": "pkgs.example.invalid"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_expanded_values_are_never_shown(tmp_path: Path) -> None:
    req = _write(
        tmp_path / "requirements.txt",
        "--extra-index-url https://user:${GITHUB_TOKEN}@${HOST}/simple\n"
        "--find-links https://${HOST}/t/${GITHUB_TOKEN}/\n"
        "-i https://${HOST}/${GITHUB_TOKEN}/simple\n"
        "private @ https://x:${GITHUB_TOKEN}@${HOST}/private-1.0.tar.gz\n"
        "https://${GITHUB_TOKEN}@${HOST}/other-2.0-py3-none-any.whl\n"
        "six==1.16.0\n"
        "loose[${GITHUB_TOKEN}]>=1.0\n",
    )
    inventory = read_inventory(req, environ=ENV)
    assert TOKEN not in repr(inventory)
    assert [(n.requirement, n.reason) for n in inventory.not_audited] == [
        (
            "private @ https://x:${GITHUB_TOKEN}@${HOST}/private-1.0.tar.gz",
            "direct URL",
        ),
        ("https://${GITHUB_TOKEN}@${HOST}/other-2.0-py3-none-any.whl", "direct URL"),
        (
            "loose[${GITHUB_TOKEN}]>=1.0",
            "not pinned: loose[${GITHUB_TOKEN}]>=1.0; lock the project first",
        ),
    ]
    assert inventory.notes == (
        f"{req}: line 1: --extra-index-url https://***@${{HOST}}/simple: pip takes each "
        "package from whichever index has the highest version, so the audited names may come "
        "from this index instead (dependency confusion)",
        f"{req}: line 2: --find-links https://${{HOST}}/t/${{GITHUB_TOKEN}}/: packages may come "
        "from these files instead of the index",
    )
    (six,) = inventory.components
    assert six.index == "https://${HOST}/${GITHUB_TOKEN}/simple"


def test_an_error_never_shows_an_expanded_value(tmp_path: Path) -> None:
    req = _write(tmp_path / "requirements.txt", "six==1.16.0 --frob=${GITHUB_TOKEN}\n")
    with pytest.raises(InputError) as info:
        read_inventory(req, environ=ENV)
    assert str(info.value) == f"{req}: line 1: unknown option '--frob=${{GITHUB_TOKEN}}'"
    req.write_text("-r ${GITHUB_TOKEN}/more.txt\n")
    with pytest.raises(InputError) as info:
        read_inventory(req, environ=ENV)
    assert str(info.value) == (
        f"{req}: line 1: cannot read included file {tmp_path}/${{GITHUB_TOKEN}}/more.txt: "
        "No such file or directory"
    )


USERS = (  # the format of /etc/passwd
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
    "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
)
DOTENV = "AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG\n"
KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACDx+1uX4lrMHV2/bZ8wfmqEQXLqqi6O2oq9mi7Gd0UhNAAAAJj0rl2L9K5d\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)


NOT_REQUIREMENTS = (
    "line 1: not a requirements file ({} lines are neither a requirement nor an option); not read"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            USERS,
            NOT_REQUIREMENTS.format("4 of 4"),
        ),
        (
            DOTENV,
            NOT_REQUIREMENTS.format("2 of 2"),
        ),
        (
            KEY,
            NOT_REQUIREMENTS.format("3 of 4"),
        ),
    ],
    ids=["passwd", "dotenv", "ssh-key"],
)
def test_a_file_that_is_not_a_requirements_file(tmp_path: Path, text: str, message: str) -> None:
    other = _write(tmp_path / "secret", text)
    for target in (other, _write(tmp_path / "requirements.txt", "six==1.16.0\n-r secret\n")):
        with pytest.raises(InputError) as info:
            read_inventory(target, format="requirements")
        assert str(info.value) == f"{other}: {message}"


def test_a_few_local_paths_and_a_typo_are_still_requirements(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    req = _write(tmp_path / "requirements.txt", "six==1.16.0\n./pkg\n./gone\n")
    inventory = read_inventory(req)
    assert inventory.not_audited == (
        NotAudited(
            name=None,
            requirement="./pkg",
            reason="local path",
            location=Location(file=str(req), line=2),
        ),
        NotAudited(
            name=None,
            requirement="./gone",
            reason="local path",
            location=Location(file=str(req), line=3),
        ),
    )
    req.write_text("six==1.16.0\nrequests=2.0\n")
    with pytest.raises(InputError) as info:
        read_inventory(req)
    assert str(info.value).startswith(f"{req}: line 2: invalid requirement: requests=2.0: ")


def _dag(tmp_path: Path, depth: int) -> Path:
    """``r0.txt`` includes ``r1.txt`` twice, which includes ``r2.txt`` twice, ...: 2**depth
    paths to the last file."""
    for i in range(depth):
        _write(tmp_path / f"r{i}.txt", f"-r r{i + 1}.txt\n-c r{i + 1}.txt\n-r ./r{i + 1}.txt\n")
    _write(tmp_path / f"r{depth}.txt", "six==1.16.0\n")
    return tmp_path / "r0.txt"


def test_an_include_dag_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Path] = []

    def counting(path: Any) -> bytes:
        reads.append(Path(path))
        return read_capped(path)

    monkeypatch.setattr("pyward._inventory._requirements.read_capped", counting)
    depth = 12
    inventory = read_inventory(_dag(tmp_path, depth))
    assert [(c.name, c.version) for c in inventory.components] == [("six", "1.16.0")]
    # Each file once as a requirement and (but the first) once as a constraint.
    assert len(reads) == 2 * depth + 1
    assert len(set(reads)) == depth + 1


def _count_lines(work: Callable[[], object]) -> int:
    """Python lines run in pyward's requirements reader while ``work`` runs: a count of
    operations that does not depend on the machine's speed."""
    count = 0
    target = _requirements.__file__

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if frame.f_code.co_filename != target:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def test_pins_are_read_in_linear_time(tmp_path: Path) -> None:
    def work(n: int) -> int:
        req = _write(tmp_path / f"r{n}.txt", "".join(f"pkg{i}==1.0\n" for i in range(n)))
        return _count_lines(lambda: _requirements.read(req))

    small, large = work(400), work(800)
    assert large < 2.2 * small, (small, large)
