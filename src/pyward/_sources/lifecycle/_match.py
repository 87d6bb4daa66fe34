"""Which release line of a product a version belongs to.

A line (``releaseCycle``) is a prefix of release segments: Django ``4.2.11`` is in
``4.2``, ansible ``9.1.0`` in ``9``, Python ``3.12.1`` in ``3.12``; ``3.1`` is not in
``3.12``. Versions compare as PEP 440 says (``packaging``): ``4`` is ``4.0``, so it
is in the line ``4.0``. When lines nest (``2`` and ``2.7``), the longest match wins.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from pyward._sources.lifecycle._types import Cycle, Product

__all__ = ["cycle_for", "cycle_release", "release_of", "supported"]

_RELEASE = re.compile(r"\d+(?:\.\d+)*")


@lru_cache(maxsize=4096)
def cycle_release(name: str) -> tuple[int, ...] | None:
    """The release segments a line's name stands for (``"4.2"`` -> ``(4, 2)``); ``None``
    for a name that is not dotted numbers (a code name)."""
    text = name.strip()
    if not _RELEASE.fullmatch(text) or len(text) > 64:
        return None
    return tuple(int(p) for p in text.split("."))


@lru_cache(maxsize=4096)
def release_of(version: str) -> tuple[int, ...] | None:
    """The release segments of a PEP 440 version (no epoch); ``None`` when it does not
    parse or has an epoch (no line names one)."""
    from pyward._advisory._match import parse_version

    parsed = parse_version(version)
    if parsed is None or parsed.epoch:
        return None
    return parsed.release


def cycle_for(product: Product, version: str) -> Cycle | None:
    """The line of ``product`` that ``version`` belongs to, or ``None``."""
    release = release_of(version)
    if release is None:
        return None
    best: Cycle | None = None
    best_len = 0
    for cycle in product.cycles:
        prefix = cycle_release(cycle.name)
        if prefix is None or len(prefix) <= best_len:
            continue
        padded = release + (0,) * (len(prefix) - len(release))
        if padded[: len(prefix)] == prefix:
            best, best_len = cycle, len(prefix)
    return best


def supported(product: Product, today: dt.date) -> tuple[Cycle, ...]:
    """The lines of ``product`` supported on ``today`` (released, not ended), oldest
    first."""
    lines = [
        c
        for c in product.cycles
        if not c.ended(today)
        and (c.release_date is None or c.release_date <= today)
        and cycle_release(c.name) is not None
    ]
    return tuple(sorted(lines, key=lambda c: cycle_release(c.name) or ()))
