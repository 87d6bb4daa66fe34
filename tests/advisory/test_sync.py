"""``db update`` sources, incremental and atomic rebuilds, malformed records, HTTP."""

from __future__ import annotations

import copy
import http.server
import os
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import orjson
import pytest

from pyward._advisory import AdvisoryStore, _osv, _sync
from pyward._advisory._store import STORE_FILE, StoreWriter
from pyward._advisory._sync import update
from pyward._settings import Settings
from pyward.errors import InputError, NetworkError
from tests.advisory.conftest import all_real_records, real_record
from tests.conftest import loopback

PACKAGES = {"django", "pyyaml", "requests", "jinja2", "py", "gratient", "redis", "torch"}


def subset() -> list[dict[str, Any]]:
    """Every real record of a few packages (django alone has a hundred)."""
    return [
        r
        for r in all_real_records()
        if any(a["package"]["name"].lower() in PACKAGES for a in r["affected"])
    ]


def write_zip(
    path: Path, records: list[dict[str, Any]], extra: dict[str, bytes] | None = None
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for record in records:
            zf.writestr(f"{record['id']}.json", orjson.dumps(record))
        for name, payload in (extra or {}).items():
            zf.writestr(name, payload)
    return path


def test_subset_size() -> None:
    assert len(subset()) == 137


def test_zip_then_incremental_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = subset()
    first = update(str(write_zip(tmp_path / "a.zip", records)), tmp_path / "cache")
    assert (first.added, first.changed, first.unchanged, first.removed, first.skipped) == (
        137,
        0,
        0,
        0,
        0,
    )
    assert first.info is not None
    assert first.info.record_count == 137
    assert first.info.source == str((tmp_path / "a.zip").resolve())

    changed = copy.deepcopy(real_record("PYSEC-2023-100"))
    changed["modified"] = "2024-12-01T00:00:00Z"
    changed["affected"][0]["ranges"][0]["events"][1] = {"fixed": "4.2.4"}
    new = {
        "id": "GHSA-0000-0000-0001",
        "modified": "2024-12-02T00:00:00Z",
        "aliases": ["CVE-2023-36053"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Django"}, "versions": ["4.2.3"]}],
    }
    second_records = [r for r in records if r["id"] not in {"PYSEC-2023-100", "PYSEC-2024-1"}]
    second_records += [changed, new]
    parsed: list[str] = []
    real_parse = _osv.parse_advisory

    def counting(data: Any, *, file: str | None = None) -> Any:
        parsed.append(data["id"])
        return real_parse(data, file=file)

    monkeypatch.setattr(_sync, "parse_advisory", counting)
    second = update(str(write_zip(tmp_path / "a.zip", second_records)), tmp_path / "cache")
    assert (second.added, second.changed, second.unchanged, second.removed, second.skipped) == (
        1,
        1,
        135,
        1,
        0,
    )
    assert sorted(parsed) == ["GHSA-0000-0000-0001", "PYSEC-2023-100"]  # only what changed
    assert second.summary().startswith(
        f"137 records from {(tmp_path / 'a.zip').resolve()}: "
        "1 added, 1 changed, 135 unchanged, 1 removed, 0 skipped ("
    )
    monkeypatch.undo()
    store = AdvisoryStore.open(tmp_path / "cache")
    assert store.info.newest_modified == "2024-12-02T00:00:00Z"
    assert store.advisory("PYSEC-2024-1") is None
    reasons: dict[str, str] = {m.advisory_id: m.reason for m in store.matches("django", "4.2.3")}
    assert reasons["PYSEC-2023-100"] == "ECOSYSTEM range: introduced 4.2, fixed 4.2.4"
    assert reasons["GHSA-0000-0000-0001"] == "listed in versions as 4.2.3"
    assert next(
        v.ids for v in store.vulnerabilities("django", "4.2.3") if v.id == "PYSEC-2023-100"
    ) == (
        "PYSEC-2023-100",
        "GHSA-0000-0000-0001",
        "CVE-2023-36053",
    )


def test_directory_source_with_yaml_and_json(tmp_path: Path) -> None:
    root = tmp_path / "db" / "vulns"
    (root / "django").mkdir(parents=True)
    (root / "django" / "PYSEC-2023-100.yaml").write_bytes(
        (
            Path(__file__).parent.parent
            / "data/pypa-advisory-database/vulns/django/PYSEC-2023-100.yaml"
        ).read_bytes()
    )
    (root / "gratient").mkdir()
    (root / "gratient" / "PYSEC-2024-1.json").write_bytes(orjson.dumps(real_record("PYSEC-2024-1")))
    (root / ".id-allocator").write_text("1")
    (root / "README.txt").write_text("not a record")
    result = update(str(tmp_path / "db"), tmp_path / "cache")
    assert (result.added, result.skipped, result.warnings) == (2, 0, ())
    again = update(str(tmp_path / "db"), tmp_path / "cache")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    (root / "gratient" / "PYSEC-2024-1.json").write_bytes(
        orjson.dumps({**real_record("PYSEC-2024-1"), "modified": "2024-02-01T00:00:00Z"})
    )
    third = update(str(tmp_path / "db"), tmp_path / "cache")
    assert (third.added, third.changed, third.unchanged) == (0, 1, 1)


def test_malformed_records_are_skipped_and_counted(tmp_path: Path) -> None:
    good = real_record("PYSEC-2024-1")
    no_id = {k: v for k, v in good.items() if k != "id"}
    major = {**good, "id": "PYSEC-9999-1", "schema_version": "2.0.0"}
    empty = copy.deepcopy(real_record("PYSEC-2023-100"))
    empty["id"] = "PYSEC-9999-2"
    empty["affected"][0]["ranges"][0]["events"] = []
    bad_version = copy.deepcopy(real_record("PYSEC-2023-100"))
    bad_version["id"] = "PYSEC-9999-3"
    bad_version["affected"][0]["ranges"][0]["events"][0] = {"introduced": "four"}
    source = write_zip(
        tmp_path / "m.zip",
        [good, major, empty, bad_version],
        {"broken.json": b"{not json", "noid.json": orjson.dumps(no_id), "x/bad.yaml": b"a: [\n"},
    )
    result = update(str(source), tmp_path / "cache")
    assert result.skipped == 5
    # A bound that is not PEP 440 leaves the record in, without the range that holds it:
    # issue 11 item 9.
    assert result.added == 2
    assert result.warnings == (
        "skipped PYSEC-9999-1.json: PYSEC-9999-1 schema_version: "
        "unsupported OSV schema major version '2.0.0'",
        "skipped PYSEC-9999-2.json: PYSEC-9999-2 affected[0].ranges[0].events: empty",
        "PYSEC-9999-3.json: PYSEC-9999-3: affected[0].ranges[0].events[0].introduced: "
        "not a PEP 440 version: 'four'; range skipped",
        "skipped broken.json: invalid JSON: unexpected character, expected a string key: "
        "line 1 column 2 (char 1)",
        "skipped noid.json: id: missing",
        "skipped x/bad.yaml: line 2: invalid YAML: did not find expected node content",
    )
    assert AdvisoryStore.open(tmp_path / "cache").info.skipped == 5


def test_failed_update_leaves_the_previous_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    update(str(write_zip(tmp_path / "a.zip", subset())), cache)
    before = (cache / STORE_FILE).read_bytes()
    reader = AdvisoryStore.open(cache)

    def boom(self: StoreWriter, **kwargs: Any) -> dict[str, str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(StoreWriter, "finish", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        update(str(write_zip(tmp_path / "b.zip", subset()[:10])), cache)
    assert (cache / STORE_FILE).read_bytes() == before
    assert sorted(p.name for p in cache.iterdir()) == [STORE_FILE]
    assert reader.refresh() is False
    assert AdvisoryStore.open(cache).info.record_count == 137
    assert [m.advisory_id for m in reader.matches("gratient", "0.5")] == ["PYSEC-2024-1"]


def test_reader_survives_replacement_and_refreshes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    update(str(write_zip(tmp_path / "a.zip", subset())), cache)
    reader = AdvisoryStore.open(cache)
    assert reader.info.record_count == 137
    update(str(write_zip(tmp_path / "b.zip", [real_record("PYSEC-2024-1")])), cache)
    # not refreshed yet: still answers from the old file (its inode is still open)
    assert len(reader.ids_for_package("django")) == 116
    assert reader.refresh() is True
    assert reader.info.record_count == 1
    assert reader.ids_for_package("django") == []
    assert reader.refresh() is False


def test_concurrent_readers_while_updating(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    small = write_zip(tmp_path / "s.zip", subset()[:50])
    full = write_zip(tmp_path / "f.zip", subset())
    update(str(full), cache)
    store = AdvisoryStore.open(cache)
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                store.refresh()
                store.matches("PyYAML", "5.3")
                store.record("PYSEC-2024-1")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(4):
        update(str(small if i % 2 == 0 else full), cache)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    store.refresh()
    assert store.info.record_count == 137


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "{p}/missing: no such file or directory"),
        (
            lambda p: (p / "x.zip").write_bytes(b"PK\x03\x04 truncated") and p / "x.zip",
            "{p}/x.zip: not a zip of OSV records (File is not a zip file)",
        ),
        (
            lambda p: (p / "empty").mkdir() or p / "empty",
            "{p}/empty: no OSV records (.json or .yaml files) found",
        ),
        (
            lambda p: write_zip(p / "n.zip", [], {"a.json": b"[1, 2]"}),
            "{p}/n.zip: no valid OSV record (1 malformed; first: skipped a.json: "
            "not an OSV record (a list, not an object))",
        ),
    ],
)
def test_bad_sources(tmp_path: Path, make: Any, message: str) -> None:
    source = make(tmp_path)
    with pytest.raises(InputError) as info:
        update(str(source), tmp_path / "cache")
    assert str(info.value) == message.format(
        p=tmp_path.resolve() if "missing" not in message else tmp_path
    )
    assert not (tmp_path / "cache" / STORE_FILE).exists()


def test_corrupt_zip_member(tmp_path: Path) -> None:
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("PYSEC-2024-1.json", orjson.dumps(real_record("PYSEC-2024-1")))
    raw = bytearray(path.read_bytes())
    at = raw.index(b'"PYSEC-2024-1"')
    raw[at + 1] = ord("X")
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError) as info:
        update(str(path), tmp_path / "cache")
    assert (
        str(info.value)
        == f"{path}: PYSEC-2024-1.json: corrupt zip (Bad CRC-32 for file 'PYSEC-2024-1.json')"
    )


# -- HTTP ---------------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""
    etag = '"v1"'
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).seen.append(dict(self.headers.items()))
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.end_headers()
            return
        if self.path != "/PyPI/all.zip":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(self.payload)))
        self.send_header("ETag", self.etag)
        self.send_header("Last-Modified", "Thu, 10 Oct 2024 17:22:00 GMT")
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    _Handler.payload = write_zip(tmp_path / "served.zip", subset()).read_bytes()
    _Handler.etag = '"v1"'
    _Handler.seen = []
    with loopback(_Handler) as base:
        yield base


