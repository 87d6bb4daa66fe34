"""The inventory model: what a project depends on, as every reader reports it.

Readers (``pyward._inventory``) turn a source (an environment, a lock file, a
requirements file, an SBOM) into an :class:`Inventory`. Everything downstream (audit,
SBOM, serve) consumes only this model.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NewType

#: ``name==version`` with the PEP 503 normalised name; unique within an inventory
#: (a lock may hold one name at several versions, e.g. ``torch==2.13.0`` and
#: ``torch==2.13.0+cpu``).
ComponentKey = NewType("ComponentKey", str)

SourceKind = Literal[
    "registry", "git", "url", "path", "directory", "editable", "virtual", "installed"
]


def canonical_name(name: str) -> str:
    """PEP 503 normalisation (``PyYAML`` -> ``pyyaml``, ``python_dateutil`` -> ``python-dateutil``).

    Same result as ``packaging.utils.canonicalize_name`` without importing it on the
    hot path; a test holds the two equal.
    """
    if "_" in name or "." in name or "--" in name:
        # The pattern is compiled on first use (``re``'s cache), not at import: most
        # names need only ``lower()``.
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.lower()


def component_key(name: str, version: str | None) -> ComponentKey:
    return ComponentKey(f"{canonical_name(name)}=={version or ''}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Hash:
    """One artifact hash recorded by the source."""

    algorithm: str
    """Lower-case hashlib name: ``sha256``, ``sha512``, ``md5``..."""
    value: str
    """Lower-case hex digest."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact:
    """One distribution file a source records for a component (a wheel or an sdist):
    what ``pyward provenance`` verifies the attestations of."""

    filename: str
    """The file's name (``requests-2.32.3-py3-none-any.whl``), as the index names it. An
    installed wheel's is rebuilt from its ``WHEEL`` tags, whose compressed tag sets may be
    in another order than the index's: compare parsed wheel names
    (``packaging.utils.parse_wheel_filename``) for those."""
    sha256: str | None = None
    """Its SHA-256 as the source records it (lower-case hex); ``None`` when the source
    records the file but not its digest (an installed wheel: the index's is used)."""
    url: str | None = None
    """Where the source says it is downloaded from, when it says."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where a component is written down, for SARIF results and error messages."""

    file: str
    """Path of the file as given (relative paths stay relative)."""
    line: int | None = None
    """1-based line of the entry, where the reader knows it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    """One distribution at one version."""

    name: str
    """PEP 503 normalised name."""
    version: str | None
    """Version exactly as written (``None`` for an unversioned editable root)."""
    display_name: str | None = None
    """The name as written in the source, when it differs from ``name``."""
    purl: str = ""
    """``pkg:pypi/<name>@<version>``, with ``repository_url`` for a non-default index."""
    source: SourceKind = "registry"
    """Where the distribution comes from."""
    index: str | None = None
    """Index URL it was locked from, when the source records one."""
    non_default_index: bool = False
    """True when it comes from an index other than the project's default one."""
    source_url: str | None = None
    """Git/URL/path reference for non-registry sources."""
    hashes: tuple[Hash, ...] = ()
    """Artifact hashes recorded by the source (every file's, deduplicated)."""
    artifacts: tuple[Artifact, ...] = ()
    """The distribution files the source names, with their digests (lock files that
    record file names: uv.lock, pylock.toml, poetry.lock, pdm.lock; pip's installation
    report; SBOM references to wheels and sdists; an installed wheel's name from its
    ``WHEEL`` tags). Registry packages only, and direct archives where the source names
    one. Empty when the source records hashes only (hashed requirements, Pipfile.lock):
    ``pyward provenance`` finds the files whose digests these are on the index.
    docs/provenance.md lists what each input records."""
    markers: str | None = None
    """PEP 508 environment marker under which it is installed, if any."""
    groups: frozenset[str] = frozenset()
    """Dependency groups / categories / extras that bring it in (``main``, ``dev``...)."""
    extras: frozenset[str] = frozenset()
    """Extras of this component that are requested."""
    direct: bool = False
    """A direct dependency of the project (or a top-level install in an environment)."""
    location: Location | None = None
    """Where it is written down."""
    license_expression: str | None = None
    """SPDX expression, when the source carries one (SBOMs, installed metadata)."""
    metadata: Mapping[str, str] = field(default_factory=dict)
    """Extra string facts a reader knows (summary, home page, author, supplier...)."""

    @property
    def key(self) -> ComponentKey:
        return component_key(self.name, self.version)


@dataclass(frozen=True, slots=True, kw_only=True)
class NotAudited:
    """A dependency that cannot be audited, and why. Never dropped silently."""

    name: str | None
    """Normalised name where known (a bare VCS URL may not have one)."""
    requirement: str
    """What was written (the requirement line or the lock entry's name)."""
    reason: str
    """Why it cannot be audited, in words: ``not pinned; lock the project first``."""
    location: Location | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Inventory:
    """Every component one source pins, with the dependency graph where it records one."""

    source: str
    """The file (or environment directory) read."""
    format: str
    """Reader id: ``uv.lock``, ``poetry.lock``, ``requirements``, ``environment``..."""
    components: tuple[Component, ...] = ()
    not_audited: tuple[NotAudited, ...] = ()
    edges: Mapping[ComponentKey, tuple[ComponentKey, ...]] = field(default_factory=dict)
    """Dependency edges (``a -> [b, c]``) where the format records them."""
    roots: tuple[ComponentKey, ...] = ()
    """The project's direct dependencies (entry points for "why is this here")."""
    project: Component | None = None
    """The root project itself, when the source describes one (not audited)."""
    notes: tuple[str, ...] = ()
    """Warnings met while reading (unknown minor format version...)."""
    requires_python: str | None = None
    """The Python versions the project supports, as the source records them
    (``requires-python`` of a lock or ``pyproject.toml``, Pipfile.lock's
    ``python_version``, poetry.lock's ``python-versions``)."""
    python_version: str | None = None
    """The interpreter version (``X.Y``) of an audited environment."""

    def component(self, key: ComponentKey) -> Component | None:
        for c in self.components:
            if c.key == key:
                return c
        return None

    def why(self, key: ComponentKey) -> tuple[ComponentKey, ...]:
        """The shortest path from a direct dependency to ``key`` (``key`` alone if direct
        or if the format records no edges)."""
        return shortest_paths(self.roots, self.edges)(key)


def shortest_paths(
    roots: Iterable[ComponentKey],
    edges: Mapping[ComponentKey, tuple[ComponentKey, ...]],
) -> Callable[[ComponentKey], tuple[ComponentKey, ...]]:
    """The shortest path from a root to each target (``(target,)`` when unreachable):
    one breadth-first search over the whole graph, then a walk up the tree per target
    (an audit asks once per finding). A node's parent is fixed when it is first reached,
    in root order then edge order, so the path is the same on every run."""
    parents: dict[ComponentKey, ComponentKey | None] = {}
    queue: deque[ComponentKey] = deque()
    for r in roots:
        if r not in parents:
            parents[r] = None
            queue.append(r)
    while queue:
        node = queue.popleft()
        for nxt in edges.get(node, ()):
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)

    def path(target: ComponentKey) -> tuple[ComponentKey, ...]:
        if target not in parents:
            return (target,)
        found = [target]
        while (p := parents[found[-1]]) is not None:
            found.append(p)
        return tuple(reversed(found))

    return path
