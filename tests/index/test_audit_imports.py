"""An audit with no index to ask decides so from the resolver alone: it imports none of
the client, fetching, parsing, model and cache modules (each costs every such audit its
import and its classes). An audit with an index configured still gets its metadata:
tests/status/test_cli_status.py asks a loopback index end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS

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
