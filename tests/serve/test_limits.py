"""``pyward serve`` against hostile clients (issue 12, items 1, 2 and 13): bounded
caches, capped lengths, one log line for a client that goes away, a deadline on
headers, and a bound on the process's memory."""

from __future__ import annotations

import logging
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from pyward._serve import create_app
from pyward._serve._app import MEMO_BOUND, RECORDS_BOUND, Limits, Service
from pyward._serve._cache import Bound, BoundedCache
from pyward._serve._protocol import H11HeaderDeadline
from pyward._serve._query import ApiError, Query
from tests.conftest import PYPA_VULNS
from tests.serve._support import db_update, free_socket, make_store, running_server, serve_process

# -- the caches ------------------------------------------------------------------------


def _sized(key: str, value: bytes) -> int:
    return len(key) + len(value)


def test_cache_is_bounded_by_entries_least_recently_used_first() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(Bound(entries=2, bytes=1000), _sized)
    cache.put("a", b"1")
    cache.put("b", b"22")
    assert cache.get("a") == (True, b"1")  # "a" is now the most recently used
    cache.put("c", b"333")
    assert (len(cache), cache.bytes) == (2, 6)
    assert cache.get("b") == (False, None)
    assert cache.get("a") == (True, b"1")
    assert cache.get("c") == (True, b"333")


def test_cache_is_bounded_by_bytes() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(Bound(entries=100, bytes=10), _sized)
    cache.put("a", b"1234")  # 5 bytes
    cache.put("b", b"1234")  # 10
    cache.put("c", b"12")  # 13: "a" goes
    assert (len(cache), cache.bytes) == (2, 8)
    assert cache.get("a") == (False, None)
    cache.put("b", b"")  # replaced, not counted twice
    assert (len(cache), cache.bytes) == (2, 4)
    cache.put("big", b"12345678")  # 11 bytes: more than the whole bound, not kept
    assert (len(cache), cache.bytes) == (2, 4)
    assert cache.get("big") == (False, None)


def test_default_bounds() -> None:
    assert Limits() == Limits(memo=MEMO_BOUND, records=RECORDS_BOUND)
    assert (MEMO_BOUND.entries, MEMO_BOUND.bytes) == (65536, 16 * 1024 * 1024)
    assert (RECORDS_BOUND.entries, RECORDS_BOUND.bytes) == (16384, 64 * 1024 * 1024)


def test_service_caches_stay_within_their_bounds(pypa_store: Any) -> None:
    limits = Limits(memo=Bound(entries=3, bytes=100), records=Bound(entries=4, bytes=20_000))
    service = Service(pypa_store, limits=limits)
    gen = service.generation
    service.query(Query(name="requests", version="2.19.0"))
    # "requests" + "2.19.0" + "PYSEC-2018-28" + "PYSEC-2023-74"
    assert (len(gen.memo), gen.memo.bytes) == (1, 40)
    full = [pypa_store.record(i) for i in ("PYSEC-2018-28", "PYSEC-2023-74")]
    assert len(gen.records) == 2
    assert gen.records.bytes == sum(
        len(r["id"])
        + len(r["modified"])
        + len(orjson.dumps(r))
        + len(orjson.dumps({"id": r["id"], "modified": r["modified"]}))
        for r in full
    )
    # Many names nobody has: the memo keeps the last 3, "no-such-NNNN" + "1.0" each.
    for i in range(1000):
        service.query(Query(name=f"no-such-{i:04d}", version="1.0"))
    assert (len(gen.memo), gen.memo.bytes) == (3, 3 * (12 + 3))
    # Many ids nobody has: the record cache keeps the last 4, by id length.
    for i in range(1000):
        with pytest.raises(ApiError, match="no such record"):
            service.vuln(f"PYSEC-1999-{i:04d}")
    assert (len(gen.records), gen.records.bytes) == (4, 4 * 15)
    # Big records: the byte bound keeps fewer.
    service.query(Query(name="django", version="3.2.0"))
    assert len(gen.records) <= 4
    assert 15 < gen.records.bytes <= 20_000


def test_names_the_store_does_not_know_are_not_kept() -> None:
    store = make_store([])
    service = Service(store)
    for i in range(100):
        service.query(Query(name=f"unknown-{i}", version="1"))
    assert store._entries == {}


# -- lengths: a 4xx, never a 500 -------------------------------------------------------


def _error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"code": 3, "message": message}


def test_a_4301_digit_version_is_a_400(client: httpx.Client) -> None:
    body = {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "1" * 4301}
    _error(
        client.post("/v1/query", content=orjson.dumps(body)),
        400,
        "version: too long: 4301 characters (at most 256)",
    )
    # The connection is still good, and the longest version accepted is answered.
    body["version"] = "1" * 256
    r = client.post("/v1/query", content=orjson.dumps(body))
    assert (r.status_code, r.content) == (200, b"{}")


