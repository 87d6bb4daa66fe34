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
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion, Version

from pyward._advisory._types import Advisory, AdvisoryId, Affected, Event, Match
from pyward._model import canonical_name


class UnparseableEvent(ValueError):
    """An ``ECOSYSTEM``/``SEMVER`` event whose version is not PEP 440."""

    def __init__(self, index: int, value: str) -> None:
        super().__init__(f"not a PEP 440 version: {value!r}")
        self.index = index


@lru_cache(maxsize=1 << 16)
def parse_version(value: str) -> Version | None:
    """``packaging`` parse, cached (bounds repeat across records); ``None`` if invalid,
    or if a number in it has more digits than Python converts (``packaging`` then raises
    a plain ``ValueError``: https://docs.python.org/3/library/stdtypes.html#int-max-str-digits);
    such a version is not comparable, see :func:`too_long`."""
    try:
        return Version(value)
    except ValueError:  # InvalidVersion, or int_max_str_digits
        return None


def too_long(value: str) -> bool:
    """A version that is PEP 440 in form but has a number longer than Python converts
    (issue 12): it cannot be compared, so it is not audited."""
    if parse_version(value) is not None:  # cached: the common case costs a lookup
        return False
    try:
        Version(value)
    except InvalidVersion:
        return False
    except ValueError:
        return True
    return False


