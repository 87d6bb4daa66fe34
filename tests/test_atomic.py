"""``write_atomic``: what ``--output`` and ``--fix --apply`` write with."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from pyward._atomic import write_atomic
from pyward._cli import main
from pyward.errors import UsageError
from tests.conftest import CORPUS


def test_new_file_honours_the_umask_and_leaves_no_temporary(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "out.json", b"{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "out.json").read_bytes() == b"{}\n"
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(b"old")
    out.chmod(0o640)
    write_atomic(out, b"new")
    assert out.read_bytes() == b"new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "audit.json"
    target.write_bytes(b"old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX device")
def test_dev_null_is_written_in_place_never_replaced() -> None:
    # Renaming over /dev/null (as root) would replace the device with a regular file.
    write_atomic("/dev/null", b"report")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX named pipe")
def test_named_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(fifo, b"report")
        assert os.read(reader, 100) == b"report"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_unwritable_place_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as exc:
        write_atomic(tmp_path / "missing" / "out.json", b"x")
    assert str(exc.value) == (
        f"{tmp_path / 'missing' / 'out.json'}: cannot write: No such file or directory"
    )


def test_cli_output_error_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = CORPUS / "uv" / "flask" / "uv.lock"
    out = tmp_path / "missing" / "out.json"
    code = main(
        ["audit", str(lock), "-q", "-f", "json", "-o", str(out), "--cache-dir", str(tmp_path)]
    )
    assert code == 2
    assert (
        capsys.readouterr().err
        == f"pyward: error: {out}: cannot write: No such file or directory\n"
    )
