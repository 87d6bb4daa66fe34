"""A cache of readers' results, keyed by what the result depends on.

An entry is named by the CRC-32 of (reader id, :data:`CACHE_FORMAT`, pyward's version,
the path as given, the file's bytes) and holds that identity and those bytes in full:
a hit needs both to be equal, byte for byte, so an edited file, another reader,
another pyward version, a new cache layout or two inputs whose CRCs collide never see
a stale entry. (A cryptographic digest would make the name unique too, but
``hashlib`` loads libcrypto on every run, see bench/README.md; ``zlib`` is in every
build and the exact comparison makes the name's quality a matter of speed only.) The path is part of
the identity because the inventory records it (``Inventory.source``, ``Location.file``).

Entries are files in the directory the caller gives (the CLI: ``<cache dir>/inventory``,
see :class:`pyward._settings.Settings`), written atomically (temporary file, then
rename): a header line with the layout version and the two lengths, the identity, the
file's bytes, then the inventory as JSON (compact keys, defaults left out). Nothing in
an entry is executed: the cache directory is the user's to write, and so anyone's who
can write there, which is why entries are not pickles. The JSON is only parsed once
the header, identity and bytes matched, and it is rebuilt into the model with every
value's type checked; an entry that cannot be read, parsed or validated (truncated,
another version, planted) is a miss, and is rewritten.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from itertools import accumulate, chain, repeat
from pathlib import Path
from typing import Any, get_args

from pyward._model import (
    Artifact,
    Component,
    ComponentKey,
    Hash,
    Inventory,
    Location,
    NotAudited,
    SourceKind,
)
from pyward.errors import InputError

#: Bump when a reader's output changes for the same input (a new field, a fix), so
#: entries written by the older code are not used. 3: purls keep the name's dots.
#: 4: entries named by CRC-32 and holding the file's bytes. 5: JSON, not pickles.
#: 6: requires_python and python_version. 7: uv.lock and pylock.toml upload times.
#: 8: components' artifacts. 9: the readers fill them (an 8 entry has none).
CACHE_FORMAT = 9

#: The suffix of an entry's file name.
SUFFIX = ".entry"

_SOURCE_KINDS = frozenset(get_args(SourceKind))
_STR_TYPE = frozenset({str})
_STR_OR_NONE = frozenset({str, type(None)})
_INT_OR_NONE = frozenset({int, type(None)})
_LIST_TYPE = frozenset({list})
_new = object.__new__


class _Invalid(Exception):
    """An entry's JSON does not describe an inventory: a miss."""


def identity(reader_id: str, path: Path) -> bytes:
    """What an entry depends on besides the file's bytes."""
    from pyward import __version__

    text = f"{reader_id}\0{CACHE_FORMAT}\0{__version__}\0{path}"
    return text.encode("utf-8", "surrogateescape")


def entry_name(ident: bytes, data: bytes) -> str:
    """The file name of the entry for ``ident`` and ``data`` (collisions are allowed)."""
    return f"{zlib.crc32(data, zlib.crc32(ident)):08x}{SUFFIX}"


def header(ident: bytes, data: bytes) -> bytes:
    """What an entry for ``ident`` and ``data`` starts with; the JSON follows it."""
    first = b"pyward read cache %d %d %d\n" % (CACHE_FORMAT, len(ident), len(data))
    return b"".join((first, ident, data))


# -- encoding ---------------------------------------------------------------------------
# Keys are one or two letters and a value equal to the field's default is left out: a
# warm audit of a large lock parses the whole entry, and its size is most of the cost.


def _location(loc: Location) -> list[Any]:
    return [loc.file, loc.line]


def _component(c: Component) -> dict[str, Any]:
    doc: dict[str, Any] = {"n": c.name, "v": c.version}
    if c.display_name is not None:
        doc["d"] = c.display_name
    if c.purl:
        doc["p"] = c.purl
    if c.source != "registry":
        doc["s"] = c.source
    if c.index is not None:
        doc["i"] = c.index
    if c.non_default_index:
        doc["x"] = True
    if c.source_url is not None:
        doc["u"] = c.source_url
    if c.hashes:
        doc["h"] = [part for h in c.hashes for part in (h.algorithm, h.value)]
    if c.artifacts:
        doc["a"] = [part for a in c.artifacts for part in (a.filename, a.sha256, a.url)]
    if c.markers is not None:
        doc["m"] = c.markers
    if c.groups:
        doc["g"] = sorted(c.groups)
    if c.extras:
        doc["e"] = sorted(c.extras)
    if c.direct:
        doc["r"] = True
    if c.location is not None:
        doc["l"] = _location(c.location)
    if c.license_expression is not None:
        doc["L"] = c.license_expression
    if c.metadata:
        doc["M"] = dict(c.metadata)
    return doc


