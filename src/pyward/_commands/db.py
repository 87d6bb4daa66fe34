"""``pyward db``: fill the local advisory store (``update``) and describe it (``status``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pyward._commands._common import add_cache_dir_option, write_output
from pyward._text import visible

if TYPE_CHECKING:
    from pyward._settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION")
    update = actions.add_parser(
        "update",
        help="download or import advisories into the local store",
        description=(
            "Fill the local advisory store. Default source: OSV's PyPI export "
            "($PYWARD_OSV_URL overrides it); conditional, so unchanged data costs one request."
        ),
    )
    update.add_argument(
        "--source",
        default=None,
        metavar="PATH|URL",
        help="a zip of OSV JSON records, a directory of OSV .json/.yaml records, "
        "or the URL of such a zip (an organisation's mirror)",
    )
    # Bounds on what a hostile or broken source can make an update read (issue 12).
    update.add_argument(
        "--max-download-size",
        type=_size,
        default=None,
        metavar="SIZE",
        help="stop a download larger than SIZE bytes (suffix K, M or G: binary units; default 1G)",
    )
    update.add_argument(
        "--download-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="stop a download that takes longer than SECONDS in all (default 600)",
    )
    update.add_argument(
        "--max-record-size",
        type=_size,
        default=None,
        metavar="SIZE",
        help="skip, with a warning, a record larger than SIZE bytes (default 4M)",
    )
    add_cache_dir_option(update)
    status = actions.add_parser(
        "status",
        help="show where the advisory data comes from and how old it is",
        description="Show the advisory store's source, update time, record count and age.",
    )
    status.add_argument(
        "-f", "--format", choices=["text", "json"], default="text", help="output format"
    )
    add_cache_dir_option(status)


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _size(text: str) -> int:
    """``4096``, ``64K``, ``4M``, ``1G`` (binary units) as a positive number of bytes."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[: len(value) - len(unit)]
    if not number.isascii() or not number.isdecimal() or len(number) > 15 or int(number) < 1:
        raise argparse.ArgumentTypeError(f"not a size in bytes: {text!r} (e.g. 4096, 64K, 4M, 1G)")
    return int(number) * _UNITS[unit]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward.errors import UsageError

    if args.db_action == "update":
        return _update(args, settings)
    if args.db_action == "status":
        return _status(args, settings)
    raise UsageError("pyward db: choose an action: update or status")


def _update(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._advisory._sync import Limits, update

    limits = Limits()
    if args.max_download_size is not None:
        limits = replace(limits, download_bytes=args.max_download_size)
    if args.download_timeout is not None:
        limits = replace(limits, download_seconds=args.download_timeout)
    if args.max_record_size is not None:
        limits = replace(limits, record_bytes=args.max_record_size)
    result = update(args.source, settings.cache_dir, osv_url=settings.osv_url, limits=limits)
    for warning in result.warnings:
        sys.stderr.write(f"pyward: warning: {visible(warning)}\n")
    write_output(visible(result.summary()) + "\n", None)
    return 0


def status_fields(info: Any) -> dict[str, Any]:
    """The facts ``db status`` prints, in order (``info`` is a ``StoreInfo``): times and
    the age as the audit report gives them (issue 11, item 15)."""
    from pyward._render._common import data_age, iso

    return {
        "source": info.source,
        "snapshot": info.snapshot,
        "path": info.path,
        "updated": iso(info.updated),
        "record_count": info.record_count,
        "newest_modified": info.newest_modified,
        "skipped": info.skipped,
        "age_days": data_age(info),
    }


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._advisory import AdvisoryStore
    from pyward._advisory._freshness import freshness_notice

    store = AdvisoryStore.open(settings.cache_dir)
    info = store.info
    fields = status_fields(info)
    if args.format == "json":
        import orjson

        write_output(orjson.dumps(fields, option=orjson.OPT_INDENT_2) + b"\n", None)
    else:
        kind = "built-in snapshot" if info.snapshot else "local store"
        lines = [
            f"source:          {info.source}",
            f"kind:            {kind}",
            f"path:            {info.path or '(in memory)'}",
            f"updated:         {fields['updated']}",
            f"records:         {info.record_count}",
            f"newest modified: {info.newest_modified or '-'}",
            f"skipped:         {info.skipped}",
            f"age:             {int(fields['age_days'])} days (by the newest record)",
        ]
        write_output("\n".join(visible(line) for line in lines) + "\n", None)
    notice = freshness_notice(info)
    if notice:
        sys.stderr.write(f"pyward: {visible(notice)}\n")
    store.close()
    return 0
