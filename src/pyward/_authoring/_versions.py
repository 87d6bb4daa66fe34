"""Affected versions computed from a project's release list, never typed by hand.

:func:`affected_versions` is pure: the released versions (as the index or a file writes
them) that one ``ECOSYSTEM`` range's events cover, in PEP 440 order, by the OSV
evaluation rules (https://ossf.github.io/osv-schema/#evaluation), decided by the store's
own matcher (:mod:`pyward._advisory._match`) so a record lists exactly what every audit
finds affected.

Where the release list comes from: :func:`read_versions_file` (``--versions-from``: one
version a line, or a JSON list) or :func:`index_releases` (the package index as the
status checks resolve it: ``--index-url``, ``$PYWARD_INDEX_URL``, pip's and uv's
settings; cached, offline-first). A released version is one the index has at least one
file of, yanked or not: a yanked release is still installed by an exact pin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from pyward._model import canonical_name
from pyward.errors import InputError, NetworkError, UsageError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from pyward._sources.index._fetch import IndexArgs

__all__ = [
    "Releases",
    "affected_versions",
    "index_releases",
    "pep440_sorted",
    "read_releases_file",
    "read_versions_file",
    "released_version",
]

#: The event kinds of an OSV range that bound it.
_KINDS = ("introduced", "fixed", "last_affected", "limit")


def _parse(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def pep440_sorted(versions: Iterable[str]) -> list[str]:
    """``versions`` without duplicates (as written), in PEP 440 order; equal versions
    written differently (``1.0``, ``1.0.0``) keep both, ordered by text. Strings that
    are not PEP 440 are left out."""
    keyed = {(v, text) for text in set(versions) if (v := _parse(text)) is not None}
    return [text for _, text in sorted(keyed)]


def _event(event: Mapping[str, str]) -> tuple[str, str]:
    kinds = [k for k in _KINDS if k in event]
    if len(kinds) != 1:
        raise ValueError(f"an event needs exactly one of {', '.join(_KINDS)}: {dict(event)}")
    return kinds[0], event[kinds[0]]


def affected_versions(events: Sequence[Mapping[str, str]], released: Iterable[str]) -> list[str]:
    """The versions of ``released`` inside the range ``events`` (OSV event objects of one
    ``ECOSYSTEM`` range: ``{"introduced": "0"}``, ``{"fixed": "1.2"}``...), in PEP 440
    order, as written. The audit's own matcher (:mod:`pyward._advisory._match`) decides,
    so a published record lists exactly the versions every audit finds affected.
    Versions of ``released`` that are not PEP 440 are never affected by a range. Raises
    ``ValueError`` for an event version that is not PEP 440."""
    from pyward._advisory._match import match_advisory
    from pyward._advisory._osv import parse_advisory

    checked: list[dict[str, str]] = []
    for event in events:
        kind, value = _event(event)
        wildcard = (kind, value) in {("introduced", "0"), ("limit", "*")}
        if not wildcard and _parse(value) is None:
            raise ValueError(f"{kind}: not a PEP 440 version: {value!r}")
        checked.append({kind: value})
    # The range as a record of its own, read and matched as every audit reads a record.
    advisory = parse_advisory(
        {
            "id": "PYSEC-0000-DRAFT",
            "modified": "1970-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "draft"},
                    "ranges": [{"type": "ECOSYSTEM", "events": checked}],
                }
            ],
        }
    )
    return [
        text
        for text in pep440_sorted(released)
        if match_advisory(advisory, "draft", text) is not None
    ]


def released_version(value: str, released: Iterable[str]) -> bool:
    """Whether ``value`` is one of ``released`` (as written, or PEP 440 equal)."""
    wanted = _parse(value)
    return any(
        text == value or (wanted is not None and _parse(text) == wanted) for text in released
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Releases:
    """A project's released versions and where they came from."""

    versions: tuple[str, ...]
    """PEP 440 versions, as written, in PEP 440 order."""
    origin: str
    """``versions.txt``, or the index page's URL (credentials redacted)."""
    notes: tuple[str, ...] = ()
    """What a person should know: versions left out, a stale cached page."""


#: A ``--versions-from`` value with its place: ``("line 6", "1.0")``, ``("[3]", "2.0")``.
_Entry = tuple[str, str]


