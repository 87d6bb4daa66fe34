"""What the checks that read package-index metadata share: the pages of the audited
components, one warning text per failed page, PEP 440 parsing cached per distinct
string, a project's releases grouped once, and the finding they all build.

``yanked``, ``project-status``, ``outdated`` and ``unmaintained`` each report a page
that could not be had with the same words, so that the audit (which keeps each warning
once) shows it once however many of them ran.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

from pyward._checks import CHECKS, CheckContext
from pyward._findings import (
    CheckId,
    Detail,
    Finding,
    FindingKind,
    Level,
    Rating,
    Reference,
    status_id,
)
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._model import ProjectFile, ProjectInfo
from pyward._sources.index._port import IndexFailure
from pyward._text import redact_url

if TYPE_CHECKING:
    from pyward._model import Component, Inventory

__all__ = [
    "Release",
    "Releases",
    "admits",
    "failure_warning",
    "index_of",
    "installable",
    "is_prerelease",
    "pages",
    "parse_version",
    "release_key",
    "releases",
    "status_finding",
    "unparsable_warning",
    "uploaded",
]


# A release number alone, without leading zeros: ``2.32.0``, not ``02.1`` or ``1.0rc1``.
_PLAIN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*")


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Version | None:
    """``text`` as a PEP 440 version, ``None`` when it is not one. Cached: a page names
    each version once in its list and again in every file name, and the same strings
    come back in every check and every run of a process."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _parsed(text: str) -> Version:
    # For strings already known to be PEP 440 versions.
    return cast("Version", parse_version(text))


@lru_cache(maxsize=65536)
def is_prerelease(text: str) -> bool:
    """Whether the version ``text`` is a pre- or development release (``False`` when it is
    not PEP 440); cached like :func:`parse_version`."""
    if _PLAIN.fullmatch(text):
        return False
    parsed = parse_version(text)
    return parsed is not None and parsed.is_prerelease


@lru_cache(maxsize=4096)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


@lru_cache(maxsize=65536)
def _admits(requires_python: str, python: str) -> bool:
    spec = _specifier(requires_python)
    target = parse_version(python)
    # Installers pass over a ``Requires-Python`` they cannot read rather than refuse the
    # file (pip warns and installs), so an unreadable one admits every Python.
    if spec is None or target is None:
        return True
    return spec.contains(target, prereleases=True)


def admits(file: ProjectFile, python: str | None) -> bool:
    """Whether ``file`` can be installed on ``python`` (``X.Y`` or ``X.Y.Z``; ``None``:
    any Python): it declares no ``Requires-Python``, or one that ``python`` meets."""
    if python is None or file.requires_python is None:
        return True
    return _admits(file.requires_python, python)


