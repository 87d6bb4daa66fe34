"""The typosquat detector: does a project name imitate a popular one?

A name is compared with every name of the popularity list that it could be derived
from by one of the tricks seen in real typosquats (docs/policy.md#typosquat):

* one Damerau edit: a character inserted, deleted or replaced, or two neighbours
  swapped (``reqeusts``, ``urlib3``, ``djanga``, ``0requests``);
* separator games: the same letters with separators added or removed
  (``setup-tools``; PEP 503 already makes ``python_dateutil`` the same project as
  ``python-dateutil``, so those are one name, not a squat);
* a ``python-``, ``python3-``, ``py-``, ``-py`` or ``-python`` affix added, dropped or
  swapped (``python3-dateutil``);
* confusable characters: ``l``/``I``/``1`` (PEP 503 lower-cases ``I`` to ``i``), ``0``/``o``,
  ``rn``/``m``, ``vv``/``w`` (``jeIlyfish``).

Each neighbour gets a score from 0 to 1: the technique's base score times three
factors, each of which a legitimate neighbour tends to lower:

* the target's popularity (imitating a top-100 project pays the attacker most);
* the name's length (one edit away from a three-letter name is half the alphabet);
* the name's own popularity: a name that is itself in the list is used, and is
  only suspect when its target has orders of magnitude more downloads (``trio`` and
  ``trino``, ``dash`` and ``dask``, ``boto`` and ``boto3`` all pass).

An edit that only changes a version-like digit (``boto``/``boto3``,
``nvidia-...-cu12``/``-cu13``) scores low: that is how related projects are named.

The list is indexed once per :class:`~pyward._sources.popularity.Popularity`: a
partition index for the one-edit neighbours (a name within one edit of another
shares its first or its second half with it, the pigeonhole principle, so two
dictionary look-ups per length find every candidate) and one dictionary of
separator-free, affix-free and confusable-free keys.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyward._model import canonical_name

if TYPE_CHECKING:
    from pyward._findings import Confidence
    from pyward._policy._model import TyposquatRule
    from pyward._sources.popularity import Popularity

__all__ = ["BASE", "Match", "SquatIndex", "confidence", "detect", "explain", "index_of"]

#: Base score of each technique: how often it is the trick rather than a real name.
BASE: Mapping[str, float] = {
    "confusable": 0.95,
    "separator": 0.9,
    "transposition": 0.85,
    "deletion of a doubled letter": 0.85,
    "insertion of a doubled letter": 0.8,
    "affix swapped": 0.8,
    "deletion": 0.75,
    "affix added": 0.75,
    "substitution by a neighbouring key": 0.75,
    "insertion": 0.7,
    "substitution": 0.65,
    "affix dropped": 0.6,
    "version-like digit dropped": 0.55,
    "version-like digit": 0.3,
}

_PREFIXES = ("python3-", "python-", "py3-", "py-", "python", "py")
_SUFFIXES = ("-python3", "-python", "-py3", "-py", "python", "py")

_SUFFIX_ENDS = tuple(sorted({s[-2:] for s in _SUFFIXES}))
_CONFUSABLE_PAIRS = (("rn", "m"), ("vv", "w"))

_KEYBOARD = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, frozenset[str]]:
    where = {c: (r, i) for r, row in enumerate(_KEYBOARD) for i, c in enumerate(row)}
    # Each row sits about half a key right of the one above it: the keys touching
    # (r, i) are (r, i +- 1), (r - 1, i), (r - 1, i + 1), (r + 1, i - 1), (r + 1, i).
    near = {(0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)}
    return {
        c: frozenset(d for d, (r2, i2) in where.items() if (r2 - r, i2 - i) in near)
        for c, (r, i) in where.items()
    }


_NEAR = _keyboard_neighbours()


def _affixes(name: str) -> tuple[str, str, str]:
    """(prefix, core, suffix) of a canonical name: the ``python-``/``-py``-style affixes
    stripped, separators removed from the core."""
    if not (name.startswith("py") or name.endswith(_SUFFIX_ENDS)):
        return "", name.replace("-", ""), ""
    prefix = ""
    for p in _PREFIXES:
        if name.startswith(p) and len(name) > len(p) + 2:
            prefix = p
            break
    rest = name[len(prefix) :]
    for s in _SUFFIXES:
        if rest.endswith(s) and len(rest) > len(s) + 2:
            return prefix, rest[: -len(s)].replace("-", ""), s
    return prefix, rest.replace("-", ""), ""


def _skeleton(name: str) -> str:
    """``name`` with every confusable written one way (``rn`` -> ``m``, ``1``/``i`` ->
    ``l``, ``0`` -> ``o``): two names with one skeleton differ only in confusables."""
    if "rn" in name:
        name = name.replace("rn", "m")
    if "vv" in name:
        name = name.replace("vv", "w")
    return name.replace("1", "l").replace("i", "l").replace("0", "o")


def _is_version_digit(name: str, at: int) -> bool:
    """Whether the character at ``at`` is a version-like digit: a digit at the end of
    the name or beside another digit (``boto3``, ``cu12``), not ``0requests``."""
    if not name[at].isdigit():
        return False
    before = name[at - 1] if at > 0 else ""
    after = name[at + 1] if at + 1 < len(name) else ""
    return at == len(name) - 1 or before.isdigit() or after.isdigit()


def _edit(name: str, target: str) -> tuple[str, str] | None:
    """(technique, label) when ``name`` is one Damerau edit from ``target``."""
    ln, lt = len(name), len(target)
    if ln == lt:
        diffs = [i for i in range(ln) if name[i] != target[i]]
        if len(diffs) == 1:
            i = diffs[0]
            a, b = name[i], target[i]
            if (
                a.isdigit()
                and b.isdigit()
                and (_is_version_digit(name, i) or _is_version_digit(target, i))
            ):
                return "version-like digit", f"version-like digit {b!r} -> {a!r}"
            if a in _NEAR.get(b, ()):
                return "substitution by a neighbouring key", f"substitution {b!r} -> {a!r}"
            return "substitution", f"substitution {b!r} -> {a!r}"
        if (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and name[diffs[0]] == target[diffs[1]]
            and name[diffs[1]] == target[diffs[0]]
        ):
            i = diffs[0]
            return "transposition", f"transposition {target[i : i + 2]!r} -> {name[i : i + 2]!r}"
        return None
    if abs(ln - lt) != 1:
        return None
    longer, shorter = (name, target) if ln > lt else (target, name)
    i = 0
    while i < len(shorter) and longer[i] == shorter[i]:
        i += 1
    if longer[i + 1 :] != shorter[i:]:
        return None
    c = longer[i]
    doubled = (i > 0 and longer[i - 1] == c) or (i + 1 < len(longer) and longer[i + 1] == c)
    if c == "-":
        return "separator", f"separator {'added' if ln > lt else 'removed'}"
    if _is_version_digit(longer, i):
        # ``urllib`` for ``urllib3`` is a known squat; ``boto3`` beside ``boto`` is how
        # a project names its next major: a dropped digit is the likelier trick.
        if ln > lt:
            return "version-like digit", f"version-like digit {c!r} added"
        return "version-like digit dropped", f"version-like digit {c!r} dropped"
    if ln > lt:
        kind = "insertion of a doubled letter" if doubled else "insertion"
        return kind, f"insertion of {c!r}"
    kind = "deletion of a doubled letter" if doubled else "deletion"
    return kind, f"deletion of {c!r}"


@dataclass(frozen=True, slots=True)
class _Parts:
    """What the techniques compare of one name, computed once."""

    name: str
    flat: str
    skeleton: str
    affixes: tuple[str, str, str]

    @classmethod
    def of(cls, name: str) -> _Parts:
        return cls(name, name.replace("-", ""), _skeleton(name), _affixes(name))


def _technique(name: _Parts, target: str) -> tuple[str, str] | None:
    """The likeliest trick that makes ``name`` out of ``target`` (technique, label), or
    ``None`` when none does."""
    found: list[tuple[str, str]] = []
    flat = target.replace("-", "")
    if name.flat == flat:
        found.append(("separator", "separator"))
    if name.skeleton == _skeleton(target):
        found.append(("confusable", f"confusable {_confusable_label(name.name, target)}"))
    edit = _edit(name.name, target)
    if edit is not None:
        found.append(edit)
    pn, cn, sn = name.affixes
    pt, ct, st = _affixes(target)
    if (pn, sn) != (pt, st) and cn and (cn in (ct, flat) or name.flat == ct):
        added = [p for p in (pn, sn) if p and p not in (pt, st)]
        dropped = [p for p in (pt, st) if p and p not in (pn, sn)]
        if added and dropped:
            found.append(("affix swapped", f"affix {added[0]} (for {dropped[0]})"))
        elif added:
            found.append(("affix added", f"affix {added[0]}"))
        elif dropped:
            found.append(("affix dropped", f"affix {dropped[0]} dropped"))
    if not found:
        return None
    return max(found, key=lambda f: BASE[f[0]])


def _confusable_label(name: str, target: str) -> str:
    i = 0
    while i < min(len(name), len(target)) and name[i] == target[i]:
        i += 1
    for many, one in _CONFUSABLE_PAIRS:
        if name.startswith(many, i) and target.startswith(one, i):
            return f"{one}/{many}"
        if target.startswith(many, i) and name.startswith(one, i):
            return f"{many}/{one}"
    a, b = target[i : i + 1], name[i : i + 1]
    # PEP 503 names are lower case: an ``i`` standing for ``l`` was an upper-case ``I``.
    shown = {"i": "I"}
    return f"{shown.get(a, a)}/{shown.get(b, b)}"


_EDITS = frozenset(
    {
        "transposition",
        "deletion of a doubled letter",
        "insertion of a doubled letter",
        "deletion",
        "substitution by a neighbouring key",
        "insertion",
        "substitution",
        "version-like digit",
        "version-like digit dropped",
    }
)


def _length_factor(target: str, technique: str) -> float:
    """0 for a target of two letters (any edit of it is another name), and of three
    matched by an edit; less than 1 up to five letters (separators not counted)."""
    size = len(target.replace("-", ""))
    if size <= 2 or (size == 3 and technique in _EDITS):
        return 0.0
    return {3: 0.8, 4: 0.7, 5: 0.85}.get(size, 1.0)


#: Downloads a month at which a target counts as fully popular (a top-100 project),
#: and below which it counts least (the list's tail).
_TOP = 1e8
_TAIL = 1e5


def _target_factor(downloads: int) -> float:
    scale = (math.log10(max(downloads, 1)) - math.log10(_TAIL)) / (
        math.log10(_TOP) - math.log10(_TAIL)
    )
    return 0.6 + 0.4 * min(max(scale, 0.0), 1.0)


def _own_factor(downloads: int | None, target_downloads: int) -> float:
    """1 for a name not in the list; for a listed one, 0 unless its target has more than
    a hundred times its downloads, rising to 1 at ten thousand times."""
    if downloads is None:
        return 1.0
    if downloads <= 0:
        return 1.0
    ratio = target_downloads / downloads
    if ratio <= 1:
        return 0.0
    return min(max((math.log10(ratio) - 2) / 2, 0.0), 1.0)


def _own_reason(name: str, downloads: int | None, target: str, target_downloads: int) -> str:
    if downloads is None or downloads <= 0:
        return f"{name} is not in the list"
    if target_downloads <= downloads:
        return f"{target} is less popular than {name}"
    ratio = target_downloads / downloads
    return f"{name} is itself popular ({target} has {ratio:,.0f}x its downloads)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A popular name that ``name`` may imitate, and how likely that is."""

    name: str
    """The name checked (PEP 503)."""
    target: str
    """The popular name (PEP 503)."""
    technique: str
    """The trick's label: ``transposition 'ue' -> 'eu'``, ``affix python3- (for python-)``."""
    kind: str
    """The trick's kind (a key of :data:`BASE`)."""
    score: float
    """0 to 1: the base score times the factors."""
    target_downloads: int
    """The target's monthly downloads."""
    downloads: int | None
    """The name's own monthly downloads, when the list has it."""
    factors: tuple[tuple[str, float], ...] = field(default=())
    """Each factor below 1 applied, in words, with its value."""