def _not_audited(n: NotAudited) -> dict[str, Any]:
    doc: dict[str, Any] = {"n": n.name, "q": n.requirement, "w": n.reason}
    if n.location is not None:
        doc["l"] = _location(n.location)
    return doc


def encode(inventory: Inventory) -> bytes:
    """``inventory`` as compact JSON (:func:`decode` rebuilds it)."""
    import orjson

    doc: dict[str, Any] = {"s": inventory.source, "f": inventory.format}
    if inventory.components:
        doc["c"] = [_component(c) for c in inventory.components]
    if inventory.not_audited:
        doc["n"] = [_not_audited(n) for n in inventory.not_audited]
    if inventory.edges:
        doc["e"] = {k: list(v) for k, v in inventory.edges.items()}
    if inventory.roots:
        doc["r"] = list(inventory.roots)
    if inventory.project is not None:
        doc["p"] = _component(inventory.project)
    if inventory.notes:
        doc["o"] = list(inventory.notes)
    if inventory.requires_python is not None:
        doc["q"] = inventory.requires_python
    if inventory.python_version is not None:
        doc["y"] = inventory.python_version
    return orjson.dumps(doc)


# -- decoding, with every value's type checked --------------------------------------------


def _str(v: object) -> str:
    if type(v) is not str:
        raise _Invalid
    return v


def _opt_str(v: object) -> str | None:
    if v is not None and type(v) is not str:
        raise _Invalid
    return v


def _strs(v: object) -> list[str]:
    # ``set(map(type, v))`` checks every item in C: lists of hashes run to thousands.
    if type(v) is not list or not set(map(type, v)) <= _STR_TYPE:
        raise _Invalid
    return v


def _to_location(v: object) -> Location:
    if type(v) is not list or len(v) != 2:
        raise _Invalid
    file, line = v
    if type(file) is not str or (line is not None and type(line) is not int):
        raise _Invalid
    return Location(file=file, line=line)


def _metadata(v: object) -> dict[str, str]:
    if type(v) is not dict or not set(map(type, v.values())) <= _STR_TYPE:
        raise _Invalid
    return v  # orjson's object keys are always strings


# -- components, a field at a time --------------------------------------------------------
# A large lock holds hundreds of components and thousands of hashes and files: each
# field is checked and set for every component at once, by ``map`` and set operations
# that run in C, rather than component by component. A column is the field's value in
# each document, in order (:data:`_ABSENT` where the key is left out).

#: A key a document leaves out (its field takes the default).
_ABSENT: Any = object()
_NO_ITEMS: list[Any] = []


def _present(column: list[Any]) -> list[Any]:
    return [v for v in column if v is not _ABSENT]


def _default(column: list[Any], default: Any) -> list[Any]:
    return [default if v is _ABSENT else v for v in column]


def _str_column(column: list[Any], default: Any) -> list[Any]:
    # A required key (the name) is never absent: :func:`_to_components` checked.
    values = _default(column, default)
    if not set(map(type, values)) <= _STR_TYPE:
        raise _Invalid
    return values


def _opt_str_column(column: list[Any], default: Any) -> list[Any]:
    values = _default(column, default)
    if not set(map(type, values)) <= _STR_OR_NONE:
        raise _Invalid
    return values


def _source_column(column: list[Any], default: Any) -> list[Any]:
    values = _default(column, default)
    if not set(values) <= _SOURCE_KINDS:  # TypeError for a value that is not hashable
        raise _Invalid
    return values


def _true_column(column: list[Any], default: Any) -> list[Any]:
    # Only ``true`` is ever written: a default is left out.
    present = _present(column)
    if present and (set(map(type, present)) != {bool} or not all(present)):
        raise _Invalid
    return [v is not _ABSENT for v in column]


def _lists(column: list[Any], width: int) -> list[list[Any]]:
    """Each document's list (empty when absent), each a whole number of ``width``-item
    records."""
    lists = [_NO_ITEMS if v is _ABSENT else v for v in column]
    if not set(map(type, lists)) <= _LIST_TYPE or any(n % width for n in set(map(len, lists))):
        raise _Invalid
    return lists


