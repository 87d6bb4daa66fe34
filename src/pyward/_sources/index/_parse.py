"""Reading a PEP 691 JSON project page into a :class:`ProjectInfo`.

Parse, then validate into the model at the boundary: a page that is not a project page
(not a JSON object, no ``meta.api-version``, a major version other than 1, another
project's page) is an :class:`~pyward.errors.InputError` naming the URL and the key
path; a bad file entry is skipped with a note naming its key path
(``files[3].upload-time: not a date``), never the whole project; unknown keys and a
newer minor API version are notes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any, NamedTuple
from urllib.parse import urljoin

from pyward._inventory._toml import load_json
from pyward._model import canonical_name
from pyward._sources.index._model import (
    KNOWN_STATUSES,
    FileKind,
    ProjectFile,
    ProjectInfo,
    ProjectStatus,
    ReleaseInfo,
)
from pyward._sources.index._versions import page_facts
from pyward._text import redact_url
from pyward._wire import Table, Wire, parse_digits, parse_timestamp
from pyward.errors import InputError

#: The newest minor version of the JSON simple API (1.x) this module reads: 1.1 adds
#: PEP 700's ``versions``/``size``/``upload-time``, 1.3 PEP 740's ``provenance``,
#: 1.4 PEP 792's ``project-status``.
KNOWN_API_MINOR = 4

_PAGE_KEYS = frozenset(
    {"meta", "name", "files", "versions", "project-status", "alternate-locations", "tracks"}
)
_META_KEYS = frozenset({"api-version"})
_FILE_KEYS = frozenset(
    {
        "filename",
        "url",
        "hashes",
        "requires-python",
        "yanked",
        "upload-time",
        "size",
        "provenance",
        "core-metadata",
        "data-dist-info-metadata",
        "dist-info-metadata",
        "gpg-sig",
    }
)
# PEP 714 renamed ``data-dist-info-metadata`` to ``core-metadata``; older indexes send
# either of the older names (the first one present wins).
_METADATA_KEYS = ("core-metadata", "data-dist-info-metadata", "dist-info-metadata")


#: A hex digest (what ``pyward._inventory._common.is_hex_digest`` checks, as one regex:
#: a page has thousands).
_HEX = re.compile(r"[0-9a-fA-F]+")
#: An absolute http(s) URL with nothing for ``urljoin`` to resolve (no query, no dot
#: segment, no backslash or whitespace): the form of nearly every file URL.
_PLAIN_URL = re.compile(r"https?://[^\s/?#\\@]+(?:/(?!\.\.?(?:/|#|$))[^\s/?#\\]*)*(?:#[^\s]*)?")


def _join(page_url: str, url: str) -> str:
    return url if _PLAIN_URL.fullmatch(url) else urljoin(page_url, url)


#: An RFC 3339 time in UTC with no fraction or microseconds: the form every recorded
#: index writes, read by :meth:`datetime.datetime.fromisoformat` (C) rather than
#: :func:`pyward._wire.parse_timestamp`, which reads every RFC 3339 form.
_UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?Z")


def _upload_time(text: str) -> dt.datetime:
    """``parse_timestamp(text)``, the common form faster (the same value: UTC)."""
    if _UTC_TIME.fullmatch(text):
        try:
            return dt.datetime.fromisoformat(text[:-1] + "+00:00")
        except ValueError:
            pass  # not a date (month 13...): parse_timestamp says so
    return parse_timestamp(text)


class UnsupportedApiVersion(InputError):
    """The page's ``meta.api-version`` has a major version this pyward does not read."""


#: The archive formats of sdists an index may list.
_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar", ".tbz")


