"""Reader of ``pdm.lock`` (``lock_version`` 4.x).

Format: pdm-project/pdm ``src/pdm/project/lockfile`` and ``src/pdm/formats`` (writer).
What this reader decides:

* **Extras entries**: PDM writes ``coverage[toml]`` as a second ``[[package]]`` with
  ``extras = ["toml"]`` whose first dependency is ``coverage==<same version>``. It is
  the same distribution: one component, with the entries' groups, hashes, markers and
  dependencies merged and the extras recorded in ``Component.extras``.
* **Hashes**: inline ``files`` (4.4+) or ``[metadata.files]`` keyed ``"name version"``
  (4.2; extras entries are keyed ``"name[extra] version"``).
* **Artifacts**: each ``{file|url, hash}`` of a package from an index is one of its
  :attr:`Component.artifacts` (the file name is ``file``, or the last segment of
  ``url``); git, path and URL sources have none.
* **Groups**: per-package ``groups`` (``default`` is ``main``; PDM keeps optional and
  development groups in one namespace, and the lock does not say which a name is, so
  other names are kept as written). Locks written without ``inherit_metadata``
  (4.2) record no groups: the components have none.
* **Sources**: ``git`` + ``revision`` (``git+URL@COMMIT``), ``path``/``editable``,
  ``url``. The lock records no index per package (sources live in ``pyproject.toml``),
  so ``index`` stays unset.
* **Direct**: as for Poetry, the lock does not hold the project's requirements;
  :attr:`Inventory.roots` are the packages nothing else in the lock requires.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pyward._inventory._common import (
    add_edges,
    check_format_version,
    dedupe_hashes,
    graph_tops,
    header_lines,
    join_markers,
    make_artifact,
    parse_hash,
    purl,
    sha256_of,
    url_file_name,
    vcs_source,
)
from pyward._inventory._toml import loads, read_text
from pyward._model import (
    Artifact,
    Component,
    ComponentKey,
    Hash,
    Inventory,
    Location,
    SourceKind,
    canonical_name,
    component_key,
)
from pyward._wire import Table, Wire

FORMAT = "pdm.lock"
KNOWN_MAJOR = 4
KNOWN_MINOR = 5

# The leading project name of a PEP 508 requirement (the grammar's "identifier"); the
# rest of the string is only needed, and then parsed with ``packaging``, when a name
# is locked at more than one version.
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


class _Entry:
    __slots__ = (
        "artifacts",
        "deps",
        "extras",
        "groups",
        "hashes",
        "line",
        "markers",
        "name",
        "raw_name",
        "source",
        "source_url",
        "version",
    )

    def __init__(self, name: str, raw_name: str, version: str, line: int | None) -> None:
        self.name = name
        self.raw_name = raw_name
        self.version = version
        self.line = line
        self.groups: set[str] = set()
        self.extras: set[str] = set()
        self.hashes: list[Hash] = []
        self.artifacts: list[Artifact] = []
        self.markers: list[str | None] = []
        self.deps: list[str] = []
        self.source: SourceKind = "registry"
        self.source_url: str | None = None


def read(path: Path) -> Inventory:
    """Read ``path`` as a ``pdm.lock``."""
    text = read_text(path)
    return _build(path, text, loads(text, path))


def _build(path: Path, text: str, data: dict[str, Any]) -> Inventory:
    file = str(path)
    top = Wire(file).table(data, "")
    metadata = top.required_sub("metadata")
    raw_version = metadata.required("lock_version", object)
    note = check_format_version(
        file,
        "metadata.lock_version",
        raw_version,
        known={KNOWN_MAJOR: KNOWN_MINOR},
        fmt=FORMAT,
    )
    shared = metadata.sub("files")
    packages = list(top.tables("package"))
    found_lines = header_lines(text, "package")
    lines = found_lines if len(found_lines) == len(packages) else []

    entries: dict[tuple[str, str], _Entry] = {}
    for i, p in enumerate(packages):
        raw_name = p.string("name")
        version = p.string("version")
        name = canonical_name(raw_name)
        extras = p.strings("extras")
        entry = entries.get((name, version))
        if entry is None:
            entry = _Entry(name, raw_name, version, lines[i] if lines else None)
            entries[name, version] = entry
        elif not extras and entry.extras:
            # The plain entry came after an extras one: it is the better location.
            entry.line, entry.raw_name = (lines[i] if lines else None), raw_name
        entry.extras.update(canonical_name(e) for e in extras)
        entry.groups.update("main" if g == "default" else g for g in p.strings("groups"))
        entry.markers.append(p.opt_string("marker"))
        entry.deps.extend(p.strings("dependencies"))
        _source(p, entry)
        key_name = f"{raw_name}[{','.join(extras)}]" if extras else raw_name
        _hashes(p, shared, f"{key_name} {version}", entry)

    by_name: dict[str, list[_Entry]] = {}
    for e in entries.values():
        by_name.setdefault(e.name, []).append(e)
    edges: dict[ComponentKey, tuple[ComponentKey, ...]] = {}
    for e in entries.values():
        add_edges(
            edges,
            component_key(e.name, e.version),
            (component_key(t.name, t.version) for dep in e.deps for t in _resolve(dep, by_name)),
        )

    keys = [component_key(e.name, e.version) for e in entries.values()]
    roots = graph_tops(keys, edges)
    root_set = set(roots)
    components = tuple(
        Component(
            name=e.name,
            version=e.version,
            display_name=e.raw_name if e.raw_name != e.name else None,
            purl=purl(e.raw_name, e.version),
            source=e.source,
            source_url=e.source_url,
            hashes=dedupe_hashes(e.hashes),
            artifacts=tuple(dict.fromkeys(e.artifacts)) if e.source == "registry" else (),
            markers=join_markers(e.markers),
            groups=frozenset(e.groups),
            extras=frozenset(e.extras),
            direct=key in root_set,
            location=Location(file=file, line=e.line),
        )
        for e, key in zip(entries.values(), keys, strict=True)
    )
    return Inventory(
        source=file,
        format=FORMAT,
        components=components,
        edges=edges,
        roots=roots,
        notes=(note,) if note else (),
        requires_python=metadata.opt_string("requires_python"),
    )


def _resolve(requirement: str, by_name: dict[str, list[_Entry]]) -> list[_Entry]:
    m = _NAME.match(requirement)
    if m is None:
        return []
    candidates = by_name.get(canonical_name(m.group(1)), [])
    if len(candidates) <= 1:
        return candidates
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        spec = Requirement(requirement).specifier
    except InvalidRequirement:
        return candidates
    return [c for c in candidates if spec.contains(c.version, prereleases=True)] or candidates


def _source(p: Table, entry: _Entry) -> None:
    git = p.opt_string("git")
    if git is not None:
        ref = p.opt_string("revision") or p.opt_string("ref")
        entry.source = "git"
        entry.source_url = vcs_source("git", git, ref, p.opt_string("subdirectory"))
        return
    local = p.opt_string("path")
    if local is not None:
        entry.source = "editable" if p.opt_bool("editable") else "directory"
        entry.source_url = local
        return
    url = p.opt_string("url")
    if url is not None:
        entry.source, entry.source_url = "url", url


def _hashes(p: Table, shared: Table | None, shared_key: str, entry: _Entry) -> None:
    if "files" in p.data:
        where, items = p.path("files"), p.opt_list("files")
    elif shared is not None and shared_key in shared.data:
        where = shared.path(f'"{shared_key}"')
        items = p.wire.check(shared.data[shared_key], list, where, what="expected an array")
    else:
        return
    for j, item in enumerate(items):
        text = item.get("hash") if isinstance(item, dict) else None
        h = parse_hash(text) if isinstance(text, str) else None
        if h is None:
            raise p.wire.error(f"{where}[{j}]", "expected a file table with an ALGORITHM:HEX hash")
        entry.hashes.append(h)
        file, url = item.get("file"), item.get("url")
        if isinstance(file, str) and file:
            name = file
        elif isinstance(url, str) and (name := url_file_name(url)):
            pass
        else:
            raise p.wire.error(f"{where}[{j}]", "expected a file name (file) or a URL (url)")
        entry.artifacts.append(
            make_artifact(name, sha256_of(text), url if isinstance(url, str) else None)
        )
