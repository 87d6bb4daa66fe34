"""Inventory readers: what a project, an environment or an SBOM contains.

:func:`read_inventory` is the one entry point (``pyward.read_inventory``): it works out
what the target is, dispatches to the reader registered for it
(:mod:`pyward._inventory._registry`), and applies the :class:`Selection`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import cast

from pyward._files import copy_capped, file_kind, input_limit, safe_text
from pyward._inventory import _registry
from pyward._inventory._cache import cached_read
from pyward._inventory._detect import detect_project, is_environment
from pyward._inventory._select import Selection, select
from pyward._model import Inventory, Location
from pyward.errors import InputError

__all__ = ["Selection", "read_inventory", "select"]


def read_inventory(
    target: str | os.PathLike[str] | None = None,
    *,
    python: str | None = None,
    selection: Selection = Selection(),  # noqa: B008 - frozen, so a shared default is safe
    format: str | None = None,
    environ: Mapping[str, str] | None = None,
    read_cache: Path | None = None,
    max_input_bytes: int | None = None,
) -> Inventory:
    """Read what ``target`` pins, then keep what ``selection`` installs.

    * ``target`` and ``python`` both ``None``: the running environment;
      ``python=PATH``: that interpreter's environment;
    * a directory with ``pyvenv.cfg`` (or an interpreter next to ``site-packages``):
      that environment;
    * another directory: a project, read from its most precise source (``uv.lock``,
      ``pylock.toml``, ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``,
      ``requirements*.txt``, then ``pyproject.toml``), noted in ``Inventory.notes``;
    * a file: by its name, else by its content; ``format`` forces a reader id.

    ``environ`` holds the variables a requirements file's ``${NAME}`` expands to
    (default: none). ``read_cache`` is the directory of the read cache
    (:mod:`pyward._inventory._cache`); ``None`` (the default): nothing is cached.
    ``max_input_bytes`` bounds every file read (default: the limit in force,
    :data:`pyward._files.MAX_INPUT_BYTES` unless the CLI set
    ``PYWARD_MAX_INPUT_BYTES``); a larger file is an ``InputError``.
    """
    with input_limit(max_input_bytes):
        inventory = _read_inventory(
            target,
            python,
            selection=selection,
            format=format,
            environ=environ,
            read_cache=read_cache,
        )
    return _safe_names(inventory)


def _safe_names(inventory: Inventory) -> Inventory:
    """``inventory`` with the file names it carries as valid text: a name on disk that
    is not UTF-8 (a directory, a ``.dist-info``) keeps undecodable bytes as lone
    surrogates, which no renderer can encode (issue 12, item 10)."""
    texts = [inventory.source, *inventory.notes]
    for c in inventory.components:
        if c.location is not None:
            texts.append(c.location.file)
        texts.extend(c.metadata.values())
    for n in inventory.not_audited:
        texts.extend((n.requirement, n.reason, n.name or ""))
        if n.location is not None:
            texts.append(n.location.file)
    if all(t.isascii() or safe_text(t) == t for t in texts):
        return inventory

    def loc(location: Location | None) -> Location | None:
        if location is None or safe_text(location.file) == location.file:
            return location
        return replace(location, file=safe_text(location.file))

    return replace(
        inventory,
        source=safe_text(inventory.source),
        components=tuple(
            replace(
                c,
                location=loc(c.location),
                metadata={k: safe_text(v) for k, v in c.metadata.items()},
            )
            for c in inventory.components
        ),
        not_audited=tuple(
            replace(
                n,
                name=None if n.name is None else safe_text(n.name),
                requirement=safe_text(n.requirement),
                reason=safe_text(n.reason),
                location=loc(n.location),
            )
            for n in inventory.not_audited
        ),
        notes=tuple(safe_text(n) for n in inventory.notes),
    )


def _read_inventory(
    target: str | os.PathLike[str] | None,
    python: str | None,
    *,
    selection: Selection,
    format: str | None,
    environ: Mapping[str, str] | None,
    read_cache: Path | None,
) -> Inventory:
    env: Mapping[str, str] = environ if environ is not None else {}
    if target is None or python is not None:
        if format is not None and format != "environment":
            raise InputError(
                None if target is None else Path(target),
                f"--format {format} needs a file, not an environment",
            )
        return select(_read_env(target, python), selection)
    path = Path(target)
    if format is not None:
        reader = _registry.by_id(format)
        if reader.id == "environment":
            return select(_read_env(path, None), selection)
        if path.is_dir():
            raise InputError(path, f"is a directory; --format {format} needs a file")
        return select(_read_file(reader, path, env, read_cache), selection)
    if path.is_dir():
        if is_environment(path):
            return select(_read_env(path, None), selection)
        found = detect_project(path)
        inventory = _read(found.reader, found.path, env, read_cache)
        if found.note is not None:
            inventory = replace(inventory, notes=(found.note, *inventory.notes))
        return select(inventory, selection)
    try:
        path.stat()
    except FileNotFoundError:
        raise InputError(path, "no such file or directory") from None
    except OSError as exc:  # a symbolic link loop (ELOOP), a permission denied
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    found_reader = _registry.for_filename(path.name)
    return select(_read_file(found_reader, path, env, read_cache), selection)


def _read_file(
    reader: _registry.Reader | None,
    path: Path,
    environ: Mapping[str, str],
    read_cache: Path | None,
) -> Inventory:
    """Read one file, by ``reader`` or else by sniffing its content.

    A pipe (``pyward audit <(uv export ...)``, ``/dev/stdin``) can be read only once, but
    sniffing, the read cache and the reader would each read it: its bytes are spooled
    once into a regular file of the same name, which is read instead; the result names
    the original path.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return _read(reader or _registry.sniff(path), path, environ, read_cache)
    # A pipe, a socket or a terminal can give an input; a device such as /dev/zero
    # gives bytes without end, and a directory was handled above (issue 12, item 6).
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or _is_tty(path)):
        raise InputError(path, f"cannot read: not a regular file or a pipe ({file_kind(mode)})")
    # Imported here: only a pipe is spooled, and no other path of a run needs it.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pyward-") as tmp:
        spooled = Path(tmp) / (path.name or "input")
        try:
            with path.open("rb") as src, spooled.open("wb") as dst:
                copy_capped(src, dst)
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
        try:
            found = reader or _registry.sniff(spooled)
            # Not cached: a pipe's content is read once and never seen again.
            inventory = _function(found, environ, origin=path)(spooled)
        except InputError as exc:
            # The user gave ``path``, never saw the spool (issue 12, item 12).
            raise _renamed_error(exc, str(spooled), str(path)) from None
    return _renamed(inventory, str(spooled), str(path))


