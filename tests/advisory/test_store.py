"""Opening the store: cache directory resolution, snapshot fallback, no data, hygiene."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pyward._advisory import AdvisoryStore, StoreInfo, _snapshot
from pyward._advisory._freshness import freshness_notice
from pyward._advisory._store import STORE_FILE
from pyward._advisory._sync import update
from pyward._settings import Settings
from pyward.errors import EXIT_NO_DATA, InputError, NoDataError
from tests.advisory.conftest import real_record

SNAPSHOT_SOURCE = "built-in snapshot: PyPA advisory database 3ccb6125 (2024-10-10)"


def test_snapshot_fallback_unpacks_once(tmp_path: Path) -> None:
    store = AdvisoryStore.open(tmp_path)
    info = store.info
    assert (info.snapshot, info.source, info.record_count, info.skipped) == (
        True,
        SNAPSHOT_SOURCE,
        2661,
        0,
    )
    assert info.newest_modified == "2024-10-10T17:22:00.587279Z"
    sha = _snapshot.manifest()["sha256"]  # type: ignore[index]
    assert info.path == str(tmp_path / f"snapshot-{sha[:16]}.sqlite")
    assert [m.advisory_id for m in store.matches("PyYAML", "5.3")] == [
        "PYSEC-2020-96",
        "PYSEC-2021-142",
    ]
    again = AdvisoryStore.open(tmp_path)
    assert again.info.path == info.path
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"snapshot-{sha[:16]}.sqlite"]


def test_env_cache_dir_and_unwritable_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYWARD_CACHE_DIR", str(tmp_path / "env"))
    assert AdvisoryStore.open(Settings.from_environ(os.environ).cache_dir).info.path is not None
    assert (tmp_path / "env").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = AdvisoryStore.open(blocker / "cache")  # cannot be created: served from memory
    assert (store.info.snapshot, store.info.path, store.info.record_count) == (True, None, 2661)
    assert store.refresh() is False
    assert store.ids_for_package("gratient") == ["PYSEC-2024-1"]


def test_no_store_and_no_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_snapshot, "DATA_DIR", tmp_path / "nothing")
    with pytest.raises(NoDataError) as info:
        AdvisoryStore.open(tmp_path / "cache")
    assert str(info.value) == (
        f"no advisory data: no store in {tmp_path / 'cache'} and no built-in snapshot; "
        "run `pyward db update`"
    )
    assert info.value.exit_code == EXIT_NO_DATA == 3


def test_store_wins_over_snapshot_and_bad_store_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "PYSEC-2024-1.json").write_bytes(
        b'{"id": "PYSEC-2024-1", "modified": "2024-01-03T22:31:36Z", "affected": '
        b'[{"package": {"ecosystem": "PyPI", "name": "gratient"}, "versions": ["0.5"]}]}'
    )
    update(str(src), tmp_path / "cache")
    store = AdvisoryStore.open(tmp_path / "cache")
    assert (store.info.snapshot, store.info.record_count, store.info.source) == (
        False,
        1,
        str(src.resolve()),
    )
    (tmp_path / "cache" / STORE_FILE).write_bytes(b"garbage" * 100)
    with pytest.raises(InputError) as info:
        AdvisoryStore.open(tmp_path / "cache")
    assert str(info.value) == (
        f"{tmp_path / 'cache' / STORE_FILE}: not a pyward advisory store (file is not a database)"
    )


def test_from_records_and_lookups() -> None:
    store = AdvisoryStore.from_records(
        [real_record("PYSEC-2023-100"), real_record("PYSEC-2023-73")], source="two"
    )
    assert (store.info.source, store.info.record_count, store.info.path) == ("two", 2, None)
    assert store.info.newest_modified == "2023-07-11T16:37:11.407533Z"
    assert store.all_ids() == ["PYSEC-2023-100", "PYSEC-2023-73"]
    assert store.package_names() == ["django"]
    assert store.ids_for_package("Django") == ["PYSEC-2023-100"]
    assert store.advisory("PYSEC-0000-0") is None
    assert store.record("PYSEC-0000-0") is None
    assert store.record("PYSEC-2023-100") == real_record("PYSEC-2023-100")
    assert store.matches("nonexistent", "1.0") == []
    assert store.refresh() is False


def test_freshness_notice() -> None:
    now = datetime(2024, 11, 9, 12, tzinfo=timezone.utc)
    updated = datetime(2024, 10, 10, 17, 22, tzinfo=timezone.utc)
    snap = StoreInfo(
        source=SNAPSHOT_SOURCE,
        updated=updated,
        record_count=2659,
        newest_modified="2024-10-10T17:22:00.587279Z",
        snapshot=True,
    )
    assert freshness_notice(snap, now) == (
        f"using the {SNAPSHOT_SOURCE} (2659 records, newest 2024-10-10, 29 days old); "
        "run `pyward db update` for current data"
    )
    later = datetime(2024, 12, 1, tzinfo=timezone.utc)
    assert freshness_notice(snap, later) == (
        f"warning: using the {SNAPSHOT_SOURCE} (2659 records, newest 2024-10-10, 51 days old); "
        "run `pyward db update` for current data"
    )
    local = StoreInfo(
        source="https://mirror.invalid/all.zip",
        updated=updated,
        record_count=10,
        newest_modified="2024-10-10T17:22:00Z",
    )
    assert freshness_notice(local, now) is None
    assert freshness_notice(local, later) == (
        "warning: advisory data is 51 days old (newest record 2024-10-10, "
        "from https://mirror.invalid/all.zip); run `pyward db update`"
    )


def test_lookup_path_imports_no_heavy_module(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pyward._advisory import AdvisoryStore\n"
        "heavy = ('yaml', 'httpx', 'rich', 'orjson', 'platformdirs')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        f"s = AdvisoryStore.open({str(tmp_path)!r})\n"
        "s.matches('django', '3.2')\n"
        "s.vulnerabilities('django', '3.2')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == "[]\n[]\n"
