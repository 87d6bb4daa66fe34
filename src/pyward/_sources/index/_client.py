"""The HTTP index source: PEP 691 JSON project pages, cached on disk, offline-first.

* One GET per project, ``{index_url}{name}/`` with ``Accept:
  application/vnd.pypi.simple.v1+json``; an HTML answer is refused (the index does
  not speak PEP 691), ``meta.api-version`` must be 1.x.
* Retries with exponential backoff and jitter on connection/read errors, 429 and 5xx,
  honouring ``Retry-After`` (capped); bounded attempts and total time.
* The cache (:mod:`._cache`): a fresh entry (younger than ``max_age``, 24 h by
  default) is used without a request; an older one is revalidated (``If-None-Match`` /
  ``If-Modified-Since``; 304 refreshes it); ``refresh=True`` revalidates every entry
  whatever its age. When the index cannot be reached the old entry is used and the
  result is marked stale. ``offline=True`` reads the cache only.
* A circuit breaker: after ``breaker`` projects in a row found the index unreachable
  (connection refused, name not resolved, timed out after every retry), every other
  request of this client fails at once with the same cause, so a laptop without a
  network does not wait out the retries of each project in turn.
* HTTP/2 when the ``h2`` package is importable (httpx negotiates it per connection);
  HTTP/1.1 otherwise.
* Bodies over ``max_body`` bytes are refused (provenance objects over
  :data:`MAX_PROVENANCE`).
* :meth:`IndexClient.provenance`: the PEP 740 provenance of one file, from the URL
  the project page gives for it or the index's integrity API, through the same cache,
  retries and breaker.

httpx is imported only when a request is made (it is heavy; ``pyward audit`` without
index checks never needs it).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from pyward import __version__
from pyward._http import raw_header, sendable
from pyward._model import canonical_name
from pyward._sources.index._cache import CacheEntry, PageCache
from pyward._sources.index._model import ProjectInfo, ReleaseInfo
from pyward._sources.index._parse import (
    UnsupportedApiVersion,
    parse_project_page,
    parse_release_info,
)
from pyward._sources.index._port import (
    FailureKind,
    IndexFailure,
    IndexLookupError,
    IndexSource,
)
from pyward._text import redact_text, redact_url
from pyward._wire import parse_digits
from pyward.errors import InputError

if TYPE_CHECKING:
    import httpx

_T = TypeVar("_T")

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
#: Media types of a PEP 691 JSON answer (``latest`` is whatever the index's newest is;
#: the body's ``meta.api-version`` says which).
SIMPLE_JSON_TYPES = frozenset({SIMPLE_JSON, "application/vnd.pypi.simple.latest+json"})
HTML_TYPES = frozenset(
    {"text/html", "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html"}
)
MAX_BODY = 64 * 1024 * 1024
#: The media type of an integrity API answer (the provenance of one file, PEP 740).
INTEGRITY_JSON = "application/vnd.pypi.integrity.v1+json"
INTEGRITY_TYPES = frozenset({INTEGRITY_JSON, "application/json"})
#: The largest provenance object accepted: a few attestations of a few kilobytes each.
MAX_PROVENANCE = 1024 * 1024
#: How long a cached page is used without asking the index (``[tool.pyward] index-ttl``).
DEFAULT_MAX_AGE = dt.timedelta(hours=24)
#: Projects in a row that found the index unreachable before the rest fail at once.
DEFAULT_BREAKER = 3
#: Statuses worth another attempt (RFC 9110: 429 asks to come back later; 5xx are the
#: server's trouble, often passing).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class _Failure(Exception):
    def __init__(self, *, kind: FailureKind, reason: str, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.kind: FailureKind = kind
        self.reason = reason
        self.unreachable = unreachable
        """The index could not be reached at all (no answer), as opposed to an answer
        that said no (429, 5xx): what the circuit breaker counts."""


def _h2_available() -> bool:
    from importlib.util import find_spec

    return find_spec("h2") is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Body:
    """A body to parse, and what the result says of its freshness."""

    body: bytes
    page: str
    fetched: dt.datetime
    cached: bool
    stale: bool
    notes: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Response:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    url: str
    etag: str | None = None
    """The ``ETag`` as the bytes sent (Latin-1 text; :func:`pyward._http.raw_header`)."""
    last_modified: str | None = None
    """The ``Last-Modified`` likewise."""


def _media_type(value: str | None) -> str | None:
    return value.split(";", 1)[0].strip().lower() or None if value else None


def integrity_file_url(integrity_url: str, name: str, version: str, filename: str) -> str:
    """Where the integrity API at ``integrity_url`` serves the provenance of
    ``filename`` of ``name`` ``version``:
    ``{integrity_url}/{project}/{version}/{filename}/provenance``."""
    parts = (canonical_name(name), version, filename)
    quoted = "/".join(quote(part, safe="") for part in parts)
    return f"{integrity_url.rstrip('/')}/{quoted}/provenance"


def _netrc_auth(path: Path | None) -> httpx.Auth | None:
    """httpx's netrc authentication from ``path`` (``None``: none)."""
    if path is None:
        return None
    import netrc

    import httpx

    try:
        return httpx.NetRCAuth(str(path))
    except (OSError, netrc.NetrcParseError):
        # Read before the run asked anything (a note said if it could not be): the file
        # changed since. The requests go without its credentials, and an index that
        # needs them says so (HTTP 401).
        return None


