"""The ``cooldown`` check (being built)."""

from __future__ import annotations

from pyward._checks import CheckContext, CheckResult


def run(context: CheckContext) -> CheckResult:
    return CheckResult()  # replaced by the check being built on its branch
