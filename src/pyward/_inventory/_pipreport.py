"""Reader of pip's installation report (``pip install --dry-run --report FILE``).

Format: https://pip.pypa.io/en/stable/reference/installation-report/ (``version``
``"1"``): ``install[]`` holds what pip would install, each with its core metadata as JSON
(PEP 566: ``name``, ``version``, ``license_expression``, ``classifier``,
``requires_dist``...), its ``download_info`` (a PEP 610 direct URL record), ``requested``,
``is_direct`` and ``is_yanked``; ``environment`` holds the marker values pip resolved
for. What this reader decides:

* **Source**: an archive that is not a direct URL came from the index (``registry``);
  a direct archive is a ``url`` (a ``file:`` URL: a ``path``), a ``dir_info`` a
  ``directory`` (``editable`` when it says so) and a ``vcs_info`` a ``git`` checkout (or
  a ``url`` for another VCS), spelt ``git+URL@COMMIT`` with the commit pip resolved.
  The report does not name the index: ``index`` is ``None``, and the file's URL is
  ``metadata["download-url"]``.
* **Hashes**: the archive's ``hashes`` (or the older single ``hash``); a directory or a
  checkout has none.
* **Artifacts**: an archive is the file pip downloads: one :attr:`Component.artifacts`
  entry named by the last segment of ``download_info.url``, with the archive's SHA-256
  (``hashes.sha256``, or the older ``hash = "sha256=..."``). From the index or a direct
  URL alike: the source kind says which.
* **Direct**: ``direct`` is ``requested`` (what the user named on the command line or in
  a requirements file); those are the graph's roots.
* **Edges**: each ``requires_dist`` entry whose marker holds in the report's
  ``environment`` (with the extras requested of the component, by the user or by
  another component's requirement) and whose target is in the report. A target not in
  the report is already installed (pip reports only what it would install, unless run
  with ``--ignore-installed``), or not needed (an extra nobody asked for): such a
  requirement adds no edge and is not parsed, which is most of the time a large report
  takes to read.
* **Licences**: ``license_expression`` from ``License-Expression``; the free-text
  ``License`` in ``metadata["license"]`` and the ``License ::`` classifiers, one per
  line, in ``metadata["license-classifiers"]``.
* A yanked release (``is_yanked``) has ``metadata["yanked"] = "true"``.

Every bad value is an ``InputError`` naming its key path (``install[3].metadata.version``);
a requirement is checked when it is parsed (its name is in the report, or cannot be
read from its start).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._inventory._common import (
    check_format_version,
    dedupe_hashes,
    is_hex_digest,
    make_artifact,
    parse_hash,
    parse_requirement,
    purl,
    url_file_name,
    vcs_source,
)
from pyward._model import (
    Artifact,
    Component,
    ComponentKey,
    Hash,
    Inventory,
    Location,
    SourceKind,
    canonical_name,
)
from pyward._wire import PYTHON_FOUND, Table, Wire
from pyward.errors import InputError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

FORMAT = "pip-report"
#: Report major version -> newest minor this pyward reads.
KNOWN_VERSIONS = {1: 0}
_NOT_AN_OBJECT = "expected a JSON object, found {found}"
#: The project name a PEP 508 requirement starts with, when it is followed by what may
#: follow a name.
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?=[\[(;@<>=!~]|$)")


def read(path: Path) -> Inventory:
    """Read ``path`` as pip's installation report."""
    from pyward._inventory._toml import load_json, read_bytes

    file = str(path)
    data = Wire(file, PYTHON_FOUND).check(
        load_json(file, read_bytes(path)), dict, "line 1", what=_NOT_AN_OBJECT
    )
    return _build(file, Wire(file).table(data, ""))


class _Item:
    """One ``install[]`` entry as read, before the graph is built."""

    __slots__ = ("component", "extras", "requires", "where")

    def __init__(
        self,
        component: Component,
        extras: set[str],
        requires: list[tuple[str, str]],
        where: str,
    ) -> None:
        self.component = component
        self.extras = extras
        self.requires = requires
        self.where = where


