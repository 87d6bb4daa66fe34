"""Writing a file atomically: a temporary file beside it, then a rename.

Not ``tempfile``: ``mkstemp`` creates the file with mode 0600 whatever the umask, so a
report would not be readable by the group that reads the others. A name with the
process id and ``O_EXCL`` is as safe against a collision.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pyward.errors import UsageError


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path``: a reader never sees a half-written file, and a failed
    write leaves the old one.

    * A symbolic link is followed: its target is replaced, the link stays.
    * A path that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a
      named pipe) is written in place: a rename would replace the device node itself.
    * A new file gets the mode ``open()`` gives (0666 less the umask); a replaced file
      keeps its own.

    Raises :class:`UsageError` naming the file when it cannot be written.
    """
    target = Path(os.path.realpath(path))
    try:
        try:
            st: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            with open(target, "wb") as fh:
                fh.write(data)
            return
        replace_file(target, data, None if st is None else stat.S_IMODE(st.st_mode))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"{path}: cannot write: {reason}") from None


def replace_file(target: Path, data: bytes, mode: int | None = None) -> None:
    """Replace (or create) the regular file ``target`` with ``data`` through a temporary
    file beside it and a rename; ``mode`` is given to the new file (default: 0666 less
    the umask). Raises ``OSError``; the temporary file never stays behind."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for attempt in range(100):
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666 if mode is None else mode)
            break
        except FileExistsError:
            continue  # a file left by a killed run of a process that had this pid
    else:
        raise FileExistsError(f"no free temporary name beside {target}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode)  # the umask applied at creation; keep the old mode exactly
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
