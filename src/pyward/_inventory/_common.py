"""Small helpers shared by the inventory readers.

Everything here is cheap to import (no ``packaging``): it sits on the hot path of every
lock-file read.

* :func:`purl` builds ``pkg:pypi/...`` identifiers.
* :func:`parse_hash` / :func:`dedupe_hashes` turn ``"sha256:..."`` strings into :class:`Hash`.
* :func:`header_lines` finds the 1-based line of each ``[[package]]`` header (rtoml and
  tomllib report no positions).
* :func:`join_markers` combines the markers of several dependency edges.
* :func:`check_format_version` refuses an unknown major format version and notes an
  unknown minor one.
* :func:`graph_tops` gives the packages no other locked package requires.
* :func:`merge_same_key` folds entries locked twice at one name and version.
* :func:`purl_component`, :func:`is_hex_digest` and :data:`NO_PURL` serve the SBOM
  readers (CycloneDX, SPDX).
* :func:`vcs_source` spells a VCS checkout as pip's ``git+URL@REF#subdirectory=DIR``.
* :func:`make_artifact`, :func:`url_file_name`, :func:`path_file_name`, :func:`sha256_of` and
  :func:`is_distribution_file` turn the files a lock names into :class:`Artifact` s.
* :func:`parse_requirement`, :func:`pinned_version` and :func:`url_reason` serve the
  readers of declared requirements (requirements files, ``pyproject.toml``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import quote, unquote

from pyward._model import Artifact, Component, ComponentKey, Hash, canonical_name
from pyward._wire import parse_timestamp, shown_str, toml_kind
from pyward.errors import InputError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

_new = object.__new__
_set = object.__setattr__


_UNRESERVED = re.compile(r"[A-Za-z0-9._~/-]*")


def _purl_quote(text: str) -> str:
    # Same encoding as packageurl-python (percent-encode all but unreserved and "/",
    # then keep ":"), which a test holds equal: importing packageurl and building one
    # of its objects per component would outweigh the rest of reading a large lock
    # (bench/bench_readers.py). Most names and versions need no quoting, so ``quote``
    # is skipped for them.
    if _UNRESERVED.fullmatch(text):
        return text
    return quote(text, safe="/").replace("%3A", ":")


def purl(name: str, version: str | None, repository_url: str | None = None) -> str:
    """``pkg:pypi/<name>@<version>`` per the purl spec's PyPI type.

    ``name`` is the name as the source writes it; the PyPI type lower-cases it and turns
    ``_`` into ``-`` but keeps dots (``pkg:pypi/zope.interface``, not PEP 503's
    ``zope-interface``: https://github.com/package-url/purl-spec, PURL-TYPES), as
    packageurl-python, cyclonedx-py and the environment reader write it.
    ``repository_url`` is added as a qualifier for an index other than the project's
    default one. Empty for no version.
    """
    if not version:
        return ""
    name = name.lower().replace("_", "-")
    text = f"pkg:pypi/{_purl_quote(name)}@{_purl_quote(version)}"
    if repository_url and repository_url.strip():  # packageurl drops blank qualifiers
        text += f"?repository_url={_purl_quote(repository_url)}"
    return text


def vcs_source(vcs: str, url: str, ref: str | None, subdirectory: str | None) -> str:
    """A VCS checkout as pip writes it: ``git+URL@REF#subdirectory=DIR``, the parts
    that are unknown left out (https://pip.pypa.io/en/stable/topics/vcs-support/)."""
    text = f"{vcs}+{url}@{ref}" if ref else f"{vcs}+{url}"
    return f"{text}#subdirectory={subdirectory}" if subdirectory else text


#: Why an SBOM entry without a purl is not audited.
NO_PURL = "no package URL (purl); cannot tell which ecosystem it belongs to"


def purl_component(parsed: Any, version: str, display: str, **fields: Any) -> Component:
    """The component that ``parsed``, a ``pkg:pypi`` purl read by ``packageurl``, names in an
    SBOM: the ``repository_url`` qualifier is its index, ``vcs_url`` (else ``download_url``)
    its source. ``display`` is the name as the SBOM writes it; ``fields`` are the rest."""
    name = canonical_name(parsed.name)
    qualifiers: dict[str, str] = parsed.qualifiers or {}
    index = qualifiers.get("repository_url")
    vcs = qualifiers.get("vcs_url")
    return Component(
        name=name,
        version=version,
        display_name=display if display != name else None,
        # The name as the SBOM writes it when it names the purl's package (a name field
        # may hold anything), else the purl's own.
        purl=purl(display if canonical_name(display) == name else parsed.name, version, index),
        source="git" if vcs else "registry",
        index=index,
        non_default_index=index is not None,
        source_url=vcs or qualifiers.get("download_url"),
        **fields,
    )


def is_hex_digest(value: object) -> TypeGuard[str]:
    """A non-empty string of hexadecimal digits (either case)."""
    return (
        isinstance(value, str) and bool(value) and all(c in "0123456789abcdefABCDEF" for c in value)
    )


def parse_hash(text: str) -> Hash | None:
    """``"sha256:ABC..."`` -> ``Hash("sha256", "abc...")``; ``None`` if it is not one."""
    algorithm, sep, value = text.partition(":")
    if not sep or not algorithm or not value or " " in value:
        return None
    try:
        bytes.fromhex(value)  # a hex check without a regex: it runs for every hash
    except ValueError:
        return None
    # Big locks hold thousands of hashes (guidellm's uv.lock: 3,465), so the two fields
    # are set directly rather than through Hash's generated __init__ (same object).
    h = _new(Hash)
    _set(h, "algorithm", algorithm if algorithm.islower() else algorithm.lower())
    _set(h, "value", value if value.islower() or value.isdigit() else value.lower())
    return h


def dedupe_hashes(hashes: Iterable[Hash]) -> tuple[Hash, ...]:
    """Unique hashes, first-seen order."""
    return tuple(dict.fromkeys(hashes))


def make_artifact(filename: str, sha256: str | None, url: str | None) -> Artifact:
    """``Artifact(filename=..., sha256=..., url=...)``, built as :func:`parse_hash` builds a
    :class:`Hash` (the same object, without the generated ``__init__``): a large lock names
    thousands of files."""
    a = _new(Artifact)
    _set(a, "filename", filename)
    _set(a, "sha256", sha256)
    _set(a, "url", url)
    return a


def url_file_name(url: str) -> str:
    """The file name a URL points at: the last segment of its path, percent-decoded
    (``.../torch-2.13.0%2Bcpu-cp310-...whl`` -> ``torch-2.13.0+cpu-cp310-...whl``); empty
    when the path ends with ``/`` or there is none.

    The rule of PEP 751 for a file without ``name`` (``packaging.pylock``'s ``filename``,
    which a test holds equal), by slicing: ``urllib.parse.urlsplit`` on each of a large
    lock's files would cost more than the rest of reading them."""
    if "?" in url or "#" in url:
        url = url.partition("#")[0].partition("?")[0]
    slash = url.rfind("/")
    if slash > 1 and url.startswith("://", slash - 2):
        return ""  # ``https://host``: no path, no file
    name = url[slash + 1 :]
    return unquote(name) if "%" in name else name


def path_file_name(path: str) -> str:
    """The file name at the end of a local path written with ``/`` or ``\\``."""
    return path.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]


def sha256_of(text: object) -> str | None:
    """The lower-case hex digest of an ``ALGORITHM:HEX`` hash string when the algorithm
    is SHA-256 (``"sha256:ABC..."`` -> ``"abc..."``), else ``None``. The digest is one
    the reader has already checked (:func:`parse_hash`)."""
    if type(text) is not str or not (text.startswith("sha256:") or text[:7].lower() == "sha256:"):
        return None
    # ``lower`` has a fast path for ASCII; ``islower`` looks every character up.
    return text[7:].lower()


#: How the names of distribution files end: wheels (PEP 427), sdists (PEP 625 and the
#: older archive formats an index still serves) and eggs.
DISTRIBUTION_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar", ".egg")


def is_distribution_file(name: str) -> bool:
    """``name`` is the name of a wheel or an sdist (not a project page, not a directory)."""
    return bool(name) and "/" not in name and name.lower().endswith(DISTRIBUTION_SUFFIXES)


def header_lines(text: str, table: str) -> list[int]:
    """1-based line of every ``[[table]]`` header in ``text``, in order.

    Readers pair the n-th header with the n-th element of the parsed array; when the
    counts differ (a header in a multi-line string, say) they do not use the lines.
    ``str.find`` and ``str.count``, not a regex: they scan a large lock faster
    (bench/bench_readers.py).
    """
    needle = f"[[{table}]]"
    lines: list[int] = []
    line = 1
    prev = 0
    pos = text.find(needle)
    while pos != -1:
        start = text.rfind("\n", 0, pos) + 1
        if not text[start:pos].strip():
            line += text.count("\n", prev, pos)
            prev = pos
            lines.append(line)
        pos = text.find(needle, pos + len(needle))
    return lines


def join_markers(markers: Iterable[str | None]) -> str | None:
    """The disjunction of the markers of the edges that bring a package in.

    ``None`` (always installed) as soon as one edge has no marker. Markers are kept as
    written; several distinct ones become ``(a) or (b)``.
    """
    seen: dict[str, None] = {}
    for m in markers:
        if not m:
            return None
        seen[m] = None
    if not seen:
        return None
    if len(seen) == 1:
        return next(iter(seen))
    return " or ".join(f"({m})" for m in seen)


def graph_tops(
    keys: Iterable[ComponentKey], edges: Mapping[ComponentKey, tuple[ComponentKey, ...]]
) -> tuple[ComponentKey, ...]:
    """Keys that no other key depends on: certainly direct dependencies of the project.

    For formats that record the graph but not the project's own requirements (Poetry,
    PDM) this is the best the lock alone tells; a direct dependency that something else
    also requires is not found this way.
    """
    required = {dep for src, deps in edges.items() for dep in deps if dep != src}
    return tuple(k for k in keys if k not in required)


def add_edges(
    edges: dict[ComponentKey, tuple[ComponentKey, ...]],
    key: ComponentKey,
    targets: Iterable[ComponentKey],
) -> None:
    """Add ``key -> targets`` to ``edges``, keeping edges already recorded for ``key``."""
    merged = dict.fromkeys(edges.get(key, ()))
    merged.update(dict.fromkeys(t for t in targets if t != key))
    if merged:
        edges[key] = tuple(merged)


#: An RFC 3339 time in UTC as uv writes it: ``2024-07-26T18:15:03.762Z``.
_UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")

#: The metadata key of a component's newest file upload time (ISO 8601, UTC), where
#: its lock records upload times (uv.lock, pylock.toml).
UPLOAD_TIME = "upload-time"


def newest_upload(
    times: Iterable[tuple[object, str]], error: Callable[[str, str], Exception]
) -> str | None:
    """The newest of a component's files' upload times, as ISO 8601 in UTC
    (``2024-07-26T18:15:03.762000+00:00``); ``None`` when no file gives one.

    ``times`` holds each value as parsed with the key path it was read at: an RFC 3339
    string (uv.lock writes ``"2024-07-26T18:15:03.762Z"``) or a TOML datetime (PEP 751:
    "MUST be recorded in UTC", so one without a time zone is UTC). ``error(where, what)``
    makes the reader's error for a value that is neither."""
    newest: dt.datetime | None = None
    # uv.lock's times are all UTC, ``...THH:MM:SS[.f]Z``: those are compared by their
    # first 19 characters, and only the latest second's are parsed (a lock holds
    # thousands of files; parsing each costs more than reading the rest of the entry).
    # An impossible date among the others (``02-30``) cannot be the newest and is let be.
    utc: list[tuple[str, str]] = []
    for value, where in times:
        if type(value) is str:
            if _UTC_TIME.fullmatch(value):
                utc.append((value, where))
                continue
            try:
                when = parse_timestamp(value.strip())
            except ValueError as exc:
                raise error(
                    where, f"not an RFC 3339 time with a time zone ({exc}): {value!r}"
                ) from None
        elif isinstance(value, dt.datetime):
            when = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
        else:
            raise error(where, f"expected a date and time, found {toml_kind(value)}")
        if newest is None or when > newest:
            newest = when
    if utc:
        second = max(text[:19] for text, _ in utc)
        for text, where in utc:
            if text.startswith(second):
                try:
                    when = parse_timestamp(text)
                except ValueError as exc:
                    raise error(
                        where, f"not an RFC 3339 time with a time zone ({exc}): {text!r}"
                    ) from None
                if newest is None or when > newest:
                    newest = when
    return newest.astimezone(dt.timezone.utc).isoformat() if newest is not None else None


def merge_same_key(
    file: str, components: list[Component]
) -> tuple[tuple[Component, ...], tuple[str, ...]]:
    """One component per key (``name==version``), as the model requires, and notes.

    A lock may hold one name and version twice, from two sources chosen by marker (a
    git checkout on one platform, the registry elsewhere). For the audit it is one
    version: the first entry's source, index and location are kept; hashes, artifacts,
    groups, extras and markers are joined; a note says which sources were folded.
    """
    by_key: dict[ComponentKey, list[Component]] = {}
    for c in components:
        by_key.setdefault(c.key, []).append(c)
    if len(by_key) == len(components):
        return tuple(components), ()
    result: list[Component] = []
    notes: list[str] = []
    for same in by_key.values():
        first = same[0]
        if len(same) > 1:
            first = replace(
                first,
                hashes=dedupe_hashes(h for c in same for h in c.hashes),
                artifacts=tuple(dict.fromkeys(a for c in same for a in c.artifacts)),
                groups=frozenset().union(*(c.groups for c in same)),
                extras=frozenset().union(*(c.extras for c in same)),
                markers=join_markers(c.markers for c in same),
                direct=any(c.direct for c in same),
                metadata=_merged_metadata(same),
            )
            sources = ", ".join(c.source_url or c.index or c.source for c in same)
            notes.append(
                f"{file}: {first.name} {first.version} is locked {len(same)} times "
                f"({sources}); audited once"
            )
        result.append(first)
    return tuple(result), tuple(notes)


def _merged_metadata(same: list[Component]) -> Mapping[str, str]:
    """The first entry's metadata, with the newest upload time of them all (ISO 8601
    UTC strings of one form compare as times)."""
    metadata = dict(same[0].metadata)
    times = [c.metadata[UPLOAD_TIME] for c in same if UPLOAD_TIME in c.metadata]
    if times:
        metadata[UPLOAD_TIME] = max(times)
    return metadata


def parse_requirement(file: str | Path, text: str, where: str) -> Requirement:
    """``text`` as a PEP 508 requirement; an ``InputError`` at ``where`` if it is not one."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        detail = str(exc).splitlines()[0]
        raise InputError(file, f"invalid requirement: {text}: {detail}", where=where) from None


def pinned_version(req: Requirement) -> str | None:
    """The one version ``req`` pins (``==`` without a wildcard, or ``===``), else ``None``."""
    pins = {
        s.version
        for s in req.specifier
        if s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
    }
    return next(iter(pins)) if len(pins) == 1 else None


#: pip's VCS schemes (``git+https://...``).
VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")


def url_reason(url: str) -> str:
    """Why a requirement on ``url`` is not audited."""
    return "VCS requirement" if url.startswith(VCS_PREFIXES) else "direct URL"


def check_format_version(
    file: str | Path,
    key: str,
    value: object,
    *,
    known: Mapping[int, int],
    fmt: str,
) -> str | None:
    """Refuse a major format version not in ``known`` (major -> newest minor this pyward
    reads); return a note for a newer minor one.

    ``value`` is the version as written (``"2.1"``, ``1`` or ``"4.5.0"``).
    """
    text = shown_str(value)
    parts = text.split(".")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise InputError(file, f"invalid format version {text!r}", where=key) from None
    major = numbers[0]
    if isinstance(value, bool) or major not in known:
        reads = ", ".join(f"{m}.x" for m in known)
        raise InputError(
            file, f"unsupported {fmt} format version {text} (this pyward reads {reads})", where=key
        )
    minor = numbers[1] if len(numbers) > 1 else 0
    if minor > known[major]:
        return (
            f"{file}: {fmt} format version {text} is newer than this pyward knows "
            f"({major}.{known[major]}); read as {major}.{known[major]}"
        )
    return None
