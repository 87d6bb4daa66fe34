"""Selection of components: dependency groups, extras and the target environment."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import product
from typing import TYPE_CHECKING

from pyward._inventory._registry import installs_by_graph
from pyward._model import ComponentKey, Inventory, NotAudited, canonical_name
from pyward.errors import UsageError

if TYPE_CHECKING:
    from packaging.markers import Marker


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """What part of an inventory to audit. The default is everything the source pins.

    Group names follow one convention across formats: ``main`` for the project's own
    (non-optional, non-development) dependencies, ``extra:NAME`` for an optional
    dependency set (``[project.optional-dependencies]``, Poetry extras), and the group's
    own name for dependency groups (``dev``, ``test``, ``docs``...; Pipfile ``develop``
    is ``dev``, PDM/Pipenv ``default`` is ``main``).
    """

    no_dev: bool = False
    """Keep only components reachable through ``main`` or ``extra:*``."""
    only_groups: tuple[str, ...] = ()
    """Keep only components in one of these groups (``--only-group``)."""
    extras: tuple[str, ...] | None = None
    """With a value, only these extras count (``--extra``); ``None``: every extra."""
    python_version: str | None = None
    """Evaluate markers for this Python (``3.12``); ``None``: markers are not evaluated."""
    platform: str | None = None
    """Evaluate markers for this platform (``linux``, ``macos``, ``windows``,
    or a target triple); ``None``: markers are not evaluated."""

    @property
    def evaluates_markers(self) -> bool:
        return self.python_version is not None or self.platform is not None


#: Python versions tried for a marker when only the platform is fixed.
_PYTHONS = ("2.7", *(f"3.{minor}" for minor in range(6, 16)))
#: Operating systems tried for a marker when only the Python version is fixed.
_SYSTEMS = ("linux", "macos", "windows")

# sys_platform, platform_system, os_name per operating system.
_OS: dict[str, tuple[str, str, str]] = {
    "linux": ("linux", "Linux", "posix"),
    "macos": ("darwin", "Darwin", "posix"),
    "windows": ("win32", "Windows", "nt"),
    "ios": ("ios", "iOS", "posix"),
    "android": ("android", "Android", "posix"),
    "emscripten": ("emscripten", "Emscripten", "posix"),
    "freebsd": ("freebsd", "FreeBSD", "posix"),
}
# platform_machine as each OS reports the architecture.
_MACHINE: dict[str, dict[str, str]] = {
    "windows": {"x86_64": "AMD64", "aarch64": "ARM64", "i686": "x86", "i386": "x86"},
    "macos": {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64"},
}
_DEFAULT_MACHINE = {"macos": "arm64", "ios": "arm64", "android": "aarch64", "emscripten": "wasm32"}
# Patterns as text, compiled on first use (``re``'s cache): only marker evaluation needs
# them, so a run that evaluates no marker compiles none.
_PYTHON_VERSION = r"^(\d+)\.(\d+)(?:\.(\d+))?$"


def _parse_platform(text: str) -> tuple[str, str]:
    """(operating system, platform_machine) of ``linux``/``macos``/``windows`` or a triple.

    Triples follow uv's ``--python-platform`` values: ``x86_64-unknown-linux-gnu``,
    ``aarch64-apple-darwin``, ``x86_64-pc-windows-msvc``, ``x86_64-manylinux_2_28``,
    ``aarch64-unknown-linux-musl``, ``wasm32-pyodide2024``, ``arm64-apple-ios``...
    """
    value = text.strip().lower()
    aliases = {
        "darwin": "macos",
        "mac": "macos",
        "osx": "macos",
        "win32": "windows",
        "win": "windows",
    }
    value = aliases.get(value, value)
    if value in _OS:
        machine = _DEFAULT_MACHINE.get(value, "x86_64")
        return value, _MACHINE.get(value, {}).get(machine, machine)
    arch, _, rest = value.partition("-")
    if not rest:
        raise UsageError(_platform_error(text))
    if "windows" in rest:
        system = "windows"
    elif "darwin" in rest or "macos" in rest:
        system = "macos"
    elif "ios" in rest:
        system = "ios"
    elif "android" in rest:
        system = "android"
    elif "pyodide" in rest or "emscripten" in rest:
        system = "emscripten"
    elif "freebsd" in rest:
        system = "freebsd"
    elif "linux" in rest:  # linux-gnu, linux-musl, manylinux_2_28, musllinux_1_2
        system = "linux"
    else:
        raise UsageError(_platform_error(text))
    arch = {
        "amd64": "x86_64",
        "arm64": "aarch64" if system != "macos" else "arm64",
        "x86": "i686",
    }.get(arch, arch)
    if arch == "armv7":
        arch = "armv7l"
    return system, _MACHINE.get(system, {}).get(arch, arch)


def _platform_error(text: str) -> str:
    return (
        f"unknown platform {text!r}: use linux, macos, windows or a target triple "
        "such as x86_64-unknown-linux-gnu, aarch64-apple-darwin, x86_64-pc-windows-msvc"
    )


def _pythons(version: str | None) -> list[tuple[str, str]]:
    """(python_version, python_full_version) pairs to try."""
    if version is None:
        return [(v, f"{v}.0") for v in _PYTHONS]
    m = re.match(_PYTHON_VERSION, version.strip())
    if m is None:
        raise UsageError(f"invalid Python version {version!r} (expected e.g. 3.12 or 3.12.4)")
    short = f"{m[1]}.{m[2]}"
    if m[3] is not None:
        return [(short, f"{short}.{m[3]}")]
    # ``3.12`` means any 3.12.x: a marker on the patch level keeps the component if
    # some 3.12 release installs it.
    return [(short, f"{short}.0"), (short, f"{short}.99")]


def environments(selection: Selection) -> list[dict[str, str]]:
    """The marker environments the selection stands for.

    A value the selection leaves open is tried over its range (every operating system
    when only the Python version is set, every Python when only the platform is), so a
    component is dropped only when no environment of the selection installs it.
    """
    systems = (
        [_parse_platform(selection.platform)]
        if selection.platform
        else [_parse_platform(s) for s in _SYSTEMS]
    )
    envs: list[dict[str, str]] = []
    for (short, full), (system, machine) in product(_pythons(selection.python_version), systems):
        sys_platform, platform_system, os_name = _OS[system]
        envs.append(
            {
                "python_version": short,
                "python_full_version": full,
                "implementation_name": "cpython",
                "implementation_version": full,
                "platform_python_implementation": "CPython",
                "sys_platform": sys_platform,
                "platform_system": platform_system,
                "os_name": os_name,
                "platform_machine": machine,
                "platform_release": "",
                "platform_version": "",
            }
        )
    return envs


def _group_allowed(group: str, selection: Selection, extras: frozenset[str] | None) -> bool:
    only = selection.only_groups
    if group.startswith("extra:"):
        if extras is not None and canonical_name(group[6:]) not in extras:
            return False
        return not only or "main" in only or group in only
    if group == "main":
        return not only or "main" in only
    if selection.no_dev:
        return False
    return not only or group in only


class _MarkerCheck:
    """Evaluates markers against the selection's environments (cached per marker)."""

    def __init__(self, selection: Selection) -> None:
        self.envs = environments(selection)
        self.extras = frozenset(canonical_name(e) for e in selection.extras or ())
        self.all_extras = selection.extras is None
        self.groups = frozenset(canonical_name(g) for g in selection.only_groups)
        self.cache: dict[str, bool] = {}

    def __call__(self, text: str) -> bool:
        result = self.cache.get(text)
        if result is None:
            result = self._evaluate(text)
            self.cache[text] = result
        return result

    def _evaluate(self, text: str) -> bool:
        from packaging.markers import InvalidMarker, Marker

        try:
            marker = Marker(text)
        except InvalidMarker:
            return True  # not ours to reject here: the reader keeps what it wrote
        # ``extra`` / ``extras`` / ``dependency_groups`` (PEP 751 lock markers) stand for
        # what the selection installs. With every extra (group) selected, each name the
        # marker quotes is a candidate, so a marker on any extra (group) holds.
        quoted = frozenset(canonical_name(q) for q in re.findall(_QUOTED, text))
        extras = quoted if self.all_extras else self.extras
        groups = self.groups or quoted
        for env in self.envs:
            for extra in sorted(extras) or [""]:
                if self._one(marker, {**env, "extra": extra}, extras, groups):
                    return True
        return False

    @staticmethod
    def _one(
        marker: Marker, env: Mapping[str, str], extras: frozenset[str], groups: frozenset[str]
    ) -> bool:
        from packaging.markers import UndefinedComparison, UndefinedEnvironmentName

        context: dict[str, str | frozenset[str]] = {
            **env,
            "extras": extras,
            "dependency_groups": groups,
        }
        try:
            return marker.evaluate(context, context="lock_file")
        except (UndefinedComparison, UndefinedEnvironmentName):
            return True  # cannot decide: keep (never drop what might be installed)


