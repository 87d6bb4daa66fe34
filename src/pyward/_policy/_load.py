"""Reading the usage policy: ``[tool.pyward.policy]``, ``pyward.toml``'s ``[policy]``,
or ``--policy FILE|URL``, each of which may ``extend`` another file or URL.

A policy table names the rules it changes; a rule it does not name keeps the default
(:class:`~pyward._policy._model.Policy`: vulnerabilities, malicious, typosquat, cooldown,
yanked and project-status on). A rule is turned on with ``true`` or a table of
settings, off with ``false`` or ``enabled = false``::

    [tool.pyward.policy]
    extend = "https://policies.example.invalid/python.toml"  # or a path
    undecided = "fail"
    vulnerabilities = { severity = "high" }
    cooldown = { days = 14, exceptions = { "our-internal-lib" = 0 } }
    licenses = { allow = ["MIT", "BSD-3-Clause", "Apache-2.0"], deny = ["AGPL-3.0-only"] }

A policy that ``extend``s another may only tighten it: a lower severity threshold, a
longer cooldown, fewer allowed licences, more denied packages, more packages that must
be attested... Loosening a rule of
the extended policy (turning it off, raising a threshold, ``undecided = "pass"``) is an
error naming the key path. Per-package exceptions (``typosquat.allow``,
``cooldown.exceptions``) and ``[tool.pyward] ignore`` rules stay the project's to write:
each is named in the report. Every error is one line naming the file and the key path;
nothing is guessed: an unknown rule or key is an error, not a warning, because a typo in
a policy would loosen it unseen.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward._advisory._match import short
from pyward._findings import LEVELS, Level
from pyward._policy import RULES
from pyward._policy._model import (
    CooldownRule,
    LicensesRule,
    PackagesRule,
    PinningRule,
    Policy,
    ProjectStatusRule,
    ProvenanceRule,
    SourcesRule,
    TyposquatRule,
    UndecidedPolicy,
    UnmaintainedRule,
    VulnerabilitiesRule,
)
from pyward._sources._snapshot import is_url
from pyward._sources.index._model import KNOWN_STATUSES
from pyward._text import redact_url
from pyward.errors import InputError, NetworkError

if TYPE_CHECKING:
    from pyward._settings import Settings

__all__ = ["MAX_DEPTH", "PolicyText", "load_policy", "parse_policy"]

#: How many ``extend`` links a chain may have (a loop is reported as such before this).
MAX_DEPTH = 8

#: Top-level keys of a policy table besides the rules.
_TOP_KEYS = ("extend", "undecided")

#: The PEP 792 markers ``project-status.statuses`` may name (every one but ``active``).
_STATUSES = tuple(s for s in KNOWN_STATUSES if s != "active")


@dataclasses.dataclass(frozen=True, slots=True)
class PolicyText:
    """One policy document as read: its name in errors, and its parsed policy table."""

    name: str
    """The file path or (redacted) URL, as errors name it."""
    table: Mapping[str, Any]
    """The policy table."""
    prefix: str
    """The key path of the table in the document (``tool.pyward.policy``; empty for a
    document that is the table)."""
    base: Path | None
    """The directory a relative ``extend`` path is resolved against (``None`` for a
    URL: a relative ``extend`` there is resolved as a URL)."""
    url: str | None = None
    """The URL it was read from, when it was."""


def load_policy(
    config_path: Path | None,
    *,
    option: str | None = None,
    settings: Settings | None = None,
    offline: bool | None = None,
) -> tuple[Policy, list[str]]:
    """The policy in force, and notes about how it was read (a cached copy of a policy
    URL used offline). ``option`` is ``--policy FILE|URL``, which replaces the project's
    policy; else the policy table of the configuration file ``config_path``; else the
    built-in default. ``offline`` (default: ``settings.offline``) uses a policy URL's
    cached copy without asking its server."""
    notes: list[str] = []
    fetch = _fetcher(
        settings, notes, settings.offline if offline is None and settings else bool(offline)
    )
    if option is not None:
        text = _read(option, Path.cwd(), fetch, where="--policy")
        return _resolve(text, fetch, chain=()), notes
    if config_path is None:
        return Policy(), notes
    project = _project_text(config_path)
    if project is None:
        return Policy(), notes
    return _resolve(project, fetch, chain=()), notes


def parse_policy(table: Mapping[str, Any], name: str = "policy", prefix: str = "") -> Policy:
    """A policy from one table that extends nothing (tests and the library API)."""
    text = PolicyText(name=name, table=table, prefix=prefix, base=None)
    if "extend" in table:
        raise InputError(name, "extend needs load_policy", where=_key(prefix, "extend"))
    return _resolve(text, _no_fetch, chain=())


def _project_text(config_path: Path) -> PolicyText | None:
    from pyward._config import _load_toml

    data = _load_toml(config_path)
    if config_path.name == "pyward.toml":
        table, prefix = data.get("policy"), "policy"
    else:
        tool = data.get("tool")
        pyward = tool.get("pyward") if isinstance(tool, dict) else None
        table = pyward.get("policy") if isinstance(pyward, dict) else None
        prefix = "tool.pyward.policy"
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError(config_path, "must be a table", where=prefix)
    return PolicyText(name=str(config_path), table=table, prefix=prefix, base=config_path.parent)


def _document_table(data: Mapping[str, Any], name: str) -> tuple[Mapping[str, Any], str]:
    """A policy document's table: ``[tool.pyward.policy]``, ``[policy]``, or the whole
    document (an organisation's policy file)."""
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("pyward"), dict):
        table = tool["pyward"].get("policy")
        if not isinstance(table, dict):
            raise InputError(name, "has no policy table", where="tool.pyward.policy")
        return table, "tool.pyward.policy"
    if "policy" in data:
        if not isinstance(data["policy"], dict):
            raise InputError(name, "must be a table", where="policy")
        return data["policy"], "policy"
    return data, ""


