"""Project configuration: ``[tool.pyward]`` in ``pyproject.toml``, or ``pyward.toml``.

The file nearest to the audited target wins (``pyward.toml`` before ``pyproject.toml``
in one directory; a ``pyproject.toml`` without ``[tool.pyward]`` is passed over), or
the file given with ``--config``. Keys (see docs/configuration.md)::

    [tool.pyward]
    fail-on = "high"                 # low | medium | high | critical
    unknown-severity = "pass"        # fail (default) | pass
    strict = true                    # fail when anything could not be audited
    format = "json"                  # default --format
    vex = ["security/vex.json"]      # relative to the configuration file
    advisory-url = "https://advisories.example.invalid/{id}"  # advisory links' base
    ignore = [
      { id = "CVE-2023-32681", reason = "no proxies in production", until = 2026-12-31 },
      { id = "PYSEC-2024-1", reason = "waiting for upstream", until = "until-fixed" },
    ]

Unknown keys are warned about; a value of the wrong type is an ``InputError`` naming
the key path (``pyproject.toml: tool.pyward.ignore[2].reason: missing``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pyward._findings import LEVELS, Level
from pyward._gate import UnknownPolicy
from pyward._text import safe_url_template
from pyward._wire import MUST, Wire
from pyward.errors import InputError

#: ``LEVELS`` without ``unknown``: the thresholds ``fail-on`` takes.
FAIL_ON: tuple[Level, ...] = LEVELS[:-1]

_KEYS = ("fail-on", "unknown-severity", "ignore", "format", "vex", "advisory-url", "strict")
_IGNORE_KEYS = ("id", "reason", "until")
_NON_EMPTY = "must be a non-empty string"
_FILE_NAME = "must be a file name"


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnoreRule:
    """One ignore: a flaw (by any of its ids) that does not fail the audit."""

    id: str
    """An id of the flaw (PYSEC, GHSA, CVE...); matched against every alias."""
    reason: str
    """Why it is ignored (required: an ignore without a reason is an error)."""
    until: dt.date | None = None
    """Last day the ignore holds; after it the run fails and says so."""
    until_fixed: bool = False
    """Holds only while no fixed version of the flaw exists."""
    origin: str = "command line"
    """Where the rule was written: ``pyproject.toml: tool.pyward.ignore[0]``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The settings of one audit (file values, before command-line overrides)."""

    fail_on: Level | None = None
    """Lowest severity that fails the run; ``None``: any finding fails."""
    unknown_severity: UnknownPolicy = "fail"
    """Whether a finding with no known severity fails the run."""
    strict: bool = False
    """Whether the run fails when anything could not be audited (``--strict``)."""
    ignores: tuple[IgnoreRule, ...] = ()
    """Ignore rules, in file order."""
    format: str | None = None
    """Default output format."""
    vex: tuple[Path, ...] = ()
    """VEX documents to honour, resolved against the configuration file's directory."""
    advisory_url: str | None = None
    """Template of an advisory's web page with ``{id}`` (or a base URL the id is
    appended to), for findings whose records name no advisory page; ``None``: the
    renderers' default (``$PYWARD_ADVISORY_URL``, else OSV's page)."""
    path: Path | None = None
    """The file read, if any."""
    warnings: tuple[str, ...] = field(default=())
    """Unknown keys and other non-fatal remarks."""


def _load_toml(path: Path) -> dict[str, Any]:
    from pyward._inventory._toml import loads, read_text

    return loads(read_text(path), path)


