"""End to end: the real client against a real HTTP server on 127.0.0.1 serving the
recorded pages (stdlib ``http.server`` in a thread), with ETags and 304s."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from pyward._sources.index._client import IndexClient
from pyward._sources.index._model import ProjectInfo
from pyward._sources.index._port import IndexFailure
from tests.conftest import loopback
from tests.index._support import JSON_TYPE, SIMPLE, Clock


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        type(self).seen.append((self.path, self.headers.get("If-None-Match")))
        parts = self.path.strip("/").split("/")
        path = SIMPLE / f"{parts[-1]}.json"
        if len(parts) != 2 or parts[0] != "simple" or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # no access log on the test's stderr


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.seen = []
    with loopback(_Handler) as base:
        yield f"{base}/simple"


def test_real_server_batch_cache_and_revalidation(server: str, tmp_path: Path) -> None:
    clock = Clock()
    with IndexClient(server, cache_dir=tmp_path, now=clock, concurrency=2) as source:
        result = source.projects(["requests", "Six", "no-such-project", "sampleproject"])
        assert list(result) == ["requests", "six", "no-such-project", "sampleproject"]
        requests = result["requests"]
        assert isinstance(requests, ProjectInfo)
        assert (len(requests.versions), len(requests.files), requests.from_cache) == (
            163,
            244,
            False,
        )
        assert requests.yanked("2.32.0") == (
            "Yanked due to conflicts with CVE-2024-35195 mitigation"
        )
        assert requests.page_url == f"{server}/requests/"
        assert result["no-such-project"] == IndexFailure(
            name="no-such-project",
            reason=f"no-such-project: not on this index ({server}/): HTTP 404",
            kind="not-found",
            url=f"{server}/no-such-project/",
        )
        assert len(_Handler.seen) == 4

        clock.advance(hours=25)
        six = source.project("six")
    assert (six.from_cache, six.stale, six.fetched_at, len(six.files)) == (
        True,
        False,
        clock.now,
        48,
    )
    six_etag = '"' + hashlib.sha256((SIMPLE / "six.json").read_bytes()).hexdigest()[:16] + '"'
    assert _Handler.seen[-1] == ("/simple/six/", six_etag)

    # Offline, the cache alone answers; the server is not asked.
    seen = len(_Handler.seen)
    offline = IndexClient(server, cache_dir=tmp_path, offline=True, now=clock)
    assert offline.project("sampleproject").versions[-1] == "4.0.0"
    assert len(_Handler.seen) == seen
    again = offline.project("six")
    assert (again.fetched_at, again.from_cache, again.stale) == (clock.now, True, False)
    clock.advance(days=2)
    assert offline.project("six").stale is True
    assert offline.project("six").fetched_at == clock.now - dt.timedelta(days=2)
