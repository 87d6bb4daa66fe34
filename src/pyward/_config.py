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
from collections.abc import Callable, Mapping
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

_KEYS = (
    "fail-on",
    "unknown-severity",
    "ignore",
    "format",
    "vex",
    "advisory-url",
    "strict",
    "fail-on-kinds",
    "checks",
    "index-url",
    "index-ttl",
    "unmaintained-years",
    "policy",
    "release-check",
    "advisory",
)
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
    fail_on_kinds: tuple[str, ...] | None = None
    """The kinds of finding that can fail the run (``fail-on-kinds``); ``None``: the
    gate's default (every kind but :data:`pyward._gate.INFORMATIONAL_KINDS`)."""
    checks: tuple[str, ...] | None = None
    """The checks to run (ids or groups, as ``--checks`` takes them); ``None``: all."""
    index_url: str | None = None
    """The package index (simple API) for components whose lock records none."""
    index_ttl: dt.timedelta | None = None
    """How long cached index metadata is used without asking the index (default 24 h)."""
    unmaintained_years: float | None = None
    """Years without a release after which a project is ``unmaintained`` (default 3)."""
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
    warnings = unknown_keys(table, _KEYS, path, prefix)

    fail_on: Level | None = None
    if "fail-on" in table:
        fail_on = parse_fail_on(table["fail-on"], path, f"{prefix}fail-on")

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

    fail_on_kinds: tuple[str, ...] | None = None
    if "fail-on-kinds" in table:
        fail_on_kinds = parse_fail_on_kinds(
            _strings(w, table["fail-on-kinds"], f"{prefix}fail-on-kinds"),
            lambda what: InputError(path, what, where=f"{prefix}fail-on-kinds"),
        )
    checks: tuple[str, ...] | None = None
    if "checks" in table:
        checks = _strings(w, table["checks"], f"{prefix}checks")
        from pyward._checks import select_checks
        from pyward.errors import UsageError

        try:
            select_checks(checks)
        except UsageError as exc:
            raise InputError(
                path, str(exc).removeprefix("--checks: "), where=f"{prefix}checks"
            ) from None
    index_url: str | None = None
    if "index-url" in table:
        index_url = w.text(
            table["index-url"], prefix.rstrip("."), "index-url", what=_NON_EMPTY, empty=_NON_EMPTY
        )
    index_ttl: dt.timedelta | None = None
    if "index-ttl" in table:
        index_ttl = parse_duration(table["index-ttl"], path, f"{prefix}index-ttl")
    unmaintained_years: float | None = None
    if "unmaintained-years" in table:
        value = table["unmaintained-years"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise InputError(
                path, "must be a positive number of years", where=f"{prefix}unmaintained-years"
            )
        unmaintained_years = float(value)

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
        fail_on_kinds=fail_on_kinds,
        checks=checks,
        index_url=index_url,
        index_ttl=index_ttl,
        unmaintained_years=unmaintained_years,
        path=path,
        warnings=tuple(warnings),
    )


def _strings(w: Wire, value: object, where: str) -> tuple[str, ...]:
    """A list of strings (or one string, as a list of one)."""
    if isinstance(value, str):
        value = [value]
    items = w.check(value, list, where, what="must be a list of strings")
    return tuple(
        w.text(item, where, i, what=_NON_EMPTY, empty=_NON_EMPTY).strip()
        for i, item in enumerate(items)
    )


def known_gate_kinds() -> tuple[str, ...]:
    """What ``fail-on-kinds`` may name: every registered check's kind, ``project-status:``
    with each PEP 792 marker, ``license:`` and ``provenance:`` with each outcome
    (:class:`~pyward._policy._details.LicenseDetail`,
    :class:`~pyward._policy._details.ProvenanceDetail`), and ``undecided``."""
    from pyward._checks import CHECKS
    from pyward._sources.index._model import KNOWN_STATUSES

    kinds: list[str] = list(dict.fromkeys(c.kind for c in CHECKS.values()))
    kinds += [f"project-status:{s}" for s in KNOWN_STATUSES if s != "active"]
    kinds += ["license:denied", "license:not-allowed", "license:unknown"]
    kinds += ["provenance:failed", "provenance:publisher-change", "provenance:unattested"]
    kinds += ["undecided"]
    return tuple(kinds)


def parse_fail_on_kinds(
    names: tuple[str, ...], error: Callable[[str], Exception]
) -> tuple[str, ...]:
    """``fail-on-kinds`` validated: each a known kind (:func:`known_gate_kinds`), or
    ``none`` alone (no kind fails the run: findings only inform)."""
    known = known_gate_kinds()
    if names == ("none",):
        return ()
    for name in names:
        if name not in known:
            raise error(f"unknown kind {name!r} (known: {', '.join(known)}, or none)")
    return tuple(dict.fromkeys(names))


def unknown_keys(
    table: Mapping[str, Any], known: tuple[str, ...], path: Path | str | None, prefix: str
) -> list[str]:
    """A warning for each key of ``table`` not in ``known`` (``prefix``: the table's key
    path with its trailing dot)."""
    return [
        f"{path}: {prefix}{key}: unknown key (known: {', '.join(known)}); ignored"
        for key in table
        if key not in known
    ]


def parse_fail_on(value: object, path: Path | str | None, where: str) -> Level:
    """``fail-on``: one of :data:`FAIL_ON`."""
    if value not in FAIL_ON:
        raise InputError(path, f"must be one of {', '.join(FAIL_ON)}", where=where)
    return value


def parse_duration(value: object, path: Path | str | None, where: str) -> dt.timedelta:
    """A duration: a number of seconds, or a string such as ``30m``, ``24h``, ``7d``."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    seconds: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        unit = units.get(text[-1:]) if text else None
        number = text[:-1] if unit is not None else text
        try:
            seconds = float(number) * (unit or 1)
        except ValueError:
            seconds = None
    if seconds is None or not seconds >= 0 or seconds == float("inf"):
        raise InputError(
            path, "must be a duration: seconds, or a number with s, m, h or d (24h)", where=where
        )
    return dt.timedelta(seconds=seconds)


def _ignore_rule(w: Wire, item: object, where: str) -> tuple[IgnoreRule, list[str]]:
    path = w.file
    rule_table = w.check(item, dict, where, what="must be a table with id and reason")
    warnings = unknown_keys(rule_table, _IGNORE_KEYS, path, f"{where}.")
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