def _build(file: str, top: Table) -> Inventory:
    notes: list[str] = []
    note = check_format_version(
        file,
        "version",
        top.required("version", str),
        known=KNOWN_VERSIONS,
        fmt="pip installation report",
    )
    if note is not None:
        notes.append(note)
    top.string("pip_version")
    environment = _environment(top)
    items: list[_Item] = []
    seen: dict[ComponentKey, str] = {}
    top.required("install", list)
    for entry in top.tables("install"):
        item = _item(file, entry)
        earlier = seen.get(item.component.key)
        if earlier is not None:
            raise entry.error(
                "metadata",
                f"{item.component.name} {item.component.version} is listed twice "
                f"(also at {earlier})",
            )
        seen[item.component.key] = item.where
        items.append(item)
    edges = _edges(file, items, environment)
    components = tuple(
        _with_extras(i.component, i.extras) if i.extras else i.component for i in items
    )
    return Inventory(
        source=file,
        format=FORMAT,
        components=components,
        edges=edges,
        roots=tuple(c.key for c in components if c.direct),
        notes=tuple(notes),
        python_version=environment.get("python_version"),
    )


def _environment(top: Table) -> dict[str, str]:
    env = top.sub("environment")
    if env is None:
        return {}
    return {key: env.wire.check(value, str, env.at, key) for key, value in env.data.items()}


def _item(file: str, entry: Table) -> _Item:
    meta = entry.required_sub("metadata")
    display = meta.string("name")
    name = canonical_name(display)
    version = meta.string("version").strip()
    info = entry.required_sub("download_info")
    url = info.string("url")
    requested = entry.required("requested", bool)
    is_direct = entry.required("is_direct", bool)
    yanked = entry.opt_bool("is_yanked")
    source, source_url, hashes = _source(info, url, is_direct)
    artifacts: tuple[Artifact, ...] = ()
    if info.sub("archive_info") is not None:
        file_name = url_file_name(url)
        if not file_name:
            raise info.error("url", f"no file name in the archive's URL {url!r}")
        sha256 = next((h.value for h in hashes if h.algorithm == "sha256"), None)
        artifacts = (make_artifact(file_name, sha256, url),)
    metadata: dict[str, str] = {"download-url": url}
    text = meta.opt_string("license")
    if text is not None and text.strip() and text.strip().upper() != "UNKNOWN":
        metadata["license"] = text.strip()
    licences = [c.strip() for c in meta.strings("classifier") if c.startswith("License ::")]
    if licences:
        metadata["license-classifiers"] = "\n".join(licences)
    summary = meta.opt_string("summary")
    if summary is not None and summary.strip():
        metadata["summary"] = summary.strip()
    requires_python = meta.opt_string("requires_python")
    if requires_python is not None and requires_python.strip():
        metadata["requires-python"] = requires_python.strip()
    if yanked:
        metadata["yanked"] = "true"
    expression = meta.opt_string("license_expression")
    component = Component(
        name=name,
        version=version,
        display_name=display if display != name else None,
        purl=purl(display, version),
        source=source,
        source_url=source_url,
        hashes=hashes,
        artifacts=artifacts,
        direct=requested,
        location=Location(file=file),
        license_expression=expression.strip() if expression and expression.strip() else None,
        metadata=metadata,
    )
    requires_at = meta.path("requires_dist")
    texts = meta.strings("requires_dist")
    requires = [(text, f"{requires_at}[{j}]") for j, text in enumerate(texts)]
    extras = {canonical_name(x) for x in entry.strings("requested_extras")}
    return _Item(component, extras, requires, entry.at)


