"""What the checks that read package-index metadata share: the pages of the audited
components, one warning text per failed page, PEP 440 parsing cached per distinct
string, a project's releases grouped once, and the finding they all build.

``yanked``, ``project-status``, ``outdated`` and ``unmaintained`` each report a page
that could not be had with the same words, so that the audit (which keeps each warning
once) shows it once however many of them ran.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
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
    "admits",
    "failure_warning",
    "index_of",
    "pages",
    "parse_version",
    "releases",
    "status_finding",
    "unparsable_warning",
]


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Version | None:
    """``text`` as a PEP 440 version, ``None`` when it is not one. Cached: a page names
    each version once in its list and again in every file name, and the same strings
    come back in every check and every run of a process."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


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
    def installable(self) -> bool:
        """At least one file is not yanked: an installer can pick it without pinning it."""
        return any(not f.yanked for f in self.files)

    @property
    def yanked(self) -> bool:
        """Every file is yanked (PEP 592); a version without files is not."""
        return bool(self.files) and all(f.yanked for f in self.files)

    def yanked_reason(self) -> str | None:
        """The first non-empty reason its files give for the yank, stripped."""
        for f in self.files:
            if f.yanked_reason and f.yanked_reason.strip():
                return f.yanked_reason.strip()
        return None

    def uploaded(self) -> dt.date | None:
        """The day its first file was uploaded, when the index says."""
        times = [f.upload_time for f in self.files if f.upload_time is not None]
        return min(times).date() if times else None

    def admits(self, python: str | None) -> bool:
        """An installable file of it can be installed on ``python``."""
        return any(not f.yanked and admits(f, python) for f in self.files)


def releases(page: ProjectInfo) -> tuple[Release, ...]:
    """Every version ``page`` lists or has files for, with its files, in PEP 440 order
    (the same grouping as :meth:`ProjectInfo.releases`, with each distinct version string
    parsed once). Versions that are not PEP 440 are left out: the page's notes name
    them."""
    written: dict[Version, str] = {}
    grouped: dict[Version, list[ProjectFile]] = {}
    for v in page.versions:
        parsed = parse_version(v)
        if parsed is not None and parsed not in written:
            written[parsed] = v
            grouped[parsed] = []
    for f in page.files:
        if f.version is None:
            continue
        parsed = parse_version(f.version)
        if parsed is None:
            continue
        if parsed not in grouped:
            written[parsed] = f.version
            grouped[parsed] = []
        grouped[parsed].append(f)
    return tuple(
        Release(version=written[p], parsed=p, files=tuple(grouped[p])) for p in sorted(grouped)
    )


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