@lru_cache(maxsize=65536)
def release_key(text: str) -> str | None:
    """What two version strings that name one release (PEP 440 equality: ``1.0`` is
    ``1.0.0``) have in common, as a string: a dictionary key that hashes in C, where a
    :class:`Version` hashes in Python. ``None`` for a string that is not PEP 440."""
    if _PLAIN.fullmatch(text):
        # Most versions are plain release numbers: their key without parsing them
        # (``canonicalize_version`` gives the same: ``2.32.0`` -> ``2.32``).
        while text.endswith(".0"):
            text = text[:-2]
        return text
    parsed = parse_version(text)
    return None if parsed is None else canonicalize_version(parsed, strip_trailing_zero=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Release:
    """One version of a project as its index lists it, with its files."""

    version: str
    """The version as the index writes it."""
    parsed: Version
    """It, parsed (PEP 440)."""
    files: tuple[ProjectFile, ...]
    """Its files (matched by PEP 440 equality; ``()`` when all were deleted)."""

    @property
    def yanked(self) -> bool:
        """Every file is yanked (PEP 592); a version without files is not."""
        return bool(self.files) and not installable(self.files)

    def yanked_reason(self) -> str | None:
        """The first non-empty reason its files give for the yank, stripped."""
        for f in self.files:
            if f.yanked_reason and f.yanked_reason.strip():
                return f.yanked_reason.strip()
        return None

    def uploaded(self) -> dt.date | None:
        """The day its first file was uploaded, when the index says."""
        return uploaded(self.files)

    def admits(self, python: str | None) -> bool:
        """An installable file of it can be installed on ``python``."""
        return any(not f.yanked and admits(f, python) for f in self.files)


def installable(files: Sequence[ProjectFile]) -> bool:
    """At least one of ``files`` is not yanked."""
    return any(not f.yanked for f in files)


def uploaded(files: Sequence[ProjectFile]) -> dt.date | None:
    """The day the first of ``files`` was uploaded, when the index says."""
    times = [f.upload_time for f in files if f.upload_time is not None]
    return min(times).date() if times else None


class Releases:
    """Every version one page lists or has files for, with its files, in PEP 440 order:
    the grouping of :meth:`ProjectInfo.releases`, made once per page for every check
    (see :func:`releases`).

    Versions are matched as the index writes them first, and by PEP 440 equality only
    where that fails (a file ``1.0`` of the listed ``1.0.0``, a pin written ``2.32``):
    indexes list each release once, in the form its files' names give, so the work is
    one dictionary look-up per file on most pages. Listed versions are PEP 440 ones (the
    parser keeps the others apart, in ``ProjectInfo.invalid_versions``)."""

    __slots__ = ("_at", "_files", "_keys", "versions")

    def __init__(self, page: ProjectInfo) -> None:
        by_string: dict[str, list[ProjectFile]] = {}
        for f in page.files:
            if f.version is not None:
                same = by_string.get(f.version)
                if same is None:
                    by_string[f.version] = same = []
                same.append(f)
        versions = list(page.versions)
        at = dict(zip(versions, range(len(versions)), strict=True))
        odd = [text for text in by_string if text not in at]
        if odd:
            # Files whose version the list writes otherwise, or lacks: match them by PEP
            # 440 equality, and add the versions the list lacks in their place.
            keys: dict[str, str] = {}
            for v in versions:
                keys.setdefault(release_key(v) or v, v)
            merged = {v: by_string.get(v, []) for v in versions}
            for text in odd:
                key = release_key(text)
                if key is None:
                    continue
                listed = keys.get(key)
                if listed is None:
                    keys[key] = listed = text
                    merged[text] = []
                merged[listed] = merged[listed] + by_string[text]
            if len(merged) > len(versions):
                versions = sorted(merged, key=_parsed)
                at = dict(zip(versions, range(len(versions)), strict=True))
            by_string = merged
        self.versions: Sequence[str] = versions
        """The versions as written, in PEP 440 order."""
        self._at = at
        self._files = by_string
        self._keys: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.versions)

    def files(self, at: int) -> Sequence[ProjectFile]:
        """The files of the version at position ``at`` (none when all were deleted)."""
        return self._files.get(self.versions[at], ())

    def position(self, version: str) -> int | None:
        """Where the release ``version`` names (PEP 440 equality) is, if listed."""
        found = self._at.get(version)
        if found is not None:
            return found
        key = release_key(version)
        if key is None:
            return None
        if self._keys is None:
            keys: dict[str, int] = {}
            for i, v in enumerate(self.versions):
                keys.setdefault(release_key(v) or v, i)
            self._keys = keys
        return self._keys.get(key)

    def above(self, version: str) -> int:
        """The position of the first release above the PEP 440 version ``version``."""
        at = self.position(version)
        if at is not None:
            return at + 1
        return bisect.bisect_right(self.versions, _parsed(version), key=_parsed)

    def candidate(self, at: int, *, prereleases: bool) -> bool:
        """Whether an installer picks the version at ``at`` unpinned: one of its files
        is not yanked, and it is final unless ``prereleases``."""
        if not prereleases and is_prerelease(self.versions[at]):
            return False
        return installable(self.files(at))

    def count(self, start: int, stop: int, *, prereleases: bool) -> int:
        """How many :meth:`candidate` versions are at positions ``start..stop``."""
        # :meth:`candidate` inlined: this runs over every release between a pin and the
        # newest, for every component of a lock.
        files = self._files
        n = 0
        for v in self.versions[start : stop + 1]:
            if not prereleases and is_prerelease(v):
                continue
            for f in files.get(v, ()):
                if not f.yanked:
                    n += 1
                    break
        return n

    def release(self, at: int) -> Release:
        """The release at position ``at``."""
        v = self.versions[at]
        return Release(version=v, parsed=_parsed(v), files=tuple(self.files(at)))


