"""``pyward db update``: fill the store from OSV's PyPI export, a mirror, or a directory.

Sources: a URL of a zip of OSV JSON records (by default OSV's published PyPI export;
the CLI's ``$PYWARD_OSV_URL`` names another), a local zip of such records, or a
directory tree of ``.json``/``.yaml`` records (the PyPA advisory-database layout, or
ossf/malicious-packages' ``osv/malicious/<ecosystem>/`` and ``osv/withdrawn/<ecosystem>/``).
The store holds PyPI records only: a record whose affected packages all belong to
another ecosystem is skipped and counted, never stored.

Updates are atomic and incremental: a new SQLite file is built beside the old store
and ``os.replace``-d over it only when complete (a failure leaves the old one in
place); records whose source entry is unchanged (zip entry name + CRC-32 + size, or
file path + size + content hash) are copied over from the old store without being
parsed. A malformed record is skipped with a warning naming the file or id and counted;
it never aborts the update. Downloads are conditional (ETag / Last-Modified), so an
unchanged export costs one request.

What an update reads is bounded (:class:`Limits`, issue 12): a download has an overall
deadline and a size cap, each record (a zip member or a file) a size cap, and a YAML
record at most :data:`~pyward._advisory._osv.MAX_YAML_ALIASES` aliases; an oversized
record is skipped like a malformed one. Temporary files that a killed update left
behind are removed by the next one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward._advisory._osv import (
    KNOWN_SCHEMA,
    RecordError,
    is_pypi,
    load_document,
    parse_advisory,
    schema_major_minor,
)
from pyward._advisory._snapshot import ARTIFACT, MANIFEST
from pyward._advisory._store import (
    STORE_FILE,
    STORE_FORMAT,
    StoreWriter,
    info_from_meta,
    resolve_cache_dir,
)
from pyward._advisory._types import StoreInfo
from pyward._http import raw_header, sendable
from pyward._settings import DEFAULT_OSV_URL
from pyward._wire import parse_int, rfc3339
from pyward.errors import InputError, NetworkError, NoDataError

if TYPE_CHECKING:
    import httpx

RECORD_SUFFIXES = (".json", ".yaml", ".yml")

#: Default cap of one record's size. The largest records of OSV's PyPI export are a
#: few hundred kilobytes.
MAX_RECORD_BYTES = 4 << 20
#: Default cap of a download's size (OSV's PyPI export is some tens of megabytes).
MAX_DOWNLOAD_BYTES = 1 << 30
#: Default deadline of a whole download, in seconds.
DOWNLOAD_SECONDS = 600.0
#: Seconds each network read may wait (within the deadline).
READ_SECONDS = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on what one ``db update`` reads (issue 12: an advisory source may be
    hostile). ``pyward db update`` sets them from its options."""

    record_bytes: int = MAX_RECORD_BYTES
    """Largest record (zip member or file) read; a larger one is skipped with a warning."""
    download_bytes: int = MAX_DOWNLOAD_BYTES
    """Largest download; a larger one stops the update (the old store stays)."""
    download_seconds: float = DOWNLOAD_SECONDS
    """Deadline of the whole download, from the request to the last byte."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceEntry:
    """One record file of a source, with a key that changes when its content does."""

    name: str
    """Path inside the zip or relative to the directory (used in warnings)."""
    origin: str
    """``zip:NAME:CRC:SIZE`` or ``file:PATH:SIZE:HASH``."""
    read: Callable[[], bytes]
    """The file's bytes."""
    withdrawn: bool = False
    """The source files the record as withdrawn (ossf/malicious-packages'
    ``osv/withdrawn/``): it is stored withdrawn even if it lacks the ``withdrawn`` field."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateResult:
    """What one ``db update`` did."""

    source: str
    """The URL or path the data came from."""
    added: int = 0
    """Records whose id the previous store did not have."""
    changed: int = 0
    """Records re-read because their source entry changed."""
    unchanged: int = 0
    """Records copied from the previous store without being parsed."""
    removed: int = 0
    """Records of the previous store that the source no longer has."""
    skipped: int = 0
    """Malformed records (each named in ``warnings``)."""
    other_ecosystems: int = 0
    """Records of other ecosystems than PyPI, not stored (counted in one warning)."""
    seconds: float = 0.0
    """Wall time of the update."""
    not_modified: bool = False
    """The server answered 304: the store was left as it was."""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    """One line per skipped record or other oddity."""
    info: StoreInfo | None = None
    """The store's metadata after the update."""

    def summary(self) -> str:
        if self.not_modified:
            return f"advisory data unchanged: {self.source} not modified since the last update"
        count = self.info.record_count if self.info else 0
        others = (
            f", {self.other_ecosystems} of other ecosystems not stored"
            if self.other_ecosystems
            else ""
        )
        return (
            f"{count} records from {self.source}: {self.added} added, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.removed} removed, {self.skipped} skipped"
            f"{others} ({self.seconds:.2f} s)"
        )


