"""Reader of ``poetry.lock``: pre-1.0 (no ``lock-version``), 1.x and 2.x (``lock-version``
1.0 to 2.1).

Format: python-poetry/poetry ``src/poetry/packages/locker.py`` (writer and reader).
What this reader decides:

* **Hashes**: 2.x keeps ``files`` in each package; 1.x keeps them in
  ``[metadata.files]`` keyed by name; pre-1.0 keeps bare hex SHA-256 digests in
  ``[metadata.hashes]``. A name locked at two versions shares that table, so both
  versions get all its hashes (the only reading the format allows).
* **Artifacts**: each ``{file, hash}`` of a registry package (from either place) is one
  of its :attr:`Component.artifacts`; pre-1.0 digests name no file, and the files of a
  git, directory, file or URL source are on no index: those have none. A name locked at
  two versions in 1.x shares its ``[metadata.files]`` entry: each version keeps the
  files whose names hold its version.
* **Groups**: 1.x ``category`` (``main``/``dev``), 2.1 ``groups``. Lock 2.0 (Poetry
  1.5 to 1.8) records neither, so its components have no groups (unknown, not
  guessed). An ``optional = true`` package is installed only through an extra: its
  groups are the ``extra:NAME`` of every ``[extras]`` entry that reaches it, instead
  of ``main``.
* **Markers**: ``markers`` (``marker`` before 1.0) as written; 2.1's per-group table
  becomes the disjunction of its values.
* **Sources**: ``[package.source]`` ``legacy`` is a secondary index (``index``,
  ``non_default_index``, a ``repository_url`` purl qualifier); ``git`` gives
  ``git+URL@COMMIT`` (the resolved commit when recorded); ``directory`` (``editable``
  with ``develop = true``), ``file`` (``path``) and ``url`` keep the URL as written.
* **Direct**: the lock does not record the project's own requirements (they are in
  ``pyproject.toml``), so :attr:`Inventory.roots` are the packages no other locked
  package requires: direct for certain, though a direct dependency that something else
  also requires is not among them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyward._inventory._common import (
    DISTRIBUTION_SUFFIXES,
    add_edges,
    check_format_version,
    dedupe_hashes,
    graph_tops,
    header_lines,
    join_markers,
    make_artifact,
    merge_same_key,
    parse_hash,
    purl,
    sha256_of,
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

FORMAT = "poetry.lock"
#: Newest ``lock-version`` minor of each supported major.
KNOWN_MINOR = {1: 1, 2: 1}


def read(path: Path) -> Inventory:
    """Read ``path`` as a ``poetry.lock``."""
    text = read_text(path)
    return _build(path, text, loads(text, path))


def _lock_version(file: str, metadata: Table) -> str | None:
    """A note for an unknown minor ``lock-version``; pre-1.0 locks have none."""
    raw = metadata.get("lock-version", str, what="expected a string, found {value}")
    if raw is None:
        return None
    where = metadata.path("lock-version")
    return check_format_version(file, where, raw, known=KNOWN_MINOR, fmt=FORMAT)


def _requirement_name(text: str) -> str:
    # "[extras]" and "[package.extras]" entries: "name", "name (>=1.0)", "name[x] (>=1)".
    end = len(text)
    for stop in (" ", "(", "[", ";", "<", ">", "=", "!", "~"):
        i = text.find(stop)
        if i != -1:
            end = min(end, i)
    return canonical_name(text[:end].strip())


def _build(path: Path, text: str, data: dict[str, Any]) -> Inventory:
    file = str(path)
    top = Wire(file).table(data, "")
    metadata = top.required_sub("metadata")  # every Poetry version writes it (content-hash)
    note = _lock_version(file, metadata)
    packages = list(top.tables("package"))

    names = [p.string("name") for p in packages]
    versions = [p.string("version") for p in packages]
    canon = [canonical_name(n) for n in names]
    keys = [component_key(n, v) for n, v in zip(canon, versions, strict=True)]
    by_name: dict[str, list[int]] = {}
    for i, n in enumerate(canon):
        by_name.setdefault(n, []).append(i)

    # 1.x / pre-1.0 hash tables, looked up by normalised name.
    shared_files: dict[str, tuple[str, object]] = {}
    for key in ("files", "hashes"):
        table = metadata.sub(key)
        if table is not None:
            for name, value in table.data.items():
                shared_files[canonical_name(name)] = (f"metadata.{key}.{name}", value)

    edges: dict[ComponentKey, tuple[ComponentKey, ...]] = {}
    for i, p in enumerate(packages):
        deps = p.sub("dependencies")
        if deps is None:
            continue
        add_edges(
            edges,
            keys[i],
            (
                keys[t]
                for dep_name, constraint in deps.data.items()
                for t in _resolve(by_name.get(canonical_name(dep_name), []), constraint, versions)
            ),
        )

    groups = _groups(top, packages=packages, keys=keys, by_name=by_name, edges=edges)
    roots = graph_tops(dict.fromkeys(keys), edges)
    root_set = set(roots)

    default_lines = header_lines(text, "package")
    lines = default_lines if len(default_lines) == len(packages) else []
    components: list[Component] = []
    for i, p in enumerate(packages):
        kind, index, source_url = _source(p)
        hashes, artifacts = _files(p, canon[i], shared_files, registry=kind == "registry")
        if artifacts and "files" not in p.data and len(by_name[canon[i]]) > 1:
            # A table shared by several versions: each keeps the files of its own.
            artifacts = tuple(a for a in artifacts if _file_version(a.filename) == versions[i])
        non_default = index is not None
        components.append(
            Component(
                name=canon[i],
                version=versions[i],
                display_name=names[i] if names[i] != canon[i] else None,
                purl=purl(names[i], versions[i], index),
                source=kind,
                index=index,
                non_default_index=non_default,
                source_url=source_url,
                hashes=hashes,
                artifacts=artifacts,
                markers=_markers(p),
                groups=groups[i],
                direct=keys[i] in root_set,
                location=Location(file=file, line=lines[i] if lines else None),
            )
        )
    merged, notes = merge_same_key(file, components)
    return Inventory(
        source=file,
        format=FORMAT,
        components=merged,
        edges=edges,
        roots=roots,
        notes=(note, *notes) if note else notes,
        requires_python=metadata.opt_string("python-versions"),
    )


def _resolve(candidates: list[int], constraint: object, versions: list[str]) -> list[int]:
    """The locked versions a dependency entry can mean.

    One candidate (the usual case) is it. For a name locked at several versions, keep the
    ones the entry's PEP 440 constraints allow; constraints Poetry writes in its own
    syntax (``^1.2``) are not PEP 440, and then every candidate stays.
    """
    if len(candidates) <= 1:
        return candidates
    specs: list[str] = []
    for item in constraint if isinstance(constraint, list) else [constraint]:
        if isinstance(item, str):
            specs.append(item)
        elif isinstance(item, dict) and isinstance(item.get("version"), str):
            specs.append(item["version"])
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    kept: set[int] = set()
    for spec in specs:
        try:
            parsed = SpecifierSet("" if spec.strip() == "*" else spec)
        except InvalidSpecifier:
            return candidates
        kept.update(c for c in candidates if parsed.contains(versions[c], prereleases=True))
    return [c for c in candidates if c in kept] or candidates


def _groups(
    top: Table,
    *,
    packages: list[Table],
    keys: list[ComponentKey],
    by_name: dict[str, list[int]],
    edges: dict[ComponentKey, tuple[ComponentKey, ...]],
) -> list[frozenset[str]]:
    result: list[set[str]] = []
    for p in packages:
        category = p.opt_string("category")
        if category is not None:
            result.append({"main" if category == "main" else category})
        else:
            result.append(set(p.strings("groups")))
    optional = [bool(p.opt_bool("optional")) for p in packages]
    extras = top.sub("extras")
    if extras is not None and any(optional):
        index_of = {k: i for i, k in enumerate(keys)}
        via_extra: dict[int, set[str]] = {}
        for extra in extras.data:
            stack = [
                t for n in extras.strings(extra) for t in by_name.get(_requirement_name(n), [])
            ]
            seen: set[int] = set()
            while stack:
                i = stack.pop()
                if i in seen:
                    continue
                seen.add(i)
                if optional[i]:
                    via_extra.setdefault(i, set()).add(f"extra:{canonical_name(extra)}")
                stack.extend(index_of[k] for k in edges.get(keys[i], ()))
        for i, extra_groups in via_extra.items():
            result[i].discard("main")
            result[i].update(extra_groups)
    return [frozenset(g) for g in result]


def _source(p: Table) -> tuple[SourceKind, str | None, str | None]:
    """(kind, secondary index URL, source URL) of a package."""
    source = p.sub("source")
    if source is None:
        return "registry", None, None
    kind = source.opt_string("type") or ""
    url = source.opt_string("url")
    if kind in ("", "pypi"):
        return "registry", None, None
    if kind == "legacy":
        if url is None:
            raise source.error("url", "missing")
        return "registry", url, None
    if url is None:
        raise source.error("url", "missing")
    if kind == "git":
        ref = source.opt_string("resolved_reference") or source.opt_string("reference")
        return "git", None, vcs_source("git", url, ref, source.opt_string("subdirectory"))
    if kind == "directory":
        return ("editable" if p.opt_bool("develop") else "directory"), None, url
    if kind == "file":
        return "path", None, url
    if kind == "url":
        return "url", None, url
    raise source.error("type", f"unknown source type {kind!r}")


def _markers(p: Table) -> str | None:
    value = p.data.get("markers", p.data.get("marker"))
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        return join_markers(m if isinstance(m, str) else None for m in value.values())
    key = "markers" if "markers" in p.data else "marker"
    raise p.error(key, "expected a string or a table")


def _file_version(filename: str) -> str | None:
    """The version a wheel's or sdist's file name holds (``name-1.0-py3-none-any.whl``,
    ``name-1.0.tar.gz``)."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        return parts[1] if len(parts) >= 5 else None
    for suffix in DISTRIBUTION_SUFFIXES:
        if filename.endswith(suffix):
            return filename[: -len(suffix)].rpartition("-")[2] or None
    return None


