"""The one-line notice every command prints about the data it used."""

from __future__ import annotations

from datetime import datetime

from pyward._advisory._types import StoreInfo

#: Data older than this (by its newest record) earns a warning.
STALE_DAYS = 30


def freshness_notice(info: StoreInfo, now: datetime | None = None) -> str | None:
    """One line for stderr: which data a snapshot is and how old, or a warning when
    the data is older than :data:`STALE_DAYS`; ``None`` when there is nothing to say
    (nor when no advisory data was used)."""
    if not info.used:
        return None
    age = info.age_days(now)
    days = int(age)
    newest = (info.newest_modified or info.updated.isoformat())[:10]
    if info.snapshot:
        line = (
            f"using the {info.source} ({info.record_count} records, newest {newest}, "
            f"{days} days old); run `pyward db update` for current data"
        )
        return f"warning: {line}" if age > STALE_DAYS else line
    if age > STALE_DAYS:
        return (
            f"warning: advisory data is {days} days old (newest record {newest}, "
            f"from {info.source}); run `pyward db update`"
        )
    return None
