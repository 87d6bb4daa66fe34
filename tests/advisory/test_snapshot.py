"""The shipped snapshot is what ``scripts/build_snapshot.py`` builds from the data."""

from __future__ import annotations

import gzip
import json
import sqlite3
import sys
import zlib
from pathlib import Path
from typing import Any

from pyward._advisory import _snapshot
from tests.conftest import PYPA_DB

ROOT = Path(__file__).resolve().parent.parent.parent


def tables(artifact: Path, work: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a packed store, in a fixed order; the record
    documents decompressed (their content is compared, not zlib's output)."""
    unpacked = work / "unpacked.sqlite"
    unpacked.write_bytes(gzip.decompress(artifact.read_bytes()))
    conn = sqlite3.connect(unpacked)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out: dict[str, list[tuple[Any, ...]]] = {}
        for name in sorted(names):
            # S608: the table names come from sqlite_master of a store the test built.
            width = len(conn.execute(f"SELECT * FROM {name} LIMIT 0").description)  # noqa: S608
            order = ", ".join(str(i) for i in range(1, width + 1))
            out[name] = conn.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()  # noqa: S608
    finally:
        conn.close()
        unpacked.unlink()
    out["records"] = [(*r[:4], zlib.decompress(r[4])) for r in out["records"]]
    return out


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
    shipped = tables(_snapshot.DATA_DIR / _snapshot.ARTIFACT, tmp_path)
    built = tables(tmp_path / _snapshot.ARTIFACT, tmp_path)
    assert shipped == built
    assert {name: len(rows) for name, rows in shipped.items()} == {
        "affected": 2651,
        "aliases": 4475,
        "meta": 6,
        "records": 2661,
        "scores": 202,
    }
    assert dict(shipped["meta"]) == {
        "format": "3",
        "newest_modified": "2024-10-10T17:22:00.587279Z",
        "record_count": "2661",
        "skipped": "0",
        "source": "PyPA advisory database 3ccb6125 (2024-10-10)",
        "updated": "2024-10-10T17:22:00+00:00",
    }
    notice = (_snapshot.DATA_DIR / "NOTICE").read_text()
    assert "CC-BY-4.0" in notice
    assert "3ccb6125" in notice
