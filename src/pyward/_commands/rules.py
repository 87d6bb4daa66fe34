"""``pyward rules``: every registered check, what it finds and what data it needs;
``pyward rules --policy``: every rule of the usage policy, the check that decides it,
whether the default policy has it on, and why it exists."""

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
    parser.add_argument(
        "--policy",
        action="store_true",
        help="list the usage policy's rules (pyward check) instead of the checks",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.policy:
        return _run_policy(args, settings)
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


def _run_policy(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._policy import RULES
    from pyward._policy._model import Policy

    default = Policy()
    rows = [
        {
            "id": rule.id,
            "check": rule.check,
            "default": "on" if getattr(default, rule.field) is not None else "off",
            "rationale": rule.rationale,
            "docs": f"docs/policy.md#{rule.id}",
        }
        for rule in RULES.values()
    ]
    if args.format == "json":
        import orjson

        write_output(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n", args.output)
        return 0
    columns = (("Rule", "id"), ("Check", "check"), ("Default", "default"))
    text = _grid(
        [name for name, _ in columns],
        [[str(row[key]) for _, key in columns] + [str(row["rationale"])] for row in rows],
        color=args.output is None and use_color(settings, sys.stdout),
        last="Why",
        footer=["Each rule's section in docs/policy.md: docs/policy.md#RULE"],
    )
    write_output(text, args.output)
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
    return _grid(
        ["ID", "Kind", "Severity", "Needs", "Default gate"],
        [
            [c.id, c.kind, c.severity, ", ".join(sorted(c.needs)), default_gate(c), c.description]
            for c in checks
        ],
        color=color,
        last="Description",
        footer=[
            f"Each check's section in {DOCS}: {DOCS}#ID",
            "Needs:",
            *(f"  {need}: {text}" for need, text in NEEDS.items()),
        ],
    )


def _grid(
    columns: list[str], rows: list[list[str]], *, color: bool, last: str, footer: list[str]
) -> str:
    """A table: the ``columns`` unwrapped, then ``last`` folded to the room left; the last
    column but one folds too when there are five or more."""
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
    folded = columns[-1] if len(columns) >= 5 else None
    for column in columns:
        if column == folded:
            table.add_column(column, overflow="fold", ratio=1)
        else:
            table.add_column(column, no_wrap=True)
    table.add_column(last, overflow="fold", ratio=3)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for line in footer:
        console.print(line)
    text = out.getvalue()
    return "\n".join(line.rstrip() for line in text.split("\n"))
