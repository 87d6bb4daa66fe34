"""The HTTP client over ``httpx.MockTransport``: content negotiation, retries, the
cache (conditional requests, offline, stale, hostile entries), limits, the batch."""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

import pyward
from pyward._sources.index._cache import cache_key
from pyward._sources.index._client import IndexClient
from pyward._sources.index._model import ProjectInfo
from pyward._sources.index._port import IndexFailure, IndexLookupError
from tests.index._support import (
    INDEX,
    JSON_TYPE,
    T0,
    Clock,
    Recorder,
    cache_files,
    json_page,
    page,
    status,
)

SIX = INDEX + "six/"


def client(recorder: Recorder, **kwargs: Any) -> tuple[IndexClient, list[float]]:
    slept: list[float] = []
    kwargs.setdefault("now", Clock())
    made = IndexClient(
        INDEX, transport=recorder.transport, sleep=slept.append, jitter=lambda: 1.0, **kwargs
    )
    return made, slept


def failure(source: IndexClient, name: str) -> IndexFailure:
    with pytest.raises(IndexLookupError) as exc:
        source.project(name)
    return exc.value.failure


def test_get_sends_the_pep691_accept_header_and_parses() -> None:
    rec = Recorder(json_page(page("six")))
    source, slept = client(rec)
    info = source.project("Six")
    assert (info.name, len(info.versions), info.from_cache, info.stale) == ("six", 29, False, False)
    assert info.fetched_at == T0
    (request,) = rec.requests
    assert str(request.url) == SIX
    assert request.headers["Accept"] == JSON_TYPE
    assert request.headers["User-Agent"] == f"pyward/{pyward.__version__}"
    assert slept == []


def test_latest_json_type_is_accepted() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=page("six"),
            headers={"Content-Type": "application/vnd.pypi.simple.latest+json"},
        )

    source, _ = client(Recorder(answer))
    assert len(source.project("six").files) == 48


def test_html_answer_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html></html>", headers={"Content-Type": "text/html"})

    source, _ = client(Recorder(answer))
    assert failure(source, "six") == IndexFailure(
        name="six",
        reason=f"{SIX}: the index answered text/html, not PEP 691 JSON: it does not speak "
        "PEP 691 (the JSON simple API)",
        kind="unsupported",
        url=SIX,
    )


def test_unknown_major_api_version() -> None:
    data = orjson.loads(page("six"))
    data["meta"]["api-version"] = "2.0"
    source, _ = client(Recorder(json_page(orjson.dumps(data))))
    assert failure(source, "six") == IndexFailure(
        name="six",
        reason=f"{SIX}: meta.api-version: unsupported simple API version 2.0 "
        "(this pyward reads 1.x)",
        kind="unsupported",
        url=SIX,
    )


def test_bad_file_entry_is_skipped_with_a_note() -> None:
    data = orjson.loads(page("six"))
    data["files"][3]["upload-time"] = "soon"
    source, _ = client(Recorder(json_page(orjson.dumps(data))))
    info = source.project("six")
    assert len(info.files) == 47
    assert info.notes == (f"{SIX}: files[3].upload-time: not a date: 'soon'; file skipped",)


def test_404_is_not_on_this_index() -> None:
    source, _ = client(Recorder(status(404)))
    assert failure(source, "No_Such") == IndexFailure(
        name="no-such",
        reason=f"no-such: not on this index ({INDEX}): HTTP 404",
        kind="not-found",
        url=INDEX + "no-such/",
    )


def test_403_is_an_http_failure_without_retry() -> None:
    rec = Recorder(status(403))
    source, slept = client(rec)
    assert failure(source, "six").reason == f"{SIX}: HTTP 403 Forbidden"
    assert (len(rec.requests), slept) == (1, [])


def test_429_with_retry_after_then_200() -> None:
    rec = Recorder(status(429, retry_after="7"), json_page(page("six")))
    source, slept = client(rec)
    assert len(source.project("six").versions) == 29
    assert slept == [7.0]


def test_a_retry_after_that_is_no_number_backs_off_instead() -> None:
    # "\u00b2".isdigit() is true, and float() of it raised ValueError.
    rec = Recorder(status(429, retry_after="\u00b2"), json_page(page("six")))
    source, slept = client(rec, backoff=0.5)
    assert source.project("six").name == "six"
    assert slept == [0.5]


def test_retry_after_is_capped() -> None:
    rec = Recorder(status(503, retry_after="3600"), json_page(page("six")))
    source, slept = client(rec, max_retry_after=60.0)
    source.project("six")
    assert slept == [60.0]


