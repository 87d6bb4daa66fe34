"""``pyward rules``: every registered check, what it finds and what data it needs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pyward._checks import CHECKS, NEEDS, Check
from pyward._commands._common import add_output_options, use_color, write_output

if TYPE_CHECKING:
    from pyward._settings import Settings

FORMATS = ["table", "json"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_options(parser, FORMATS, "table")


def run(args: argparse.Namespace, settings: Settings) -> int:
    checks = list(CHECKS.values())
    if args.format == "json":
        import orjson

        data = orjson.dumps([as_dict(c) for c in checks], option=orjson.OPT_INDENT_2)
        write_output(data + b"\n", args.output)
    else:
        write_output(
            _table(checks, color=args.output is None and use_color(settings, sys.stdout)),
            args.output,
        )
    return 0


def as_dict(check: Check) -> dict[str, Any]:
    """One check in ``pyward rules --format json``."""
    return {
        "id": check.id,
        "kind": check.kind,
        "severity": check.severity,
        "description": check.description,
        "needs": sorted(check.needs),
        "docs": check.docs_url,
    }


def _table(checks: list[Check], *, color: bool) -> str:
    from io import StringIO

    from rich import box
    from rich.console import Console
    from rich.table import Table

    out = StringIO()
    console = Console(
        file=out,
        width=120,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        _environ={},
    )
    table = Table(box=box.SIMPLE_HEAD if color else box.ASCII2, header_style="bold")
    for column in ("ID", "Kind", "Severity", "Needs", "Description", "Docs"):
        table.add_column(column, overflow="fold")
    for c in checks:
        table.add_row(
            c.id, c.kind, c.severity, ", ".join(sorted(c.needs)), c.description, c.docs_url
        )
    console.print(table)
    console.print("Needs:")
    for need, text in NEEDS.items():
        console.print(f"  {need}: {text}")
    text = out.getvalue()
    return "\n".join(line.rstrip() for line in text.split("\n"))