Fetch = Callable[[str, str], bytes]


def _read(ref: str, base: Path | None, fetch: Fetch, *, where: str) -> PolicyText:
    """The policy document ``ref`` (a path relative to ``base``, or a URL)."""
    from pyward._inventory._toml import loads

    if is_url(ref):
        raw = fetch(ref, where)
        name = redact_url(ref)
        try:
            data = loads(raw.decode("utf-8"), name)
        except UnicodeDecodeError:
            raise InputError(name, "not UTF-8 text") from None
        table, prefix = _document_table(data, name)
        return PolicyText(name=name, table=table, prefix=prefix, base=None, url=ref)
    path = Path(ref)
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise InputError(None, f"{ref}: no such policy file", where=where)
    from pyward._inventory._toml import read_text

    data = loads(read_text(path), path)
    table, prefix = _document_table(data, str(path))
    return PolicyText(name=str(path), table=table, prefix=prefix, base=path.parent)


def _resolve(text: PolicyText, fetch: Fetch, *, chain: tuple[str, ...]) -> Policy:
    """The policy of ``text``: its ``extend`` resolved first, then its own table."""
    table = text.table
    if text.name in chain:
        loop = " -> ".join((*chain, text.name))
        raise InputError(text.name, f"extends itself: {loop}", where=_key(text.prefix, "extend"))
    if len(chain) >= MAX_DEPTH:
        raise InputError(
            text.name,
            f"more than {MAX_DEPTH} extended policies in a chain",
            where=_key(text.prefix, "extend"),
        )
    base: Policy | None = None
    if "extend" in table:
        ref = table["extend"]
        where = _key(text.prefix, "extend")
        if not isinstance(ref, str) or not ref.strip():
            raise InputError(text.name, "must be a file path or an http(s) URL", where=where)
        ref = ref.strip()
        if text.url is not None and not is_url(ref):
            from urllib.parse import urljoin

            ref = urljoin(text.url, ref)
        parent = _read(ref, text.base, fetch, where=f"{text.name}: {where}")
        base = _resolve(parent, fetch, chain=(*chain, text.name))
    return _apply(text, base)


def _apply(text: PolicyText, base: Policy | None) -> Policy:
    """``text``'s table over ``base`` (tighten only), or over the default policy."""
    table, name, prefix = text.table, text.name, text.prefix
    for key in table:
        if key not in _TOP_KEYS and key not in RULES:
            known = ", ".join([*RULES, *_TOP_KEYS])
            raise InputError(
                name, f"unknown rule {short(key)} (known: {known})", where=_key(prefix, key)
            )
    start = base if base is not None else Policy()
    values: dict[str, Any] = {}
    for rule_id, rule in RULES.items():
        if rule_id not in table:
            continue
        where = _key(prefix, rule_id)
        old = getattr(start, rule.field)
        new = _rule(table[rule_id], rule_id, old, name, where)
        if base is not None:
            _tightens(old, new, name=name, where=where, origins=base.origins)
        values[rule.field] = new
    undecided = start.undecided
    if "undecided" in table:
        where = _key(prefix, "undecided")
        value = _unknown(table["undecided"], name, where)
        if base is not None and base.undecided == "fail" and value == "pass":
            raise _loosens(name, where, "lets undecided rules pass", base.origins)
        undecided = value
    origin = name if not prefix else f"{name}: {prefix}"
    return dataclasses.replace(
        start, **values, undecided=undecided, origins=(*start.origins, origin)
    )