def test_503_then_200_backs_off() -> None:
    rec = Recorder(status(503), status(502), json_page(page("six")))
    source, slept = client(rec, backoff=0.5)
    assert source.project("six").name == "six"
    assert slept == [0.5, 1.0]  # jitter 1.0: the whole exponential step
    assert len(rec.requests) == 3


def test_jitter_halves_at_most() -> None:
    rec = Recorder(status(503), json_page(page("six")))
    slept: list[float] = []
    source = IndexClient(
        INDEX, transport=rec.transport, sleep=slept.append, jitter=lambda: 0.0, backoff=2.0
    )
    source.project("six")
    assert slept == [1.0]


def test_connect_error_exhausts_retries() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    rec = Recorder(refuse)
    source, slept = client(rec, retries=3, backoff=0.5)
    assert failure(source, "six") == IndexFailure(
        name="six",
        reason=f"{SIX}: ConnectError: connection refused (after 4 attempts)",
        kind="network",
        url=SIX,
    )
    assert slept == [0.5, 1.0, 2.0]
    assert len(rec.requests) == 4


def test_total_time_bounds_the_retries() -> None:
    elapsed = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        elapsed[0] += seconds

    source = IndexClient(
        INDEX,
        transport=Recorder(status(503, retry_after="30")).transport,
        retries=5,
        total_timeout=80.0,
        sleep=sleep,
        monotonic=lambda: elapsed[0],
    )
    assert failure(source, "six").reason == (
        f"{SIX}: HTTP 503 Service Unavailable; gave up: the next attempt would pass 80 s "
        "(after 3 attempts)"
    )
    assert slept == [30.0, 30.0]


def test_body_size_limit() -> None:
    source, _ = client(Recorder(json_page(page("six"))), max_body=1000)
    assert failure(source, "six") == IndexFailure(
        name="six",
        reason=f"{SIX}: response too large (18425 bytes; the limit is 1000 bytes)",
        kind="too-large",
        url=SIX,
    )

    def streamed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([page("six")]), headers={"Content-Type": JSON_TYPE})

    source, _ = client(Recorder(streamed), max_body=1000)
    assert failure(source, "six").reason == (
        f"{SIX}: response too large (more; the limit is 1000 bytes)"
    )


def test_conditional_request_and_304(tmp_path: Path) -> None:
    clock = Clock()
    rec = Recorder(
        json_page(page("six"), etag='"v1"', last_modified="Wed, 01 Jan 2025 00:00:00 GMT"),
        status(304, etag='"v2"'),
    )
    source, _ = client(rec, cache_dir=tmp_path, now=clock)
    first = source.project("six")
    assert (first.from_cache, first.fetched_at) == (False, T0)
    assert cache_files(tmp_path) == [f"{cache_key(SIX)}.json"]

    clock.advance(minutes=10)  # fresh: no request
    again = source.project("six")
    assert (again.from_cache, again.stale, again.fetched_at, len(rec.requests)) == (
        True,
        False,
        T0,
        1,
    )

    clock.advance(hours=25)  # older than max_age (24 h): revalidated
    revalidated = source.project("six")
    assert len(rec.requests) == 2
    assert rec.requests[1].headers["If-None-Match"] == '"v1"'
    assert rec.requests[1].headers["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert (revalidated.from_cache, revalidated.stale, revalidated.fetched_at) == (
        True,
        False,
        clock.now,
    )
    assert len(revalidated.versions) == 29
    stored = orjson.loads((tmp_path / "index" / f"{cache_key(SIX)}.json").read_bytes())
    assert (stored["etag"], stored["fetched_at"], stored["url"]) == (
        '"v2"',
        "2025-01-03T04:14:05+00:00",
        SIX,
    )


def test_offline(tmp_path: Path) -> None:
    source, _ = client(Recorder(status(500)), cache_dir=tmp_path, offline=True)
    assert failure(source, "six") == IndexFailure(
        name="six", reason=f"{SIX}: offline and not cached", kind="offline", url=SIX
    )
    clock = Clock()
    online, _ = client(Recorder(json_page(page("six"))), cache_dir=tmp_path, now=clock)
    online.project("six")
    clock.advance(days=2)
    rec = Recorder(status(500))
    offline, _ = client(rec, cache_dir=tmp_path, offline=True, now=clock)
    info = offline.project("six")
    assert (info.from_cache, info.stale, info.fetched_at, rec.requests) == (True, True, T0, [])
    assert info.notes == (f"offline: used the copy of {SIX} cached at 2025-01-02T03:04:05Z",)


