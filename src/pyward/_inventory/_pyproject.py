"""Reader of ``pyproject.toml`` alone (no lock file next to it).

A project's declared requirements are ranges, not what gets installed; only exact pins
(``==`` without a wildcard, or ``===``) name one version that can be audited. Every
other requirement is a :class:`NotAudited` ("not pinned; lock the project first").

Read: ``[project] dependencies`` (group ``main``), ``[project.optional-dependencies]``
(``extra:NAME``), ``[dependency-groups]`` (PEP 735, with ``{include-group = ...}``), and
Poetry's ``[tool.poetry.dependencies]``, ``[tool.poetry.group.NAME.dependencies]`` and
``[tool.poetry.dev-dependencies]`` (group ``dev``); Poetry extras (``[tool.poetry.extras]``)
put their optional dependencies in ``extra:NAME``. In Poetry a bare ``"1.2.3"`` is an
exact pin (https://python-poetry.org/docs/dependency-specification/#exact-requirements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyward._inventory import _toml
from pyward._inventory._common import (
    join_markers,
    parse_requirement,
    pinned_version,
    purl,
    url_reason,
)
from pyward._model import Component, ComponentKey, Inventory, Location, NotAudited, canonical_name
from pyward._model import component_key as _key
from pyward._wire import EXPECTED, Wire

FORMAT = "pyproject.toml"

#: Deepest chain of PEP 735 ``include-group`` read (real projects nest one or two).
MAX_INCLUDE_DEPTH = 100
_POETRY_EXACT = re.compile(r"^\s*(?:==)?\s*(?P<v>[0-9][^\s*,<>=!~^|]*)\s*$")
_NOT_PINNED = "not pinned; lock the project first"


@dataclass(slots=True)
class _Pin:
    name: str
    display: str
    version: str
    markers: str | None
    extras: set[str]
    groups: set[str]
    location: Location


@dataclass(slots=True)
class _State:
    file: Path
    wire: Wire
    lines: dict[_toml.KeyPath, int]
    pins: dict[ComponentKey, _Pin] = field(default_factory=dict)
    not_audited: list[NotAudited] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def location(self, path: _toml.KeyPath) -> Location:
        """Where the value at ``path`` (a key path into the document) is written."""
        return Location(file=str(self.file), line=self.lines.get(path))

    def skip(self, name: str, requirement: str, reason: str, location: Location) -> None:
        """Record a requirement that cannot be audited, and why."""
        self.not_audited.append(
            NotAudited(name=name, requirement=requirement, reason=reason, location=location)
        )


def read(path: Path) -> Inventory:
    """Read the exact pins of a ``pyproject.toml``."""
    path = Path(path)
    text = _toml.read_text(path)
    data = _toml.loads(text, path)
    w = Wire(path, EXPECTED)
    state = _State(file=path, wire=w, lines=_toml.value_lines(text))
    project_table = w.opt(data.get("project"), dict, "project")
    tool = data.get("tool")
    # Other tools' tables are theirs: one that is not a table is not read.
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    project: Component | None = None
    if project_table is not None:
        project = _project(w, project_table, "project")
        for i, req in enumerate(
            _strings(w, project_table.get("dependencies"), "project.dependencies")
        ):
            where_i = f"project.dependencies[{i}]"
            _pep508(state, req, "main", where_i, ("project", "dependencies", i))
        optional = w.opt(
            project_table.get("optional-dependencies"), dict, "project", "optional-dependencies"
        )
        for extra, reqs in (optional or {}).items():
            where = f"project.optional-dependencies.{extra}"
            for i, req in enumerate(_strings(w, reqs, where)):
                group = f"extra:{canonical_name(extra)}"
                at: _toml.KeyPath = ("project", "optional-dependencies", extra, i)
                _pep508(state, req, group, f"{where}[{i}]", at)
    groups = w.opt(data.get("dependency-groups"), dict, "dependency-groups")
    if groups is not None:
        for group in groups:
            for req, where, at in _expand_group(w, groups, group, ()):
                _pep508(state, req, canonical_name(group), where, at)
    if isinstance(poetry, dict):
        if project is None:
            project = _project(w, poetry, "tool.poetry")
        _poetry(state, poetry)
    components = tuple(
        Component(
            name=p.name,
            version=p.version,
            display_name=p.display if p.display != p.name else None,
            purl=purl(p.display, p.version),
            markers=p.markers,
            groups=frozenset(p.groups),
            extras=frozenset(p.extras),
            direct=True,
            location=p.location,
        )
        for p in state.pins.values()
    )
    if not components and not state.not_audited:
        state.notes.append(f"{path}: declares no dependencies")
    return Inventory(
        source=str(path),
        format=FORMAT,
        components=components,
        not_audited=tuple(state.not_audited),
        roots=tuple(c.key for c in components),
        project=project,
        notes=tuple(state.notes),
        requires_python=None
        if project_table is None
        else w.opt(project_table.get("requires-python"), str, "project", "requires-python"),
    )


def _project(w: Wire, table: dict[str, Any], where: str) -> Component | None:
    if table.get("name") is None:
        return None
    nonempty = "expected a non-empty string"
    name = w.text(table.get("name"), where, "name", what=nonempty, empty=nonempty)
    version = w.opt(table.get("version"), str, where, "version")
    normal = canonical_name(name)
    return Component(
        name=normal,
        version=version,
        display_name=name if name != normal else None,
        source="virtual",
        purl=purl(name, version),
    )


def _strings(w: Wire, value: object, where: str) -> list[str]:
    return w.items(value, where, of=str, what="expected an array of strings")


def _expand_group(
    w: Wire, groups: dict[str, Any], group: str, seen: tuple[str, ...]
) -> list[tuple[str, str, _toml.KeyPath]]:
    """PEP 735 ``include-group`` expansion: (requirement, key path, key path as a tuple)."""
    if group in seen:
        chain = " -> ".join((*seen, group))
        raise w.error(f"dependency-groups.{seen[0]}", f"include-group cycle: {chain}")
    where = f"dependency-groups.{group}"
    if len(seen) >= MAX_INCLUDE_DEPTH:
        raise w.error(
            f"dependency-groups.{seen[0]}",
            f"include-group nested deeper than {MAX_INCLUDE_DEPTH} groups",
        )
    items = w.check(groups[group], list, where)
    out: list[tuple[str, str, _toml.KeyPath]] = []
    normal = {canonical_name(g): g for g in groups}
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append((item, f"{where}[{i}]", ("dependency-groups", group, i)))
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            target = normal.get(canonical_name(item["include-group"]))
            if target is None:
                raise w.error(
                    f"{where}[{i}]", f"include-group {item['include-group']!r} is not defined"
                )
            out.extend(_expand_group(w, groups, target, (*seen, group)))
        else:
            raise w.error(f"{where}[{i}]", "expected a string or {include-group = ...}")
    return out


def _pep508(state: _State, text: str, group: str, where: str, path: _toml.KeyPath) -> None:
    req = parse_requirement(state.file, text, where)
    location = state.location(path)
    name = canonical_name(req.name)
    if req.url:
        state.skip(name, text, url_reason(req.url), location)
        return
    version = pinned_version(req)
    if version is None:
        state.skip(name, text, _NOT_PINNED, location)
        return
    _add(
        state,
        _Pin(
            name=name,
            display=req.name,
            version=version,
            markers=str(req.marker) if req.marker is not None else None,
            extras={canonical_name(e) for e in req.extras},
            groups={group},
            location=location,
        ),
    )


def _add(state: _State, pin: _Pin) -> None:
    key = _key(pin.name, pin.version)
    existing = state.pins.get(key)
    if existing is None:
        state.pins[key] = pin
        return
    existing.groups |= pin.groups
    existing.extras |= pin.extras
    existing.markers = join_markers((existing.markers, pin.markers))


def _poetry(state: _State, poetry: dict[str, Any]) -> None:
    extras_of: dict[str, set[str]] = {}
    extras = poetry.get("extras")
    if isinstance(extras, dict):
        for extra, names in extras.items():
            for n in _strings(state.wire, names, f"tool.poetry.extras.{extra}"):
                extras_of.setdefault(canonical_name(n), set()).add(f"extra:{canonical_name(extra)}")
    # (group, key path as written in errors, key path into the document, the table)
    tables: list[tuple[str, str, _toml.KeyPath, object]] = [
        ("main", "tool.poetry.dependencies", ("dependencies",), poetry.get("dependencies")),
        (
            "dev",
            "tool.poetry.dev-dependencies",
            ("dev-dependencies",),
            poetry.get("dev-dependencies"),
        ),
    ]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        for group, table in groups.items():
            deps = table.get("dependencies") if isinstance(table, dict) else None
            where = f"tool.poetry.group.{group}.dependencies"
            tables.append((canonical_name(group), where, ("group", group, "dependencies"), deps))
    for group, where, sub, table in tables:
        for display, spec in (state.wire.opt(table, dict, where) or {}).items():
            if group == "main" and display == "python":
                continue
            name = canonical_name(display)
            in_groups = {group}
            if group == "main" and isinstance(spec, dict) and spec.get("optional") is True:
                in_groups = extras_of.get(name, {"main"})
            at = ("tool", "poetry", *sub, display)
            _poetry_dependency(state, display, spec, in_groups, f"{where}.{display}", at=at)


def _poetry_dependency(
    state: _State, display: str, spec: object, groups: set[str], where: str, *, at: _toml.KeyPath
) -> None:
    name = canonical_name(display)
    location = state.location(at)
    written = f"{display} = {spec!r}"
    if isinstance(spec, list):
        state.skip(name, written, _NOT_PINNED, location)
        return
    table: dict[str, Any]
    if isinstance(spec, str):
        table = {"version": spec}
    elif isinstance(spec, dict):
        table = spec
    else:
        raise state.wire.error(where, "expected a version string or a table")
    for key, reason in (("git", "VCS requirement"), ("path", "local path"), ("url", "direct URL")):
        if key in table:
            state.skip(name, written, reason, location)
            return
    version = state.wire.check(
        table.get("version"),
        str,
        where,
        "version" if isinstance(spec, dict) else None,
        what="expected a version string",
    )
    m = _POETRY_EXACT.match(version)
    if m is None:
        state.skip(name, written, _NOT_PINNED, location)
        return
    markers = table.get("markers")
    extras = table.get("extras")
    _add(
        state,
        _Pin(
            name=name,
            display=display,
            version=m["v"],
            markers=markers if isinstance(markers, str) else None,
            extras={canonical_name(e) for e in extras if isinstance(e, str)}
            if isinstance(extras, list)
            else set(),
            groups=set(groups),
            location=location,
        ),
    )