def _split(objects: tuple[Any, ...], lists: list[list[Any]], width: int) -> list[tuple[Any, ...]]:
    """``objects`` (one per ``width`` items of ``lists``, in order) cut back into one
    tuple per list."""
    ends = list(accumulate(len(v) // width for v in lists))
    return list(map(objects.__getitem__, map(slice, [0, *ends[:-1]], ends)))


def _hashes_column(column: list[Any], default: Any) -> list[Any]:
    lists = _lists(column, 2)
    parts = list(chain.from_iterable(lists))
    if not set(map(type, parts)) <= _STR_TYPE:
        raise _Invalid
    # Both fields are checked strings, and ``Hash.__init__`` would only set them.
    hashes = tuple(map(_new, repeat(Hash, len(parts) // 2)))
    _fill(_slot(Hash, "algorithm"), hashes, parts[::2])
    _fill(_slot(Hash, "value"), hashes, parts[1::2])
    return _split(hashes, lists, 2)


def _artifacts_column(column: list[Any], default: Any) -> list[Any]:
    lists = _lists(column, 3)
    parts = list(chain.from_iterable(lists))
    filenames = parts[::3]
    if not set(map(type, filenames)) <= _STR_TYPE or not set(map(type, parts)) <= _STR_OR_NONE:
        raise _Invalid
    artifacts = tuple(map(_new, repeat(Artifact, len(filenames))))
    _fill(_slot(Artifact, "filename"), artifacts, filenames)
    _fill(_slot(Artifact, "sha256"), artifacts, parts[1::3])
    _fill(_slot(Artifact, "url"), artifacts, parts[2::3])
    return _split(artifacts, lists, 3)


def _set_column(column: list[Any], default: Any) -> list[Any]:
    lists = _lists(column, 1)
    if not set(map(type, chain.from_iterable(lists))) <= _STR_TYPE:
        raise _Invalid
    return list(map(frozenset, lists))


def _location_column(column: list[Any], default: Any) -> list[Any]:
    present = _present(column)
    if not set(map(type, present)) <= _LIST_TYPE or not set(map(len, present)) <= {2}:
        raise _Invalid
    files = [v[0] for v in present]
    lines = [v[1] for v in present]
    if not set(map(type, files)) <= _STR_TYPE or not set(map(type, lines)) <= _INT_OR_NONE:
        raise _Invalid
    locations = tuple(map(_new, repeat(Location, len(present))))
    _fill(_slot(Location, "file"), locations, files)
    _fill(_slot(Location, "line"), locations, lines)
    made = iter(locations)
    return [None if v is _ABSENT else next(made) for v in column]


def _metadata_column(column: list[Any], default: Any) -> list[Any]:
    # A fresh dict for each component that has none, as the field's factory makes.
    return [{} if v is _ABSENT else _metadata(v) for v in column]


#: key -> (field, the column's converter). Keys absent from a document take the
#: field's default.
_COMPONENT: dict[str, tuple[str, Callable[[list[Any], Any], list[Any]]]] = {
    "n": ("name", _str_column),
    "v": ("version", _opt_str_column),
    "d": ("display_name", _opt_str_column),
    "p": ("purl", _str_column),
    "s": ("source", _source_column),
    "i": ("index", _opt_str_column),
    "x": ("non_default_index", _true_column),
    "u": ("source_url", _opt_str_column),
    "h": ("hashes", _hashes_column),
    "a": ("artifacts", _artifacts_column),
    "m": ("markers", _opt_str_column),
    "g": ("groups", _set_column),
    "e": ("extras", _set_column),
    "r": ("direct", _true_column),
    "l": ("location", _location_column),
    "L": ("license_expression", _opt_str_column),
    "M": ("metadata", _metadata_column),
}
_COMPONENT_KEYS = frozenset(_COMPONENT)
_COMPONENT_REQUIRED = frozenset("nv")


def _slot(cls: type, name: str) -> Callable[[Any, Any], None]:
    """What sets the slot ``name`` of a ``cls`` (a frozen dataclass): what
    ``object.__setattr__`` calls, without looking it up each time."""
    setter: Callable[[Any, Any], None] = cls.__dict__[name].__set__
    return setter


def _fill(
    set_slot: Callable[[Any, Any], None], objects: tuple[Any, ...], values: list[Any]
) -> None:
    """``set_slot(o, value)`` for each object and value, pairwise, in C (``any`` runs
    the map to its end: the setter returns ``None``)."""
    any(map(set_slot, objects, values))


_FIELD_KEYS = {name: key for key, (name, _) in _COMPONENT.items()}
#: (key, converter, default, slot setter) of every field of :class:`Component`, in the
#: class's order; a field without a key is a KeyError here, when the module loads.
_COMPONENT_FIELDS = tuple(
    (
        _FIELD_KEYS[f.name],
        _COMPONENT[_FIELD_KEYS[f.name]][1],
        None if f.default is MISSING else f.default,
        _slot(Component, f.name),
    )
    for f in fields(Component)
)


def _to_components(docs: object) -> tuple[Component, ...]:
    """The components of an entry's documents, every field's values checked."""
    if type(docs) is not list:
        raise _Invalid
    for doc in docs:
        if type(doc) is not dict or not _COMPONENT_REQUIRED <= doc.keys() <= _COMPONENT_KEYS:
            raise _Invalid
    # Every field's value is checked before any component is made, and every slot is
    # set, as ``Component.__init__`` would (it only sets them).
    columns = [
        (setter, convert([doc.get(key, _ABSENT) for doc in docs], default))
        for key, convert, default, setter in _COMPONENT_FIELDS
    ]
    components = tuple(map(_new, repeat(Component, len(docs))))
    for setter, values in columns:
        _fill(setter, components, values)
    return components


def _to_component(doc: object) -> Component:
    (component,) = _to_components([doc])
    return component


_NOT_AUDITED: dict[str, tuple[str, Callable[[object], object]]] = {
    "n": ("name", _opt_str),
    "q": ("requirement", _str),
    "w": ("reason", _str),
    "l": ("location", _to_location),
}
_NOT_AUDITED_REQUIRED = frozenset("nqw")
_INVENTORY_KEYS = frozenset("sfcnerpoqy")


def _fields(
    doc: object,
    spec: Mapping[str, tuple[str, Callable[[object], object]]],
    required: frozenset[str],
) -> dict[str, Any]:
    if type(doc) is not dict or not doc.keys() >= required:
        raise _Invalid
    kwargs: dict[str, Any] = {}
    for key, value in doc.items():
        field, convert = spec[key]  # KeyError: an unknown key
        kwargs[field] = convert(value)
    return kwargs


def _to_not_audited(doc: object) -> NotAudited:
    return NotAudited(**_fields(doc, _NOT_AUDITED, _NOT_AUDITED_REQUIRED))


def _list(v: object) -> list[Any]:
    if type(v) is not list:
        raise _Invalid
    return v


def _edges(v: object) -> dict[ComponentKey, tuple[ComponentKey, ...]]:
    if type(v) is not dict:
        raise _Invalid
    return {ComponentKey(k): _keys(targets) for k, targets in v.items()}


def _keys(v: object) -> tuple[ComponentKey, ...]:
    return tuple(ComponentKey(k) for k in _strs(v))


def decode(data: bytes | memoryview) -> Inventory | None:
    """The inventory :func:`encode` wrote, or ``None`` when ``data`` is not one (bad
    JSON, an unknown key, a value of the wrong type)."""
    import orjson

    try:
        doc = orjson.loads(data)
        if type(doc) is not dict or not doc.keys() <= _INVENTORY_KEYS:
            return None
        project = doc.get("p")
        return Inventory(
            source=_str(doc.get("s")),
            format=_str(doc.get("f")),
            components=_to_components(doc.get("c", [])),
            not_audited=tuple(_to_not_audited(n) for n in _list(doc.get("n", []))),
            edges=_edges(doc.get("e", {})),
            roots=_keys(doc.get("r", [])),
            project=None if project is None else _to_component(project),
            notes=tuple(_strs(doc.get("o", []))),
            requires_python=_opt_str(doc.get("q")),
            python_version=_opt_str(doc.get("y")),
        )
    except (orjson.JSONDecodeError, _Invalid, KeyError, TypeError, ValueError):
        return None


# -- entries ----------------------------------------------------------------------------


def _load(entry: Path, ident: bytes, data: bytes) -> Inventory | None:
    try:
        raw = entry.read_bytes()
    except OSError:
        return None
    expected = header(ident, data)
    # Another input with the same name (a CRC collision, another layout) is a miss.
    if not raw.startswith(expected):
        return None
    return decode(memoryview(raw)[len(expected) :])


def _store(entry: Path, ident: bytes, data: bytes, inventory: Inventory) -> None:
    from pyward._atomic import replace_file

    try:
        document = encode(inventory)
    except TypeError:
        # A name that is not valid UTF-8 (a file name's undecodable bytes, which
        # read_inventory escapes only after the cache) has no JSON form: not cached.
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        replace_file(entry, header(ident, data) + document)
    except OSError:
        pass  # a cache that cannot be written (read-only home, full disk) costs speed only


def cached_read(
    reader_id: str, path: Path, read: Callable[[Path], Inventory], *, directory: Path | None
) -> Inventory:
    """``read(path)``, or the result of an earlier call on the same bytes.

    ``reader_id`` names the reader (its format id, e.g. ``uv.lock``); errors of
    ``read`` propagate and nothing is cached for them. ``directory`` holds the entries;
    ``None``: no cache, ``read(path)`` every time.
    """
    if directory is None:
        return read(path)
    from pyward._files import read_capped

    try:
        data = read_capped(path)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    ident = identity(reader_id, path)
    entry = directory / entry_name(ident, data)
    cached = _load(entry, ident, data)
    if cached is not None:
        return cached
    inventory = read(path)
    _store(entry, ident, data, inventory)
    return inventory