def _source(
    info: Table, url: str, is_direct: bool
) -> tuple[SourceKind, str | None, tuple[Hash, ...]]:
    """The kind of source, its reference and the archive's hashes (PEP 610)."""
    archive = info.sub("archive_info")
    directory = info.sub("dir_info")
    vcs = info.sub("vcs_info")
    given = [t for t in (archive, directory, vcs) if t is not None]
    if len(given) != 1:
        raise info.wire.error(
            info.at, "expected exactly one of archive_info, dir_info and vcs_info"
        )
    subdirectory = info.opt_string("subdirectory")
    if vcs is not None:
        kind = vcs.string("vcs")
        ref = vcs.string("commit_id")
        source: SourceKind = "git" if kind == "git" else "url"
        return source, vcs_source(kind, url, ref, subdirectory), ()
    if archive is None:  # a dir_info
        editable = directory is not None and directory.opt_bool("editable")
        return ("editable" if editable else "directory"), url, ()
    hashes = _hashes(archive)
    if not is_direct:
        return "registry", None, hashes
    return ("path" if url.startswith("file:") else "url"), url, hashes


def _hashes(archive: Table) -> tuple[Hash, ...]:
    found: list[Hash] = []
    table = archive.sub("hashes")
    if table is not None:
        for algorithm, value in table.data.items():
            if not is_hex_digest(value):
                raise table.error(algorithm, f"not a hexadecimal digest: {value!r}")
            found.append(Hash(algorithm=algorithm.lower(), value=value.lower()))
    legacy = archive.opt_string("hash")
    if legacy is not None:
        parsed = parse_hash(legacy.replace("=", ":", 1))
        if parsed is None:
            raise archive.error("hash", f"not an ALGORITHM=HEX hash: {legacy!r}")
        found.append(parsed)
    return dedupe_hashes(found)


def _edges(
    file: str, items: list[_Item], environment: dict[str, str]
) -> dict[ComponentKey, tuple[ComponentKey, ...]]:
    """Each component's requirements that hold in ``environment`` and that the report
    installs. A requirement with extras (``lib[speed]``) asks for those extras of its
    target, whose own requirements then count: the extras are added until none is new."""
    from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName

    by_name = {i.component.name: i for i in items}
    # A requirement on a package the report does not install adds no edge (an extra's
    # docs tools, a package already installed): it is not parsed, which is most of the
    # cost of reading a large report. One whose name cannot be read cheaply is parsed,
    # so that an invalid one is still an error.
    parsed: list[list[tuple[Requirement, str]]] = []
    for item in items:
        reqs = []
        for text, where in item.requires:
            m = _NAME.match(text)
            if m is not None and canonical_name(m[1]) not in by_name:
                continue
            reqs.append((parse_requirement(file, text, where), where))
        parsed.append(reqs)
    holds: dict[tuple[str, str], bool] = {}
    edges: dict[ComponentKey, tuple[ComponentKey, ...]] = {}
    changed = True
    while changed:
        changed = False
        for item, reqs in zip(items, parsed, strict=True):
            targets: dict[ComponentKey, None] = {}
            for req, where in reqs:
                target = by_name.get(canonical_name(req.name))
                if target is None or target is item:
                    continue
                if req.marker is not None:
                    marker = str(req.marker)
                    for extra in sorted(item.extras) or [""]:
                        if (marker, extra) not in holds:
                            try:
                                env = {**environment, "extra": extra}
                                holds[marker, extra] = req.marker.evaluate(env)
                            except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
                                detail = f"cannot evaluate the marker {marker!r}"
                                raise InputError(file, detail, where=where) from None
                        if holds[marker, extra]:
                            break
                    else:
                        continue
                targets[target.component.key] = None
                wanted = {canonical_name(x) for x in req.extras} - target.extras
                if wanted:
                    target.extras |= wanted
                    changed = True
            if targets:
                edges[item.component.key] = tuple(targets)
    return edges


def _with_extras(component: Component, extras: set[str]) -> Component:
    from dataclasses import replace

    return replace(component, extras=frozenset(extras))
