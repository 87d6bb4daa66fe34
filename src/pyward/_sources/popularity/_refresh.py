"""Refreshing the popularity list (``pyward db update --popularity-from``,
``$PYWARD_POPULARITY_URL``): download hugovk/top-pypi-packages' JSON or CSV from a
configured URL, or read a copy of it, and write ``popularity.json.gz`` into the cache
directory atomically. A failure raises and leaves the old copy in place.

There is no default URL: the built-in snapshot serves until an organisation points
pyward at the data (or a mirror of it) it trusts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._sources._snapshot import download, is_url, read_source, write_checked
from pyward._sources.popularity._convert import dump, from_upstream
from pyward._sources.popularity._load import CACHE_NAME, parse_popularity
from pyward._text import redact_url

if TYPE_CHECKING:
    import httpx

    from pyward._advisory._sync import Limits

__all__ = ["Refreshed", "refresh_popularity"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Refreshed:
    """What a refresh wrote."""

    path: Path
    """The popularity file written."""
    source: str
    """Where the data came from (a URL without credentials, or a path)."""
    updated: dt.date | None
    """How new the data is (the JSON's ``last_update``, else the refresh's date)."""
    projects: int
    """Projects in the list."""

    def summary(self) -> str:
        """One line for ``db update``'s output."""
        day = self.updated.isoformat() if self.updated else "unknown date"
        return (
            f"popularity list: {self.projects} projects from {self.source} ({day}) -> {self.path}"
        )


def refresh_popularity(
    cache_dir: Path,
    source: str,
    *,
    today: dt.date | None = None,
    offline: bool = False,
    client: httpx.Client | None = None,
    limits: Limits | None = None,
) -> Refreshed:
    """Refresh ``cache_dir/popularity.json.gz`` from ``source``: the URL of the project's
    JSON or CSV, or a file holding either. Raises :class:`~pyward.errors.PywardError`
    (naming the source and the place) and writes nothing when the data cannot be read;
    with ``offline``, a URL is a :class:`UsageError`."""
    day = today or dt.date.today()
    if is_url(source):
        shown = redact_url(source)
        raw = download(
            source,
            offline=offline,
            instead="--popularity-from FILE",
            prefix="pyward-popularity-",
            client=client,
            limits=limits,
        )
    else:
        shown = source
        raw = read_source(source)
    data = dump(from_upstream(raw, source=shown, fetched=day))
    target = cache_dir / CACHE_NAME
    # What is written must read back: the same parser a run uses checks it first.
    popularity = write_checked(target, data, parse_popularity)
    return Refreshed(
        path=target,
        source=popularity.origin,
        updated=popularity.updated,
        projects=len(popularity.downloads),
    )
