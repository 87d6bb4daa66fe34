"""What the package indexes say about the components of one run, fetched once.

The checks that need index metadata (``yanked``, ``project-status``, ``outdated``,
``unmaintained``) read it from an :class:`IndexMetadata` in their context; they never
speak HTTP. The command line builds it before the audit (each component asked of the
index its lock records, else the configured one), so the audit itself stays pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyward._model import canonical_name

if TYPE_CHECKING:
    from pyward._report import DataSource
from pyward._sources.index._model import ProjectInfo, ReleaseInfo
from pyward._sources.index._port import IndexFailure

__all__ = ["IndexMetadata"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexMetadata:
    """Index pages (PEP 691) and, where the index has one, its JSON API's answers, per
    PEP 503 normalised project name."""

    pages: Mapping[str, ProjectInfo | IndexFailure] = field(default_factory=dict)
    """Name -> its simple-API page, or why it could not be had."""
    releases: Mapping[str, ReleaseInfo | IndexFailure] = field(default_factory=dict)
    """Name -> the JSON API's answer (classifiers, licence, project URLs), for the
    projects whose index has a JSON API; absent otherwise (it is never required)."""
    unasked: Mapping[str, str] = field(default_factory=dict)
    """Name -> why no index was asked for it (no index configured for its inventory)."""
    indexes: tuple[str, ...] = ()
    """The indexes asked (credentials redacted), for the report's footer."""
    notes: tuple[str, ...] = ()
    """What the fetch noticed and a person should know (a stale copy used offline, a
    setting passed over), each once."""

    def page(self, name: str) -> ProjectInfo | IndexFailure:
        """The page of ``name``; an :class:`IndexFailure` of kind ``not-asked`` when
        no index was asked for it."""
        # Names are mostly given as their key already (the checks ask of every component).
        found = self.pages.get(name)
        if found is not None:
            return found
        key = canonical_name(name)
        found = self.pages.get(key)
        if found is not None:
            return found
        reason = self.unasked.get(key, "no index metadata was fetched for it")
        return IndexFailure(name=key, reason=f"{key}: {reason}", kind="not-asked")

    def release_info(self, name: str) -> ReleaseInfo | None:
        """The JSON API's answer for ``name``, or ``None`` (no JSON API, or it failed:
        a check that can use it does without)."""
        found = self.releases.get(name) or self.releases.get(canonical_name(name))
        return found if isinstance(found, ReleaseInfo) else None

    def data_source(self) -> DataSource:
        """The report's footer entry: the indexes asked, when the oldest page used was
        fetched (or last confirmed) from its index, and whether any page was stale."""
        from pyward._report import DataSource

        read = [p for p in self.pages.values() if isinstance(p, ProjectInfo)]
        times = [p.fetched_at for p in read if p.fetched_at is not None]
        return DataSource(
            name="index metadata",
            origin=", ".join(self.indexes) or "no index asked",
            updated=min(times) if times else None,
            stale=any(p.stale for p in read),
        )
