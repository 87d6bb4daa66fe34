"""Runners: where a fleet's projects are run. One protocol, so the local process pool
(:mod:`._local`) and a Dask cluster (:mod:`._dask`) are interchangeable, and the serial
runner here (``--jobs 1``, and tests) is the reference both must equal."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Protocol

from pyward._fleet._model import FleetJob, Project, ProjectResult
from pyward._fleet._work import run_project

__all__ = ["Runner", "SerialRunner"]


class Runner(Protocol):
    """Runs :func:`~pyward._fleet._work.run_project` on many projects."""

    @property
    def description(self) -> str:
        """How it runs, for people (``2 local processes``)."""
        ...

    def __enter__(self) -> Runner:
        """Start the workers (once, for the whole run)."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the workers."""
        ...

    def run(self, projects: Sequence[Project], job: FleetJob) -> Iterator[ProjectResult]:
        """One result per project, in any order, as each completes. A project's own
        failure, a worker that dies or hangs on it, is a ``failed`` result naming why;
        only an interrupt or the runner's own loss (a cluster that goes away) raises."""
        ...


class SerialRunner:
    """Every project in this process, one after the other."""

    @property
    def description(self) -> str:
        return "1 process (serial)"

    def __enter__(self) -> SerialRunner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def run(self, projects: Sequence[Project], job: FleetJob) -> Iterator[ProjectResult]:
        for project in projects:
            yield run_project(project, job)