def test_stale_cache_on_network_failure(tmp_path: Path) -> None:
    clock = Clock()
    rec = Recorder(json_page(page("six")), status(503))
    source, slept = client(rec, cache_dir=tmp_path, now=clock, retries=1)
    source.project("six")
    clock.advance(hours=25)
    info = source.project("six")
    assert (info.from_cache, info.stale, info.fetched_at, len(info.versions)) == (
        True,
        True,
        T0,
        29,
    )
    assert info.notes == (
        f"could not refresh {SIX} ({SIX}: HTTP 503 Service Unavailable (after 2 attempts)); "
        "used the copy cached at 2025-01-02T03:04:05Z",
    )
    assert slept == [0.5]


def entry_path(tmp_path: Path) -> Path:
    path = tmp_path / "index" / f"{cache_key(SIX)}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (pickle.dumps({"body": "x"}), "not a cache entry (JSONDecodeError)"),
        (b"{not json", "not a cache entry (JSONDecodeError)"),
        (b"[1, 2]", "not a cache entry"),
        (orjson.dumps({"format": 99}), "unknown cache format 99"),
        (
            orjson.dumps({"format": 1, "key": cache_key(INDEX + "other/"), "body": "{}"}),
            "written for another URL",
        ),
        (
            orjson.dumps({"format": 1, "key": cache_key(SIX), "body": 1}),
            "no body",
        ),
        (
            orjson.dumps({"format": 1, "key": cache_key(SIX), "body": "{}", "fetched_at": "never"}),
            "no fetch time",
        ),
    ],
)
def test_corrupt_or_hostile_entry_is_a_miss(tmp_path: Path, content: bytes, why: str) -> None:
    path = entry_path(tmp_path)
    path.write_bytes(content)
    (path.parent / "planted.pickle").write_bytes(pickle.dumps(object()))
    rec = Recorder(json_page(page("six")))
    source, _ = client(rec, cache_dir=tmp_path)
    info = source.project("six")
    assert (info.from_cache, len(rec.requests)) == (False, 1)
    assert info.notes == (f"ignored the cache entry {path}: {why}; fetching anew",)
    assert orjson.loads(path.read_bytes())["format"] == 1  # overwritten by the good answer


def test_cached_body_that_is_not_a_page_is_fetched_anew(tmp_path: Path) -> None:
    path = entry_path(tmp_path)
    path.write_bytes(
        orjson.dumps(
            {
                "format": 1,
                "key": cache_key(SIX),
                "body": '{"meta": {"api-version": "1.1"}, "name": "evil", "files": []}',
                "fetched_at": "2025-01-02T03:00:00Z",
            }
        )
    )
    rec = Recorder(json_page(page("six")))
    source, _ = client(rec, cache_dir=tmp_path)
    info = source.project("six")
    assert (info.from_cache, len(info.files)) == (False, 48)
    assert info.notes == (
        f"ignored the cached copy of {SIX}: {SIX}: name: the page is for 'evil', not 'six'",
    )


def test_planted_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    path = entry_path(tmp_path)
    path.symlink_to(victim)
    source, _ = client(Recorder(json_page(page("six"))), cache_dir=tmp_path)
    assert source.project("six").notes == (
        f"ignored the cache entry {path}: not a regular file; fetching anew",
    )
    assert victim.read_text() == "keep"
    assert not path.is_symlink()


def test_credentials_are_redacted() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Basic dXNlcjpzM2NyZXQ="
        raise httpx.ConnectError("cannot reach https://user:s3cret@index.invalid/", request=request)

    rec = Recorder(refuse)
    source = IndexClient(
        "https://user:s3cret@index.invalid/simple",
        transport=rec.transport,
        retries=0,
        sleep=lambda s: None,
    )
    got = failure(source, "six")
    assert got == IndexFailure(
        name="six",
        reason="https://***@index.invalid/simple/six/: ConnectError: cannot reach "
        "https://***@index.invalid/ (after 1 attempt)",
        kind="network",
        url="https://***@index.invalid/simple/six/",
    )


def test_credentials_redacted_in_not_found() -> None:
    source = IndexClient(
        "https://user:s3cret@index.invalid/simple/", transport=Recorder(status(404)).transport
    )
    assert failure(source, "six").reason == (
        "six: not on this index (https://***@index.invalid/simple/): HTTP 404"
    )


