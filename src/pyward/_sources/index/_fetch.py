"""Fetch what the package indexes say about one run's components, once, before the
checks run: :func:`fetch_metadata` -> :class:`~pyward._sources.index._metadata.IndexMetadata`.

Each component is asked of the index its lock records, else the one configured for its
project, as :meth:`~pyward._sources.index._resolve.IndexResolver.plan` decides before
anything is asked (:func:`fetch_plan` takes that plan: a caller can tell that no index is
asked at all without importing this module). One
:class:`~pyward._sources.index._client.IndexClient` per distinct index; every
page is fetched concurrently, and with it, where the index has one, the project's
JSON API answer (classifiers, licence, project URLs). The JSON API is never required:
an index whose first JSON API answer is a 404 or not JSON is taken not to have one
(one note), and a failed answer never touches the page's data.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict

from pyward._model import Component, Inventory
from pyward._sources.index._client import DEFAULT_BREAKER, DEFAULT_MAX_AGE, IndexClient
from pyward._sources.index._facts import Facts
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._model import ProjectInfo, ReleaseInfo
from pyward._sources.index._port import IndexFailure, IndexLookupError
from pyward._sources.index._resolve import IndexPlan, IndexResolver, ResolverArgs
from pyward._text import redact_url

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ClientOptions",
    "FetchArgs",
    "IndexArgs",
    "fetch_metadata",
    "fetch_plan",
    "json_api_base",
]

#: ``progress(done, total)``: projects finished so far, of how many.
Progress = Callable[[int, int], None]


class FetchArgs(TypedDict, total=False):
    """How a run asks the indexes once it knows which: the keyword arguments of
    :func:`fetch_plan` (each is described at :func:`fetch_metadata`)."""

    #: pyward's cache directory.
    cache_dir: Path | None
    #: The cache only.
    offline: bool
    #: Revalidate every cached answer.
    refresh: bool
    #: How long a cached answer is used without asking.
    max_age: dt.timedelta
    #: How HTTP is spoken.
    client: ClientOptions | None


class IndexArgs(ResolverArgs, FetchArgs, total=False):
    """Where and how a run asks its indexes: the keyword arguments
    :func:`fetch_metadata`, :func:`~pyward._sources.index._integrity.fetch_provenance`,
    :class:`~pyward._sources.index._integrity.IntegritySession` and
    :func:`~pyward._provenance._gather.gather_provenance` share (each is described at
    :func:`fetch_metadata`); one the caller leaves out takes the function's default."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientOptions:
    """How each :class:`~pyward._sources.index._client.IndexClient` of a fetch talks HTTP."""

    concurrency: int = 8
    """Requests in flight per index."""
    timeout: float = 30.0
    """Seconds per request."""
    total_timeout: float = 120.0
    """Seconds for every attempt of one page."""
    retries: int = 3
    """Further attempts after the first (connection errors, 429, 5xx)."""
    backoff: float = 0.5
    """First backoff step in seconds (doubled on each attempt)."""
    max_retry_after: float = 60.0
    """The longest ``Retry-After`` honoured, in seconds."""
    breaker: int = DEFAULT_BREAKER
    """Projects in a row that found an index unreachable before its other requests
    fail at once (0: never)."""
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    """An httpx transport (tests)."""
    netrc: Path | None = None
    """A netrc file whose credentials go to the hosts it names (``$NETRC`` or
    ``~/.netrc``, as the command line finds it); an index URL's own credentials win."""

    def index_client(
        self,
        index_url: str,
        *,
        cache_dir: Path | None,
        offline: bool,
        refresh: bool,
        max_age: dt.timedelta,
        json_api_url: str | None = None,
        integrity_url: str | None = None,
        netrc: Path | None = None,
    ) -> IndexClient:
        """A client of the index at ``index_url`` that talks HTTP as these options say;
        the other arguments are :class:`~pyward._sources.index._client.IndexClient`'s
        (``netrc``: a file :func:`_readable_netrc` has read, or ``None``)."""
        return IndexClient(
            index_url,
            json_api_url=json_api_url,
            integrity_url=integrity_url,
            cache_dir=cache_dir,
            offline=offline,
            refresh=refresh,
            max_age=max_age,
            concurrency=self.concurrency,
            breaker=self.breaker,
            retries=self.retries,
            timeout=self.timeout,
            total_timeout=self.total_timeout,
            backoff=self.backoff,
            max_retry_after=self.max_retry_after,
            transport=self.transport,
            netrc=netrc,
        )


