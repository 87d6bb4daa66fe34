"""YAML with line numbers, for CI configuration (GitHub Actions workflows, GitLab CI).

PyYAML composes the text into nodes, which carry their start marks; :func:`load` builds
plain Python values from them and keeps a side table from each value's key path
(``("jobs", "publish", "steps", 2, "uses")``) to its place, so a rule reads ordinary
dicts and lists and still reports the line of what it found.

Scalars resolve as the CI systems read them, close to YAML 1.2's core schema: only
``true``/``false`` (any case spelling YAML 1.2 allows) are booleans. PyYAML's YAML 1.1
resolver turns the key ``on`` (GitHub's trigger key) and values such as ``yes``, ``no``
or ``off`` into booleans; GitHub Actions reads them as strings
(https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#on).
Timestamps stay strings too. Mapping keys are always strings (``1:`` is the key
``"1"``).

Anchors and aliases are followed; an alias shares the value built for its anchor (the
places recorded are the anchor's), so a document of nested aliases costs what its text
costs ("billion laughs"). ``<<`` merge keys (GitLab CI uses them) are merged, keys
written in the mapping itself winning. A document that aliases itself is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from pyward.errors import InputError

if TYPE_CHECKING:
    import yaml

__all__ = ["Document", "Key", "Place", "load"]

#: One step of a key path: a mapping key or a sequence index.
Key: TypeAlias = str | int

_MERGE = "<<"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class Place(NamedTuple):
    """Where a value starts in the text (a named tuple: one is made for every node of
    every workflow, and a tuple is several times cheaper to make than a frozen
    dataclass)."""

    line: int
    """1-based line."""
    column: int
    """1-based column."""
    style: str | None = None
    """The scalar's style (``|`` literal block, ``>`` folded, ``'``/``"`` quoted,
    ``None`` plain); ``None`` for a mapping or sequence too."""


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its value and the places of its parts."""

    file: str
    """The file's path, relative to the repository root, ``/`` separators."""
    value: Any
    """The document as plain values: dicts with string keys, lists, strings, ints,
    floats, booleans and ``None``."""
    places: Mapping[tuple[Key, ...], Place] = field(repr=False)
    """Key path of a value -> where the value starts."""
    key_places: Mapping[tuple[Key, ...], Place] = field(repr=False)
    """Key path of a mapping entry -> where its key starts."""
    tags: Mapping[tuple[Key, ...], str] = field(repr=False, default_factory=dict)
    """Key path -> the application tag written on the value (GitLab's ``!reference``),
    for the values that carry one."""
    redirects: Mapping[tuple[Key, ...], tuple[Key, ...]] = field(repr=False, default_factory=dict)
    """Key path of an alias or a merged entry -> the path of what it repeats."""

    def line(self, *path: Key) -> int | None:
        """The line of the entry at ``path``: its key's line for a mapping entry, the
        item's line for a sequence item; for a path not recorded (a value reached
        through an alias), the line of its nearest recorded parent. ``None`` only for
        the empty path of an empty document."""
        place = self.place(*path)
        return place.line if place is not None else None

    def place(self, *path: Key) -> Place | None:
        """Like :meth:`line`, the whole :class:`Place`."""
        path = self.written(path)
        while True:
            found = self.key_places.get(path) or self.places.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]

    def written(self, path: tuple[Key, ...]) -> tuple[Key, ...]:
        """The path where the value at ``path`` is written: through an alias, the
        anchored value's path; for a key a ``<<`` merge brought, its path in the merged
        mapping. ``path`` itself when it is written where it is."""
        for _ in range(64):  # each step moves to text written earlier; a cycle is refused
            for cut in range(len(path), 0, -1):
                target = self.redirects.get(path[:cut])
                if target is not None:
                    path = (*target, *path[cut:])
                    break
            else:
                return path
        return path

    def text_line(self, path: tuple[Key, ...], offset: int) -> int | None:
        """The line of the ``offset``-th line (0-based) of the string at ``path``. Exact
        for plain single-line, quoted single-line and literal (``|``) block scalars,
        the usual shapes of a ``run:`` script; for a folded (``>``) block scalar, whose
        lines the value does not keep, the line its text starts on; for a multi-line
        flow scalar, the line where the value starts."""
        place = self.places.get(self.written(path))
        if place is None:
            return self.line(*path)
        if place.style == "|":
            return place.line + 1 + offset
        if place.style == ">":
            return place.line + 1
        return place.line


