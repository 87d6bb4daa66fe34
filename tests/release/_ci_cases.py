"""Shared by the release check's CI tests: the fixture repositories and a compact view
of what a rule found in one."""

from __future__ import annotations

from pathlib import Path

from pyward._release._model import Hit, Repo
from pyward._release._workflows import RULES, scan

CASES = Path(__file__).parent.parent / "data" / "release" / "workflows"
_SEVERITY = {rule.id: rule.severity for rule in RULES}


def hits(case: str) -> list[Hit]:
    """Every hit in the fixture repository ``case`` (``unpinned-action/bad``)."""
    return list(scan(Repo(root=CASES / case)))


def found(case: str, rule: str) -> list[tuple[str, int | None, str, str | None]]:
    """(file name, line, effective severity, subject) of ``rule``'s hits in ``case``."""
    return [
        (
            (hit.file or "").rsplit("/", 1)[-1],
            hit.line,
            hit.severity or _SEVERITY[hit.rule],
            hit.subject,
        )
        for hit in hits(case)
        if hit.rule == rule
    ]