def test_url_source_is_conditional(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{server}/PyPI/all.zip"
    monkeypatch.setenv("PYWARD_OSV_URL", url)
    cache = tmp_path / "cache"
    first = update(None, cache, osv_url=Settings.from_environ(os.environ).osv_url)
    assert (first.added, first.source) == (137, url)
    store = AdvisoryStore.open(cache)
    assert store.meta["etag"] == '"v1"'
    assert store.meta["last_modified"] == "Thu, 10 Oct 2024 17:22:00 GMT"
    second = update(url, cache)
    assert second.not_modified is True
    assert second.summary() == f"advisory data unchanged: {url} not modified since the last update"
    assert len(_Handler.seen) == 2
    assert _Handler.seen[1]["If-None-Match"] == '"v1"'
    assert _Handler.seen[1]["If-Modified-Since"] == "Thu, 10 Oct 2024 17:22:00 GMT"
    assert "If-None-Match" not in _Handler.seen[0]
    _Handler.etag = '"v2"'
    third = update(url, cache)
    assert (third.added, third.changed, third.unchanged) == (0, 0, 137)
    assert sorted(p.name for p in cache.iterdir()) == [STORE_FILE]


def test_url_errors(tmp_path: Path, server: str) -> None:
    with pytest.raises(NetworkError) as info:
        update(f"{server}/nothing.zip", tmp_path / "cache")
    assert str(info.value) == f"{server}/nothing.zip: HTTP 404 Not Found"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(NetworkError) as info:
        update("https://mirror.invalid/all.zip", tmp_path / "cache", client=client)
    assert str(info.value) == "https://mirror.invalid/all.zip: ConnectError: connection refused"
    assert list((tmp_path / "cache").iterdir()) == []  # the partial download is removed


def test_mock_transport_download(tmp_path: Path) -> None:
    payload = write_zip(tmp_path / "m.zip", [real_record("PYSEC-2024-1")]).read_bytes()
    client = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=payload))
    )
    result = update(
        "https://mirror.invalid/all.zip", tmp_path / "cache", client=client, progress=True
    )
    assert (result.added, result.source) == (1, "https://mirror.invalid/all.zip")
    assert AdvisoryStore.open(tmp_path / "cache").meta.get("etag") is None