def _rule(value: object, rule_id: str, old: Any, name: str, where: str) -> Any:
    """One rule's record from its value: ``true``, ``false`` or a table of settings."""
    record_type = RULES[rule_id].record
    if value is False:
        return None
    if value is True:
        return old if old is not None else record_type()
    if not isinstance(value, dict):
        raise InputError(name, "must be true, false or a table of settings", where=where)
    if value.get("enabled", True) is False:
        return None
    if not isinstance(value.get("enabled", True), bool):
        raise InputError(name, "must be true or false", where=f"{where}.enabled")
    parsers = _SETTINGS[rule_id]
    for key in value:
        if key != "enabled" and key not in parsers:
            known = ", ".join(["enabled", *parsers]) if parsers else "enabled"
            raise InputError(name, f"unknown setting (known: {known})", where=f"{where}.{key}")
    record = old if old is not None else record_type()
    changes: dict[str, Any] = {}
    for key, parse in parsers.items():
        if key in value:
            changes[key.replace("-", "_")] = parse(value[key], name, f"{where}.{key}")
    return dataclasses.replace(record, **changes)


# Settings parsers: (value, file name, key path) -> the new value.
Parser = Callable[[object, str, str], Any]


def _severity(value: object, name: str, where: str) -> Level | None:
    if value == "any":
        return None
    if value not in LEVELS[:-1]:
        raise InputError(name, f"must be one of any, {', '.join(LEVELS[-2::-1])}", where=where)
    return value


