"""``pyward db``: fill the local advisory store and refresh the lifecycle data and the
popularity list (``update``), and describe the store (``status``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pyward._commands._common import add_cache_dir_option, write_output
from pyward._text import visible

if TYPE_CHECKING:
    from pyward._advisory._sync import Limits
    from pyward._settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION")
    update = actions.add_parser(
        "update",
        help="download or import advisories into the local store, and refresh the lifecycle data",
        description=(
            "Fill the local advisory store. Default source: OSV's PyPI export "
            "($PYWARD_OSV_URL overrides it); conditional, so unchanged data costs one request. "
            "Also refresh the end-of-life data: from --lifecycle-from, else "
            "$PYWARD_LIFECYCLE_URL, else (without --source) endoflife.date's API; and the "
            "popularity list when --popularity-from or $PYWARD_POPULARITY_URL names a source."
        ),
    )
    update.add_argument(
        "--source",
        default=None,
        metavar="PATH|URL",
        help="a zip of OSV JSON records, a directory of OSV .json/.yaml records (a clone "
        "of the PyPA advisory database or of ossf/malicious-packages is read from its "
        "record folders), or the URL of such a zip (an organisation's mirror)",
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
    update.add_argument(
        "--lifecycle-from",
        default=None,
        metavar="FILE|DIR|URL",
        help="refresh the end-of-life data from an endoflife.date API v1 products/full "
        "answer (a file or its URL) or a directory of endoflife.date product files (*.md)",
    )
    update.add_argument(
        "--popularity-from",
        default=None,
        metavar="FILE|URL",
        help="refresh the popularity list (the typosquat check's data) from "
        "hugovk/top-pypi-packages' JSON or CSV (a file or its URL, e.g. a mirror)",
    )
    update.add_argument(
        "--offline",
        action="store_true",
        help="use no network: import advisories from a local --source and end-of-life "
        "data from a local --lifecycle-from only",
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


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def lifecycle_source(args: argparse.Namespace, settings: Settings) -> tuple[str | None, bool]:
    """Where ``db update`` refreshes the lifecycle data from, and whether the user named
    it (a failure is then an error, not a warning): ``--lifecycle-from``, else
    ``$PYWARD_LIFECYCLE_URL``, else endoflife.date's API when the advisories come from
    their default source too (an explicit ``--source`` is often a machine without
    that network); ``None``: no refresh."""
    from pyward._sources.lifecycle._refresh import DEFAULT_LIFECYCLE_URL

    if args.lifecycle_from is not None:
        return args.lifecycle_from, True
    if settings.lifecycle_url is not None:
        return settings.lifecycle_url, True
    if args.source is None and not args.offline:
        return DEFAULT_LIFECYCLE_URL, False
    return None, False


def _update(args: argparse.Namespace, settings: Settings) -> int:
    """Exit codes: an advisory update that fails fails the command as before (its own
    error and code), after the lifecycle refresh has had its turn; a lifecycle refresh
    from a source the user named (``--lifecycle-from``, ``$PYWARD_LIFECYCLE_URL``) that
    fails exits with that error's code (2, input or network); a refresh of the default
    source that fails is a warning (exit 0): the data in use stays, and says its age in
    every report."""
    from pyward._advisory._sync import Limits, update
    from pyward.errors import PywardError, UsageError

    limits = Limits()
    if args.max_download_size is not None:
        limits = replace(limits, download_bytes=args.max_download_size)
    if args.download_timeout is not None:
        limits = replace(limits, download_seconds=args.download_timeout)
    if args.max_record_size is not None:
        limits = replace(limits, record_bytes=args.max_record_size)
    if args.offline and (args.source is None or _is_url(args.source)):
        raise UsageError(
            "db update --offline: give --source PATH (a zip or a directory of OSV records); "
            "the advisories' default source is a download"
        )
    advisory_error: PywardError | None = None
    try:
        result = update(args.source, settings.cache_dir, osv_url=settings.osv_url, limits=limits)
    except PywardError as exc:
        advisory_error = exc
    else:
        for warning in result.warnings:
            sys.stderr.write(f"pyward: warning: {visible(warning)}\n")
        write_output(visible(result.summary()) + "\n", None)
    code = _refresh_lifecycle(args, settings, limits)
    code = max(code, _refresh_popularity(args, settings, limits))
    if advisory_error is not None:
        raise advisory_error
    return code


def _refresh_popularity(args: argparse.Namespace, settings: Settings, limits: Limits) -> int:
    """Refresh the popularity list when ``--popularity-from`` or
    ``$PYWARD_POPULARITY_URL`` names a source (there is no default one): a failure is an
    error (its exit code) and keeps the list in use."""
    from pyward._sources.popularity._load import load_popularity
    from pyward._sources.popularity._refresh import refresh_popularity
    from pyward.errors import EXIT_OK, PywardError

    source = args.popularity_from or settings.popularity_url
    if source is None:
        return EXIT_OK
    try:
        refreshed = refresh_popularity(
            settings.cache_dir, source, offline=args.offline, limits=limits
        )
    except PywardError as exc:
        kept, _ = load_popularity(settings.cache_dir)
        day = kept.updated.isoformat() if kept.updated else "unknown date"
        sys.stderr.write(
            f"pyward: error: popularity list not refreshed: {visible(str(exc))}; "
            f"keeping {visible(kept.origin)} ({day})\n"
        )
        return exc.exit_code
    write_output(visible(refreshed.summary()) + "\n", None)
    return EXIT_OK


def _refresh_lifecycle(args: argparse.Namespace, settings: Settings, limits: Limits) -> int:
    from pyward._sources.lifecycle import load_lifecycle
    from pyward._sources.lifecycle._refresh import refresh_lifecycle
    from pyward.errors import EXIT_OK, PywardError

    source, named = lifecycle_source(args, settings)
    if source is None:
        if args.offline:
            sys.stderr.write(
                "pyward: lifecycle data not refreshed (--offline; --lifecycle-from FILE|DIR "
                "imports a copy)\n"
            )
        return EXIT_OK
    try:
        refreshed = refresh_lifecycle(
            settings.cache_dir, source, offline=args.offline, limits=limits
        )
    except PywardError as exc:
        kept, _ = load_lifecycle(settings.cache_dir)
        day = kept.updated.isoformat() if kept.updated else "unknown date"
        level = "error" if named else "warning"
        sys.stderr.write(
            f"pyward: {level}: lifecycle data not refreshed: {visible(str(exc))}; "
            f"keeping {visible(kept.source)} ({day})\n"
        )
        return exc.exit_code if named else EXIT_OK
    write_output(visible(refreshed.summary()) + "\n", None)
    return EXIT_OK


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