def _files(
    p: Table, name: str, shared: dict[str, tuple[str, object]], *, registry: bool
) -> tuple[tuple[Hash, ...], tuple[Artifact, ...]]:
    """The package's hashes, and its files when it comes from an index."""
    hashes: list[Hash] = []
    artifacts: list[Artifact] = []
    if "files" in p.data:
        where, items = p.path("files"), p.opt_list("files")
    elif name in shared:
        where, value = shared[name]
        items = p.wire.check(value, list, where, what="expected an array")
    else:
        return (), ()
    for j, item in enumerate(items):
        if isinstance(item, str):  # pre-1.0: bare hex SHA-256 digests
            h = parse_hash(f"sha256:{item}")
            at = f"{where}[{j}]"
        elif isinstance(item, dict) and isinstance(item.get("hash"), str):
            h = parse_hash(item["hash"])
            at = f"{where}[{j}].hash"
        else:
            raise p.wire.error(f"{where}[{j}]", "expected a file table with a hash")
        if h is None:
            raise p.wire.error(at, "not an ALGORITHM:HEX hash")
        hashes.append(h)
        if registry and isinstance(item, dict):
            file = item.get("file")
            if not isinstance(file, str) or not file:
                raise p.wire.error(f"{where}[{j}].file", "expected a file name")
            artifacts.append(make_artifact(file, sha256_of(item["hash"]), None))
    return dedupe_hashes(hashes), tuple(dict.fromkeys(artifacts))
