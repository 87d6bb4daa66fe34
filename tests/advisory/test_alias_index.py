"""The store's alias index (format 2): ``ids_for_alias``, kept by incremental updates,
shipped in the snapshot, used by ``explain``; an old-format store is rebuilt."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from pyward._advisory import AdvisoryStore
from pyward._advisory._store import STORE_FILE, STORE_FORMAT, open_snapshot
from pyward._advisory._sync import update
from pyward._cli import main
from pyward._commands.explain import find_records
from pyward.errors import InputError
from tests.advisory.conftest import real_record
from tests.conftest import PYPA_VULNS

#: Directories of the real records used here: CVE-2021-32807 is named by an
#: AccessControl and a Zope record; flask-caching has a withdrawn record.
PACKAGES = ("accesscontrol", "zope", "requests", "flask-caching")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "vulns"
    for package in PACKAGES:
        shutil.copytree(PYPA_VULNS / package, src / package)
    return src


def test_ids_for_alias_in_memory(real_store: AdvisoryStore) -> None:
    assert real_store.ids_for_alias("CVE-2021-32807") == ["PYSEC-2021-335", "PYSEC-2021-875"]
    assert real_store.ids_for_alias("GHSA-qcx9-j53g-ccgf") == [
        "PYSEC-2021-335",
        "PYSEC-2021-368",
        "PYSEC-2021-370",
        "PYSEC-2021-875",
    ]
    # Case does not matter; a record's own id is not its alias; unknown ids: nothing.
    assert real_store.ids_for_alias("cve-2023-32681") == ["PYSEC-2023-74"]
    assert real_store.ids_for_alias("PYSEC-2023-74") == []
    assert real_store.ids_for_alias("CVE-1999-0001") == []
    # Withdrawn records are indexed too (explain shows them, marked withdrawn).
    assert real_store.ids_for_alias("CVE-2021-33026") == ["PYSEC-2021-13"]


def test_upstream_ids_are_indexed() -> None:
    rec = {**real_record("PYSEC-2023-74"), "upstream": ["CVE-2023-0001"]}
    store = AdvisoryStore.from_records([rec])
    assert store.ids_for_alias("CVE-2023-0001") == ["PYSEC-2023-74"]
    assert store.ids_for_alias("GHSA-j8r2-6x86-q33q") == ["PYSEC-2023-74"]


def test_a_replaced_record_leaves_no_stale_alias() -> None:
    old = real_record("PYSEC-2023-74")
    new = {**old, "modified": "2024-06-01T00:00:00Z", "aliases": ["CVE-2023-32681"]}
    store = AdvisoryStore.from_records([old, new])
    assert store.ids_for_alias("GHSA-j8r2-6x86-q33q") == []
    assert store.ids_for_alias("CVE-2023-32681") == ["PYSEC-2023-74"]


def test_store_file_and_incremental_update_keep_the_index(source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = update(str(source), cache)
    assert (first.added, first.unchanged, first.info.record_count) == (13, 0, 13)  # type: ignore[union-attr]
    # The second update copies every unchanged row from the first store (copy_from).
    (source / "requests" / "PYSEC-2023-74.yaml").unlink()
    second = update(str(source), cache)
    assert (second.added, second.removed) == (0, 1)
    assert second.unchanged == 12
    with AdvisoryStore.open(cache) as store:
        assert store.ids_for_alias("CVE-2021-32807") == ["PYSEC-2021-335", "PYSEC-2021-875"]
        assert store.ids_for_alias("CVE-2021-33026") == ["PYSEC-2021-13"]
        assert store.ids_for_alias("CVE-2023-32681") == []
        assert store.meta["format"] == STORE_FORMAT == "3"


#: The CVSS vector of the records of PACKAGES (PYSEC-2023-193, zope) and its base score.
ZOPE_SCORE = {("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N"): 4.8}


def _downgrade(path: Path, *, drop: str, to: str) -> None:
    """Turn a store into what pyward wrote before the table ``drop`` (format ``to``)."""
    conn = sqlite3.connect(path)
    conn.execute(f"DROP TABLE {drop}")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'format'", (to,))
    conn.commit()
    conn.close()


def test_old_format_store_says_run_db_update_and_db_update_rebuilds_it(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    count = update(str(source), cache).info.record_count  # type: ignore[union-attr]
    _downgrade(cache / STORE_FILE, drop="aliases", to="1")
    with pytest.raises(InputError) as exc:
        AdvisoryStore.open(cache)
    assert str(exc.value) == (
        f"{cache / STORE_FILE}: advisory store format '1' is not '3'; "
        "run `pyward db update` to rebuild it"
    )
    assert main(["explain", "CVE-2021-32807", "--cache-dir", str(cache)]) == 2
    assert capsys.readouterr().err == f"pyward: error: {exc.value}\n"
    # db update reuses nothing from a store of another format: every record is re-read.
    result = update(str(source), cache)
    assert (result.added, result.unchanged) == (count, 0)
    with AdvisoryStore.open(cache) as store:
        assert store.ids_for_alias("CVE-2021-32807") == ["PYSEC-2021-335", "PYSEC-2021-875"]


def test_shipped_snapshot_has_the_alias_index(tmp_path: Path) -> None:
    store = open_snapshot(tmp_path)
    assert store is not None
    assert store.meta["format"] == "3"
    assert store.ids_for_alias("CVE-2023-32681") == ["PYSEC-2023-74"]
    assert store.ids_for_alias("CVE-2021-32807") == ["PYSEC-2021-335", "PYSEC-2021-875"]


def test_explain_uses_the_index_not_a_scan(
    real_store: AdvisoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_scan(self: AdvisoryStore) -> list[str]:
        raise AssertionError("explain must not scan every record")

    monkeypatch.setattr(AdvisoryStore, "all_ids", no_scan)
    assert [a.id for a in find_records(real_store, "CVE-2021-32807")] == [
        "PYSEC-2021-335",
        "PYSEC-2021-875",
    ]
    # From a record's id: the other records naming one of its aliases.
    assert [a.id for a in find_records(real_store, "PYSEC-2021-370")] == [
        "PYSEC-2021-370",
        "PYSEC-2021-368",
        "PYSEC-2021-335",
        "PYSEC-2021-875",
    ]
    # With a package: only that package's records.
    assert [a.id for a in find_records(real_store, "CVE-2021-32807", "zope")] == ["PYSEC-2021-875"]


def test_incremental_update_keeps_the_scores_of_unchanged_records(
    source: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    update(str(source), cache)
    with AdvisoryStore.open(cache) as store:
        assert store.scores(store.all_ids()) == ZOPE_SCORE
    result = update(str(source), cache)
    assert (result.added, result.changed, result.unchanged) == (0, 0, 13)
    with AdvisoryStore.open(cache) as store:
        assert store.scores(store.all_ids()) == ZOPE_SCORE


def test_format_2_store_is_read_and_its_vectors_scored_at_audit_time(
    source: Path, tmp_path: Path
) -> None:
    # Format 3 only added the ``scores`` table: an upgrade keeps audits working.
    cache = tmp_path / "cache"
    update(str(source), cache)
    with AdvisoryStore.open(cache) as store:
        ids = store.all_ids()
        before = [store.vulnerabilities("zope", "5.8.5"), store.scores(ids)]
    _downgrade(cache / STORE_FILE, drop="scores", to="2")
    with AdvisoryStore.open(cache) as store:
        assert store.meta["format"] == "2"
        assert store.scores(ids) == {}
        assert store.vulnerabilities("zope", "5.8.5") == before[0]
    out = tmp_path / "report.json"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("zope==5.8.5\n", encoding="utf-8")
    code = main(
        ["audit", str(requirements), "--cache-dir", str(cache), "-q", "-f", "json", "-o", str(out)]
    )
    assert code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    scored = {f["id"]: f["severity"]["score"] for f in report["findings"]}
    # Scored by the library now, as db update scored it for the format-3 store.
    assert scored == {"PYSEC-2023-193": 4.8}
    assert before[1] == ZOPE_SCORE
    # db update rebuilds it in the current format.
    result = update(str(source), cache)
    assert result.unchanged == 0
    with AdvisoryStore.open(cache) as store:
        assert store.meta["format"] == STORE_FORMAT
        assert store.scores(ids) == before[1]
