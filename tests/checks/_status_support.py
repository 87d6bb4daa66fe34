"""Helpers of the index checks' tests: the recorded pages parsed by the real parser,
pages written by hand as PEP 691 JSON, and the context the checks run on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from pyward._checks import CHECKS, CheckContext, CheckOptions, CheckResult, PythonTarget, Sources
from pyward._model import Component, Inventory
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._model import ProjectInfo, ReleaseInfo
from pyward._sources.index._parse import file_version, parse_project_page, parse_release_info
from pyward._sources.index._port import IndexFailure
from tests.index._support import INDEX, INDEX_DATA, page

#: The audit's date in these tests: the day the pages were recorded.
TODAY = dt.date(2026, 12, 7)


def recorded(name: str) -> ProjectInfo:
    """A recorded page (``requests``, ``six``, ``sampleproject``, ``sigstore``) or the
    synthetic ``demo-archived``, as served from the test index."""
    return parse_project_page(page(name), url=f"{INDEX}{name}/")


def recorded_json_api(name: str) -> ReleaseInfo:
    """The recorded JSON API answer of ``name`` (``sampleproject``)."""
    return parse_release_info(
        (INDEX_DATA / "json" / f"{name}.json").read_bytes(),
        url=f"https://index.invalid/pypi/{name}/json",
        name=name,
    )


def file(
    name: str,
    version: str,
    *,
    sdist: bool = False,
    requires_python: str | None = None,
    yanked: bool | str = False,
    uploaded: str | None = "2024-01-01T00:00:00Z",
) -> dict[str, Any]:
    """One file entry of a PEP 691 page."""
    stem = f"{name.replace('-', '_')}-{version}"
    filename = f"{stem}.tar.gz" if sdist else f"{stem}-py3-none-any.whl"
    entry: dict[str, Any] = {
        "filename": filename,
        "url": f"https://files.index.invalid/{filename}",
        "hashes": {"sha256": "ab" * 32},
        "yanked": yanked,
    }
    if requires_python is not None:
        entry["requires-python"] = requires_python
    if uploaded is not None:
        entry["upload-time"] = uploaded
    return entry


def made(
    name: str,
    files: Iterable[Mapping[str, Any]],
    *,
    versions: Iterable[str] | None = None,
    status: Mapping[str, str] | None = None,
) -> ProjectInfo:
    """A page written by hand, read by the real parser (API 1.4 when it has a status);
    ``versions`` defaults to the files' versions."""
    entries = list(files)
    data: dict[str, Any] = {
        "meta": {"api-version": "1.4" if status is not None else "1.1"},
        "name": name,
        "files": entries,
    }
    if versions is None:
        # PEP 700: the versions of the files, unless the test lists others.
        found = (file_version(f["filename"])[0] for f in entries)
        versions = dict.fromkeys(v for v in found if v is not None)
    data["versions"] = list(versions)
    if status is not None:
        data["project-status"] = dict(status)
    return parse_project_page(data, url=f"{INDEX}{name}/")


def metadata(
    *pages: ProjectInfo | IndexFailure, releases: Iterable[ReleaseInfo] = ()
) -> IndexMetadata:
    return IndexMetadata(
        pages={p.name: p for p in pages},
        releases={r.name: r for r in releases},
        indexes=(INDEX,),
    )


def inventory(*pins: str) -> Inventory:
    """An inventory of ``name==version`` pins."""
    components = []
    for pin in pins:
        name, _, version = pin.partition("==")
        components.append(
            Component(name=name, version=version, purl=f"pkg:pypi/{name}@{version}", direct=True)
        )
    return Inventory(source="requirements.txt", format="requirements", components=tuple(components))


def context(
    index: IndexMetadata,
    *pins: str,
    python: str | None = None,
    today: dt.date = TODAY,
    years: float = 3.0,
) -> CheckContext:
    inv = inventory(*pins)
    return CheckContext(
        subjects=tuple((inv, c) for c in inv.components),
        sources=Sources(index=index),
        path_of=lambda inv, c: (c.key,),
        today=today,
        python=PythonTarget(version=python, origin="--python-version") if python else None,
        options=CheckOptions(unmaintained_years=years),
    )


def run(check: str, context: CheckContext) -> CheckResult:
    """Run the registered check ``check`` (its module, as the audit loads it)."""
    return CHECKS[check].run(context)  # type: ignore[index]
