"""A cache of readers' results, keyed by what the result depends on.

A cached :class:`~pyward._model.Inventory` is found by the sha256 of
(reader id, :data:`CACHE_FORMAT`, pyward's version, the path as given, the sha256 of
the file's bytes); so an edited file, another reader, another pyward version or a new
cache layout never sees a stale entry. The path is part of the key because the
inventory records it (``Inventory.source``, ``Location.file``).

Entries are pickles under ``<cache dir>/inventory/`` (cache dir: ``$PYWARD_CACHE_DIR``,
else the platform's user cache dir for ``pyward``), written atomically (temporary file,
then rename). They are loaded with an unpickler that only builds the model's own
classes and builtin containers, so a planted file cannot run code. An entry that
cannot be read or decoded is ignored and rewritten. ``PYWARD_NO_CACHE=1`` turns the
cache off.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from pyward._model import Component, Hash, Inventory, Location, NotAudited
from pyward.errors import InputError

#: Bump when a reader's output changes for the same input (a new field, a fix), so
#: entries written by the older code are not used. 3: purls keep the name's dots.
CACHE_FORMAT = 3

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


def cache_enabled() -> bool:
    """False when ``PYWARD_NO_CACHE`` is set to anything but ``""`` or ``0``."""
    return os.environ.get("PYWARD_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    """``$PYWARD_CACHE_DIR/inventory``, else the user cache dir's ``inventory``."""
    base = os.environ.get("PYWARD_CACHE_DIR")
    if not base:
        import platformdirs

        base = platformdirs.user_cache_dir("pyward", appauthor=False)
    return Path(base) / "inventory"


def cache_key(reader_id: str, path: Path, data: bytes) -> str:
    from pyward import __version__

    digest = hashlib.sha256(data).hexdigest()
    text = f"{reader_id}\0{CACHE_FORMAT}\0{__version__}\0{path}\0{digest}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _load(entry: Path) -> Inventory | None:
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    try:
        value = _ModelUnpickler(io.BytesIO(data)).load()
    except Exception:  # any damage: truncated, foreign or planted data -> a miss
        return None
    return value if isinstance(value, Inventory) else None


def _store(entry: Path, inventory: Inventory) -> None:
    # A cache that cannot be written (read-only home, full disk) costs speed only.
    import tempfile  # only on a miss: with shutil, random, bz2 and lzma it costs ~2 ms

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.name}.", suffix=".tmp", dir=entry.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            _ModelPickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(inventory)
        os.replace(tmp, entry)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def cached_read(reader_id: str, path: Path, read: Callable[[Path], Inventory]) -> Inventory:
    """``read(path)``, or the result of an earlier call on the same bytes.

    ``reader_id`` names the reader (its format id, e.g. ``uv.lock``); errors of
    ``read`` propagate and nothing is cached for them.
    """
    if not cache_enabled():
        return read(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    entry = cache_dir() / f"{cache_key(reader_id, path, data)}.pickle"
    cached = _load(entry)
    if cached is not None:
        return cached
    inventory = read(path)
    _store(entry, inventory)
    return inventory
