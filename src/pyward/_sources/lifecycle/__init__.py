"""Lifecycle data: the support schedules (end of life) of the Python interpreter and of
the packages that publish one.

The model here is what the ``eol`` check reads; the data comes from a built-in
snapshot of endoflife.date's product files (MIT), or a copy refreshed by ``pyward db
update`` (see docs/lifecycle.md).
"""

from __future__ import annotations

from pyward._sources.lifecycle._load import data_source, load_lifecycle, parse_lifecycle
from pyward._sources.lifecycle._match import cycle_for, supported
from pyward._sources.lifecycle._target import resolve_python_target
from pyward._sources.lifecycle._types import Cycle, Lifecycle, Product

__all__ = [
    "Cycle",
    "Lifecycle",
    "Product",
    "cycle_for",
    "data_source",
    "load_lifecycle",
    "parse_lifecycle",
    "resolve_python_target",
    "supported",
]
