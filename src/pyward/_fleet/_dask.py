"""The fleet on an existing Dask distributed cluster (``pyward fleet ... --dask ADDRESS``).

Workers need only pyward and the advisory store, not the projects: the client reads
each project's inputs (:attr:`~._model.Project.inputs`) and ships their bytes with the
task; the worker writes them into a private temporary directory with the same relative
layout, runs :func:`~._work.run_project` on that copy (messages name the project's own
paths again) and removes the copy. Each worker opens its own store (its
``PYWARD_CACHE_DIR``, else its user cache directory, else the built-in snapshot), so
the results equal a local run when the workers hold the same advisory data; each result
names the data it used, and the fleet report says when they differ.

Of the client's environment, a worker gets only what decides a project's result
(:data:`SHIPPED_VARIABLES`, and the ``${VAR}`` a shipped requirements file expands);
where its own store is (``PYWARD_CACHE_DIR``) and its netrc credentials are the
worker's own.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

# The options of the job that name a file on the client (the cache hashes them): the
# file is shipped with every task and the option names the worker's copy.
from pyward._fleet._model import FleetJob, Project, ProjectResult, job_file_options
from pyward.errors import NetworkError

__all__ = [
    "MAX_PROJECT_BYTES",
    "SHIPPED_VARIABLES",
    "WORKER_VARIABLES",
    "ClientFactory",
    "DaskRunner",
    "JobFile",
    "Returned",
    "Shipment",
    "job_files",
    "remote_environ",
    "run_batch",
    "ship",
]

#: The most a project may ship to a worker, all its inputs together.
MAX_PROJECT_BYTES = 64 * 1024 * 1024

#: Settings of the client's environment that decide a project's result, and so go to
#: the workers: never asking an index (``PYWARD_OFFLINE``), which index is asked
#: (``PYWARD_INDEX_URL`` and the installers' index settings), the largest input read,
#: the advisory links and the clock of the per-project pages (``--pages``).
#: ``PIP_CONFIG_FILE`` is not among them: it names a file on the client.
SHIPPED_VARIABLES: tuple[str, ...] = (
    "PYWARD_OFFLINE",
    "PYWARD_INDEX_URL",
    "PYWARD_MAX_INPUT_BYTES",
    "PYWARD_ADVISORY_URL",
    "SOURCE_DATE_EPOCH",
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "PIP_INDEX_URL",
)

#: Settings a worker takes from its own environment: where its store is, and its
#: credentials for a private index (``NETRC``, else ``~/.netrc``).
WORKER_VARIABLES: tuple[str, ...] = ("PYWARD_CACHE_DIR", "NETRC", "HOME")

#: Tasks hold at most this many bytes of inputs in their arguments; a larger project
#: goes to the cluster on its own, scattered first (Dask warns about larger graphs).
_BATCH_BYTES = 4 * 1024 * 1024

#: pip's ``${VAR}`` syntax in requirements files (the reader's own pattern).
_ENV_VAR = re.compile(rb"\$\{([A-Z0-9_]+)\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class JobFile:
    """A file an option of the job names, shipped with every task."""

    index: int
    """The index in :attr:`FleetJob.argv` of the argument that names it."""
    prefix: str
    """What comes before the path in that argument (``--policy=``), or ``""``."""
    path: str
    """The path as given on the client (messages name it again)."""
    name: str
    """Its file name, kept on the worker (some readers go by it)."""
    data: bytes
    """Its content."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipment:
    """One project as it travels to a worker."""

    project: Project
    """The project (its paths are the client's)."""
    root: str
    """The client's directory the files are relative to (holding the target and every
    input)."""
    target: str
    """The target relative to :attr:`root` (``.``: the root itself), ``/``-separated."""
    files: tuple[tuple[str, bytes], ...]
    """Each input as (path relative to :attr:`root`, ``/``-separated; its bytes)."""
    variables: tuple[tuple[str, str], ...] = ()
    """The ``${VAR}`` settings its files expand, from the job's environment."""

    @property
    def size(self) -> int:
        """The bytes it ships."""
        return sum(len(data) for _, data in self.files)


@dataclass(frozen=True, slots=True, kw_only=True)
class Returned:
    """What a worker sends back for one project."""

    result: ProjectResult
    """The project's result (the client's paths in every message)."""
    page: bytes | None = None
    """Its HTML page (``--pages``), which the client writes."""


