"""Helpers shared by the sub-commands (options, output files, the store)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyward._advisory import AdvisoryStore


def add_cache_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="advisory store directory (default: $PYWARD_CACHE_DIR, else the user cache dir)",
    )


def add_output_options(parser: argparse.ArgumentParser, formats: list[str], default: str) -> None:
    parser.add_argument(
        "-f",
        "--format",
        choices=formats,
        default=default,
        help=f"output format (default: {default})",
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="write to FILE instead of standard output"
    )


def open_store(args: argparse.Namespace) -> AdvisoryStore:
    """The local store, or the built-in snapshot when there is none yet."""
    from pyward._advisory import AdvisoryStore

    return AdvisoryStore.open(getattr(args, "cache_dir", None))


def write_output(text: str | bytes, output: Path | None) -> None:
    """Write to ``output`` atomically (a temporary file, then rename), or to stdout.

    A reader never sees a half-written file, and a failed run leaves the old one.
    """
    data = text.encode() if isinstance(text, str) else text
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    import tempfile  # with shutil, random, bz2, lzma: ~2 ms not spent writing to stdout

    output = Path(output)
    directory = output.parent if str(output.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def use_color(stream: object = None) -> bool:
    """Colour only on a TTY and never with ``NO_COLOR`` set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
