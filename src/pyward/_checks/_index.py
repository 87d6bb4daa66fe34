"""What the checks that read package-index metadata share: the pages of the audited
components, one warning text per failed page, ``Requires-Python`` answers cached per
distinct string, and the finding they all build. Each page's version-level facts
(:class:`~pyward._sources.index._versions.PageFacts`) are the page's own
(``ProjectInfo.version_facts()``, computed once when the page is made).

``yanked``, ``project-status``, ``outdated`` and ``unmaintained`` each report a page
that could not be had with the same words, so that the audit (which keeps each warning
once) shows it once however many of them ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from pyward._checks import CheckContext
from pyward._checks._common import check_finding, page_references
from pyward._findings import (
    CheckId,
    Finding,
    Level,
)
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._model import ProjectInfo
from pyward._sources.index._port import IndexFailure
from pyward._sources.index._versions import (
    PageFacts,
    VersionFacts,
    is_prerelease,
    parse_version,
    release_key,
)
from pyward._text import redact_url

if TYPE_CHECKING:
    from packaging.version import Version

    from pyward._findings import Detail
    from pyward._model import Component, Inventory

__all__ = [
    "PageFacts",
    "VersionFacts",
    "admits",
    "failure_warning",
    "index_of",
    "is_prerelease",
    "pages",
    "parse_version",
    "release_key",
    "status_finding",
    "unparsable_warning",
]


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


def admits(release: VersionFacts, python: str | None) -> bool:
    """Whether a file of ``release`` that is not yanked can be installed on ``python``
    (``X.Y`` or ``X.Y.Z``; ``None``: any Python): it declares no ``Requires-Python``, or
    one that ``python`` meets."""
    if python is None:
        return release.installable
    return any(spec is None or _admits(spec, python) for spec in release.requires_python)


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


def pinned_pages(
    context: CheckContext, warnings: list[str]
) -> Iterator[tuple[Inventory, Component, ProjectInfo, str, Version]]:
    """:func:`pages`, for the subjects whose version is a PEP 440 version: each with its
    version as written and parsed; one that is not adds its warning (it cannot be
    compared with the index's releases)."""
    for inv, comp, page in pages(context, warnings):
        if not comp.version:
            continue  # the audit reports a component without a version as not audited
        pinned = parse_version(comp.version)
        if pinned is None:
            warnings.append(unparsable_warning(comp))
            continue
        yield inv, comp, page, comp.version, pinned


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
    return check_finding(
        check,
        context,
        inv,
        comp,
        version=version,
        summary=summary,
        details=details,
        detail=detail,
        level=level,
        references=page_references(page.page_url),
    )