def remote_environ(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The settings of ``environ`` a remote worker gets (:data:`SHIPPED_VARIABLES`)."""
    return tuple((k, environ[k]) for k in SHIPPED_VARIABLES if k in environ)


def ship(
    project: Project, environ: Mapping[str, str], *, limit: int = MAX_PROJECT_BYTES
) -> Shipment | ProjectResult:
    """``project`` ready to travel, or the ``failed`` result saying why it cannot."""
    if project.environment:
        return _failed(
            project,
            f"{project.target}: an installed environment cannot be shipped to a Dask "
            "worker; audit it on its own machine (pyward audit, or pyward fleet without "
            "--dask)",
        )
    target = Path(project.target)
    paths = [Path(p) for p in project.inputs]
    if target.is_file() and target not in paths:
        paths.append(target)
    if not paths:
        return _failed(project, f"{project.target}: no input files to ship to a Dask worker")
    directory = target if target.is_dir() else target.parent
    root = Path(os.path.commonpath([directory, *paths]))
    files: list[tuple[str, bytes]] = []
    total = 0
    for path in sorted(set(paths)):
        try:
            size = path.stat().st_size
            total += size
            if total > limit:
                return _failed(
                    project,
                    f"{project.target}: its inputs hold more than {limit} bytes, the most "
                    "shipped to a Dask worker; audit it without --dask",
                )
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return _failed(project, f"{path}: cannot be read to ship to a Dask worker: {reason}")
        files.append((path.relative_to(root).as_posix(), data))
    names = sorted({m.decode() for _, data in files for m in _ENV_VAR.findall(data)})
    variables = tuple((n, environ[n]) for n in names if n in environ)
    relative = target.relative_to(root).as_posix() if target != root else "."
    return Shipment(
        project=project, root=str(root), target=relative, files=tuple(files), variables=variables
    )


def job_files(job: FleetJob) -> tuple[JobFile, ...]:
    """The files the job's options name (:data:`JOB_FILE_OPTIONS`) that exist here.

    A value that is not a file here (an ``https://`` policy) travels as given.
    """
    found: list[JobFile] = []
    for index, prefix, value in job_file_options(job.argv):
        path = Path(value)
        try:
            if not path.is_file():
                continue
            data = path.read_bytes()
        except OSError:
            # Unreadable here: the worker's run reports it as the local run would.
            continue
        found.append(JobFile(index=index, prefix=prefix, path=value, name=path.name, data=data))
    return tuple(found)


def _failed(project: Project, error: str) -> ProjectResult:
    return ProjectResult(project=project.id, state="failed", error=error)


def _worker_environ(job: FleetJob, shipment: Shipment) -> tuple[tuple[str, str], ...]:
    from pyward._settings import process_environ

    # The worker's own environment decides where its store is, as the CLI's does for a
    # local run.
    own = process_environ(WORKER_VARIABLES)
    merged = {**dict(job.environ), **dict(shipment.variables), **own}
    return tuple(sorted(merged.items()))


def _safe_relative(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def run_batch(
    shipments: Sequence[Shipment], job: FleetJob, files: Sequence[JobFile]
) -> list[Returned]:
    """On a worker: each project of ``shipments`` on a private copy of its files."""
    import tempfile

    from pyward._fleet._work import replace_path, run_project

    returned: list[Returned] = []
    with tempfile.TemporaryDirectory(prefix="pyward-fleet-") as scratch:
        base = Path(scratch)
        argv = list(job.argv)
        copies: list[tuple[str, str]] = []
        for n, jf in enumerate(files):
            copy = base / "job" / str(n) / jf.name
            copy.parent.mkdir(parents=True)
            copy.write_bytes(jf.data)
            argv[jf.index] = f"{jf.prefix}{copy}"
            copies.append((str(copy), jf.path))
        pages = base / "pages" if job.pages is not None else None
        if pages is not None:
            pages.mkdir()
        for n, shipment in enumerate(shipments):
            root = base / "p" / str(n)
            # Configuration is looked for up to the repository root: the copy is one, so
            # nothing of the worker's own file system above it is read.
            (root / ".git").mkdir(parents=True)
            bad = [rel for rel, _ in shipment.files if not _safe_relative(rel)]
            if bad or not (shipment.target == "." or _safe_relative(shipment.target)):
                returned.append(
                    Returned(
                        result=_failed(
                            shipment.project, f"{shipment.project.target}: unsafe shipped path"
                        )
                    )
                )
                continue
            for rel, data in shipment.files:
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            target = root if shipment.target == "." else root / shipment.target
            worker_job = dataclasses.replace(
                job,
                argv=tuple(argv),
                environ=_worker_environ(job, shipment),
                pages=str(pages) if pages is not None else None,
            )
            result = run_project(shipment.project, worker_job, target=str(target))
            result = replace_path(result, str(root), shipment.root)
            for here, there in copies:
                result = replace_path(result, here, there)
            page = None
            if pages is not None and result.page is not None:
                page = _page(pages / result.page, [(str(root), shipment.root), *copies])
            returned.append(Returned(result=result, page=page))
    return returned


def _page(path: Path, moves: Sequence[tuple[str, str]]) -> bytes:
    """The page the worker wrote, naming the client's paths."""
    text = path.read_text(encoding="utf-8")
    for here, there in moves:
        text = _moved(text, here, there)
    return text.encode("utf-8")


def _moved(html: str, here: str, there: str) -> str:
    """``html`` with the path ``here`` shown as ``there``. A page shows a path as HTML
    text with line-break opportunities (``<wbr>``) after some characters (``/``): the
    client's path gets them after the same characters."""
    from pyward._render._html_page import esc

    old, new = esc(here), esc(there)
    pattern = re.compile("(?:<wbr>)?".join(re.escape(c) for c in old))

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        breaks = {found[i - 1] for i in range(1, len(found)) if found.startswith("<wbr>", i)}
        return "".join(f"{c}<wbr>" if c in breaks else c for c in new)

    return pattern.sub(swap, html)


#: Makes the connected ``distributed.Client`` for an address (typed ``Any``: the
#: library ships no type information).
ClientFactory = Callable[[str], Any]


class DaskRunner:
    """Runs the fleet's projects on the Dask cluster whose scheduler is at ``address``.

    ``client_factory`` makes the client (tests, or a ``dask-gateway`` cluster's
    ``get_client``); by default a :class:`distributed.Client` connected to ``address``
    within ``timeout`` seconds. ``batch`` projects go in one task; ``retries`` is how
    often a task that raised is run again.
    """

    def __init__(
        self,
        address: str,
        *,
        client_factory: ClientFactory | None = None,
        timeout: float = 30.0,
        batch: int = 8,
        retries: int = 1,
        limit: int = MAX_PROJECT_BYTES,
    ) -> None:
        self.address = address
        self._factory = client_factory
        self._timeout = timeout
        self._batch = max(1, batch)
        self._retries = retries
        self._limit = limit
        self._client: Any = None
        self._workers = 0
        self._threads = 0
        self._quiet: list[tuple[logging.Handler, int]] = []

    @property
    def description(self) -> str:
        noun = "worker" if self._workers == 1 else "workers"
        return f"Dask at {self.address} ({self._workers} {noun})"

    def __enter__(self) -> DaskRunner:
        from pyward._extras import require

        require("dask", what="pyward fleet --dask")
        self._quiet = _quiet_distributed()
        try:
            client = self._connect()
            info = client.scheduler_info()
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            _restore(self._quiet)
            raise NetworkError(
                f"--dask {self.address}: cannot reach the Dask scheduler: {_one_line(exc)}"
            ) from None
        workers: Mapping[str, Any] = info.get("workers", {})
        self._client = client
        self._workers = len(workers)
        self._threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        return self

    def _connect(self) -> Any:
        if self._factory is not None:
            return self._factory(self.address)
        from distributed import Client

        client: Any = Client  # the library ships no type information
        return client(self.address, timeout=self._timeout, set_as_default=False)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._client is not None:
                self._client.close()
                self._client = None
        finally:
            _restore(self._quiet)
            self._quiet = []

    def run(self, projects: Sequence[Project], job: FleetJob) -> Iterator[ProjectResult]:
        if self._client is None:
            raise RuntimeError("DaskRunner.run outside its with block")
        client = self._client
        environ = job.environ_map()
        remote_job = dataclasses.replace(job, environ=remote_environ(environ))
        files = job_files(job)
        shared = client.scatter(list(files), broadcast=True, hash=False) if files else []
        batches = self._batches(projects, environ)
        # Bounded submission: one task per worker thread in flight, the next batch read
        # and sent as one completes, so a fleet of any size holds little in memory. No
        # more: a task waiting on a worker that dies is counted as one of its possible
        # killers (distributed.scheduler.allowed-failures) as much as the running one.
        window = max(1, self._threads)
        import distributed

        completing: Any = distributed.as_completed
        pending: Any = completing(loop=client.loop)
        batch_of: dict[str, list[Shipment]] = {}
        killed: set[str] = set()
        # Tasks to run again (a failed batch's projects, one by one), before new ones.
        again: deque[list[Shipment]] = deque()
        pages = Path(job.pages) if job.pages is not None else None

        def submit(batch: list[Shipment]) -> None:
            size = sum(s.size for s in batch)
            payload: Any = batch
            if size > _BATCH_BYTES:
                payload = client.scatter([batch], hash=False)[0]
            future = client.submit(
                run_batch, payload, remote_job, shared, pure=False, retries=self._retries
            )
            batch_of[str(future.key)] = batch
            pending.add(future)

        def fill() -> Iterator[ProjectResult]:
            while pending.count() < window:
                if again:
                    submit(again.popleft())
                    continue
                item = next(batches, None)
                if item is None:
                    return
                if isinstance(item, ProjectResult):
                    yield item
                else:
                    submit(item)

        yield from fill()
        for future in pending:
            batch = batch_of.pop(str(future.key))
            yield from self._collect(future, batch, again.append, pages, killed)
            yield from fill()

    def _batches(
        self, projects: Sequence[Project], environ: Mapping[str, str]
    ) -> Iterator[list[Shipment] | ProjectResult]:
        batch: list[Shipment] = []
        size = 0
        for project in projects:
            item = ship(project, environ, limit=self._limit)
            if isinstance(item, ProjectResult):
                yield item
                continue
            if batch and (len(batch) >= self._batch or size + item.size > _BATCH_BYTES):
                yield batch
                batch, size = [], 0
            batch.append(item)
            size += item.size
        if batch:
            yield batch

    def _collect(
        self,
        future: Any,
        batch: list[Shipment],
        again: Callable[[list[Shipment]], None],
        pages: Path | None,
        killed: set[str],
    ) -> Iterator[ProjectResult]:
        """The results of one completed task; a task that failed is split and run
        ``again`` (``killed``: the projects already given up on once as a task of their
        own)."""
        from distributed import KilledWorker

        try:
            returned: list[Returned] = future.result()
        except Exception as exc:
            if _lost(exc):
                raise NetworkError(
                    f"--dask {self.address}: lost the connection to the Dask scheduler "
                    "before the run completed"
                ) from None
            if len(batch) > 1:
                # One project may be what kills its worker: each again on its own, so only
                # that one fails.
                for shipment in batch:
                    again([shipment])
                return
            project = batch[0].project
            if isinstance(exc, KilledWorker) and project.id not in killed:
                # It may only have been waiting on the worker another task killed: a
                # second chance, alone.
                killed.add(project.id)
                again(batch)
                return
            if isinstance(exc, KilledWorker):
                why = f"the Dask worker running it died ({_one_line(exc)})"
            else:
                why = f"internal error on the Dask worker: {type(exc).__name__}: {_one_line(exc)}"
            yield _failed(project, f"{project.target}: {why}")
            return
        for item in returned:
            if item.page is not None and pages is not None and item.result.page is not None:
                from pyward._atomic import write_atomic

                write_atomic(pages / item.result.page, item.page)
            yield item.result


def _quiet_distributed() -> list[tuple[logging.Handler, int]]:
    """Silence the handlers distributed logs to while the client is open: what goes
    wrong is one line from pyward (an unreachable or lost scheduler, a failed project),
    not distributed's log of every reconnection attempt with its traceback. Returns
    each handler with the level to give back."""
    saved = []
    for handler in logging.getLogger("distributed").handlers:
        saved.append((handler, handler.level))
        handler.setLevel(logging.CRITICAL + 1)
    return saved


def _restore(saved: Sequence[tuple[logging.Handler, int]]) -> None:
    for handler, level in saved:
        handler.setLevel(level)


def _lost(exc: BaseException) -> bool:
    """The client lost its scheduler (not one task's failure)."""
    from concurrent.futures import CancelledError

    return isinstance(exc, CancelledError)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
