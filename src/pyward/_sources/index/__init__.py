"""The package-index port: what an index says about projects (files, versions,
yanks, upload times, PEP 740 provenance, PEP 792 status).

* :class:`IndexSource` - the port: ``project(name)``, and ``projects(names)`` in batch.
* :class:`IndexClient` - PEP 691 JSON over HTTP, cached on disk, offline-first.
* :class:`StaticIndex` - an in-memory index (tests, recorded pages).
* :class:`IndexMetadata` - the pages of one run's components, fetched once for the checks
  by :func:`fetch_metadata`.
* :mod:`._integrity` - the PEP 740 provenance of many files (the integrity API, or each
  file's own provenance URL), imported only by ``pyward provenance`` (every audit that
  asks an index imports this package); :meth:`IndexClient.provenance` for one.
* :func:`resolve_index` - which index a project's metadata comes from;
  :class:`IndexResolver` - the same for a run's inventories, the configured index
  computed once per project.
* The model: :class:`ProjectInfo`, :class:`ProjectFile`, :class:`ProjectStatus`,
  :class:`ReleaseInfo`; what the checks read of a page: :class:`PageFacts` (one
  :class:`VersionFacts` per version); failures: :class:`IndexFailure`,
  :class:`IndexLookupError`.

See docs/index-port.md.
"""

from __future__ import annotations

from pyward._sources.index._client import DEFAULT_MAX_AGE, IndexClient
from pyward._sources.index._fetch import (
    ClientOptions,
    IndexResolver,
    fetch_metadata,
    json_api_base,
)
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._model import (
    KNOWN_STATUSES,
    ProjectFile,
    ProjectInfo,
    ProjectStatus,
    ReleaseInfo,
)
from pyward._sources.index._parse import parse_project_page, parse_release_info
from pyward._sources.index._port import (
    IndexFailure,
    IndexLookupError,
    IndexSource,
    StaticIndex,
)
from pyward._sources.index._resolve import NoIndex, ResolvedIndex, configured_index, resolve_index
from pyward._sources.index._versions import PageFacts, VersionFacts
from pyward._text import redact_text, redact_url

__all__ = [
    "DEFAULT_MAX_AGE",
    "KNOWN_STATUSES",
    "ClientOptions",
    "IndexClient",
    "IndexFailure",
    "IndexLookupError",
    "IndexMetadata",
    "IndexResolver",
    "IndexSource",
    "NoIndex",
    "PageFacts",
    "ProjectFile",
    "ProjectInfo",
    "ProjectStatus",
    "ReleaseInfo",
    "ResolvedIndex",
    "StaticIndex",
    "VersionFacts",
    "configured_index",
    "fetch_metadata",
    "json_api_base",
    "parse_project_page",
    "parse_release_info",
    "redact_text",
    "redact_url",
    "resolve_index",
]
