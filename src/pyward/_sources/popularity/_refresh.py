"""Refreshing the popularity list (``pyward db update --popularity-from``,
``$PYWARD_POPULARITY_URL``): download hugovk/top-pypi-packages' JSON or CSV from a
configured URL, or read a copy of it, and write ``popularity.json.gz`` into the cache
directory atomically. A failure raises and leaves the old copy in place.

There is no default URL: the built-in snapshot serves until an organisation points
pyward at the data (or a mirror of it) it trusts.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._atomic import replace_file
from pyward._sources.popularity._convert import dump, from_upstream
from pyward._sources.popularity._load import CACHE_NAME, parse_popularity
from pyward._text import redact_url
from pyward.errors import InputError, NetworkError, UsageError

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
    if source.startswith(("http://", "https://")):
        shown = redact_url(source)
        if offline:
            raise UsageError(f"{shown}: not downloaded (--offline); give --popularity-from FILE")
        raw = _fetch(source, client=client, limits=limits)
    else:
        shown = source
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    data = dump(from_upstream(raw, source=shown, fetched=day))
    target = cache_dir / CACHE_NAME
    # What is written must read back: the same parser a run uses checks it first.
    popularity, _ = parse_popularity(data, target)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        replace_file(target, data)
    except OSError as exc:
        raise InputError(target, f"cannot write: {exc.strerror or exc}") from None
    return Refreshed(
        path=target,
        source=popularity.origin,
        updated=popularity.updated,
        projects=len(popularity.downloads),
    )


def _fetch(url: str, *, client: httpx.Client | None, limits: Limits | None) -> bytes:
    # One download code for every ``db update`` source: its size and time bounds, its
    # errors (``URL: HTTP 503 ...``).
    from pyward._advisory._sync import Limits, _download

    with tempfile.TemporaryDirectory(prefix="pyward-popularity-") as tmp:
        dest = Path(tmp) / "answer"
        try:
            _download(url, dest, {}, client=client, progress=None, limits=limits or Limits())
        except NetworkError as exc:
            raise NetworkError(str(exc).replace(url, redact_url(url))) from None
        return dest.read_bytes()