def test_duplicate_ids_keep_the_newer_and_newer_schema_minor_warns(tmp_path: Path) -> None:
    root = tmp_path / "db"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    old = real_record("PYSEC-2024-1")
    new = {**old, "modified": "2024-06-01T00:00:00Z", "schema_version": "1.9.0"}
    (root / "a" / "PYSEC-2024-1.json").write_bytes(orjson.dumps(new))
    (root / "b" / "PYSEC-2024-1.json").write_bytes(orjson.dumps(old))
    result = update(str(root), tmp_path / "cache")
    assert result.warnings == (
        "b/PYSEC-2024-1.json: PYSEC-2024-1: duplicate of a/PYSEC-2024-1.json; kept the newer one",
        "1 record(s) use OSV schema 1.9, newer than 1.7; read with the fields this version knows",
    )
    assert (result.added, result.skipped) == (1, 0)
    store = AdvisoryStore.open(tmp_path / "cache")
    advisory = store.advisory("PYSEC-2024-1")
    assert advisory is not None
    assert advisory.modified == "2024-06-01T00:00:00Z"


def test_snapshot_backed_store_switches_to_the_first_real_store(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    store = AdvisoryStore.open(cache)
    assert store.info.snapshot is True
    assert store.refresh() is False
    update(str(write_zip(tmp_path / "a.zip", [real_record("PYSEC-2024-1")])), cache)
    assert store.refresh() is True
    assert (store.info.snapshot, store.info.record_count) == (False, 1)
    assert store.info.path == str(cache / STORE_FILE)
    assert store.ids_for_package("django") == []
    assert store.refresh() is False


def test_url_that_is_not_a_zip(tmp_path: Path) -> None:
    client = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=b"<html>"))
    )
    with pytest.raises(InputError) as info:
        update("https://mirror.invalid/all.zip", tmp_path / "cache", client=client)
    assert str(info.value) == (
        "https://mirror.invalid/all.zip: not a zip of OSV records (File is not a zip file)"
    )
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_database_clone_is_read_from_vulns_only(tmp_path: Path) -> None:
    # Issue 11 item 10: triage/false_positives.yaml counted as a skipped record.
    db = tmp_path / "db"
    (db / "vulns" / "gratient").mkdir(parents=True)
    (db / "vulns" / "gratient" / "PYSEC-2024-1.json").write_bytes(
        orjson.dumps(real_record("PYSEC-2024-1"))
    )
    (db / "triage").mkdir()
    (db / "triage" / "false_positives.yaml").write_text("- id: PYSEC-0\n  reason: x\n")
    (db / "other.json").write_text("[]")
    (db / ".github").mkdir()
    (db / ".github" / "ci.yaml").write_text("on: push\n")
    result = update(str(db), tmp_path / "cache")
    assert (result.added, result.skipped) == (1, 0)
    assert result.warnings == (
        "ignored 2 .json/.yaml files outside vulns/ (not records), e.g. other.json",
    )
    (db / "other.json").unlink()
    again = update(str(db), tmp_path / "cache")
    assert (again.unchanged, again.skipped) == (1, 0)
    assert again.warnings == (
        "ignored 1 .json/.yaml file outside vulns/ (not records), e.g. triage/false_positives.yaml",
    )
    # A plain directory of records (no vulns/) is read whole, as before.
    plain = update(str(db / "vulns"), tmp_path / "cache2")
    assert (plain.added, plain.skipped, plain.warnings) == (1, 0, ())
