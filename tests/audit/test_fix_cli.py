"""``pyward audit --fix``: targets checked against a real index on 127.0.0.1, and the
printed advice (issue 11 items 1-4)."""

from __future__ import annotations

import http.server
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path
from typing import ClassVar

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from pyward._cli import main
from tests.audit._index_pages import project_page
from tests.conftest import loopback, run_cli, store_of

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
NO_INDEX = "no package index configured: set --index-url or PYWARD_INDEX_URL, or configure pip/uv"
PAGES = {
    # 6.3.0a0, the record's bound, was never released.
    "nbconvert": project_page(
        "nbconvert", {"6.0.7": False, "6.2.0": False, "6.3.0b0": False, "6.3.0": False}
    ),
}


class _Index(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        parts = self.path.strip("/").split("/")
        body = PAGES.get(parts[-1]) if len(parts) == 2 and parts[0] == "simple" else None
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # no access log on the test's stderr


@pytest.fixture
def index() -> Iterator[str]:
    _Index.seen = []
    with loopback(_Index) as base:
        yield f"{base}/simple/"


@pytest.fixture(autouse=True)
def _online(online: None) -> None:
    """These tests serve their index on 127.0.0.1."""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_of(tmp_path_factory, ("nbconvert", "werkzeug", "urllib3"))


def _cache(store: Path, tmp_path: Path) -> Path:
    """A cache directory of its own (index pages) holding the module's store."""
    cache = tmp_path / "cache"
    shutil.copytree(store, cache)
    return cache


def test_apply_pins_the_smallest_released_version(
    store: Path, index: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11 item 1: the record's bound is 6.3.0a0; the index has 6.3.0b0 and 6.3.0.
    cache = _cache(store, tmp_path)
    reqs = tmp_path / "r.txt"
    reqs.write_text("nbconvert==6.0.7\n", encoding="utf-8")
    argv = ("audit", "-r", str(reqs), "-f", "json", "-q", "--fix", "--cache-dir", str(cache))
    code, _, err = run_cli(capsys, *argv, "--apply", "--index-url", index)
    assert code == 1
    assert err == (
        "Fix plan:\n"
        "  nbconvert 6.0.7 -> 6.3.0 (fixes PYSEC-2022-249)\n"
        "Rewritten:\n"
        f"  {reqs}:1: nbconvert 6.0.7 -> 6.3.0\n"
    )
    assert reqs.read_text(encoding="utf-8") == "nbconvert==6.3.0\n"
    # One fetch for the status checks and the plan; the index has no JSON API (a 404).
    assert sorted(_Index.seen) == ["/pypi/nbconvert/json", "/simple/nbconvert/"]
    _Index.seen.clear()
    # --offline: the cached page, no request.
    reqs.write_text("nbconvert==6.0.7\n", encoding="utf-8")
    code, _, err = run_cli(capsys, *argv, "--offline", "--index-url", index)
    assert (code, err.splitlines()[1:]) == (
        1,
        [
            "  nbconvert 6.0.7 -> 6.3.0 (fixes PYSEC-2022-249)",
            "To apply, edit (--fix --apply does it):",
            f"  {reqs}:1: nbconvert 6.0.7 -> 6.3.0",
        ],
    )
    assert _Index.seen == []
    assert reqs.read_text(encoding="utf-8") == "nbconvert==6.0.7\n"  # --fix alone edits nothing


def test_the_index_comes_from_the_settings(
    store: Path,
    index: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = _cache(store, tmp_path)
    reqs = tmp_path / "r.txt"
    reqs.write_text("nbconvert==6.0.7\n", encoding="utf-8")
    monkeypatch.setenv("PIP_INDEX_URL", index)
    code, _, err = run_cli(capsys, "audit", "-r", str(reqs), "-f", "json", "-q", "--fix",
                        "--cache-dir", str(cache))  # fmt: skip
    assert (code, err.splitlines()[1]) == (1, "  nbconvert 6.0.7 -> 6.3.0 (fixes PYSEC-2022-249)")


def test_without_index_data_the_target_is_marked_unchecked(
    store: Path, index: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = _cache(store, tmp_path)
    reqs = tmp_path / "r.txt"
    reqs.write_text("nbconvert==6.0.7\n", encoding="utf-8")
    argv = ("audit", "-r", str(reqs), "-f", "json", "-q", "--fix", "--cache-dir", str(cache))
    code, _, err = run_cli(capsys, *argv)
    assert (code, err.splitlines()[1:]) == (
        1,
        [
            "  nbconvert 6.0.7 -> 6.3.0a0 (fixes PYSEC-2022-249)",
            "To apply, edit (--fix --apply does it):",
            f"  {reqs}:1: nbconvert 6.0.7 -> 6.3.0a0",
            "Unchecked: nbconvert 6.3.0a0 is an advisory's bound, not checked against the "
            f"package index's releases ({NO_INDEX})",
        ],
    )
    code, _, err = run_cli(capsys, *argv, "--offline", "--index-url", index)
    assert err.splitlines()[-1] == (
        "Unchecked: nbconvert 6.3.0a0 is an advisory's bound, not checked against the "
        f"package index's releases ({index}nbconvert/: offline and not cached)"
    )
    assert _Index.seen == []


def test_apply_needs_fix(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reqs = tmp_path / "r.txt"
    reqs.write_text("nbconvert==6.0.7\n", encoding="utf-8")
    assert run_cli(capsys, "audit", "-r", str(reqs), "--apply", "--cache-dir", str(store)) == (
        2, "", "pyward: error: --apply needs --fix\n",
    )  # fmt: skip


def _venv(root: Path, dists: dict[str, str]) -> Path:
    """A virtual environment's layout: ``pyvenv.cfg``, ``bin/python`` and dist-infos."""
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "python").write_text("", encoding="utf-8")
    (root / "pyvenv.cfg").write_text("version = 3.12.1\n", encoding="utf-8")
    site = root / "lib" / "python3.12" / "site-packages"
    for name, version in dists.items():
        info = site / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
    return root


def test_environment_commands_use_its_interpreter(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11 item 3: not a bare ``python`` (whichever is first on PATH), and one
    # command for every package.
    venv = _venv(tmp_path / "my venv", {"Werkzeug": "2.2.2", "urllib3": "1.26.15"})
    cache = _cache(store, tmp_path)
    code, out, _ = run_cli(capsys, "audit", str(venv), "-q", "--fix", "--offline",
                        "--cache-dir", str(cache))  # fmt: skip
    assert code == 1
    assert (
        "To apply, run:\n"
        f"  '{venv}/bin/python' -m pip install 'urllib3==1.26.18' 'Werkzeug==2.3.8'\n"
    ) in out


def test_help_says_what_fix_and_apply_add(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 11 item 4: the report always holds the plan; --fix and --apply add to it.
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "Every report holds the fix plan (the smallest upgrade per package). --fix checks its "
        "targets against the package index's releases and prints what applies it: the pins "
        "to edit and the commands to run. --fix --apply also rewrites the '==' pins in "
        "requirements files and pyproject.toml."
    ) in text


def _wheel(directory: Path, name: str, version: str) -> None:
    """A ``py3-none-any`` wheel of an empty package (METADATA, WHEEL, RECORD)."""
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={urlsafe_b64encode(sha256(data).digest()).rstrip(b'=').decode()},"
        f"{len(data)}\n"
        for path, data in files.items()
    )
    with zipfile.ZipFile(directory / f"{name}-{version}-py3-none-any.whl", "w") as whl:
        for path, data in files.items():
            whl.writestr(path, data)
        whl.writestr(f"{info}/RECORD", record + f"{info}/RECORD,,\n")


def _locked(lock: Path, name: str) -> str:
    versions = [
        p["version"] for p in tomllib.loads(lock.read_text("utf-8"))["package"] if p["name"] == name
    ]
    assert len(versions) == 1
    return str(versions[0])


def test_printed_uv_commands_relock_a_pinned_manifest(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11 item 2: pyproject.toml pins urllib3==1.26.15, so `uv lock
    # --upgrade-package 'urllib3==1.26.18'` alone has no solution; the advice edits the
    # pin first. Real uv, offline: a find-links directory of wheels built here.
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv is not None
    links = tmp_path / "links"
    links.mkdir()
    for version in ("1.26.15", "1.26.18"):
        _wheel(links, "urllib3", version)
    project = tmp_path / "app"
    project.mkdir()
    manifest = project / "pyproject.toml"
    manifest.write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = [\n    "urllib3==1.26.15",  # pinned\n]\n\n'
        '[tool.uv]\npackage = false\nno-index = true\nfind-links = ["../links"]\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "UV_OFFLINE": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON": sys.executable,
    }
    lock = project / "uv.lock"

    def uv_run(command: str) -> None:
        argv = shlex.split(command)
        assert argv[0] == "uv"
        subprocess.run([uv, *argv[1:]], cwd=project, env=env, check=True, capture_output=True)

    uv_run("uv lock")
    assert _locked(lock, "urllib3") == "1.26.15"
    cache = _cache(store, tmp_path)
    argv = (
        "audit",
        str(project),
        "-f",
        "json",
        "-q",
        "--fix",
        "--offline",
        "--cache-dir",
        str(cache),
    )
    code, _, err = run_cli(capsys, *argv)
    lines = err.splitlines()
    assert (code, lines[2:6]) == (
        1,
        [
            "To apply, edit (--fix --apply does it):",
            f"  {manifest}:6: urllib3 1.26.15 -> 1.26.18",
            "Then run:",
            "  uv lock --upgrade-package 'urllib3==1.26.18'",
        ],
    )
    code, _, err = run_cli(capsys, *argv, "--apply")
    lines = err.splitlines()
    assert lines[2:5] == ["Rewritten:", f"  {manifest}:6: urllib3 1.26.15 -> 1.26.18", "Then run:"]
    assert '    "urllib3==1.26.18",  # pinned\n' in manifest.read_text("utf-8")
    for line in lines[5:]:
        if line.startswith("  "):
            uv_run(line.strip())
    assert _locked(lock, "urllib3") == "1.26.18"
