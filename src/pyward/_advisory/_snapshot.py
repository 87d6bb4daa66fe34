"""The built-in snapshot: a compact copy of the advisory data shipped in the wheel.

Used when no store exists yet (first run, air-gapped machine). The artifact is a
gzip-compressed store file built by ``scripts/build_snapshot.py`` from the PyPA
advisory database (CC-BY-4.0; see ``data/NOTICE``), plus a small manifest so that
opening it needs no decompression once it has been unpacked into the cache directory.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyward._advisory._store import AdvisoryStore

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


def open_snapshot(cache_dir: Path, data_dir: Path | None = None) -> AdvisoryStore | None:
    """The built-in snapshot as a store, unpacked into ``cache_dir`` once (into memory
    when that directory is not writable); ``None`` when the package ships none."""
    from pyward._advisory._store import AdvisoryStore, info_from_meta, read_meta

    data_dir = data_dir or DATA_DIR
    man = manifest(data_dir)
    artifact = data_dir / ARTIFACT
    if man is None or not artifact.is_file():
        return None
    target = cache_dir / f"snapshot-{man['sha256'][:16]}.sqlite"
    if target.is_file():
        return AdvisoryStore.open_file(target, snapshot=True)
    raw = gzip.decompress(artifact.read_bytes())
    try:
        from pyward._atomic import replace_file

        cache_dir.mkdir(parents=True, exist_ok=True)
        replace_file(target, raw)
        for stale in cache_dir.glob("snapshot-*.sqlite"):
            if stale != target:
                stale.unlink(missing_ok=True)
        return AdvisoryStore.open_file(target, snapshot=True)
    except OSError:
        pass
    # Read-only cache: serve the snapshot from memory for this process.
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    if hasattr(conn, "deserialize"):  # Python >= 3.11
        conn.deserialize(raw)
    else:  # pragma: no cover - Python 3.10: copy through a private temporary file
        import tempfile

        with tempfile.TemporaryDirectory() as tmp_dir:
            path = Path(tmp_dir) / "snapshot.sqlite"
            path.write_bytes(raw)
            source = sqlite3.connect(path)
            source.backup(conn)
            source.close()
    meta = read_meta(conn, str(artifact))
    return AdvisoryStore(conn, info_from_meta(meta, path=None, snapshot=True), meta=meta)


def build_snapshot(source_dir: Path, out_dir: Path, *, label: str) -> dict[str, Any]:
    """Build the artifact and its manifest into ``out_dir`` from a directory of records.

    Deterministic for the same input: the ``updated`` time is the newest ``modified``
    and the gzip header carries no timestamp. Returns the manifest.
    """
    from pyward._advisory._sync import local_entries, rebuild

    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / ".snapshot-build.sqlite"
    work.unlink(missing_ok=True)
    try:
        with local_entries(source_dir) as entries:
            result = rebuild(entries, work, source=label)
        info = result.info
        assert info is not None
        newest = info.newest_modified or ""
        conn = sqlite3.connect(work)
        try:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'updated'", (_iso(newest),))
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()
        raw = work.read_bytes()
    finally:
        work.unlink(missing_ok=True)
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    (out_dir / ARTIFACT).write_bytes(packed)
    data = {
        "sha256": hashlib.sha256(packed).hexdigest(),
        "source": label,
        "record_count": info.record_count,
        "newest_modified": newest,
        "skipped": result.skipped,
        "skipped_records": list(result.warnings),
    }
    (out_dir / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def _iso(modified: str) -> str:
    from datetime import datetime, timezone

    when = datetime.fromisoformat(modified.replace("Z", "+00:00"))
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")
