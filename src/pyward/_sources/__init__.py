"""Data ports: read-only, cached, offline-first sources of data the checks use
(the package index's metadata in :mod:`pyward._sources.index`)."""
