"""``pyward fleet``: one command over many projects.

Discovery (:mod:`._discover`) turns paths into :class:`~._model.Project` records; a
runner (:mod:`._local`, a process pool on this machine, or :mod:`._dask`, an existing
Dask cluster) runs :func:`._work.run_project` on each and yields compact
:class:`~._model.ProjectResult` records; the incremental cache (:mod:`._cache`) skips
projects whose inputs and data did not change; the roll-up (:mod:`._rollup`) turns the
results into the fleet report that the renderers write.
"""
