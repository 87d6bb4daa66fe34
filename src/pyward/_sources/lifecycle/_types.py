"""The lifecycle model: products, their release lines, one data set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyward._model import canonical_name

__all__ = ["Cycle", "Lifecycle", "Product"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cycle:
    """One release line of a product (``4.2`` of Django, ``3.12`` of Python)."""

    name: str
    """The line as the data names it (``releaseCycle``)."""
    release_date: dt.date | None = None
    """When its first release came out."""
    eoas: dt.date | None = None
    """End of active support (bug fixes), when the product has that stage."""
    eol: dt.date | None = None
    """End of life (security fixes end); ``None``: no date set yet."""
    eol_flag: bool | None = None
    """When the data gives ``eol`` as a boolean instead of a date: ``True`` means
    unsupported with no date known."""
    latest: str | None = None
    """The newest release of the line."""
    lts: bool = False
    """A long-term-support line."""

    def ended(self, today: dt.date) -> bool:
        """Past its end of life on ``today``."""
        if self.eol is not None:
            return self.eol < today
        return bool(self.eol_flag)


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    """A product with a support schedule."""

    name: str
    """The data's product id (``django``, ``python``)."""
    label: str = ""
    """Its display name (``Django``)."""
    packages: tuple[str, ...] = ()
    """The PyPI projects it is (PEP 503 names, from its ``pkg:pypi/...`` identifiers)."""
    cycles: tuple[Cycle, ...] = ()
    """Its release lines, newest first as the data lists them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Lifecycle:
    """Every product of one lifecycle data set, and where it came from."""

    products: Mapping[str, Product] = field(default_factory=dict)
    """Product id -> product."""
    source: str = ""
    """Where the data came from (``built-in snapshot``, a URL), for the report's footer."""
    updated: dt.date | None = None
    """How new the data is (the upstream commit's or the refresh's date)."""

    def for_package(self, name: str) -> Product | None:
        """The product that PyPI project ``name`` is, if it has a schedule."""
        key = canonical_name(name)
        for product in self.products.values():
            if key in product.packages:
                return product
        return None

    @property
    def python(self) -> Product | None:
        """The interpreter's schedule."""
        return self.products.get("python")