class SquatIndex:
    """The popularity list indexed for :meth:`matches`."""

    __slots__ = ("_downloads", "_keys", "_prefix", "_suffix")

    def __init__(self, downloads: Mapping[str, int]) -> None:
        self._downloads = downloads
        prefix: dict[tuple[str, int], list[str]] = {}
        suffix: dict[tuple[str, int], list[str]] = {}
        keys: dict[str, list[str]] = {}
        for name in downloads:
            size = len(name)
            half = size >> 1
            prefix.setdefault((name[:half], size), []).append(name)
            suffix.setdefault((name[half:], size), []).append(name)
            # A name is its own key when no separator, affix or confusable changes it:
            # the query's keys are looked up in ``downloads`` as well, so only the
            # others are stored.
            flat = name.replace("-", "") if "-" in name else name
            if flat != name:
                keys.setdefault(flat, []).append(name)
            core = (
                _affixes(name)[1] if name.startswith("py") or name.endswith(_SUFFIX_ENDS) else flat
            )
            if core != flat:
                keys.setdefault(core, []).append(name)
            skeleton = _skeleton(name)
            if skeleton not in (name, flat, core):
                keys.setdefault(skeleton, []).append(name)
        self._prefix = prefix
        self._suffix = suffix
        self._keys = keys

    def _edit_candidates(self, name: str) -> Iterator[str]:
        size = len(name)
        for other in (size - 1, size, size + 1):
            if other < 1:
                continue
            half = other >> 1
            yield from self._prefix.get((name[:half], other), ())
            yield from self._suffix.get((name[size - (other - half) :], other), ())
        # A transposition across the middle changes both halves.
        for i in range(size - 1):
            swapped = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
            if swapped in self._downloads:
                yield swapped

    def matches(self, name: str) -> list[Match]:
        """Every popular name ``name`` could imitate, best first (scores may be 0)."""
        key = canonical_name(name)
        parts = _Parts.of(key)
        found: dict[str, tuple[str, str]] = {}
        tried = {key}
        for target in self._edit_candidates(key):
            if target in tried:
                continue
            tried.add(target)
            # Most of a half's bucket is not one edit away: the cheap test first.
            if _edit(key, target) is not None and (t := _technique(parts, target)):
                found[target] = t
        for k in {parts.flat, parts.affixes[1], parts.skeleton}:
            for target in (k, *self._keys.get(k, ())):
                if target == key or target in found or target not in self._downloads:
                    continue
                if t := _technique(parts, target):
                    found[target] = t
        own = self._downloads.get(key)
        out = [self._scored(key, own, t, kind, label) for t, (kind, label) in found.items()]
        out.sort(key=lambda m: (-m.score, -m.target_downloads, m.target))
        return out

    def _scored(self, key: str, own: int | None, target: str, kind: str, label: str) -> Match:
        target_downloads = self._downloads[target]
        factors = (
            ("target popularity", _target_factor(target_downloads)),
            (
                f"a short name ({len(target.replace('-', ''))} letters)",
                _length_factor(target, kind),
            ),
            (_own_reason(key, own, target, target_downloads), _own_factor(own, target_downloads)),
        )
        score = BASE[kind]
        for _, value in factors:
            score *= value
        return Match(
            name=key,
            target=target,
            technique=label,
            kind=kind,
            score=round(score, 2),
            target_downloads=target_downloads,
            downloads=own,
            factors=tuple(f for f in factors if f[1] < 1.0),
        )

    def best(self, name: str, min_score: float) -> Match | None:
        """The likeliest imitation at or above ``min_score``, or ``None``."""
        found = self.matches(name)
        return found[0] if found and found[0].score >= min_score else None


