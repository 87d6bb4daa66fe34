"""The release check's report: the findings the gate kept, the grades, and the verdict.

:func:`check_release` is the library call behind ``pyward release-check``: it runs
the scanners (:func:`pyward._release.release_check`), lets the one gate
(:class:`pyward._gate.Gate`) decide ignores and the threshold, and grades each
category from what the gate kept. The renderers (:mod:`pyward._release._render`) turn
the :class:`ReleaseReport` into table, JSON, Markdown or SARIF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pyward._config import IgnoreRule
from pyward._findings import LEVELS, Finding, Level, Suppressed
from pyward._gate import Gate, IgnorePolicy, SuppressionPolicy
from pyward._release import ReleaseSummary, release_check, summarize
from pyward._release._model import CATEGORIES, Category, Repo, Rule

__all__ = ["DEFAULT_FAIL_ON", "ReleaseReport", "check_release", "sorted_findings"]

#: The threshold when neither ``--fail-on`` nor the configuration sets one: medium.
#: A low finding (an update tool that misses one ecosystem) is hardening advice that
#: grades a category B without failing a release pipeline.
DEFAULT_FAIL_ON: Level = "medium"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseReport:
    """The whole result of one ``pyward release-check`` run."""

    root: str
    """The repository checked, as given."""
    dist: str | None
    """The ``--dist`` directory, as given (``None``: artifacts not checked)."""
    rules: tuple[Rule, ...]
    """Every rule the run checked, in scanner order."""
    findings: tuple[Finding, ...]
    """What the gate kept, in report order (:func:`sorted_findings`)."""
    suppressed: tuple[Suppressed, ...]
    """What an ignore removed, with the ignore and its reason."""
    failing: tuple[Finding, ...]
    """The kept findings at or above the threshold."""
    summary: ReleaseSummary
    """The grades per category, the counts, what could not be checked."""
    fail_on: Level | None
    """The threshold in force (``None``: any finding fails)."""
    failed: bool
    """The verdict: a finding at or above the threshold, an expired ignore, or (with
    ``strict``) a file that could not be checked."""
    warnings: tuple[str, ...] = ()
    """Ignores that matched nothing, configuration remarks, files not checked."""
    strict: bool = False
    """Whether a file that could not be checked fails the run."""

    def rule(self, finding: Finding) -> Rule | None:
        """The rule of ``finding`` (``None`` for a finding of no rule of the run)."""
        return next((r for r in self.rules if r.id == finding.id), None)

    def category(self, finding: Finding) -> Category | None:
        """The category of ``finding``'s rule."""
        rule = self.rule(finding)
        return rule.category if rule is not None else None


def sorted_findings(findings: Sequence[Finding], rules: Sequence[Rule]) -> tuple[Finding, ...]:
    """Findings by category (report order), then severity (worst first), then file,
    line and rule."""
    category = {r.id: CATEGORIES.index(r.category) for r in rules}

    def key(f: Finding) -> tuple[int, int, str, int, str]:
        where = f.location
        return (
            category.get(f.id, len(CATEGORIES)),
            LEVELS.index(f.rating.level),
            where.file if where is not None else "",
            where.line or 0 if where is not None else 0,
            f.id,
        )

    return tuple(sorted(findings, key=key))


def check_release(
    repo: Repo,
    *,
    fail_on: Level | None = DEFAULT_FAIL_ON,
    ignores: Sequence[IgnoreRule] = (),
    strict: bool = False,
    today: dt.date | None = None,
    warnings: Sequence[str] = (),
) -> ReleaseReport:
    """Check ``repo``'s release process and decide the run: findings at or above
    ``fail_on`` fail it, ``ignores`` suppress (a reason each; one that matches nothing
    is a warning), ``strict`` fails it when a file could not be checked. ``today``
    decides which ignores have expired (default: the local date)."""
    result = release_check(repo)
    policies: tuple[SuppressionPolicy, ...] = (
        (IgnorePolicy(rules=tuple(ignores), today=today or dt.date.today()),) if ignores else ()
    )
    verdict = Gate(fail_on=fail_on, policies=policies).decide(result.findings)
    summary = summarize(result, verdict.kept)
    notes = [*warnings, *verdict.warnings]
    for entry in summary.not_checked:
        where = f"{entry.file}: " if entry.file is not None else ""
        notes.append(f"not checked: {where}{entry.reason}")
    strict_fails = strict and bool(summary.not_checked)
    if strict_fails:
        count = len(summary.not_checked)
        notes.append(
            f"strict: {count} {'file' if count == 1 else 'files'} could not be checked: "
            "the run fails"
        )
    return ReleaseReport(
        root=str(repo.root),
        dist=str(repo.dist) if repo.dist is not None else None,
        rules=result.rules,
        findings=sorted_findings(verdict.kept, result.rules),
        suppressed=verdict.suppressed,
        failing=sorted_findings(verdict.failing, result.rules),
        summary=summary,
        fail_on=fail_on,
        failed=verdict.failed or strict_fails,
        warnings=tuple(notes),
        strict=strict,
    )
