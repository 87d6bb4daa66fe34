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
from collections.abc import Callable
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
    lines: list[str]
    pins: dict[ComponentKey, _Pin] = field(default_factory=dict)
    not_audited: list[NotAudited] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cursor: dict[str, int] = field(default_factory=dict)

    def location(self, needle: str) -> Location:
        """The line where ``needle`` (a requirement as written) next appears."""
        found = self.next_line(needle, lambda line: needle in line)
        return found or Location(file=str(self.file))

    def next_line(self, key: str, matches: Callable[[str], object]) -> Location | None:
        """The first line that ``matches`` after the one last found for ``key``."""
        for i in range(self.cursor.get(key, 0), len(self.lines)):
            if matches(self.lines[i]):
                self.cursor[key] = i + 1
                return Location(file=str(self.file), line=i + 1)
        return None

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
    state = _State(file=path, wire=w, lines=text.splitlines())
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
            _pep508(state, req, "main", f"project.dependencies[{i}]")
        optional = w.opt(
            project_table.get("optional-dependencies"), dict, "project", "optional-dependencies"
        )
        for extra, reqs in (optional or {}).items():
            where = f"project.optional-dependencies.{extra}"
            for i, req in enumerate(_strings(w, reqs, where)):
                _pep508(state, req, f"extra:{canonical_name(extra)}", f"{where}[{i}]")
    groups = w.opt(data.get("dependency-groups"), dict, "dependency-groups")
    if groups is not None:
        for group in groups:
            for req, where in _expand_group(w, groups, group, ()):
                _pep508(state, req, canonical_name(group), where)
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
) -> list[tuple[str, str]]:
    """PEP 735 ``include-group`` expansion: (requirement, key path) pairs."""
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
    out: list[tuple[str, str]] = []
    normal = {canonical_name(g): g for g in groups}
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append((item, f"{where}[{i}]"))
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


def _pep508(state: _State, text: str, group: str, where: str) -> None:
    req = parse_requirement(state.file, text, where)
    location = state.location(text)
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
    tables: list[tuple[str, str, object]] = [
        ("main", "tool.poetry.dependencies", poetry.get("dependencies")),
        ("dev", "tool.poetry.dev-dependencies", poetry.get("dev-dependencies")),
    ]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        for group, table in groups.items():
            deps = table.get("dependencies") if isinstance(table, dict) else None
            tables.append((canonical_name(group), f"tool.poetry.group.{group}.dependencies", deps))
    for group, where, table in tables:
        for display, spec in (state.wire.opt(table, dict, where) or {}).items():
            if group == "main" and display == "python":
                continue
            name = canonical_name(display)
            in_groups = {group}
            if group == "main" and isinstance(spec, dict) and spec.get("optional") is True:
                in_groups = extras_of.get(name, {"main"})
            _poetry_dependency(state, display, spec, in_groups, f"{where}.{display}")


def _poetry_dependency(
    state: _State, display: str, spec: object, groups: set[str], where: str
) -> None:
    name = canonical_name(display)
    location = _poetry_location(state, display) or Location(file=str(state.file))
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


def _poetry_location(state: _State, display: str) -> Location | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(display)}[\"']?\s*=")
    return state.next_line(f"poetry:{display}", pattern.match)
