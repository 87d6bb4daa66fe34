"""Reading a popularity file: the copy ``pyward db update --popularity-from`` wrote, else
the built-in snapshot shipped in the package.

The file (``popularity.json.gz``, written by :func:`pyward._sources.popularity._convert.dump`)
is one gzip-compressed JSON object, the names and counts in two parallel arrays, most
downloaded first (two arrays load faster and compress smaller than a list of pairs;
see bench/README.md)::

    {"format": "1.0", "source": "...", "updated": "2026-04-06",
     "names": ["boto3", "packaging", ...], "downloads": [1880218825, 1577819710, ...]}

Names are PEP 503 normalised. ``format`` is ``MAJOR.MINOR``: another major is refused,
a newer minor is read with a note.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pyward._sources._snapshot import load_snapshot
from pyward._sources.popularity import Popularity
from pyward.errors import InputError

__all__ = ["BUILTIN", "CACHE_NAME", "FORMAT", "load_popularity", "parse_popularity"]

#: The popularity file's format: ``MAJOR.MINOR``.
FORMAT = "1.0"

#: The built-in snapshot (hugovk/top-pypi-packages; see ``data/NOTICE``).
BUILTIN = Path(__file__).parent / "data" / "snapshot.json.gz"

#: The refreshed copy's name in the cache directory.
CACHE_NAME = "popularity.json.gz"

_MAJOR, _MINOR = (int(p) for p in FORMAT.split("."))
_GZIP = b"\x1f\x8b"


def _list(doc: dict[str, Any], key: str, kind: type, file: str | Path) -> list[Any]:
    value = doc.get(key)
    if type(value) is not list:
        raise InputError(file, f"expected an array, found {type(value).__name__}", key)
    for i, item in enumerate(value):
        if type(item) is not kind or not (item >= 0 if type(item) is int else item):
            what = "a name" if kind is str else "a count of downloads (an integer >= 0)"
            raise InputError(file, f"expected {what}, found {item!r}", f"{key}[{i}]")
    return value


def parse_popularity(raw: bytes, file: str | Path) -> tuple[Popularity, list[str]]:
    """The popularity list of a popularity file's bytes (gzip-compressed or plain JSON),
    and notes (a newer minor format). Raises :class:`InputError` naming ``file`` and
    the place of a bad value."""
    import orjson

    if raw[:2] == _GZIP:
        import zlib

        try:
            raw = zlib.decompress(raw, 31)
        except zlib.error as exc:
            raise InputError(file, f"not gzip ({exc})") from None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(file, f"not JSON ({exc})") from None
    if type(doc) is not dict:
        raise InputError(file, f"expected a JSON object, found {type(doc).__name__}")
    version = doc.get("format")
    if type(version) is not str:
        raise InputError(file, f"expected a string, found {version!r}", "format")
    major, _, minor = version.partition(".")
    if major != str(_MAJOR):
        raise InputError(
            file, f"unsupported format {version!r} (this pyward reads {FORMAT})", "format"
        )
    notes = []
    if minor.isdigit() and int(minor) > _MINOR:
        notes.append(f"{file}: format {version} is newer than {FORMAT}; unknown keys are ignored")
    names = _list(doc, "names", str, file)
    counts = _list(doc, "downloads", int, file)
    if len(names) != len(counts):
        raise InputError(file, f"{len(names)} names but {len(counts)} download counts", "downloads")
    source = doc.get("source")
    if type(source) is not str or not source:
        raise InputError(file, f"expected a string, found {source!r}", "source")
    updated = doc.get("updated")
    day = None
    if updated is not None:
        try:
            day = dt.date.fromisoformat(updated) if type(updated) is str else None
        except ValueError:
            day = None
        if day is None:
            raise InputError(file, f"not a date (YYYY-MM-DD): {updated!r}", "updated")
    # The lengths are equal (checked above).
    downloads = dict(zip(names, counts, strict=True))
    return Popularity(downloads=downloads, origin=source, updated=day), notes


def load_popularity(cache_dir: Path | None) -> tuple[Popularity, list[str]]:
    """The popularity list a run uses, and notes for the report: the copy in
    ``cache_dir/popularity.json.gz`` when there is one and it reads, else the built-in
    snapshot (a bad copy is a note naming the file and the place, never an error).
    Raises :class:`InputError` only when the built-in snapshot itself is unreadable."""
    cached = cache_dir / CACHE_NAME if cache_dir is not None else None
    return load_snapshot(cached, BUILTIN, parse_popularity)
