"""pyward: supply-chain security for Python projects.

The public API is small on purpose; everything else lives in underscored modules.
Imports are lazy so that ``pyward --version`` and a whole audit stay fast.
"""

from __future__ import annotations

# Not ``typing.TYPE_CHECKING``: importing ``typing`` costs ``pyward --version`` ~3 ms
# (mypy treats any name ``TYPE_CHECKING`` as true).
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "AdvisoryStore",
    "Component",
    "Inventory",
    "NotAudited",
    "PywardError",
    "__version__",
    "audit",
    "read_inventory",
]

if TYPE_CHECKING:  # pragma: no cover - typing only
    from typing import Any

    from pyward._advisory import AdvisoryStore
    from pyward._audit import audit
    from pyward._inventory import read_inventory
    from pyward._model import Component, Inventory, NotAudited
    from pyward.errors import PywardError

_LAZY = {
    "AdvisoryStore": "pyward._advisory",
    "audit": "pyward._audit",
    "read_inventory": "pyward._inventory",
    "Component": "pyward._model",
    "Inventory": "pyward._model",
    "NotAudited": "pyward._model",
    "PywardError": "pyward.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pyward' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
