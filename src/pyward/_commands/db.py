"""``pyward db``: fill the local advisory store (``update``) and describe it (``status``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pyward._commands._common import add_cache_dir_option, write_output

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


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward.errors import UsageError

    if args.db_action == "update":
        return _update(args, settings)
    if args.db_action == "status":
        return _status(args, settings)
    raise UsageError("pyward db: choose an action: update or status")


def _update(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._advisory._sync import update

    result = update(args.source, settings.cache_dir, osv_url=settings.osv_url)
    for warning in result.warnings:
        sys.stderr.write(f"pyward: warning: {warning}\n")
    write_output(result.summary() + "\n", None)
    return 0


def status_fields(info: Any) -> dict[str, Any]:
    """The facts ``db status`` prints, in order (``info`` is a ``StoreInfo``)."""
    return {
        "source": info.source,
        "snapshot": info.snapshot,
        "path": info.path,
        "updated": info.updated.isoformat(timespec="seconds"),
        "record_count": info.record_count,
        "newest_modified": info.newest_modified,
        "skipped": info.skipped,
        "age_days": int(info.age_days()),
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
            f"age:             {fields['age_days']} days (by the newest record)",
        ]
        write_output("\n".join(lines) + "\n", None)
    notice = freshness_notice(info)
    if notice:
        sys.stderr.write(f"pyward: {notice}\n")
    store.close()
    return 0
