"""Hostile advisory sources (issue 12 items 3, 5 and 14): YAML alias bombs and zip
bombs are skipped with a warning within a bounded peak memory; a mirror's non-ASCII
validators do not break later updates; a download has a size cap and a deadline; the
temporary files of a killed update are removed by the next one."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest

from pyward._cli import main
from pyward._http import sendable
from tests.conftest import loopback
from tests.robustness._support import run, write

#: Peak resident memory a ``db update`` of a bomb may reach: the interpreter, pyward's
#: imports and one record of at most ``--max-record-size`` (4 MiB) being parsed. The
#: bombs below reached 20 GB (YAML) and over 500 MB (zip) before the limits.
PEAK_MB = 200

RECORD = orjson.dumps({"id": "PYSEC-9-1", "modified": "2024-01-01T00:00:00Z"})


def _yaml_bomb() -> bytes:
    """A "billion laughs": nine levels of nine aliases, 9**9 strings once expanded."""
    text = 'id: X-1\nmodified: "2024-01-01T00:00:00Z"\na: &a ["lol", "lol", "lol"]\n'
    prev = "a"
    for name in "bcdefghij":
        text += f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
        prev = name
    return text.encode()


def _zip_bomb(path: Path, mib: int) -> Path:
    """A zip with one good record and one member of ``mib`` MiB of spaces (valid JSON
    whitespace up to the end, so a reader that inflates it all also parses it all)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good.json", RECORD)
        with zf.open("bomb.json", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(mib):
                member.write(block)
    return path


def _peak(tmp_path: Path, *argv: str) -> tuple[int, str, str, float]:
    """Run ``pyward ARGV`` in a fresh interpreter; its exit code, output, error output
    and peak resident memory in MB.

    Linux: ``VmHWM``, the high-water mark of the process's own memory since ``exec``;
    ``ru_maxrss`` would include the memory of the test process it was forked from.
    Elsewhere ``ru_maxrss`` (kilobytes, bytes on macOS), an upper bound."""
    code = (
        "import resource, sys\n"
        "from pyward._cli import main\n"
        "try:\n"
        "    rc = main(sys.argv[1:])\n"
        "finally:\n"
        "    sys.stdout.flush()\n"
        "    try:\n"
        "        with open('/proc/self/status') as fh:\n"
        "            kb = [int(line.split()[1]) for line in fh if line.startswith('VmHWM:')][0]\n"
        "    except OSError:\n"
        "        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "        kb = kb // 1024 if sys.platform == 'darwin' else kb\n"
        "    sys.stderr.write(f'\\nPEAK {kb}\\n')\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYWARD_CACHE_DIR": str(tmp_path / "cache")},
    )
    err, _, peak = done.stderr.rpartition("\nPEAK ")
    return done.returncode, done.stdout, err, int(peak) / 1024


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX")
def test_yaml_alias_bomb_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write(source / "bomb.yaml", _yaml_bomb())
    write(source / "good.json", RECORD)
    assert len(_yaml_bomb()) < 800
    code, out, err, peak = _peak(tmp_path, "db", "update", "--source", str(source))
    assert code == 0, err
    assert err == (
        "pyward: warning: skipped bomb.yaml: line 4: invalid YAML: more than 8 aliases "
        "(OSV records need none)\n"
    )
    assert out.startswith("1 records from ")
    assert peak < PEAK_MB, peak


