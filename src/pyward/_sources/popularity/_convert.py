"""From hugovk/top-pypi-packages' data to pyward's popularity file (the format
:mod:`._load` reads).

Two upstream shapes are read, both as that project publishes them:

* JSON: ``{"last_update": "2026-04-01 07:50:33", "rows": [{"download_count": N,
  "project": NAME}, ...]}`` (other keys, such as ``query``, are ignored);
* CSV: a ``download_count,project`` header, then one project a line.

Names are PEP 503 normalised (a name listed twice keeps its larger count) and sorted
most downloaded first; :func:`dump` writes the result the same way every time, so a
rebuilt snapshot is byte for byte the shipped one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pyward._model import canonical_name
from pyward._sources.popularity._load import FORMAT
from pyward._wire import FOUND, Wire
from pyward.errors import InputError

__all__ = ["document", "dump", "from_csv", "from_json", "from_upstream"]


def document(counts: dict[str, int], *, source: str, updated: dt.date | None) -> dict[str, Any]:
    """The popularity document of ``counts`` (name -> downloads), most downloaded first
    (ties by name)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "format": FORMAT,
        "source": source,
        "updated": updated.isoformat() if updated else None,
        "names": [n for n, _ in ranked],
        "downloads": [c for _, c in ranked],
    }


# A project name as PEP 508 writes it (https://peps.python.org/pep-0508/#names).
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?", re.IGNORECASE)


def _add(counts: dict[str, int], name: str, count: int) -> str | None:
    """Count ``name``; the fault when it is not a project name."""
    if not _NAME.fullmatch(name):
        return f"project: not a project name: {name!r}"
    key = canonical_name(name)
    if count > counts.get(key, -1):
        counts[key] = count
    return None


def from_json(data: object, *, source: str, fetched: dt.date) -> dict[str, Any]:
    """The document of the project's JSON (parsed). Raises :class:`InputError` naming
    ``source`` and the key path of a bad value."""
    w = Wire(source, FOUND)
    doc = w.table(data, "")
    counts: dict[str, int] = {}
    for row in doc.tables("rows"):
        count = row.required("download_count", int)
        if count < 0:
            raise row.error("download_count", f"expected a count >= 0, found {count}")
        fault = _add(counts, row.string("project").strip(), count)
        if fault is not None:
            raise row.error("project", fault.removeprefix("project: "))
    if not counts:
        raise InputError(source, "no projects", "rows")
    updated = fetched
    stamp = doc.opt_string("last_update")
    if stamp:
        try:
            updated = dt.date.fromisoformat(stamp.strip()[:10])
        except ValueError:
            raise doc.error("last_update", f"not a date: {stamp!r}") from None
    return document(counts, source=source, updated=updated)


def from_csv(text: str, *, source: str, fetched: dt.date) -> dict[str, Any]:
    """The document of the project's CSV. Raises :class:`InputError` naming ``source``
    and the line of a bad row."""
    import csv

    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(source, "empty: expected a download_count,project header") from None
    columns = [c.strip().lower() for c in header]
    if "download_count" not in columns or "project" not in columns:
        raise InputError(
            source,
            f"expected a download_count,project header, found {','.join(header)!r}",
            "line 1",
        )
    at_count, at_name = columns.index("download_count"), columns.index("project")
    counts: dict[str, int] = {}
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        where = f"line {reader.line_num}"
        if len(row) <= max(at_count, at_name):
            raise InputError(source, f"expected {len(columns)} columns, found {len(row)}", where)
        raw, name = row[at_count].strip(), row[at_name].strip()
        if not raw.isascii() or not raw.isdigit():
            raise InputError(source, f"download_count: not a count: {raw!r}", where)
        if not name:
            raise InputError(source, "project: empty", where)
        fault = _add(counts, name, int(raw))
        if fault is not None:
            raise InputError(source, fault, where)
    if not counts:
        raise InputError(source, "no projects")
    return document(counts, source=source, updated=fetched)


def from_upstream(raw: bytes, *, source: str, fetched: dt.date) -> dict[str, Any]:
    """The document of either upstream shape: JSON when the data starts with ``{``,
    else CSV."""
    import orjson

    text = raw.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        try:
            data = orjson.loads(raw.lstrip(b"\xef\xbb\xbf"))
        except orjson.JSONDecodeError as exc:
            raise InputError(source, f"not JSON ({exc})") from None
        return from_json(data, source=source, fetched=fetched)
    return from_csv(text, source=source, fetched=fetched)


def dump(doc: dict[str, Any]) -> bytes:
    """The document as the popularity file holds it: compact JSON, gzip-compressed with
    no time stamp (the same bytes every time)."""
    import gzip

    import orjson

    return gzip.compress(orjson.dumps(doc), compresslevel=9, mtime=0)
