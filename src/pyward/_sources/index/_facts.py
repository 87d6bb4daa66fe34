"""A compact derived cache of what the checks read from index pages:
``CACHE_DIR/index/facts.sqlite3``.

An index page lists every file of every release (a median of 130 files, 50 kB, on the
recorded pages); reading and validating 300 of them again on every audit costs far more
than the audit itself. The checks ask version-level questions (is the pinned release
yanked, when was it uploaded, which releases are newer and which Python do they
need, what is the project's status), so each page is also kept here as its
:class:`~pyward._sources.index._versions.PageFacts`: one column per fact, one entry per
version, read back into the same columns with no object made per version. A
:class:`ProjectInfo` read from here says so (``summary=True``) and has no files: file
names, hashes, URLs, sizes and provenance are not kept. A JSON API answer is kept whole
(its upload times are parsed when read).

One row per page or JSON API URL, keyed by the SHA-256 of the URL (credentials never
reach the disk) and holding the validators and fetch time of the response it was
derived from, so that it is fresh exactly when that response is. The rows are JSON
(never pickle); a row that cannot be read, or of another format, is a miss, and the
page is read again. SQLite makes the lookup of every project of a run one query.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyward._sources.index._cache import cache_key
from pyward._sources.index._model import ProjectInfo, ProjectStatus, ReleaseInfo
from pyward._sources.index._versions import PageFacts

#: The rows' format: a row of another one is a miss (format 1 kept one file per version;
#: 3 adds each version's newest upload time).
FACTS_FORMAT = 3
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS facts ("
    "key TEXT PRIMARY KEY, kind TEXT NOT NULL, format INTEGER NOT NULL, "
    "fetched_at TEXT NOT NULL, data BLOB NOT NULL)"
)


class Facts:
    """The derived cache in ``directory`` (``CACHE_DIR/index``)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "facts.sqlite3"

    def load(self, urls: Sequence[str]) -> tuple[dict[str, ProjectInfo | ReleaseInfo], str | None]:
        """The facts of each of ``urls`` that has a readable row (page URL -> a
        :class:`ProjectInfo`, JSON API URL -> a :class:`ReleaseInfo`, each with
        ``fetched_at`` set and ``from_cache``), and a note when the file could not be
        read."""
        if not urls or not self.path.is_file():
            return {}, None
        import orjson

        keys = {cache_key(u): u for u in urls}
        try:
            db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
            try:
                rows: list[tuple[str, str, int, str, bytes]] = db.execute(
                    "SELECT key, kind, format, fetched_at, data FROM facts "
                    "WHERE key IN (SELECT value FROM json_each(?))",
                    (orjson.dumps(list(keys)).decode(),),
                ).fetchall()
            finally:
                db.close()
        except sqlite3.Error as exc:
            return {}, f"ignored the index facts cache {self.path}: {exc}"
        out: dict[str, ProjectInfo | ReleaseInfo] = {}
        for key, kind, fmt, fetched, data in rows:
            if fmt != FACTS_FORMAT:
                continue
            try:
                fetched_at = dt.datetime.fromisoformat(fetched)
                decoded = orjson.loads(data)
                item: ProjectInfo | ReleaseInfo = (
                    _project(decoded, fetched_at)
                    if kind == "page"
                    else _release(decoded, fetched_at)
                )
            except (ValueError, TypeError, KeyError, IndexError):
                continue  # a row this code did not write: read the page again
            out[keys[key]] = item
        return out, None

    def save(self, items: Mapping[str, ProjectInfo | ReleaseInfo]) -> str | None:
        """Store the facts of ``items`` (URL -> what was read from it, fresh); a note,
        never an exception, when they cannot be written."""
        rows = [
            (
                cache_key(url),
                "page" if isinstance(item, ProjectInfo) else "release",
                FACTS_FORMAT,
                item.fetched_at.isoformat(),
                _encode(item),
            )
            for url, item in items.items()
            if item.fetched_at is not None
        ]
        if not rows:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5)
            try:
                with db:
                    db.execute(_SCHEMA)
                    db.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?)", rows)
            finally:
                db.close()
        except (OSError, sqlite3.Error) as exc:
            return f"not cached: cannot write the index facts cache {self.path}: {exc}"
        return None