def _record_files(root: Path) -> list[Path]:
    """Every ``.json``/``.yaml`` file under ``root``, sorted, hidden files excluded."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in RECORD_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


#: ossf/malicious-packages files its records as ``osv/<state>/<ecosystem>/<name>/MAL-*.json``
#: (https://github.com/ossf/malicious-packages): these are the states.
OSSF_STATES = ("malicious", "withdrawn")


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """What a directory source holds: the record files to read, and what is not read."""

    records: list[Path]
    """The record files, sorted."""
    ignored: list[str] = field(default_factory=list)
    """Other ``.json``/``.yaml`` files (relative paths), which are not records."""
    ignored_under: str = "vulns/"
    """Where the records are, for the note about ``ignored``."""
    other_ecosystems: dict[str, int] = field(default_factory=dict)
    """Folder name -> record files of that other ecosystem, not read (ossf layout)."""
    withdrawn: frozenset[Path] = frozenset()
    """The records its layout files as withdrawn (``osv/withdrawn/``)."""


def records_layout(root: Path) -> Layout:
    """The record files of a directory, and what else it holds; one walk of the tree.

    A directory with ``vulns/`` has the layout of the PyPA advisory database
    (https://github.com/pypa/advisory-database): records only under ``vulns/``;
    ``triage/false_positives.yaml`` and the like are not records (issue 11 item 10).
    A directory with ``osv/malicious/`` or ``osv/withdrawn/`` has the layout of
    ossf/malicious-packages: records only under ``osv/<state>/pypi/``, those of other
    ecosystems' folders counted and not read (the repository holds hundreds of
    thousands of npm records). Any other directory is a plain directory of records."""
    files = _record_files(root)
    osv = root / "osv"
    if any((osv / state).is_dir() for state in OSSF_STATES):
        return _ossf_layout(root, files)
    vulns = root / "vulns"
    if not vulns.is_dir():
        return Layout(records=files)
    records = [p for p in files if p.is_relative_to(vulns)]
    ignored = [p.relative_to(root).as_posix() for p in files if not p.is_relative_to(vulns)]
    return Layout(records=records, ignored=ignored)


def _ossf_layout(root: Path, files: list[Path]) -> Layout:
    records: list[Path] = []
    ignored: list[str] = []
    others: dict[str, int] = {}
    withdrawn: set[Path] = set()
    for path in files:
        parts = path.relative_to(root).parts
        # osv / state / ecosystem / ... / record
        if len(parts) < 4 or parts[0] != "osv" or parts[1] not in OSSF_STATES:
            ignored.append(path.relative_to(root).as_posix())
        elif parts[2].casefold() == "pypi":
            records.append(path)
            if parts[1] == "withdrawn":
                withdrawn.add(path)
        else:
            others[parts[2]] = others.get(parts[2], 0) + 1
    return Layout(
        records=records,
        ignored=ignored,
        ignored_under="osv/<state>/pypi/",
        other_ecosystems=others,
        withdrawn=frozenset(withdrawn),
    )


def ignored_note(ignored: list[str], under: str = "vulns/") -> str:
    """The one line that says what a directory source held besides its records."""
    count = len(ignored)
    files = "file" if count == 1 else "files"
    return f"ignored {count} .json/.yaml {files} outside {under} (not records), e.g. {ignored[0]}"


def other_ecosystems_note(counts: dict[str, int]) -> str:
    """The one line that counts the records of other ecosystems an update did not store."""
    total = sum(counts.values())
    each = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
    records = "record" if total == 1 else "records"
    return f"skipped {total} {records} of other ecosystems ({each}): the store holds PyPI only"


def foreign_ecosystems(data: object) -> list[str]:
    """The ecosystems a record's ``affected`` packages name when none is PyPI (empty when
    one is, or when no entry names a package: PSF's records hold only GIT ranges)."""
    if not isinstance(data, dict):
        return []
    named: set[str] = set()
    for entry in data.get("affected") or ():
        package = entry.get("package") if isinstance(entry, dict) else None
        ecosystem = package.get("ecosystem") if isinstance(package, dict) else None
        if not isinstance(ecosystem, str) or not ecosystem:
            continue
        if is_pypi(ecosystem):
            return []
        named.add(ecosystem.split(":", 1)[0])
    return sorted(named)