def _default_jitter() -> float:
    import random

    return random.random()  # noqa: S311 # nosec B311 - retry jitter, not a secret


class IndexClient(IndexSource):
    """A PEP 691 index over HTTP (see the module's docstring).

    ``index_url``: the simple API's base (``https://index.invalid/simple/``; a
    missing final ``/`` is added). ``json_api_url``: the base of the index's JSON API
    (``https://index.invalid/pypi``), for :meth:`release_info`. ``integrity_url``: the
    base of its integrity API (``https://index.invalid/integrity``), for
    :meth:`provenance`. ``cache_dir``: the
    cache lives in ``cache_dir/index`` (no cache when ``None``). ``max_age``: how long
    a cached page is used without asking the index; ``refresh``: revalidate every
    cached page whatever its age. ``retries``: further attempts after the first;
    ``timeout``: seconds per request, ``total_timeout``: seconds for all attempts of
    one page. ``breaker``: projects in a row that found the index unreachable before
    the others fail at once (0: never). ``auth``: an httpx authentication; ``netrc``: a
    netrc file whose credentials go to the hosts it names, read with the HTTP client at
    the first request (``auth`` wins). ``transport``, ``sleep``, ``now``, ``jitter``
    and ``monotonic`` are for tests.
    """

    def __init__(
        self,
        index_url: str,
        *,
        json_api_url: str | None = None,
        integrity_url: str | None = None,
        cache_dir: Path | None = None,
        offline: bool = False,
        refresh: bool = False,
        max_age: dt.timedelta = DEFAULT_MAX_AGE,
        concurrency: int = 8,
        breaker: int = DEFAULT_BREAKER,
        retries: int = 3,
        timeout: float = 30.0,
        total_timeout: float = 120.0,
        backoff: float = 0.5,
        max_retry_after: float = 60.0,
        max_body: int = MAX_BODY,
        transport: httpx.BaseTransport | None = None,
        auth: httpx.Auth | None = None,
        netrc: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] | None = None,
        jitter: Callable[[], float] = _default_jitter,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.index_url = index_url if index_url.endswith("/") else index_url + "/"
        self.json_api_url = json_api_url.rstrip("/") if json_api_url else None
        self.integrity_url = integrity_url.rstrip("/") if integrity_url else None
        self.offline = offline
        self.refresh = refresh
        self.max_age = max_age
        self.breaker = breaker
        self.concurrency = concurrency
        self.retries = max(0, retries)
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_body = max_body
        self._cache = PageCache(cache_dir / "index", max_bytes=max_body) if cache_dir else None
        self._transport = transport
        self._auth = auth
        self._netrc = netrc
        self._sleep = sleep
        self._now = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self._jitter = jitter
        self._monotonic = monotonic
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()
        self._unreachable_in_a_row = 0
        self._tripped: str | None = None
        """The cause every request now fails with, once the breaker has tripped."""

    # -- the port -------------------------------------------------------------------

    def page_url(self, name: str) -> str:
        return f"{self.index_url}{canonical_name(name)}/"

    def project(self, name: str, *, keep_files: bool = True) -> ProjectInfo:
        """The project's page; ``keep_files=False``: its version-level facts only (see
        :func:`~pyward._sources.index._parse.parse_project_page`)."""
        key = canonical_name(name)
        url = self.page_url(key)

        def parse(read: _Body) -> ProjectInfo:
            return parse_project_page(
                read.body,
                url=read.page,
                name=key,
                index_url=redact_url(self.index_url),
                fetched_at=read.fetched,
                from_cache=read.cached,
                stale=read.stale,
                notes=read.notes,
                keep_files=keep_files,
            )

        return self._load(key, url, SIMPLE_JSON, SIMPLE_JSON_TYPES, parse)

    def projects(
        self, names: Iterable[str], *, keep_files: bool = True
    ) -> Mapping[str, ProjectInfo | IndexFailure]:
        """Each project, fetched ``concurrency`` at a time, in input order
        (``keep_files``: as :meth:`project`).

        A thread pool over one ``httpx.Client`` rather than asyncio: the rest of pyward
        and its callers are synchronous (and may run inside an event loop already, as
        ``pyward serve`` does), the client's connection pool is thread-safe and bounds
        connections, the work is waiting on sockets (the GIL is released), and the
        cache, parser and retry code stay one synchronous path.
        """
        from concurrent.futures import ThreadPoolExecutor

        keys = list(dict.fromkeys(canonical_name(n) for n in names))

        def one(key: str) -> ProjectInfo | IndexFailure:
            try:
                return self.project(key, keep_files=keep_files)
            except IndexLookupError as exc:
                return exc.failure

        if len(keys) <= 1:
            return {k: one(k) for k in keys}
        with ThreadPoolExecutor(
            max_workers=min(self.concurrency, len(keys)), thread_name_prefix="pyward-index"
        ) as pool:
            return dict(zip(keys, pool.map(one, keys), strict=True))

    def release_info(self, name: str) -> ReleaseInfo:
        """Per-release facts from the index's JSON API (summary, licence, project URLs,
        upload times), cached like the pages. Needs ``json_api_url``."""
        if self.json_api_url is None:
            raise IndexLookupError(
                IndexFailure(
                    name=canonical_name(name),
                    reason="no JSON API configured for this index (json_api_url)",
                    kind="unsupported",
                )
            )
        key = canonical_name(name)
        url = f"{self.json_api_url}/{key}/json"

        def parse(read: _Body) -> ReleaseInfo:
            return parse_release_info(
                read.body,
                url=read.page,
                name=key,
                fetched_at=read.fetched,
                stale=read.stale,
                notes=read.notes,
            )

        return self._load(key, url, "application/json", frozenset({"application/json"}), parse)

    def provenance_url(self, name: str, version: str, filename: str) -> str | None:
        """Where the integrity API serves the provenance of ``filename`` of ``name``
        ``version`` (``{integrity_url}/{project}/{version}/{filename}/provenance``), or
        ``None`` without ``integrity_url``."""
        if self.integrity_url is None:
            return None
        return integrity_file_url(self.integrity_url, name, version, filename)

    def provenance(
        self, name: str, version: str, filename: str, *, url: str | None = None
    ) -> bytes | None:
        """The PEP 740 provenance object of one file, as the JSON bytes the index sent,
        or ``None`` when the index says the file has none (404, 410).

        ``url``: the file's own provenance URL from its project page (PEP 740), asked
        instead of the integrity API when given. Cached like the pages (its own entry,
        revalidated with ``If-None-Match`` / ``If-Modified-Since``); offline, the cached
        copy or an :class:`IndexLookupError` of kind ``offline``. A body over
        :data:`MAX_PROVENANCE` bytes (or ``max_body``, when smaller) is refused
        (``too-large``), one that is not a JSON object is ``invalid``; 5xx and
        timeouts after every retry are ``network``. The body is not verified here:
        :func:`pyward._provenance.verify_provenance` does that.
        """
        key = canonical_name(name)
        target = url or self.provenance_url(key, version, filename)
        if target is None:
            raise IndexLookupError(
                IndexFailure(
                    name=key,
                    reason=(
                        f"{key} {version} {filename}: no integrity API configured for "
                        "this index (integrity_url), and no provenance URL given"
                    ),
                    kind="unsupported",
                )
            )
        limit = min(MAX_PROVENANCE, self.max_body)

        def parse(read: _Body) -> bytes:
            return _provenance_object(read.body, redact_url(read.page), limit)

        try:
            return self._load(key, target, INTEGRITY_JSON, INTEGRITY_TYPES, parse, limit=limit)
        except IndexLookupError as exc:
            if exc.failure.kind == "not-found":
                return None
            raise

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- cache and revalidation -------------------------------------------------------

    def _load(
        self,
        key: str,
        url: str,
        accept: str,
        types: frozenset[str],
        parse: Callable[[_Body], _T],
        *,
        limit: int | None = None,
    ) -> _T:
        shown = redact_url(url)
        notes: list[str] = []
        entry: CacheEntry | None = None
        if self._cache is not None:
            entry, note = self._cache.load(url)
            if note:
                notes.append(note)
        now = self._now()
        if entry is not None:
            age = now - entry.fetched_at
            # An entry from the future (a clock set back, or a planted file) is not fresh.
            fresh = dt.timedelta(0) <= age < self.max_age
            if (fresh and not self.refresh) or self.offline:
                if not fresh:
                    notes.append(f"offline: used the copy of {shown} cached at {_when(entry)}")
                try:
                    return parse(_cached(entry, url, stale=not fresh, notes=notes))
                except InputError as exc:
                    notes.append(f"ignored the cached copy of {shown}: {exc}")
                    entry = None
        if self.offline:
            raise self._failure(key, shown, "offline", f"{shown}: offline and not cached")

        headers: dict[str, str | bytes] = {"Accept": accept}
        if entry is not None:
            # A validator that cannot be sent back (httpx decodes a non-ASCII header as
            # UTF-8, and refuses to encode it again) is dropped, not an error (issue 12).
            # Validators go back as the bytes the server sent (issue 12 item 5).
            if etag := sendable(entry.etag):
                headers["If-None-Match"] = etag
            if last := sendable(entry.last_modified):
                headers["If-Modified-Since"] = last
        try:
            response = self._get(url, headers, limit=limit)
        except _Failure as failure:
            if failure.kind == "network" and entry is not None:
                notes.append(
                    f"could not refresh {shown} ({failure.reason}); "
                    f"used the copy cached at {_when(entry)}"
                )
                return parse(_cached(entry, url, stale=True, notes=notes))
            raise self._failure(key, shown, failure.kind, failure.reason) from None

        status = response.status
        if status == 304 and entry is not None:
            entry = replace(
                entry,
                fetched_at=now,
                etag=response.etag or entry.etag,
                last_modified=response.last_modified or entry.last_modified,
            )
            self._save(entry, notes)
            try:
                return parse(_cached(entry, url, stale=False, notes=notes))
            except InputError as exc:
                raise self._failure(key, shown, "invalid", redact_text(str(exc))) from None
        if status in (404, 410):
            raise self._failure(
                key,
                shown,
                "not-found",
                f"{key}: not on this index ({redact_url(self.index_url)}): HTTP {status}",
            )
        if status != 200:
            raise self._failure(
                key, shown, "http", f"{shown}: HTTP {status} {response.reason}".rstrip()
            )

        media = _media_type(response.headers.get("content-type"))
        if media not in types:
            if accept == SIMPLE_JSON and (media in HTML_TYPES or media is None):
                reason = (
                    f"{shown}: the index answered {media or 'without a content type'}, "
                    "not PEP 691 JSON: it does not speak PEP 691 (the JSON simple API)"
                )
                raise self._failure(key, shown, "unsupported", reason)
            if not (accept == SIMPLE_JSON and media == "application/json"):
                raise self._failure(
                    key, shown, "unsupported", f"{shown}: unexpected content type {media!r}"
                )
            notes.append(f"{shown}: served as application/json, not {SIMPLE_JSON}")
        final = response.url if "@" not in response.url.split("/", 3)[2] else url
        try:
            result = parse(
                _Body(
                    body=response.body,
                    page=final,
                    fetched=now,
                    cached=False,
                    stale=False,
                    notes=notes,
                )
            )
        except UnsupportedApiVersion as exc:
            raise self._failure(key, shown, "unsupported", redact_text(str(exc))) from None
        except InputError as exc:
            raise self._failure(key, shown, "invalid", redact_text(str(exc))) from None
        self._save(
            CacheEntry(
                url=url,
                body=response.body,
                fetched_at=now,
                final_url=final if final != url else None,
                content_type=media,
                etag=response.etag,
                last_modified=response.last_modified,
            ),
            notes,
        )
        return result

    def _save(self, entry: CacheEntry, notes: list[str]) -> None:
        if self._cache is not None and (note := self._cache.save(entry)):
            notes.append(note)

    @staticmethod
    def _failure(key: str, shown: str, kind: FailureKind, reason: str) -> IndexLookupError:
        return IndexLookupError(
            IndexFailure(name=key, reason=redact_text(reason), kind=kind, url=shown)
        )

    # -- HTTP -------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                import httpx

                self._http = httpx.Client(
                    transport=self._transport,
                    # Credentials of a netrc file, per host (httpx.NetRCAuth); those in
                    # the index URL itself win (httpx takes them from the URL).
                    auth=self._auth if self._auth is not None else _netrc_auth(self._netrc),
                    follow_redirects=True,
                    timeout=httpx.Timeout(self.timeout),
                    limits=httpx.Limits(
                        max_connections=self.concurrency,
                        max_keepalive_connections=self.concurrency,
                    ),
                    headers={"User-Agent": f"pyward/{__version__}"},
                    # HTTP/2 multiplexes the concurrent page requests over one
                    # connection where the index offers it; h2 is optional.
                    http2=_h2_available(),
                )
            return self._http

    @property
    def tripped(self) -> str | None:
        """Why the circuit breaker has tripped (the cause every request now fails
        with), or ``None`` while requests are made."""
        return self._tripped

    def _get(
        self, url: str, headers: Mapping[str, str | bytes], *, limit: int | None = None
    ) -> _Response:
        """GET ``url`` with retries, unless the breaker has tripped; raises
        :class:`_Failure`. ``limit``: the largest body accepted (``max_body``)."""
        tripped = self._tripped
        if tripped is not None:
            raise _Failure(
                kind="network", reason=f"{redact_url(url)}: not asked: {tripped}", unreachable=True
            )
        try:
            response = self._get_with_retries(url, headers, limit=limit)
        except _Failure as failure:
            self._count(failure)
            raise
        self._count(None)
        return response

    def _count(self, failure: _Failure | None) -> None:
        with self._lock:
            if failure is None or not failure.unreachable:
                self._unreachable_in_a_row = 0
                return
            self._unreachable_in_a_row += 1
            if self.breaker and self._unreachable_in_a_row >= self.breaker and not self._tripped:
                cause = failure.reason.split(": ", 1)[-1]
                self._tripped = (
                    f"the index {redact_url(self.index_url)} was unreachable for "
                    f"{self._unreachable_in_a_row} projects in a row ({cause})"
                )

    def _get_with_retries(
        self, url: str, headers: Mapping[str, str | bytes], *, limit: int | None = None
    ) -> _Response:
        import httpx

        # As bytes: a validator goes back exactly as the server sent it.
        raw = [
            (k.encode("ascii"), v if isinstance(v, bytes) else v.encode("latin-1"))
            for k, v in headers.items()
        ]
        client = self._client()
        shown = redact_url(url)
        started = self._monotonic()
        attempts = self.retries + 1
        last = ""
        unreachable = False
        for attempt in range(attempts):
            delay = self._backoff(attempt)
            try:
                with client.stream("GET", url, headers=raw) as response:
                    if response.status_code not in RETRY_STATUSES:
                        return _Response(
                            status=response.status_code,
                            reason=response.reason_phrase,
                            headers=response.headers,
                            body=self._read(response, shown, started, limit)
                            if response.status_code == 200
                            else b"",
                            url=str(response.url),
                            etag=raw_header(response, "ETag"),
                            last_modified=raw_header(response, "Last-Modified"),
                        )
                    last = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                    unreachable = False
                    after = _retry_after(response.headers.get("retry-after"), self._now())
                    if after is not None:
                        delay = min(after, self.max_retry_after)
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                unreachable = True
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a bad URL: no retry
                reason = f"{shown}: {type(exc).__name__}: {exc}"
                raise _Failure(kind="network", reason=reason) from None
            if attempt + 1 == attempts:
                break
            if self._monotonic() - started + delay > self.total_timeout:
                last += f"; gave up: the next attempt would pass {self.total_timeout:g} s"
                attempts = attempt + 1
                break
            self._sleep(delay)
        raise _Failure(
            kind="network",
            reason=f"{shown}: {last} (after {attempts} attempt{'s' if attempts > 1 else ''})",
            unreachable=unreachable,
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half the step fixed, half random,
        so clients that failed together do not come back together."""
        step = self.backoff * (1 << attempt)
        return step / 2 + self._jitter() * step / 2

    def _read(
        self, response: httpx.Response, shown: str, started: float, limit: int | None = None
    ) -> bytes:
        """The body, at most ``limit`` (default ``max_body``) bytes, by
        ``total_timeout`` seconds after ``started`` (a server may send a byte at a time,
        each within ``timeout``)."""
        cap = self.max_body if limit is None else limit
        length = response.headers.get("content-length") or ""
        size = parse_digits(length)
        # A length of more digits than ``int()`` converts is too large too (issue 12).
        if (length.isascii() and length.isdigit() and size is None) or (
            size is not None and size > cap
        ):
            raise _Failure(kind="too-large", reason=_too_large(shown, size, cap))
        chunks: list[bytes] = []
        size = 0
        # No chunk size: httpx would gather one before yielding, past the deadline.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise _Failure(kind="too-large", reason=_too_large(shown, None, cap))
            if self._monotonic() - started > self.total_timeout:
                raise _Failure(
                    kind="network",
                    reason=f"{shown}: not received within {self.total_timeout:g} s",
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _too_large(shown: str, length: int | None, cap: int) -> str:
    size = f"{length} bytes" if length is not None else "more"
    return f"{shown}: response too large ({size}; the limit is {cap} bytes)"


def _provenance_object(body: bytes, shown: str, limit: int) -> bytes:
    """``body`` if it is a JSON object of at most ``limit`` bytes (a cached copy is held
    to the limit too); raises :class:`~pyward.errors.InputError` otherwise."""
    import orjson

    if len(body) > limit:
        raise InputError(shown, f"provenance too large ({len(body)} bytes; the limit is {limit})")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InputError(shown, f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InputError(shown, f"not a provenance object (a JSON {type(value).__name__})")
    return body


def _retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (RFC 9110 section 10.2.3:
    a number of seconds or an HTTP date); ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    seconds = parse_digits(value)
    if seconds is not None:
        return float(seconds)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _cached(entry: CacheEntry, url: str, *, stale: bool, notes: list[str]) -> _Body:
    return _Body(
        body=entry.body,
        page=entry.final_url or url,
        fetched=entry.fetched_at,
        cached=True,
        stale=stale,
        notes=notes,
    )


def _when(entry: CacheEntry) -> str:
    return entry.fetched_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
