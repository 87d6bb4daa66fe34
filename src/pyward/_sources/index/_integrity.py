"""Fetch the PEP 740 provenance of many files at once: :func:`fetch_provenance`.

Each file is asked of the index its component's lock records, else the one configured
for its project (the same :class:`~pyward._sources.index.IndexResolver` as
:func:`~pyward._sources.index.fetch_metadata`), at the URL its project page gives for
it when the caller has one, else at the index's integrity API
(:func:`integrity_api_base`). One :class:`~pyward._sources.index.IndexClient` per
index, its files fetched ``concurrency`` at a time. Nothing is verified here:
:func:`pyward._provenance.verify_provenance` does that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pyward._model import Component, Inventory, canonical_name
from pyward._sources.index._client import DEFAULT_MAX_AGE, IndexClient
from pyward._sources.index._fetch import (
    ClientOptions,
    IndexResolver,
    _has_credentials,
    _netrc_auth,
)
from pyward._sources.index._port import IndexFailure, IndexLookupError
from pyward._sources.index._resolve import NoIndex
from pyward._text import redact_url

__all__ = [
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
    base = index_url if index_url.endswith("/") else index_url + "/"
    if not base.endswith("/simple/"):
        return None
    return base.removesuffix("simple/") + "integrity"


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
    items: Iterable[ProvenanceItem],
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
) -> ProvenanceFetch:
    """The provenance of every file of ``items``, each index's files fetched
    concurrently (:meth:`~pyward._sources.index.IndexClient.provenance` per file).

    The arguments are :func:`~pyward._sources.index.fetch_metadata`'s: ``option`` is
    ``--index-url``; ``environ``, ``home``, ``root`` where installer settings are read;
    ``cache_dir``, ``offline``, ``refresh``, ``max_age`` the cache's; ``client`` how
    HTTP is spoken. A file asked twice is asked once.
    """
    options = client or ClientOptions()
    resolver = IndexResolver(option=option, environ=environ, home=home, root=root)
    notes: dict[str, None] = {}
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
                name=key[0], reason=f"{key[0]}: no version, so no file to ask for", kind="not-asked"
            )
            continue
        found = resolver.for_metadata(item.inventory, item.component)
        for note in found.notes:
            notes.setdefault(note)
        if isinstance(found, NoIndex):
            results[key] = IndexFailure(name=key[0], reason=found.reason, kind="not-asked")
            continue
        by_index.setdefault(found.url, {})[key] = item.url
    auth = _netrc_auth(options.netrc, notes) if options.netrc is not None and by_index else None
    clients = [
        (
            options.index_client(
                url,
                integrity_url=integrity_api_base(url),
                cache_dir=cache_dir,
                offline=offline,
                refresh=refresh,
                max_age=max_age,
                auth=None if _has_credentials(url) else auth,
            ),
            wanted,
        )
        for url, wanted in by_index.items()
    ]
    try:
        for made, wanted in clients:
            results.update(_fetch_all(made, wanted))
            if made.tripped:
                notes.setdefault(f"{made.tripped}: its other files were not asked")
    finally:
        for made, _ in clients:
            made.close()
    return ProvenanceFetch(
        results={key: results[key] for key in order},
        indexes=tuple(redact_url(url) for url in by_index),
        notes=tuple(notes),
    )


def _fetch_all(
    made: IndexClient, wanted: Mapping[ProvenanceKey, str | None]
) -> dict[ProvenanceKey, ProvenanceResult]:
    """Every file of one index, ``concurrency`` at a time (threads: see
    :meth:`~pyward._sources.index.IndexClient.projects`)."""
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