def directory_entries(
    root: Path,
    paths: Iterable[Path] | None = None,
    *,
    max_record: int = MAX_RECORD_BYTES,
    withdrawn: frozenset[Path] = frozenset(),
) -> Iterator[SourceEntry]:
    """An entry for each record file of ``root`` (``paths``, default: those
    :func:`records_layout` finds); names are relative to ``root``. A file over
    ``max_record`` bytes is not read: its entry's ``read`` raises. The paths in
    ``withdrawn`` (default: those the layout files as withdrawn) are marked so."""
    if paths is None:
        layout = records_layout(root)
        paths, withdrawn = layout.records, withdrawn or layout.withdrawn
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            with path.open("rb") as fh:
                data = fh.read(max_record + 1)
        except OSError as exc:
            # Like a damaged zip member (and unlike a malformed record), a file that cannot
            # be read says nothing of what it holds: the update stops, the old store stays.
            raise InputError(root, f"cannot read: {exc.strerror or exc}", where=rel) from None
        if len(data) > max_record:
            yield SourceEntry(
                name=rel,
                origin=f"file:{rel}:too-large",
                read=_too_large(rel, max_record),
                withdrawn=path in withdrawn,
            )
            continue
        digest = hashlib.blake2b(data, digest_size=12).hexdigest()
        # The bytes are read again when the record is parsed (only new or changed ones
        # are), rather than kept: a directory's records are not all held in memory at once.
        yield SourceEntry(
            name=rel,
            origin=f"file:{rel}:{len(data)}:{digest}",
            read=_reread(path, rel, digest, max_record),
            withdrawn=path in withdrawn,
        )
        del data


def _reread(path: Path, name: str, digest: str, limit: int) -> Callable[[], bytes]:
    """Read ``path`` again (at most ``limit`` bytes and one), and make sure it is the
    file whose digest was taken."""

    def read() -> bytes:
        try:
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise RecordError(name, f"cannot read: {exc.strerror or exc}", None) from None
        if hashlib.blake2b(data, digest_size=12).hexdigest() != digest:
            raise RecordError(name, "changed while the update was reading it", None)
        return data

    return read


def _too_large(name: str, limit: int) -> Callable[[], bytes]:
    def read() -> bytes:
        raise RecordError(name, f"larger than {limit} bytes (db update --max-record-size)", None)

    return read