#: The grouped pages of the index metadata of the latest runs (a few, for runs in
#: threads side by side), by identity: each entry keeps its metadata, and so its pages,
#: alive, so no other object takes their ids while it is here. The checks of one run
#: read the same pages; a later run's metadata replaces the oldest entry, and with it
#: the pages of that run.
_GROUPED: OrderedDict[int, tuple[IndexMetadata, dict[int, tuple[ProjectInfo, Releases]]]] = (
    OrderedDict()
)
_GROUPED_RUNS = 4
_GROUPED_LOCK = threading.Lock()


def releases(context: CheckContext, page: ProjectInfo) -> Releases:
    """``page``'s :class:`Releases`, grouped once for every check of the run that reads
    it (``page`` is one of ``context``'s index metadata)."""
    index = context.sources.index
    if index is None:
        return Releases(page)
    with _GROUPED_LOCK:
        entry = _GROUPED.get(id(index))
        if entry is None or entry[0] is not index:
            entry = _GROUPED[id(index)] = (index, {})
            while len(_GROUPED) > _GROUPED_RUNS:
                _GROUPED.popitem(last=False)
        else:
            _GROUPED.move_to_end(id(index))
        grouped = entry[1]
    found = grouped.get(id(page))
    if found is not None and found[0] is page:
        return found[1]
    made = Releases(page)
    grouped[id(page)] = (page, made)
    return made


def failure_warning(failure: IndexFailure) -> str | None:
    """The one warning every index check gives for a page it could not have; ``None``
    for a project no index was asked about (the audit says once that none was
    configured)."""
    if failure.kind == "not-asked":
        return None
    reason = failure.reason.removeprefix(f"{failure.name}: ")
    return f"index metadata for {failure.name}: {reason}; its status checks did not run"


def unparsable_warning(comp: Component) -> str:
    """The warning of a pin whose version cannot be compared with its index's releases
    (the same text from every check that compares versions)."""
    return (
        f"{comp.name} {comp.version}: not a PEP 440 version; not compared with its index's releases"
    )


def index_of(page: ProjectInfo) -> str:
    """The index a page came from, as a report may show it (credentials redacted)."""
    return redact_url(page.index_url)


def pages(
    context: CheckContext, warnings: list[str]
) -> Iterator[tuple[Inventory, Component, ProjectInfo]]:
    """Each subject of ``context`` with its index page; a failed page adds its warning to
    ``warnings`` once per project and the subject is passed over."""
    index: IndexMetadata | None = context.sources.index
    if index is None:  # the registry skips these checks without index metadata
        raise ValueError("the package-index checks need index metadata")
    warned: set[str] = set()
    for inv, comp in context.subjects:
        page = index.page(comp.name)
        if isinstance(page, IndexFailure):
            text = failure_warning(page)
            if text is not None and page.name not in warned:
                warned.add(page.name)
                warnings.append(text)
            continue
        yield inv, comp, page


def status_finding(
    check: CheckId,
    context: CheckContext,
    inv: Inventory,
    comp: Component,
    page: ProjectInfo,
    *,
    version: str | None,
    summary: str,
    details: str,
    detail: Detail,
    level: Level | None = None,
) -> Finding:
    """A finding of ``check`` about ``comp``: the id ``check:NAME@VERSION`` (or
    ``check:NAME`` when ``version`` is ``None``), the check's severity unless ``level``
    says otherwise, and the project's page on its index as a reference."""
    id_, aliases = status_id(check, comp.name, version)
    return Finding(
        kind=FindingKind(CHECKS[check].kind),
        check=check,
        id=id_,
        aliases=aliases,
        summary=summary,
        details=details,
        rating=Rating(level=level or CHECKS[check].severity, type="check"),
        component=comp,
        path=context.path_of(inv, comp),
        references=(Reference(type="PACKAGE", url=redact_url(page.page_url)),)
        if page.page_url
        else (),
        detail=detail,
    )
