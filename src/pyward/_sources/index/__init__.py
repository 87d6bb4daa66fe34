"""The package-index port: what an index says about projects (files, versions,
yanks, upload times, PEP 740 provenance, PEP 792 status).

The package itself exports nothing: callers import each name from the module that
defines it, so that a run imports only the parts it uses (an audit with no index to ask
decides so from :mod:`._resolve` alone, without the client, the parser or the model).

* :mod:`._port` - :class:`IndexSource`, the port: ``project(name)``, and
  ``projects(names)`` in batch; :class:`StaticIndex`, an in-memory index (tests,
  recorded pages); failures: :class:`IndexFailure`, :class:`IndexLookupError`.
* :mod:`._client` - :class:`IndexClient`: PEP 691 JSON over HTTP, cached on disk,
  offline-first (``DEFAULT_MAX_AGE``).
* :mod:`._resolve` - :func:`resolve_index`: which index a project's metadata comes
  from (:func:`configured_index` for a project without a recorded one);
  :class:`IndexResolver`: the same for a run's inventories, the configured index
  computed once per project, and its :class:`IndexPlan` (which index each project is
  asked of, decided before any is asked).
* :mod:`._fetch` - :func:`fetch_metadata` (and :func:`fetch_plan`, given a plan): the
  pages of one run's components, fetched once for the checks into an
  :class:`IndexMetadata` (:mod:`._metadata`); :class:`ClientOptions`.
* :mod:`._integrity` - the PEP 740 provenance of many files (the integrity API, or each
  file's own provenance URL), imported only by ``pyward provenance``;
  :meth:`IndexClient.provenance` for one.
* :mod:`._model` - :class:`ProjectInfo`, :class:`ProjectFile`, :class:`ProjectStatus`,
  :class:`ReleaseInfo`; :mod:`._parse` reads them (:func:`parse_project_page`,
  :func:`parse_release_info`); what the checks read of a page: :class:`PageFacts` (one
  :class:`VersionFacts` per version, :mod:`._versions`).

See docs/index-port.md.
"""
