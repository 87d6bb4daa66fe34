"""OSV version matching for PyPI, by the schema's evaluation rules and PEP 440.

Reference: the "Evaluation" section of the OSV schema
(https://ossf.github.io/osv-schema/#evaluation). A version is affected by an affected
entry when it is listed in ``versions`` or falls inside one of its ``ECOSYSTEM`` /
``SEMVER`` ranges; ``GIT`` ranges never decide a version match. Range events are walked
sorted by version (``introduced: "0"`` first); ``introduced`` opens, ``fixed`` closes
(exclusive), ``last_affected`` closes (inclusive), and ``limit`` events cap the range.

PEP 440 is ``packaging``'s: ordering of pre-, post-, dev- and local versions and zero
padding (``1.0 == 1.0.0``). Local labels follow version-specifier semantics (PEP 440,
"Local version identifiers"): a candidate's local label is ignored against a bound
that has none, so ``2.0+cpu`` is ``2.0`` for ``fixed: 2.0`` (fixed) and for a
``versions`` entry ``2.0`` (listed), as pip's ``==2.0`` would match it. A version that
is not valid PEP 440 matches only by its exact string in ``versions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion, Version

from pyward._advisory._types import Advisory, AdvisoryId, Affected, Event, Match, Range
from pyward._model import canonical_name


class UnparseableEvent(ValueError):
    """An ``ECOSYSTEM``/``SEMVER`` event whose version is not PEP 440."""

    def __init__(self, index: int, value: str) -> None:
        super().__init__(f"not a PEP 440 version: {value!r}")
        self.index = index


@lru_cache(maxsize=1 << 16)
def parse_version(value: str) -> Version | None:
    """``packaging`` parse, cached (bounds repeat across records); ``None`` if invalid."""
    try:
        return Version(value)
    except InvalidVersion:
        return None


def canonical_version(value: str) -> str | None:
    """A key equal for PEP 440-equal versions (``1.0`` / ``1.0.0`` / ``1.0.0.0``)."""
    from packaging.utils import canonicalize_version

    if parse_version(value) is None:
        return None
    return canonicalize_version(value, strip_trailing_zero=True)


def sort_events(events: Sequence[Event]) -> list[Event]:
    """Stable sort by PEP 440 version, ``introduced: "0"`` first (OSV evaluation).

    Events at the same version keep their written order. Raises
    :class:`UnparseableEvent` for a version that is not PEP 440.
    """
    keyed: list[tuple[int, Version | None, int, Event]] = []
    for i, event in enumerate(events):
        if event.kind == "introduced" and event.value == "0":
            keyed.append((0, None, i, event))
            continue
        if event.kind == "limit" and event.value == "*":
            keyed.append((2, None, i, event))
            continue
        version = parse_version(event.value)
        if version is None:
            raise UnparseableEvent(i, event.value)
        keyed.append((1, version, i, event))
    keyed.sort(key=lambda k: (k[0], k[1] or _ZERO, k[2]))
    return [k[3] for k in keyed]


_ZERO = Version("0")


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A version being checked, parsed once for every record."""

    text: str
    """The version as given."""
    version: Version | None
    """Parsed, or ``None`` when it is not PEP 440."""
    public: Version | None
    """``version`` without its local label (``2.0+cpu`` -> ``2.0``)."""
    canonical: str | None
    """Canonical form of ``version`` for ``versions`` membership."""
    canonical_public: str | None
    """Canonical form of ``public``."""

    @classmethod
    def of(cls, text: str) -> Candidate:
        version = parse_version(text)
        if version is None:
            return cls(text=text, version=None, public=None, canonical=None, canonical_public=None)
        if version.local is None:
            canon = canonical_version(text)
            return cls(
                text=text, version=version, public=version, canonical=canon, canonical_public=canon
            )
        public = parse_version(version.public)
        return cls(
            text=text,
            version=version,
            public=public,
            canonical=canonical_version(text),
            canonical_public=canonical_version(version.public),
        )

    def against(self, bound: Version) -> Version:
        """The candidate as compared with ``bound``: local label ignored unless the bound
        has one (PEP 440 specifier semantics)."""
        assert self.version is not None
        assert self.public is not None
        return self.version if bound.local is not None else self.public


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledRange:
    """A non-GIT range with its events sorted and their versions parsed."""

    type: str
    events: tuple[tuple[str, str, Version | None], ...]
    """``(kind, value, parsed)``; parsed is ``None`` for ``introduced: "0"`` and ``limit: "*"``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledEntry:
    """One PyPI affected entry of one record, ready to match quickly."""

    advisory_id: AdvisoryId
    package: str
    ranges: tuple[CompiledRange, ...]
    versions: frozenset[str]
    """The ``versions`` entries as written (exact-string membership)."""
    canonical: Mapping[str, str]
    """Canonical PEP 440 form -> the entry as written, for the valid entries."""
    fixed: tuple[str, ...]
    last_affected: tuple[str, ...]


def compact_entry(affected: Affected) -> dict[str, Any]:
    """The stored form of an affected entry: sorted non-GIT events, versions, and the
    canonical forms of the versions (computed once, at import, not per lookup)."""
    canon: dict[str, str] = {}
    for v in affected.versions:
        c = canonical_version(v)
        if c is not None:
            canon.setdefault(c, v)
    return {
        "r": [
            [r.type, [[e.kind, e.value] for e in r.events]]
            for r in affected.ranges
            if r.type != "GIT"
        ],
        "v": list(affected.versions),
        "c": canon,
    }


def compile_entry(advisory_id: str, package: str, data: Mapping[str, Any]) -> CompiledEntry:
    """Rebuild a :class:`CompiledEntry` from :func:`compact_entry`'s output."""
    ranges = []
    fixed: set[str] = set()
    last: set[str] = set()
    for r_type, events in data["r"]:
        parsed = []
        for kind, value in events:
            special = (kind == "introduced" and value == "0") or (kind == "limit" and value == "*")
            parsed.append((kind, value, None if special else parse_version(value)))
            if kind == "fixed":
                fixed.add(value)
            elif kind == "last_affected":
                last.add(value)
        ranges.append(CompiledRange(type=r_type, events=tuple(parsed)))
    return CompiledEntry(
        advisory_id=AdvisoryId(advisory_id),
        package=package,
        ranges=tuple(ranges),
        versions=frozenset(data["v"]),
        canonical=data["c"],
        fixed=sort_versions(fixed),
        last_affected=sort_versions(last),
    )