def _encode(item: ProjectInfo | ReleaseInfo) -> bytes:
    import orjson

    if isinstance(item, ReleaseInfo):
        return orjson.dumps(
            {
                "name": item.name,
                "url": item.url,
                "version": item.version,
                "summary": item.summary,
                "license": item.license,
                "project_urls": dict(item.project_urls),
                "requires_python": item.requires_python,
                "classifiers": list(item.classifiers),
                # JSON inside the row, read only when a check asks for an upload time
                # (most audits read none: the page gives them).
                "upload_times": orjson.dumps(
                    {v: t.isoformat() for v, t in item.upload_times.items()}
                ).decode(),
                "notes": _own_notes(item.notes, item.url),
            }
        )
    facts = item.version_facts()
    newest = facts.newest_upload
    return orjson.dumps(
        {
            "name": item.name,
            "index_url": item.index_url,
            "page_url": item.page_url,
            # The listed versions, when the files add none to them (the usual case).
            "listed": None if tuple(facts.versions) == item.versions else list(item.versions),
            "invalid_versions": list(item.invalid_versions),
            "status": [item.status.status, item.status.reason],
            "api_version": item.api_version,
            "last_serial": item.last_serial,
            "notes": _own_notes(item.notes, item.page_url),
            "versions": list(facts.versions),
            "upload_times": list(facts.upload_times),
            "last_upload_times": (
                list(facts.last_upload_times) if facts.last_upload_times is not None else None
            ),
            "yanked": list(facts.yanked),
            "pythons": list(facts.pythons),
            "python_sets": [list(s) for s in facts.python_sets],
            "has_files": list(facts.has_files),
            "newest_upload": newest.isoformat() if newest is not None else None,
        }
    )


def _own_notes(notes: Iterable[str], url: str) -> list[str]:
    """The notes about the body itself (``URL: key: ...``), not about this run's
    cache or network."""
    return [n for n in notes if n.startswith(f"{url}: ")]


def _project(data: Any, fetched_at: dt.datetime) -> ProjectInfo:
    status, reason = data["status"]
    versions, times, yanked = data["versions"], data["upload_times"], data["yanked"]
    pythons, sets, has_files = data["pythons"], data["python_sets"], data["has_files"]
    last = data["last_upload_times"]
    count = len(versions)
    # A row this code did not write fails here rather than in a check.
    if last is not None and len(last) != count:
        raise ValueError("columns of unequal length")
    if not (len(times) == len(yanked) == len(pythons) == len(has_files) == count) or (
        count and not 0 <= min(pythons) <= max(pythons) < len(sets)
    ):
        raise ValueError("columns of unequal length")
    newest = data["newest_upload"]
    listed = data["listed"]
    return ProjectInfo(
        name=data["name"],
        index_url=data["index_url"],
        page_url=data["page_url"],
        versions=tuple(versions if listed is None else listed),
        invalid_versions=tuple(data["invalid_versions"]),
        status=ProjectStatus(status=status, reason=reason),
        api_version=data["api_version"],
        last_serial=data["last_serial"],
        fetched_at=fetched_at,
        from_cache=True,
        summary=True,
        facts=PageFacts(
            versions=versions,
            upload_times=times,
            yanked=yanked,
            pythons=pythons,
            python_sets=sets,
            has_files=has_files,
            newest_upload=dt.datetime.fromisoformat(newest) if newest is not None else None,
            last_upload_times=last,
        ),
        notes=tuple(data["notes"]),
    )


class _UploadTimes(Mapping[str, dt.datetime]):
    """A JSON API answer's upload times as stored (a JSON text of ISO 8601 times), read
    and parsed when first asked for: most audits read none of them."""

    __slots__ = ("_text", "_times")

    def __init__(self, text: str) -> None:
        self._text = text
        self._times: dict[str, dt.datetime] | None = None

    def _read(self) -> dict[str, dt.datetime]:
        if self._times is None:
            import orjson

            raw: dict[str, str] = orjson.loads(self._text)
            self._times = {v: dt.datetime.fromisoformat(t) for v, t in raw.items()}
        return self._times

    def __getitem__(self, version: str) -> dt.datetime:
        return self._read()[version]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return repr(self._read())


def _release(data: Any, fetched_at: dt.datetime) -> ReleaseInfo:
    times = data["upload_times"]
    if not isinstance(times, str):
        raise TypeError("upload_times: not a JSON text")
    return ReleaseInfo(
        name=data["name"],
        url=data["url"],
        version=data["version"],
        summary=data["summary"],
        license=data["license"],
        project_urls=data["project_urls"],
        requires_python=data["requires_python"],
        classifiers=tuple(data["classifiers"]),
        upload_times=_UploadTimes(times),
        fetched_at=fetched_at,
        notes=tuple(data["notes"]),
    )
