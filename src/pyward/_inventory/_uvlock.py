"""Reader of ``uv.lock`` (format ``version = 1``, revisions 1 to 5; uv 0.13 writes 5).

Format: astral-sh/uv ``crates/uv-resolver/src/lock`` (``mod.rs``: ``Lock``,
``Package``, ``Source``, ``Dependency``). What this reader decides:

* **Components** are every ``[[package]]`` uv would install with all groups, all extras
  and all markers selected, except the project itself and versionless workspace
  members. A name locked at two versions (``torch 2.13.0`` and ``2.13.0+cpu``) is two
  components; dependency entries that carry ``version``/``source`` say which one.
* **The project** is the workspace root: the package whose source is
  ``editable = "."`` or ``virtual = "."`` (uv's root member). It is
  :attr:`Inventory.project`, not a component.
* **Workspace members** (``[manifest] members``) other than the root belong to the
  project: with a version they are components (source ``editable``/``directory``...,
  ``direct``); without one they are ``NotAudited`` ("local workspace member"), because
  there is no published version to match advisories against. Virtual members are never
  installed (uv only installs their dependencies), so they are ``NotAudited`` too.
* **Groups**: a walk from every member's ``dependencies`` (``main``),
  ``optional-dependencies`` (``extra:NAME``) and ``dev-dependencies`` (group name),
  following extras (``{ name = "datasets", extra = ["audio"] }`` brings in
  ``datasets``' ``audio`` optional dependencies) and expanding references to members
  (``guidellm[all]`` in the ``dev`` group puts ``all``'s dependencies in ``dev``).
* **Direct** / :attr:`Inventory.roots`: what members (after that expansion) depend on.
* **Markers**: a package's own ``resolution-markers`` say in which forks it was
  resolved, not when it is installed. The markers on the dependency edges do: a
  package is installed when an edge into it is taken, i.e. the edge's marker holds and
  the package it comes from is installed. ``markers`` is that condition, derived over
  the whole graph (``numpy 2.2.6`` reached unconditionally from ``contourpy 1.3.2``,
  itself only reached under ``python_full_version < '3.11'``, gets that marker);
  ``None`` means always. An optional dependency counts whenever its package is
  installed (which extra was requested, under what marker, is not traced), and where
  the derivation does not settle the disjunction of the incoming edges' markers is
  used: so the result may be broader than uv's exact condition, never narrower, and
  an audit with markers evaluated keeps every package that can be installed. A test
  holds this against ``uv export`` on every corpus lock.
* **Upload time**: the newest ``upload-time`` of a package's sdist and wheels (uv
  records the index's PEP 700 time on each file) is ``metadata["upload-time"]``, ISO
  8601 in UTC: the ``cooldown`` check's age of the release.
* **Artifacts**: a registry package's ``sdist`` and ``wheels`` are its
  :attr:`Component.artifacts`: the file name is the last segment of the file's ``url``
  (percent-decoded), of its ``path`` (a registry that is a local directory) or its
  ``filename``; the SHA-256 is the file's ``hash`` when that is a ``sha256:`` one. Git,
  URL and path sources record files that are on no index: they have none.
* **Default index**: the lock does not record which index is the default, so the
  registry most packages come from is; the others are ``non_default_index`` and get a
  ``repository_url`` in their purl.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pyward._inventory._common import (
    UPLOAD_TIME,
    add_edges,
    header_lines,
    join_markers,
    make_artifact,
    merge_same_key,
    newest_upload,
    path_file_name,
    purl,
    sha256_of,
    url_file_name,
)
from pyward._inventory._toml import loads, read_text
from pyward._model import (
    Artifact,
    Component,
    ComponentKey,
    Hash,
    Inventory,
    Location,
    NotAudited,
    SourceKind,
    canonical_name,
    component_key,
)
from pyward._wire import Table, Wire, shown, toml_kind

FORMAT = "uv.lock"
#: Keys of a dependency entry the fast path of :func:`_deps` handles.
_PLAIN_DEP = frozenset({"name", "marker", "extra"})
#: The newest ``revision`` of lock ``version = 1`` this reader knows.
KNOWN_REVISION = 5
_INTEGER = "expected an integer, found {value}"

_new = object.__new__
_set = object.__setattr__

_SOURCE_KINDS: tuple[tuple[str, SourceKind], ...] = (
    ("registry", "registry"),
    ("git", "git"),
    ("url", "url"),
    ("path", "path"),
    ("directory", "directory"),
    ("editable", "editable"),
    ("virtual", "virtual"),
)


class _Dep:
    """One dependency edge: target package index, requested extras, marker."""

    __slots__ = ("extras", "marker", "target")

    def __init__(self, target: int, extras: tuple[str, ...], marker: str | None) -> None:
        self.target = target
        self.extras = extras
        self.marker = marker


class _Pkg:
    __slots__ = (
        "deps",
        "dev",
        "fields",
        "kind",
        "name",
        "optional",
        "raw_name",
        "source",
        "source_value",
        "version",
    )

    def __init__(self, fields: Table) -> None:
        self.fields = fields
        self.raw_name = fields.string("name")
        self.name = canonical_name(self.raw_name)
        self.version = fields.opt_string("version")
        source = fields.required_sub("source")
        self.source: dict[str, Any] = source.data
        for key, kind in _SOURCE_KINDS:
            if key in source.data:
                self.kind: SourceKind = kind
                self.source_value = source.string(key)
                break
        else:
            raise fields.error("source", "no known source kind (registry, git, url, path, ...)")
        # uv omits the version only for source trees whose version is dynamic.
        if self.version is None and self.kind in ("registry", "git", "url"):
            raise fields.error("version", "missing")
        self.deps: list[_Dep] = []
        self.optional: dict[str, list[_Dep]] = {}
        self.dev: dict[str, list[_Dep]] = {}


def read(path: Path) -> Inventory:
    """Read ``path`` as a ``uv.lock``."""
    text = read_text(path)
    return _build(path, text, loads(text, path))


def _build(path: Path, text: str, data: dict[str, Any]) -> Inventory:
    file = str(path)
    top = Wire(file).table(data, "")
    notes: list[str] = []
    version = top.required("version", int, what=_INTEGER)
    if version != 1:
        raise top.error(
            "version", f"unsupported uv.lock format version {shown(version)} (this pyward reads 1)"
        )
    revision = top.get("revision", int, what=_INTEGER)
    if revision is not None and revision > KNOWN_REVISION:
        notes.append(
            f"{file}: uv.lock revision {shown(revision)} is newer than this pyward knows "
            f"({KNOWN_REVISION}); read as revision {KNOWN_REVISION}"
        )

    pkgs = [_Pkg(p) for p in top.tables("package")]
    by_name: dict[str, list[int]] = {}
    for i, p in enumerate(pkgs):
        by_name.setdefault(p.name, []).append(i)
    for p in pkgs:
        f = p.fields
        p.deps = _deps(f, "dependencies", pkgs, by_name)
        optional = f.sub("optional-dependencies")
        if optional is not None:
            p.optional = {e: _deps(optional, e, pkgs, by_name) for e in optional.data}
        dev = f.sub("dev-dependencies")
        if dev is not None:
            p.dev = {g: _deps(dev, g, pkgs, by_name) for g in dev.data}

    # The workspace: [manifest] members by name, and the root (source ".").
    manifest = top.sub("manifest")
    member_names = {canonical_name(m) for m in manifest.strings("members")} if manifest else set()
    root: int | None = None
    for i, p in enumerate(pkgs):
        if p.kind in ("editable", "virtual") and p.source_value == "." and root is None:
            root = i
    members = {i for i, p in enumerate(pkgs) if p.name in member_names and p.kind != "registry"}
    if root is not None:
        members.add(root)

    groups, direct = _walk(pkgs, members, manifest, by_name)
    markers = _markers(pkgs, members)
    direct.update(m for m in members if m != root and pkgs[m].version and pkgs[m].kind != "virtual")

    counts = Counter(p.source_value for p in pkgs if p.kind == "registry")
    default_index = counts.most_common(1)[0][0] if counts else None

    lines = header_lines(text, "package")
    if len(lines) != len(pkgs):
        lines = []

    components: list[Component] = []
    not_audited: list[NotAudited] = []
    project: Component | None = None
    edges: dict[ComponentKey, tuple[ComponentKey, ...]] = {}
    keys = [component_key(p.name, p.version) for p in pkgs]
    for i, p in enumerate(pkgs):
        location = Location(file=file, line=lines[i] if lines else None)
        if i != root:
            add_edges(
                edges,
                keys[i],
                (
                    keys[dep.target]
                    for dep in _all_deps(p)
                    if dep.target not in members or pkgs[dep.target].version
                ),
            )
        component = _component(
            p,
            i,
            location=location,
            default_index=default_index,
            groups=groups,
            direct=direct,
            markers=markers,
        )
        if i == root:
            project = component
        elif i in members and (p.version is None or p.kind == "virtual"):
            reason = (
                "virtual workspace member (not installed; its dependencies are)"
                if p.kind == "virtual"
                else "local workspace member without a version; nothing to match advisories against"
            )
            not_audited.append(
                NotAudited(name=p.name, requirement=p.raw_name, reason=reason, location=location)
            )
        elif p.version is None:
            not_audited.append(
                NotAudited(
                    name=p.name,
                    requirement=f"{p.raw_name} @ {p.source_value}",
                    reason=f"{p.kind} dependency without a version; "
                    "nothing to match advisories against",
                    location=location,
                )
            )
        else:
            components.append(component)

    roots = tuple(dict.fromkeys(keys[i] for i in sorted(direct) if pkgs[i].version and i != root))
    merged, merge_notes = merge_same_key(file, components)
    notes.extend(merge_notes)
    return Inventory(
        source=file,
        format=FORMAT,
        components=merged,
        not_audited=tuple(not_audited),
        edges=edges,
        roots=roots,
        project=project,
        notes=tuple(notes),
        requires_python=top.opt_string("requires-python"),
    )


def _component(
    p: _Pkg,
    i: int,
    *,
    location: Location,
    default_index: str | None,
    groups: dict[int, set[str]],
    direct: set[int],
    markers: dict[int, str | None],
) -> Component:
    f = p.fields
    artifacts: list[Any] = []
    sdist = f.data.get("sdist")
    if sdist is not None:
        artifacts.append(sdist)
    wheels = f.get("wheels", list, what="expected an array")
    if wheels is not None:
        artifacts.extend(wheels)
    hashes = _hashes(f, artifacts, has_sdist=sdist is not None)
    uploaded = _upload_time(f, artifacts, has_sdist=sdist is not None)
    registry = p.kind == "registry"
    non_default = registry and p.source_value != default_index
    return Component(
        name=p.name,
        version=p.version,
        display_name=p.raw_name if p.raw_name != p.name else None,
        purl=purl(p.raw_name, p.version, p.source_value if non_default else None),
        source=p.kind,
        index=p.source_value if registry else None,
        non_default_index=non_default,
        source_url=None if registry else p.source_value,
        hashes=hashes,
        artifacts=_artifacts(f, artifacts, has_sdist=sdist is not None) if registry else (),
        markers=markers.get(i),
        groups=frozenset(groups.get(i, ())),
        direct=i in direct,
        location=location,
        metadata={UPLOAD_TIME: uploaded} if uploaded is not None else {},
    )


def _upload_time(f: Table, artifacts: list[Any], *, has_sdist: bool) -> str | None:
    """The newest ``upload-time`` of the package's sdist and wheels (uv writes one on
    each file from a registry that gives it, PEP 700)."""
    times: list[tuple[object, str]] = []
    for j, artifact in enumerate(artifacts):
        # A file that is not a table is reported by _hashes, which runs first.
        value = artifact.get("upload-time") if type(artifact) is dict else None
        if value is not None:
            where = "sdist" if has_sdist and j == 0 else f"wheels[{j - has_sdist}]"
            times.append((value, f"{where}.upload-time"))
    return newest_upload(times, f.error) if times else None


def _artifacts(f: Table, files: list[Any], *, has_sdist: bool) -> tuple[Artifact, ...]:
    """The package's files (every one a table: :func:`_hashes` ran first). uv writes a
    registry file's location as ``url``, or ``path`` for an index that is a directory
    (``crates/uv-resolver/src/lock``: ``WheelWireSource``, ``SourceDist``)."""
    result: list[Artifact] = []
    for j, file in enumerate(files):
        url = file.get("url")
        if type(url) is str and (name := url_file_name(url)):
            result.append(make_artifact(name, sha256_of(file.get("hash")), url))
            continue
        where = "sdist" if has_sdist and j == 0 else f"wheels[{j - has_sdist}]"
        key = next((k for k in ("url", "path", "filename") if file.get(k) is not None), None)
        if key is None:
            raise f.error(where, "no url, path or filename")
        value = file[key]
        if type(value) is not str:
            raise f.error(f"{where}.{key}", f"expected a string, found {toml_kind(value)}")
        name = path_file_name(value) if key == "path" else value
        if not name or key == "url":
            raise f.error(f"{where}.{key}", f"no file name in {value!r}")
        result.append(make_artifact(name, sha256_of(file.get("hash")), None))
    return tuple(result)


def _hashes(f: Table, artifacts: list[Any], *, has_sdist: bool) -> tuple[Hash, ...]:
    # Plain dict access rather than the Table's, and duplicates dropped as strings
    # before any Hash is built: big locks hold thousands of files (guidellm: 3,465).
    texts: dict[str, int] = {}
    for j, artifact in enumerate(artifacts):
        text = artifact.get("hash") if type(artifact) is dict else artifact
        if text is None:
            continue
        if type(artifact) is not dict or type(text) is not str:
            where = "sdist" if has_sdist and j == 0 else f"wheels[{j - has_sdist}]"
            if type(artifact) is not dict:
                raise f.error(where, "expected a table")
            raise f.error(f"{where}.hash", f"not an ALGORITHM:HEX hash: {text!r}")
        texts.setdefault(text.lower(), j)
    result: list[Hash] = []
    for text, j in texts.items():
        # parse_hash inlined (texts are lower-cased already): one call less per file.
        algorithm, sep, value = text.partition(":")
        try:
            if not sep or not algorithm or not value or " " in value:
                raise ValueError
            bytes.fromhex(value)
        except ValueError:
            where = "sdist" if has_sdist and j == 0 else f"wheels[{j - has_sdist}]"
            raise f.error(
                f"{where}.hash", f"not an ALGORITHM:HEX hash: {artifacts[j]['hash']!r}"
            ) from None
        h = _new(Hash)
        _set(h, "algorithm", algorithm)
        _set(h, "value", value)
        result.append(h)
    return tuple(result)


def _deps(owner: Table, key: str, pkgs: list[_Pkg], by_name: dict[str, list[int]]) -> list[_Dep]:
    result: list[_Dep] = []
    for j, raw in enumerate(owner.opt_list(key)):
        # Fast path, plain dict access (guidellm: ~1,000 entries); anything unusual goes
        # through the Table, which names the bad key.
        if type(raw) is dict and raw.keys() <= _PLAIN_DEP:
            name, marker, extras = raw.get("name"), raw.get("marker"), raw.get("extra", ())
            if (
                type(name) is str
                and name
                and (marker is None or type(marker) is str)
                and type(extras) in (list, tuple)
                and all(type(e) is str for e in extras)
            ):
                candidates = by_name.get(canonical_name(name), [])
                if len(candidates) == 1:
                    result.append(_Dep(candidates[0], tuple(extras), marker))
                    continue
        d = owner.wire.table(raw, owner.path(key), j)
        name = canonical_name(d.string("name"))
        candidates = by_name.get(name, [])
        if len(candidates) != 1:
            version = d.opt_string("version")
            source = d.opt_table("source")
            candidates = [
                c
                for c in candidates
                if (version is None or pkgs[c].version == version)
                and (source is None or pkgs[c].source == source)
            ]
        if len(candidates) != 1:
            what = (
                "no locked package matches"
                if not candidates
                else "ambiguous: several locked packages match"
            )
            raise d.error("name", f"{what} {name!r}")
        result.append(_Dep(candidates[0], tuple(d.strings("extra")), d.opt_string("marker")))
    return result


def _all_deps(p: _Pkg) -> list[_Dep]:
    deps = list(p.deps)
    for group in p.optional.values():
        deps.extend(group)
    for group in p.dev.values():
        deps.extend(group)
    return deps


def _walk(
    pkgs: list[_Pkg],
    members: set[int],
    manifest: Table | None,
    by_name: dict[str, list[int]],
) -> tuple[dict[int, set[str]], set[int]]:
    """Groups of every package and the direct dependencies.

    The work list holds (package, extra or None, group): a package reached in a group
    brings its dependencies into that group, and each requested extra its optional
    dependencies. References to members are expanded in place (they are the project).
    """
    groups: dict[int, set[str]] = {}
    direct: set[int] = set()
    seen: set[tuple[int, str | None, str]] = set()
    work: list[tuple[int, str | None, str]] = []

    def reach(dep: _Dep, group: str, from_project: bool) -> None:
        t = dep.target
        if from_project and t not in members:
            direct.add(t)
        for extra in (None, *dep.extras):
            item = (t, extra, group)
            if item not in seen:
                seen.add(item)
                work.append(item)

    def expand_member(m: int, extra: str | None, group: str | None) -> None:
        p = pkgs[m]
        if extra is None:
            for dep in p.deps:
                reach(dep, group or "main", True)
            if group is None:
                for name, deps in p.optional.items():
                    for dep in deps:
                        reach(dep, f"extra:{name}", True)
                for name, deps in p.dev.items():
                    for dep in deps:
                        reach(dep, name, True)
        else:
            for dep in p.optional.get(extra, ()):
                reach(dep, group or f"extra:{extra}", True)

    for m in sorted(members):
        groups.setdefault(m, set()).add("main")
        expand_member(m, None, None)
    if manifest is not None:
        # A workspace without a root project lists its requirements here.
        for req in manifest.tables("requirements"):
            for t in by_name.get(canonical_name(req.string("name")), []):
                reach(_Dep(t, tuple(req.strings("extras")), None), "main", True)

    while work:
        node, extra, group = work.pop()
        if node in members:
            expand_member(node, extra, group)
            continue
        groups.setdefault(node, set()).add(group)
        p = pkgs[node]
        for dep in p.deps if extra is None else p.optional.get(extra, ()):
            reach(dep, group, False)

    return groups, direct


#: Longer derived markers fall back to the disjunction of the edges' own markers.
_MAX_MARKER = 1000
#: Passes over the graph before the derived markers are given up for the edges' own.
_MAX_PASSES = 10


def _and(a: str | None, b: str | None) -> str | None:
    if a is None or a == b:
        return b
    if b is None:
        return a
    return f"({a}) and ({b})"


def _markers(pkgs: list[_Pkg], members: set[int]) -> dict[int, str | None]:
    """The marker under which each package is installed.

    A package is installed when some edge into it is taken: the edge's marker and the
    condition of the package it comes from (workspace members: always). This is a least
    fixpoint, computed by passes in breadth-first order from the members until nothing
    changes. Where it does not settle within :data:`_MAX_PASSES` passes, or a derived
    marker grows over :data:`_MAX_MARKER` characters, the package gets the disjunction
    of its incoming edges' own markers instead: broader than uv's condition (a package
    can only be installed when one of its edges' markers holds), never narrower.
    """
    incoming: dict[int, list[tuple[int, str | None]]] = {}
    for i, p in enumerate(pkgs):
        for dep in _all_deps(p):
            incoming.setdefault(dep.target, []).append((i, dep.marker))

    def edges_only(i: int) -> str | None:
        return join_markers(marker for _, marker in incoming.get(i, ()))

    order: list[int] = []
    seen = set(members)
    queue = sorted(members)
    while queue:
        nxt: list[int] = []
        for i in queue:
            for dep in _all_deps(pkgs[i]):
                if dep.target not in seen:
                    seen.add(dep.target)
                    nxt.append(dep.target)
        order.extend(nxt)
        queue = nxt

    # Absent from ``found``: not reached (yet). A value of None: unconditional.
    found: dict[int, str | None] = {}
    for _ in range(_MAX_PASSES):
        changed = False
        for i in order:
            terms = [
                marker if q in members else _and(marker, found[q])
                for q, marker in incoming.get(i, ())
                if q in members or q in found
            ]
            if not terms:
                continue
            value = join_markers(terms)
            if value is not None and len(value) > _MAX_MARKER:
                value = edges_only(i)
            if i not in found or found[i] != value:
                found[i] = value
                changed = True
        if not changed:
            break
    else:
        found = {}
    return {i: found[i] if i in found else edges_only(i) for i in range(len(pkgs))}
