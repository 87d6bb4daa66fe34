"""The ``source`` check (being built)."""

from __future__ import annotations

from pyward._checks import CheckContext, CheckResult


def run(context: CheckContext) -> CheckResult:
    raise NotImplementedError("the source check is being built")
