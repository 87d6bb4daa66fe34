"""What the data files refreshed into the cache directory share (the popularity list,
the lifecycle data): reading the cached copy, else the built-in snapshot shipped in the
package; downloading or reading the upstream data; and writing the converted file
atomically once it reads back.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pyward._atomic import replace_file
from pyward._text import redact_url
from pyward.errors import InputError, NetworkError, UsageError

if TYPE_CHECKING:
    import httpx

    from pyward._advisory._sync import Limits

__all__ = ["download", "is_url", "load_snapshot", "read_source", "write_checked"]

T = TypeVar("T")

#: A data file's parser: its bytes and the file they came from (for messages) -> the
#: data and notes. Raises :class:`InputError` naming the file and the place.
Parser = Callable[[bytes, Path], tuple[T, list[str]]]


def load_snapshot(cache_path: Path | None, builtin: Path, parse: Parser[T]) -> tuple[T, list[str]]:
    """The data a run uses, and notes for the report: the copy at ``cache_path`` when
    there is one and it reads, else the built-in snapshot ``builtin`` (a bad copy is a
    note naming the file and the place, never an error). Raises :class:`InputError`
    only when the built-in snapshot itself is unreadable."""
    notes: list[str] = []
    if cache_path is not None:
        try:
            raw = cache_path.read_bytes()
        except FileNotFoundError:
            raw = None
        except OSError as exc:
            raw = None
            notes.append(
                f"{cache_path}: cannot read: {exc.strerror or exc}; using the built-in snapshot"
            )
        if raw is not None:
            try:
                data, more = parse(raw, cache_path)
            except InputError as exc:
                notes.append(f"{exc}; using the built-in snapshot")
            else:
                return data, [*notes, *more]
    try:
        raw = builtin.read_bytes()
    except OSError as exc:
        raise InputError(builtin, f"cannot read: {exc.strerror or exc}") from None
    data, more = parse(raw, builtin)
    return data, [*notes, *more]


def is_url(text: str) -> bool:
    """Whether a refresh's source is a URL to download (else it is a path)."""
    return text.startswith(("http://", "https://"))


def read_source(path: str | Path) -> bytes:
    """The bytes of a refresh's source file; an :class:`InputError` naming ``path`` (as
    given) when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def download(
    url: str,
    *,
    offline: bool,
    instead: str,
    prefix: str,
    client: httpx.Client | None,
    limits: Limits | None,
) -> bytes:
    """The body at ``url``, downloaded with the bounds and errors of every ``db update``
    source (``URL: HTTP 503 ...``), credentials kept out of its messages. With
    ``offline``, a :class:`UsageError` that says to give ``instead`` (the option naming
    a local copy). ``prefix`` names the temporary directory the body is streamed to."""
    from pyward._advisory._sync import Limits, _download

    if offline:
        raise UsageError(f"{redact_url(url)}: not downloaded (--offline); give {instead}")
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        dest = Path(tmp) / "answer"
        try:
            _download(url, dest, {}, client=client, progress=None, limits=limits or Limits())
        except NetworkError as exc:
            raise NetworkError(str(exc).replace(url, redact_url(url))) from None
        return dest.read_bytes()


def write_checked(target: Path, data: bytes, parse: Parser[T]) -> T:
    """Write ``data`` to ``target`` (its directory made when absent) atomically, once
    it reads back with ``parse``, the parser a run uses; the parsed data. Raises
    :class:`InputError` and writes nothing when it does not read or cannot be written."""
    parsed, _ = parse(data, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data)
    except OSError as exc:
        raise InputError(target, f"cannot write: {exc.strerror or exc}") from None
    return parsed
