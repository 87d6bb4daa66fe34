"""Refreshing the lifecycle data (``pyward db update``): download endoflife.date's API
v1 answer, or read a copy of it or a directory of its product files, keep the
interpreter and the PyPI projects, and write ``lifecycle.json`` into the cache
directory atomically. A failure raises and leaves the old copy in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._sources._snapshot import download, is_url, read_source, write_checked
from pyward._sources.lifecycle._convert import dump, from_api, from_product_files
from pyward._sources.lifecycle._load import CACHE_NAME, parse_lifecycle
from pyward._text import redact_url
from pyward.errors import InputError

if TYPE_CHECKING:
    import httpx

    from pyward._advisory._sync import Limits

__all__ = ["DEFAULT_LIFECYCLE_URL", "Refreshed", "refresh_lifecycle"]

#: endoflife.date's API v1, every product with its release lines
#: (https://endoflife.date/docs/api/v1/).
DEFAULT_LIFECYCLE_URL = "https://endoflife.date/api/v1/products/full"


@dataclass(frozen=True, slots=True, kw_only=True)
class Refreshed:
    """What a refresh wrote."""

    path: Path
    """The lifecycle file written."""
    source: str
    """Where the data came from (a URL without credentials, or a path)."""
    updated: dt.date | None
    """How new the data is (the API's ``generated_at``, else the refresh's date)."""
    products: int
    """Products kept (the interpreter and the PyPI projects)."""

    def summary(self) -> str:
        day = self.updated.isoformat() if self.updated else "unknown date"
        return f"lifecycle data: {self.products} products from {self.source} ({day}) -> {self.path}"


def refresh_lifecycle(
    cache_dir: Path,
    source: str,
    *,
    today: dt.date | None = None,
    offline: bool = False,
    client: httpx.Client | None = None,
    limits: Limits | None = None,
) -> Refreshed:
    """Refresh ``cache_dir/lifecycle.json`` from ``source``: the URL of an API v1
    ``products/full`` answer, a JSON file holding one, or a directory of
    endoflife.date product files (``*.md``). Raises :class:`~pyward.errors.PywardError`
    (naming the source and the place) and writes nothing when the data cannot be read;
    with ``offline``, a URL is a :class:`UsageError`."""
    day = today or dt.date.today()
    if is_url(source):
        shown = redact_url(source)
        raw = download(
            source,
            offline=offline,
            instead="--lifecycle-from FILE|DIR",
            prefix="pyward-lifecycle-",
            client=client,
            limits=limits,
        )
        document = from_api(_json(raw, shown), source=shown, fetched=day)
    else:
        path = Path(source)
        if path.is_dir():
            document = from_product_files(path, source=str(path), updated=day.isoformat())
        else:
            raw = read_source(path)
            document = from_api(_json(raw, str(path)), source=str(path), fetched=day)
    target = cache_dir / CACHE_NAME
    # What is written must read back: the same parser the audit uses checks it first.
    lifecycle = write_checked(target, dump(document), parse_lifecycle)
    return Refreshed(
        path=target,
        source=lifecycle.source,
        updated=lifecycle.updated,
        products=len(lifecycle.products),
    )


def _json(raw: bytes, name: str) -> object:
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(name, f"not JSON ({exc})") from None
