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
_new = object.__new__
_setattr = object.__setattr__


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


def _true(v: object) -> bool:
    # Only ``true`` is ever written: a default is left out.
    if v is not True:
        raise _Invalid
    return True


def _strs(v: object) -> list[str]:
    # ``set(map(type, v))`` checks every item in C: lists of hashes run to thousands.
    if type(v) is not list or not set(map(type, v)) <= _STR_TYPE:
        raise _Invalid
    return v


def _source(v: object) -> str:
    if type(v) is not str or v not in _SOURCE_KINDS:
        raise _Invalid
    return v


def _hashes(v: object) -> tuple[Hash, ...]:
    parts = _strs(v)
    if len(parts) % 2:
        raise _Invalid
    # Both fields are checked strings, and ``Hash.__init__`` would only set them: set
    # directly, it costs half as much (a large lock holds thousands of hashes).
    out = []
    for algorithm, value in zip(parts[::2], parts[1::2], strict=True):
        h = _new(Hash)
        _setattr(h, "algorithm", algorithm)
        _setattr(h, "value", value)
        out.append(h)
    return tuple(out)


def _artifacts(v: object) -> tuple[Artifact, ...]:
    if type(v) is not list or len(v) % 3:
        raise _Invalid
    filenames = v[::3]
    if not set(map(type, filenames)) <= _STR_TYPE or not set(map(type, v)) <= _STR_OR_NONE:
        raise _Invalid
    # Every field checked at once, then set directly, as for hashes: a large lock names
    # thousands of files.
    out = []
    for filename, sha256, url in zip(filenames, v[1::3], v[2::3], strict=True):
        a = _new(Artifact)
        _setattr(a, "filename", filename)
        _setattr(a, "sha256", sha256)
        _setattr(a, "url", url)
        out.append(a)
    return tuple(out)


def _set(v: object) -> frozenset[str]:
    return frozenset(_strs(v))


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


#: key -> (field, converter). Keys absent from a document take the field's default.
_COMPONENT: dict[str, tuple[str, Callable[[object], object]]] = {
    "n": ("name", _str),
    "v": ("version", _opt_str),
    "d": ("display_name", _opt_str),
    "p": ("purl", _str),
    "s": ("source", _source),
    "i": ("index", _opt_str),
    "x": ("non_default_index", _true),
    "u": ("source_url", _opt_str),
    "h": ("hashes", _hashes),
    "a": ("artifacts", _artifacts),
    "m": ("markers", _opt_str),
    "g": ("groups", _set),
    "e": ("extras", _set),
    "r": ("direct", _true),
    "l": ("location", _to_location),
    "L": ("license_expression", _opt_str),
    "M": ("metadata", _metadata),
}
_NOT_AUDITED: dict[str, tuple[str, Callable[[object], object]]] = {
    "n": ("name", _opt_str),
    "q": ("requirement", _str),
    "w": ("reason", _str),
    "l": ("location", _to_location),
}
_COMPONENT_REQUIRED = frozenset("nv")
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


def _to_component(doc: object) -> Component:
    return Component(**_fields(doc, _COMPONENT, _COMPONENT_REQUIRED))


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
            components=tuple(_to_component(c) for c in _list(doc.get("c", []))),
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
