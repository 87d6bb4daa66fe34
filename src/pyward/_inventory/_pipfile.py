"""Reader of ``Pipfile.lock`` (JSON, ``pipfile-spec`` 6).

Format: pypa/pipfile's lock format as pipenv writes it (``pipenv/utils/locking.py``).
What this reader decides:

* **Categories** are groups: ``default`` is ``main``, ``develop`` is ``dev``, custom
  categories (``typing-dev``) keep their names.
* The same name at the same version in several categories is one component in several
  groups; at different versions (paperless-ngx: Django 5.1.6 in ``default``, 5.1.5 in
  ``typing-dev``) it is two components, as pipenv would install either set.
* **Index**: an entry's ``index`` names one of ``_meta.sources``; without it the
  package comes from the first source, the default. Another source is
  ``non_default_index``.
* An entry without ``version`` (a VCS, path or URL requirement pipenv did not pin) is
  ``NotAudited``; with a version it is a component of that source kind.
* **Artifacts**: none. The lock records each file's hash but not its name, so
  ``Component.artifacts`` stays empty; ``pyward provenance`` finds the files these
  hashes are of on the index's page for the release.
* The lock records no dependency graph and not which entries the Pipfile names, so
  there are no edges or roots and nothing is marked ``direct``.
* Lines: pipenv writes the lock with 4-space indentation, so an entry is the
  ``"name": {`` line at 8 spaces inside its category; other layouts get no line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pyward._inventory._common import (
    dedupe_hashes,
    join_markers,
    parse_hash,
    purl,
    vcs_source,
)
from pyward._model import (
    Component,
    Hash,
    Inventory,
    Location,
    NotAudited,
    SourceKind,
    canonical_name,
)
from pyward._wire import PYTHON_FOUND, Table, Wire

FORMAT = "Pipfile.lock"
KNOWN_SPEC = 6

_GROUP = {"default": "main", "develop": "dev"}
_ENTRY_LINE = re.compile(r'^( {4}| {8})"((?:[^"\\]|\\.)*)": \{', re.M)
_NOT_AN_OBJECT = "expected a JSON object, found {found}"


def read(path: Path) -> Inventory:
    """Read ``path`` as a ``Pipfile.lock``."""
    from pyward._inventory._toml import load_json, read_bytes

    file = str(path)
    raw = read_bytes(path)
    data = Wire(file, PYTHON_FOUND).check(load_json(file, raw), dict, "line 1", what=_NOT_AN_OBJECT)
    text = raw.decode("utf-8", "replace")
    return _build(file, text, data)


def _lines(text: str) -> dict[tuple[str, str], int]:
    result: dict[tuple[str, str], int] = {}
    category = ""
    line = 1
    pos = 0
    for m in _ENTRY_LINE.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if len(m.group(1)) == 4:
            category = m.group(2)
        else:
            result.setdefault((category, m.group(2)), line)
    return result


def _build(file: str, text: str, data: Any) -> Inventory:
    w = Wire(file)
    top = w.table(data, "")
    meta = top.required_sub("_meta")
    spec = meta.data.get("pipfile-spec")
    if spec is not None and (
        not isinstance(spec, int) or isinstance(spec, bool) or spec > KNOWN_SPEC
    ):
        raise meta.error(
            "pipfile-spec",
            f"unsupported Pipfile.lock format version {spec} (this pyward reads {KNOWN_SPEC})",
        )
    sources: dict[str, str] = {}
    default_index: str | None = None
    for source in meta.tables("sources"):
        url = source.string("url")
        if default_index is None:
            default_index = url
        name = source.opt_string("name")
        if name is not None:
            sources[name] = url

    lines = _lines(text)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    not_audited: list[NotAudited] = []
    for category, entries in data.items():
        if category == "_meta":
            continue
        cat = w.table(entries, category)
        group = _GROUP.get(category, category)
        for raw_name, raw in cat.data.items():
            e = w.table(raw, category, raw_name)
            name = canonical_name(raw_name)
            line = lines.get((category, raw_name))
            location = Location(file=file, line=line)
            kind, source_url = _source(e)
            version = e.opt_string("version")
            if version is None:
                not_audited.append(
                    NotAudited(
                        name=name,
                        requirement=f"{raw_name} @ {source_url}" if source_url else raw_name,
                        reason=(
                            f"{kind} dependency without a version; "
                            "nothing to match advisories against"
                            if source_url
                            else "no version locked"
                        ),
                        location=location,
                    )
                )
                continue
            version = version.lstrip("=").strip()
            if not version:
                raise e.error("version", "empty")
            index_name = e.opt_string("index")
            if index_name is not None and index_name not in sources:
                raise e.error("index", f"{index_name!r} is not one of _meta.sources")
            index = sources[index_name] if index_name is not None else default_index
            hashes: list[Hash] = []
            for j, h in enumerate(e.strings("hashes")):
                parsed = parse_hash(h)
                if parsed is None:
                    raise e.error(f"hashes[{j}]", f"not an ALGORITHM:HEX hash: {h!r}")
                hashes.append(parsed)
            slot = merged.setdefault(
                (name, version),
                {
                    "raw_name": raw_name,
                    "groups": set(),
                    "hashes": [],
                    "markers": [],
                    "extras": set(),
                    "index": index,
                    "kind": kind,
                    "source_url": source_url,
                    "location": location,
                },
            )
            slot["groups"].add(group)
            slot["hashes"].extend(hashes)
            slot["markers"].append(e.opt_string("markers"))
            slot["extras"].update(canonical_name(x) for x in e.strings("extras"))

    components: list[Component] = []
    for (name, version), s in merged.items():
        registry = s["kind"] == "registry"
        non_default = registry and s["index"] is not None and s["index"] != default_index
        components.append(
            Component(
                name=name,
                version=version,
                display_name=s["raw_name"] if s["raw_name"] != name else None,
                purl=purl(s["raw_name"], version, s["index"] if non_default else None),
                source=s["kind"],
                index=s["index"] if registry else None,
                non_default_index=non_default,
                source_url=s["source_url"],
                hashes=dedupe_hashes(s["hashes"]),
                markers=join_markers(s["markers"]),
                groups=frozenset(s["groups"]),
                extras=frozenset(s["extras"]),
                location=s["location"],
            )
        )
    requires = meta.sub("requires")
    return Inventory(
        source=file,
        format=FORMAT,
        components=tuple(components),
        not_audited=tuple(not_audited),
        requires_python=None
        if requires is None
        else requires.opt_string("python_version") or requires.opt_string("python_full_version"),
    )


def _source(e: Table) -> tuple[SourceKind, str | None]:
    for vcs in ("git", "hg", "svn", "bzr"):
        url = e.opt_string(vcs)
        if url is not None:
            text = vcs_source(vcs, url, e.opt_string("ref"), e.opt_string("subdirectory"))
            kind: SourceKind = "git" if vcs == "git" else "url"
            return kind, text
    local = e.opt_string("path")
    if local is not None:
        if local.endswith((".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2")):
            return "path", local
        return ("editable" if e.opt_bool("editable") else "directory"), local
    url = e.opt_string("file")
    if url is not None:
        return "url", url
    return "registry", None
