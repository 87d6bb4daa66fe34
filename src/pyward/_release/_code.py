"""The ``code`` category of ``pyward release-check``: Bandit, run as a library over the
package's source (never its tests, docs, examples or benchmarks).

Bandit (https://bandit.readthedocs.io) is the ``release`` extra. It runs as its own
command line does with ``bandit -c pyproject.toml -r SOURCE``: ``[tool.bandit]``
``exclude_dirs``, ``skips`` and ``tests`` are honoured, ``# nosec`` comments too, and
each issue keeps Bandit's own severity and confidence. Bandit's log lines and its
stevedore plugin loader's deprecation warning are kept quiet; nothing is printed.
Results are cached per file and the files to scan are split over the CPUs
(:mod:`pyward._release._bandit`).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pyward._release._bandit import BanditSetup, quiet, scan_files, validate
from pyward._release._model import Confidence, Hit, Repo, Rule
from pyward.errors import InputError

if TYPE_CHECKING:
    from pyward._findings import Level

__all__ = ["RULES", "scan"]

RULES: tuple[Rule, ...] = (
    Rule(
        id="bandit",
        category="code",
        severity="medium",
        title="Bandit finds no insecure code in the package's source",
        rationale=(
            "Bandit flags calls that are dangerous in code that ships to users: a shell "
            "run with untrusted input (B602), unsafe deserialisation (B301, B506), "
            "disabled TLS verification (B501), weak hashes used for security (B324). Each "
            "finding keeps Bandit's own severity and confidence, and its test id."
        ),
        fix=(
            "Fix the call as Bandit's documentation for the test id says (e.g. B602: pass "
            "an argument list without shell=True). When the code is safe, mark the line "
            "'# nosec B602' with a comment saying why, or skip the test for the project "
            'in pyproject.toml: [tool.bandit] skips = ["B101"].'
        ),
    ),
)

_LEVELS: dict[str, Level] = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}
_CONFIDENCES: dict[str, Confidence] = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}


def _bandit_table(repo: Repo) -> Mapping[str, Any] | None:
    tool = repo.pyproject().get("tool")
    table = tool.get("bandit") if isinstance(tool, Mapping) else None
    return table if isinstance(table, Mapping) else None


def _words(value: object, where: str) -> list[str]:
    """A ``[tool.bandit]`` list of strings (Bandit's CLI also takes one comma-separated
    string)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in cast("list[str]", value)]
    raise InputError("pyproject.toml", "expected a list of strings", where=where)


def _included(relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Bandit's own rule for a file found under a directory (``bandit.core.manager``'s
    ``_is_file_included``): its name matches an ``include`` glob, and no ``exclude_dirs``
    entry matches it as a glob or occurs in it. ``relative`` is written as Bandit's
    command line writes it when run at the root (``./src/pkg/mod.py``)."""
    if not any(fnmatch.fnmatch(relative, glob) for glob in include):
        return False
    return not any(fnmatch.fnmatch(relative, glob) or glob in relative for glob in exclude)


def _files(
    repo: Repo, sources: Sequence[str], include: Sequence[str], exclude: Sequence[str]
) -> list[Path]:
    found: list[Path] = []
    for source in sources:
        for folder, directories, names in os.walk(repo.root / source):
            directories.sort()
            for name in sorted(names):
                path = Path(folder, name)
                relative = "./" + path.relative_to(repo.root).as_posix()
                if _included(relative, include, exclude) and path.is_file():
                    found.append(path)
    return found


def scan(repo: Repo) -> Iterator[Hit]:
    """Bandit's issues in the package's source, one hit each (rule ``bandit``, the test
    id as subject). Raises :class:`~pyward.errors.InputError` when the ``release`` extra
    is missing or ``[tool.bandit]`` is invalid (before any hit), and after the hits when
    Bandit skipped files (syntax errors) or found no source directory."""
    from pyward._extras import MissingExtra, require
    from pyward._release._project import source_packages

    try:
        with quiet():  # require() imports Bandit
            require("release", what="release-check's code category (Bandit)")
    except MissingExtra as exc:
        raise InputError(None, f"not checked: {exc}") from None
    sources = source_packages(repo)
    if not sources:
        raise InputError(
            None,
            "Bandit not run: no package source directory found (src/, [tool.setuptools] "
            "packages, hatch's packages or the import name's directory)",
        )
    table = _bandit_table(repo)
    skips = _words(table.get("skips", []), "tool.bandit.skips") if table else []
    tests = _words(table.get("tests", []), "tool.bandit.tests") if table else []
    exclude = _words(table.get("exclude_dirs", []), "tool.bandit.exclude_dirs") if table else []
    setup = BanditSetup(
        # Bandit reads its own table, as `bandit -c pyproject.toml` does.
        config_file=str(repo.root / "pyproject.toml") if table is not None else None,
        table=table or {},
        tests=tuple(tests),
        skips=tuple(skips),
    )
    with quiet():
        conf = validate(setup)
        include = conf.get_option("include") or ["*.py"]
    files = [
        (path.relative_to(repo.root).as_posix(), path)
        for path in _files(repo, sources, include, exclude)
    ]
    results = scan_files(setup, files, cache_dir=repo.cache_dir, notes=repo.notes)
    skipped: list[str] = []
    for relative, result in sorted(results.items()):
        for issue in result.issues:
            yield Hit(
                rule="bandit",
                message=f"{issue.test_id} {issue.test}: {issue.text}",
                file=relative,
                line=issue.line,
                column=issue.column + 1 if issue.column is not None else None,
                severity=_LEVELS.get(issue.severity, "unknown"),
                confidence=_CONFIDENCES.get(issue.confidence),
                subject=issue.test_id,
            )
        if result.skipped is not None:
            skipped.append(f"{relative}: {result.skipped}")
    if skipped:
        raise InputError(None, f"not checked by Bandit: {'; '.join(skipped)}")