def find_config(start: Path) -> Path | None:
    """The configuration file nearest to ``start`` (a file or directory), walking up
    to the repository root (a directory holding ``.git``) or the file-system root."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for d in (directory, *directory.parents):
        candidate = d / "pyward.toml"
        if candidate.is_file():
            return candidate
        candidate = d / "pyproject.toml"
        if candidate.is_file() and _has_tool_table(candidate):
            return candidate
        if (d / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    # A cheap text check before parsing: most pyproject.toml files have no such table.
    try:
        from pyward._files import read_capped

        text = read_capped(path).decode("utf-8", errors="replace")
    except OSError:
        return False
    return "tool.pyward" in text


def load_config(path: Path | None) -> Config:
    """Read and validate one configuration file (``None``: the defaults)."""
    if path is None:
        return Config()
    data = _load_toml(path)
    if path.name == "pyward.toml":
        table: Any = data
        prefix = ""
    else:
        table = data.get("tool", {}).get("pyward", {}) if isinstance(data.get("tool"), dict) else {}
        prefix = "tool.pyward."
    Wire(path, MUST).check(table, dict, prefix.rstrip("."), what="must be a table")
    return _validate(table, path, prefix)


def _validate(table: Mapping[str, Any], path: Path, prefix: str) -> Config:
    w = Wire(path, MUST)
    warnings = [
        f"{path}: {prefix}{key}: unknown key (known: {', '.join(_KEYS)}); ignored"
        for key in table
        if key not in _KEYS
    ]

    fail_on: Level | None = None
    if "fail-on" in table:
        value = table["fail-on"]
        if value not in FAIL_ON:
            raise InputError(path, f"must be one of {', '.join(FAIL_ON)}", where=f"{prefix}fail-on")
        fail_on = cast("Level", value)

    unknown: UnknownPolicy = "fail"
    if "unknown-severity" in table:
        value = table["unknown-severity"]
        if value not in ("fail", "pass"):
            raise InputError(path, "must be 'fail' or 'pass'", where=f"{prefix}unknown-severity")
        unknown = cast("UnknownPolicy", value)

    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise InputError(path, "must be true or false", where=f"{prefix}strict")

    fmt: str | None = None
    if "format" in table:
        # The renderers' registry, imported only when a file names a format.
        from pyward._render import RENDERERS

        value = table["format"]
        if not isinstance(value, str) or value not in RENDERERS:  # a dict: hashable keys only
            raise InputError(
                path, f"must be one of {', '.join(RENDERERS)}", where=f"{prefix}format"
            )
        fmt = value

    vex: list[Path] = []
    if "vex" in table:
        value = table["vex"]
        if isinstance(value, str):
            value = [value]
        names = w.check(value, list, f"{prefix}vex", what="must be a list of file names")
        for i, item in enumerate(names):
            name = w.text(item, f"{prefix}vex", i, what=_FILE_NAME, empty=_FILE_NAME, strip=False)
            vex.append(path.parent / name)

    advisory_url: str | None = None
    if "advisory-url" in table:
        value = table["advisory-url"]
        if not isinstance(value, str) or safe_url_template(value) is None:
            raise InputError(
                path,
                "must be an http(s) URL, with {id} where the advisory id goes",
                where=f"{prefix}advisory-url",
            )
        advisory_url = value

    ignores: list[IgnoreRule] = []
    if "ignore" in table:
        items = w.check(table["ignore"], list, f"{prefix}ignore", what="must be an array of tables")
        for i, item in enumerate(items):
            rule, extra = _ignore_rule(w, item, f"{prefix}ignore[{i}]")
            ignores.append(rule)
            warnings.extend(extra)

    return Config(
        fail_on=fail_on,
        unknown_severity=unknown,
        strict=strict,
        ignores=tuple(ignores),
        format=fmt,
        vex=tuple(vex),
        advisory_url=advisory_url,
        path=path,
        warnings=tuple(warnings),
    )


def _ignore_rule(w: Wire, item: object, where: str) -> tuple[IgnoreRule, list[str]]:
    path = w.file
    rule_table = w.check(item, dict, where, what="must be a table with id and reason")
    warnings = [
        f"{path}: {where}.{key}: unknown key (known: {', '.join(_IGNORE_KEYS)}); ignored"
        for key in rule_table
        if key not in _IGNORE_KEYS
    ]
    ident = w.text(rule_table.get("id"), where, "id", what=_NON_EMPTY, empty=_NON_EMPTY)
    reason = w.text(rule_table.get("reason"), where, "reason", what=_NON_EMPTY, empty=_NON_EMPTY)
    until, until_fixed = parse_until(rule_table.get("until"), path, f"{where}.until")
    rule = IgnoreRule(
        id=ident.strip(),
        reason=reason.strip(),
        until=until,
        until_fixed=until_fixed,
        origin=f"{path}: {where}",
    )
    return rule, warnings


def parse_until(value: object, path: Path | str | None, where: str) -> tuple[dt.date | None, bool]:
    """``until``: a TOML date, an ISO date string, or ``"until-fixed"``."""
    if value is None:
        return None, False
    if isinstance(value, dt.datetime):
        return value.date(), False
    if isinstance(value, dt.date):
        return value, False
    if isinstance(value, str):
        if value == "until-fixed":
            return None, True
        try:
            return dt.date.fromisoformat(value), False
        except ValueError:
            pass
    raise InputError(path, 'must be a date (2026-12-31) or the string "until-fixed"', where=where)