def test_ids_longer_than_256_are_a_400(client: httpx.Client) -> None:
    _error(client.get("/v1/vulns/" + "X" * 257), 400, "id: too long: 257 characters (at most 256)")
    r = client.get("/v1/vulns/" + "X" * 256)
    assert r.status_code == 404


# -- a client that goes away mid-body --------------------------------------------------


@pytest.fixture
def own_server(pypa_store: Any) -> Iterator[str]:
    with running_server(create_app(pypa_store)) as url:
        yield url


def test_client_gone_mid_body_is_one_info_line(
    own_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    uvicorn_log = logging.getLogger("uvicorn")
    uvicorn_log.addHandler(caplog.handler)
    try:
        host, port = own_server.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            client = "{}:{}".format(*sock.getsockname())
            sock.sendall(
                b"POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789"
            )
            time.sleep(0.2)
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # anything logged after the first line
    finally:
        uvicorn_log.removeHandler(caplog.handler)
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "pyward.serve",
            "INFO",
            f"{client} disconnected before sending the whole request body (10 bytes received)",
        )
    ]
    assert caplog.records[0].exc_info is None


# -- a deadline on headers -------------------------------------------------------------


class _FastH11(H11HeaderDeadline):
    header_timeout = 1.0


def _protocols() -> list[Any]:
    from pyward._serve import _protocol

    out: list[Any] = [_FastH11]
    httptools = getattr(_protocol, "HttpToolsHeaderDeadline", None)
    if httptools is not None:
        out.append(type("_FastHttpTools", (httptools,), {"header_timeout": 1.0}))
    return out


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    """What the server sent until it closed the connection, and how long that took."""
    start = time.monotonic()
    sock.settimeout(seconds)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data, time.monotonic() - start
        data += chunk


@pytest.mark.parametrize("protocol", _protocols(), ids=lambda p: p.__mro__[2].__name__)
def test_slow_headers_are_cut_off(pypa_store: Any, protocol: Any) -> None:
    with running_server(create_app(pypa_store), http=protocol) as url:
        host, port = url.removeprefix("http://").split(":")
        # A partial request line, then nothing: closed after the deadline.
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /hea")
            data, elapsed = _closed_within(sock, 10)
        assert data == b""
        assert 0.5 < elapsed < 5
        # A whole request on a kept-alive connection is answered, then a partial
        # one is cut off too.
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /v1/vulns/PYSEC-2023-74 HTTP/1.1\r\nHost: x\r\n\r\n")
            head = sock.recv(65536)
            assert head.startswith(b"HTTP/1.1 200 ")
            sock.sendall(b"GET /health HTTP/1.1\r\nHo")
            _, elapsed = _closed_within(sock, 10)
        assert elapsed < 5
        # Unhurried clients are not affected.
        r = httpx.get(f"{url}/health", timeout=10, trust_env=False)
        assert r.status_code == 200


def test_serve_uses_the_header_deadline(pypa_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from pyward._serve import serve
    from pyward._serve._protocol import HEADER_TIMEOUT, protocol_class

    assert HEADER_TIMEOUT == 10.0
    assert protocol_class() == "pyward._serve._protocol:HttpToolsHeaderDeadline"
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    with free_socket() as sock:
        port = sock.getsockname()[1]
    serve(pypa_store, cache_dir=None, port=port)
    assert seen["http"] == "pyward._serve._protocol:HttpToolsHeaderDeadline"


# -- the process's memory under 400 queries of 1 MB names ------------------------------


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_memory_stays_bounded_under_huge_names(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(PYPA_VULNS / "requests", records / "requests")
    cache = tmp_path / "cache"
    db_update(records, cache)
    with (
        serve_process(["--cache-dir", str(cache)]) as (url, proc),
        httpx.Client(base_url=url, timeout=60, trust_env=False) as client,
    ):
        pad = "a" * 1_000_000
        body = {"package": {"name": "", "ecosystem": "PyPI"}, "version": "1.0"}
        before = _rss_kib(proc.pid)
        statuses = set()
        for i in range(400):
            body["package"]["name"] = f"{i:04d}{pad}"  # type: ignore[index]
            statuses.add(client.post("/v1/query", content=orjson.dumps(body)).status_code)
        after = _rss_kib(proc.pid)
    # Refused before any cache sees them (the 400 queries took 163 MB to 928 MB).
    assert statuses == {400}
    # One request's worth of buffers, not 400 requests' worth of cached names.
    assert after - before < 32 * 1024, (before, after)
