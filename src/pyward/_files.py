"""Bounded reads of input files (issue 12, item 6), and file names as safe text (item 10).

Every file pyward reads as input (lock files, requirements, SBOMs, an environment's
``METADATA`` and ``RECORD``, VEX and configuration files) goes through
:func:`read_capped`: a file larger than the input limit is refused instead of filling
memory (``-r /dev/zero``), and a path that is not a regular file (a FIFO that never
delivers, a character device that never ends) is refused without waiting on it.

The limit is :data:`MAX_INPUT_BYTES` unless a run sets another one
(``PYWARD_MAX_INPUT_BYTES``, resolved into ``Settings.max_input_bytes`` by the CLI,
or ``read_inventory(max_input_bytes=...)``) through :func:`input_limit`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from typing import BinaryIO

__all__ = [
    "MAX_INPUT_BYTES",
    "current_limit",
    "file_kind",
    "input_limit",
    "read_capped",
    "safe_text",
]

#: Largest input file read (256 MiB): above the largest real lock files and SBOMs by far.
MAX_INPUT_BYTES = 256 * 1024 * 1024

_LIMIT: ContextVar[int] = ContextVar("pyward_max_input_bytes", default=MAX_INPUT_BYTES)

_CHUNK = 1024 * 1024


def current_limit() -> int:
    """The input limit of this run, in bytes."""
    return _LIMIT.get()


@contextlib.contextmanager
def input_limit(limit: int | None) -> Iterator[None]:
    """Read with ``limit`` bytes as the input limit inside the block (``None``: unchanged)."""
    if limit is None:
        yield
        return
    token = _LIMIT.set(limit)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def describe_limit(limit: int) -> str:
    """``256 MiB`` for whole MiB, else the byte count."""
    mib = 1024 * 1024
    return f"{limit // mib} MiB" if limit % mib == 0 and limit else f"{limit} bytes"


def too_large(limit: int) -> OSError:
    """The error for an input above ``limit`` bytes (its ``strerror`` is the message)."""
    return OSError(
        errno.EFBIG,
        f"larger than the input limit of {describe_limit(limit)} (PYWARD_MAX_INPUT_BYTES)",
    )


def file_kind(mode: int) -> str:
    """What a non-regular file is, for an error message."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_regular(mode: int) -> OSError:
    """The error for a path that is not a regular file."""
    return OSError(errno.EINVAL, f"not a regular file ({file_kind(mode)})")


@contextlib.contextmanager
def _open_regular(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """``path`` open for reading, if it is a regular file within the input limit;
    ``OSError`` (its ``strerror`` one line, for the callers' ``cannot read: ...``)
    otherwise. ``O_NONBLOCK``: opening a FIFO for reading otherwise waits for a writer
    forever."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb", buffering=0) as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(st.st_mode)
        if st.st_size > current_limit():  # refused before a byte is read
            raise too_large(current_limit())
        yield fh


def read_capped(path: str | os.PathLike[str]) -> bytes:
    """The content of the regular file ``path``, at most the input limit (errors: see
    :func:`_open_regular`)."""
    with _open_regular(path) as fh:
        return read_stream(fh)


def read_head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of the regular file ``path``; errors as :func:`read_capped`."""
    with _open_regular(path) as fh:
        return _read_exactly(fh, size)


def _read_exactly(fh: BinaryIO, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = fh.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _chunks(fh: BinaryIO, cap: int) -> Iterator[bytes]:
    """What ``fh`` gives, chunk by chunk, refused (``OSError``) past ``cap`` bytes. A
    regular file may grow while it is read: the size is not trusted, the bytes are
    counted."""
    size = 0
    while chunk := fh.read(min(_CHUNK, cap + 1 - size)):
        size += len(chunk)
        if size > cap:
            raise too_large(cap)
        yield chunk


def read_stream(fh: BinaryIO, limit: int | None = None) -> bytes:
    """Everything ``fh`` gives, refused past ``limit`` (default: the input limit)."""
    return b"".join(_chunks(fh, current_limit() if limit is None else limit))


def copy_capped(src: BinaryIO, dst: BinaryIO) -> None:
    """Copy ``src`` to ``dst``, refused (``OSError``) past the input limit."""
    for chunk in _chunks(src, current_limit()):
        dst.write(chunk)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m[0])
    # U+DC80..U+DCFF: a byte that is not UTF-8, as ``os.fsdecode`` keeps it
    # (PEP 383); any other lone surrogate: its code point.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` as valid Unicode: a file name that is not valid UTF-8 keeps its bytes
    as lone surrogates (PEP 383), which no UTF-8 output can encode; each is shown as
    ``\\xNN`` (the byte) instead (issue 12, item 10)."""
    if text.isascii():
        return text
    return _SURROGATE.sub(_escape, text)