def _is_tty(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def _renamed_error(exc: InputError, old: str, new: str) -> InputError:
    """``exc`` with every mention of the file ``old`` replaced by ``new``."""
    old = safe_text(old)  # as the error holds it
    return InputError(
        new if exc.file == old else exc.file,
        exc.what.replace(old, new),
        where=None if exc.where is None else exc.where.replace(old, new),
    )


def _renamed(inventory: Inventory, old: str, new: str) -> Inventory:
    """``inventory`` with every mention of the file ``old`` replaced by ``new``."""

    def loc(location: Location | None) -> Location | None:
        if location is None or location.file != old:
            return location
        return replace(location, file=new)

    return replace(
        inventory,
        source=new if inventory.source == old else inventory.source,
        components=tuple(replace(c, location=loc(c.location)) for c in inventory.components),
        not_audited=tuple(replace(n, location=loc(n.location)) for n in inventory.not_audited),
        notes=tuple(n.replace(old, new) for n in inventory.notes),
    )


# Not ``_environment``: importing the submodule of that name would rebind it.
def _read_env(path: str | os.PathLike[str] | None, python: str | None) -> Inventory:
    # A reader's module is imported only when it reads, as the registry does for the
    # others (``Reader.load``).
    from pyward._inventory._environment import read_environment

    return read_environment(None if path is None else Path(path), python=python)


def _function(
    reader: _registry.Reader, environ: Mapping[str, str], *, origin: Path | None = None
) -> Callable[[Path], Inventory]:
    """The reader's function (its module imported), given ``environ`` and ``origin`` if
    it takes them."""
    read = reader.load()
    kwargs: dict[str, object] = {}
    if reader.takes_environ:
        kwargs["environ"] = environ
    if reader.takes_origin and origin is not None:
        kwargs["origin"] = origin
    if not kwargs:
        return read
    with_kwargs = cast("Callable[..., Inventory]", read)
    return lambda p: with_kwargs(p, **kwargs)


def _read(
    reader: _registry.Reader, path: Path, environ: Mapping[str, str], read_cache: Path | None
) -> Inventory:
    if not reader.cacheable or read_cache is None:
        return _function(reader, environ)(path)

    def read(p: Path) -> Inventory:
        # The reader's module (and its parser's) is imported only on a cache miss.
        return _function(reader, environ)(p)

    return cached_read(reader.id, path, read, directory=read_cache)
