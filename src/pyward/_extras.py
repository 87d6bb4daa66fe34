"""Optional parts of pyward and the extras that install them.

The core install carries what ``audit``, ``db``, ``explain``, ``rules`` and CycloneDX
output need; the heavy parts are extras (``pyproject.toml``): ``serve`` (the ASGI app and
server), ``spdx`` (the SPDX model and writers), ``provenance`` (PEP 740 verification
through Sigstore) ``release`` (Bandit, for ``release-check``'s code category), ``advisory``
(JSON Schema validation of advisories) and ``dask`` (``pyward fleet --dask``). Code
that needs one calls :func:`require` first, so a missing extra is one line that names it
(exit 2), never an ``ImportError`` from deep inside a library.
"""

from __future__ import annotations

import importlib

from pyward.errors import UsageError

#: extra -> the top-level modules it installs that pyward imports.
EXTRAS: dict[str, tuple[str, ...]] = {
    "serve": ("fastapi", "uvicorn"),
    "spdx": ("spdx_tools",),
    "provenance": ("pypi_attestations", "sigstore"),
    "release": ("bandit",),
    "advisory": ("jsonschema",),
    "dask": ("distributed",),
}


class MissingExtra(UsageError):
    """A feature needs an extra that is not installed."""


def require(extra: str, *, what: str) -> None:
    """Raise :class:`MissingExtra` naming ``extra`` when one of its modules cannot be
    imported; ``what`` says which feature needs it (``pyward serve``)."""
    missing = []
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise MissingExtra(
            f"{what} needs the {extra!r} extra, which is not installed "
            f"(no module {', '.join(missing)}): pip install 'pyward[{extra}]'"
        )
