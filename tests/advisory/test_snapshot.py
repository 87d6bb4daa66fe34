"""The shipped snapshot is what ``scripts/build_snapshot.py`` builds from the data."""

from __future__ import annotations

import gzip
import json
import sqlite3
import sys
from pathlib import Path

from pyward._advisory import _snapshot
from tests.conftest import PYPA_DB

ROOT = Path(__file__).resolve().parent.parent.parent


def rows(
    artifact: Path, work: Path
) -> tuple[list[tuple[str, str, int, str, bytes]], dict[str, str]]:
    unpacked = work / "unpacked.sqlite"
    unpacked.write_bytes(gzip.decompress(artifact.read_bytes()))
    conn = sqlite3.connect(unpacked)
    records = conn.execute(
        "SELECT id, modified, withdrawn, origin, doc FROM records ORDER BY id"
    ).fetchall()
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    affected = conn.execute(
        "SELECT name, id, entry FROM affected ORDER BY name, id, entry"
    ).fetchall()
    meta["affected_rows"] = str(len(affected))
    conn.close()
    unpacked.unlink()
    return [(i, m, w, o, d) for i, m, w, o, d in records], meta


def test_shipped_snapshot_matches_a_fresh_build(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_snapshot
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert build_snapshot.main([str(PYPA_DB), str(tmp_path)]) == 0
    shipped_manifest = json.loads((_snapshot.DATA_DIR / _snapshot.MANIFEST).read_text())
    built_manifest = json.loads((tmp_path / _snapshot.MANIFEST).read_text())
    for key in ("source", "record_count", "newest_modified", "skipped", "skipped_records"):
        assert shipped_manifest[key] == built_manifest[key]
    shipped_rows, shipped_meta = rows(_snapshot.DATA_DIR / _snapshot.ARTIFACT, tmp_path)
    built_rows, built_meta = rows(tmp_path / _snapshot.ARTIFACT, tmp_path)
    assert [r[:4] for r in shipped_rows] == [r[:4] for r in built_rows]
    assert [gzip.zlib.decompress(r[4]) for r in shipped_rows] == [  # type: ignore[attr-defined]
        gzip.zlib.decompress(r[4])
        for r in built_rows  # type: ignore[attr-defined]
    ]
    assert shipped_meta == built_meta
    assert shipped_meta["affected_rows"] == "2649"
    assert len(shipped_rows) == 2659
    notice = (_snapshot.DATA_DIR / "NOTICE").read_text()
    assert "CC-BY-4.0" in notice
    assert "3ccb6125" in notice
