"""The popularity list: the most downloaded projects with their monthly download counts.

(Interface fixed by the policy core; the loader, snapshot and refresh are built by the
typosquat work.)
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
        from pyward._report import DataSource

        updated = (
            dt.datetime.combine(self.updated, dt.time(), tzinfo=dt.timezone.utc)
            if self.updated is not None
            else None
        )
        return DataSource(name="popularity list", origin=self.origin, updated=updated)