def read_releases_file(path: Path) -> tuple[str, ...] | dict[str, tuple[str, ...]]:
    """What a ``--versions-from`` file lists, as written: one version a line (blank lines
    and ``#`` comments ignored), a JSON list of version strings (one package's), or a
    JSON object of such lists by package name (keys PEP 503 normalised). An unreadable
    file, text that is not UTF-8, or a JSON value of another shape is an
    :class:`~pyward.errors.InputError` naming the place (``[3]``, ``jinja2[0]``)."""
    found = _entries(path)
    if isinstance(found, dict):
        return {name: tuple(v for _, v in entries) for name, entries in found.items()}
    return tuple(v for _, v in found)


def _entries(path: Path) -> list[_Entry] | dict[str, list[_Entry]]:
    from pyward._inventory._toml import load_json, read_bytes

    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    if not text.lstrip().startswith(("[", "{")):
        return [
            (f"line {n}", value)
            for n, line in enumerate(text.splitlines(), 1)
            if (value := line.split("#", 1)[0].strip())
        ]
    items = load_json(path, data)
    if isinstance(items, list):
        return _strings(path, items, "")
    if isinstance(items, dict):
        return {canonical_name(key): _strings(path, value, key) for key, value in items.items()}
    raise InputError(path, "expected a list of versions or an object of lists by package")


def _strings(path: Path, items: object, key: str) -> list[_Entry]:
    if not isinstance(items, list):
        raise InputError(path, "expected a list of version strings", where=key or None)
    out: list[_Entry] = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InputError(path, "expected a version string", where=f"{key}[{i}]")
        out.append((f"{key}[{i}]", item.strip()))
    return out


def read_versions_file(path: Path, package: str | None = None) -> Releases:
    """The released versions of one project from a ``--versions-from`` file
    (:func:`read_releases_file`; a file keyed by package gives ``package``'s list), PEP
    440 sorted. A value that is not a PEP 440 version is left out with a note naming its
    place."""
    found = _entries(path)
    if isinstance(found, dict):
        name = canonical_name(package) if package is not None else None
        if name is None or name not in found:
            raise InputError(path, f"no versions listed for {package or 'the package'}")
        found = found[name]
    notes = [
        f"{path}: {where}: not a PEP 440 version: {value!r}; left out"
        for where, value in found
        if _parse(value) is None
    ]
    return Releases(
        versions=tuple(pep440_sorted(v for _, v in found)),
        origin=str(path),
        notes=tuple(notes),
    )


def index_releases(name: str, **index: Unpack[IndexArgs]) -> Releases:
    """The released versions of ``name`` on the package index configured as for the
    status checks (the keyword arguments are
    :class:`~pyward._sources.index._fetch.IndexArgs`). Raises
    :class:`~pyward.errors.UsageError` when no index is configured and
    :class:`~pyward.errors.NetworkError` when the page cannot be had (offline and not
    cached, not on the index, unreachable)."""
    from pyward._sources.index._client import DEFAULT_MAX_AGE
    from pyward._sources.index._fetch import ClientOptions
    from pyward._sources.index._port import IndexLookupError
    from pyward._sources.index._resolve import ResolvedIndex, configured_index
    from pyward._text import redact_url

    found = configured_index(
        option=index.get("option"),
        environ=index.get("environ"),
        home=index.get("home"),
        root=index.get("root"),
    )
    if not isinstance(found, ResolvedIndex):
        raise UsageError(
            f"{found.reason}; or give --versions-from FILE (or --no-versions) "
            "to write the draft without asking an index"
        )
    options = index.get("client") or ClientOptions()
    with options.index_client(
        found.url,
        cache_dir=index.get("cache_dir"),
        offline=index.get("offline", False),
        refresh=index.get("refresh", False),
        max_age=index.get("max_age", DEFAULT_MAX_AGE),
    ) as client:
        try:
            page = client.project(name, keep_files=False)
        except IndexLookupError as exc:
            raise NetworkError(
                f"{exc.failure.reason} (the release list of {name}: "
                "give --versions-from FILE to work offline)"
            ) from None
    facts = page.version_facts()
    versions = [v for v, files in zip(facts.versions, facts.has_files, strict=True) if files]
    notes = list(found.notes) + list(page.notes)
    if page.invalid_versions:
        notes.append(
            f"{page.page_url}: {len(page.invalid_versions)} versions that are not PEP 440 "
            f"left out ({', '.join(page.invalid_versions[:3])}"
            f"{', ...' if len(page.invalid_versions) > 3 else ''})"
        )
    return Releases(
        versions=tuple(pep440_sorted(versions)),
        origin=redact_url(page.page_url or client.page_url(name)),
        notes=tuple(dict.fromkeys(notes)),
    )
