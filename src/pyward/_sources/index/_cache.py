"""The on-disk cache of index responses: ``CACHE_DIR/index/<sha256 of the URL>.json``.

Each entry is one JSON document (orjson; never pickle, so reading an entry cannot run
code) holding the body and its validators (ETag, Last-Modified) and when it was
fetched. An entry that is not exactly what this module writes (another format, another
URL's key, malformed JSON, a planted file of any kind, a symbolic link) is a miss: it
is reported and overwritten by the next good response. Writes are atomic
(:func:`pyward._atomic.replace_file`), which also replaces a planted symbolic link
itself rather than the file it points to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pyward._atomic import replace_file
from pyward._text import redact_url
from pyward._wire import parse_timestamp

CACHE_FORMAT = 1


def cache_key(url: str) -> str:
    """The entry's name: the SHA-256 of the full URL (credentials never reach the disk)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheEntry:
    """One cached response."""

    url: str
    """The URL asked for (kept in memory only; the file holds its redacted form)."""
    body: bytes
    """The response body."""
    fetched_at: dt.datetime
    """When the index last sent or confirmed (304) this body."""
    final_url: str | None = None
    """The URL after redirects, when it differs and carries no credentials."""
    content_type: str | None = None
    """The response's media type."""
    etag: str | None = None
    """``ETag`` of the response, for ``If-None-Match``."""
    last_modified: str | None = None
    """``Last-Modified`` of the response, for ``If-Modified-Since``."""


class PageCache:
    """Cached responses under ``directory`` (``CACHE_DIR/index``)."""

    def __init__(self, directory: Path, *, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def path(self, url: str) -> Path:
        return self.directory / f"{cache_key(url)}.json"

    def load(self, url: str) -> tuple[CacheEntry | None, str | None]:
        """The entry for ``url`` (``None`` on a miss) and a note when an entry was there
        but could not be used."""
        import orjson

        path = self.path(url)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            return None, self._ignored(path, f"cannot read: {exc.strerror or exc}")
        if not stat.S_ISREG(st.st_mode):
            return None, self._ignored(path, "not a regular file")
        # JSON escapes can make the stored body up to six times its size.
        if st.st_size > 6 * self.max_bytes + 4096:
            return None, self._ignored(path, "too large")
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            return None, self._ignored(path, f"not a cache entry ({type(exc).__name__})")
        entry = self._validate(data, url)
        if isinstance(entry, str):
            return None, self._ignored(path, entry)
        return entry, None

    @staticmethod
    def _ignored(path: Path, why: str) -> str:
        return f"ignored the cache entry {path}: {why}; fetching anew"

    @staticmethod
    def _validate(data: object, url: str) -> CacheEntry | str:
        if not isinstance(data, dict):
            return "not a cache entry"
        if data.get("format") != CACHE_FORMAT:
            return f"unknown cache format {data.get('format')!r}"
        if data.get("key") != cache_key(url):
            return "written for another URL"
        body = data.get("body")
        if not isinstance(body, str):
            return "no body"
        texts = {k: data.get(k) for k in ("final_url", "content_type", "etag", "last_modified")}
        if not all(v is None or isinstance(v, str) for v in texts.values()):
            return "malformed validators"
        fetched = data.get("fetched_at")
        try:
            fetched_at = parse_timestamp(fetched) if isinstance(fetched, str) else None
        except ValueError:
            fetched_at = None
        if fetched_at is None:
            return "no fetch time"
        return CacheEntry(
            url=url,
            body=body.encode("utf-8"),
            fetched_at=fetched_at,
            final_url=texts["final_url"],
            content_type=texts["content_type"],
            etag=texts["etag"],
            last_modified=texts["last_modified"],
        )

    def save(self, entry: CacheEntry) -> str | None:
        """Write ``entry``; a note (never an exception) when it cannot be written."""
        import orjson

        try:
            body = entry.body.decode("utf-8")
        except UnicodeDecodeError:
            return f"not cached: the body of {redact_url(entry.url)} is not UTF-8"
        document = {
            "format": CACHE_FORMAT,
            "key": cache_key(entry.url),
            "url": redact_url(entry.url),
            "final_url": entry.final_url,
            "content_type": entry.content_type,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "fetched_at": entry.fetched_at.astimezone(dt.timezone.utc).isoformat(),
            "body": body,
        }
        path = self.path(entry.url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, orjson.dumps(document))
        except OSError as exc:
            return f"not cached: cannot write {path}: {exc.strerror or exc}"
        return None
