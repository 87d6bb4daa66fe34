"""Deterministic mutations of real input files: the cases of the sweep.

Byte-level mutations (truncation, garbage, a NUL byte...) apply to any file; the
structured ones (a key removed, a value of the wrong type) to the parsed form of a
small real document, written back as TOML or JSON.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Marks a value the structured mutation removes.
_REMOVED = object()


@dataclass(frozen=True, slots=True, kw_only=True)
class ByteCase:
    """One mutated file."""

    id: str
    """Readable test id: ``truncated-50%``."""
    data: bytes
    """The file's new content."""
    always_bad: bool
    """No reader may accept it (exit 2 expected)."""


def _line_bounds(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    return start, len(data) if end == -1 else end


def _mid_line(data: bytes, fraction: float) -> int:
    """The middle of the (first non-blank) line at ``fraction`` of the file."""
    offset = int(len(data) * fraction)
    start, end = _line_bounds(data, offset)
    while end - start < 2 and end < len(data):
        start, end = _line_bounds(data, end + 1)
    return start + (end - start) // 2


def byte_cases(data: bytes, *, text_format: bool = True, xml: bool = False) -> Iterator[ByteCase]:
    """Every byte-level mutation of ``data`` (a valid file).

    ``text_format``: a file where a NUL byte or invalid UTF-8 anywhere is an error
    (every format but requirements, whose comments may hold anything); ``xml``: XML,
    which may be UTF-16.
    """
    rng = random.Random(len(data))  # noqa: S311  reproducible test mutations, not secrets
    yield ByteCase(id="empty", data=b"", always_bad=False)
    yield ByteCase(id="blank", data=b" \n\n\t\n", always_bad=False)
    for percent in (10, 50, 90):
        cut = len(data) * percent // 100
        yield ByteCase(id=f"truncated-{percent}%", data=data[:cut], always_bad=False)
    yield ByteCase(id="truncated-mid-line", data=data[: _mid_line(data, 0.3)], always_bad=False)
    yield ByteCase(id="truncated-last-byte", data=data[:-1], always_bad=False)
    yield ByteCase(id="first-line-only", data=data[: data.find(b"\n") + 1], always_bad=False)
    yield ByteCase(id="garbage", data=rng.randbytes(4096), always_bad=text_format)
    yield ByteCase(
        id="garbage-ascii",
        data=bytes(rng.choice(b"{}[]=\"',:#\\\n abc123") for _ in range(2048)),
        always_bad=False,
    )
    at = _mid_line(data, 0.5)
    yield ByteCase(
        id="invalid-utf8", data=data[:at] + b"\xff\xfe\xc3" + data[at:], always_bad=text_format
    )
    yield ByteCase(id="nul-byte", data=data[:at] + b"\x00" + data[at:], always_bad=text_format)
    yield ByteCase(
        id="control-chars", data=data[:at] + b"\x1b[31m\x07" + data[at:], always_bad=False
    )
    yield ByteCase(
        id="utf16", data=data.decode("utf-8").encode("utf-16"), always_bad=text_format and not xml
    )
    yield ByteCase(id="bom", data=b"\xef\xbb\xbf" + data, always_bad=False)
    yield ByteCase(
        id="crlf", data=data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), always_bad=False
    )
    yield ByteCase(id="doubled", data=data + b"\n" + data, always_bad=False)
    yield ByteCase(
        id="lines-shuffled",
        data=b"\n".join(rng.sample(data.split(b"\n"), k=len(data.split(b"\n")))),
        always_bad=False,
    )


def _wrong_types(value: object) -> list[tuple[str, object]]:
    """Replacements of ``value`` by values of other types."""
    if isinstance(value, bool):
        return [("str", "yes")]
    if isinstance(value, int | float):
        return [("str", "1"), ("list", [1])]
    if isinstance(value, str):
        return [("int", 123), ("list", [value])]
    if isinstance(value, list):
        return [("table", {"a": "x"}), ("list-of-int", [3])]
    if isinstance(value, dict):
        return [("list", [value]), ("str", "x")]
    return [("str", "x")]


def _paths(value: object, path: tuple[Any, ...], depth: int) -> Iterator[tuple[Any, ...]]:
    """Every key path under ``value`` (lists: their first element only)."""
    if depth == 0:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*path, key)
            yield from _paths(child, (*path, key), depth - 1)
    elif isinstance(value, list) and value:
        yield (*path, 0)
        yield from _paths(value[0], (*path, 0), depth - 1)


def _render(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _replace(doc: Any, path: tuple[Any, ...], new: object) -> Any:
    """A copy of ``doc`` with the value at ``path`` replaced (or removed: ``_REMOVED``)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        copy = dict(doc)
        if rest or new is not _REMOVED:
            copy[head] = _replace(doc[head], rest, new)
        else:
            del copy[head]
        return copy
    copy_list = list(doc)
    if rest or new is not _REMOVED:
        copy_list[head] = _replace(doc[head], rest, new)
    else:
        del copy_list[head]
    return copy_list


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeCase:
    """One structured mutation."""

    id: str
    """``package[1].source removed``, ``package[1].version -> int``."""
    path: str
    """The key path changed."""
    doc: Any
    """The mutated document."""


def tree_cases(
    doc: dict[str, Any], roots: list[tuple[Any, ...]], depth: int = 3
) -> Iterator[TreeCase]:
    """Each key under each of ``roots`` removed in turn, and each value replaced by
    values of other types; ``()`` as a root mutates the top level (one level deep)."""
    seen: set[tuple[Any, ...]] = set()
    for root in roots:
        node: Any = doc
        for part in root:
            node = node[part]
        for path in _paths(node, root, 1 if not root else depth):
            if path in seen:
                continue
            seen.add(path)
            value: Any = doc
            for part in path:
                value = value[part]
            where = _render(path)
            if not isinstance(path[-1], int):
                yield TreeCase(id=f"{where} removed", path=where, doc=_replace(doc, path, _REMOVED))
            for label, new in _wrong_types(value):
                yield TreeCase(id=f"{where} -> {label}", path=where, doc=_replace(doc, path, new))
