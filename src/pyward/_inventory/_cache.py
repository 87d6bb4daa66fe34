"""A cache of readers' results, keyed by what the result depends on.

An entry is named by the CRC-32 of (reader id, :data:`CACHE_FORMAT`, pyward's version,
the path as given, the file's bytes) and holds that identity and those bytes in full:
a hit needs both to be equal, byte for byte, so an edited file, another reader,
another pyward version, a new cache layout or two inputs whose CRCs collide never see
a stale entry. (A cryptographic digest would make the name unique too, but
``hashlib`` loads libcrypto, ~2.3 ms on every run; ``zlib`` is in every build and the
exact comparison makes the name's quality a matter of speed only.) The path is part of
the identity because the inventory records it (``Inventory.source``, ``Location.file``).

Entries are files in the directory the caller gives (the CLI: ``<cache dir>/inventory``,
see :class:`pyward._settings.Settings`), written atomically (temporary file, then
rename): two pickles in a row, the header ``(identity, bytes)`` and the
inventory. They are loaded with an unpickler that only builds the model's own classes
and builtin containers, so a planted file cannot run code; the inventory is only
unpickled once the header matched. An entry that cannot be read or decoded is ignored
and rewritten.
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from pyward._model import Component, Hash, Inventory, Location, NotAudited
from pyward.errors import InputError

#: Bump when a reader's output changes for the same input (a new field, a fix), so
#: entries written by the older code are not used. 3: purls keep the name's dots.
#: 4: entries named by CRC-32 and holding the file's bytes.
CACHE_FORMAT = 4

_MODEL = (Inventory, Component, NotAudited, Hash, Location)
#: Field names of each model class, in order: what an entry stores per object.
_FIELDS: dict[type, tuple[str, ...]] = {c: tuple(f.name for f in fields(c)) for c in _MODEL}
_set = object.__setattr__


# Pickle's default for slotted frozen dataclasses calls ``dataclasses.fields()`` once per
# object on load; with thousands of ``Hash`` objects (guidellm's lock: 3,465) that costs
# 6.5 ms. Rebuilding from a tuple of field values with known names takes 2.4 ms.
def _rebuild(cls: type, values: tuple[object, ...]) -> object:
    names = _FIELDS[cls]  # KeyError for anything but the model: a damaged entry
    obj: Any = object.__new__(cls)
    for name, value in zip(names, values, strict=True):
        _set(obj, name, value)
    return obj


def _rebuild_hash(algorithm: str, value: str) -> Hash:
    obj = object.__new__(Hash)
    _set(obj, "algorithm", algorithm)
    _set(obj, "value", value)
    return obj


class _ModelPickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> Any:
        cls = type(obj)
        if cls is Hash:
            assert isinstance(obj, Hash)
            return _rebuild_hash, (obj.algorithm, obj.value)
        names = _FIELDS.get(cls)
        if names is not None:
            return _rebuild, (cls, tuple(getattr(obj, n) for n in names))
        return NotImplemented


#: (module, name) pairs the unpickler may load: the model, its rebuilders, builtins.
_ALLOWED = frozenset(
    {(c.__module__, c.__qualname__) for c in _MODEL}
    | {
        (__name__, "_rebuild"),
        (__name__, "_rebuild_hash"),
        ("builtins", "frozenset"),
        ("builtins", "set"),
        ("builtins", "tuple"),
        ("builtins", "dict"),
        ("builtins", "list"),
    }
)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str, /) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def identity(reader_id: str, path: Path) -> bytes:
    """What an entry depends on besides the file's bytes."""
    from pyward import __version__

    text = f"{reader_id}\0{CACHE_FORMAT}\0{__version__}\0{path}"
    return text.encode("utf-8", "surrogateescape")


def entry_name(ident: bytes, data: bytes) -> str:
    """The file name of the entry for ``ident`` and ``data`` (collisions are allowed)."""
    return f"{zlib.crc32(data, zlib.crc32(ident)):08x}.pickle"


def _load(entry: Path, ident: bytes, data: bytes) -> Inventory | None:
    try:
        raw = entry.read_bytes()
    except OSError:
        return None
    try:
        stream = io.BytesIO(raw)
        # Another input with the same name (a CRC collision, an older layout) is a miss.
        if _ModelUnpickler(stream).load() != (ident, data):
            return None
        value = _ModelUnpickler(stream).load()
    except Exception:  # any damage: truncated, foreign or planted data -> a miss
        return None
    return value if isinstance(value, Inventory) else None


def _store(entry: Path, ident: bytes, data: bytes, inventory: Inventory) -> None:
    from pyward._atomic import replace_file

    buffer = io.BytesIO()
    # Two pickles, each on its own (one pickler each: no shared memo).
    pickle.dump((ident, data), buffer, protocol=pickle.HIGHEST_PROTOCOL)
    _ModelPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(inventory)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        replace_file(entry, buffer.getvalue())
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
    try:
        data = path.read_bytes()
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