def test_a_few_yaml_aliases_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "src"
    write(
        source / "a.yaml",
        b'id: X-1\nmodified: "2024-01-01T00:00:00Z"\naliases: &x ["CVE-1"]\nupstream: *x\n',
    )
    outcome = run(capsys, "db", "update", "--source", source, "--cache-dir", tmp_path / "c")
    assert (outcome.code, outcome.err) == (0, "")
    assert " 1 added, " in outcome.out


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX")
def test_zip_bomb_member_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _zip_bomb(tmp_path / "bomb.zip", 512)
    assert bomb.stat().st_size < 1 << 20
    code, out, err, peak = _peak(tmp_path, "db", "update", "--source", str(bomb))
    assert code == 0, err
    assert err == (
        "pyward: warning: skipped bomb.json: larger than 4194304 bytes "
        "(db update --max-record-size)\n"
    )
    assert out.startswith("1 records from ")
    assert peak < PEAK_MB, peak


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX")
def test_largest_records_parse_in_the_documented_memory(tmp_path: Path) -> None:
    """The README's bound: under 250 MB with the default record cap, for records just
    under it made of the smallest objects (the most Python objects per byte)."""
    head = b'{"id": "X-%d", "modified": "2024-01-01T00:00:00Z", "%s": ['
    for i, (key, item) in enumerate(((b"credits", b"{}"), (b"aliases", b'""'))):
        body = head % (i, key)
        count = ((4 << 20) - len(body) - 2) // (len(item) + 1)
        write(tmp_path / "src" / f"{i}.json", body + b",".join([item] * count) + b"]}")
        assert (4 << 20) - 4 < (tmp_path / "src" / f"{i}.json").stat().st_size <= 4 << 20
    code, out, err, peak = _peak(tmp_path, "db", "update", "--source", str(tmp_path / "src"))
    assert (code, err) == (0, "")
    assert out.startswith("2 records from ")
    assert peak < 250, peak


def test_record_size_cap_is_an_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "src"
    write(source / "big.json", RECORD[:-1] + b"," + b'"x": "' + b"y" * 2000 + b'"}')
    write(source / "good.json", RECORD.replace(b"PYSEC-9-1", b"PYSEC-9-2"))
    archive = _zip_bomb(tmp_path / "b.zip", 1)
    for src, skipped in ((source, "big.json"), (archive, "bomb.json")):
        outcome = run(
            capsys,
            "db",
            "update",
            "--source",
            src,
            "--cache-dir",
            tmp_path / "c",
            "--max-record-size",
            "1K",
        )
        assert outcome.code == 0
        assert outcome.err == (
            f"pyward: warning: skipped {skipped}: larger than 1024 bytes "
            "(db update --max-record-size)\n"
        )
    with pytest.raises(SystemExit) as exit_info:
        main(["db", "update", "--max-record-size", "4X", "--source", str(source)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "pyward db update: error: argument --max-record-size: not a size in bytes: '4X' "
        "(e.g. 4096, 64K, 4M, 1G)"
    )


# -- a hostile mirror on 127.0.0.1 ------------------------------------------------------


class _Mirror(http.server.BaseHTTPRequestHandler):
    """``mode``: ``validators`` (a zip with non-ASCII validators, 304 when they come
    back), ``endless`` (a chunked body without end), ``trickle`` (a byte at a time),
    ``silent`` (no answer)."""

    mode: ClassVar[str] = "validators"
    payload: ClassVar[bytes] = b""
    seen: ClassVar[list[dict[str, str]]] = []
    stop: ClassVar[threading.Event] = threading.Event()
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        type(self).seen.append(dict(self.headers.items()))
        # Latin-1 text here is the bytes on the wire: UTF-8 "été" and a non-ASCII date.
        etag, last = '"\xc3\xa9t\xc3\xa9"', "Thu, 10 Oct 2024 17:22:00 \xc3\x89T"
        try:
            if self.mode == "validators":
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(self.payload)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last)
                self.end_headers()
                self.wfile.write(self.payload)
            elif self.mode == "endless":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"%x\r\n%s\r\n" % (1 << 16, b"\0" * (1 << 16))
                while not self.stop.is_set():
                    self.wfile.write(chunk)
            elif self.mode == "trickle":
                self.send_response(200)
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                while not self.stop.wait(0.05):
                    self.wfile.write(b"P")
                    self.wfile.flush()
            else:
                self.stop.wait(30)
        except OSError:
            pass  # the client went away, as it should

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[str]:
    archive = tmp_path / "served.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("PYSEC-9-1.json", RECORD)
    _Mirror.payload = archive.read_bytes()
    _Mirror.seen = []
    _Mirror.stop = threading.Event()
    with loopback(_Mirror) as base:
        try:
            yield f"{base}/all.zip"
        finally:
            _Mirror.stop.set()


