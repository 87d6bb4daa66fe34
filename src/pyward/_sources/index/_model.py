"""What a package index says about one project: its files, versions and status.

Read from the JSON simple API (PEP 691, with PEP 700's ``versions``, ``upload-time`` and
``size``, PEP 714's ``core-metadata``, PEP 740's ``provenance`` and PEP 792's
``project-status``). Versions follow PEP 440 through ``packaging``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

from pyward._sources.index._versions import PageFacts, is_prerelease, page_facts

if TYPE_CHECKING:
    from packaging.version import Version

#: PEP 792's status markers.
KNOWN_STATUSES = ("active", "archived", "quarantined", "deprecated")

FileKind = Literal["wheel", "sdist", "other"]


@functools.lru_cache(maxsize=1 << 16)
def _version(text: str) -> Version:
    """``Version(text)``, once per text: the helpers below compare every file's version
    on every call, and the checks call them for every component."""
    from packaging.version import Version

    return Version(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectFile:
    """One distribution file the index lists for a project."""

    filename: str
    """The file's name, as the index gives it."""
    url: str
    """Absolute URL of the file (a relative one is resolved against the page's URL)."""
    hashes: Mapping[str, str] = field(default_factory=dict)
    """Lower-case hash name -> lower-case hex digest (may be empty: PEP 691 allows it)."""
    requires_python: str | None = None
    """The ``Requires-Python`` specifier the index gives, as written."""
    yanked: bool = False
    """Yanked (PEP 592): installers skip it unless pinned exactly."""
    yanked_reason: str | None = None
    """Why it was yanked, when the index says (``None`` when not yanked or no reason)."""
    upload_time: dt.datetime | None = None
    """When it was uploaded (PEP 700), time-zone aware; ``None`` when not given."""
    size: int | None = None
    """Size in bytes (PEP 700); ``None`` when not given."""
    provenance: str | None = None
    """URL of its PEP 740 provenance object, when the index has attestations for it."""
    core_metadata: bool | Mapping[str, str] | None = None
    """PEP 714 ``core-metadata`` (or the older ``dist-info-metadata``): ``None`` when
    the index says nothing, ``False`` when not served, ``True`` when served without
    hashes, or the hashes (name -> hex) of the served ``METADATA`` file."""
    version: str | None = None
    """The version parsed from the filename (normalised, PEP 440); ``None`` when the
    filename is neither a wheel's nor an sdist's."""
    kind: FileKind = "other"
    """``wheel``, ``sdist`` or ``other`` (eggs, Windows installers...)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectStatus:
    """The project's status marker (PEP 792)."""

    status: str = "active"
    """``active``, ``archived``, ``quarantined`` or ``deprecated`` (see
    :data:`KNOWN_STATUSES`); an unknown marker is kept as written, with a note."""
    reason: str | None = None
    """Free-form text the index gives for the status, if any."""

    @property
    def known(self) -> bool:
        """The marker is one PEP 792 defines."""
        return self.status in KNOWN_STATUSES


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectInfo:
    """Everything one index page says about one project."""

    name: str
    """PEP 503 normalised name."""
    index_url: str
    """The index the page came from (the base of the simple API, ending with ``/``)."""
    page_url: str = ""
    """The page itself (after redirects)."""
    versions: tuple[str, ...] = ()
    """Every version the index lists (PEP 700 ``versions``, or the files' versions for
    older indexes), PEP 440-sorted, as written by the index."""
    invalid_versions: tuple[str, ...] = ()
    """Versions the index lists that are not PEP 440 versions (kept apart, with a note)."""
    files: tuple[ProjectFile, ...] = ()
    """Every readable file entry, in the index's order."""
    status: ProjectStatus = field(default_factory=ProjectStatus)
    """PEP 792 status (``active`` when the index says nothing)."""
    api_version: str | None = None
    """``meta.api-version`` of the page."""
    last_serial: int | None = None
    """The index's change serial for the project (``meta._last-serial``), if given."""
    fetched_at: dt.datetime | None = None
    """When the page was fetched from the index (or last confirmed unchanged by it)."""
    from_cache: bool = False
    """Read from the on-disk cache rather than a new response body."""
    stale: bool = False
    """The cached copy is older than the freshness limit and could not be refreshed."""
    summary: bool = False
    """Holds the page's version-level facts only (:attr:`facts`; ``files`` is empty):
    read from the derived facts cache (:mod:`._facts`, ``from_cache``), or parsed
    without its files (``parse_project_page(keep_files=False)``, as ``fetch_metadata``
    does). Every version-level answer (:meth:`yanked`, :meth:`upload_time`,
    :meth:`released_versions`, :meth:`latest`) is the page's; the file-level ones
    (:meth:`releases`, :meth:`files_of`) have no files to give."""
    facts: PageFacts | None = None
    """The page's version-level facts: given when its files were not kept, else
    computed from ``files`` when the page is made (never ``None`` after that)."""
    notes: tuple[str, ...] = ()
    """Everything unknown or unreadable in the page (skipped files, unknown keys...)."""

    def _parsed(self) -> dict[str, Version]:
        return {v: _version(v) for v in self.versions}

    def releases(self) -> dict[str, tuple[ProjectFile, ...]]:
        """Version -> its files, in version order. Every listed version is a key (a
        version whose files were all deleted maps to ``()``); files are matched by PEP
        440 equality (``1.0`` in a filename is release ``1.0.0``), and a file of a
        version the list lacks adds that version. Files with no readable version are
        not in it. A :attr:`summary` page has no files: each version maps to ``()``."""
        from packaging.version import InvalidVersion

        parsed_versions = self._parsed()
        by_version: dict[Version, str] = {p: v for v, p in parsed_versions.items()}
        grouped: dict[str, list[ProjectFile]] = {v: [] for v in self.versions}
        extra: dict[Version, list[ProjectFile]] = {}
        for f in self.files:
            if f.version is None:
                continue
            try:
                parsed = _version(f.version)
            except InvalidVersion:  # pragma: no cover - ``version`` is always parsed
                continue
            key = by_version.get(parsed)
            if key is not None:
                grouped[key].append(f)
            else:
                extra.setdefault(parsed, []).append(f)
        if not extra:
            return {v: tuple(fs) for v, fs in grouped.items()}
        merged: list[tuple[Version, str, list[ProjectFile]]] = [
            (parsed_versions[v], v, fs) for v, fs in grouped.items()
        ]
        merged += [(p, str(p), fs) for p, fs in extra.items()]
        merged.sort(key=lambda item: item[0])
        return {v: tuple(fs) for _, v, fs in merged}

    def files_of(self, version: str) -> tuple[ProjectFile, ...]:
        """The files of ``version`` (matched by PEP 440 equality; ``()`` if none, and on
        a :attr:`summary` page)."""
        from packaging.version import InvalidVersion

        try:
            wanted = _version(version)
        except InvalidVersion:
            return ()
        found = []
        for f in self.files:
            if f.version is not None and _version(f.version) == wanted:
                found.append(f)
        return tuple(found)

    def __post_init__(self) -> None:
        # The version-level facts are computed once, when the page is made from its
        # files: every question asked of the page (yanked, upload time, releases) and
        # every check of a run reads them.
        if self.facts is None:
            object.__setattr__(self, "facts", page_facts(self.versions, self.files))

    def version_facts(self) -> PageFacts:
        """What the page says of each version (:class:`PageFacts`): as read from the facts
        cache or the page without its files, else computed from ``files`` when the page
        was made."""
        return cast("PageFacts", self.facts)

    def yanked(self, version: str) -> str | None:
        """``None`` when ``version`` is not yanked; otherwise the reason (stripped; ``""``
        when the index gives none). A version is yanked when every one of its files
        is (PEP 592); a version with no files is not."""
        facts = self.version_facts()
        at = facts.position(version)
        return facts.yanked[at] if at is not None else None

    def upload_time(self, version: str) -> dt.datetime | None:
        """When ``version`` was released: its earliest file's upload time."""
        facts = self.version_facts()
        at = facts.position(version)
        return facts.upload_time(at) if at is not None else None

    def last_upload_time(self, version: str) -> dt.datetime | None:
        """When ``version`` last changed: its newest file's upload time (a wheel added
        later counts)."""
        facts = self.version_facts()
        at = facts.position(version)
        return facts.last_upload_time(at) if at is not None else None

    def released_versions(self) -> tuple[str, ...]:
        """Versions an installer can pick (at least one file that is not yanked), in PEP
        440 order: the candidates for upgrades and fix targets."""
        return self.version_facts().released()

    def latest(self, include_prereleases: bool = False) -> str | None:
        """The highest released version (see :meth:`released_versions`); pre- and
        development releases only when ``include_prereleases``."""
        for v in reversed(self.released_versions()):
            if include_prereleases or not is_prerelease(v):
                return v
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseInfo:
    """What an index's JSON API (``{json_api_url}/{name}/json``) adds to the simple
    API: the newest release's descriptive metadata, and every release's upload time."""

    name: str
    """PEP 503 normalised name."""
    url: str
    """The JSON API URL read (credentials redacted)."""
    version: str | None = None
    """The release the metadata describes (the index's newest)."""
    summary: str | None = None
    """One-line summary."""
    license: str | None = None
    """``License-Expression`` where given, else the free-text ``License``."""
    project_urls: Mapping[str, str] = field(default_factory=dict)
    """Label -> URL (``Source``, ``Changelog``...)."""
    requires_python: str | None = None
    """``Requires-Python`` of that release."""
    classifiers: tuple[str, ...] = ()
    """Its trove classifiers (``Development Status :: 7 - Inactive``...)."""
    upload_times: Mapping[str, dt.datetime] = field(default_factory=dict)
    """Version -> its earliest file's upload time, for every release with files."""
    fetched_at: dt.datetime | None = None
    """When the response was fetched (or last confirmed unchanged)."""
    stale: bool = False
    """A cached copy older than the freshness limit, used because the index could not
    be reached (or the client is offline)."""
    notes: tuple[str, ...] = ()
    """What could not be read, each naming its key path."""
