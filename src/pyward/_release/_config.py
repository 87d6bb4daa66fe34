"""``[tool.pyward.release-check]``: the release check's threshold and ignores.

Read from the checked repository: ``pyproject.toml``'s ``[tool.pyward.release-check]``,
or ``pyward.toml``'s ``[release-check]`` when the repository has that file::

    [tool.pyward.release-check]
    fail-on = "high"
    ignore = [
      { id = "unpinned-action", path = ".github/workflows/ci.yml", reason = "no secrets" },
      { id = "unpinned-build-deps", path = ".github/workflows/release.yml",
        subject = "jobs.build.steps[2]", reason = "pinned by the constraints step" },
    ]

An ignore becomes a :class:`~pyward._config.IgnoreRule` of the one gate (its id
``RULE``, ``RULE:PATH`` or ``RULE:PATH:SUBJECT``, the aliases every release-check
finding carries), so the reason is required, ``until`` expires it, and one that matches
nothing is a warning, exactly as for an audit's ignores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyward._config import IgnoreRule, parse_fail_on, parse_until, unknown_keys
from pyward._findings import Level
from pyward._release._model import Repo
from pyward._wire import MUST, Wire
from pyward.errors import InputError

__all__ = ["ReleaseConfig", "load_release_config"]

_KEYS = ("fail-on", "ignore")
_IGNORE_KEYS = ("id", "path", "subject", "reason", "until")
_NON_EMPTY = "must be a non-empty string"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseConfig:
    """The release check's settings, as the repository writes them."""

    fail_on: Level | None = None
    """``fail-on`` (``None``: not set; the command's default applies)."""
    ignores: tuple[IgnoreRule, ...] = ()
    """The ignores, in file order."""
    table: Mapping[str, Any] | None = None
    """The table as written (:attr:`Repo.settings`); ``None`` when there is none."""
    file: str | None = None
    """The file the table is in."""
    warnings: tuple[str, ...] = ()
    """Unknown keys, ignores naming no rule."""


def load_release_config(repo: Repo, known_rules: frozenset[str] | None = None) -> ReleaseConfig:
    """The release-check table of ``repo``'s ``pyward.toml`` or ``pyproject.toml``. A
    file that is not TOML, or a value of the wrong type, is an :class:`InputError`
    naming the file and the key path. ``known_rules``: the rule ids an ignore may name
    (an unknown one is a warning)."""
    if repo.text("pyward.toml") is not None:
        from pyward._inventory._toml import loads

        # Named as the repository's path gives it: "pyward.toml" for ".".
        name = str(repo.root / "pyward.toml")
        data: Mapping[str, Any] = loads(repo.text("pyward.toml") or "", name)
        table = data.get("release-check")
        prefix = "release-check"
    else:
        name = str(repo.root / "pyproject.toml")
        data = repo.pyproject()
        tool = data.get("tool")
        pyward = tool.get("pyward") if isinstance(tool, Mapping) else None
        table = pyward.get("release-check") if isinstance(pyward, Mapping) else None
        prefix = "tool.pyward.release-check"
    if table is None:
        return ReleaseConfig()
    w = Wire(name, MUST)
    w.check(table, dict, prefix, what="must be a table")
    warnings = unknown_keys(table, _KEYS, name, f"{prefix}.")
    fail_on: Level | None = None
    if "fail-on" in table:
        fail_on = parse_fail_on(table["fail-on"], name, f"{prefix}.fail-on")
    ignores: list[IgnoreRule] = []
    if "ignore" in table:
        items = w.check(
            table["ignore"], list, f"{prefix}.ignore", what="must be an array of tables"
        )
        for i, item in enumerate(items):
            rule, extra = _ignore(w, item, f"{prefix}.ignore[{i}]", known_rules)
            ignores.append(rule)
            warnings.extend(extra)
    return ReleaseConfig(
        fail_on=fail_on, ignores=tuple(ignores), table=table, file=name, warnings=tuple(warnings)
    )


def _ignore(
    w: Wire, item: object, where: str, known_rules: frozenset[str] | None
) -> tuple[IgnoreRule, list[str]]:
    name = w.file
    entry = w.check(item, dict, where, what="must be a table with id and reason")
    warnings = unknown_keys(entry, _IGNORE_KEYS, str(name), f"{where}.")
    rule = w.text(entry.get("id"), where, "id", what=_NON_EMPTY, empty=_NON_EMPTY).strip()
    reason = w.text(entry.get("reason"), where, "reason", what=_NON_EMPTY, empty=_NON_EMPTY)
    path: str | None = None
    if "path" in entry:
        path = w.text(entry["path"], where, "path", what=_NON_EMPTY, empty=_NON_EMPTY).strip()
        path = path.removeprefix("./")
    subject: str | None = None
    if "subject" in entry:
        subject = w.text(entry["subject"], where, "subject", what=_NON_EMPTY, empty=_NON_EMPTY)
        subject = subject.strip()
    # The aliases of a release-check finding (pyward._release.to_finding).
    ident = rule
    if path is not None:
        ident += f":{path}"
    if subject is not None:
        ident += f":{subject}" if path is not None else f"::{subject}"
    if known_rules is not None and rule not in known_rules:
        warnings.append(f"{name}: {where}.id: {rule!r} is no release-check rule")
    until, until_fixed = parse_until(entry.get("until"), name, f"{where}.until")
    if until_fixed:
        raise InputError(name, "must be a date (2026-12-31)", where=f"{where}.until")
    return (
        IgnoreRule(id=ident, reason=reason.strip(), until=until, origin=f"{name}: {where}"),
        warnings,
    )