def _number(minimum: float, maximum: float | None = None, what: str = "number") -> Parser:
    def parse(value: object, name: str, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(name, f"must be a {what}", where=where)
        if value < minimum or (maximum is not None and value > maximum):
            bound = (
                f"between {minimum:g} and {maximum:g}" if maximum is not None else f">= {minimum:g}"
            )
            raise InputError(name, f"must be a {what} {bound}", where=where)
        return float(value)

    return parse


def _strings(value: object, name: str, where: str) -> tuple[str, ...]:
    """A list of strings (or one string), each once: ``[tool.pyward]``'s own reading."""
    from pyward._config import _strings as config_strings
    from pyward._wire import MUST, Wire

    return tuple(dict.fromkeys(config_strings(Wire(name, MUST), value, where)))


def _names(value: object, name: str, where: str) -> tuple[str, ...]:
    from packaging.utils import InvalidName, canonicalize_name

    out = []
    for i, item in enumerate(_strings(value, name, where)):
        try:
            out.append(str(canonicalize_name(item, validate=True)))
        except InvalidName:
            raise InputError(
                name, f"{short(item)} is not a project name", where=f"{where}[{i}]"
            ) from None
    return tuple(dict.fromkeys(out))


def _exceptions(value: object, name: str, where: str) -> dict[str, float]:
    from packaging.utils import InvalidName, canonicalize_name

    if not isinstance(value, dict):
        raise InputError(name, "must be a table of project name = days", where=where)
    out: dict[str, float] = {}
    for key, days in value.items():
        at = f"{where}.{key}"
        try:
            project = str(canonicalize_name(key, validate=True))
        except InvalidName:
            raise InputError(name, f"{short(key)} is not a project name", where=at) from None
        out[project] = _number(0, what="number of days")(days, name, at)
    return out


def _statuses(value: object, name: str, where: str) -> tuple[str, ...]:
    items = _strings(value, name, where)
    for i, item in enumerate(items):
        if item not in _STATUSES:
            raise InputError(
                name,
                f"unknown project status {short(item)} (known: {', '.join(_STATUSES)})",
                where=f"{where}[{i}]",
            )
    return items


def _spdx_ids(value: object, name: str, where: str) -> tuple[str, ...]:
    """A list of SPDX ids (``MIT``, ``LicenseRef-Company``, ``GPL-2.0-only WITH
    Classpath-exception-2.0``), validated by the licence check's own parser."""
    from pyward._checks._license import validate_spdx_ids

    items = _strings(value, name, where)
    bad = set(validate_spdx_ids(items))
    for i, item in enumerate(items):
        if item in bad:
            raise InputError(
                name, f"{short(item)} is not an SPDX licence id", where=f"{where}[{i}]"
            )
    return items


def _requirements(value: object, name: str, where: str) -> tuple[str, ...]:
    from pyward._checks._package import BadEntry, parse_entries

    items = _strings(value, name, where)
    try:
        parse_entries(items)
    except BadEntry as exc:
        raise InputError(name, str(exc), where=f"{where}[{exc.index}]") from None
    return items


def _urls(value: object, name: str, where: str) -> tuple[str, ...]:
    items = _strings(value, name, where)
    for i, item in enumerate(items):
        if not is_url(item):
            raise InputError(name, f"{short(item)} is not an http(s) URL", where=f"{where}[{i}]")
    return tuple(dict.fromkeys(normal_url(u) for u in items))


def normal_url(url: str) -> str:
    """An index URL as policies compare it: no credentials, no trailing slash, the scheme
    and host in lower case."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), "", ""))


def _unknown(value: object, name: str, where: str) -> UndecidedPolicy:
    if value not in ("fail", "pass"):
        raise InputError(name, "must be 'fail' or 'pass'", where=where)
    return "fail" if value == "fail" else "pass"


def _bool(value: object, name: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(name, "must be true or false", where=where)
    return value


def _require(value: object, name: str, where: str) -> bool | tuple[str, ...]:
    """``provenance.require``: ``true`` (every package), ``false``, or project names
    (PEP 503 normalised; an empty list is ``false``)."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, (str, list)):
        raise InputError(name, "must be true, false or a list of project names", where=where)
    return _names(value, name, where) or False


_SETTINGS: Mapping[str, Mapping[str, Parser]] = {
    "vulnerabilities": {"severity": _severity},
    "malicious": {},
    "typosquat": {"allow": _names, "min-score": _number(0, 1, "score")},
    "cooldown": {"days": _number(0, what="number of days"), "exceptions": _exceptions},
    "yanked": {},
    "project-status": {"statuses": _statuses},
    "eol": {},
    "unmaintained": {"years": _number(0, what="number of years")},
    "licenses": {"allow": _spdx_ids, "deny": _spdx_ids, "unknown": _unknown},
    "packages": {"deny": _requirements, "allow": _requirements},
    "sources": {"indexes": _urls, "public": _urls},
    "pinning": {"hashes": _bool},
    "provenance": {"require": _require, "publisher-change": _bool},
}


def _loosens(name: str, where: str, what: str, origins: tuple[str, ...]) -> InputError:
    extended = origins[-1] if origins else "the extended policy"
    return InputError(
        name,
        f"{what}, loosening the policy it extends ({extended}); an extending policy may "
        "only tighten",
        where=where,
    )


def _tightens(old: Any, new: Any, *, name: str, where: str, origins: tuple[str, ...]) -> None:
    """Raise when ``new`` (this file's rule) loosens ``old`` (the extended policy's)."""
    if old is None:
        return  # turning a rule on, or leaving it off, never loosens
    if new is None:
        raise _loosens(name, where, "turns the rule off", origins)

    def fail(key: str, what: str) -> InputError:
        return _loosens(name, f"{where}.{key}", what, origins)

    if isinstance(old, VulnerabilitiesRule) and old.severity is not None:
        if new.severity is not None and LEVELS.index(new.severity) < LEVELS.index(old.severity):
            raise fail("severity", f"raises the threshold from {old.severity} to {new.severity}")
    elif isinstance(old, VulnerabilitiesRule) and new.severity is not None:
        raise fail("severity", f"raises the threshold from any to {new.severity}")
    if isinstance(old, TyposquatRule) and new.min_score > old.min_score:
        raise fail("min-score", f"raises the score from {old.min_score:g} to {new.min_score:g}")
    if isinstance(old, CooldownRule) and new.days < old.days:
        raise fail("days", f"shortens the cooldown from {old.days:g} to {new.days:g} days")
    if isinstance(old, ProjectStatusRule):
        dropped = [s for s in old.statuses if s not in new.statuses]
        if dropped:
            raise fail("statuses", f"drops {', '.join(dropped)}")
    if isinstance(old, UnmaintainedRule) and new.years > old.years:
        raise fail("years", f"raises the years from {old.years:g} to {new.years:g}")
    if isinstance(old, LicensesRule):
        if old.allow and (extra := [x for x in new.allow if x not in old.allow]):
            raise fail("allow", f"allows {', '.join(extra)}")
        if old.allow and not new.allow:
            raise fail("allow", "drops the allow-list")
        if dropped := [x for x in old.deny if x not in new.deny]:
            raise fail("deny", f"no longer denies {', '.join(dropped)}")
        if old.unknown == "fail" and new.unknown == "pass":
            raise fail("unknown", "lets unknown licences pass")
    if isinstance(old, PackagesRule):
        if dropped := [x for x in old.deny if x not in new.deny]:
            raise fail("deny", f"no longer denies {', '.join(dropped)}")
        if old.allow and (extra := [x for x in new.allow if x not in old.allow]):
            raise fail("allow", f"allows {', '.join(extra)}")
        if old.allow and not new.allow:
            raise fail("allow", "drops the allow-list")
    if isinstance(old, SourcesRule):
        if old.indexes and (extra := [x for x in new.indexes if x not in old.indexes]):
            raise fail("indexes", f"allows {', '.join(extra)}")
        if old.indexes and not new.indexes:
            raise fail("indexes", "drops the list of indexes")
        if dropped := [x for x in old.public if x not in new.public]:
            raise fail("public", f"no longer probes {', '.join(dropped)}")
    if isinstance(old, PinningRule) and old.hashes and not new.hashes:
        raise fail("hashes", "no longer requires hashes")
    if isinstance(old, ProvenanceRule):
        if old.require is True and new.require is not True:
            raise fail("require", "no longer requires every package to be attested")
        named = old.require if isinstance(old.require, tuple) else ()
        if dropped := [x for x in named if not new.requires(x)]:
            raise fail("require", f"no longer requires {', '.join(dropped)} to be attested")
        if old.publisher_change and not new.publisher_change:
            raise fail("publisher-change", "lets a publisher change pass")


def _key(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


# Fetching policy URLs: a conditional GET each run, the answer cached under the cache
# directory; offline (or unreachable) the cached copy is used with a note; with no
# cached copy the run stops with an input error (exit 2): nothing is checked or
# installed against a policy that could not be read.


def _no_fetch(url: str, where: str) -> bytes:
    raise InputError(None, f"{redact_url(url)}: cannot fetch a policy URL here", where=where)


def _fetcher(settings: Settings | None, notes: list[str], offline: bool) -> Fetch:
    if settings is None:
        return _no_fetch

    def fetch(url: str, where: str) -> bytes:
        return fetch_policy_url(url, where, settings, notes, offline=offline)

    return fetch


def fetch_policy_url(
    url: str, where: str, settings: Settings, notes: list[str], *, offline: bool
) -> bytes:
    """The body of the policy at ``url``: asked again each run (conditionally), the cached
    copy when offline or unreachable (with a note), an :class:`InputError` naming
    ``where`` when neither."""
    import datetime as dt
    import json
    import tempfile

    from pyward._advisory._sync import Limits, _download
    from pyward._atomic import replace_file

    shown = redact_url(url)
    folder = settings.cache_dir / "policy"
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    body_path, meta_path = folder / f"{key}.toml", folder / f"{key}.json"
    meta: dict[str, str] = {}
    if meta_path.is_file():
        try:
            loaded = json.loads(meta_path.read_text(encoding="utf-8"))
            meta = {k: v for k, v in loaded.items() if isinstance(v, str)}
        except (OSError, ValueError):
            meta = {}
    cached = body_path.read_bytes() if body_path.is_file() else None

    def use_cached(why: str) -> bytes:
        if cached is None:
            raise InputError(
                None,
                f"policy {shown} could not be read ({why}) and no copy is cached",
                where=where,
            )
        when = meta.get("fetched", "an unknown date")
        notes.append(f"policy {shown}: {why}; using the copy cached on {when}")
        return cached

    if offline:
        return use_cached("offline")
    headers: dict[bytes, bytes] = {}
    if cached is not None:
        if meta.get("etag"):
            headers[b"If-None-Match"] = meta["etag"].encode("latin-1", "replace")
        if meta.get("last_modified"):
            headers[b"If-Modified-Since"] = meta["last_modified"].encode("latin-1", "replace")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pyward-policy-", dir=folder) as tmp:
        dest = Path(tmp) / "policy.toml"
        try:
            validators = _download(
                url,
                dest,
                headers,
                client=None,
                progress=False,
                limits=Limits(download_bytes=1 << 20, download_seconds=30),
            )
        except NetworkError as exc:
            return use_cached(str(exc).replace(url, shown))
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        if validators is None and cached is not None:  # 304: the cached copy is current
            body = cached
        else:
            body = dest.read_bytes()
            replace_file(body_path, body)
            meta = {k: v for k, v in (validators or {}).items() if v}
        meta["fetched"] = now
        replace_file(meta_path, json.dumps(meta).encode("utf-8"))
    return body
