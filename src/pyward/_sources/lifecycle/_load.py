"""Reading a lifecycle file: the copy ``pyward db update`` refreshed, else the built-in
snapshot shipped in the package.

The file (``lifecycle.json``, written by :func:`pyward._sources.lifecycle._convert.dump`)
is one JSON object::

    {"format": "1.0", "source": "...", "updated": "2026-08-22",
     "products": [{"name": "django", "label": "Django", "packages": ["django"],
                   "cycles": [{"name": "4.2", "released": "2023-04-03",
                               "eoas": "2023-12-04", "eol": "2026-04-30",
                               "latest": "4.2.27", "lts": true}, ...]}, ...]}

``eol`` is a date, or a boolean when the data knows only whether the line has ended.
Absent keys mean ``None`` (``lts``: false). ``format`` is ``MAJOR.MINOR``: another
major is refused, a newer minor is read with a note.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._sources._snapshot import load_snapshot
from pyward._sources.lifecycle._types import Cycle, Lifecycle, Product
from pyward._wire import FOUND, Table, Wire
from pyward.errors import InputError

if TYPE_CHECKING:
    from pyward._report import DataSource

__all__ = [
    "BUILTIN",
    "CACHE_NAME",
    "FORMAT",
    "STALE_DAYS",
    "data_source",
    "load_lifecycle",
    "parse_lifecycle",
]

#: Lifecycle data older than this is marked stale in the report's footer: new release
#: lines and changed dates appear upstream several times a year.
STALE_DAYS = 365

#: The lifecycle file's format: ``MAJOR.MINOR``. A reader refuses another major and
#: reads a newer minor with a note.
FORMAT = "1.0"

#: The built-in snapshot (endoflife.date's product files; MIT, see ``data/LICENSE``).
BUILTIN = Path(__file__).parent / "data" / "snapshot.json"

#: The refreshed copy's name in the cache directory.
CACHE_NAME = "lifecycle.json"

_MAJOR, _MINOR = (int(p) for p in FORMAT.split("."))


def _date(t: Table, key: str) -> dt.date | None:
    text = t.opt_string(key)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise t.error(key, f"not a date (YYYY-MM-DD): {text!r}") from None


def parse_lifecycle(raw: bytes, file: str | Path) -> tuple[Lifecycle, list[str]]:
    """The lifecycle data of a lifecycle file's bytes, and notes (a newer minor format).
    Raises :class:`InputError` naming ``file`` and the key path of a bad value."""
    import orjson

    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(file, f"not JSON ({exc})") from None
    w = Wire(file, FOUND)
    doc = w.table(data, "")
    notes: list[str] = []
    version = doc.string("format")
    major, _, minor = version.partition(".")
    if major != str(_MAJOR):
        raise doc.error("format", f"unsupported format {version!r} (this pyward reads {FORMAT})")
    if minor.isdigit() and int(minor) > _MINOR:
        notes.append(f"{file}: format {version} is newer than {FORMAT}; unknown keys are ignored")
    products: dict[str, Product] = {}
    for p in doc.tables("products"):
        cycles = []
        for c in p.tables("cycles"):
            eol = c.data.get("eol")
            flag: bool | None = None
            if isinstance(eol, bool):
                flag = eol
                eol_date = None
            else:
                eol_date = _date(c, "eol")
            cycles.append(
                Cycle(
                    name=c.string("name"),
                    release_date=_date(c, "released"),
                    eoas=_date(c, "eoas"),
                    eol=eol_date,
                    eol_flag=flag,
                    latest=c.opt_string("latest"),
                    lts=bool(c.opt_bool("lts")),
                )
            )
        name = p.string("name")
        products[name] = Product(
            name=name,
            label=p.opt_string("label") or name,
            packages=tuple(p.strings("packages")),
            cycles=tuple(cycles),
        )
    return (
        Lifecycle(products=products, source=doc.string("source"), updated=_date(doc, "updated")),
        notes,
    )


def load_lifecycle(cache_dir: Path | None) -> tuple[Lifecycle, list[str]]:
    """The lifecycle data an audit uses, and notes for the report: the copy in
    ``cache_dir/lifecycle.json`` when there is one and it reads, else the built-in
    snapshot (a bad copy is a note naming the file and the place, never an error).
    Raises :class:`InputError` only when the built-in snapshot itself is unreadable."""
    cached = cache_dir / CACHE_NAME if cache_dir is not None else None
    return load_snapshot(cached, BUILTIN, parse_lifecycle)


def data_source(lifecycle: Lifecycle, today: dt.date) -> DataSource:
    """The report's footer entry for ``lifecycle``: where it came from and its date,
    stale when older than :data:`STALE_DAYS` on ``today``."""
    from pyward._report import DataSource

    updated = lifecycle.updated
    return DataSource(
        name="lifecycle data",
        origin=lifecycle.source,
        updated=None
        if updated is None
        else dt.datetime(updated.year, updated.month, updated.day, tzinfo=dt.timezone.utc),
        stale=updated is not None and (today - updated).days > STALE_DAYS,
    )
