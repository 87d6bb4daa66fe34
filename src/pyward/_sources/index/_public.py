"""Whether names exist on public indexes: the probe behind the ``sources`` rule's
dependency-confusion finding.

A package taken from a private index whose name also exists on a public one can be
shadowed there: an installer that sees both indexes (pip's ``--extra-index-url``) takes
the higher version, wherever it is. :func:`probe_public` asks each public index for each
name through the one :class:`~pyward._sources.index._client.IndexClient` (cached on disk,
offline-first, revalidated with ``If-None-Match``), before the checks run; the check
reads the answers (:class:`PublicName`) and never speaks HTTP.

A page is "exists"; a 404 or 410 is "not there"; anything else (offline without a cached
page, unreachable, 5xx after every retry, an answer that is not PEP 691) is "unknown",
with the reason: the check leaves the component undecided, never passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyward._model import canonical_name
from pyward._sources.index._client import DEFAULT_MAX_AGE
from pyward._sources.index._fetch import ClientOptions
from pyward._sources.index._model import ProjectInfo
from pyward._sources.index._resolve import index_base, index_key
from pyward._text import redact_url

__all__ = ["PublicName", "PublicNames", "probe_public"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicName:
    """What one public index answered for one name."""

    exists: bool | None
    """``True``: the index has the project; ``False``: it answered 404 or 410;
    ``None``: unknown (``reason`` says why)."""
    reason: str | None = None
    """Why the answer is unknown, in words (credentials redacted)."""
    stale: bool = False
    """The answer is a cached page older than the cache's time to live (offline, or the
    index could not be reached)."""


#: (:func:`~pyward._sources.index._resolve.index_key` of a public index, PEP 503 name)
#: -> its answer.
PublicNames = Mapping[tuple[str, str], PublicName]


def probe_public(
    public: Sequence[str],
    names: Iterable[str],
    *,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    client: ClientOptions | None = None,
) -> tuple[dict[tuple[str, str], PublicName], tuple[str, ...]]:
    """Ask every index of ``public`` (simple API bases, as the policy writes them) for
    every name of ``names``: the answers, keyed by ``(index_key(index), name)``, and the
    notes a person should read (a stale copy used, a setting passed over), each once.

    ``cache_dir``, ``offline``, ``refresh``, ``max_age`` and ``client`` are as
    :func:`~pyward._sources.index._fetch.fetch_metadata` takes them. A public index that is
    not an http(s) URL answers "unknown" for every name (the policy loader refuses one,
    so only a library caller meets this).
    """
    options = client or ClientOptions()
    keys = list(dict.fromkeys(canonical_name(n) for n in names))
    answers: dict[tuple[str, str], PublicName] = {}
    notes: dict[str, None] = {}
    for url in dict.fromkeys(public):
        base, key = index_base(url), index_key(url)
        if base is None or key is None:
            reason = f"{redact_url(url)} is not an http(s) URL"
            for name in keys:
                # Keyed as the check compares such a URL: as written.
                answers[(url.strip(), name)] = PublicName(exists=None, reason=reason)
            continue
        if not keys:
            continue
        with options.index_client(
            base, cache_dir=cache_dir, offline=offline, refresh=refresh, max_age=max_age
        ) as index:
            found = index.projects(keys, keep_files=False)
            for name, page in found.items():
                if isinstance(page, ProjectInfo):
                    answers[(key, name)] = PublicName(exists=True, stale=page.stale)
                    for note in page.notes:
                        notes.setdefault(note)
                elif page.kind == "not-found":
                    answers[(key, name)] = PublicName(exists=False)
                else:
                    answers[(key, name)] = PublicName(exists=None, reason=page.reason)
            if index.tripped:
                notes.setdefault(f"{index.tripped}: its other names were not asked")
    return answers, tuple(notes)
