"""Special files and unbounded inputs (issue 12, items 6, 11, 12 and 14): devices,
named pipes, files above the input limit, symbolic link loops, and a standard output
that cannot be written. Each gets one error line and exit 2, without reading without
end, waiting forever or using memory beyond the limit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pyward._files import MAX_INPUT_BYTES, input_limit, read_capped
from pyward._inventory import read_inventory
from pyward._settings import Settings
from pyward.errors import InputError, UsageError
from tests.robustness._support import run, write
from tests.robustness.test_paths import NAMES

needs_posix = pytest.mark.skipif(
    sys.platform == "win32" or not Path("/dev/zero").exists(), reason="needs /dev/zero and FIFOs"
)
REQ = b"requests==2.19.0\n"


def _fifo(path: Path, data: bytes | None = None) -> Path:
    os.mkfifo(path)
    if data is not None:

        def feed() -> None:
            with path.open("wb") as fh:
                fh.write(data)

        threading.Thread(target=feed, daemon=True).start()
    return path


@needs_posix
def test_a_device_is_not_an_input(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = ["/dev/zero: cannot read: not a regular file or a pipe (a character device)"]
    for argv in (("audit", "/dev/zero"), ("audit", "-r", "/dev/zero"), ("sbom", "/dev/zero")):
        outcome = run(capsys, *argv, "--cache-dir", store)
        assert (outcome.code, outcome.errors) == (2, expected), argv


@needs_posix
def test_an_included_device_or_fifo_is_refused(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fifo(tmp_path / "fifo")  # no writer: opening it to read would wait forever
    req = write(tmp_path / "r.txt", b"-r /dev/zero\n-r fifo\n")
    outcome = run(capsys, "audit", "-r", req, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [
            f"{req}: line 1: cannot read included file /dev/zero: not a regular file "
            "(a character device)"
        ],
    )
    req.write_bytes(b"-r fifo\n")
    outcome = run(capsys, "audit", "-r", req, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [
            f"{req}: line 1: cannot read included file {tmp_path / 'fifo'}: not a regular file "
            "(a named pipe)"
        ],
    )


def test_a_file_above_the_limit(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    req = write(tmp_path / "requirements.txt", REQ * 10)
    monkeypatch.setenv("PYWARD_MAX_INPUT_BYTES", "100")
    outcome = run(capsys, "audit", "-r", req, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [f"{req}: cannot read: larger than the input limit of 100 bytes (PYWARD_MAX_INPUT_BYTES)"],
    )
    monkeypatch.setenv("PYWARD_MAX_INPUT_BYTES", str(len(REQ) * 10))
    outcome = run(capsys, "audit", "-r", req, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (1, [])


def test_the_limit_setting() -> None:
    assert Settings.from_environ({}).max_input_bytes == MAX_INPUT_BYTES == 256 * 1024 * 1024
    assert Settings.from_environ({"PYWARD_MAX_INPUT_BYTES": "4096"}).max_input_bytes == 4096
    for bad in ("0", "-1", "1e6", "x"):
        with pytest.raises(UsageError) as info:
            Settings.from_environ({"PYWARD_MAX_INPUT_BYTES": bad})
        assert str(info.value) == f"PYWARD_MAX_INPUT_BYTES: not a positive number of bytes: {bad!r}"


def test_the_library_limit(tmp_path: Path) -> None:
    req = write(tmp_path / "requirements.txt", REQ)
    with pytest.raises(InputError) as info:
        read_inventory(req, max_input_bytes=len(REQ) - 1)
    assert str(info.value) == (
        f"{req}: cannot read: larger than the input limit of {len(REQ) - 1} bytes "
        "(PYWARD_MAX_INPUT_BYTES)"
    )
    assert len(read_inventory(req, max_input_bytes=len(REQ)).components) == 1
    with input_limit(3), pytest.raises(OSError, match="larger than the input limit of 3 bytes"):
        read_capped(req)
    assert read_capped(req) == REQ


@needs_posix
def test_a_pipe_above_the_limit_is_cut_off(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = _fifo(tmp_path / "63", REQ * 1000)
    monkeypatch.setenv("PYWARD_MAX_INPUT_BYTES", "1024")
    outcome = run(capsys, "audit", fifo, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [
            f"{fifo}: cannot read: larger than the input limit of 1024 bytes "
            "(PYWARD_MAX_INPUT_BYTES)"
        ],
    )


@needs_posix
def test_errors_in_a_pipe_name_the_pipe(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not the spool in the temporary directory the user never saw (issue 12, item 12).
    fifo = _fifo(tmp_path / "63", REQ + b"foo bar\n")
    outcome = run(capsys, "audit", "-r", fifo, "--cache-dir", store)
    assert (outcome.code, outcome.errors) == (
        2,
        [
            f"{fifo}: line 2: invalid requirement: foo bar: Expected semicolon (after name with "
            "no version specifier) or end"
        ],
    )
    fifo = _fifo(tmp_path / "stdin", b"-r missing.txt\n")
    outcome = run(capsys, "audit", "-r", fifo, "--cache-dir", store)
    assert len(outcome.errors) == 1
    assert outcome.errors[0].startswith(f"{fifo}: line 1: cannot read included file ")
    assert "pyward-" not in outcome.errors[0]


@needs_posix
def test_a_symlink_loop_is_not_a_missing_file(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = tmp_path / "requirements.txt"
    loop.symlink_to(loop)
    for argv in (("audit", loop), ("sbom", loop)):
        outcome = run(capsys, *argv, "--cache-dir", store)
        assert (outcome.code, outcome.errors) == (
            2,
            [f"{loop}: cannot read: Too many levels of symbolic links"],
        )


@needs_posix
def test_special_metadata_and_record_in_a_venv(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "venv" / "lib" / "python3.12" / "site-packages"
    write(tmp_path / "venv" / "pyvenv.cfg", b"home = /usr/bin\nversion_info = 3.12.1\n")
    (site / "zero-1.0.dist-info").mkdir(parents=True)
    (site / "zero-1.0.dist-info" / "METADATA").symlink_to("/dev/zero")
    (site / "fifo-1.0.dist-info").mkdir()
    _fifo(site / "fifo-1.0.dist-info" / "METADATA")
    write(site / "ok-1.0.dist-info" / "METADATA", b"Name: ok\nVersion: 1.0\n")
    (site / "ok-1.0.dist-info" / "RECORD").symlink_to("/dev/zero")
    inventory = read_inventory(tmp_path / "venv")
    assert [(c.name, c.version, c.hashes) for c in inventory.components] == [("ok", "1.0", ())]
    assert sorted((n.name, n.reason) for n in inventory.not_audited) == [
        ("fifo", "METADATA unreadable: not a regular file (a named pipe)"),
        ("zero", "METADATA unreadable: not a regular file (a character device)"),
    ]
    assert (
        f"{site / 'ok-1.0.dist-info' / 'RECORD'}: unreadable (not a regular file "
        "(a character device)); no hash"
    ) in inventory.notes


# VmHWM, not ``ru_maxrss``: Linux keeps the latter across the fork and exec from pytest.
_PEAK = """
import sys
from pyward._cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as fh:
    peak = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
