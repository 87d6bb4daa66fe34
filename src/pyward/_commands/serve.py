"""``pyward serve``: serve the advisory store as an OSV-compatible API, with an
organisation's own advisory directories beside it (``--source``; see
:mod:`pyward._serve._sources`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._commands._common import add_cache_dir_option, open_store
from pyward._extras import require
from pyward._text import visible
from pyward.errors import UsageError

if TYPE_CHECKING:
    from pyward._settings import Settings


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    add_cache_dir_option(parser)
    parser.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="worker processes sharing the port (default: 1)",
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="also serve the OSV records of this directory (an advisory directory that "
        "`pyward advisory publish` writes, or any PyPA-style database); repeatable; read "
        "at start-up, after the store",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log one line per request (info level)"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port number (0-65535)")
    require("serve", what="pyward serve")
    store = open_store(settings)
    info = store.info
    if info.snapshot:
        sys.stderr.write(
            f"pyward: notice: serving the built-in snapshot ({info.record_count} records, "
            f"newest {visible(info.newest_modified or 'unknown')}, "
            f"{info.age_days():.0f} days old); "
            "run `pyward db update` for current data\n"
        )
    import tempfile

    from pyward._serve import serve
    from pyward._serve._sources import build_sources, open_sources

    with tempfile.TemporaryDirectory(prefix="pyward-serve-") as work:
        files = tuple(build_sources(args.source, Path(work)))
        serve(
            open_sources(store, files),
            cache_dir=settings.cache_dir,
            sources=files,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=args.access_log,
        )
    return 0