def sort_versions(values: Iterable[str]) -> tuple[str, ...]:
    """PEP 440 order; strings that are not PEP 440 last, by text."""
    return tuple(
        sorted(
            set(values),
            key=lambda v: (0, parse_version(v), v) if parse_version(v) else (1, _ZERO, v),
        )
    )


def _range_hit(rng: CompiledRange, cand: Candidate) -> str | None:
    """The reason ``cand`` is inside ``rng``, else ``None`` (OSV evaluation pseudo-code)."""
    limits = [(v, p) for k, v, p in rng.events if k == "limit"]
    if limits and not any(p is None or cand.against(p) < p for _, p in limits):
        return None
    affected = False
    opened: str | None = None
    closing: tuple[str, str] | None = None
    for kind, value, bound in rng.events:
        if kind == "introduced":
            if bound is None or cand.against(bound) >= bound:
                affected, opened, closing = True, value, None
        elif kind == "fixed":
            assert bound is not None
            if cand.against(bound) >= bound:
                affected = False
            elif affected and closing is None:
                closing = (kind, value)
        elif kind == "last_affected":
            assert bound is not None
            if cand.against(bound) > bound:
                affected = False
            elif affected and closing is None:
                closing = (kind, value)
    if not affected:
        return None
    upper = f", {closing[0]} {closing[1]}" if closing else ", no fix"
    cap = f" (limit {', '.join(v for v, _ in limits)})" if limits else ""
    return f"{rng.type} range: introduced {opened}{upper}{cap}"


def match_entry(entry: CompiledEntry, cand: Candidate) -> Match | None:
    """Whether ``cand`` is affected by one compiled entry, and how."""
    reason: str | None = None
    if cand.version is not None:
        for rng in entry.ranges:
            reason = _range_hit(rng, cand)
            if reason is not None:
                break
    if reason is None:
        if cand.text in entry.versions:
            reason = f"listed in versions as {cand.text}"
        elif cand.canonical is not None:
            listed = entry.canonical.get(cand.canonical)
            if listed is None and cand.canonical_public != cand.canonical:
                listed = entry.canonical.get(cand.canonical_public or "")
            if listed is not None:
                reason = f"listed in versions as {listed} (PEP 440 equal to {cand.text})"
    if reason is None:
        return None
    return Match(
        advisory_id=entry.advisory_id,
        package=entry.package,
        version=cand.text,
        reason=reason,
        fixed=entry.fixed,
        last_affected=entry.last_affected,
    )


def match_advisory(advisory: Advisory, name: str, version: str) -> Match | None:
    """Whether one record affects ``name`` at ``version`` (withdrawn records never do)."""
    if advisory.withdrawn:
        return None
    package = canonical_name(name)
    cand = Candidate.of(version)
    for affected in advisory.affected:
        if affected.name != package:
            continue
        entry = compile_entry(advisory.id, package, compact_entry(affected))
        found = match_entry(entry, cand)
        if found is not None:
            return found
    return None


