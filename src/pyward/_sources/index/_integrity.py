"""Fetch the PEP 740 provenance of many files at once: :func:`fetch_provenance`.

Each file is asked of the index its component's lock records, else the one configured
for its project (the same :class:`~pyward._sources.index._resolve.IndexResolver` as
:func:`~pyward._sources.index._fetch.fetch_metadata`), at the URL its project page gives for
it when the caller has one, else at the index's integrity API
(:func:`integrity_api_base`). One :class:`~pyward._sources.index._client.IndexClient` per
index, its files fetched ``concurrency`` at a time; :class:`IntegritySession` also gives
the project pages (with their files) through the same clients. Nothing is verified here:
:func:`pyward._provenance.verify_provenance` does that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._model import Component, Inventory, canonical_name
from pyward._sources.index._client import DEFAULT_MAX_AGE, IndexClient, integrity_file_url
from pyward._sources.index._fetch import (
    ClientOptions,
    IndexArgs,
    _has_credentials,
    _readable_netrc,
    sibling_api,
)
from pyward._sources.index._model import ProjectInfo
from pyward._sources.index._port import IndexFailure, IndexLookupError
from pyward._sources.index._resolve import IndexResolver, NoIndex, ResolvedIndex
from pyward._text import redact_url

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "IntegritySession",
    "ProvenanceFetch",
    "ProvenanceItem",
    "ProvenanceKey",
    "ProvenanceResult",
    "fetch_provenance",
    "integrity_api_base",
]

#: ``(project, version, filename)``: the project's PEP 503 name.
ProvenanceKey = tuple[str, str, str]
#: The provenance object's JSON bytes; ``None``: the index says the file has none.
ProvenanceResult = bytes | None | IndexFailure


def integrity_api_base(index_url: str) -> str | None:
    """The integrity API of a simple index whose path ends in ``/simple/``: the same
    root with ``/integrity`` (``https://index.invalid/simple/`` ->
    ``https://index.invalid/integrity``), the layout of the index that defined it;
    ``None`` for any other index (only a page's own provenance URLs are asked there)."""
    return sibling_api(index_url, "integrity")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvenanceItem:
    """One file whose provenance is wanted."""

    inventory: Inventory
    """The inventory recording it (its project's installer settings pick the index)."""
    component: Component
    """The package it belongs to (name, version, recorded index)."""
    filename: str
    """The file's name (a wheel or sdist)."""
    url: str | None = None
    """Its provenance URL from its project page (PEP 740), asked instead of the
    integrity API when given."""

    @property
    def key(self) -> ProvenanceKey:
        """Where its answer is in :attr:`ProvenanceFetch.results`."""
        return (canonical_name(self.component.name), self.component.version or "", self.filename)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvenanceFetch:
    """What the indexes said of each file's provenance."""

    results: Mapping[ProvenanceKey, ProvenanceResult]
    """Per file, in input order: the provenance's bytes, ``None`` (the index has none
    for it), or why it could not be had (``not-asked`` without an index or version)."""
    indexes: tuple[str, ...] = ()
    """The indexes asked (credentials redacted)."""
    notes: tuple[str, ...] = ()
    """Settings passed over, indexes whose breaker tripped."""


def fetch_provenance(
    items: Iterable[ProvenanceItem], **index: Unpack[IndexArgs]
) -> ProvenanceFetch:
    """The provenance of every file of ``items``, each index's files fetched
    concurrently (:meth:`~pyward._sources.index._client.IndexClient.provenance` per file).

    The arguments are :func:`~pyward._sources.index._fetch.fetch_metadata`'s: ``option`` is
    ``--index-url``; ``environ``, ``home``, ``root`` where installer settings are read;
    ``cache_dir``, ``offline``, ``refresh``, ``max_age`` the cache's; ``client`` how
    HTTP is spoken. A file asked twice is asked once.
    """
    with IntegritySession(**index) as session:
        return session.provenance(items)


class IntegritySession:
    """The indexes of one run, for :func:`fetch_provenance` and for a caller that first
    needs some projects' pages (the files an installed wheel or a hash-only input does
    not name with a digest: :func:`pyward._provenance._gather.gather_provenance`).

    One :class:`~pyward._sources.index._resolve.IndexResolver` and one
    :class:`~pyward._sources.index._client.IndexClient` per index for every call, so a page and
    the provenance of its files share a connection pool, a cache and a circuit
    breaker. The arguments are :func:`fetch_provenance`'s; use it as a context manager
    (the clients are closed on exit).
    """

    def __init__(
        self,
        *,
        option: str | None = None,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
        root: Path | None = None,
        cache_dir: Path | None = None,
        offline: bool = False,
        refresh: bool = False,
        max_age: dt.timedelta = DEFAULT_MAX_AGE,
        client: ClientOptions | None = None,
    ) -> None:
        self._options = client or ClientOptions()
        self._resolver = IndexResolver(option=option, environ=environ, home=home, root=root)
        self._cache_dir = cache_dir
        self._offline = offline
        self._refresh = refresh
        self._max_age = max_age
        self._clients: dict[str, IndexClient] = {}
        self._notes: dict[str, None] = {}
        self._asked: dict[str, None] = {}
        self._netrc: Path | None = None
        self._netrc_read = False

    @property
    def notes(self) -> tuple[str, ...]:
        """Settings passed over, indexes whose breaker tripped, so far."""
        return tuple(self._notes)

    @property
    def indexes(self) -> tuple[str, ...]:
        """The indexes asked so far (credentials redacted)."""
        return tuple(redact_url(url) for url in self._asked)

    def index_of(self, inventory: Inventory, component: Component) -> ResolvedIndex | NoIndex:
        """The index ``component``'s files are asked of (its recorded one, else the one
        configured for ``inventory``'s project); its notes are kept."""
        found = self._resolver.for_metadata(inventory, component)
        for note in found.notes:
            self._notes.setdefault(note)
        return found

    def provenance_url(
        self, inventory: Inventory, component: Component, filename: str
    ) -> str | None:
        """Where the integrity API of ``component``'s index serves the provenance of
        ``filename`` (credentials redacted); ``None`` when the index has no integrity API
        or none is known for the component."""
        found = self.index_of(inventory, component)
        base = None if isinstance(found, NoIndex) else integrity_api_base(found.url)
        if base is None or not component.version:
            return None
        return redact_url(integrity_file_url(base, component.name, component.version, filename))

    def pages(
        self, subjects: Iterable[tuple[Inventory, Component]]
    ) -> list[ProjectInfo | IndexFailure]:
        """Each subject's project page with its files (``keep_files=True``), in order;
        a project asked twice of one index is asked once."""
        order: list[tuple[str, str] | IndexFailure] = []
        by_index: dict[str, dict[str, None]] = {}
        for inventory, component in subjects:
            name = canonical_name(component.name)
            found = self.index_of(inventory, component)
            if isinstance(found, NoIndex):
                order.append(IndexFailure(name=name, reason=found.reason, kind="not-asked"))
                continue
            by_index.setdefault(found.url, {})[name] = None
            order.append((found.url, name))
        got: dict[str, Mapping[str, ProjectInfo | IndexFailure]] = {}
        for url, names in by_index.items():
            made = self._client(url)
            got[url] = made.projects(names, keep_files=True)
            self._tripped(made, "projects")
        return [
            entry if isinstance(entry, IndexFailure) else got[entry[0]][entry[1]] for entry in order
        ]

    def provenance(self, items: Iterable[ProvenanceItem]) -> ProvenanceFetch:
        """The provenance of every file of ``items`` (see :func:`fetch_provenance`)."""
        results: dict[ProvenanceKey, ProvenanceResult] = {}
        by_index: dict[str, dict[ProvenanceKey, str | None]] = {}
        order: dict[ProvenanceKey, None] = {}
        for item in items:
            key = item.key
            if key in order:
                continue
            order[key] = None
            if not item.component.version:
                results[key] = IndexFailure(
                    name=key[0],
                    reason=f"{key[0]}: no version, so no file to ask for",
                    kind="not-asked",
                )
                continue
            found = self.index_of(item.inventory, item.component)
            if isinstance(found, NoIndex):
                results[key] = IndexFailure(name=key[0], reason=found.reason, kind="not-asked")
                continue
            by_index.setdefault(found.url, {})[key] = item.url
        for url, wanted in by_index.items():
            made = self._client(url)
            results.update(_fetch_all(made, wanted))
            self._tripped(made, "files")
        return ProvenanceFetch(
            results={key: results[key] for key in order},
            indexes=tuple(redact_url(url) for url in by_index),
            notes=self.notes,
        )

    def close(self) -> None:
        """Close every client."""
        for made in self._clients.values():
            made.close()

    def __enter__(self) -> IntegritySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _client(self, url: str) -> IndexClient:
        made = self._clients.get(url)
        if made is None:
            if self._options.netrc is not None and not self._netrc_read:
                self._netrc = _readable_netrc(self._options.netrc, self._notes)
                self._netrc_read = True
            made = self._clients[url] = self._options.index_client(
                url,
                integrity_url=integrity_api_base(url),
                cache_dir=self._cache_dir,
                offline=self._offline,
                refresh=self._refresh,
                max_age=self._max_age,
                netrc=None if _has_credentials(url) else self._netrc,
            )
        self._asked.setdefault(url)
        return made

    def _tripped(self, made: IndexClient, what: str) -> None:
        if made.tripped:
            self._notes.setdefault(f"{made.tripped}: its other {what} were not asked")


def _fetch_all(
    made: IndexClient, wanted: Mapping[ProvenanceKey, str | None]
) -> dict[ProvenanceKey, ProvenanceResult]:
    """Every file of one index, ``concurrency`` at a time (threads: see
    :meth:`~pyward._sources.index._client.IndexClient.projects`)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(key: ProvenanceKey) -> ProvenanceResult:
        name, version, filename = key
        try:
            return made.provenance(name, version, filename, url=wanted[key])
        except IndexLookupError as exc:
            return exc.failure

    keys = list(wanted)
    if len(keys) <= 1:
        return {key: one(key) for key in keys}
    with ThreadPoolExecutor(
        max_workers=min(made.concurrency, len(keys)), thread_name_prefix="pyward-integrity"
    ) as pool:
        return dict(zip(keys, pool.map(one, keys), strict=True))
