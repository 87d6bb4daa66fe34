"""``pyward fleet``: one command over many projects.

Discovery (:mod:`._discover`) turns paths into :class:`~._model.Project` records; a
runner (:mod:`._local`, a process pool on this machine, or :mod:`._dask`, an existing
Dask cluster) runs :func:`._work.run_project` on each and yields compact
:class:`~._model.ProjectResult` records; the incremental cache (:mod:`._cache`) skips
projects whose inputs and data did not change; the roll-up (:mod:`._rollup`) turns the
results into the fleet report that the renderers write. :func:`run_fleet` is the one
library call that ties discovery's projects, a runner and the cache into a
:class:`~._model.FleetRun`; ``pyward fleet`` (:mod:`pyward._commands.fleet`) is a thin
layer over it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._fleet._model import FleetJob, FleetRun, Project, ProjectResult

if TYPE_CHECKING:
    from pyward._advisory._types import StoreInfo
    from pyward._fleet._runner import Runner

__all__ = ["Progress", "advisory_info", "run_fleet"]

Progress = Callable[[int, int, int, int], None]
"""Called as projects complete: ``(done, total, cached, failed)``."""


def advisory_info(job: FleetJob) -> StoreInfo | None:
    """The advisory data ``job``'s projects will use (what its workers open), for the
    cache's fingerprint. Raises :class:`~pyward.errors.NoDataError` when there is none
    and the job needs it (``audit``, ``status``); None for a ``check`` without data."""
    from pyward._commands._common import open_store
    from pyward._settings import Settings
    from pyward.errors import NoDataError

    try:
        store = open_store(Settings.from_environ(job.environ_map()))
    except NoDataError:
        if job.command == "check":
            return None
        raise
    return store.info


def run_fleet(
    projects: Sequence[Project],
    job: FleetJob,
    *,
    runner: Runner,
    cache_dir: Path | None,
    progress: Progress | None = None,
    failed: Sequence[ProjectResult] = (),
    info: StoreInfo | None = None,
) -> FleetRun:
    """Run ``job`` on every project: those whose cached result is still valid (same
    inputs, job and advisory data, see :mod:`._cache`) are not run again, the others
    go to ``runner``. ``cache_dir`` None: no cache. ``failed``: the discovery's failed
    results, kept in the run. ``info``: the advisory data's description (default: what
    :func:`advisory_info` finds).
    """
    from pyward._fleet._cache import FleetCache

    results: list[ProjectResult] = list(failed)
    total = len(projects) + len(failed)
    counts = {"done": len(failed), "failed": len(failed), "cached": 0}

    def tick(result: ProjectResult) -> None:
        counts["done"] += 1
        counts["failed"] += result.state == "failed"
        if progress is not None:
            progress(counts["done"], total, counts["cached"], counts["failed"])

    cache: FleetCache | None = None
    if cache_dir is not None:
        cache = FleetCache.for_job(cache_dir, job, info if info is not None else advisory_info(job))
    keys: dict[str, str] = {}
    todo: list[Project] = []
    cached: list[str] = []
    for project in projects:
        key = cache.key(project, job) if cache is not None else None
        hit = cache.load(key) if cache is not None and key is not None else None
        if hit is not None and hit.project == project.id and _page_kept(hit, job):
            cached.append(project.id)
            counts["cached"] += 1
            results.append(hit)
            tick(hit)
            continue
        if key is not None:
            keys[project.id] = key
        todo.append(project)
    if todo:
        with runner:
            for result in runner.run(todo, job):
                key = keys.get(result.project)
                # A failure of the run itself (a worker that died, a timeout) may not
                # happen again: only a project's own outcome is kept.
                if cache is not None and key is not None and _cacheable(result):
                    cache.store(key, result)
                results.append(result)
                tick(result)
    results.sort(key=lambda r: r.project)
    return FleetRun(
        job=job, results=tuple(results), cached=tuple(sorted(cached)), runner=runner.description
    )


def _page_kept(result: ProjectResult, job: FleetJob) -> bool:
    """The cached result's page (``--pages``) is still there to link to."""
    if job.pages is None or result.page is None:
        return True
    return (Path(job.pages) / result.page).is_file()


#: How a runner's own failures read (a local worker that died or timed out; a Dask
#: worker that died or raised, after the project's path): not the project's outcome.
_RUNNER_FAILURES = ("worker died", "timed out")
_DASK_FAILURES = (": the Dask worker running it died", ": internal error on the Dask worker")


def _cacheable(result: ProjectResult) -> bool:
    error = result.error or ""
    return not error.startswith(_RUNNER_FAILURES) and not any(f in error for f in _DASK_FAILURES)
