"""Exposure: does a component face the network or parse untrusted input?

Two sources: a curated list shipped in ``data/exposure.json`` (web frameworks and
servers, network clients, parsers of untrusted input, template engines), and the
component's trove classifiers when a reader has its metadata (an environment or an
SBOM). Exposed findings are listed first: issue 4 asks users to prioritise
internet-connected software.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pyward._model import Component, canonical_name

#: Classifier prefixes that mark network-facing software (the trove classifiers list,
#: https://github.com/pypa/trove-classifiers; ``Framework :: Django`` covers
#: ``Framework :: Django :: 4.2`` too).
_CLASSIFIERS: tuple[tuple[str, str], ...] = (
    ("Topic :: Internet :: WWW/HTTP :: HTTP Servers", "web server"),
    ("Topic :: Internet :: WWW/HTTP :: WSGI", "web server"),
    ("Topic :: Internet :: WWW/HTTP", "web framework"),
    ("Environment :: Web Environment", "web framework"),
    ("Framework :: Django", "web framework"),
    ("Framework :: Flask", "web framework"),
    ("Framework :: FastAPI", "web framework"),
    ("Framework :: Pyramid", "web framework"),
    ("Framework :: Tornado", "web framework"),
    ("Framework :: Twisted", "web server"),
    ("Framework :: aiohttp", "web framework"),
    ("Topic :: Internet :: Proxy Servers", "web server"),
    ("Topic :: Text Processing :: Markup", "untrusted-input parser"),
)


@functools.lru_cache(maxsize=1)
def curated() -> dict[str, str]:
    """The shipped list: normalised name -> category."""
    # stdlib json, not orjson: the store has imported it already, and orjson would
    # bring uuid and platform along for a 2 KB file.
    import json

    # A path next to this module, not importlib.resources (a heavy import on the
    # audit's path): pyward is always installed unzipped (a wheel).
    data = json.loads((Path(__file__).parent / "data" / "exposure.json").read_bytes())
    table: dict[str, str] = {}
    for category, names in data.items():
        if category.startswith("_"):
            continue
        for name in names:
            table[canonical_name(name)] = category
    return table


def exposure(component: Component) -> str | None:
    """The category that makes ``component`` network-facing, else ``None``."""
    category = curated().get(component.name)
    if category is not None:
        return category
    classifiers = component.metadata.get("classifiers")
    if not classifiers:
        return None
    for raw in classifiers.splitlines():
        line = raw.strip()
        for prefix, cat in _CLASSIFIERS:
            if line == prefix or line.startswith(prefix + " ::"):
                return cat
    return None
