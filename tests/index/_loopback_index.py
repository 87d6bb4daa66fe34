"""A package index on 127.0.0.1 serving the recorded answers, with faults on demand.

    with loopback_index(faults={"six": "not-found"}) as index:
        fetch_metadata(..., option=index.simple_url)

It speaks what pyward asks of an index: ``GET /simple/<name>/`` (PEP 691 JSON, an
``ETag`` on every page and a 304 to a matching ``If-None-Match``) and ``GET
/pypi/<name>/json`` (the JSON API), and ``GET
/integrity/<name>/<version>/<filename>/provenance`` (the integrity API, PEP 740: the
real provenance files of ``tests/data/pep740-attestations``, with an ``ETag``; 404 for
a file without one) and ``GET /files/<filename>.provenance`` (the same objects at the
URL a project page may give for them). Pages come from ``tests/data/index/recorded`` and
``tests/data/index/synthetic`` (the hand-made ``demo-archived`` and
``demo-quarantined``, PEP 792), plus any given in ``pages``. A fault replaces the
answer for one project (:data:`FAULTS`); ``json_api=False`` answers 404 on every JSON
API path (an index without one); ``down`` makes every request lose its connection.
Every request is logged in :attr:`LoopbackIndex.requests`.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from tests.conftest import DATA, loopback

RECORDED = DATA / "index" / "recorded"
SYNTHETIC = DATA / "index" / "synthetic"
ATTESTATIONS = DATA / "pep740-attestations"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
INTEGRITY_JSON = "application/vnd.pypi.integrity.v1+json"

Fault = Literal[
    "not-found",  # 404 (a private package: not on this index)
    "retry-after",  # 429 with Retry-After: 1, then the page
    "error",  # 500, every time
    "hang",  # no answer for ``hang`` seconds (longer than the client's timeout)
    "html",  # 200 text/html instead of JSON
    "truncated",  # 200 with the first half of the JSON body
    "json-api-html",  # the page as usual; the JSON API answers text/html
]
FAULTS: tuple[Fault, ...] = get_args(Fault)


@dataclass(slots=True)
class LoopbackIndex:
    """A running loopback index; change its faults while it runs."""

    base: str
    """``http://127.0.0.1:PORT``."""
    faults: dict[str, Fault] = field(default_factory=dict)
    """Project name -> the fault its requests meet."""
    json_api: bool = True
    """False: every JSON API path answers 404."""
    down: bool = False
    """True: every request loses its connection before an answer."""
    hang: float = 2.0
    """Seconds a ``hang`` fault waits (it stops early when the server closes)."""
    pages: dict[str, bytes] = field(default_factory=dict)
    """Extra project pages by name (over the recorded ones)."""
    releases: dict[str, bytes] = field(default_factory=dict)
    """Extra JSON API answers by name (over the recorded ones)."""
    provenance: dict[str, bytes] = field(default_factory=dict)
    """Extra provenance objects by file name (over the real ones)."""
    requests: list[tuple[str, int]] = field(default_factory=list)
    """Each request's path and the status answered (0: connection dropped)."""
    closing: threading.Event = field(default_factory=threading.Event)
    _seen: dict[str, int] = field(default_factory=dict)

    @property
    def simple_url(self) -> str:
        """The simple API's base, ``http://127.0.0.1:PORT/simple/``."""
        return f"{self.base}/simple/"

    @property
    def json_api_url(self) -> str:
        """The JSON API's base, ``http://127.0.0.1:PORT/pypi``."""
        return f"{self.base}/pypi"

    def asked(self, path: str) -> int:
        """How many requests ``path`` had."""
        return sum(1 for p, _ in self.requests if p == path)

    def page(self, name: str) -> bytes | None:
        if name in self.pages:
            return self.pages[name]
        for path in (RECORDED / "simple" / f"{name}.json", SYNTHETIC / f"{name}.json"):
            if path.is_file():
                return path.read_bytes()
        return None

    def provenance_of(self, filename: str) -> bytes | None:
        """The provenance object served for ``filename``, if any."""
        if filename in self.provenance:
            return self.provenance[filename]
        path = ATTESTATIONS / f"{filename}.provenance"
        return path.read_bytes() if "/" not in filename and path.is_file() else None

    def release(self, name: str) -> bytes | None:
        if name in self.releases:
            return self.releases[name]
        path = RECORDED / "json" / f"{name}.json"
        return path.read_bytes() if path.is_file() else None


