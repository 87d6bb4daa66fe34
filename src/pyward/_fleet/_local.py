"""The local runner: a pool of worker processes on this machine.

Each worker starts once for the whole run and audits project after project: its
initializer imports pyward's audit path, so a project costs only its own audit. Workers
open nothing shared for writing; the advisory store is SQLite opened read-only by each
worker. The parent hands out small batches of projects (a pipe round trip per batch,
not per project), keeps at most a few batches per worker in flight, and keeps nothing
of a project but its :class:`~pyward._fleet._model.ProjectResult`.

A worker reports each project's result as it completes, so when one dies (a segfault,
``os._exit``, the kernel's out-of-memory killer) the parent knows which project it was
on: that project is retried alone on a fresh worker and, if that worker dies too, is
reported ``failed`` with how it died; the rest of its batch goes back in the queue.
With a timeout, a worker on a project for longer is killed and the project reported
``failed`` ("timed out after N s").

Workers are started with ``forkserver`` where the platform has it (else ``spawn``):
``fork`` would copy a parent that may hold threads and open SQLite connections (a
library caller's), which POSIX and SQLite both say not to use in the child. The fork
server imports pyward's audit path once (``set_forkserver_preload``), so each worker
starts from a process that has it already.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import Any

from pyward._fleet._model import FleetJob, Project, ProjectResult
from pyward._fleet._work import run_project

__all__ = ["LocalRunner", "Work", "default_jobs"]

Work = Callable[[Project, FleetJob], ProjectResult]
"""What a worker does with each project: :func:`~pyward._fleet._work.run_project`. A
test may pass another module-level function (one that makes the worker die on a chosen
project) to prove the runner survives it; it must be importable by the workers."""

#: Modules each worker (and the fork server) imports before its first project.
PRELOAD = (
    "pyward._fleet._work",
    "pyward._commands.audit",
    "pyward._commands.check",
    "pyward._audit",
    "pyward._advisory",
    "pyward._inventory",
)
#: Largest batch of projects handed to a worker at once.
MAX_BATCH = 8
#: Batches kept in flight per worker beyond the one it works on, so it never waits.
AHEAD = 1


def _start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _context() -> BaseContext:
    method = _start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Ignored once the fork server runs (a second runner in one process): it then
        # has the modules already.
        context.set_forkserver_preload(list(PRELOAD))
    return context


def _worker(conn: Connection, job: FleetJob, work: Work) -> None:
    """A worker's life: take batches, send one result per project, until told to stop."""
    import importlib

    # The parent's interrupt stops the run; a worker that took it too would die mid-project
    # and be retried.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for module in PRELOAD:
        importlib.import_module(module)
    try:
        while True:
            batch: list[tuple[int, Project]] | None = conn.recv()
            if batch is None:
                return
            for index, project in batch:
                try:
                    result = work(project, job)
                except Exception as exc:  # a bug: the project fails, the worker goes on
                    result = ProjectResult(
                        project=project.id,
                        state="failed",
                        error=f"internal error: {type(exc).__name__}: {exc}",
                    )
                conn.send((index, result))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the parent went away
    finally:
        conn.close()


@dataclass(slots=True, kw_only=True)
class _Worker:
    """The parent's view of one worker process."""

    process: Any
    """The ``multiprocessing`` process."""
    conn: Connection
    """The parent's end of its pipe."""
    queue: collections.deque[tuple[int, Project]] = field(default_factory=collections.deque)
    """Projects sent to it and not yet answered, in the order it runs them."""
    since: float = 0.0
    """When it started on the project at the head of :attr:`queue` (monotonic)."""
    retry: bool = False
    """It runs one project alone, whose first worker died on it."""


