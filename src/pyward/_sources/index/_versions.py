"""What the status checks read of a project page, one row per version: :class:`PageFacts`.

The checks ask version-level questions (is the pinned release yanked and why, when was
it uploaded, which releases are newer and which Python do they need, when did the
project last upload anything), never file-level ones. A page lists every file of every
release (a median of 130 on the recorded pages); :class:`PageFacts` keeps per version
only the answers, in columns (one list per fact), so that the facts cache
(:mod:`._facts`) reads it back with no Python object made per version, and a
:class:`VersionFacts` record is made only for the versions a check looks at.

PEP 440 parsing here is cached per distinct string: a page names each version once in
its list and again in every file name, and the same strings come back in every check.
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

if TYPE_CHECKING:
    from packaging.version import Version

__all__ = [
    "PageFacts",
    "VersionFacts",
    "is_prerelease",
    "page_facts",
    "parse_version",
    "release_key",
]

# A release number alone, without leading zeros: ``2.32.0``, not ``02.1`` or ``1.0rc1``.
_PLAIN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*")


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Version | None:
    """``text`` as a PEP 440 version, ``None`` when it is not one (cached)."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def _parsed(text: str) -> Version:
    # For strings already known to be PEP 440 versions.
    return cast("Version", parse_version(text))


@lru_cache(maxsize=65536)
def is_prerelease(text: str) -> bool:
    """Whether the version ``text`` is a pre- or development release (``False`` when it is
    not PEP 440); cached like :func:`parse_version`."""
    if _PLAIN.fullmatch(text):
        return False
    parsed = parse_version(text)
    return parsed is not None and parsed.is_prerelease


@lru_cache(maxsize=65536)
def release_key(text: str) -> str | None:
    """What two version strings that name one release (PEP 440 equality: ``1.0`` is
    ``1.0.0``) have in common, as a string: a dictionary key that hashes in C, where a
    :class:`Version` hashes in Python. ``None`` for a string that is not PEP 440."""
    if _PLAIN.fullmatch(text):
        # Most versions are plain release numbers: their key without parsing them
        # (``canonicalize_version`` gives the same: ``2.32.0`` -> ``2.32``).
        while text.endswith(".0"):
            text = text[:-2]
        return text
    parsed = parse_version(text)
    if parsed is None:
        return None
    from packaging.utils import canonicalize_version

    return canonicalize_version(parsed, strip_trailing_zero=True)


class FileLike(Protocol):
    """What :func:`page_facts` reads of a file: a
    :class:`~pyward._sources.index._model.ProjectFile`, or the parser's lighter record of one."""

    @property
    def version(self) -> str | None: ...
    @property
    def requires_python(self) -> str | None: ...
    @property
    def yanked(self) -> bool: ...
    @property
    def yanked_reason(self) -> str | None: ...
    @property
    def upload_time(self) -> dt.datetime | None: ...


