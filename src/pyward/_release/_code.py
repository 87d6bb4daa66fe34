"""The ``code`` category of ``pyward release-check``: Bandit, run as a library over the
package's source (never its tests, docs, examples or benchmarks).

Bandit (https://bandit.readthedocs.io) is the ``release`` extra. It runs as its own
command line does with ``bandit -c pyproject.toml -r SOURCE``: ``[tool.bandit]``
``exclude_dirs``, ``skips`` and ``tests`` are honoured, ``# nosec`` comments too, and
each issue keeps Bandit's own severity and confidence. Bandit's log lines and its
stevedore plugin loader's deprecation warning are kept quiet; nothing is printed.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

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
_QUIET = ("bandit", "stevedore")


@contextmanager
def _quiet() -> Iterator[None]:
    """Bandit's and stevedore's loggers (and their children) silenced for the run,
    then restored: Bandit logs warnings and per-file errors itself, and pyward reports
    them as findings or "not checked" instead."""
    loggers = [logging.getLogger(name) for name in _QUIET]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            # stevedore deprecates the verify_requirements argument Bandit's plugin
            # loader passes on import: not pyward's call to fix.
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        for logger, level in zip(loggers, saved, strict=True):
            logger.setLevel(level)


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
        with _quiet():  # require() imports Bandit
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
    with _quiet():
        from bandit.core import config as b_config
        from bandit.core import constants as b_constants
        from bandit.core import extension_loader
        from bandit.core import manager as b_manager
        from bandit.core import utils as b_utils

        try:
            # Bandit reads its own table, as `bandit -c pyproject.toml` does.
            conf = b_config.BanditConfig(
                config_file=str(repo.root / "pyproject.toml") if table is not None else None
            )
        except b_utils.ConfigError as exc:
            raise InputError("pyproject.toml", f"[tool.bandit]: {exc}") from None
        profile = {"include": set(tests), "exclude": set(skips)}
        try:
            extension_loader.MANAGER.validate_profile(profile)
        except ValueError as exc:
            raise InputError("pyproject.toml", str(exc), where="tool.bandit") from None
        include = conf.get_option("include") or ["*.py"]
        manager = b_manager.BanditManager(conf, "file", quiet=True, profile=profile)
        manager.files_list = [str(path) for path in _files(repo, sources, include, exclude)]
        manager.run_tests()
        issues = manager.get_issue_list(b_constants.LOW, b_constants.LOW)
        skipped = manager.get_skipped()
    for issue in sorted(issues, key=lambda i: (i.fname, i.lineno, i.test_id)):
        yield Hit(
            rule="bandit",
            message=f"{issue.test_id} {issue.test}: {issue.text}",
            file=_relative(repo, issue.fname),
            line=issue.lineno if isinstance(issue.lineno, int) and issue.lineno > 0 else None,
            column=issue.col_offset + 1 if isinstance(issue.col_offset, int) else None,
            severity=_LEVELS.get(str(issue.severity).upper(), "unknown"),
            confidence=_CONFIDENCES.get(str(issue.confidence).upper()),
            subject=issue.test_id,
        )
    if skipped:
        reasons = "; ".join(f"{_relative(repo, name)}: {why}" for name, why in skipped)
        raise InputError(None, f"not checked by Bandit: {reasons}")


def _relative(repo: Repo, name: str) -> str:
    try:
        return Path(name).relative_to(repo.root).as_posix()
    except ValueError:
        return name