def short(value: str, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters with its length when longer
    (a hostile version should not fill a warning line)."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


@lru_cache(maxsize=1 << 16)
def canonical_version(value: str) -> str | None:
    """A key equal for PEP 440-equal versions (``1.0`` / ``1.0.0`` / ``1.0.0.0``).

    The same text as ``packaging.utils.canonicalize_version(v, strip_trailing_zero=True)``
    (a test holds them equal on every real version), built from the parsed ``Version``
    because ``packaging.utils`` imports ``packaging.tags`` and ``platform``, which
    the lookup path has no other use for. Cached: the same version strings recur in
    every record of a package.
    """
    v = parse_version(value)
    if v is None:
        return None
    release = list(v.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    out = f"{v.epoch}!" if v.epoch else ""
    out += ".".join(map(str, release))
    if v.pre is not None:
        out += f"{v.pre[0]}{v.pre[1]}"
    if v.post is not None:
        out += f".post{v.post}"
    if v.dev is not None:
        out += f".dev{v.dev}"
    if v.local is not None:
        out += f"+{v.local}"
    return out


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


Bound = tuple[str, str, "Version | None"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Interval:
    """One affected interval of a range, from walking its sorted events once."""

    low: Version | None
    """Inclusive lower bound (``None``: from the first version, ``introduced: "0"``)."""
    high: Version | None
    """Upper bound (``None``: no fix)."""
    inclusive: bool
    """``high`` is a ``last_affected`` (inclusive) rather than a ``fixed`` (exclusive)."""
    reason: str
    """``introduced 3.2, fixed 3.2.20``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledRange:
    """A non-GIT range with its events sorted and their versions parsed."""

    type: str
    """``ECOSYSTEM`` or ``SEMVER``."""
    events: tuple[Bound, ...]
    """``(kind, value, parsed)``; parsed is ``None`` for ``introduced: "0"`` and ``limit: "*"``."""
    intervals: tuple[Interval, ...] = ()
    """The affected intervals the sorted events describe (see :func:`compile_range`)."""
    limits: tuple[Version | None, ...] = ()
    """``limit`` bounds (``None`` for ``*``)."""
    local_bounds: bool = False
    """Some bound carries a local label: evaluate event by event (:func:`_walk_state`)."""


def compile_range(r_type: str, events: tuple[Bound, ...]) -> CompiledRange:
    """Turn sorted events into intervals once, so a lookup is a few comparisons.

    Walking the sorted events with OSV's state machine, the state at a version is set
    by the last event at or below it; so each ``introduced`` that opens the state
    starts an interval and the next ``fixed`` / ``last_affected`` ends it. The
    property tests hold this equal to the event-by-event walk on every real record.
    """
    intervals: list[Interval] = []
    limits: list[Version | None] = []
    local_bounds = False
    low: Version | None = None
    low_text: str | None = None
    for kind, value, bound in events:
        # PEP 440 writes a local label, and only it, after a ``+``: no need to ask the
        # parsed version (``Version.local`` joins its parts anew on every call).
        if bound is not None and "+" in value:
            local_bounds = True
        if kind == "introduced":
            if low_text is None:
                low, low_text = bound, value
        elif kind == "limit":
            limits.append(bound)
        elif kind in ("fixed", "last_affected") and low_text is not None:
            intervals.append(
                Interval(
                    low=low,
                    high=bound,
                    inclusive=kind == "last_affected",
                    reason=f"introduced {low_text}, {kind} {value}",
                )
            )
            low, low_text = None, None
    if low_text is not None:
        intervals.append(
            Interval(low=low, high=None, inclusive=False, reason=f"introduced {low_text}, no fix")
        )
    return CompiledRange(
        type=r_type,
        events=events,
        intervals=tuple(intervals),
        limits=tuple(limits),
        local_bounds=local_bounds,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledEntry:
    """One PyPI affected entry of one record, ready to match quickly."""

    advisory_id: AdvisoryId
    """The record's id."""
    package: str
    """PEP 503 normalised package name."""
    ranges: tuple[CompiledRange, ...]
    """The non-GIT ranges, in written order."""
    versions: str = ""
    """The ``versions`` entries as written, each between line breaks (``"\n0.5\n1.0\n"``):
    membership is one substring search, with nothing to decode per lookup."""
    canonical: str = ""
    """The canonical PEP 440 form of each entry, aligned line by line with ``versions``
    (an empty line for an entry that is not PEP 440)."""
    fixed: tuple[str, ...] = ()
    """The ``fixed`` versions of every range, PEP 440 sorted."""
    last_affected: tuple[str, ...] = ()
    """The ``last_affected`` versions of every range, PEP 440 sorted."""

    def listed(self, cand: Candidate) -> str | None:
        """The ``versions`` entry equal to ``cand`` (exact string, else PEP 440), or ``None``."""
        if not self.versions or "\n" in cand.text:
            return None
        if f"\n{cand.text}\n" in self.versions:
            return cand.text
        # A version without a local label is its own public form: searched once.
        canons: tuple[str | None, ...] = (cand.canonical,)
        if cand.canonical_public != cand.canonical:
            canons += (cand.canonical_public,)
        for canon in canons:
            if canon is None:
                continue
            at = self.canonical.find(f"\n{canon}\n")
            if at >= 0:
                return self.versions.split("\n")[self.canonical.count("\n", 0, at) + 1]
        return None


def _lines(values: Iterable[str]) -> str:
    return "\n" + "\n".join(values) + "\n"


def compact_entry(affected: Affected) -> dict[str, Any]:
    """The stored form of an affected entry (computed once, at import): sorted non-GIT
    events, the sorted ``fixed`` / ``last_affected`` versions, the ``versions`` list
    and its canonical PEP 440 forms as line-separated text."""
    ranges = [r for r in affected.ranges if r.type != "GIT"]
    bounds = [(e.kind, e.value) for r in ranges for e in r.events]
    versions = affected.versions
    return {
        "r": [[r.type, [[e.kind, e.value] for e in r.events]] for r in ranges],
        "f": list(sort_versions(v for k, v in bounds if k == "fixed")),
        "l": list(sort_versions(v for k, v in bounds if k == "last_affected")),
        "v": _lines(versions) if versions else "",
        "c": _lines(canonical_version(v) or "" for v in versions) if versions else "",
    }


def compile_entry(advisory_id: str, package: str, data: Mapping[str, Any]) -> CompiledEntry:
    """Rebuild a :class:`CompiledEntry` from :func:`compact_entry`'s output."""
    return CompiledEntry(
        advisory_id=AdvisoryId(advisory_id),
        package=package,
        ranges=tuple(compile_range(r_type, _bounds(events)) for r_type, events in data["r"]),
        versions=data["v"],
        canonical=data["c"],
        fixed=tuple(data["f"]),
        last_affected=tuple(data["l"]),
    )


def _bounds(events: Iterable[Sequence[str]]) -> tuple[Bound, ...]:
    """``(kind, value, parsed)`` per ``(kind, value)`` event; no parsed version for
    ``introduced: "0"`` and ``limit: "*"``."""
    return tuple(
        (
            kind,
            value,
            None
            if (kind == "introduced" and value == "0") or (kind == "limit" and value == "*")
            else parse_version(value),
        )
        for kind, value in events
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
    """The reason ``cand`` is inside ``rng``, else ``None`` (OSV evaluation)."""
    if rng.local_bounds:
        return _walk_state(rng, cand)
    v = cand.public
    assert v is not None
    if rng.limits and not any(b is None or v < b for b in rng.limits):
        return None
    for iv in rng.intervals:
        if iv.low is not None and v < iv.low:
            continue
        if iv.high is None or v < iv.high or (iv.inclusive and v == iv.high):
            return _reason(rng, iv.reason)
    return None


def _reason(rng: CompiledRange, interval: str) -> str:
    cap = f" (limit {', '.join(v for k, v, _ in rng.events if k == 'limit')})" if rng.limits else ""
    return f"{rng.type} range: {interval}{cap}"


def _walk_state(rng: CompiledRange, cand: Candidate) -> str | None:
    """OSV's evaluation pseudo-code, literally: walk the sorted events and keep the
    state; the reference the interval form is tested against, and the path for ranges
    whose bounds carry local labels (compared with the candidate's own local label)."""
    limits = [b for k, _, b in rng.events if k == "limit"]
    if limits and not any(b is None or cand.against(b) < b for b in limits):
        return None
    affected = False
    opened: str | None = None
    closing: str | None = None
    for kind, value, bound in rng.events:
        if kind == "introduced":
            if bound is None or cand.against(bound) >= bound:
                if not affected:
                    opened, closing = value, None
                affected = True
        elif kind == "fixed":
            assert bound is not None
            if cand.against(bound) >= bound:
                affected = False
            elif affected and closing is None:
                closing = f"fixed {value}"
        elif kind == "last_affected":
            assert bound is not None
            if cand.against(bound) > bound:
                affected = False
            elif affected and closing is None:
                closing = f"last_affected {value}"
    if not affected:
        return None
    return _reason(rng, f"introduced {opened}, {closing or 'no fix'}")


def match_entry(entry: CompiledEntry, cand: Candidate) -> Match | None:
    """Whether ``cand`` is affected by one compiled entry, and how."""
    reason: str | None = None
    if cand.version is not None:
        for rng in entry.ranges:
            reason = _range_hit(rng, cand)
            if reason is not None:
                break
    if reason is None:
        listed = entry.listed(cand)
        if listed == cand.text:
            reason = f"listed in versions as {listed}"
        elif listed is not None:
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
    if too_long(version):
        lines.append(
            f"{short(version)} has a number too long to compare: no range can decide it, "
            "and an audit does not audit it"
        )
    elif cand.version is None:
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
        compiled_ranges = iter(entry.ranges)  # the non-GIT ranges, in written order
        for j, rng in enumerate(affected.ranges):
            label = f"affected[{i}].ranges[{j}] {rng.type}"
            if rng.type == "GIT":
                lines.append(f"{label} ({rng.repo}): commit range, not used for version matching")
                continue
            compiled = next(compiled_ranges)
            written = ", ".join(f"{e.kind} {e.value}" for e in rng.events)
            lines.append(f"{label}, events sorted by version: {written}")
            if cand.version is None:
                continue
            lines.extend(f"  {line}" for line in _walk(compiled, cand))
            if _range_hit(compiled, cand) is not None:
                hit = True
        if affected.versions:
            label = f"affected[{i}].versions ({len(affected.versions)} entries)"
            listed = match_entry(replace(entry, ranges=()), cand)
            if listed is not None:
                hit = True
                lines.append(f"{label}: {listed.reason}")
            else:
                lines.append(f"{label}: {version} is not listed")
    affected_now = hit and not advisory.withdrawn
    lines.append(f"verdict: {version} is {'affected' if affected_now else 'not affected'}")
    return lines


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
