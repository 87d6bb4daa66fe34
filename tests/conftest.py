"""Shared fixtures: paths to the real data copied into ``tests/data``."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pyward._findings import Finding
from pyward._model import Component

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
PYPA_DB = DATA / "pypa-advisory-database"
PYPA_VULNS = PYPA_DB / "vulns"
SCHEMAS = DATA / "schemas"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's real cache directory or colours output."""
    monkeypatch.setenv("PYWARD_CACHE_DIR", str(tmp_path_factory.mktemp("pyward-cache")))
    # The library's default cache directory (platformdirs') on Linux, for callers that
    # pass none.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.setenv("NO_COLOR", "1")
    # No package index from this machine's settings (pip's and uv's files, the
    # environment): an audit asks only the index a test configures, never a real one.
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    from pyward._commands import _sources

    monkeypatch.setattr(_sources, "ROOT", home / "root")
    # Lock files in the corpus record real index hosts (a PyTorch wheel index...): an
    # audit never asks them from a test. A test of the index checks serves a loopback
    # index and deletes this (``online`` below).
    monkeypatch.setenv("PYWARD_OFFLINE", "1")
    for var in (
        "PYWARD_INDEX_URL",
        "PYWARD_LIFECYCLE_URL",
        "PYWARD_POPULARITY_URL",
        "UV_DEFAULT_INDEX",
        "UV_INDEX_URL",
        "PIP_INDEX_URL",
        "PIP_CONFIG_FILE",
        "UV_CONFIG_FILE",
        "XDG_CONFIG_HOME",
        "XDG_CONFIG_DIRS",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let an audit ask the package index a test configures (a loopback server)."""
    monkeypatch.delenv("PYWARD_OFFLINE")


def component_of(finding: Finding) -> Component:
    """The component of a finding that has one (every vulnerability finding does)."""
    assert finding.component is not None, finding.id
    return finding.component


@contextmanager
def loopback(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (a thread), answering with ``handler``; yields
    its base URL (``http://127.0.0.1:PORT``). Tests serve recorded or made-up answers
    through it to the real client, and no test reaches any other host."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="loopback", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def store_of(tmp_path_factory: pytest.TempPathFactory, packages: Iterable[str]) -> Path:
    """A cache directory whose store holds the real records of ``packages`` (a
    ``db update`` from a copy of their folders of the PyPA database)."""
    from pyward._advisory._sync import update

    src = tmp_path_factory.mktemp("vulns")
    for package in packages:
        shutil.copytree(PYPA_VULNS / package, src / package)
    directory = tmp_path_factory.mktemp("cache")
    update(str(src), directory)
    return directory


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``pyward ARGV`` in this process: the exit code, stdout and stderr."""
    from pyward._cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