@contextmanager
def zip_entries(path: Path, *, max_record: int = MAX_RECORD_BYTES) -> Iterator[list[SourceEntry]]:
    """Every record file of a zip, in archive order, readable while the context is
    open. :class:`InputError` if the file is not a zip. A member over ``max_record``
    bytes (uncompressed) is not read: its entry's ``read`` raises :class:`RecordError`."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"not a zip of OSV records ({exc})") from None

    def reader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
        if info.file_size > max_record:
            return _too_large(info.filename, max_record)

        def read() -> bytes:
            try:
                # The declared size bounds what zipfile inflates (a member that inflates
                # to more fails its CRC check); the cap is checked again on the bytes.
                with archive.open(info) as member:
                    data = member.read(max_record + 1)
                if len(data) > max_record:
                    return _too_large(info.filename, max_record)()
                return data
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
                # A damaged archive (a bad download) is not a malformed record: the
                # update stops and the old store stays, rather than lose its records.
                raise InputError(path, f"corrupt zip ({exc})", where=info.filename) from None

        return read

    with archive:
        yield [
            SourceEntry(
                name=info.filename,
                origin=f"zip:{info.filename}:{info.CRC:08x}:{info.file_size}",
                read=reader(info),
            )
            for info in archive.infolist()
            if not info.is_dir() and info.filename.endswith(RECORD_SUFFIXES)
        ]


@contextmanager
def local_entries(
    path: Path,
    *,
    max_record: int = MAX_RECORD_BYTES,
    notes: list[str] | None = None,
    other_ecosystems: dict[str, int] | None = None,
) -> Iterator[list[SourceEntry]]:
    """The records of a local zip or directory; ``notes`` receives the line that says
    what else a directory held (:func:`ignored_note`), ``other_ecosystems`` the counts of
    the records of other ecosystems its layout holds and that are not read."""
    if not path.exists():
        raise InputError(path, "no such file or directory")
    if path.is_dir():
        layout = records_layout(path)
        if layout.ignored and notes is not None:
            notes.append(ignored_note(layout.ignored, layout.ignored_under))
        if other_ecosystems is not None:
            for name, count in layout.other_ecosystems.items():
                other_ecosystems[name] = other_ecosystems.get(name, 0) + count
        yield list(
            directory_entries(
                path, layout.records, max_record=max_record, withdrawn=layout.withdrawn
            )
        )
        return
    with zip_entries(path, max_record=max_record) as entries:
        yield entries


def rebuild(
    entries: Iterable[SourceEntry],
    target: Path,
    *,
    source: str,
    previous: Path | None = None,
    extra_meta: dict[str, str] | None = None,
    notes: Sequence[str] = (),
    other_ecosystems: Mapping[str, int] | None = None,
) -> UpdateResult:
    """Build a complete store at ``target`` from ``entries``, atomically.

    ``previous`` (a store file) lends its rows for entries whose origin it already
    holds. The new file is written as ``target``'s hidden sibling and renamed over
    ``target`` only once complete. ``notes`` (what reading the source met) lead the
    result's warnings. A record of other ecosystems only is not stored: it is counted,
    with those of ``other_ecosystems`` (ecosystem -> records the source did not read),
    in one warning.
    """
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        writer = StoreWriter(conn)
        old: dict[str, tuple[str, str]] = {}  # origin -> (id, modified) in the previous store
        old_ids: set[str] = set()
        if previous is not None and previous.is_file():
            try:
                conn.execute(
                    "ATTACH DATABASE ? AS old", (f"{previous.resolve().as_uri()}?mode=ro",)
                )
                fmt = conn.execute("SELECT value FROM old.meta WHERE key = 'format'").fetchone()
                if fmt is not None and fmt[0] == STORE_FORMAT:
                    for origin, rid, modified in conn.execute(
                        "SELECT origin, id, modified FROM old.records"
                    ):
                        old[origin] = (rid, modified)
                        old_ids.add(rid)
                else:
                    conn.execute("DETACH DATABASE old")
            except sqlite3.DatabaseError:
                # An unreadable previous store is rebuilt from scratch, not an error.
                old.clear()
                old_ids.clear()
                if any(r[1] == "old" for r in conn.execute("PRAGMA database_list")):
                    conn.execute("DETACH DATABASE old")

        entry_list = list(entries)
        keep = [e.origin for e in entry_list if e.origin in old]
        if keep:
            writer.copy_from("old", keep)
        unchanged = len(writer.ids)
        if old:
            conn.commit()
            conn.execute("DETACH DATABASE old")

        warnings: list[str] = list(notes)
        foreign: dict[str, int] = dict(other_ecosystems or {})
        skipped = 0
        added = changed = 0
        seen_at: dict[str, str] = {}
        newer_schema: dict[str, int] = {}
        for entry in entry_list:
            if entry.origin in old:
                seen_at.setdefault(old[entry.origin][0], entry.name)
                continue
            try:
                data = load_document(entry.name, entry.read(), file=entry.name)
                if ecosystems := foreign_ecosystems(data):
                    for name in ecosystems:
                        foreign[name] = foreign.get(name, 0) + 1
                    continue
                if entry.withdrawn:
                    data = _filed_withdrawn(data, entry.name, warnings)
                advisory = parse_advisory(data, file=entry.name)
            except RecordError as exc:
                skipped += 1
                warnings.append(f"skipped {exc}")
                continue
            warnings.extend(f"{entry.name}: {note}" for note in advisory.notes)
            newer_minor = _newer_schema_minor(advisory.schema_version)
            if newer_minor:
                newer_schema[newer_minor] = newer_schema.get(newer_minor, 0) + 1
            if advisory.id in writer.ids:
                first = seen_at.get(advisory.id, "?")
                if writer.ids[advisory.id] >= advisory.modified:
                    warnings.append(
                        f"{entry.name}: {advisory.id}: duplicate of {first}; kept the newer one"
                    )
                    continue
                warnings.append(
                    f"{first}: {advisory.id}: duplicate of {entry.name}; kept the newer one"
                )
            elif advisory.id in old_ids:
                changed += 1
            else:
                added += 1
            seen_at[advisory.id] = entry.name
            writer.write(advisory, data, entry.origin)

        for version, count in sorted(newer_schema.items()):
            known = ".".join(map(str, KNOWN_SCHEMA))
            warnings.append(
                f"{count} record(s) use OSV schema {version}, newer than {known}; "
                "read with the fields this version knows"
            )
        if foreign:
            warnings.append(other_ecosystems_note(foreign))
        if not writer.ids:
            if skipped:
                first = warnings[len(notes)]
                raise InputError(
                    source, f"no valid OSV record ({skipped} malformed; first: {first})"
                )
            if foreign:
                raise InputError(source, f"no PyPI record: {other_ecosystems_note(foreign)}")
            raise InputError(source, "no OSV records (.json or .yaml files) found")
        removed = len(old_ids.difference(writer.ids))
        meta = writer.finish(source=source, skipped=skipped, extra=extra_meta)
        conn.close()
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    return UpdateResult(
        source=source,
        added=added,
        changed=changed,
        unchanged=unchanged,
        removed=removed,
        skipped=skipped,
        other_ecosystems=sum(foreign.values()),
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
        info=info_from_meta(meta, path=str(target), snapshot=False),
    )


def _filed_withdrawn(data: object, name: str, warnings: list[str]) -> object:
    """A record its source files as withdrawn, with a ``withdrawn`` time: its own, else
    its ``modified`` (with a warning). A false positive that was withdrawn must never
    match, even when its record does not say so itself."""
    if not isinstance(data, dict) or data.get("withdrawn") or not data.get("modified"):
        return data  # a record that says it, or one that parse_advisory refuses
    rid = data.get("id")
    warnings.append(
        f"{name}: {rid}: filed under withdrawn/ without a 'withdrawn' time; "
        f"taken as withdrawn at its 'modified' time"
    )
    return {**data, "withdrawn": data["modified"]}


#: How old a temporary file must be before an update removes it where process ids
#: cannot be checked (Windows: ``os.kill(pid, 0)`` would end the process).
STALE_SECONDS = 24 * 3600.0


def remove_stale(target: Path) -> list[Path]:
    """Remove the temporary files (``.advisories.sqlite.PID.tmp``, ``.download.PID.zip``)
    that an update killed before its clean-up left beside ``target``, when the process
    ``PID`` is gone. Returns the files removed."""
    removed = []
    for pattern in (f".{target.name}.*.tmp", ".download.*.zip"):
        for path in target.parent.glob(pattern):
            pid = path.name.rsplit(".", 2)[-2]
            if not pid.isascii() or not pid.isdecimal() or not _gone(int(pid), path):
                continue
            try:
                path.unlink()
            except OSError:
                continue  # another update removed it first, or it is not ours to remove
            removed.append(path)
    return sorted(removed)


def _gone(pid: int, path: Path) -> bool:
    if pid == os.getpid():
        return False  # this update's own file
    if os.name != "posix":
        try:
            return time.time() - path.stat().st_mtime > STALE_SECONDS
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):
        return False  # alive under another user, or not a process id at all
    return False


def build_snapshot(source_dir: Path, out_dir: Path, *, label: str) -> dict[str, Any]:
    """Build the built-in snapshot's artifact and manifest (see
    :mod:`pyward._advisory._snapshot`) into ``out_dir`` from a directory of records.

    Deterministic for the same input: the ``updated`` time is the newest ``modified``
    and the gzip header carries no timestamp. Returns the manifest.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / ".snapshot-build.sqlite"
    work.unlink(missing_ok=True)
    try:
        with local_entries(source_dir) as entries:
            result = rebuild(entries, work, source=label)
        info = result.info
        if info is None:
            raise NoDataError(f"{source_dir}: no advisory records to build a snapshot from")
        newest = info.newest_modified or ""
        conn = sqlite3.connect(work)
        try:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'updated'", (_iso(newest),))
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()
        raw = work.read_bytes()
    finally:
        work.unlink(missing_ok=True)
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    (out_dir / ARTIFACT).write_bytes(packed)
    data = {
        "sha256": hashlib.sha256(packed).hexdigest(),
        "source": label,
        "record_count": info.record_count,
        "newest_modified": newest,
        "skipped": result.skipped,
        "skipped_records": list(result.warnings),
    }
    (out_dir / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def _iso(modified: str) -> str:
    when = rfc3339(modified)
    if when is None:  # the newest ``modified`` of records that parsed: kept as written
        return modified
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


def _newer_schema_minor(schema_version: str | None) -> str | None:
    """``"1.8"`` for a record of a minor version newer than :data:`KNOWN_SCHEMA`."""
    mm = schema_major_minor(schema_version)
    if mm is None or mm <= KNOWN_SCHEMA:
        return None
    return f"{mm[0]}.{mm[1]}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def update(
    source: str | None = None,
    cache_dir: Path | None = None,
    *,
    client: httpx.Client | None = None,
    progress: bool | None = None,
    osv_url: str = DEFAULT_OSV_URL,
    limits: Limits | None = None,
) -> UpdateResult:
    """Fill (or refresh) the store in ``cache_dir`` from ``source``.

    ``source``: ``None`` (the zip at ``osv_url``, by default OSV's PyPI export), an
    ``http(s)://`` URL of a zip, or a local zip / directory. ``client`` is injectable
    for tests. ``limits``: what the update may read (default :class:`Limits`).
    """
    limits = limits or Limits()
    directory = resolve_cache_dir(cache_dir)
    target = directory / STORE_FILE
    stale = tuple(
        f"removed {p}, left by an update that did not finish" for p in remove_stale(target)
    )
    if source is None or source.startswith(("http://", "https://")):
        url = source or osv_url
        result = _update_from_url(url, target, client=client, progress=progress, limits=limits)
    else:
        path = Path(source)
        notes: list[str] = []
        others: dict[str, int] = {}
        with local_entries(
            path, max_record=limits.record_bytes, notes=notes, other_ecosystems=others
        ) as entries:
            result = rebuild(
                entries,
                target,
                source=str(path.resolve()),
                previous=target,
                notes=notes,
                other_ecosystems=others,
            )
    return replace(result, warnings=stale + result.warnings) if stale else result


