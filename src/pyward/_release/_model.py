"""The records of ``pyward release-check``: the rules a repository's release process is
graded on, and what a rule found.

Each category's module (``_workflows``, ``_project``, ``_code``, ``_dist``) declares its
rules as :class:`Rule` records in a ``RULES`` tuple and finds :class:`Hit` records with
``scan(repo) -> Iterable[Hit]``; :mod:`pyward._release` turns hits into findings of the
general kind (:class:`pyward._findings.Finding`, kind ``release``), so the gate,
ignores and every renderer treat them as any other finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar

from pyward._findings import Level
from pyward.errors import InputError

__all__ = ["CATEGORIES", "Category", "CategoryInputError", "Confidence", "Hit", "Repo", "Rule"]

_T = TypeVar("_T")

#: The categories a release process is graded in, in the order reports list them.
Category: TypeAlias = Literal[
    "publishing", "workflows", "dependencies", "policy", "code", "tests", "metadata", "artifacts"
]

#: Every :data:`Category`, in report order.
CATEGORIES: tuple[Category, ...] = (
    "publishing",
    "workflows",
    "dependencies",
    "policy",
    "code",
    "tests",
    "metadata",
    "artifacts",
)

#: How sure a rule is of a hit (Bandit's own confidence for code findings).
Confidence: TypeAlias = Literal["high", "medium", "low"]


class CategoryInputError(InputError):
    """An :class:`~pyward.errors.InputError` of a scanner that grades several categories
    and knows which of them the unread input leaves incomplete (dynamic metadata leaves
    ``metadata`` unchecked, not the ``policy`` or ``tests`` of the same module). The
    runner marks only ``categories`` incomplete; a plain ``InputError`` marks every
    category of the module."""

    def __init__(
        self,
        file: str | Path | None,
        what: str,
        where: str | None = None,
        *,
        categories: tuple[Category, ...],
    ) -> None:
        super().__init__(file, what, where)
        self.categories = categories


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One rule of the release check."""

    id: str
    """Stable id, kebab-case (``unpinned-action``): in output, ignores and the docs'
    anchors (``docs/release-check.md#unpinned-action``)."""
    category: Category
    """The category it grades."""
    severity: Level
    """Its findings' severity (a Bandit finding carries Bandit's own)."""
    title: str
    """One line: what it checks (``third-party actions pinned to a full commit SHA``)."""
    rationale: str
    """Why it matters, two or three sentences."""
    fix: str
    """How to fix a finding, concretely (with a snippet where one helps)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """One place where a rule is broken."""

    rule: str
    """The :attr:`Rule.id`."""
    message: str
    """One line, specific to this place: ``actions/checkout@v4 is not pinned to a commit
    SHA``."""
    file: str | None = None
    """The file, relative to the repository root with ``/`` separators (``None`` for a
    finding about the repository as a whole: no ``SECURITY.md``)."""
    line: int | None = None
    """1-based line, where the rule knows it."""
    column: int | None = None
    """1-based column, where the rule knows it."""
    severity: Level | None = None
    """This hit's own severity, when it is not the rule's (Bandit's)."""
    confidence: Confidence | None = None
    """How sure the rule is, where that applies."""
    subject: str | None = None
    """What the hit is about, when a file has several (``job publish``, ``step 3``, the
    action reference, Bandit's test id): part of the finding's id, so one of several
    hits in a file can be ignored alone."""


@dataclass(slots=True, kw_only=True)
class Repo:
    """The checkout being graded, as every scanner reads it."""

    root: Path
    """The repository's root directory."""
    dist: Path | None = None
    """The directory of built artifacts to check (``--dist``), if given."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """``[tool.pyward.release-check]`` (ignores and rule settings)."""
    cache_dir: Path | None = None
    """pyward's cache directory, where scanners may keep results between runs (Bandit's,
    per file); ``None``: nothing is cached."""
    notes: list[str] = field(default_factory=list)
    """Notes scanners leave for the run's warnings (a corrupt cache entry ignored)."""
    _texts: dict[str, str | None] = field(default_factory=dict)
    _pyproject: Mapping[str, Any] | None = None
    _cached: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, make: Callable[[], _T]) -> _T:
        """``make()``, computed once per checkout under ``key``: what several scanners
        read (the parsed CI configuration) is parsed once per run."""
        if key not in self._cached:
            self._cached[key] = make()
        value: _T = self._cached[key]
        return value

    def text(self, relative: str) -> str | None:
        """The file at ``relative`` (``/`` separators) as UTF-8 text, read once; ``None``
        when it does not exist or is not a regular file. Undecodable bytes are
        replaced."""
        if relative not in self._texts:
            path = self.root / relative
            try:
                self._texts[relative] = (
                    path.read_bytes().decode("utf-8", "replace") if path.is_file() else None
                )
            except OSError:
                self._texts[relative] = None
        return self._texts[relative]

    def pyproject(self) -> Mapping[str, Any]:
        """``pyproject.toml`` parsed (empty when absent). Raises
        :class:`~pyward.errors.InputError` naming the file and line when it is not TOML."""
        if self._pyproject is None:
            text = self.text("pyproject.toml")
            if text is None:
                self._pyproject = {}
            else:
                from pyward._inventory._toml import loads

                self._pyproject = loads(text, self.root / "pyproject.toml")
        return self._pyproject