class VersionFacts(NamedTuple):
    """One version of a project, as the status checks read it (a tuple: checks make one
    per version they look at, on every component)."""

    version: str
    """The version as the index writes it."""
    upload_time: dt.datetime | None
    """When its earliest file was uploaded, when the index says."""
    yanked: bool
    """Every one of its files is yanked (PEP 592); a version without files is not."""
    yanked_reason: str | None
    """The first non-empty reason its files give for the yank, stripped (``None``: not
    yanked, or no reason given)."""
    requires_python: tuple[str | None, ...]
    """The distinct ``Requires-Python`` of its files that are not yanked, as written
    (``None``: a file that declares none); ``()`` when no file can be installed."""
    has_files: bool
    """The index lists at least one file of it (all may have been deleted)."""

    @property
    def parsed(self) -> Version:
        """The version, parsed (PEP 440)."""
        return _parsed(self.version)

    @property
    def installable(self) -> bool:
        """At least one of its files is not yanked: an installer can pick it."""
        return bool(self.requires_python)

    def uploaded(self) -> dt.date | None:
        """The day its first file was uploaded, when the index says."""
        return self.upload_time.date() if self.upload_time is not None else None


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFacts:
    """Every version one page lists or has files for, in PEP 440 order, with what the
    checks ask of it: one column per fact, position ``i`` of each about ``versions[i]``.

    Built from a page's files by :func:`page_facts`, or read back from the facts cache
    as it was stored (the columns are what JSON gives: lists of strings and numbers)."""

    versions: Sequence[str]
    """The versions as the index writes them, in PEP 440 order: the listed ones, and
    those only a file names (matched to a listed one by PEP 440 equality first). A
    release listed twice (``0.12.01`` and ``0.12.1``) is here once, as its files write it."""
    upload_times: Sequence[str | None]
    """Each version's earliest upload time (ISO 8601, as :meth:`datetime.isoformat`
    writes it), ``None`` when no file of it gives one."""
    yanked: Sequence[str | None]
    """``None`` when the version is not yanked (a file is not, or it has none); else the
    first non-empty reason its files give, stripped, or ``""`` when none gives one."""
    pythons: Sequence[int]
    """Each version's position in :attr:`python_sets`."""
    python_sets: Sequence[Sequence[str | None]]
    """The distinct sets of ``Requires-Python`` (of the files that are not yanked) of the
    page's versions; ``[]`` for a version with no installable file."""
    has_files: Sequence[bool]
    """The index lists at least one file of the version."""
    newest_upload: dt.datetime | None = None
    """The newest upload time of any file of the page (yanked ones and pre-releases
    included), when the index gives any."""
    last_upload_times: Sequence[str | None] | None = None
    """Each version's newest upload time (ISO 8601, like :attr:`upload_times`): a wheel
    added to an old release yesterday makes it a day old for the ``cooldown`` check.
    ``None`` only for facts made without this column."""

    def __len__(self) -> int:
        return len(self.versions)

    def __getitem__(self, at: int) -> VersionFacts:
        """The version at position ``at``."""
        when = self.upload_times[at]
        reason = self.yanked[at]
        return VersionFacts(
            version=self.versions[at],
            upload_time=dt.datetime.fromisoformat(when) if when is not None else None,
            yanked=reason is not None,
            yanked_reason=reason or None,
            requires_python=tuple(self.python_sets[self.pythons[at]]),
            has_files=self.has_files[at],
        )

    def installable(self, at: int) -> bool:
        """One file of the version at ``at`` is not yanked."""
        return bool(self.python_sets[self.pythons[at]])

    def upload_time(self, at: int) -> dt.datetime | None:
        """The earliest upload time of the version at ``at``."""
        when = self.upload_times[at]
        return dt.datetime.fromisoformat(when) if when is not None else None

    def last_upload_time(self, at: int) -> dt.datetime | None:
        """The newest upload time of any file of the version at ``at`` (its earliest when
        the facts lack the column)."""
        column = self.last_upload_times if self.last_upload_times is not None else self.upload_times
        when = column[at]
        return dt.datetime.fromisoformat(when) if when is not None else None

    def position(self, version: str) -> int | None:
        """Where the release ``version`` names is (as written, else by PEP 440 equality:
        ``2.32`` is ``2.32.0``); ``None`` when the page has no such version."""
        versions = self.versions
        try:
            return versions.index(version)
        except ValueError:
            pass
        key = release_key(version)
        if key is None:
            return None
        for i, v in enumerate(versions):
            if release_key(v) == key:
                return i
        return None

    def above(self, version: str) -> int:
        """The position of the first version above the PEP 440 version ``version``."""
        at = self.position(version)
        if at is not None:
            return at + 1
        return bisect.bisect_right(self.versions, _parsed(version), key=_parsed)

    def candidate(self, at: int, *, prereleases: bool) -> bool:
        """Whether an installer picks the version at ``at`` unpinned: one of its files is
        not yanked, and it is final unless ``prereleases``."""
        if not prereleases and is_prerelease(self.versions[at]):
            return False
        return bool(self.python_sets[self.pythons[at]])

    def count(self, start: int, stop: int, *, prereleases: bool) -> int:
        """How many :meth:`candidate` versions are at positions ``start..stop``."""
        # :meth:`candidate` over a slice, in C (``map``, ``sum``): this runs over every
        # release between a pin and the newest, for every component of a lock.
        usable = map(
            [bool(s) for s in self.python_sets].__getitem__, self.pythons[start : stop + 1]
        )
        if prereleases:
            return sum(usable)
        pre = map(is_prerelease, self.versions[start : stop + 1])
        # ``usable > pre`` is ``usable and not pre`` for two booleans.
        return sum(map(operator.gt, usable, pre))

    def released(self) -> tuple[str, ...]:
        """The versions an installer can pick (a file not yanked), in PEP 440 order."""
        sets, pythons = self.python_sets, self.pythons
        return tuple(v for v, p in zip(self.versions, pythons, strict=True) if sets[p])


