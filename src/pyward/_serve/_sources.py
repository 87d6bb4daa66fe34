"""Several advisory sources behind one API: the store, plus an organisation's own
advisory directories (``pyward serve --source DIR``).

The design: each directory is read once at start-up by the same code as ``pyward db
update --source DIR`` (the PyPA layout, malformed records skipped with a warning) into
a store file of its own in a temporary directory, and :class:`MergedData` answers
from the main store first, then from each source in the order given. So:

* ``db update`` of the main store is still picked up without a restart (its
  ``refresh`` is passed through); a directory's new records need a restart.
* An id held by two sources is served from the first that holds it, and only that
  record matches: a later source's record of the same id is never mixed in.
* ``/health`` reports the main store's freshness (an organisation's fresh records must
  not hide a stale mirror), every source's name and the records of all of them.

Merging into one store file was the other choice: it would copy the whole mirror at
each start and lose the main store's own refresh.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward._advisory import AdvisoryStore, Match, StoreInfo
from pyward._advisory._types import AdvisoryId

if TYPE_CHECKING:
    from pyward._serve._app import ServedData

__all__ = ["MergedData", "build_sources", "open_sources"]


class MergedData:
    """The main store, then the sources: what the API needs of its data
    (:class:`pyward._serve._app.ServedData`)."""

    def __init__(self, main: ServedData, sources: Sequence[AdvisoryStore]) -> None:
        self.main = main
        self.sources = tuple(sources)

    @property
    def parts(self) -> tuple[ServedData, ...]:
        return (self.main, *self.sources)

    @property
    def info(self) -> StoreInfo:
        return replace(
            self.main.info,
            source=" + ".join(p.info.source for p in self.parts),
            record_count=sum(p.info.record_count for p in self.parts),
        )

    def _owner(self, advisory_id: str, before: int) -> bool:
        """Whether a part earlier than ``before`` holds ``advisory_id``."""
        return any(p.record(advisory_id) is not None for p in self.parts[:before])

    def record(self, advisory_id: str) -> dict[str, Any] | None:
        for part in self.parts:
            data = part.record(advisory_id)
            if data is not None:
                return data
        return None

    def matches(
        self, name: str, version: str, *, among: Collection[str] | None = None
    ) -> list[Match]:
        out: list[Match] = []
        for i, part in enumerate(self.parts):
            found = part.matches(name, version, among=among)
            out.extend(m for m in found if i == 0 or not self._owner(m.advisory_id, i))
        return out

    def ids_for_package(self, name: str) -> list[AdvisoryId]:
        out: list[AdvisoryId] = []
        for i, part in enumerate(self.parts):
            ids = part.ids_for_package(name)
            out.extend(a for a in ids if i == 0 or not self._owner(a, i))
        return out

    def refresh(self) -> bool:
        """The main store's ``refresh`` (``db update`` picked up without a restart)."""
        refresh = getattr(self.main, "refresh", None)
        return bool(refresh()) if refresh is not None else False


def build_sources(directories: Sequence[Path], workdir: Path) -> list[Path]:
    """Read each directory as ``db update --source`` does into a store file under
    ``workdir``; the summary and warnings of each go to stderr. Returns the files."""
    from pyward._advisory._store import STORE_FILE
    from pyward._advisory._sync import update
    from pyward._text import visible

    files = []
    for i, directory in enumerate(directories):
        cache = workdir / f"source-{i}"
        result = update(str(directory), cache)
        sys.stderr.write(f"pyward: serving also {visible(result.summary())}\n")
        for line in result.warnings:
            sys.stderr.write(f"pyward: warning: {visible(line)}\n")
        files.append(cache / STORE_FILE)
    return files


def open_sources(main: ServedData, files: Sequence[Path]) -> ServedData:
    """``main`` alone when there are no source files, else :class:`MergedData`."""
    if not files:
        return main
    return MergedData(main, [AdvisoryStore.open_file(f) for f in files])
