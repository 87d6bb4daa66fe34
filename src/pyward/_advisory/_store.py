"""The local advisory store: one SQLite file of OSV records, indexed by package name.

Layout (format 3):

* ``records(id, modified, withdrawn, origin, doc)``: every record, withdrawn ones too;
  ``doc`` is the record's OSV JSON, zlib-compressed; ``origin`` says which source entry
  it came from (zip entry name + CRC + size, or file path + size + mtime) so that an
  update re-parses only what changed.
* ``affected(name, id, entry, versions, canon)``: one row per PyPI affected entry of a
  non-withdrawn record, keyed by the PEP 503 name; ``entry`` is the compact matching
  form (sorted non-GIT events, sorted fixed / last_affected), ``versions`` and
  ``canon`` the ``versions`` list and its canonical PEP 440 forms as line-separated
  text, searched without being decoded.
* ``aliases(alias, id)``: one row per id that a record (withdrawn ones too) names in
  ``aliases`` or ``upstream``, case-folded, so that ``explain CVE-...`` finds the PYSEC
  and GHSA records of a CVE with one indexed lookup (format 2).
* ``scores(id, type, vector, base, reason)``: every CVSS vector of a record with its
  base score, or the reason it cannot be scored, computed by ``db update`` (format 3).
* ``meta(key, value)``: source, updated, record count, newest ``modified``, skipped.

Readers open the file read-only; ``db update`` writes a new file beside it and
``os.replace``-s it, so a reader keeps the old inode and never sees half an update.
Only ``sqlite3`` and ``packaging.version`` are imported on the lookup path.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import zlib
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyward._advisory._cvss import CVSS_TYPES, score_or_reason
from pyward._advisory._match import (
    Candidate,
    CompiledEntry,
    compact_entry,
    compile_entry,
    match_entry,
)
from pyward._advisory._osv import parse_advisory
from pyward._advisory._snapshot import artifact, unpack
from pyward._advisory._types import (
    Advisory,
    AdvisoryId,
    Match,
    StoreInfo,
    Vulnerability,
    id_order,
)
from pyward._model import canonical_name
from pyward.errors import InputError, NoDataError

#: The store file inside the cache directory.
STORE_FILE = "advisories.sqlite"
#: Bumped when the layout changes; a store of another format is rebuilt by ``db update``
#: (opening one says so). 2: the ``aliases`` table. 3: the ``scores`` table.
STORE_FORMAT = "3"
#: Formats read as they are: 2 lacks only the ``scores`` table (the vectors are then
#: scored at audit time), so an upgrade of pyward does not stop audits until the next
#: ``db update``, which rebuilds the store in the current format.
READABLE_FORMATS = frozenset({"2", STORE_FORMAT})

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records(
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    origin TEXT NOT NULL,
    doc BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE affected(
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    entry BLOB NOT NULL,
    versions TEXT NOT NULL,
    canon TEXT NOT NULL
);
CREATE TABLE aliases(alias TEXT NOT NULL, id TEXT NOT NULL);
CREATE TABLE scores(
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    vector TEXT NOT NULL,
    base REAL,
    reason TEXT
);
"""
_INDEXES = """
CREATE INDEX affected_name ON affected(name);
CREATE INDEX records_origin ON records(origin);
CREATE INDEX aliases_alias ON aliases(alias);
CREATE INDEX scores_id ON scores(id);
"""


def resolve_cache_dir(cache_dir: Path | str | None = None) -> Path:
    """The argument, else the user cache directory (:func:`pyward._settings.default_cache_dir`;
    ``$PYWARD_CACHE_DIR`` is the command line's to resolve)."""
    if cache_dir is not None:
        return Path(cache_dir)
    from pyward._settings import default_cache_dir

    return default_cache_dir()


# Cached: the same ids are ranked again for every component and group that has them.
@lru_cache(maxsize=1 << 14)
def _id_rank(advisory_id: str) -> tuple[int, tuple[str | int, ...]]:
    """PYSEC first, then GHSA, then the rest (MAL, OSV...), each in id order."""
    if advisory_id.startswith("PYSEC-"):
        return (0, id_order(advisory_id))
    if advisory_id.startswith("GHSA-"):
        return (1, id_order(advisory_id))
    return (2, id_order(advisory_id))


#: What ``refresh`` compares to notice that ``db update`` replaced the file:
#: ``(st_ino, st_mtime_ns, st_size)``, compared whole and never read field by field.
_FileKey = tuple[int, int, int]