def _readable_netrc(path: Path, notes: dict[str, None]) -> Path | None:
    """``path`` when it is a netrc file that can be read; ``None`` and a note when it
    cannot (its credentials are never shown). It is read here with the parser httpx uses,
    so that the note comes before any request; the clients make their httpx
    authentication from it with their HTTP client, at the first request (a run the caches
    answer makes none, and loads no HTTP library)."""
    import netrc

    try:
        netrc.netrc(str(path))
    except (OSError, netrc.NetrcParseError) as exc:
        lineno = getattr(exc, "lineno", None)
        where = f": line {lineno}" if lineno else ""
        notes.setdefault(f"{path}{where}: cannot read the netrc file; its credentials not used")
        return None
    return path


def _has_credentials(url: str) -> bool:
    return "@" in url.split("://", 1)[-1].split("/", 1)[0]


def json_api_base(index_url: str) -> str | None:
    """The JSON API of a simple index whose path ends in ``/simple/``: the same root
    with ``/pypi`` (``https://index.invalid/simple/`` -> ``https://index.invalid/pypi``),
    the layout of the index that defined both APIs; ``None`` for any other index."""
    return sibling_api(index_url, "pypi")


def sibling_api(index_url: str, name: str) -> str | None:
    """The API ``name`` beside a simple index whose path ends in ``/simple/`` (the same
    root with ``/NAME``); ``None`` for any other index."""
    base = index_url if index_url.endswith("/") else index_url + "/"
    if not base.endswith("/simple/"):
        return None
    return base.removesuffix("simple/") + name


def fetch_metadata(
    subjects: Iterable[tuple[Inventory, Component]],
    *,
    option: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    root: Path | None = None,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    json_api: bool = True,
    progress: Progress | None = None,
    client: ClientOptions | None = None,
) -> IndexMetadata:
    """The index pages (and JSON API answers) of every component of ``subjects``.

    ``option``: ``--index-url`` / ``[tool.pyward] index-url``; ``environ``: the
    environment to consult for installer settings (the library reads none itself);
    ``home``, ``root``: where the user's and the system's pip/uv settings are (``None``:
    not read). ``cache_dir``: pyward's cache directory (pages go in ``cache_dir/index``);
    ``offline``: the cache only; ``refresh``: revalidate every cached page; ``max_age``:
    how long a cached page is used without asking. ``json_api``: also ask each index's
    JSON API where it has one. ``progress(done, total)`` is called as projects finish
    (from worker threads). A component with no index configured is in ``unasked``.
    """
    resolver = IndexResolver(option=option, environ=environ, home=home, root=root)
    return fetch_plan(
        resolver.plan(subjects),
        cache_dir=cache_dir,
        offline=offline,
        refresh=refresh,
        max_age=max_age,
        json_api=json_api,
        progress=progress,
        client=client,
    )


def fetch_plan(
    plan: IndexPlan,
    *,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    json_api: bool = True,
    progress: Progress | None = None,
    client: ClientOptions | None = None,
) -> IndexMetadata:
    """:func:`fetch_metadata` once the index of each project is decided
    (:meth:`~pyward._sources.index._resolve.IndexResolver.plan`): the caller can tell
    that no index is asked at all before this module is imported. The arguments are
    :func:`fetch_metadata`'s."""
    options = client or ClientOptions()
    notes = dict.fromkeys(plan.notes)
    by_index = plan.projects
    unasked = plan.unasked
    total = sum(len(names) for names in by_index.values())
    counter = _Counter(total=total, progress=progress)
    if progress is not None:
        progress(0, total)
    pages: dict[str, ProjectInfo | IndexFailure] = {}
    releases: dict[str, ReleaseInfo | IndexFailure] = {}
    facts = Facts(cache_dir / "index") if cache_dir is not None else None
    fresh = _Freshness(
        now=dt.datetime.now(dt.timezone.utc), max_age=max_age, refresh=refresh, offline=offline
    )
    netrc = (
        _readable_netrc(options.netrc, notes) if options.netrc is not None and by_index else None
    )
    fetches = [
        _IndexFetch(
            options.index_client(
                url,
                json_api_url=json_api_base(url) if json_api else None,
                cache_dir=cache_dir,
                offline=offline,
                refresh=refresh,
                max_age=max_age,
                netrc=None if _has_credentials(url) else netrc,
            ),
            list(names),
            counter,
            fresh,
        )
        for url, names in by_index.items()
    ]
    if facts is not None:
        known, unread = facts.load([u for fetch in fetches for u in fetch.urls()])
        if unread:
            notes.setdefault(unread)
        for fetch in fetches:
            fetch.known = known
    try:
        _run(fetches)
    finally:
        for fetch in fetches:
            fetch.client.close()
    if facts is not None:
        learned = {url: item for fetch in fetches for url, item in fetch.learned.items()}
        if learned and (unsaved := facts.save(learned)):
            notes.setdefault(unsaved)
    for fetch in fetches:
        fetch.finish()
        for key in fetch.names:
            page = fetch.pages[key]
            pages[key] = page
            if isinstance(page, ProjectInfo):
                for note in page.notes:
                    notes.setdefault(note)
        if fetch.note:
            notes.setdefault(fetch.note)
        if fetch.json_api == "absent":
            continue
        for key in fetch.names:
            if key in fetch.releases:
                release = fetch.releases[key]
                releases[key] = release
                if isinstance(release, ReleaseInfo):
                    for note in release.notes:
                        notes.setdefault(note)
    for fetch in fetches:
        if fetch.client.tripped:
            notes.setdefault(f"{fetch.client.tripped}: its other projects were not asked")
    return IndexMetadata(
        pages=pages,
        releases=releases,
        unasked=unasked,
        indexes=tuple(redact_url(url) for url in by_index),
        notes=tuple(notes),
    )