def _previous_meta(target: Path) -> dict[str, str]:
    if not target.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


def _update_from_url(
    url: str,
    target: Path,
    *,
    client: httpx.Client | None,
    progress: bool | None,
    limits: Limits,
) -> UpdateResult:
    started = time.perf_counter()
    previous = _previous_meta(target)
    headers: dict[bytes, bytes] = {}
    if previous.get("source") == url and previous.get("format") == STORE_FORMAT:
        if etag := sendable(previous.get("etag")):
            headers[b"If-None-Match"] = etag
        if last := sendable(previous.get("last_modified")):
            headers[b"If-Modified-Since"] = last
    target.parent.mkdir(parents=True, exist_ok=True)
    download = target.with_name(f".download.{os.getpid()}.zip")
    try:
        validators = _download(
            url, download, headers, client=client, progress=progress, limits=limits
        )
        if validators is None:
            return UpdateResult(
                source=url,
                not_modified=True,
                seconds=time.perf_counter() - started,
                info=info_from_meta(previous, path=str(target), snapshot=False),
            )
        try:
            with zip_entries(download, max_record=limits.record_bytes) as entries:
                result = rebuild(
                    entries, target, source=url, previous=target, extra_meta=validators
                )
        except InputError as exc:
            if exc.file != str(download):
                raise
            # Name the URL, not the temporary file it was downloaded to.
            raise InputError(url, exc.what, where=exc.where) from None
    finally:
        download.unlink(missing_ok=True)
    # The download counts in the update's time.
    return replace(result, seconds=time.perf_counter() - started)