def _file_key(path: Path) -> _FileKey | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_meta(conn: sqlite3.Connection, label: str) -> dict[str, str]:
    """The ``meta`` table; :class:`InputError` when the file is not a store of ours."""
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise InputError(label, f"not a pyward advisory store ({exc})") from None
    if meta.get("format") not in READABLE_FORMATS:
        raise InputError(
            label,
            f"advisory store format {meta.get('format')!r} is not {STORE_FORMAT!r}; "
            "run `pyward db update` to rebuild it",
        )
    return meta


def info_from_meta(meta: Mapping[str, str], *, path: str | None, snapshot: bool) -> StoreInfo:
    updated = datetime.fromisoformat(meta["updated"])
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=timezone.utc)
    source = meta["source"]
    return StoreInfo(
        source=f"built-in snapshot: {source}" if snapshot else source,
        updated=updated,
        record_count=int(meta["record_count"]),
        newest_modified=meta.get("newest_modified") or None,
        skipped=int(meta.get("skipped", "0")),
        snapshot=snapshot,
        path=path,
    )


class AdvisoryStore:
    """OSV advisories for PyPI, indexed by package; implements ``AdvisoryData``.

    Thread-safe: one connection guarded by a lock (held for one query at a time),
    so ``pyward serve`` can share one store across request threads.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        info: StoreInfo,
        *,
        path: Path | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> None:
        self._conn = conn
        self._info = info
        self._path = path
        self._meta = dict(meta or {})
        self._key = _file_key(path) if path is not None else None
        self._watch: Path | None = None
        self._lock = threading.RLock()
        self._entries: dict[str, list[CompiledEntry]] = {}
        self._advisories: dict[str, Advisory | None] = {}

    # -- construction -------------------------------------------------------------------

    @classmethod
    def open(cls, cache_dir: Path | None = None) -> AdvisoryStore:
        """The store in ``cache_dir`` (default: the user cache directory), else the
        built-in snapshot.

        Raises :class:`NoDataError` when there is neither.
        """
        directory = resolve_cache_dir(cache_dir)
        path = directory / STORE_FILE
        if path.is_file():
            return cls.open_file(path)
        store = open_snapshot(directory)
        if store is None:
            raise NoDataError(
                f"no advisory data: no store in {directory} and no built-in snapshot; "
                "run `pyward db update`"
            )
        store._watch = path  # ``refresh`` switches to the store once one is written
        return store

    @classmethod
    def open_file(cls, path: Path, *, snapshot: bool = False) -> AdvisoryStore:
        """Open one store file read-only."""
        conn = _connect_ro(path)
        try:
            meta = read_meta(conn, str(path))
        except BaseException:
            conn.close()
            raise
        info = info_from_meta(meta, path=str(path), snapshot=snapshot)
        return cls(conn, info, path=path, meta=meta)

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], source: str = "records"
    ) -> AdvisoryStore:
        """An in-memory store of OSV records (dicts), for tests and for library users.

        Strict: a malformed record raises :class:`pyward._advisory._osv.RecordError`.
        """
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        writer = StoreWriter(conn)
        for record in records:
            writer.add(record, origin="memory", file=None)
        meta = writer.finish(source=source, skipped=0)
        return cls(conn, info_from_meta(meta, path=None, snapshot=False), meta=meta)

    # -- AdvisoryData -------------------------------------------------------------------

    @property
    def info(self) -> StoreInfo:
        return self._info

    @property
    def meta(self) -> Mapping[str, str]:
        """Raw metadata (includes the HTTP validators of the last download)."""
        return self._meta

    def matches(
        self, name: str, version: str, *, among: Collection[str] | None = None
    ) -> list[Match]:
        entries = self._compiled(canonical_name(name))
        if not entries:
            return []
        cand = Candidate.of(version)
        found: dict[str, Match] = {}
        for entry in entries:
            if entry.advisory_id in found or (among is not None and entry.advisory_id not in among):
                continue
            hit = match_entry(entry, cand)
            if hit is not None:
                found[entry.advisory_id] = hit
        return sorted(found.values(), key=lambda m: _id_rank(m.advisory_id))

    def vulnerabilities(self, name: str, version: str) -> list[Vulnerability]:
        matches = self.matches(name, version)
        if not matches:
            return []
        advisories: dict[str, Advisory | None] = {
            m.advisory_id: self.advisory(m.advisory_id) for m in matches
        }
        # Union-find over the matched records: two records are one flaw when either
        # names the other, or both name the same alias/upstream id (PYSEC + GHSA of
        # one CVE).
        parent: dict[str, str] = {m.advisory_id: m.advisory_id for m in matches}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        owner: dict[str, str] = {}
        for rid, adv in advisories.items():
            linked: set[str] = {rid}
            if adv is not None:
                linked.update(adv.aliases)
                linked.update(adv.upstream)
            for other in linked:
                if other in owner:
                    parent[find(rid)] = find(owner[other])
                else:
                    owner[other] = rid
        groups: dict[str, list[Match]] = {}
        for m in matches:
            groups.setdefault(find(m.advisory_id), []).append(m)
        # ``matches`` are in rank order, so each group is, and the groups come in the
        # order of their first ids: no sorting but the aliases'.
        out = []
        for group in groups.values():
            ids: list[str] = [m.advisory_id for m in group]
            aliases: set[str] = set()
            for m in group:
                adv = advisories[m.advisory_id]
                if adv is not None:
                    aliases.update(adv.aliases)
            ids.extend(sorted(aliases.difference(ids), key=_id_rank))
            out.append(
                Vulnerability(
                    ids=tuple(ids),
                    advisories=tuple(a for m in group if (a := advisories[m.advisory_id])),
                    matches=tuple(group),
                )
            )
        return out

    def advisory(self, advisory_id: str) -> Advisory | None:
        if advisory_id in self._advisories:
            return self._advisories[advisory_id]
        data = self.record(advisory_id)
        if data is None:
            return None
        advisory = parse_advisory(data, file=self._info.path)
        self._advisories[advisory_id] = advisory
        return advisory

    def record(self, advisory_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT doc FROM records WHERE id = ?", (advisory_id,)
            ).fetchone()
        if row is None:
            return None
        # stdlib json, not orjson, on read paths: importing orjson imports uuid and
        # platform, more work than the decoding it would save here (bench/README.md).
        data: dict[str, Any] = json.loads(zlib.decompress(row[0]))
        return data

    def prefetch(self, names: Iterable[str]) -> None:
        """Load the entries of many packages with one query per 500 names instead of one
        per name (``audit`` calls it with every component's name before matching).

        Only an optimisation: a package whose entries cannot be compiled is left for
        :meth:`matches` to load (and report) on its own.
        """
        wanted = sorted({canonical_name(n) for n in names}.difference(self._entries))
        if not wanted:
            return
        by_name: dict[str, list[tuple[str, bytes, str, str]]] = {n: [] for n in wanted}
        for name, rid, blob, versions, canon in self._select_in(
            "SELECT name, id, entry, versions, canon FROM affected "
            "WHERE name IN ({marks}) ORDER BY name, rowid",
            wanted,
        ):
            by_name[name].append((rid, blob, versions, canon))
        for name, found in by_name.items():
            try:
                self._entries[name] = _compile_rows(name, found)
            except (ValueError, KeyError, TypeError):
                continue

    def scores(self, ids: Iterable[str]) -> dict[tuple[str, str], float | str]:
        """``(type, vector)`` -> base score, or the reason it cannot be scored, of every
        CVSS vector of these records, as ``db update`` computed them."""
        if self._meta.get("format") != STORE_FORMAT:
            return {}  # a format-2 store: no scores kept
        rows = self._select_in(
            "SELECT type, vector, base, reason FROM scores WHERE id IN ({marks})",
            sorted(set(ids)),
        )
        return {(t, v): base if base is not None else reason or "" for t, v, base, reason in rows}

    def ids_for_package(self, name: str) -> list[AdvisoryId]:
        ids = {e.advisory_id for e in self._compiled(canonical_name(name))}
        return sorted(ids, key=_id_rank)

    def ids_for_alias(self, alias: str) -> list[AdvisoryId]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT id FROM aliases WHERE alias = ?", (alias.strip().casefold(),)
            ).fetchall()
        return sorted((AdvisoryId(r[0]) for r in rows), key=_id_rank)

    # -- more than the protocol ---------------------------------------------------------

    def all_ids(self) -> list[str]:
        """Every record id, withdrawn ones too (for the server's listing and tests)."""
        with self._lock:
            rows = self._conn.execute("SELECT id FROM records ORDER BY id").fetchall()
        return [r[0] for r in rows]

    def package_names(self) -> list[str]:
        """Every normalised package name with at least one non-withdrawn record."""
        with self._lock:
            rows = self._conn.execute("SELECT DISTINCT name FROM affected ORDER BY name").fetchall()
        return [r[0] for r in rows]

    def refresh(self) -> bool:
        """Reopen when ``db update`` replaced the file since it was opened (one stat).

        Lookups in flight finish on the old connection (the old inode stays readable).
        """
        if self._watch is not None:
            # Serving the snapshot: switch to the real store once ``db update`` wrote one.
            path, snapshot = self._watch, False
            key = _file_key(path)
            if key is None:
                return False
        else:
            if self._path is None or self._key is None:
                return False
            path, snapshot = self._path, self._info.snapshot
            key = _file_key(path)
            if key is None or key == self._key:
                return False
        try:
            conn = _connect_ro(path)
            meta = read_meta(conn, str(path))
        except (InputError, sqlite3.Error):
            return False  # keep serving the old data rather than fail
        with self._lock:
            old, self._conn = self._conn, conn
            self._meta = meta
            self._info = info_from_meta(meta, path=str(path), snapshot=snapshot)
            self._path, self._key, self._watch = path, key, None
            self._entries = {}
            self._advisories = {}
        old.close()
        return True

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AdvisoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------

    def _compiled(self, name: str) -> list[CompiledEntry]:
        cached = self._entries.get(name)
        if cached is not None:
            return cached
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, entry, versions, canon FROM affected WHERE name = ?", (name,)
            ).fetchall()
        entries = _compile_rows(name, rows)
        if entries:
            # Only names the store knows: the server asks about any name a client
            # sends, and a cache of misses would grow without bound (issue 12, item 2).
            self._entries[name] = entries
        return entries

    def _select_in(self, query: str, values: list[str]) -> list[Any]:
        """The rows of ``query`` (``{marks}``: its ``IN`` list) for every value, 500
        values per statement (SQLite before 3.32 allows 999 parameters in one)."""
        rows: list[Any] = []
        with self._lock:
            for i in range(0, len(values), 500):
                chunk = values[i : i + 500]
                rows += self._conn.execute(
                    query.format(marks=",".join("?" * len(chunk))), chunk
                ).fetchall()
        return rows


def open_snapshot(cache_dir: Path, data_dir: Path | None = None) -> AdvisoryStore | None:
    """The built-in snapshot as a store, unpacked into ``cache_dir`` once (into memory
    when that directory is not writable); ``None`` when the package ships none."""
    unpacked = unpack(cache_dir, data_dir)
    if unpacked is None:
        return None
    if isinstance(unpacked, Path):
        return AdvisoryStore.open_file(unpacked, snapshot=True)
    meta = read_meta(unpacked, str(artifact(data_dir)))
    return AdvisoryStore(unpacked, info_from_meta(meta, path=None, snapshot=True), meta=meta)


def _compile_rows(name: str, rows: Iterable[tuple[str, bytes, str, str]]) -> list[CompiledEntry]:
    """The compiled entries of one package's ``affected`` rows ``(id, entry, versions,
    canon)``."""
    return [
        compile_entry(rid, name, {**_entry_doc(blob), "v": versions, "c": canon})
        for rid, blob, versions, canon in rows
    ]


# stdlib json, not orjson: see ``record``. ``raw_decode`` reads each ``entry`` as
# ``json.loads`` would, without detecting the text's encoding first: ``db update``
# writes every entry as compact UTF-8 JSON.
_DECODER = json.JSONDecoder()


def _entry_doc(blob: bytes) -> Any:
    """``json.loads(blob)``, read by ``raw_decode`` alone when it is one compact UTF-8
    JSON value (how ``db update`` writes it), else by ``json.loads`` with its errors."""
    if type(blob) is bytes:
        try:
            text = blob.decode()
            doc, end = _DECODER.raw_decode(text)
        except (ValueError, RecursionError):  # UnicodeDecodeError, JSONDecodeError
            pass
        else:
            if end == len(text):
                return doc
    return json.loads(blob)


def _score_row(result: float | str) -> tuple[float | None, str | None]:
    return (None, result) if isinstance(result, str) else (result, None)


def _connect_ro(path: Path) -> sqlite3.Connection:
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error as exc:
        raise InputError(path, f"cannot open the advisory store ({exc})") from None
    return conn


class StoreWriter:
    """Fills a fresh store (a new file, or memory) record by record.

    Used by ``from_records``, ``db update`` and the snapshot build; ``copy_from``
    carries unchanged rows over from the previous store without parsing them.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.executescript(_SCHEMA)
        self.ids: dict[str, str] = {}
        """id -> ``modified`` of every record written so far."""
        self.newest: str = ""

    def add(self, data: Mapping[str, Any], *, origin: str, file: str | None) -> Advisory:
        """Validate and write one record; raises ``RecordError`` when it is malformed."""
        advisory = parse_advisory(data, file=file)
        self.write(advisory, data, origin)
        return advisory

    def write(self, advisory: Advisory, data: object, origin: str) -> None:
        """Write one record already validated into ``advisory`` (``data``: its OSV JSON),
        replacing an earlier record of the same id."""
        # Imported here: only ``db update`` writes, and ``orjson`` (with ``uuid`` and
        # ``platform``) is not needed to read.
        import orjson

        doc = zlib.compress(orjson.dumps(data), 6)
        if advisory.id in self.ids:
            self.conn.execute("DELETE FROM records WHERE id = ?", (advisory.id,))
            self.conn.execute("DELETE FROM affected WHERE id = ?", (advisory.id,))
            self.conn.execute("DELETE FROM aliases WHERE id = ?", (advisory.id,))
            self.conn.execute("DELETE FROM scores WHERE id = ?", (advisory.id,))
        self.conn.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
            (advisory.id, advisory.modified, 1 if advisory.withdrawn else 0, origin, doc),
        )
        if not advisory.withdrawn:
            rows = []
            for a in advisory.affected:
                entry = compact_entry(a)
                versions, canon = entry.pop("v"), entry.pop("c")
                rows.append((a.name, advisory.id, orjson.dumps(entry), versions, canon))
            self.conn.executemany("INSERT INTO affected VALUES (?, ?, ?, ?, ?)", rows)
        vectors = {(sev.type, sev.score) for sev in advisory.severity if sev.type in CVSS_TYPES}
        self.conn.executemany(
            "INSERT INTO scores VALUES (?, ?, ?, ?, ?)",
            (
                (advisory.id, kind, vector, *_score_row(score_or_reason(kind, vector)))
                for kind, vector in sorted(vectors)
            ),
        )
        names = {a.casefold() for a in (*advisory.aliases, *advisory.upstream) if a}
        names.discard(advisory.id.casefold())
        self.conn.executemany(
            "INSERT INTO aliases VALUES (?, ?)", ((a, advisory.id) for a in sorted(names))
        )
        self.ids[advisory.id] = advisory.modified
        self.newest = max(self.newest, advisory.modified)

    def copy_from(self, schema: str, origins: Iterable[str]) -> list[tuple[str, str]]:
        """Copy the rows of an ATTACHed store whose ``origin`` is in ``origins``;
        returns ``(id, modified)`` of the copied records."""
        if self.ids:
            raise RuntimeError("copy_from must run before any record is written")
        self.conn.execute("CREATE TEMP TABLE keep(origin TEXT PRIMARY KEY) WITHOUT ROWID")
        self.conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((o,) for o in origins))
        # ``schema`` is the caller's ATTACH alias (a constant), not data; SQL cannot bind
        # an identifier as a parameter (Bandit's B608 and ruff's S608 reviewed).
        self.conn.execute(
            f"INSERT INTO records SELECT r.* FROM {schema}.records r "  # noqa: S608 # nosec B608
            "JOIN keep k ON r.origin = k.origin"
        )
        self.conn.execute(
            f"INSERT INTO affected SELECT a.* FROM {schema}.affected a "  # noqa: S608 # nosec B608
            f"JOIN {schema}.records r ON a.id = r.id JOIN keep k ON r.origin = k.origin"
        )
        self.conn.execute(
            f"INSERT INTO aliases SELECT a.* FROM {schema}.aliases a "  # noqa: S608 # nosec B608
            f"JOIN {schema}.records r ON a.id = r.id JOIN keep k ON r.origin = k.origin"
        )
        self.conn.execute(
            f"INSERT INTO scores SELECT s.* FROM {schema}.scores s "  # noqa: S608 # nosec B608
            f"JOIN {schema}.records r ON s.id = r.id JOIN keep k ON r.origin = k.origin"
        )
        fresh = self.conn.execute("SELECT id, modified FROM records").fetchall()
        self.conn.execute("DROP TABLE temp.keep")
        for rid, modified in fresh:
            self.ids[rid] = modified
            self.newest = max(self.newest, modified)
        return fresh

    def finish(
        self, *, source: str, skipped: int, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """Index, write the metadata, commit; returns the metadata."""
        self.conn.executescript(_INDEXES)
        meta = {
            "format": STORE_FORMAT,
            "source": source,
            "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "record_count": str(len(self.ids)),
            "newest_modified": self.newest,
            "skipped": str(skipped),
            **(extra or {}),
        }
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
        self.conn.commit()
        return meta