sys.stderr.write(f"\\npeak-kib {peak}\\n")
raise SystemExit(code)
"""


def _peak(
    argv: list[str], stdin: int | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, int]:
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, *argv],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )
    lines = proc.stderr.splitlines()
    peak = int(lines[-1].split()[1])
    return proc.returncode, "\n".join(line for line in lines[:-1] if line), peak


#: Peak resident memory of a refused unbounded input, in KiB (Linux ``VmHWM``):
#: the interpreter and pyward's imports, nothing proportional to the input.
PEAK_KIB = 150 * 1024


@needs_posix
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_unbounded_inputs_use_bounded_memory(tmp_path: Path, store: Path) -> None:
    sparse = tmp_path / "big.txt"
    with sparse.open("wb") as fh:  # 2 GiB, and no disk used: a hole
        fh.truncate(2 * 1024**3)
    include = write(tmp_path / "inc.txt", b"-r big.txt\n")
    cache = ["--cache-dir", str(store)]
    code, err, peak = _peak(["audit", "-r", "/dev/zero", *cache])
    assert (code, err) == (
        2,
        "pyward: error: /dev/zero: cannot read: not a regular file or a pipe (a character device)",
    )
    assert peak < PEAK_KIB
    code, err, peak = _peak(["audit", "-r", str(sparse), *cache])
    assert (code, err) == (
        2,
        f"pyward: error: {sparse}: cannot read: larger than the input limit of 256 MiB "
        "(PYWARD_MAX_INPUT_BYTES)",
    )
    assert peak < PEAK_KIB
    code, err, peak = _peak(["audit", "-r", str(include), *cache])
    assert code == 2
    assert peak < PEAK_KIB
    with open("/dev/zero", "rb") as zero:  # a pipe would do the same; stdin is the device
        code, err, peak = _peak(["audit", "/dev/stdin", *cache], stdin=zero.fileno())
    assert (code, err) == (
        2,
        "pyward: error: /dev/stdin: cannot read: not a regular file or a pipe (a character device)",
    )
    assert peak < PEAK_KIB
    # An endless pipe is cut off at the limit, its spool removed.
    feeder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nwhile True: sys.stdout.buffer.write(bytes(65536))"],
        stdout=subprocess.PIPE,
    )
    try:
        assert feeder.stdout is not None
        code, err, peak = _peak(
            ["audit", "/dev/stdin", *cache],
            stdin=feeder.stdout.fileno(),
            env={"PYWARD_MAX_INPUT_BYTES": str(8 * 1024 * 1024)},
        )
    finally:
        feeder.kill()
        feeder.wait()
        assert feeder.stdout is not None
        feeder.stdout.close()
    assert (code, err) == (
        2,
        "pyward: error: /dev/stdin: cannot read: larger than the input limit of 8 MiB "
        "(PYWARD_MAX_INPUT_BYTES)",
    )
    assert peak < PEAK_KIB


def _closed_or_full(argv: list[str], how: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if how == "full":
        with open("/dev/full", "wb") as full:
            return subprocess.run(
                [sys.executable, "-m", "pyward", *argv],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                check=False,
                cwd=cwd,
            )
    # ``>&-``: the interpreter starts with file descriptor 1 closed.
    return subprocess.run(
        ["/bin/sh", "-c", 'exec "$0" -m pyward "$@" >&-', sys.executable, *argv],
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


@needs_posix
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("how", "reason"), [("full", "No space left on device"), ("closed", "Bad file descriptor")]
)
def test_stdout_that_cannot_be_written(tmp_path: Path, store: Path, how: str, reason: str) -> None:
    write(tmp_path / "requirements.txt", REQ)
    cache = ["--cache-dir", str(store)]
    for argv in (
        ["audit", "-r", "requirements.txt", *cache],
        ["audit", "-r", "requirements.txt", "--format", "json", *cache],
        ["sbom", "requirements.txt"],
        ["rules"],
        ["db", "status", *cache],
    ):
        proc = _closed_or_full(argv, how, tmp_path)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert proc.stderr.splitlines()[-1:] == [
            f"pyward: error: standard output: cannot write: {reason}"
        ], argv
        assert "Exception ignored" not in proc.stderr
        assert "Traceback" not in proc.stderr
    # A command that writes only to --output does not need stdout.
    proc = _closed_or_full(["sbom", "requirements.txt", "-o", "bom.json"], how, tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert (tmp_path / "bom.json").stat().st_size > 0


def test_embedded_sboms_and_settings_files_are_capped(tmp_path: Path) -> None:
    from pyward._config import find_config
    from pyward._sbom._pep770 import read_embedded

    dist = tmp_path / "a-1.0.dist-info"
    write(dist / "sboms" / "bom.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}')
    project = tmp_path / "project"
    write(project / "pyproject.toml", b"[tool.pyward]\nfail-on = 'high'\n")
    write(project / ".git" / "HEAD", b"")
    with input_limit(10):
        found, notes = read_embedded(dist, ["sboms/bom.json"])
        assert (found, notes) == (
            [],
            [
                f"{dist / 'sboms' / 'bom.json'}: embedded SBOM unreadable ([Errno 27] larger "
                "than the input limit of 10 bytes (PYWARD_MAX_INPUT_BYTES)); not merged"
            ],
        )
        assert find_config(project) is None
    assert find_config(project) == project / "pyproject.toml"


@needs_posix
@pytest.mark.parametrize("name", NAMES)
def test_every_format_named_file_that_is_a_device(
    name: str, tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.symlink_to("/dev/zero")
    expected = [f"{path}: cannot read: not a regular file or a pipe (a character device)"]
    for argv in (("audit", path, "--cache-dir", store), ("sbom", path)):
        outcome = run(capsys, *argv)
        assert (outcome.code, outcome.errors) == (2, expected), argv