def test_batch_keeps_order_and_bounds_concurrency() -> None:
    lock = threading.Lock()
    active = 0
    peak = 0
    names = [f"p{i}" for i in range(20)]

    full = threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            if active == 3:
                full.set()
        # Hold every request until three run at once: the bound is then reached for
        # sure, and a fourth would show in ``peak``.
        full.wait(timeout=5)
        time.sleep(0.005)
        with lock:
            active -= 1
        name = request.url.path.rstrip("/").rsplit("/", 1)[1]
        if name == "p7":
            return httpx.Response(404)
        body = orjson.dumps(
            {"meta": {"api-version": "1.1"}, "name": name, "files": [], "versions": ["1.0"]}
        )
        return httpx.Response(200, content=body, headers={"Content-Type": JSON_TYPE})

    source = IndexClient(INDEX, transport=httpx.MockTransport(answer), concurrency=3)
    result = source.projects([*reversed(names), "P1", "p1"])
    assert list(result) == list(reversed(names))
    assert peak == 3
    assert isinstance(result["p7"], IndexFailure)
    assert result["p7"].kind == "not-found"
    assert all(isinstance(result[n], ProjectInfo) for n in names if n != "p7")


def test_release_info_from_the_json_api(tmp_path: Path) -> None:
    body = (Path(__file__).parent.parent / "data/index/json/sampleproject.json").read_bytes()

    def answer(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == "https://index.invalid/pypi/sampleproject/json"
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    source = IndexClient(
        INDEX,
        json_api_url="https://index.invalid/pypi/",
        transport=httpx.MockTransport(answer),
        cache_dir=tmp_path,
        now=Clock(),
    )
    info = source.release_info("SampleProject")
    assert (info.name, info.version, info.summary, info.requires_python) == (
        "sampleproject",
        "4.0.0",
        "A sample Python project",
        ">=3.9",
    )
    assert info.license is not None
    assert sorted(info.upload_times) == ["1.2.0", "1.3.0", "1.3.1", "2.0.0", "3.0.0", "4.0.0"]
    assert info.notes == ()
    no_api = IndexClient(INDEX)
    with pytest.raises(IndexLookupError) as exc:
        no_api.release_info("six")
    assert exc.value.failure.kind == "unsupported"


def test_httpx_is_not_imported_at_module_level() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pyward._sources.index._client as m; "
        "m.IndexClient('https://index.invalid/simple/'); print('httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_a_slow_body_has_a_deadline() -> None:
    """Issue 12: a server that sends a byte at a time, each within the read timeout,
    is stopped at ``total_timeout``."""
    elapsed = [0.0]

    def trickle() -> Iterator[bytes]:
        for _ in range(100):
            elapsed[0] += 10.0
            yield b" "

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle(), headers={"Content-Type": JSON_TYPE})

    source, _ = client(
        Recorder(answer), retries=0, total_timeout=30.0, monotonic=lambda: elapsed[0]
    )
    assert failure(source, "six") == IndexFailure(
        name="six", reason=f"{SIX}: not received within 30 s", kind="network", url=SIX
    )
    assert elapsed[0] == 40.0


def test_a_content_length_too_long_for_int_is_too_large() -> None:
    source, _ = client(Recorder(json_page(b"{}", content_length="9" * 5000)), max_body=1000)
    assert failure(source, "six").reason == (
        f"{SIX}: response too large (more; the limit is 1000 bytes)"
    )


def test_a_non_ascii_validator_goes_back_as_the_bytes_sent(tmp_path: Path) -> None:
    """Issue 12: httpx decodes a non-ASCII ``ETag`` as UTF-8 and cannot encode it again;
    the client keeps the bytes (as ``db update`` does, ``pyward._http``) and revalidates."""
    clock = Clock()

    def first(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=page("six"),
            headers=[
                (b"Content-Type", JSON_TYPE.encode()),
                (b"ETag", '"\u00e9t\u00e9"'.encode()),
                (b"Last-Modified", b"Wed, 01 Jan 2025 00:00:00 GMT"),
            ],
        )

    rec = Recorder(first, status(304))
    source, _ = client(rec, cache_dir=tmp_path, now=clock)
    source.project("six")
    clock.advance(hours=25)
    again = source.project("six")
    assert (again.from_cache, len(rec.requests)) == (True, 2)
    sent = dict(rec.requests[1].headers.raw)
    assert sent[b"If-None-Match"] == '"\u00e9t\u00e9"'.encode()
    assert sent[b"If-Modified-Since"] == b"Wed, 01 Jan 2025 00:00:00 GMT"