class LocalRunner:
    """``jobs`` worker processes on this machine (see the module's docstring)."""

    def __init__(self, jobs: int, *, timeout: float | None = None, work: Work = run_project):
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.jobs = jobs
        self.timeout = timeout
        self.work = work
        self._context: BaseContext | None = None
        self._workers: list[_Worker] = []

    @property
    def description(self) -> str:
        return f"{self.jobs} local process{'es' if self.jobs != 1 else ''}"

    def __enter__(self) -> LocalRunner:
        self._context = _context()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_all()

    # -- running ---------------------------------------------------------------------

    def run(self, projects: Sequence[Project], job: FleetJob) -> Iterator[ProjectResult]:
        todo: collections.deque[tuple[int, Project]] = collections.deque(enumerate(projects))
        retries: collections.deque[tuple[int, Project]] = collections.deque()
        retried: set[int] = set()
        remaining = len(projects)
        try:
            while remaining:
                self._feed(todo, retries, job)
                for result in self._collect(todo, retries, retried):
                    remaining -= 1
                    yield result
        finally:
            # An interrupted run (the caller stopped iterating) leaves no worker behind
            # with work: the next run starts clean.
            if remaining:
                self._stop_all()

    def _feed(
        self,
        todo: collections.deque[tuple[int, Project]],
        retries: collections.deque[tuple[int, Project]],
        job: FleetJob,
    ) -> None:
        """Start workers up to ``jobs`` and give each enough to do."""
        while retries:
            # A fresh worker for each project whose worker died on it, alone.
            worker = self._start(job)
            worker.retry = True
            self._send(worker, [retries.popleft()])
        while len(self._workers) < self.jobs and todo:
            self._start(job)
        if not todo:
            return
        # Batches shrink as the queue drains so that the last projects spread over
        # every worker instead of waiting behind one worker's long batch.
        size = max(1, min(MAX_BATCH, len(todo) // (self.jobs * 4)))
        for worker in self._workers:
            if worker.retry:
                continue
            while todo and len(worker.queue) <= size * AHEAD:
                self._send(worker, [todo.popleft() for _ in range(min(size, len(todo)))])

    def _collect(
        self,
        todo: collections.deque[tuple[int, Project]],
        retries: collections.deque[tuple[int, Project]],
        retried: set[int],
    ) -> Iterator[ProjectResult]:
        """Wait for results, a worker's death or a timeout; yield what completed."""
        busy = [w for w in self._workers if w.queue]
        waiting: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        timeout = None
        if self.timeout is not None and busy:
            now = time.monotonic()
            timeout = max(0.0, min(w.since + self.timeout - now for w in busy))
        ready = set(wait(waiting, timeout))
        for worker in busy:
            if worker.conn in ready:
                try:
                    while worker.conn.poll():
                        index, result = worker.conn.recv()
                        done = worker.queue.popleft()
                        assert done[0] == index  # noqa: S101 - the pipe keeps order
                        worker.since = time.monotonic()
                        yield result
                except (EOFError, OSError):
                    # It died (maybe while sending): wait for the exit so that its
                    # sentinel says so below, rather than spin on a closed pipe.
                    worker.process.join(1.0)
                if not worker.queue and worker.retry:
                    worker.retry = False  # it survived its project: a worker like any
            if worker.queue and not worker.process.is_alive():
                yield from self._died(worker, todo, retries, retried)
            elif (
                worker.queue
                and self.timeout is not None
                and time.monotonic() - worker.since >= self.timeout
            ):
                yield self._timed_out(worker, todo)

    def _died(
        self,
        worker: _Worker,
        todo: collections.deque[tuple[int, Project]],
        retries: collections.deque[tuple[int, Project]],
        retried: set[int],
    ) -> Iterator[ProjectResult]:
        self._forget(worker)
        index, project = worker.queue.popleft()
        # The rest of its batch was never started: back to the front of the queue.
        todo.extendleft(reversed(worker.queue))
        if index in retried:
            yield ProjectResult(
                project=project.id,
                state="failed",
                error=f"worker died ({_how(worker.process.exitcode)}) while auditing this project",
            )
        else:
            retried.add(index)
            retries.append((index, project))

    def _timed_out(
        self, worker: _Worker, todo: collections.deque[tuple[int, Project]]
    ) -> ProjectResult:
        self._kill(worker)
        _, project = worker.queue.popleft()
        todo.extendleft(reversed(worker.queue))
        return ProjectResult(
            project=project.id,
            state="failed",
            error=f"timed out after {self.timeout:g} s",
        )

    # -- workers ---------------------------------------------------------------------

    def _start(self, job: FleetJob) -> _Worker:
        if self._context is None:
            raise RuntimeError("LocalRunner.run outside its `with` block")
        parent, child = self._context.Pipe()
        process = self._context.Process(  # type: ignore[attr-defined]
            target=_worker, args=(child, job, self.work), daemon=True, name="pyward-fleet"
        )
        process.start()
        child.close()
        worker = _Worker(process=process, conn=parent)
        self._workers.append(worker)
        return worker

    def _send(self, worker: _Worker, batch: list[tuple[int, Project]]) -> None:
        if not worker.queue:
            worker.since = time.monotonic()
        worker.queue.extend(batch)
        # A worker that died: its sentinel says so, and the batch is in its queue.
        with contextlib.suppress(OSError):
            worker.conn.send(batch)

    def _forget(self, worker: _Worker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        worker.conn.close()
        worker.process.join(1.0)

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        self._forget(worker)

    def _stop_all(self) -> None:
        workers, self._workers = self._workers, []
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        deadline = time.monotonic() + 5.0
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


def _how(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1
