"""``pyward rules``: every registered check, what it finds and what data it needs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pyward._checks import CHECKS, DOCS, NEEDS, Check
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
        "default_gate": default_gate(check),
    }


def default_gate(check: Check) -> str:
    """What the default gate does with the check's findings: ``fails`` the run,
    ``informs``, or fails but for some project statuses (``fails; archived, deprecated
    inform``). ``fail-on-kinds`` changes it."""
    from pyward._gate import INFORMATIONAL_KINDS

    if check.kind in INFORMATIONAL_KINDS:
        return "informs"
    prefix = f"{check.kind}:"
    informing = sorted(k.removeprefix(prefix) for k in INFORMATIONAL_KINDS if k.startswith(prefix))
    if informing:
        return f"fails; {', '.join(informing)} inform"
    return "fails"


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
    table = Table(box=box.SIMPLE_HEAD if color else box.ASCII2, header_style="bold", expand=True)
    for column in ("ID", "Kind", "Severity", "Needs"):
        table.add_column(column, no_wrap=True)
    table.add_column("Default gate", overflow="fold", ratio=1)
    table.add_column("Description", overflow="fold", ratio=3)
    for c in checks:
        table.add_row(
            c.id,
            c.kind,
            c.severity,
            ", ".join(sorted(c.needs)),
            default_gate(c),
            c.description,
        )
    console.print(table)
    console.print(f"Each check's section in {DOCS}: {DOCS}#ID")
    console.print("Needs:")
    for need, text in NEEDS.items():
        console.print(f"  {need}: {text}")
    text = out.getvalue()
    return "\n".join(line.rstrip() for line in text.split("\n"))
