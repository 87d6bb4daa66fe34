"""The index port: one narrow interface every consumer of index metadata uses.

Like pip-audit's ``VulnerabilityService`` (``query`` / ``query_all``): one required
method, :meth:`IndexSource.project`, and a batch method with a default implementation
that loops over it, which a source may override (the HTTP client fetches in parallel).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pyward._model import canonical_name
from pyward._sources.index._model import ProjectInfo
from pyward.errors import InputError, NetworkError

FailureKind = Literal[
    "not-found",  # the index answered 404/410: the project is not on this index
    "network",  # unreachable, timed out, or 429/5xx after every retry
    "http",  # another HTTP error (401, 403...)
    "offline",  # offline and not cached
    "unsupported",  # the index does not speak PEP 691, or an unknown major API version
    "invalid",  # the page cannot be read as a project page
    "too-large",  # the body is over the size limit
    "not-asked",  # no index was asked for it (none configured)
]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexFailure:
    """A project whose metadata could not be had from the index, and why."""

    name: str
    """PEP 503 normalised name of the project asked for."""
    reason: str
    """One line for a person: what happened and where (credentials redacted)."""
    kind: FailureKind
    """What kind of failure: ``not-found`` (not on this index) is not ``network``."""
    url: str | None = None
    """The page URL asked for (credentials redacted), when there was one."""


class IndexLookupError(NetworkError):
    """:meth:`IndexSource.project` could not give the project; ``failure`` says why."""

    def __init__(self, failure: IndexFailure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


class IndexSource(abc.ABC):
    """Where checks get package-index metadata."""

    @abc.abstractmethod
    def project(self, name: str) -> ProjectInfo:
        """Everything the index says about ``name``. Raises :class:`IndexLookupError`."""

    def projects(self, names: Iterable[str]) -> Mapping[str, ProjectInfo | IndexFailure]:
        """Each project of ``names`` (normalised, duplicates once), in input order."""
        out: dict[str, ProjectInfo | IndexFailure] = {}
        for name in names:
            key = canonical_name(name)
            if key in out:
                continue
            try:
                out[key] = self.project(key)
            except IndexLookupError as exc:
                out[key] = exc.failure
        return out


class StaticIndex(IndexSource):
    """An index in memory: for tests, and for library users who have the pages."""

    def __init__(self, projects: Iterable[ProjectInfo], *, index_url: str = "static:") -> None:
        self.index_url = index_url
        self._projects = {canonical_name(p.name): p for p in projects}

    @classmethod
    def from_directory(cls, directory: Path, *, index_url: str | None = None) -> StaticIndex:
        """Every ``*.json`` PEP 691 page in ``directory`` (recorded responses). Pages are
        read as if served from ``index_url`` (default: the directory's ``file:`` URL);
        an unreadable page is an :class:`~pyward.errors.InputError` naming the file."""
        from pyward._inventory._toml import load_json, read_bytes
        from pyward._sources.index._parse import parse_project_page

        base = index_url or directory.resolve().as_uri() + "/"
        projects = []
        for path in sorted(directory.glob("*.json")):
            data = load_json(path, read_bytes(path))
            name = data.get("name") if isinstance(data, dict) else None
            page = f"{base}{canonical_name(name)}/" if isinstance(name, str) else base
            try:
                projects.append(parse_project_page(data, url=page, index_url=base))
            except InputError as exc:
                raise InputError(path, exc.what, where=exc.where) from None
        return cls(projects, index_url=base)

    def project(self, name: str) -> ProjectInfo:
        key = canonical_name(name)
        found = self._projects.get(key)
        if found is None:
            raise IndexLookupError(
                IndexFailure(
                    name=key,
                    reason=f"{key}: not on this index ({self.index_url})",
                    kind="not-found",
                )
            )
        return found
