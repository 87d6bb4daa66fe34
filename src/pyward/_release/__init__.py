"""``pyward release-check``: grade a repository's release process (Trusted Publishing,
hardened workflows, lock files, a security policy, Bandit, deprecations as errors,
metadata, built artifacts) on a local checkout, offline.

The records are in :mod:`pyward._release._model`; each category's rules and scanner in
their own module.

The runner here is the one seam between the category modules and the rest of pyward:

* :data:`SCANNERS` names the category modules in report order; each exposes ``RULES``
  and ``scan(repo)`` (:mod:`pyward._release._model`), and may expose
  ``not_applicable(repo) -> str | None`` to say why its categories do not apply to a
  repository. They are imported when a run needs them.
* :func:`release_check` runs every scanner and turns each :class:`Hit` into a general
  :class:`~pyward._findings.Finding` (kind ``release``), so the one gate
  (:mod:`pyward._gate`) decides ignores and the exit code as for any other finding.
  A scanner that raises :class:`~pyward.errors.InputError` for a bad file (a workflow
  that is not YAML) leaves a :class:`NotChecked` entry that marks the module's
  categories incomplete (only those it names when it raises
  :class:`~pyward._release._model.CategoryInputError`); the other scanners go on.
* :func:`summarize` grades each category from the findings the gate kept
  (:class:`ReleaseSummary`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Literal, TypeAlias

from pyward._findings import LEVELS, CheckId, Finding, FindingKind, Level, check_rating
from pyward._model import Location
from pyward._release._model import CATEGORIES, Category, CategoryInputError, Hit, Repo, Rule
from pyward.errors import InputError

__all__ = [
    "CHECK",
    "GRADES",
    "KIND",
    "SCANNERS",
    "CategoryGrade",
    "Grade",
    "NotChecked",
    "ReleaseResult",
    "ReleaseSummary",
    "category_of",
    "grade_of",
    "release_check",
    "rules",
    "scanner_modules",
    "summarize",
]

#: The category modules, in the order they run. Adding a category module is one line
#: here; ``tests/release/test_runner.py`` imports every one.
SCANNERS: tuple[str, ...] = (
    "pyward._release._workflows",
    "pyward._release._dependencies",
    "pyward._release._project",
    "pyward._release._code",
    "pyward._release._dist",
)

#: The kind of every release-check finding (``fail-on-kinds`` may name it).
KIND = FindingKind("release")

#: The check id every release-check finding carries.
CHECK = CheckId("release-check")

#: A category's grade: ``A`` no finding, ``B`` low ones only, ``C`` a medium (or
#: unrated) one, ``D`` a high one, ``F`` a critical one; ``n/a`` when the category
#: does not apply to the repository (artifacts without ``--dist``).
Grade: TypeAlias = Literal["A", "B", "C", "D", "F", "n/a"]

#: Every :data:`Grade`, best first.
GRADES: tuple[Grade, ...] = ("A", "B", "C", "D", "F", "n/a")

_GRADE_OF_LEVEL: Mapping[Level, Grade] = {
    "critical": "F",
    "high": "D",
    "medium": "C",
    # A finding without a rating is not taken for a harmless one.
    "unknown": "C",
    "low": "B",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class NotChecked:
    """A file a scanner could not read (a workflow that is not YAML): what its rules
    would have found there is unknown, and the report says so."""

    file: str | None
    """The file, relative to the repository root (``None``: the scanner as a whole)."""
    reason: str
    """Why, in one line (the error's message, without the file name)."""
    scanner: str
    """The module that could not check it."""
    categories: tuple[Category, ...]
    """The categories that module grades: their grades are incomplete."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseResult:
    """What :func:`release_check` found, before the gate."""

    findings: tuple[Finding, ...]
    """Every hit as a general finding, in scanner order."""
    rules: tuple[Rule, ...]
    """Every rule of the scanners that ran, in scanner order."""
    not_checked: tuple[NotChecked, ...] = ()
    """Files (or scanners) that could not be checked."""
    not_applicable: Mapping[Category, str] = field(default_factory=dict)
    """Categories that do not apply to the repository, with the reason."""
    missing: tuple[str, ...] = ()
    """Modules of :data:`SCANNERS` that are not installed (a partial build); their
    categories are ``n/a``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryGrade:
    """One category's grade."""

    category: Category
    """The category."""
    grade: Grade
    """Its grade, from the findings the gate kept."""
    counts: Mapping[Level, int] = field(default_factory=dict)
    """Kept findings per severity (levels with none are left out)."""
    reason: str | None = None
    """Why the category is ``n/a``; ``None`` otherwise."""
    incomplete: bool = False
    """A file of the category could not be checked: the grade covers the rest."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseSummary:
    """The release check's summary, as every output shows it."""

    grades: tuple[CategoryGrade, ...]
    """One per category, in :data:`~pyward._release._model.CATEGORIES` order."""
    counts: Mapping[Level, int]
    """Kept findings per severity, over every category."""
    not_checked: tuple[NotChecked, ...] = ()
    """What could not be checked."""


def scanner_modules() -> tuple[tuple[str, ModuleType | None], ...]:
    """Each name of :data:`SCANNERS` with its module, ``None`` for one that is not
    installed."""
    out: list[tuple[str, ModuleType | None]] = []
    for name in SCANNERS:
        try:
            module: ModuleType | None = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists and one of its imports is missing
                raise
            module = None
        out.append((name, module))
    return tuple(out)


def _module_rules(module: ModuleType) -> tuple[Rule, ...]:
    found: tuple[Rule, ...] = module.RULES
    return found


def rules() -> dict[str, Rule]:
    """Every rule of every installed scanner, by id, in scanner order."""
    out: dict[str, Rule] = {}
    for _, module in scanner_modules():
        if module is not None:
            for rule in _module_rules(module):
                out.setdefault(rule.id, rule)
    return out


def category_of(finding: Finding, known: Mapping[str, Rule]) -> Category | None:
    """The category of a release-check finding (its rule's), ``None`` when ``known``
    has no rule of that id."""
    rule = known.get(finding.id)
    return rule.category if rule is not None else None


def release_check(repo: Repo) -> ReleaseResult:
    """Run every scanner over ``repo``; each hit becomes a finding. A scanner that
    raises :class:`~pyward.errors.InputError` keeps the hits it yielded before, and
    leaves a :class:`NotChecked` entry; the others go on."""
    findings: list[Finding] = []
    every_rule: list[Rule] = []
    not_checked: list[NotChecked] = []
    not_applicable: dict[Category, str] = {}
    missing: list[str] = []
    for name, module in scanner_modules():
        if module is None:
            missing.append(name)
            continue
        module_rules = _module_rules(module)
        every_rule.extend(module_rules)
        by_id = {r.id: r for r in module_rules}
        categories = tuple(dict.fromkeys(r.category for r in module_rules))
        hook = getattr(module, "not_applicable", None)
        reason: str | None = hook(repo) if hook is not None else None
        if reason is not None:
            not_applicable.update(dict.fromkeys(categories, reason))
            continue
        try:
            for hit in module.scan(repo):
                findings.append(to_finding(hit, by_id))
        except InputError as exc:
            where = ": ".join(p for p in (exc.where, exc.what) if p)
            not_checked.append(
                NotChecked(
                    file=_relative(repo, exc.file),
                    reason=where or str(exc),
                    scanner=name,
                    categories=(
                        exc.categories if isinstance(exc, CategoryInputError) else categories
                    ),
                )
            )
    if repo.dist is None:
        not_applicable.setdefault("artifacts", "no --dist DIR given: built artifacts not checked")
    return ReleaseResult(
        findings=tuple(findings),
        rules=tuple(every_rule),
        not_checked=tuple(_unique(not_checked)),
        not_applicable=not_applicable,
        missing=tuple(missing),
    )


def _relative(repo: Repo, file: str | None) -> str | None:
    """A file an error names, relative to the repository root with ``/`` separators
    when it is inside (a scanner may name it from the root, or absolutely)."""
    if file is None:
        return None
    from pathlib import Path

    path = Path(file)
    bases = (repo.root.resolve(),) if path.is_absolute() else (repo.root,)
    for base in bases:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _unique(entries: Iterable[NotChecked]) -> list[NotChecked]:
    """One entry per file and reason: two scanners that read the same broken workflow
    report it once (the categories of both are incomplete)."""
    out: dict[tuple[str | None, str], NotChecked] = {}
    for entry in entries:
        key = (entry.file, entry.reason)
        if key in out:
            first = out[key]
            out[key] = NotChecked(
                file=first.file,
                reason=first.reason,
                scanner=first.scanner,
                categories=tuple(dict.fromkeys((*first.categories, *entry.categories))),
            )
        else:
            out[key] = entry
    return list(out.values())


def to_finding(hit: Hit, known: Mapping[str, Rule]) -> Finding:
    """The general finding of ``hit``: id the rule's, with the aliases
    ``RULE:FILE`` and ``RULE:FILE:SUBJECT`` (when the hit has them), so an ignore can
    name one file or one place of it."""
    rule = known.get(hit.rule)
    if rule is None:
        raise ValueError(f"a hit names rule {hit.rule!r}, which its module does not declare")
    aliases: list[str] = []
    if hit.file is not None:
        aliases.append(f"{rule.id}:{hit.file}")
        if hit.subject is not None:
            aliases.append(f"{rule.id}:{hit.file}:{hit.subject}")
    elif hit.subject is not None:
        aliases.append(f"{rule.id}::{hit.subject}")
    return Finding(
        kind=KIND,
        check=CHECK,
        id=rule.id,
        aliases=tuple(aliases),
        summary=hit.message,
        details=f"{rule.rationale}\nFix: {rule.fix}",
        rating=check_rating(hit.severity or rule.severity),
        confidence=hit.confidence,
        location=Location(file=hit.file, line=hit.line) if hit.file is not None else None,
    )


def grade_of(levels: Iterable[Level]) -> Grade:
    """The grade of a category whose kept findings have ``levels``: its worst one's."""
    worst: Grade = "A"
    for level in levels:
        grade = _GRADE_OF_LEVEL[level]
        if GRADES.index(grade) > GRADES.index(worst):
            worst = grade
    return worst


def summarize(result: ReleaseResult, kept: Sequence[Finding]) -> ReleaseSummary:
    """The grades of ``result``'s categories, from the findings the gate ``kept``
    (an ignored finding does not lower a grade)."""
    known = {r.id: r for r in result.rules}
    with_rules = {r.category for r in result.rules}
    per: dict[Category, list[Level]] = {c: [] for c in CATEGORIES}
    for finding in kept:
        category = category_of(finding, known)
        if category is not None:
            per[category].append(finding.rating.level)
    incomplete = {c for n in result.not_checked for c in n.categories}
    grades: list[CategoryGrade] = []
    for category in CATEGORIES:
        reason = result.not_applicable.get(category)
        if reason is None and category not in with_rules:
            reason = "no scanner for this category in this build"
        if reason is not None:
            grades.append(CategoryGrade(category=category, grade="n/a", reason=reason))
            continue
        levels = per[category]
        grades.append(
            CategoryGrade(
                category=category,
                grade=grade_of(levels),
                counts=_counts(levels),
                incomplete=category in incomplete,
            )
        )
    return ReleaseSummary(
        grades=tuple(grades),
        counts=_counts(f.rating.level for f in kept),
        not_checked=result.not_checked,
    )


def _counts(levels: Iterable[Level]) -> dict[Level, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for level in levels:
        counts[level] += 1
    return {level: n for level, n in counts.items() if n}
