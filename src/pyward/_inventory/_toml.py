"""TOML parsing for the lock-file readers: rtoml when it is installed, the stdlib otherwise.
(And :func:`load_json`, the same one-line errors for the JSON readers.)

``rtoml`` (Rust ``toml``) parses large lock files several times faster than ``tomllib``
(bench/bench_readers.py); a test holds both equal on every TOML file of the corpus.
Syntax errors become one-line :class:`~pyward.errors.InputError` s naming the line.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
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


#: A key path into a TOML document: table keys, and array indices as ints.
KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL_STRING = re.compile(r"'[^'\n]*'")
_WS = " \t"


def value_lines(text: str) -> dict[KeyPath, int]:
    """The line (1-based) where each value of a TOML document starts, by key path (a
    table header's line for a table). Neither ``rtoml`` nor ``tomllib`` reports
    positions, and searching the text for a value finds the first line that contains
    it (``six`` on the line of ``sixer``, issue 11 item 7): this walks the document's
    grammar (https://toml.io/en/v1.0.0) instead. ``text`` has been parsed by
    :func:`loads` already, so it is valid TOML; the walk only tracks positions."""
    locator = _Locator(text)
    try:
        return locator.run()
    except IndexError:  # pragma: no cover - valid TOML ends every construct it opens
        return locator.found


@dataclass(frozen=True, slots=True)
class Span:
    """Where one top-level item of a TOML document is written (see :func:`spans`)."""

    path: KeyPath
    """A header's table (``("packages", 3)`` for the fourth ``[[packages]]``,
    ``("packages", 3, "tool", "pdm")``), or the path of a key's value."""
    start: int
    """The offset of the header's first ``[``, or of the key."""
    end: int
    """The offset just past the header's last ``]``, or past the value."""
    header: bool
    """Whether the item is a table header (``[t]``, ``[[t]]``)."""


def spans(text: str) -> list[Span]:
    """Every top-level item of a TOML document (each table header, each ``key = value``
    outside inline tables and arrays), in order, with its place in ``text``. A writer
    that edits a document as text (``pyward provenance --pin`` adding
    ``attestation-identities`` to a ``pylock.toml``) finds where a table ends from
    these, so every other byte stays as written. ``text`` has been parsed by
    :func:`loads` already, so it is valid TOML."""
    walk = _Spans(text)
    walk.run()
    return walk.spans


class _Locator:
    """The walk :func:`value_lines` performs."""

    __slots__ = ("aot", "found", "line", "pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.found: dict[KeyPath, int] = {}
        self.aot: dict[KeyPath, int] = {}

    def run(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_space(newlines=True)
            if self.pos >= len(self.text):
                return self.found
            start = self.pos
            if self.text.startswith("[[", self.pos):
                self.advance(2)
                keys = self.key()
                self.advance(2)  # ]]
                path = (*self.resolve(keys[:-1]), keys[-1])
                self.found.setdefault(path, self.line)
                index = self.aot.get(path, -1) + 1
                self.aot[path] = index
                table = (*path, index)
                self.found.setdefault(table, self.line)
                self.item(table, start, header=True)
            elif self.text[self.pos] == "[":
                self.advance(1)
                table = self.resolve(self.key())
                self.advance(1)  # ]
                self.found.setdefault(table, self.line)
                self.item(table, start, header=True)
            else:
                self.item(self.key_value(table), start, header=False)

    def item(self, path: KeyPath, start: int, *, header: bool) -> None:
        """A top-level item (a table header, or a key and its value) from ``start`` has
        just been read; :class:`_Spans` records it."""

    def resolve(self, keys: KeyPath) -> KeyPath:
        """A header's path, through the last element of every array of tables on it."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            self.found.setdefault(path, self.line)
            if path in self.aot:
                path = (*path, self.aot[path])
        return path

    def key_value(self, table: KeyPath) -> KeyPath:
        """Read ``key = value`` in ``table``; return the value's path."""
        keys = self.key()
        self.skip_space()
        self.advance(1)  # =
        self.skip_space()
        for end in range(1, len(keys)):  # the tables a dotted key defines
            self.found.setdefault((*table, *keys[:end]), self.line)
        path = (*table, *keys)
        self.value(path)
        return path

    def key(self) -> KeyPath:
        keys: list[str] = []
        while True:
            self.skip_space()
            char = self.text[self.pos]
            if char in "\"'":
                start = self.pos
                self.string()
                raw = self.text[start : self.pos]
                keys.append(_unquote(raw))
            else:
                m = _BARE_KEY.match(self.text, self.pos)
                end = m.end() if m else self.pos + 1
                keys.append(self.text[self.pos : end])
                self.pos = end
            self.skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == ".":
                self.advance(1)
                continue
            return tuple(keys)

    def value(self, path: KeyPath) -> None:
        self.found[path] = self.line
        char = self.text[self.pos]
        if char in "\"'":
            self.string()
        elif char == "[":
            self.advance(1)
            index = 0
            while True:
                self.skip_space(newlines=True)
                if self.text[self.pos] == "]":
                    self.advance(1)
                    return
                self.value((*path, index))
                index += 1
                self.skip_space(newlines=True)
                if self.text[self.pos] == ",":
                    self.advance(1)
        elif char == "{":
            self.advance(1)
            while True:
                self.skip_space(newlines=True)
                if self.text[self.pos] == "}":
                    self.advance(1)
                    return
                self.key_value(path)
                self.skip_space(newlines=True)
                if self.text[self.pos] == ",":
                    self.advance(1)
        else:  # a number, boolean or date: up to the next delimiter
            end = self.pos
            while end < len(self.text) and self.text[end] not in ",]}#\r\n":
                end += 1
            self.advance(end - self.pos)

    def string(self) -> None:
        quote = self.text[self.pos]
        triple = quote * 3
        if self.text.startswith(triple, self.pos):
            end = self.pos + 3
            while not self.text.startswith(triple, end):
                end += 2 if quote == '"' and self.text[end] == "\\" else 1
            end += 3
            # Up to two quotes may end the content right before the closing delimiter.
            for _ in range(2):
                if end < len(self.text) and self.text[end] == quote:
                    end += 1
        else:
            # One line: a regular expression finds its end at once (lock files hold
            # thousands of long URL strings); the text is valid TOML, so it matches.
            m = (_BASIC_STRING if quote == '"' else _LITERAL_STRING).match(self.text, self.pos)
            if m is None:  # pragma: no cover - an unterminated string is not valid TOML
                raise IndexError("unterminated string")
            end = m.end()
        self.advance(end - self.pos)

    def skip_space(self, *, newlines: bool = False) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in _WS or (newlines and char in "\r\n"):
                self.advance(1)
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def advance(self, count: int) -> None:
        self.line += self.text.count("\n", self.pos, self.pos + count)
        self.pos += count


class _Spans(_Locator):
    """The walk :func:`spans` performs: :class:`_Locator`'s, recording each item."""

    __slots__ = ("spans",)

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.spans: list[Span] = []

    def item(self, path: KeyPath, start: int, *, header: bool) -> None:
        end = self.pos
        while self.text[end - 1] in _WS:  # a bare value is read up to the next delimiter
            end -= 1
        self.spans.append(Span(path, start, end, header))


def _unquote(raw: str) -> str:
    """A quoted key's name: literal keys as written, basic keys with their escapes."""
    if raw.startswith("'"):
        return raw[1:-1]
    import json

    try:
        value = json.loads(raw)
    except ValueError:
        return raw[1:-1]
    return value if isinstance(value, str) else raw[1:-1]
