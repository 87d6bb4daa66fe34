"""The ``release-check`` check: a repository checkout's release process, graded by the
rules of ``pyward release-check`` (:mod:`pyward._release`).

It reads ``context.sources.repository`` (the check needs ``repository``: without a
checkout it is skipped with the reason) and returns every rule's findings, kind
``release``, as :func:`pyward._release.release_check` makes them; a file it could not
read is a warning (``release-check: not checked: FILE: WHY``), never a crash. What the
findings mean for the run is the gate's decision, as for any check: ``pyward
release-check`` sends them through the same :class:`~pyward._gate.Gate` with its own
ignores and threshold (:mod:`pyward._release._report`).
"""

from __future__ import annotations

from pyward._checks import CheckContext, CheckResult
from pyward._release import CHECK, release_check
from pyward._release._model import Repo

__all__ = ["CHECK", "run"]


def run(context: CheckContext) -> CheckResult:
    """The release check's findings on the checkout ``context.sources.repository``."""
    root = context.sources.repository
    if root is None:  # the registry skips a check without its data before it runs
        return CheckResult(warnings=("release-check: no repository checkout to read",))
    result = release_check(Repo(root=root))
    warnings = [
        f"release-check: not checked: {entry.file + ': ' if entry.file else ''}{entry.reason}"
        for entry in result.not_checked
    ]
    warnings += [f"release-check: scanner {name} is not installed" for name in result.missing]
    return CheckResult(findings=result.findings, warnings=tuple(warnings))
