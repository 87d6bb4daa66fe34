"""The ``package`` check: a component that the policy's ``packages`` lists ban.

``[tool.pyward.policy.packages]`` holds ``deny`` and ``allow`` lists of PEP 508
requirements: a name with an optional version specifier (``insecure-package``,
``urllib3<2``). Names compare PEP 503 normalised; a specifier matches pre-releases too
(``django>=5`` denies ``5.1rc1``; PEP 440's own rules otherwise: ``urllib3<2`` does not
take in ``2.0.0rc1``), so that a pre-release never slips past a list. An entry with an
environment marker, extras or a URL is refused when the policy is read
(:func:`parse_entries`): a list says which releases are banned, not how they are
installed.

A component that satisfies a deny entry is a finding; when ``allow`` is not empty, so is
one that satisfies no allow entry. A component whose version is not PEP 440 (a VCS
checkout's) cannot be compared with a specifier: an entry with one leaves it
``undecided``, never passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from pyward._advisory._match import short
from pyward._checks import CheckContext, CheckResult, Undecided
from pyward._checks._common import check_finding
from pyward._findings import CheckId, Finding
from pyward._model import Component, ComponentKey, Inventory, canonical_name
from pyward._policy._details import PackageDetail
from pyward._policy._model import PackagesRule

__all__ = ["CHECK", "BadEntry", "PackageEntry", "parse_entries", "run"]

#: The check's id: the kind of finding it reports.
CHECK = CheckId("package")


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageEntry:
    """One entry of a ``packages`` list, parsed."""

    text: str
    """The entry as written (what a finding quotes)."""
    name: str
    """PEP 503 normalised name."""
    specifier: SpecifierSet
    """The versions it names (empty: every version)."""

    def matches(self, name: str, version: Version | None) -> bool | None:
        """Whether a release ``name`` ``version`` satisfies the entry; ``None`` when that
        cannot be told (the name matches, the entry has a specifier, and the version is
        not PEP 440)."""
        if name != self.name:
            return False
        if not self.specifier:
            return True
        if version is None:
            return None
        return self.specifier.contains(version, prereleases=True)


class BadEntry(ValueError):
    """An entry of a ``packages`` list that is not a name with an optional specifier.
    ``index`` is its position in the list, so that the policy loader can name the key
    path (``packages.deny[2]``); the message is one line."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def parse_entries(entries: Iterable[str]) -> tuple[PackageEntry, ...]:
    """``entries`` (PEP 508 requirement strings) parsed; the first bad one raises
    :class:`BadEntry` (a :class:`ValueError`) with its position and a one-line message:
    ``'urllib3 @ https://files.invalid/u.whl': a packages entry names no URL``."""
    parsed: list[PackageEntry] = []
    for i, text in enumerate(entries):
        parsed.append(_parse(i, text))
    return tuple(parsed)


def _parse(index: int, text: str) -> PackageEntry:
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        # packaging's message spans lines (it draws a caret under the text).
        first = str(exc).splitlines()[0] if str(exc) else "not a requirement"
        raise BadEntry(index, f"{short(text)}: not a PEP 508 requirement ({first})") from None
    if req.url:
        raise BadEntry(
            index, f"{short(text)}: a packages entry names no URL (give a name and versions)"
        )
    if req.marker is not None:
        raise BadEntry(
            index, f"{short(text)}: a packages entry takes no environment marker ('; ...')"
        )
    if req.extras:
        raise BadEntry(index, f"{short(text)}: a packages entry takes no extras ('[...]')")
    return PackageEntry(text=text, name=canonical_name(req.name), specifier=req.specifier)


#: A list's entries by name, in list order.
_ByName = dict[str, tuple[PackageEntry, ...]]


def _by_name(entries: tuple[PackageEntry, ...]) -> _ByName:
    found: dict[str, list[PackageEntry]] = {}
    for entry in entries:
        found.setdefault(entry.name, []).append(entry)
    return {name: tuple(group) for name, group in found.items()}


@lru_cache(maxsize=64)
def _entries(rule: PackagesRule) -> tuple[_ByName, _ByName]:
    """The rule's lists, parsed once per rule (the loader has validated them), by name."""
    return _by_name(parse_entries(rule.deny)), _by_name(parse_entries(rule.allow))


@lru_cache(maxsize=4096)
def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def run(context: CheckContext) -> CheckResult:
    policy = context.options.policy
    rule = (policy.packages if policy is not None else None) or PackagesRule()
    deny, allow = _entries(rule)
    if not deny and not allow:
        return CheckResult()
    findings: list[Finding] = []
    undecided: list[Undecided] = []
    for inv, comp in _components(context):
        version = _version(comp.version) if comp.version else None
        verdict = _decide(comp.name, version, deny, allow)
        if isinstance(verdict, _Unknown):
            written = comp.version or "no version"
            reason = f"{written} is not a PEP 440 version: not compared with {verdict.entry.text!r}"
            undecided.append(
                Undecided(
                    component=comp,
                    path=context.path_of(inv, comp),
                    reason=reason,
                    note=f"{comp.name}: package rule: {reason}",
                )
            )
            continue
        if verdict is not None:
            findings.append(_finding(context, inv, comp, verdict))
    return CheckResult(findings=tuple(findings), undecided=tuple(undecided))


def _components(context: CheckContext) -> Iterator[tuple[Inventory, Component]]:
    """The subjects, then every other component of the inputs (a VCS checkout or a local
    path is no subject of the index checks, but a banned name is banned wherever it comes
    from), each key once."""
    seen: set[ComponentKey] = set()
    for inv, comp in context.subjects:
        seen.add(comp.key)
        yield inv, comp
    for inv in context.inventories:
        for comp in inv.components:
            if comp.key not in seen:
                seen.add(comp.key)
                yield inv, comp


@dataclass(frozen=True, slots=True)
class _Unknown:
    """The lists cannot decide: ``entry`` has a specifier and the version is not PEP 440."""

    entry: PackageEntry


def _decide(
    name: str, version: Version | None, deny: _ByName, allow: _ByName
) -> PackageDetail | _Unknown | None:
    """The finding's detail, ``None`` (the lists let it pass), or the entry that cannot
    be decided. A deny entry decides before the allow-list is read."""
    for entry in deny.get(name, ()):
        hit = entry.matches(name, version)
        if hit is None:
            return _Unknown(entry)
        if hit:
            return PackageDetail(list="deny", entry=entry.text)
    if not allow:
        return None
    unknown: PackageEntry | None = None
    for entry in allow.get(name, ()):
        hit = entry.matches(name, version)
        if hit:
            return None
        if hit is None and unknown is None:
            unknown = entry
    if unknown is not None:
        return _Unknown(unknown)
    return PackageDetail(list="allow", entry=None)


def _finding(
    context: CheckContext, inv: Inventory, comp: Component, detail: PackageDetail
) -> Finding:
    pin = f"{comp.name} {comp.version}" if comp.version else comp.name
    return check_finding(
        CHECK,
        context,
        inv,
        comp,
        summary=f"{pin}: {detail.describe()}",
        detail=detail,
    )