# One index per list: a run builds it once, and ``explain`` after a check reuses it.
_CACHE: list[tuple[Mapping[str, int], SquatIndex]] = []


def index_of(popularity: Popularity) -> SquatIndex:
    """The index of ``popularity``'s list, built on first use and kept."""
    for downloads, index in _CACHE:
        if downloads is popularity.downloads:
            return index
    index = SquatIndex(popularity.downloads)
    _CACHE[:] = [*_CACHE[-1:], (popularity.downloads, index)]
    return index


def _allowed(name: str, rule: TyposquatRule) -> bool:
    key = canonical_name(name)
    return any(canonical_name(a) == key for a in rule.allow)


def detect(name: str, popularity: Popularity, rule: TyposquatRule) -> Match | None:
    """The popular project ``name`` imitates under ``rule`` (its allow-list and
    ``min_score``), or ``None``."""
    if _allowed(name, rule):
        return None
    return index_of(popularity).best(name, rule.min_score)


def confidence(score: float) -> Confidence:
    """``high`` from 0.8, ``medium`` from 0.65, else ``low``."""
    if score >= 0.8:
        return "high"
    if score >= 0.65:
        return "medium"
    return "low"


def _count(n: int | None) -> str:
    return "not in the list" if n is None else f"{n:,} downloads a month"