def file_version(filename: str) -> tuple[str | None, FileKind]:
    """The normalised version and the kind of a distribution file, from its name
    (the wheel and sdist name rules of :mod:`packaging.utils`, without reading the
    wheel's tags: a page has thousands of files, and only the version is kept)."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        # name-version[-build]-python-abi-platform (the binary distribution format).
        if len(parts) not in (5, 6) or not all(parts) or not _WHEEL_NAME.fullmatch(parts[0]):
            return None, "wheel"
        return _normal_version(parts[1]), "wheel"
    # Sdists of before PEP 625 (which allows only .tar.gz for new uploads) came in the
    # other archive formats distutils wrote, and indexes still list them.
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            name, sep, version = filename[: -len(suffix)].rpartition("-")
            if not sep or not name:
                return None, "sdist"
            return _normal_version(version), "sdist"
    return None, "other"


#: Formats that installers no longer use (eggs, Windows and other platform installers):
#: such a file is kept, with kind ``other`` and no version, without a note, since no
#: installer would take it (PEP 715 ended egg uploads).
_LEGACY = (".egg", ".exe", ".msi", ".rpm", ".dmg", ".deb")


#: A wheel's name part: letters, digits, ``_`` and ``.`` (``-`` is the separator).
_WHEEL_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?")


@functools.lru_cache(maxsize=4096)
def _normal_version(text: str) -> str | None:
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(text))
    except InvalidVersion:
        return None


def project_index_url(page_url: str) -> str:
    """The index base of a project page: ``.../simple/requests/`` -> ``.../simple/``."""
    return urljoin(page_url if page_url.endswith("/") else page_url + "/", "..")


def parse_project_page(
    data: bytes | object,
    *,
    url: str,
    name: str | None = None,
    index_url: str | None = None,
    fetched_at: dt.datetime | None = None,
    from_cache: bool = False,
    stale: bool = False,
    notes: Iterable[str] = (),
    keep_files: bool = True,
) -> ProjectInfo:
    """The project page at ``url`` (a response body, or its parsed JSON).

    ``name``: the project asked for; a page for another project is an error.
    ``index_url``: the index base (by default, the page URL's parent). ``notes`` are
    kept before the page's own. ``keep_files=False``: every file entry is read and
    checked as usual (the same notes), but only the page's version-level facts are
    kept (``files`` empty, ``facts`` and ``summary`` set): what the status checks read,
    without a :class:`ProjectFile` per entry. Raises :class:`InputError` (``URL:
    KEY.PATH: what``).
    """
    from packaging.version import InvalidVersion, Version

    shown = redact_url(url)
    if isinstance(data, bytes | bytearray):
        data = load_json(shown, bytes(data))
    page = Wire(shown).table(data, "")
    out: list[str] = list(notes)

    meta = page.sub("meta")
    if meta is None:
        raise page.error("meta", "missing (not a PEP 691 project page)")
    api_version = _check_api_version(meta, out)
    last_serial = _last_serial(meta, out)
    for key in meta.data:
        if key not in _META_KEYS and not key.startswith("_"):
            out.append(f"{shown}: meta.{key}: unknown key (ignored)")

    page_name = canonical_name(page.string("name"))
    if name is not None and canonical_name(name) != page_name:
        raise page.error("name", f"the page is for {page_name!r}, not {canonical_name(name)!r}")
    for key in page.data:
        if key not in _PAGE_KEYS and not key.startswith("_"):
            out.append(f"{shown}: {key}: unknown key (ignored)")

    if "files" not in page.data:
        raise page.error("files", "missing")
    files: list[ProjectFile | FileFacts] = []
    unknown_file_keys: dict[str, int] = {}
    unversioned: list[str] = []
    wire = Wire(shown)
    fast_read = _fast_file if keep_files else _fast_facts
    for i, entry in enumerate(page.opt_list("files")):
        parsed = fast_read(entry, url)
        if parsed is None:
            try:
                checked = _parse_file(wire.table(entry, "files", i), url, unknown_file_keys)
            except InputError as exc:
                out.append(f"{exc}; file skipped")
                continue
            parsed = checked if keep_files else _facts_of(checked)
        files.append(parsed)
        if parsed.version is None and not parsed.filename.lower().endswith(_LEGACY):
            unversioned.append(parsed.filename)
    for key, count in unknown_file_keys.items():
        out.append(f"{shown}: files[*].{key}: unknown key in {count} file(s) (ignored)")
    if unversioned:
        out.append(
            f"{shown}: {len(unversioned)} file(s) whose version cannot be read from the "
            f"filename (not a wheel or sdist name), e.g. {unversioned[0]!r}"
        )

    versions: list[tuple[Version, str]] = []
    invalid: list[str] = []
    if "versions" in page.data:
        for i, text in enumerate(page.strings("versions")):
            try:
                versions.append((Version(text), text))
            except InvalidVersion:
                if not invalid:
                    first = i
                invalid.append(text)
        if invalid:
            # One note per page, not one per version (a project of 2006 lists dozens).
            more = f" and {len(invalid) - 1} more" if len(invalid) > 1 else ""
            out.append(
                f"{shown}: versions[{first}]: not a PEP 440 version: {invalid[0]!r}{more} "
                "(kept apart)"
            )
    else:
        # PEP 700 (API 1.1) added ``versions``; older pages list files only.
        if api_version[1] >= 1:
            out.append(f"{shown}: versions: missing; listed the files' versions")
        seen = {Version(f.version) for f in files if f.version is not None}
        versions = [(v, str(v)) for v in seen]
    versions.sort(key=lambda item: item[0])
    listed = tuple(text for _, text in versions)

    return ProjectInfo(
        name=page_name,
        index_url=redact_url(index_url if index_url is not None else project_index_url(url)),
        page_url=shown,
        versions=listed,
        invalid_versions=tuple(invalid),
        files=tuple(f for f in files if isinstance(f, ProjectFile)) if keep_files else (),
        summary=not keep_files,
        facts=None if keep_files else page_facts(listed, files),
        status=_status(page, out),
        api_version=f"{api_version[0]}.{api_version[1]}",
        last_serial=last_serial,
        fetched_at=fetched_at,
        from_cache=from_cache,
        stale=stale,
        notes=tuple(out),
    )


def _check_api_version(meta: Table, notes: list[str]) -> tuple[int, int]:
    text = meta.string("api-version")
    major_text, _, minor_text = text.partition(".")
    major, minor = parse_digits(major_text), parse_digits(minor_text or "0")
    if major is None or minor is None:
        raise meta.error("api-version", f"not a version: {text!r}")
    if major != 1:
        raise UnsupportedApiVersion(
            meta.file,
            f"unsupported simple API version {text} (this pyward reads 1.x)",
            where="meta.api-version",
        )
    if minor > KNOWN_API_MINOR:
        notes.append(
            f"{meta.file}: meta.api-version: {text} is newer than this pyward knows "
            f"(1.{KNOWN_API_MINOR}); read with the fields 1.{KNOWN_API_MINOR} defines"
        )
    return major, minor


def _last_serial(meta: Table, notes: list[str]) -> int | None:
    value = meta.data.get("_last-serial")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (serial := parse_digits(value)) is not None:
        return serial
    notes.append(f"{meta.file}: meta._last-serial: not a serial number: {value!r} (ignored)")
    return None


def _status(page: Table, notes: list[str]) -> ProjectStatus:
    table = page.sub("project-status")
    if table is None:
        return ProjectStatus()
    # PEP 792's text names the key ``state`` once and ``status`` in its example and
    # in the PyPA specification; read both.
    key = "status" if "status" in table.data else "state"
    status = table.opt_string(key)
    reason = table.opt_string("reason")
    if status is None:
        notes.append(f"{page.file}: project-status.status: missing; read as 'active'")
        status = "active"
    elif status not in KNOWN_STATUSES:
        notes.append(
            f"{page.file}: project-status.{key}: unknown status {status!r} "
            f"(PEP 792 defines {', '.join(KNOWN_STATUSES)})"
        )
    return ProjectStatus(status=status, reason=reason)


def _hashes(f: Table, key: str) -> dict[str, str]:
    table = f.data.get(key)
    if type(table) is dict:
        # The usual case, checked in one pass; anything else takes the path that says why.
        fast: dict[str, str] = {}
        for a, v in table.items():
            if type(v) is not str or not _HEX.fullmatch(v):
                break
            fast[a.lower()] = v.lower()
        else:
            return fast
    table = f.opt_table(key)
    if table is None:
        raise f.error(key, "missing")
    out: dict[str, str] = {}
    for algorithm, value in table.items():
        if not (isinstance(value, str) and _HEX.fullmatch(value)):
            raise f.error(f"{key}.{algorithm}", f"not a hex digest: {value!r}")
        out[algorithm.lower()] = value.lower()
    return out


def _fast_hashes(value: object) -> dict[str, str] | None:
    if type(value) is not dict:
        return None
    out: dict[str, str] = {}
    for algorithm, digest in value.items():
        if type(digest) is not str or not _HEX.fullmatch(digest):
            return None
        out[algorithm.lower()] = digest.lower()
    return out


class FileFacts(NamedTuple):
    """What :func:`~pyward._sources.index._versions.page_facts` reads of a file entry,
    when the page's files are not kept (a tuple: a page has thousands)."""

    filename: str
    """The file's name."""
    version: str | None
    """The version its name gives (normalised), if any."""
    requires_python: str | None
    """Its ``Requires-Python``, as written."""
    yanked: bool
    """Yanked (PEP 592)."""
    yanked_reason: str | None
    """Why, when the index says."""
    upload_time: dt.datetime | None
    """When it was uploaded (PEP 700)."""


def _facts_of(f: ProjectFile) -> FileFacts:
    return FileFacts(
        filename=f.filename,
        version=f.version,
        requires_python=f.requires_python,
        yanked=f.yanked,
        yanked_reason=f.yanked_reason,
        upload_time=f.upload_time,
    )


#: What :func:`_fast_fields` reads of a well-formed entry: filename, URL, hashes,
#: requires-python, yanked, reason, upload time, size, provenance, core metadata.
_Fields = tuple[
    str,
    str,
    dict[str, str],
    str | None,
    bool,
    str | None,
    dt.datetime | None,
    int | None,
    str | None,
    bool | dict[str, str] | None,
]


def _fast_file(entry: object, page_url: str) -> ProjectFile | None:
    """A well-formed file entry, read without the checked accessors (a page has
    thousands); ``None`` for any other, which :func:`_parse_file` reads and reports.
    Both give the same :class:`ProjectFile` for every entry this accepts
    (``tests/index/test_parse.py`` checks it on every recorded page)."""
    fields = _fast_fields(entry)
    if fields is None:
        return None
    filename, url, hashes, requires, yanked, reason, upload_time, size, provenance, metadata = (
        fields
    )
    version, kind = file_version(filename)
    return ProjectFile(
        filename=filename,
        url=redact_url(_join(page_url, url)),
        hashes=hashes,
        requires_python=requires,
        yanked=yanked,
        yanked_reason=reason,
        upload_time=upload_time,
        size=size,
        provenance=redact_url(urljoin(page_url, provenance)) if provenance else None,
        core_metadata=metadata,
        version=version,
        kind=kind,
    )


def _fast_facts(entry: object, page_url: str) -> FileFacts | None:
    """:func:`_fast_file`'s facts only: the entry is checked alike, no URL is resolved
    and no :class:`ProjectFile` made."""
    fields = _fast_fields(entry)
    if fields is None:
        return None
    filename, _, _, requires, yanked, reason, upload_time, _, _, _ = fields
    return FileFacts(filename, file_version(filename)[0], requires, yanked, reason, upload_time)


def _fast_fields(entry: object) -> _Fields | None:
    """The fields of a well-formed file entry; ``None`` for any other."""
    if type(entry) is not dict or not entry.keys() <= _FILE_KEYS:
        return None
    filename, url = entry.get("filename"), entry.get("url")
    if type(filename) is not str or not filename.strip():
        return None
    if type(url) is not str or not url.strip():
        return None
    raw_hashes = entry.get("hashes")
    hashes = _fast_hashes(raw_hashes)
    if hashes is None:
        return None
    yanked_value = entry.get("yanked", False)
    if type(yanked_value) is bool:
        yanked, reason = yanked_value, None
    elif type(yanked_value) is str:
        yanked, reason = True, yanked_value or None
    else:
        return None
    text = entry.get("upload-time")
    upload_time = None
    if text is not None:
        if type(text) is not str:
            return None
        try:
            upload_time = _upload_time(text)
        except ValueError:
            return None
    size = entry.get("size")
    if size is not None and (type(size) is not int or size < 0):
        return None
    provenance, requires = entry.get("provenance"), entry.get("requires-python")
    if (provenance is not None and type(provenance) is not str) or (
        requires is not None and type(requires) is not str
    ):
        return None
    gpg = entry.get("gpg-sig")
    if gpg is not None and type(gpg) is not bool:
        return None
    metadata: bool | dict[str, str] | None = None
    for key in _METADATA_KEYS:
        value = entry.get(key)
        if value is None:
            continue
        if type(value) is bool:
            metadata = value
        elif value == raw_hashes:
            # Most indexes give the same digests for the file and its ``METADATA``
            # (both its name and its checked form are then the same).
            metadata = hashes
        else:
            metadata = _fast_hashes(value)
            if metadata is None:
                return None
        break
    return (
        filename,
        url,
        hashes,
        requires,
        yanked,
        reason,
        upload_time,
        size,
        provenance,
        metadata,
    )


def _parse_file(f: Table, page_url: str, unknown: dict[str, int]) -> ProjectFile:
    filename = f.string("filename")
    url = _join(page_url, f.string("url"))
    hashes = _hashes(f, "hashes")

    yanked_value: Any = f.data.get("yanked", False)
    if isinstance(yanked_value, bool):
        yanked, reason = yanked_value, None
    elif isinstance(yanked_value, str):
        yanked, reason = True, yanked_value or None
    else:
        raise f.error("yanked", "expected a boolean or a string")

    upload_time = None
    if (text := f.opt_string("upload-time")) is not None:
        try:
            upload_time = parse_timestamp(text)
        except ValueError as exc:
            raise f.error("upload-time", f"{exc}: {text!r}") from None

    size = f.data.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise f.error("size", f"not a size in bytes: {size!r}")

    provenance = f.opt_string("provenance")
    metadata: bool | dict[str, str] | None = None
    for key in _METADATA_KEYS:
        value = f.data.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            metadata = value
        elif isinstance(value, dict):
            metadata = _hashes(f, key)
        else:
            raise f.error(key, "expected a boolean or a table of hashes")
        break
    if f.data.get("gpg-sig") is not None:
        f.opt_bool("gpg-sig")
    for key in f.data:
        if key not in _FILE_KEYS:
            unknown[key] = unknown.get(key, 0) + 1

    version, kind = file_version(filename)
    return ProjectFile(
        filename=filename,
        url=redact_url(url),
        hashes=hashes,
        requires_python=f.opt_string("requires-python"),
        yanked=yanked,
        yanked_reason=reason,
        upload_time=upload_time,
        size=size,
        provenance=redact_url(urljoin(page_url, provenance)) if provenance else None,
        core_metadata=metadata,
        version=version,
        kind=kind,
    )


def parse_release_info(
    data: bytes | object,
    *,
    url: str,
    name: str,
    fetched_at: dt.datetime | None = None,
    stale: bool = False,
    notes: Iterable[str] = (),
) -> ReleaseInfo:
    """An index JSON API response (``{json_api_url}/{name}/json``). A bad release entry
    is a note; a response that is not the project's is an :class:`InputError`."""
    shown = redact_url(url)
    if isinstance(data, bytes | bytearray):
        data = load_json(shown, bytes(data))
    top = Wire(shown).table(data, "")
    out = list(notes)
    info = top.sub("info")
    if info is None:
        raise top.error("info", "missing")
    page_name = canonical_name(info.string("name"))
    if page_name != canonical_name(name):
        raise info.error("name", f"the response is for {page_name!r}, not {canonical_name(name)!r}")
    urls: dict[str, str] = {}
    table = info.opt_table("project_urls") or {}
    for label, value in table.items():
        if isinstance(value, str):
            urls[label] = value
        else:
            out.append(f"{shown}: info.project_urls.{label}: not a URL: {value!r} (ignored)")
    times: dict[str, dt.datetime] = {}
    releases = top.opt_table("releases") or {}
    for version, files in releases.items():
        if not isinstance(files, list):
            out.append(f"{shown}: releases.{version}: expected an array (ignored)")
            continue
        for i, entry in enumerate(files):
            where = f"releases.{version}[{i}]"
            text = entry.get("upload_time_iso_8601") if isinstance(entry, dict) else None
            try:
                when = _upload_time(text) if isinstance(text, str) else None
            except ValueError as exc:
                when = None
                out.append(f"{shown}: {where}.upload_time_iso_8601: {exc}: {text!r} (ignored)")
            if when is not None and (version not in times or when < times[version]):
                times[version] = when
    classifiers: list[str] = []
    raw = info.data.get("classifiers")
    if raw is not None:
        if isinstance(raw, list):
            for i, item in enumerate(raw):
                if isinstance(item, str):
                    classifiers.append(item)
                else:
                    out.append(f"{shown}: info.classifiers[{i}]: not a string (ignored)")
        else:
            out.append(f"{shown}: info.classifiers: expected an array (ignored)")
    license_text = info.opt_string("license_expression") or info.opt_string("license")
    return ReleaseInfo(
        name=page_name,
        url=shown,
        version=info.opt_string("version"),
        summary=info.opt_string("summary"),
        license=license_text or None,
        project_urls=urls,
        requires_python=info.opt_string("requires_python") or None,
        classifiers=tuple(classifiers),
        upload_times=times,
        fetched_at=fetched_at,
        stale=stale,
        notes=tuple(out),
    )
