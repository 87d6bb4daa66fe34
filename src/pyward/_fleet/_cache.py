"""The incremental cache: a project whose inputs did not change is not run again.

A project's key is a SHA-256 over everything its result depends on: pyward's version,
the job (command, options, environment), the project's id and target, the bytes of
each of its input files (for an environment: the names of its ``*.dist-info``
directories and the size and time of each ``METADATA``), the bytes of the files the
job's options name (``--policy``, ``--vex``, ``--config``), the date, and the advisory
data's fingerprint (its source, update time, record count and newest record). New
advisory data changes every key, so everything is audited again; so does a new day,
since a result depends on the date (an ignore's ``until``, end of life, cooldown).

A job whose checks ask the package index (``status``, and ``audit`` or ``check``
without ``--offline``) gives results that age with the index: its entries expire after
the index metadata cache's own max-age (:data:`pyward._sources.index._client.DEFAULT_MAX_AGE`),
so statuses (a yanked release, an archived project) stay as fresh as a single
``pyward audit`` would report them. ``--refresh`` reads no entry.

Entries are JSON (:meth:`ProjectResult.to_json`) under ``CACHE_DIR/fleet/``, written
atomically; one that cannot be read back is ignored and the project run again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward._fleet._model import FleetJob, Project, ProjectResult, job_file_options

if TYPE_CHECKING:
    from pyward._advisory._types import StoreInfo

__all__ = [
    "FORMAT",
    "FleetCache",
    "data_fingerprint",
    "job_files_fingerprint",
    "uses_index",
]

#: The entries' format; a change makes every old entry a miss.
FORMAT = 1


def data_fingerprint(info: StoreInfo | None) -> str:
    """What identifies the advisory data: any change re-runs every project."""
    if info is None:
        return "no advisory data"
    return json.dumps(
        [info.source, info.updated.isoformat(), info.record_count, info.newest_modified]
    )


def job_files_fingerprint(job: FleetJob) -> str:
    """What identifies the files the job's options name (``--policy``, ``--vex``,
    ``--config``): their paths and the SHA-256 of their bytes, so an edited policy or
    VEX document re-runs every project. A URL, or a file that cannot be read, counts
    by its name alone (each project's run reports it)."""
    named: list[list[str | None]] = []
    for index, prefix, value in job_file_options(job.argv):
        option = prefix.rstrip("=") or job.argv[index - 1]
        try:
            digest: str | None = _file_digest(value).hex()
        except OSError:
            digest = None
        named.append([option, value, digest])
    return json.dumps(named, ensure_ascii=False)


def uses_index(job: FleetJob) -> bool:
    """The job's checks may ask the package index (its results age with the index)."""
    environ = job.environ_map()
    offline = "--offline" in job.argv or environ.get("PYWARD_OFFLINE", "") not in ("", "0")
    return not offline


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetCache:
    """Results by key, in ``directory`` (``CACHE_DIR/fleet``)."""

    directory: Path
    """Where entries live."""
    data: str
    """:func:`data_fingerprint` of the advisory data the run uses."""
    max_age: dt.timedelta | None = None
    """How long an entry stays valid (None: until its key changes)."""
    read: bool = True
    """Entries are read (``--refresh``: written only)."""
    files: str = ""
    """:func:`job_files_fingerprint` of the files the job's options name."""
    today: str = ""
    """The run's date (ISO): what the date-bound parts of a result are measured against
    (an ignore's ``until``, end of life, unmaintained, cooldown)."""

    @classmethod
    def for_job(
        cls,
        cache_dir: Path,
        job: FleetJob,
        info: StoreInfo | None,
        *,
        today: dt.date | None = None,
    ) -> FleetCache:
        """The cache of ``job``'s run with the advisory data ``info`` describes, on
        ``today`` (default: the local date, as each project's run takes it)."""
        from pyward._sources.index._client import DEFAULT_MAX_AGE

        return cls(
            directory=cache_dir / "fleet",
            data=data_fingerprint(info),
            max_age=DEFAULT_MAX_AGE if uses_index(job) else None,
            read="--refresh" not in job.argv,
            files=job_files_fingerprint(job),
            today=(today or dt.date.today()).isoformat(),
        )

    def key(self, project: Project, job: FleetJob) -> str | None:
        """The project's key; None when an input cannot be read (it is then run, and
        its own run reports why)."""
        from pyward import __version__

        digest = hashlib.sha256()

        def part(value: object) -> None:
            data = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogateescape")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)

        part([FORMAT, __version__, self.data, self.files, self.today])
        part([job.command, list(job.argv), [list(kv) for kv in job.environ], job.pages])
        part([project.id, project.target, project.environment, list(project.inputs)])
        try:
            for path in project.inputs:
                digest.update(_file_digest(path))
            if project.environment:
                part(_environment_state(project.target))
        except OSError:
            return None
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def load(self, key: str, *, now: dt.datetime | None = None) -> ProjectResult | None:
        """The cached result, or None (no entry, expired, or unreadable)."""
        if not self.read:
            return None
        try:
            with open(self._path(key), "rb") as fh:
                document = json.loads(fh.read())
            if not isinstance(document, dict) or document.get("key") != key:
                return None
            if self.max_age is not None:
                written = dt.datetime.fromisoformat(str(document["written"]))
                age = (now or dt.datetime.now(dt.timezone.utc)) - written
                if not dt.timedelta(0) <= age < self.max_age:
                    return None
            result = document["result"]
            if not isinstance(result, Mapping):
                return None
            return ProjectResult.from_json(result)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None  # a missing, corrupt or foreign entry: run the project again

    def store(self, key: str, result: ProjectResult, *, now: dt.datetime | None = None) -> None:
        """Keep ``result`` under ``key``; a cache that cannot be written is not an error
        (the next run audits the project again)."""
        from pyward._atomic import write_atomic
        from pyward._render._common import json_text
        from pyward.errors import UsageError

        written = (now or dt.datetime.now(dt.timezone.utc)).isoformat()
        document: dict[str, Any] = {"key": key, "written": written, "result": result.to_json()}
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json_text(document).encode("utf-8"))
        except (OSError, UsageError):
            return


def _file_digest(path: str) -> bytes:
    """SHA-256 of a file's bytes (raises ``OSError``)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.digest()


def _environment_state(target: str) -> list[list[object]]:
    """What an environment's result depends on: each ``*.dist-info`` directory's name
    and its ``METADATA``'s size and modification time, sorted."""
    state: list[list[object]] = []
    for root, dirs, _files in os.walk(target):
        # site-packages holds the dist-info directories; no need to look inside packages.
        keep = []
        for name in dirs:
            if name.endswith(".dist-info"):
                metadata = os.path.join(root, name, "METADATA")
                try:
                    st = os.stat(metadata)
                    state.append(
                        [
                            os.path.relpath(os.path.join(root, name), target),
                            st.st_size,
                            st.st_mtime_ns,
                        ]
                    )
                except OSError:
                    state.append([os.path.relpath(os.path.join(root, name), target), None, None])
            elif name in _ON_THE_WAY or (name.startswith("python") and root != target):
                keep.append(name)
        dirs[:] = keep
    return sorted(state, key=lambda s: str(s[0]))


#: Directories between an environment's root and its ``*.dist-info`` directories
#: (``lib/python3.12/site-packages``, ``Lib/site-packages``): the walk enters no other.
_ON_THE_WAY = frozenset({"lib", "Lib", "lib64", "site-packages", "dist-packages"})
