"""TOML parsing for the lock-file readers: rtoml when it is installed, the stdlib otherwise.
(And :func:`load_json`, the same one-line errors for the JSON readers.)

``rtoml`` (Rust ``toml``) parses the 1.2 MB ``uv.lock`` of the corpus in ~17 ms where
``tomllib`` takes ~150 ms; a test holds both equal on every TOML file of the corpus.
Syntax errors become one-line :class:`~pyward.errors.InputError` s naming the line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from pyward.errors import InputError

# rtoml: "unclosed array, expected `]` at line 2 column 6"
_RTOML_AT = re.compile(r"^(?P<what>.*?)\s+at line (?P<line>\d+) column (?P<col>\d+)\s*$", re.S)
# tomllib: "Invalid value (at line 2, column 6)" / "... (at end of document)"
_TOMLLIB_AT = re.compile(
    r"^(?P<what>.*?)\s+\(at line (?P<line>\d+), column (?P<col>\d+)\)\s*$", re.S
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _syntax_error(file: str | Path | None, text: str, exc: Exception) -> InputError:
    message = str(exc)
    for pattern in (_RTOML_AT, _TOMLLIB_AT):
        m = pattern.match(message)
        if m:
            what = f"invalid TOML: {_one_line(m['what'])} (column {m['col']})"
            return InputError(file, what, where=f"line {m['line']}")
    if "end of document" in message:
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        what = _one_line(message.replace("(at end of document)", "").strip())
        return InputError(file, f"invalid TOML: {what} (end of file)", where=f"line {line}")
    return InputError(file, f"invalid TOML: {_one_line(message)}")


def _stdlib_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


def loads(text: str, file: str | Path | None = None) -> dict[str, Any]:
    """Parse TOML ``text``; ``file`` names the source in errors."""
    try:
        import rtoml
    except ImportError:  # pragma: no cover - rtoml is a dependency; wheels may be missing
        return stdlib_loads(text, file)
    try:
        result: dict[str, Any] = rtoml.loads(text)
    except rtoml.TomlParsingError as exc:
        raise _syntax_error(file, text, exc) from None
    return result


def stdlib_loads(text: str, file: str | Path | None = None) -> dict[str, Any]:
    """Parse with ``tomllib`` (``tomli`` before 3.11): the reference the fast path is held to."""
    try:
        return _stdlib_loads(text)
    except ValueError as exc:  # TOMLDecodeError is a ValueError
        raise _syntax_error(file, text, exc) from None


def read_bytes(path: Path) -> bytes:
    """The file's content; an unreadable, special or too large file is an ``InputError``."""
    from pyward._files import read_capped

    try:
        return read_capped(path)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def read_text(path: Path) -> str:
    """The file's text as UTF-8; unreadable or undecodable files are an ``InputError``."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(path, "not UTF-8 text", where=f"line {line}") from None


def load(path: Path) -> dict[str, Any]:
    """Read and parse the TOML file at ``path``."""
    return loads(read_text(path), path)


def load_json(file: str | Path, data: bytes) -> object:
    """Parse JSON ``data`` with orjson; a leading UTF-8 byte order mark is ignored (RFC
    8259 section 8.1 allows it, and editors on Windows write one). A syntax error is
    an ``InputError`` naming the line and column."""
    import orjson

    try:
        return orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise InputError(
            file,
            f"invalid JSON: {_one_line(exc.msg)} (column {exc.colno})",
            where=f"line {exc.lineno}",
        ) from None
