"""``pyward advisory publish``: give a draft its id and write it into the advisory
directory (see :mod:`pyward._authoring._publish`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyward._settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-command's options."""
    from pyward._authoring._config import add_directory_options

    parser.add_argument("draft", type=Path, metavar="DRAFT", help="the draft record (OSV JSON)")
    parser.add_argument(
        "--case", default=None, metavar="CASE", help="mark this (fix-ready) case published"
    )
    parser.add_argument(
        "--prefix",
        default=None,
        metavar="P",
        help="id prefix (default: [tool.pyward.advisory] prefix, else x_LOCAL)",
    )
    add_directory_options(parser)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._authoring._config import check_prefix, from_args
    from pyward._authoring._publish import load_draft, publish
    from pyward.errors import UsageError

    config = from_args(args)
    prefix = config.prefix
    if args.prefix is not None:
        prefix = check_prefix(args.prefix, lambda what: UsageError(f"--prefix: {what}"))
    draft = load_draft(args.draft)
    done = publish(
        draft,
        config.directory,
        prefix=prefix,
        now=dt.datetime.now(dt.timezone.utc),
        case=args.case,
        draft_name=str(args.draft),
    )
    sys.stdout.write(f"{done.id}\n")
    note = f"; {args.case} published" if args.case else ""
    sys.stderr.write(f"pyward: wrote {done.path}{note}\n")
    return 0