class _Counter:
    def __init__(self, *, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._lock = threading.Lock()

    def tick(self) -> None:
        if self._progress is None:
            return
        with self._lock:
            self.done += 1
            done = self.done
            # Called under the lock so that the callback sees the counts in order.
            self._progress(done, self.total)


JsonApiState = Literal["unknown", "present", "absent"]

#: Projects in a row missing from an index's JSON API (404) before the index is taken
#: to have none.
PROBES = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class _Freshness:
    """When a copy from the facts cache is used instead of asking."""

    now: dt.datetime
    """The time of this fetch."""
    max_age: dt.timedelta
    """The TTL."""
    refresh: bool
    """Revalidate every copy whatever its age."""
    offline: bool
    """Use every copy whatever its age."""

    def use(self, item: ProjectInfo | ReleaseInfo | None) -> ProjectInfo | ReleaseInfo | None:
        """``item`` if it may be used as it is, a stale copy of it offline, or
        ``None`` (ask the index)."""
        if item is None or item.fetched_at is None:
            return None
        age = self.now - item.fetched_at
        fresh = dt.timedelta(0) <= age < self.max_age
        if fresh and not self.refresh:
            return item
        if not self.offline:
            return None
        if fresh:
            return item
        url = item.page_url if isinstance(item, ProjectInfo) else item.url
        when = item.fetched_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        note = f"offline: used the copy of {url} cached at {when}"
        return replace(item, stale=True, notes=(note, *item.notes))


class _IndexFetch:
    """The pages and JSON API answers of one index's projects."""

    def __init__(
        self, client: IndexClient, names: list[str], counter: _Counter, fresh: _Freshness
    ) -> None:
        self.client = client
        self.names = names
        self.counter = counter
        self.fresh = fresh
        self.known: Mapping[str, ProjectInfo | ReleaseInfo] = {}
        """URL -> what the facts cache holds for it."""
        self.learned: dict[str, ProjectInfo | ReleaseInfo] = {}
        """URL -> what was read anew (for the facts cache)."""
        self.pages: dict[str, ProjectInfo | IndexFailure] = {}
        self.releases: dict[str, ReleaseInfo | IndexFailure] = {}
        self.json_api: JsonApiState = "unknown" if client.json_api_url else "absent"
        self.note: str | None = None
        self._lock = threading.Lock()
        self._probing = False
        self._probed = threading.Event()
        self._misses = 0
        self._missed: IndexFailure | None = None

    def urls(self) -> list[str]:
        """Every URL this fetch may ask (pages, and JSON API answers)."""
        out = [self.client.page_url(k) for k in self.names]
        if self.json_api != "absent":
            out += [self._release_url(k) for k in self.names]
        return out

    def ready(self, key: str) -> bool:
        """Whether the facts cache answers everything about ``key`` (no request)."""
        if self.fresh.use(self.known.get(self.client.page_url(key))) is None:
            return False
        return self.json_api == "absent" or (
            self.fresh.use(self.known.get(self._release_url(key))) is not None
        )

    def _release_url(self, key: str) -> str:
        return f"{self.client.json_api_url}/{key}/json"

    def one(self, key: str) -> None:
        url = self.client.page_url(key)
        known = self.fresh.use(self.known.get(url))
        page: ProjectInfo | IndexFailure | None = known if isinstance(known, ProjectInfo) else None
        if page is None:
            try:
                # The checks read version-level facts only (``--fix`` too).
                page = self.client.project(key, keep_files=False)
            except IndexLookupError as exc:
                page = exc.failure
            if isinstance(page, ProjectInfo) and not page.stale:
                self.learned[url] = page
        self.pages[key] = page
        # Only for a project the index has: a private package's 404 says nothing of
        # whether the index has a JSON API.
        if isinstance(page, ProjectInfo) and self.json_api != "absent":
            self._release(key)
        self.counter.tick()

    def _release(self, key: str) -> None:
        # A JSON API request is a probe while the index is not known to have one: the
        # others wait for its answer, so that an index without a JSON API is asked a few
        # times, not once per project. A project missing from the JSON API (a 404) does
        # not decide for the index: the next project probes, up to PROBES misses in a
        # row; an answer that is not JSON decides at once. The outcome does not depend
        # on which project's request came first.
        while True:
            with self._lock:
                if self.json_api == "absent":
                    return
                probe = self.json_api == "unknown" and not self._probing
                if probe or self.json_api == "present":
                    self._probing = self._probing or probe
                    break
                probed = self._probed
            probed.wait()
        try:
            url = self._release_url(key)
            known = self.fresh.use(self.known.get(url))
            release: ReleaseInfo | IndexFailure | None = (
                known if isinstance(known, ReleaseInfo) else None
            )
            if release is None:
                try:
                    release = self.client.release_info(key)
                except IndexLookupError as exc:
                    release = exc.failure
                if isinstance(release, ReleaseInfo) and not release.stale:
                    self.learned[url] = release
            self._settle(key, release)
        finally:
            if probe:
                with self._lock:
                    self._probing = False
                    done = self._probed
                    if self.json_api == "unknown":
                        # Undecided: wake the waiting requests, one of which probes next.
                        self._probed = threading.Event()
                done.set()

    def _settle(self, key: str, release: ReleaseInfo | IndexFailure) -> None:
        with self._lock:
            self.releases[key] = release
            if self.json_api != "unknown":
                return
            if isinstance(release, ReleaseInfo):
                self.json_api = "present"
                return
            if release.kind == "not-found":
                self._misses += 1
                self._missed = release
            if release.kind in ("unsupported", "invalid") or self._misses >= PROBES:
                self._absent(release)

    def _absent(self, failure: IndexFailure) -> None:
        self.json_api = "absent"
        self.note = (
            f"{redact_url(self.client.index_url)}: no JSON API at "
            f"{redact_url(self.client.json_api_url or '')} ({failure.reason}); "
            "its projects were read from the simple API alone"
        )

    def finish(self) -> None:
        """After every request: an index whose JSON API missed every project it was asked
        for (fewer than :data:`PROBES`) has none either."""
        if self.json_api == "unknown" and self._missed is not None:
            self._absent(self._missed)


def _run(fetches: list[_IndexFetch]) -> None:
    """Every project of every index: those the facts cache answers here, the others
    each index ``concurrency`` at a time (its own pool, as many threads as its client
    has connections, so that no thread waits on the connection pool), all indexes at
    once. Threads rather than asyncio: see :meth:`IndexClient.projects`."""
    jobs: list[tuple[_IndexFetch, list[str]]] = []
    for fetch in fetches:
        rest = []
        for key in fetch.names:
            if fetch.ready(key):
                fetch.one(key)
            else:
                rest.append(key)
        if rest:
            jobs.append((fetch, rest))
    if sum(len(keys) for _, keys in jobs) <= 1:
        for fetch, keys in jobs:
            for key in keys:
                fetch.one(key)
        return
    # Threads only for requests: a run the facts cache answers makes none.
    from concurrent.futures import Future, ThreadPoolExecutor

    pools = [
        ThreadPoolExecutor(
            max_workers=min(fetch.client.concurrency, len(keys)), thread_name_prefix="pyward-index"
        )
        for fetch, keys in jobs
    ]
    try:
        futures: list[Future[None]] = [
            pool.submit(fetch.one, key)
            for pool, (fetch, keys) in zip(pools, jobs, strict=True)
            for key in keys
        ]
        for future in futures:
            future.result()
    finally:
        for pool in pools:
            pool.shutdown()