class _Handler(http.server.BaseHTTPRequestHandler):
    index: ClassVar[LoopbackIndex]
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm holds
    # the body back until the client's delayed ACK of the headers.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        index = self.index
        if index.down:
            index.requests.append((self.path, 0))
            self.close_connection = True
            return
        parts = self.path.strip("/").split("/")
        if parts[0] in ("integrity", "files"):
            self._provenance(parts)
            return
        if len(parts) == 2 and parts[0] == "simple":
            name, api = parts[1], False
        elif len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json":
            name, api = parts[1], True
        else:
            self._answer(404, b"not found", "text/plain")
            return
        fault = index.faults.get(name)
        if api and not index.json_api:
            self._answer(404, b"no JSON API here", "text/plain")
            return
        if fault == "json-api-html" and not api:
            fault = None
        body = index.release(name) if api else index.page(name)
        ctype = "application/json" if api else SIMPLE_JSON
        if fault is not None:
            self._fault(fault, name, body)
            return
        self._found(body, ctype)

    def _found(self, body: bytes | None, ctype: str) -> None:
        if body is None:
            self._answer(404, b"not found", "text/plain")
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._answer(304, b"", None, etag=etag)
            return
        self._answer(200, body, ctype, etag=etag)

    def _provenance(self, parts: list[str]) -> None:
        """``/integrity/<name>/<version>/<filename>/provenance`` or
        ``/files/<filename>.provenance``; a fault of the project (the first part of the
        file name, for the second form) applies."""
        if len(parts) == 5 and parts[0] == "integrity" and parts[4] == "provenance":
            name, filename = parts[1], parts[3]
        elif len(parts) == 2 and parts[1].endswith(".provenance"):
            filename = parts[1].removesuffix(".provenance")
            name = filename.split("-", 1)[0].replace("_", "-").lower()
        else:
            self._answer(404, b"not found", "text/plain")
            return
        body = self.index.provenance_of(filename)
        fault = self.index.faults.get(name)
        if fault is not None:
            self._fault(fault, name, body)
            return
        self._found(body, INTEGRITY_JSON)

    def _fault(self, fault: Fault, name: str, body: bytes | None) -> None:
        index = self.index
        if fault == "not-found":
            self._answer(404, b"not found", "text/plain")
        elif fault == "retry-after":
            index._seen[self.path] = index._seen.get(self.path, 0) + 1
            if index._seen[self.path] == 1:
                self._answer(429, b"slow down", "text/plain", retry_after="1")
            else:
                assert body is not None, name
                self._answer(200, body, self._ctype())
        elif fault == "error":
            self._answer(500, b"internal error", "text/plain")
        elif fault == "hang":
            index.requests.append((self.path, 0))
            index.closing.wait(index.hang)
            self.close_connection = True
        elif fault in ("html", "json-api-html"):
            self._answer(200, b"<!DOCTYPE html><html><body>a project</body></html>", "text/html")
        else:  # truncated
            assert body is not None, name
            self._answer(200, body[: len(body) // 2], self._ctype())

    def _ctype(self) -> str:
        if self.path.startswith("/simple/"):
            return SIMPLE_JSON
        if self.path.startswith("/pypi/"):
            return "application/json"
        return INTEGRITY_JSON

    def _answer(
        self,
        status: int,
        body: bytes,
        ctype: str | None,
        *,
        etag: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        self.index.requests.append((self.path, status))
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if etag:
            self.send_header("ETag", etag)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # no access log on the test's stderr


@contextmanager
def loopback_index(
    *,
    faults: Mapping[str, Fault] | None = None,
    json_api: bool = True,
    hang: float = 2.0,
    pages: Mapping[str, bytes] | None = None,
    releases: Mapping[str, bytes] | None = None,
    provenance: Mapping[str, bytes] | None = None,
) -> Iterator[LoopbackIndex]:
    """A :class:`LoopbackIndex` running for the ``with`` block."""
    state = LoopbackIndex(
        base="",
        faults=dict(faults or {}),
        json_api=json_api,
        hang=hang,
        pages=dict(pages or {}),
        releases=dict(releases or {}),
        provenance=dict(provenance or {}),
    )
    handler = type("Handler", (_Handler,), {"index": state})
    with loopback(handler) as base:
        state.base = base
        try:
            yield state
        finally:
            state.closing.set()


def recorded_names() -> list[str]:
    """The projects recorded in ``tests/data/index/recorded``."""
    return sorted(p.stem for p in (RECORDED / "simple").glob("*.json"))
