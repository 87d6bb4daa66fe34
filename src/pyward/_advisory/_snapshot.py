"""The built-in snapshot: a compact copy of the advisory data shipped in the wheel.

Used when no store exists yet (first run, air-gapped machine). The artifact is a
gzip-compressed store file built by ``scripts/build_snapshot.py`` from the PyPA
advisory database (CC-BY-4.0; see ``data/NOTICE``), plus a small manifest so that
opening it needs no decompression once it has been unpacked into the cache directory.

This module knows the artifact only, not the store read from it: the store opens what
:func:`unpack` gives (:func:`pyward._advisory._store.open_snapshot`), and the updater
writes the artifact (:func:`pyward._advisory._sync.build_snapshot`).
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

from pyward._atomic import replace_file

DATA_DIR = Path(__file__).parent / "data"
ARTIFACT = "advisories.sqlite.gz"
MANIFEST = "snapshot.json"


def manifest(data_dir: Path | None = None) -> dict[str, Any] | None:
    """The snapshot's manifest (sha256, source, record_count, newest_modified), if shipped."""
    try:
        text = ((data_dir or DATA_DIR) / MANIFEST).read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text)
    except (OSError, ValueError):
        return None
    return data


def artifact(data_dir: Path | None = None) -> Path:
    """The packed store file."""
    return (data_dir or DATA_DIR) / ARTIFACT


def unpack(cache_dir: Path, data_dir: Path | None = None) -> Path | sqlite3.Connection | None:
    """The built-in snapshot's store file, unpacked into ``cache_dir`` once; an
    in-memory database when that directory is not writable; ``None`` when the package
    ships none."""
    man = manifest(data_dir)
    packed = artifact(data_dir)
    if man is None or not packed.is_file():
        return None
    target = cache_dir / f"snapshot-{man['sha256'][:16]}.sqlite"
    if target.is_file():
        return target
    raw = gzip.decompress(packed.read_bytes())
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        replace_file(target, raw)
        for stale in cache_dir.glob("snapshot-*.sqlite"):
            if stale != target:
                stale.unlink(missing_ok=True)
        return target
    except OSError:
        pass
    # Read-only cache: serve the snapshot from memory for this process.
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    if hasattr(conn, "deserialize"):  # Python >= 3.11
        conn.deserialize(raw)
    else:  # pragma: no cover - Python 3.10: copy through a private temporary file
        # Imported here: no other path of an audit needs ``tempfile``.
        import tempfile

        with tempfile.TemporaryDirectory() as tmp_dir:
            path = Path(tmp_dir) / "snapshot.sqlite"
            path.write_bytes(raw)
            source = sqlite3.connect(path)
            source.backup(conn)
            source.close()
    return conn