def load(text: str, file: str) -> Document:
    """Parse one YAML document. Raises :class:`InputError` naming ``file`` and the line
    when the text is not YAML, holds several documents, or aliases itself."""
    import yaml

    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = exc.problem or exc.context or "not YAML"
        if exc.context and problem.startswith("but "):
            problem = f"{exc.context}, {problem}"  # the composer's "expected ..., but ..."
        raise InputError(file, f"not valid YAML: {' '.join(problem.split())}", where) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: binary?
        line = text.count("\n", 0, exc.position) + 1
        what = f"not valid YAML: character #x{exc.character:04x} ({exc.reason})"
        raise InputError(file, what, f"line {line}") from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InputError(file, "not valid YAML: nested too deeply") from None
    builder = _Builder(file)
    if node is None:
        return Document(file, None, {}, {})
    try:
        value = builder.build(node, ())
    except RecursionError:
        raise InputError(file, "not valid YAML: nested too deeply") from None
    return Document(
        file, value, builder.places, builder.key_places, builder.tags, builder.redirects
    )


@lru_cache(maxsize=1)
def _loader() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader (the C parser when built) with the YAML 1.2 core booleans
    and no timestamp resolver."""
    import re

    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    dropped = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
    resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {
        first: [(tag, rx) for tag, rx in entries if tag not in dropped]
        for first, entries in base.yaml_implicit_resolvers.items()
    }
    boolean = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
    for first in "tTfF":
        resolvers.setdefault(first, []).append(("tag:yaml.org,2002:bool", boolean))
    return type("_CiLoader", (base,), {"yaml_implicit_resolvers": resolvers})


class _Builder:
    """Builds plain values from composed nodes, recording places."""

    def __init__(self, file: str) -> None:
        import yaml

        self.file = file
        self.places: dict[tuple[Key, ...], Place] = {}
        self.key_places: dict[tuple[Key, ...], Place] = {}
        self.tags: dict[tuple[Key, ...], str] = {}
        self.redirects: dict[tuple[Key, ...], tuple[Key, ...]] = {}
        self.first_path: dict[int, tuple[Key, ...]] = {}
        self.built: dict[int, Any] = {}
        self.open: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()
        self.yaml = yaml

    def build(self, node: yaml.Node, path: tuple[Key, ...]) -> Any:
        yaml = self.yaml
        mark = node.start_mark
        self.places[path] = Place(
            mark.line + 1,
            mark.column + 1,
            # The C parser says '' for plain where the Python one says None.
            (node.style or None) if isinstance(node, yaml.ScalarNode) else None,
        )
        if node.tag.startswith("!") and not node.tag.startswith("!!"):
            self.tags[path] = node.tag
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        key = id(node)
        if key in self.built:
            self.redirects[path] = self.first_path[key]
            return self.built[key]
        self.first_path[key] = path
        if key in self.open:
            raise InputError(
                self.file, "not valid YAML: an alias inside the value it names", _at(node)
            )
        self.open.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                items: list[Any] = [
                    self.build(item, (*path, index)) for index, item in enumerate(node.value)
                ]
                value: Any = items
            else:
                value = self.mapping(node, path)
        finally:
            self.open.discard(key)
        self.built[key] = value
        return value

    def mapping(self, node: yaml.Node, path: tuple[Key, ...]) -> dict[str, Any]:
        yaml = self.yaml
        own: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(self.file, "a mapping key must be a plain string", _at(key_node))
            key = str(key_node.value)
            if key_node.tag == _MERGE_TAG:  # a plain ``<<``; quoted, it is a key
                merged.update(self.merge(value_node, path, key_node))
                continue
            mark = key_node.start_mark
            entry = (*path, key)
            self.redirects.pop(entry, None)  # written here: a merged entry it overrides
            self.key_places[entry] = Place(mark.line + 1, mark.column + 1)
            own[key] = self.build(value_node, entry)
        return {**merged, **own}

    def merge(self, node: yaml.Node, path: tuple[Key, ...], key: yaml.Node) -> dict[str, Any]:
        """The entries a ``<<`` merge key brings: one mapping, or a sequence of them
        (earlier ones winning, as the merge-key spec says)."""
        at = (*path, _MERGE)
        value = self.build(node, at)
        sources = (
            [((*at, index), item) for index, item in enumerate(value)]
            if isinstance(value, list)
            else [(at, value)]
        )
        result: dict[str, Any] = {}
        for source_path, source in reversed(sources):
            if not isinstance(source, dict):
                raise InputError(self.file, "a '<<' merge needs mappings", _at(key))
            result.update(source)
            for name in source:
                entry = (*path, name)
                self.redirects[entry] = (*source_path, name)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _STR_TAG:
            return node.value  # most scalars: no constructor needed
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (self.yaml.YAMLError, ValueError):
            # A tag the safe constructor refuses (GitLab's ``!reference`` on a scalar),
            # an integer past Python's digit limit: the CI systems read it as text.
            return str(node.value)
        if value is None or isinstance(value, str | int | float):
            return value
        return str(node.value)  # ``!!binary`` bytes and the like: kept as written


def _at(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"