def test_non_ascii_validators_are_sent_back_as_sent(
    mirror: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _Mirror.mode = "validators"
    cache = tmp_path / "cache"
    first = run(capsys, "db", "update", "--source", mirror, "--cache-dir", cache)
    assert (first.code, first.err) == (0, "")
    second = run(capsys, "db", "update", "--source", mirror, "--cache-dir", cache)
    assert (second.code, second.err) == (0, "")
    assert second.out == f"advisory data unchanged: {mirror} not modified since the last update\n"
    assert _Mirror.seen[1]["If-None-Match"] == '"\xc3\xa9t\xc3\xa9"'
    assert _Mirror.seen[1]["If-Modified-Since"] == "Thu, 10 Oct 2024 17:22:00 \xc3\x89T"


def test_validators_that_cannot_be_sent_are_dropped() -> None:
    assert sendable('"v1"') == b'"v1"'
    assert sendable('"\xe9"') == b'"\xe9"'
    # What an older pyward saved from a decoded header, and control characters.
    assert sendable('"\u20ac"') is None
    assert sendable('"a"\r\nX-Evil: 1') is None
    assert sendable("") is None
    assert sendable(None) is None


DOWNLOAD_CASES = [
    (
        "endless",
        ("--max-download-size", "1M"),
        "larger than 1048576 bytes (db update --max-download-size)",
    ),
    (
        "trickle",
        ("--download-timeout", "1"),
        "not downloaded within 1 s (db update --download-timeout)",
    ),
    (
        "silent",
        ("--download-timeout", "1"),
        "not downloaded within 1 s (db update --download-timeout)",
    ),
]


@pytest.mark.parametrize("case", DOWNLOAD_CASES, ids=[c[0] for c in DOWNLOAD_CASES])
def test_download_has_a_size_cap_and_a_deadline(
    case: tuple[str, tuple[str, str], str],
    mirror: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    mode, option, what = case
    _Mirror.mode = mode
    cache = tmp_path / "cache"
    started = time.monotonic()
    outcome = run(capsys, "db", "update", "--source", mirror, "--cache-dir", cache, *option)
    assert time.monotonic() - started < 20
    assert (outcome.code, outcome.errors) == (2, [f"{mirror}: {what}"])
    assert list(cache.iterdir()) == []  # the partial download is removed


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX")
def test_leftovers_of_a_killed_update_are_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    dead = _dead_pid()
    stale_db = write(cache / f".advisories.sqlite.{dead}.tmp", b"x" * 1000)
    stale_zip = write(cache / f".download.{dead}.zip", b"x" * 1000)
    live = write(cache / f".advisories.sqlite.{os.getppid()}.tmp", b"x")
    other = write(cache / ".advisories.sqlite.notapid.tmp", b"x")
    source = write(tmp_path / "src" / "a.json", RECORD).parent
    outcome = run(capsys, "db", "update", "--source", source, "--cache-dir", cache)
    assert outcome.code == 0
    assert outcome.err == (
        f"pyward: warning: removed {stale_db}, left by an update that did not finish\n"
        f"pyward: warning: removed {stale_zip}, left by an update that did not finish\n"
    )
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        ["advisories.sqlite", live.name, other.name]
    )


def test_directory_records_are_read_when_parsed_not_held(tmp_path: Path) -> None:
    # A directory source lists its records (name, size, digest) without keeping their
    # bytes: each is read again when it is parsed, and one that changed in between is
    # refused rather than parsed unseen.
    from pyward._advisory._osv import RecordError
    from pyward._advisory._sync import directory_entries

    root = tmp_path / "src"
    first = write(root / "a.json", b'{"id": "PYSEC-9-1"}')
    write(root / "b.json", b'{"id": "PYSEC-9-2"}')
    entries = list(directory_entries(root))
    assert [e.name for e in entries] == ["a.json", "b.json"]
    assert entries[1].read() == b'{"id": "PYSEC-9-2"}'
    first.write_bytes(b'{"id": "PYSEC-9-3"}')
    with pytest.raises(RecordError) as caught:
        entries[0].read()
    assert str(caught.value) == "a.json: changed while the update was reading it"
