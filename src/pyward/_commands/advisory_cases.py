"""``pyward advisory cases``: the open cases, most urgent first, with the days left to
their disclosure deadline; overdue ones flagged."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from pyward._commands._common import write_output

if TYPE_CHECKING:
    from pyward._authoring._cases import Case
    from pyward._settings import Settings

_COLUMNS = ("CASE", "PACKAGE", "STATE", "COORDINATOR", "DEADLINE", "DAYS LEFT")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-command's options."""
    from pyward._authoring._config import add_directory_options

    add_directory_options(parser)
    parser.add_argument(
        "--all", action="store_true", help="also the finished (closed, rejected, published)"
    )
    parser.add_argument(
        "-f", "--format", choices=["table", "json"], default="table", help="default: table"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._authoring._cases import list_cases
    from pyward._authoring._config import from_args

    config = from_args(args)
    today = dt.datetime.now(dt.timezone.utc).date()
    cases = [c for c in list_cases(config.directory) if args.all or not c.finished]
    cases.sort(key=lambda c: (c.finished, c.deadline, c.id))
    if args.format == "json":
        doc = {
            "directory": str(config.directory),
            "today": today.isoformat(),
            "cases": [_entry(c, today) for c in cases],
        }
        write_output(json.dumps(doc, indent=2) + "\n", None)
    else:
        write_output(render_table(cases, today), None)
    return 0


def _entry(case: Case, today: dt.date) -> dict[str, Any]:
    from pyward._authoring._cases import days_left

    left = days_left(case, today)
    return {
        "id": case.id,
        "package": case.package,
        "state": "closed" if case.closed else case.state,
        "coordinator": case.coordinator,
        "reporter": case.reporter,
        "summary": case.summary,
        "received": case.received.isoformat(),
        "deadline": case.deadline.isoformat(),
        "days_left": left,
        "overdue": left < 0 and not case.finished,
        "advisory": case.advisory,
    }


def render_table(cases: list[Case], today: dt.date) -> str:
    """Aligned columns, one case a line; ``no open cases`` when there are none."""
    from pyward._text import visible

    if not cases:
        return "no open cases\n"
    rows = [_COLUMNS]
    for case in cases:
        e = _entry(case, today)
        left = str(e["days_left"])
        if e["overdue"]:
            left += " OVERDUE"
        elif case.finished:
            left = "-"
        rows.append(
            (
                case.id,
                visible(case.package),
                e["state"],
                visible(case.coordinator or "(none)"),
                e["deadline"],
                left,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows
    )
