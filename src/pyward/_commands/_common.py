"""Helpers shared by the sub-commands (options, output files, the store)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyward.errors import PywardError, UsageError

if TYPE_CHECKING:
    from pyward._advisory import AdvisoryStore
    from pyward._config import Config
    from pyward._inventory._select import Selection
    from pyward._settings import Settings
    from pyward._vex import VexStatement


def add_cache_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="cache directory: the advisory store and the read cache "
        "(default: $PYWARD_CACHE_DIR, else the user cache dir)",
    )


def add_gate_options(parser: argparse.ArgumentParser, *, thresholds: bool = True) -> None:
    """The options of the gate: ignores, VEX, the configuration file and, for a command
    whose exit code the gate decides, the thresholds."""
    # The registries, not copies: a new level needs no edit here.
    from pyward._config import FAIL_ON

    gate = parser.add_argument_group("gate")
    if thresholds:
        _add_thresholds(gate, FAIL_ON)
    gate.add_argument(
        "--ignore", action="append", default=[], metavar="ID", help="ignore this flaw (any id)"
    )
    gate.add_argument(
        "--vex", action="append", default=[], type=Path, metavar="FILE", help="CycloneDX or OpenVEX"
    )
    gate.add_argument(
        "--config", type=Path, default=None, metavar="FILE", help="configuration file"
    )


def _add_thresholds(gate: argparse._ArgumentGroup, levels: tuple[str, ...]) -> None:
    gate.add_argument(
        "--fail-on",
        choices=levels[::-1],
        default=None,
        help="lowest severity that fails the run (default: any finding)",
    )
    gate.add_argument(
        "--unknown-severity",
        choices=["fail", "pass"],
        default=None,
        help="whether findings without a severity fail the run (default: fail)",
    )
    gate.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="fail the run when anything could not be audited (default: the "
        "configuration's strict, else false)",
    )


def add_inventory_options(parser: argparse.ArgumentParser) -> None:
    """The selection options of a command that reads an inventory (see :func:`selection_from`)."""
    sel = parser.add_argument_group("selection")
    sel.add_argument("--no-dev", action="store_true", help="skip development dependencies")
    sel.add_argument(
        "--only-group",
        action="append",
        default=[],
        metavar="G",
        help="only this group (repeatable)",
    )
    sel.add_argument("--extra", action="append", default=None, metavar="E", help="only this extra")
    sel.add_argument("--python-version", metavar="X.Y", help="evaluate markers for this Python")
    sel.add_argument("--platform", metavar="P", help="evaluate markers for this platform")


def selection_from(args: argparse.Namespace) -> Selection:
    """The :class:`Selection` of the options :func:`add_inventory_options` added."""
    from pyward._inventory._select import Selection

    return Selection(
        no_dev=args.no_dev,
        only_groups=tuple(args.only_group),
        extras=tuple(args.extra) if args.extra is not None else None,
        python_version=args.python_version,
        platform=args.platform,
    )


def readable_project(directory: Path) -> bool:
    """Whether ``directory`` holds a project or environment to read (else: the running one)."""
    from pyward._inventory._detect import detect_project, is_environment

    if is_environment(directory):
        return True
    try:
        detect_project(directory)
    except PywardError:
        return False
    return True


def add_output_options(
    parser: argparse.ArgumentParser, formats: list[str], default: str, *, help: str | None = None
) -> None:
    parser.add_argument(
        "-f",
        "--format",
        choices=formats,
        default=default,
        help=help or f"output format (default: {default})",
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="write to FILE instead of standard output"
    )


def open_store(settings: Settings) -> AdvisoryStore:
    """The local store, or the built-in snapshot when there is none yet."""
    from pyward._advisory import AdvisoryStore

    return AdvisoryStore.open(settings.cache_dir)


def write_output(text: str | bytes, output: Path | None) -> None:
    """Write to ``output`` atomically (see :func:`pyward._atomic.write_atomic`), or to
    stdout when it is ``None`` or ``-``."""
    data = text.encode() if isinstance(text, str) else text
    if output is None or str(output) == "-":
        try:
            sys.stdout.flush()  # what was printed before comes first
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader went away: the CLI ends quietly
        except OSError as exc:
            raise stdout_error(exc) from None
        return
    from pyward._atomic import write_atomic

    write_atomic(output, data)


def stdout_error(exc: OSError) -> UsageError:
    """The error for a standard output that cannot be written (``> /dev/full``, a closed
    stdout); stdout is replaced by the null device so that the interpreter's flush at
    exit does not fail a second time (issue 12, item 11)."""
    import contextlib
    import os

    with contextlib.suppress(OSError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process exits
    return UsageError(f"standard output: cannot write: {exc.strerror or exc}")


def use_color(settings: Settings, stream: object = None) -> bool:
    """Colour only on a TTY and never with ``NO_COLOR`` set (https://no-color.org)."""
    if settings.no_color:
        return False
    if settings.force_color:
        return True
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def load_settings(args: argparse.Namespace, start: Path) -> Config:
    """The configuration file's settings with the command line's on top."""
    import dataclasses

    from pyward._config import IgnoreRule, find_config, load_config
    from pyward._text import safe_url_template

    path = args.config
    if path is not None and not path.is_file():
        raise UsageError(f"--config {path}: no such file")
    url = getattr(args, "advisory_url", None)
    # Whitespace or control characters would break the Markdown links and SARIF's
    # helpUri built from it (issue 12, item 9).
    if url is not None and safe_url_template(url) is None:
        raise UsageError(
            f"--advisory-url {url!r}: must be an http(s) URL, with {{id}} where the "
            "advisory id goes"
        )
    config = load_config(path if path is not None else find_config(start))
    kinds = _fail_on_kinds(args)
    return dataclasses.replace(
        config,
        fail_on=getattr(args, "fail_on", None) or config.fail_on,
        unknown_severity=getattr(args, "unknown_severity", None) or config.unknown_severity,
        strict=getattr(args, "strict", None) or config.strict,
        ignores=(
            *config.ignores,
            *(IgnoreRule(id=i, reason="command line") for i in args.ignore),
        ),
        vex=(*config.vex, *args.vex),
        advisory_url=url or config.advisory_url,
        fail_on_kinds=kinds if kinds is not None else config.fail_on_kinds,
    )


def _fail_on_kinds(args: argparse.Namespace) -> tuple[str, ...] | None:
    """``--fail-on-kind``, repeatable and comma-separated; ``None`` when not given."""
    given: list[str] | None = getattr(args, "fail_on_kinds", None)
    if not given:
        return None
    from pyward._config import parse_fail_on_kinds

    names = tuple(n.strip() for value in given for n in value.split(",") if n.strip())
    return parse_fail_on_kinds(names, lambda what: UsageError(f"--fail-on-kind: {what}"))


def load_vex_statements(config: Config) -> tuple[list[VexStatement], list[str]]:
    """The suppressing statements of the configuration's VEX documents, and warnings
    for statements that can never apply."""
    statements: list[VexStatement] = []
    warnings: list[str] = []
    if config.vex:
        from pyward._vex import load_vex

        for path in config.vex:
            found, warns = load_vex(path)
            statements.extend(found)
            warnings.extend(warns)
    return statements, warnings
