"""Reader of ``pylock.toml`` (PEP 751, ``lock-version = "1.0"``).

Validation is ``packaging.pylock.Pylock.from_dict`` (the reference implementation of
PEP 751): its errors carry the key path (``packages[3].name``) and become
``InputError`` s. Values are then taken from the parsed tables, so versions and
markers stay as written (``packaging`` would normalise them).

What this reader decides:

* **The project**: a package that is a ``directory`` at ``"."`` (uv export writes the
  project so, editable and without a version) is :attr:`Inventory.project`. Any other
  package without a version is ``NotAudited``.
* **Groups** come from the package's marker: ``"x" in extras`` is ``extra:x`` and
  ``"g" in dependency_groups`` is ``g`` (PEP 751's own markers); PDM names its main
  dependencies ``default``, which is ``main`` in a lock ``created-by = "pdm"``. A
  marker without either gives no groups.
* **Index**: ``index`` as written; the index most packages name is the default one and
  others are ``non_default_index``.
* **Upload time**: the newest ``upload-time`` of the package's ``archive``, ``sdist``
  and ``wheels`` is ``metadata["upload-time"]``, ISO 8601 in UTC (the ``cooldown``
  check's age of the release).
* **Artifacts**: a registry package's ``sdist`` and ``wheels`` are its
  :attr:`Component.artifacts`: the file's ``name``, else the last segment of its ``path``
  or ``url`` (PEP 751's rule), and its ``hashes.sha256``. An ``archive`` is a file the
  lock downloads from a URL or a path, not from an index: it has none.
* **Edges** come from PEP 751's optional ``dependencies`` arrays (uv does not write
  them); tool tables (``[packages.tool.pdm]``) are the tool's own and are not read.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from pyward._inventory._common import (
    UPLOAD_TIME,
    add_edges,
    check_format_version,
    dedupe_hashes,
    header_lines,
    make_artifact,
    merge_same_key,
    newest_upload,
    parse_hash,
    path_file_name,
    purl,
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
    NotAudited,
    SourceKind,
    canonical_name,
    component_key,
)
from pyward._wire import Table, Wire
from pyward.errors import InputError

FORMAT = "pylock.toml"

_IN_EXTRAS = re.compile(r"""["']([^"']+)["']\s+in\s+extras\b""")
_IN_GROUPS = re.compile(r"""["']([^"']+)["']\s+in\s+dependency_groups\b""")


def read(path: Path) -> Inventory:
    """Read ``path`` as a ``pylock.toml``."""
    text = read_text(path)
    return _build(path, text, loads(text, path))


def _validate(file: str, data: dict[str, Any]) -> None:
    from packaging.pylock import Pylock, PylockValidationError

    try:
        Pylock.from_dict(data)
    except PylockValidationError as exc:
        what = "missing" if exc.message == "Missing required value" else exc.message
        raise InputError(file, what, where=exc.context) from None


def _build(path: Path, text: str, data: dict[str, Any]) -> Inventory:
    file = str(path)
    top = Wire(file).table(data, "")
    note = check_format_version(
        file, "lock-version", top.string("lock-version"), known={1: 0}, fmt=FORMAT
    )
    # packaging logs its own warning for a newer minor; we report it as a note instead.
    _validate(file, {**data, "lock-version": "1.0"} if note else data)

    pdm = data.get("created-by") == "pdm"
    packages = list(top.tables("packages"))
    found_lines = header_lines(text, "packages")
    lines = found_lines if len(found_lines) == len(packages) else []
    counts = Counter(p.data["index"] for p in packages if isinstance(p.data.get("index"), str))
    default_index = counts.most_common(1)[0][0] if counts else None

    names = [canonical_name(p.string("name")) for p in packages]
    versions = [p.opt_string("version") for p in packages]
    by_name: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        by_name.setdefault(n, []).append(i)

    components: list[Component] = []
    not_audited: list[NotAudited] = []
    project: Component | None = None
    edges: dict[ComponentKey, tuple[ComponentKey, ...]] = {}
    for i, p in enumerate(packages):
        name, version = names[i], versions[i]
        location = Location(file=file, line=lines[i] if lines else None)
        kind, source_url, hashes, artifacts = _source(p)
        index = p.opt_string("index") if kind == "registry" else None
        non_default = index is not None and index != default_index
        marker = p.opt_string("marker")
        groups: set[str] = set()
        if marker:
            groups.update(f"extra:{canonical_name(x)}" for x in _IN_EXTRAS.findall(marker))
            groups.update(
                "main" if pdm and g == "default" else g for g in _IN_GROUPS.findall(marker)
            )
        uploaded = _upload_time(p)
        component = Component(
            name=name,
            version=version,
            purl=purl(p.string("name"), version, index if non_default else None),
            source=kind,
            index=index,
            non_default_index=non_default,
            source_url=source_url,
            hashes=hashes,
            artifacts=artifacts,
            markers=marker,
            groups=frozenset(groups),
            location=location,
            metadata={UPLOAD_TIME: uploaded} if uploaded is not None else {},
        )
        targets: list[ComponentKey] = []
        for dep in p.tables("dependencies"):
            dep_version = dep.opt_string("version")
            for t in by_name.get(canonical_name(dep.string("name")), []):
                if dep_version is None or versions[t] == dep_version:
                    targets.append(component_key(names[t], versions[t]))
        add_edges(edges, component.key, targets)

        if kind in ("directory", "editable") and source_url in (".", "./") and project is None:
            project = component
        elif version is None:
            not_audited.append(
                NotAudited(
                    name=name,
                    requirement=f"{name} @ {source_url}" if source_url else name,
                    reason=f"{kind} package without a version; nothing to match advisories against",
                    location=location,
                )
            )
        else:
            components.append(component)
    merged, notes = merge_same_key(file, components)
    return Inventory(
        source=file,
        format=FORMAT,
        components=merged,
        not_audited=tuple(not_audited),
        edges=edges,
        project=project,
        notes=(note, *notes) if note else notes,
        requires_python=top.opt_string("requires-python"),
    )


def _hash_table(owner: Table, key: str, out: list[Hash]) -> None:
    table = owner.sub(key)
    if table is None:
        return
    for algorithm, value in table.data.items():
        h = parse_hash(f"{algorithm}:{value}") if isinstance(value, str) else None
        if h is None:
            raise table.error(algorithm, f"not a hex digest: {value!r}")
        out.append(h)


def _upload_time(p: Table) -> str | None:
    """The newest ``upload-time`` of the package's ``archive``, ``sdist`` and ``wheels``
    (PEP 751: a TOML datetime, in UTC)."""
    times: list[tuple[object, str]] = []
    for key in ("archive", "sdist"):
        table = p.data.get(key)
        if type(table) is dict and (value := table.get("upload-time")) is not None:
            times.append((value, p.path(f"{key}.upload-time")))
    wheels = p.data.get("wheels")
    if type(wheels) is list:
        for j, wheel in enumerate(wheels):
            if type(wheel) is dict and (value := wheel.get("upload-time")) is not None:
                times.append((value, p.path(f"wheels[{j}].upload-time")))
    return newest_upload(times, p.wire.error) if times else None


def _artifact(file: Table) -> Artifact:
    """One ``sdist`` or ``wheels`` entry (validated by ``packaging``: ``hashes`` is a
    non-empty table of strings, and ``url`` or ``path`` is there)."""
    url = file.opt_string("url")
    path = file.opt_string("path")
    name = file.opt_string("name") or (path_file_name(path) if path else url_file_name(url or ""))
    if not name:
        raise file.error("url" if url else "path", "no file name in it, and no name")
    sha256 = file.data["hashes"].get("sha256")
    return make_artifact(name, sha256.lower() if isinstance(sha256, str) else None, url)


def _source(p: Table) -> tuple[SourceKind, str | None, tuple[Hash, ...], tuple[Artifact, ...]]:
    hashes: list[Hash] = []
    vcs = p.sub("vcs")
    if vcs is not None:
        vtype = vcs.string("type")
        location = vcs.opt_string("url") or vcs.opt_string("path") or ""
        ref = vcs.opt_string("commit-id") or vcs.opt_string("requested-revision")
        text = vcs_source(vtype, location, ref, vcs.opt_string("subdirectory"))
        return ("git" if vtype == "git" else "url"), text, (), ()
    directory = p.sub("directory")
    if directory is not None:
        kind: SourceKind = "editable" if directory.opt_bool("editable") else "directory"
        return kind, directory.string("path"), (), ()
    # An archive is downloaded from its URL or path, not from an index: no artifact.
    archive = p.sub("archive")
    if archive is not None:
        _hash_table(archive, "hashes", hashes)
        url = archive.opt_string("url")
        if url is not None:
            return "url", url, dedupe_hashes(hashes), ()
        return "path", archive.opt_string("path"), dedupe_hashes(hashes), ()
    artifacts: list[Artifact] = []
    sdist = p.sub("sdist")
    if sdist is not None:
        _hash_table(sdist, "hashes", hashes)
        artifacts.append(_artifact(sdist))
    for wheel in p.tables("wheels"):
        _hash_table(wheel, "hashes", hashes)
        artifacts.append(_artifact(wheel))
    return "registry", None, dedupe_hashes(hashes), tuple(artifacts)