def explain(advisory: Advisory, name: str, version: str) -> list[str]:
    """Lines that walk the OSV evaluation of one record for one version, whether it
    matches or not: every affected entry of the package, its sorted events one by one,
    its ``versions`` list, and the verdict (for ``pyward explain``)."""
    package = canonical_name(name)
    cand = Candidate.of(version)
    lines = [f"{advisory.id}: {package} {version}"]
    if advisory.withdrawn:
        lines.append(f"withdrawn {advisory.withdrawn}: a withdrawn record never matches")
    if cand.version is None:
        lines.append(
            f"{version!r} is not a PEP 440 version: it can match only by exact string in versions"
        )
    entries = [(i, a) for i, a in enumerate(advisory.affected) if a.name == package]
    if not entries:
        names = sorted({a.name for a in advisory.affected})
        lines.append(f"the record names no PyPI package {package} (it names: {', '.join(names)})")
    hit = False
    for i, affected in entries:
        entry = compile_entry(advisory.id, package, compact_entry(affected))
        for j, rng in enumerate(affected.ranges):
            label = f"affected[{i}].ranges[{j}] {rng.type}"
            if rng.type == "GIT":
                lines.append(f"{label} ({rng.repo}): commit range, not used for version matching")
                continue
            written = ", ".join(f"{e.kind} {e.value}" for e in rng.events)
            lines.append(f"{label}, events sorted by version: {written}")
            if cand.version is None:
                continue
            compiled = CompiledRange(type=rng.type, events=_parsed(rng))
            lines.extend(f"  {line}" for line in _walk(compiled, cand))
            if _range_hit(compiled, cand) is not None:
                hit = True
        if affected.versions:
            label = f"affected[{i}].versions ({len(affected.versions)} entries)"
            listed = match_entry(
                CompiledEntry(
                    advisory_id=entry.advisory_id,
                    package=package,
                    ranges=(),
                    versions=entry.versions,
                    canonical=entry.canonical,
                    fixed=(),
                    last_affected=(),
                ),
                cand,
            )
            if listed is not None:
                hit = True
                lines.append(f"{label}: {listed.reason}")
            else:
                lines.append(f"{label}: {version} is not listed")
    affected_now = hit and not advisory.withdrawn
    lines.append(f"verdict: {version} is {'affected' if affected_now else 'not affected'}")
    return lines


def _parsed(rng: Range) -> tuple[tuple[str, str, Version | None], ...]:
    return tuple(
        (
            e.kind,
            e.value,
            None
            if (e.kind == "introduced" and e.value == "0") or (e.kind == "limit" and e.value == "*")
            else parse_version(e.value),
        )
        for e in rng.events
    )


def _walk(rng: CompiledRange, cand: Candidate) -> list[str]:
    """One line per sorted event, with the state after it."""
    out: list[str] = []
    affected = False
    v = cand.text
    for kind, value, bound in rng.events:
        if kind == "limit":
            if bound is None:
                out.append(f"limit {value}: no upper limit")
            else:
                below = cand.against(bound) < bound
                out.append(f"limit {value}: {v} {'<' if below else '>='} {value}")
            continue
        if kind == "introduced":
            if bound is None:
                affected = True
                out.append(f"introduced {value}: every version from the first -> affected")
            elif cand.against(bound) >= bound:
                affected = True
                out.append(f"introduced {value}: {v} >= {value} -> affected")
            else:
                out.append(f"introduced {value}: {v} < {value} -> unchanged ({_state(affected)})")
        elif kind == "fixed":
            assert bound is not None
            if cand.against(bound) >= bound:
                affected = False
                out.append(f"fixed {value}: {v} >= {value} -> not affected")
            else:
                out.append(f"fixed {value}: {v} < {value} -> unchanged ({_state(affected)})")
        else:
            assert bound is not None
            if cand.against(bound) > bound:
                affected = False
                out.append(f"last_affected {value}: {v} > {value} -> not affected")
            else:
                out.append(
                    f"last_affected {value}: {v} <= {value} -> unchanged ({_state(affected)})"
                )
    if cand.version is not None and cand.version.local is not None:
        out.append(
            f"(local label of {v} ignored against bounds without one, as PEP 440 specifiers do)"
        )
    result = _range_hit(rng, cand)
    out.append(f"range result: {'affected' if result else 'not affected'}")
    return out


def _state(affected: bool) -> str:
    return "affected" if affected else "not affected"
