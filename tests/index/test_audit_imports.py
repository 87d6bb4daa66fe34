"""An audit with no index to ask decides so from the resolver alone: it imports none of
the client, fetching, parsing, model and cache modules (each costs every such audit its
import and its classes); one that the caches answer loads no HTTP library, even with a
netrc file to read. An audit with an index configured still gets its metadata:
tests/status/test_cli_status.py asks a loopback index end to end (credentials too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.index._loopback_index import loopback_index

#: A lock whose every package records an index under ``.invalid`` (blanked out).
FLASK = CORPUS / "uv" / "flask" / "uv.lock"
#: What an audit with no index to ask does not import.
FETCHING = (
    "pyward._sources.index._cache",
    "pyward._sources.index._client",
    "pyward._sources.index._facts",
    "pyward._sources.index._fetch",
    "pyward._sources.index._metadata",
    "pyward._sources.index._model",
    "pyward._sources.index._parse",
    "pyward._sources.index._port",
    "pyward._sources.index._versions",
    "concurrent.futures",
    "hashlib",
)


def modules_of_audit(argv: list[str], environ: dict[str, str] | None = None) -> set[str]:
    """The modules a ``pyward`` process has loaded after running ``argv``."""
    code = (
        "import sys\n"
        "from pyward._cli import main\n"
        f"main({argv!r})\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environ
    )
    return set(result.stdout.split())


def test_an_audit_with_no_index_imports_no_index_client(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    # The fixtures in conftest.py configure no index (environment, home); the system's
    # files are read from an empty root.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pyward._cli import main\n"
        "from pyward._commands import _sources\n"
        f"_sources.ROOT = Path({str(tmp_path / 'root')!r})\n"
        f"main(['audit', {str(FLASK)!r}, '-f', 'json', '-o', {str(out)!r}])\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert "pyward._sources.index._resolve" in loaded
    assert sorted(loaded & set(FETCHING)) == []
    report = json.loads(out.read_text(encoding="utf-8"))
    skipped = [w for w in report["warnings"] if "did not run" in w]
    assert len(skipped) == 1
    assert skipped[0].endswith(
        "no package index configured: set --index-url or PYWARD_INDEX_URL, or configure pip/uv"
    )


def test_a_run_the_caches_answer_reads_the_netrc_file_but_loads_no_http_library(
    tmp_path: Path, online: None
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("six==1.11.0\n", encoding="utf-8")
    out = tmp_path / "report.json"
    environ = {**os.environ, "NETRC": str(netrc)}
    with loopback_index() as index:
        argv = ["audit", "-r", str(reqs), "--checks", "outdated", "--index-url"]
        argv += [index.simple_url, "-f", "json", "-o", str(out)]
        cold = modules_of_audit(argv, environ)
        assert index.requests
        cold_report = json.loads(out.read_text(encoding="utf-8"))
        index.requests.clear()
        warm = modules_of_audit(argv, environ)
        assert index.requests == []
    assert "httpx" in cold
    assert "httpx" not in warm
    assert "netrc" in warm  # read all the same: an unreadable one is a note
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [f["id"] for f in report["findings"]] == ["outdated:six@1.11.0"]
    assert report["findings"] == cold_report["findings"]
    assert report["warnings"] == cold_report["warnings"] == []


@pytest.mark.parametrize(
    ("text", "where"),
    [("machine 127.0.0.1\n  bogus x\n", ": line 2"), (None, "")],
)
def test_an_unreadable_netrc_file_is_a_note_before_any_request(
    tmp_path: Path, text: str | None, where: str
) -> None:
    from pyward._model import Component, Inventory
    from pyward._sources.index._fetch import ClientOptions, fetch_metadata

    netrc = tmp_path / "netrc"
    if text is not None:
        netrc.write_text(text, encoding="utf-8")
        netrc.chmod(0o600)
    inventory = Inventory(
        source=str(tmp_path / "requirements.txt"),
        format="requirements.txt",
        components=(Component(name="six", version="1.11.0"),),
    )
    metadata = fetch_metadata(
        [(inventory, inventory.components[0])],
        option="http://127.0.0.1:9/simple/",
        offline=True,
        client=ClientOptions(netrc=netrc),
    )
    assert metadata.notes[0] == (
        f"{netrc}{where}: cannot read the netrc file; its credentials not used"
    )