def _download(
    url: str,
    dest: Path,
    headers: dict[bytes, bytes],
    *,
    client: httpx.Client | None,
    progress: bool | None,
    limits: Limits,
) -> dict[str, str] | None:
    """Stream ``url`` to ``dest``; ``None`` on 304. Returns the response's validators.

    Raises :class:`NetworkError` when the body passes ``limits.download_bytes`` or the
    whole download ``limits.download_seconds`` (a server may send without end)."""
    import httpx

    deadline = time.monotonic() + limits.download_seconds
    cap = limits.download_bytes
    own = client is None
    read = min(READ_SECONDS, limits.download_seconds)
    http = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(read))
    if progress is None:
        progress = sys.stderr.isatty()

    def too_slow() -> NetworkError:
        return NetworkError(
            f"{url}: not downloaded within {limits.download_seconds:g} s "
            "(db update --download-timeout)"
        )

    def too_large() -> NetworkError:
        return NetworkError(f"{url}: larger than {cap} bytes (db update --max-download-size)")

    try:
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return None
            if response.status_code >= 400:
                raise NetworkError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
            length = parse_int(response.headers.get("Content-Length") or "")
            if length is not None and length > cap:
                raise too_large()
            total = length if length and length > 0 else None
            size = 0

            def chunks() -> Iterator[bytes]:
                nonlocal size
                # No chunk size: httpx would buffer up to it, and a server that sends a
                # byte at a time would never reach the deadline check.
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise too_large()
                    if time.monotonic() > deadline:
                        raise too_slow()
                    yield chunk

            with open(dest, "wb") as fh:
                if progress:
                    _stream_with_bar(chunks(), fh, total, url)
                else:
                    for chunk in chunks():
                        fh.write(chunk)
            validators = {}
            if etag := raw_header(response, "ETag"):
                validators["etag"] = etag
            if last := raw_header(response, "Last-Modified"):
                validators["last_modified"] = last
            return validators
    except httpx.TimeoutException:
        if time.monotonic() > deadline:
            raise too_slow() from None
        raise NetworkError(f"{url}: no data for {read:g} s") from None
    except httpx.HTTPError as exc:
        raise NetworkError(f"{url}: {type(exc).__name__}: {exc}") from None
    finally:
        if own:
            http.close()


def _stream_with_bar(chunks: Iterable[bytes], fh: Any, total: int | None, url: str) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("downloading advisories"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(url, total=total)
        for chunk in chunks:
            fh.write(chunk)
            bar.advance(task, len(chunk))
