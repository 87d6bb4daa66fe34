"""``pyward release-check [PATH]``: grade a repository's release process, offline.

Thin over the library: read ``[tool.pyward.release-check]`` from the repository, call
:func:`pyward._release._report.check_release`, render, and map the verdict to the exit
code: 0 pass, 1 findings at or above ``--fail-on`` (default medium) or an expired
ignore, 2 bad input (PATH not a directory, a ``pyproject.toml`` that is not TOML, a bad
configuration value). See docs/release-check.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyward.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from pyward._settings import Settings

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pyward._config import FAIL_ON
    from pyward._release._render import FORMATS
    from pyward._release._report import DEFAULT_FAIL_ON

    parser.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the repository's root directory (default: .)",
    )
    parser.add_argument(
        "--dist",
        type=Path,
        default=None,
        metavar="DIR",
        help="also check the built sdists and wheels in DIR",
    )
    parser.add_argument(
        "--rules",
        action="store_true",
        help="list every rule with its category and severity, and stop",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "-f",
        "--format",
        choices=list(FORMATS),
        default="table",
        help="output format (default: table)",
    )
    out.add_argument("-o", "--output", type=Path, default=None, help="write to FILE (atomically)")
    out.add_argument("-q", "--quiet", action="store_true", help="no warnings on stderr")
    gate = parser.add_argument_group("gate")
    gate.add_argument(
        "--fail-on",
        choices=FAIL_ON[::-1],
        default=None,
        help="lowest severity that fails the run (default: the configuration's fail-on, "
        f"else {DEFAULT_FAIL_ON})",
    )
    gate.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="ignore findings of this id: RULE, RULE:FILE or RULE:FILE:SUBJECT (repeatable)",
    )
    gate.add_argument(
        "--strict",
        action="store_true",
        help="fail the run when a file could not be checked (a workflow that is not YAML)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses

    from pyward._release._model import Repo

    if args.rules:
        return _list_rules()
    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(
            f"{args.path}: not a directory (release-check reads a repository checkout)"
        )
    if args.dist is not None and not args.dist.is_dir():
        raise UsageError(f"--dist {args.dist}: not a directory")
    from pyward._config import IgnoreRule
    from pyward._release import rules
    from pyward._release._config import load_release_config
    from pyward._release._render import render
    from pyward._release._report import DEFAULT_FAIL_ON, check_release

    # Offline; the cache keeps Bandit's results per file (PYWARD_NO_CACHE: none).
    repo = Repo(
        root=root, dist=args.dist, cache_dir=settings.cache_dir if settings.read_cache else None
    )
    # A pyproject.toml that is not TOML, or a bad value in the table: exit 2 here,
    # before any scanner runs.
    config = load_release_config(repo, frozenset(rules()))
    if config.table is not None:
        repo.settings = config.table
    report = check_release(
        repo,
        fail_on=args.fail_on or config.fail_on or DEFAULT_FAIL_ON,
        ignores=(*config.ignores, *(IgnoreRule(id=i, reason="command line") for i in args.ignore)),
        strict=args.strict,
        warnings=config.warnings,
    )
    if repo.notes:
        report = dataclasses.replace(report, warnings=(*report.warnings, *repo.notes))
    from pyward._commands._common import write_output

    write_output(render(report, args.format), args.output)
    if not (args.format == "table" and args.output is None) and not args.quiet:
        from pyward._text import visible

        for w in report.warnings:
            sys.stderr.write(f"pyward: warning: {visible(w)}\n")
    return EXIT_FINDINGS if report.failed else EXIT_OK


def _list_rules() -> int:
    from pyward._commands._common import write_output
    from pyward._release import rules
    from pyward._release._render import DOCS

    known = rules()
    # The id column as wide as the longest id, and a space after it.
    width = max(len("RULE"), *(len(rule_id) for rule_id in known)) + 2
    lines = [f"{'RULE':<{width}}{'CATEGORY':<14}{'SEVERITY':<10}TITLE"]
    for rule in known.values():
        lines.append(f"{rule.id:<{width}}{rule.category:<14}{rule.severity:<10}{rule.title}")
    lines.append(f"\nEach rule's rationale and fix: {DOCS}")
    write_output("\n".join(lines) + "\n", None)
    return EXIT_OK
