"""One lock per advisory directory, so that two people changing it at once lose nothing.

Every change of a case and every id allocation reads, decides and writes under
:func:`directory_lock`: an exclusive lock on ``DIR/.pyward.lock`` (``fcntl.flock`` on
POSIX, ``msvcrt.locking`` on Windows). The operating system releases it when the
process ends, so a crashed run leaves no stale lock behind; the file itself stays.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyward.errors import UsageError

__all__ = ["LOCK_FILE", "LOCK_SECONDS", "create_new", "directory_lock"]

LOCK_FILE = ".pyward.lock"
#: How long to wait for another run to finish before giving up.
LOCK_SECONDS = 30.0
_POLL = 0.02


@contextmanager
def directory_lock(directory: Path, *, timeout: float = LOCK_SECONDS) -> Iterator[None]:
    """Hold the advisory directory's lock (creating the directory if needed) for the
    block; :class:`UsageError` naming the lock file after ``timeout`` seconds."""
    path = directory / LOCK_FILE
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise UsageError(f"{path}: cannot open the lock file: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise UsageError(
                    f"{path}: another pyward has held the advisory directory's lock for "
                    f"{timeout:g} s; try again when it has finished"
                )
            time.sleep(_POLL)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def create_new(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` only if no file has that name: ``False`` when one
    has. The file appears whole or not at all: written under a temporary name, then
    hard-linked (which fails when the name is taken); where the file system has no hard
    links, created with ``O_EXCL`` and written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    tmp.write_bytes(data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:
        return _create_excl(path, data)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _create_excl(path: Path, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return True