def page_facts(versions: Sequence[str], files: Iterable[FileLike]) -> PageFacts:
    """The :class:`PageFacts` of a page that lists ``versions`` (PEP 440 ones, in PEP 440
    order) and ``files``.

    Files are matched to versions as the index writes them first, and by PEP 440
    equality only where that fails (a file ``1.0`` of the listed ``1.0.0``): indexes
    list each release once, in the form its files' names give, so the work is one
    dictionary look-up per file on most pages. A file of a version the list lacks adds
    that version; a file with no readable version is in no version (its upload time
    still counts for :attr:`PageFacts.newest_upload`)."""
    by_string: dict[str, list[FileLike]] = {}
    newest: dt.datetime | None = None
    for f in files:
        when = f.upload_time
        if when is not None and (newest is None or when > newest):
            newest = when
        if f.version is not None:
            same = by_string.get(f.version)
            if same is None:
                by_string[f.version] = same = []
            same.append(f)
    ordered = list(versions)
    listed = set(ordered)
    odd = [text for text in by_string if text not in listed]
    if odd:
        # Files whose version the list writes otherwise, or lacks: match them by PEP 440
        # equality, and add the versions the list lacks in their place.
        keys: dict[str, str] = {}
        for v in ordered:
            keys.setdefault(release_key(v) or v, v)
        merged = {v: by_string.get(v, []) for v in ordered}
        for text in odd:
            key = release_key(text)
            if key is None:
                continue
            found = keys.get(key)
            if found is None:
                keys[key] = found = text
                merged[text] = []
            merged[found] = merged[found] + by_string[text]
        if len(merged) > len(ordered):
            ordered = sorted(merged, key=_parsed)
        by_string = merged
    empty = [v for v in ordered if not by_string.get(v)]
    if empty and len(empty) < len(ordered):
        # A listed version with no file of its own string may be another way of writing
        # a listed release that has files (``0.12.01`` beside ``0.12.1``: file names give
        # the normal form): PEP 440 makes them one release, listed once, as its files
        # write it (an installer too sees one candidate).
        with_files = {release_key(v) or v for v in ordered if by_string.get(v)}
        twins = {v for v in empty if (release_key(v) or v) in with_files}
        if twins:
            ordered = [v for v in ordered if v not in twins]
    upload_times: list[str | None] = []
    last_times: list[str | None] = []
    yanked: list[str | None] = []
    pythons: list[int] = []
    has_files: list[bool] = []
    sets: dict[tuple[str | None, ...], int] = {}
    none: tuple[str | None, ...] = ()
    for v in ordered:
        group = by_string.get(v)
        if not group:
            upload_times.append(None)
            last_times.append(None)
            yanked.append(None)
            pythons.append(sets.setdefault(none, len(sets)))
            has_files.append(False)
            continue
        # One pass over the files (a page has thousands).
        first: dt.datetime | None = None
        last: dt.datetime | None = None
        usable: dict[str | None, None] = {}
        for f in group:
            when = f.upload_time
            if when is not None:
                if first is None or when < first:
                    first = when
                if last is None or when > last:
                    last = when
            if not f.yanked:
                usable[f.requires_python] = None
        reason: str | None = None
        if not usable:
            reason = ""
            for f in group:
                if (said := f.yanked_reason) and (said := said.strip()):
                    reason = said
                    break
        upload_times.append(first.isoformat() if first is not None else None)
        last_times.append(last.isoformat() if last is not None else None)
        yanked.append(reason)
        pythons.append(sets.setdefault(tuple(usable), len(sets)))
        has_files.append(True)
    return PageFacts(
        versions=ordered,
        upload_times=upload_times,
        yanked=yanked,
        pythons=pythons,
        python_sets=[list(s) for s in sets],
        has_files=has_files,
        newest_upload=newest,
        last_upload_times=last_times,
    )
