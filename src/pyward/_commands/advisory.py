"""``pyward advisory``: write, check, coordinate and publish advisories.

Each sub-command is one module of :data:`SUBCOMMANDS` with ``add_arguments(parser)``
and ``run(args, settings) -> int``; only the module of the sub-command being run does
its work (their imports are deferred), so ``pyward advisory --help`` stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
from typing import TYPE_CHECKING

from pyward.errors import UsageError

if TYPE_CHECKING:
    from pyward._settings import Settings

__all__ = ["SUBCOMMANDS", "add_arguments", "run"]

#: name -> (module, one-line help), in the order a response team uses them.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "new": (
        "pyward._commands.advisory_new",
        "write a draft OSV record (options, a TOML file, or prompts), affected versions computed",
    ),
    "validate": (
        "pyward._commands.advisory_validate",
        "check OSV records against the OSV schema and a reviewer's lint rules",
    ),
    "export": (
        "pyward._commands.advisory_export",
        "export an OSV record as a CVE JSON 5 record (or its CNA container)",
    ),
    "case": (
        "pyward._commands.advisory_case",
        "open, assign, move and close a coordinated report (PEP 811 style)",
    ),
    "cases": (
        "pyward._commands.advisory_cases",
        "list open cases with the days left to disclosure, overdue ones flagged",
    ),
    "publish": (
        "pyward._commands.advisory_publish",
        "assign the next id and write the record into an advisory database directory",
    ),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="advisory_command", metavar="SUBCOMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).add_arguments(p)


def run(args: argparse.Namespace, settings: Settings) -> int:
    name = getattr(args, "advisory_command", None)
    if name is None:
        raise UsageError("pyward advisory needs a sub-command: " + ", ".join(SUBCOMMANDS))
    result: int = importlib.import_module(SUBCOMMANDS[name][0]).run(args, settings)
    return result
