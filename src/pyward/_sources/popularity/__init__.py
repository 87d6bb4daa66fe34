"""The popularity list: the most downloaded projects with their monthly download counts,
which the ``typosquat`` check compares names with.

The data comes from a built-in snapshot of hugovk/top-pypi-packages (the 15,000 most
downloaded projects of a month; names and counts are facts, shipped with attribution in
``data/NOTICE``), or from a copy ``pyward db update --popularity-from`` wrote
(:mod:`._refresh`). :mod:`._load` reads either; :mod:`._squat` is the detector.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyward._report import DataSource

__all__ = ["Popularity"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Popularity:
    """Download counts of the most downloaded projects."""

    downloads: Mapping[str, int] = field(default_factory=dict)
    """PEP 503 name -> monthly downloads."""
    origin: str = "built-in snapshot"
    """Where the list came from."""
    updated: dt.date | None = None
    """The date of its counts."""

    def data_source(self) -> DataSource:
        """The report's footer entry for the list: where it came from and its date."""
        from pyward._report import DataSource

        updated = (
            dt.datetime.combine(self.updated, dt.time(), tzinfo=dt.timezone.utc)
            if self.updated is not None
            else None
        )
        return DataSource(name="popularity list", origin=self.origin, updated=updated)
