"""``pyward advisory case``: open, assign, move and close a coordinated report
(see :mod:`pyward._authoring._cases`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

from pyward.errors import UsageError

if TYPE_CHECKING:
    from pyward._settings import Settings


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-command's options: one action each."""
    from pyward._authoring._cases import STATES
    from pyward._authoring._config import add_directory_options

    actions = parser.add_subparsers(dest="case_action", metavar="ACTION")
    new = actions.add_parser("open", help="open a case for a new report")
    new.add_argument("--package", required=True, help="the affected package")
    new.add_argument("--reporter", required=True, metavar='"NAME <MAIL>"', help="who reported it")
    new.add_argument(
        "--received", type=_date, default=None, metavar="DATE", help="when (default: today)"
    )
    new.add_argument("--summary", default=None, metavar="TEXT", help="one line about it")
    new.add_argument(
        "--deadline-days",
        type=_days,
        default=None,
        metavar="N",
        help="disclosure deadline, in days after receipt (default: the configuration's "
        "deadline-days, else 90)",
    )
    assign = actions.add_parser("assign", help="make someone the case's one coordinator")
    assign.add_argument("case", metavar="CASE")
    assign.add_argument("--coordinator", required=True, metavar="NAME")
    status = actions.add_parser("status", help="move the case to another state")
    status.add_argument("case", metavar="CASE")
    status.add_argument("state", choices=STATES, metavar="STATE", help=", ".join(STATES))
    status.add_argument("--note", default=None, metavar="TEXT", help="why, for the history")
    close = actions.add_parser("close", help="close the case (a duplicate, a withdrawn report)")
    close.add_argument("case", metavar="CASE")
    close.add_argument("--reason", required=True, metavar="TEXT")
    for sub in (new, assign, status, close):
        add_directory_options(sub)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._authoring import _cases
    from pyward._authoring._config import from_args

    action = getattr(args, "case_action", None)
    if action is None:
        raise UsageError("pyward advisory case needs an action: open, assign, status, close")
    config = from_args(args)
    directory = config.directory
    now = dt.datetime.now(dt.timezone.utc)
    if action == "open":
        case = _cases.open_case(
            directory,
            package=args.package,
            reporter=args.reporter,
            now=now,
            received=args.received,
            summary=args.summary,
            deadline_days=args.deadline_days or config.deadline_days,
        )
        path = _cases.case_path(directory, case.id)
        sys.stdout.write(f"{case.id}\n")
        sys.stderr.write(f"pyward: opened {path}: deadline {case.deadline.isoformat()}\n")
    elif action == "assign":
        case = _cases.assign(directory, args.case, args.coordinator, now=now)
        sys.stderr.write(f"pyward: {case.id}: coordinator {case.coordinator}\n")
    elif action == "status":
        before, case = _cases.move(directory, args.case, args.state, now=now, note=args.note)
        sys.stderr.write(f"pyward: {case.id}: {before.state} -> {case.state}\n")
    else:
        case = _cases.close(directory, args.case, args.reason, now=now)
        sys.stderr.write(f"pyward: {case.id}: closed ({case.close_reason})\n")
    return 0