def explain(name: str, popularity: Popularity, rule: TyposquatRule) -> str:
    """Why ``name`` is or is not flagged, in a few lines (``pyward check --explain
    typosquat NAME``): the target, technique, score and counts; or the nearest popular
    names and why none is a match."""
    key = canonical_name(name)
    source = popularity.data_source()
    day = popularity.updated.isoformat() if popularity.updated else "unknown date"
    lines = [
        f"typosquat {key}: popularity list {source.origin}, {day}, "
        f"{len(popularity.downloads):,} names"
    ]
    own = popularity.downloads.get(key)
    if own is not None:
        lines.append(f"{key} is itself in the list: {_count(own)}")
    if _allowed(name, rule):
        lines.append(f"passes: {key} is on the policy's allow-list")
        return "\n".join(lines)
    found = index_of(popularity).matches(key)
    if found and found[0].score >= rule.min_score:
        m = found[0]
        lines.append(
            f"flagged: imitates {m.target} ({m.technique}); score {m.score:.2f} >= "
            f"{rule.min_score:g}, confidence {confidence(m.score)}"
        )
        lines.append(f"  {m.target}: {_count(m.target_downloads)}; {key}: {_count(m.downloads)}")
        lines.extend(f"  {why}: x{value:.2f}" for why, value in m.factors)
        return "\n".join(lines)
    if not found:
        lines.append(
            "passes: no popular name is one edit, a separator, an affix or a confusable "
            "character away"
        )
        return "\n".join(lines)
    lines.append(f"passes: no neighbour scores {rule.min_score:g} or more; the nearest:")
    for m in found[:5]:
        why = "; ".join(f"{w} x{v:.2f}" for w, v in m.factors) or "a weak technique"
        lines.append(
            f"  {m.target} ({m.technique}; {_count(m.target_downloads)}): score "
            f"{m.score:.2f} ({why})"
        )
    return "\n".join(lines)