_QUOTED = r"""["']([^"']+)["']"""


def _requirement_marker(item: NotAudited) -> str | None:
    """The marker of a requirement as written (``NotAudited`` keeps only the text).

    pip's rule: after ``"; "`` for a URL, after ``";"`` otherwise.
    """
    text = item.requirement
    separator = "; " if "://" in text.split(";", 1)[0] else ";"
    if separator not in text:
        return None
    marker = text.split(separator, 1)[1].strip()
    return marker or None


def select(inventory: Inventory, selection: Selection) -> Inventory:
    """The part of ``inventory`` that ``selection`` installs.

    Components with no group information (requirements files, SBOMs) are kept by the
    group filters. Dropping a component also drops what only it brought in (when the
    format records edges); roots and edges are recomputed over what is kept. A note
    says how many components were left out and why.
    """
    default = Selection()
    if selection == default:
        return inventory
    extras = (
        None if selection.extras is None else frozenset(canonical_name(e) for e in selection.extras)
    )
    check = _MarkerCheck(selection) if selection.evaluates_markers else None
    grouped = selection.no_dev or bool(selection.only_groups) or selection.extras is not None

    dropped_groups = 0
    dropped_markers = 0
    kept: set[ComponentKey] = set()
    for c in inventory.components:
        if grouped and c.groups and not any(_group_allowed(g, selection, extras) for g in c.groups):
            dropped_groups += 1
            continue
        if check is not None and c.markers and not check(c.markers):
            dropped_markers += 1
            continue
        kept.add(c.key)

    # For installers that walk the graph (uv, Poetry, PDM), what was reachable from the
    # roots and no longer is came in only through dropped components: it is not
    # installed either. Flat formats install every entry whose marker holds.
    orphaned: set[ComponentKey] = set()
    if installs_by_graph(inventory.format) and len(kept) < len(inventory.components):
        before = _reachable(inventory.roots, inventory.edges, None)
        after = _reachable([r for r in inventory.roots if r in kept], inventory.edges, kept)
        orphaned = {k for k in kept if k in before and k not in after}
        kept -= orphaned

    components = tuple(c for c in inventory.components if c.key in kept)
    edges = {
        k: tuple(d for d in deps if d in kept) for k, deps in inventory.edges.items() if k in kept
    }
    not_audited = inventory.not_audited
    dropped_not_audited = 0
    if check is not None:
        kept_na = []
        for item in inventory.not_audited:
            marker = _requirement_marker(item)
            if marker is not None and not check(marker):
                dropped_not_audited += 1
                continue
            kept_na.append(item)
        not_audited = tuple(kept_na)
    notes = list(inventory.notes)
    reasons = []
    if dropped_groups:
        reasons.append(f"{dropped_groups} not in the selected groups")
    if dropped_markers:
        reasons.append(f"{dropped_markers} with markers false for {_target(selection)}")
    if orphaned:
        reasons.append(f"{len(orphaned)} needed only by those")
    if reasons:
        total = dropped_groups + dropped_markers + len(orphaned)
        notes.append(
            f"selection: {total} of {len(inventory.components)} components left out "
            f"({'; '.join(reasons)})"
        )
    if dropped_not_audited:
        notes.append(
            f"selection: {dropped_not_audited} unauditable requirements left out "
            f"(markers false for {_target(selection)})"
        )
    return replace(
        inventory,
        components=components,
        not_audited=not_audited,
        edges={k: v for k, v in edges.items() if v},
        roots=tuple(r for r in inventory.roots if r in kept),
        notes=tuple(notes),
    )


def _target(selection: Selection) -> str:
    parts = []
    if selection.python_version:
        parts.append(f"Python {selection.python_version}")
    if selection.platform:
        parts.append(selection.platform)
    return " on ".join(parts) if parts else "every environment"


def _reachable(
    roots: Iterable[ComponentKey],
    edges: Mapping[ComponentKey, tuple[ComponentKey, ...]],
    allowed: set[ComponentKey] | None,
) -> set[ComponentKey]:
    seen: set[ComponentKey] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in seen and (allowed is None or nxt in allowed):
                stack.append(nxt)
    return seen
