"""The command line: parse arguments, call one library function, render, exit.

Sub-commands are a registry (:data:`COMMANDS`): each is one module in
``pyward._commands`` with ``add_arguments(parser)`` and ``run(args, settings) -> int``.
Only the module of the command being run is imported, so start-up stays cheap. The
environment is read here, once, into :class:`~pyward._settings.Settings`. Errors are
caught here, once, and mapped to the documented exit codes (see ``pyward.errors``).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from pyward import __version__
from pyward.errors import EXIT_INPUT, PywardError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from pyward._settings import Settings

#: name -> (module, one-line help). Adding a command is one module plus one line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("pyward._commands.audit", "audit dependencies for known vulnerabilities"),
    "check": ("pyward._commands.check", "check dependencies against the usage policy"),
    "provenance": (
        "pyward._commands.provenance",
        "verify the PEP 740 attestations of every locked artifact, and pin their publishers",
    ),
    "explain": ("pyward._commands.explain", "show why an advisory matches (or not) a version"),
    "db": ("pyward._commands.db", "manage the local advisory store"),
    "sbom": ("pyward._commands.sbom", "write a CycloneDX or SPDX SBOM"),
    "serve": ("pyward._commands.serve", "serve the advisory store as an OSV-compatible API"),
    "rules": ("pyward._commands.rules", "list every check, what it finds and the data it needs"),
    "release-check": (
        "pyward._commands.release_check",
        "grade a repository's release process (publishing, workflows, lock files, policy)",
    ),
    "install": (
        "pyward._commands.install",
        "check what pip would install against the policy, then install exactly that",
    ),
    "advisory": (
        "pyward._commands.advisory",
        "write, validate, export (CVE JSON 5), coordinate and publish advisories",
    ),
    "fleet": (
        "pyward._commands.fleet",
        "audit, check or status-check many projects in parallel, and report on the fleet",
    ),
}


def _build_parser(selected: str | None) -> argparse.ArgumentParser:
    import argparse
    import importlib

    parser = argparse.ArgumentParser(
        prog="pyward",
        description="Supply-chain security for Python: audit, SBOM, OSV mirror.",
    )
    parser.add_argument("--version", action="version", version=f"pyward {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        # With a command named, only its parser is built: argparse looks up translations
        # of every string of a parser it builds, and no other command can be parsed.
        if selected is not None and name != selected:
            continue
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--version"]:
        # Fast path: no argparse, no imports.
        sys.stdout.write(f"pyward {__version__}\n")
        return 0
    selected = next((a for a in args_list if not a.startswith("-")), None)
    if selected not in COMMANDS:
        selected = None
    if selected == "serve":
        return _run(args_list, selected)
    # A one-shot command allocates many objects that live until it exits (imports, the
    # inventory, the report) and few cycles: CPython's default collector threshold (700)
    # walks them again and again for nothing. mypy raises it the same way
    # (``mypy/build.py``); bench/README.md has the effect, with the same peak memory. The
    # server keeps the default (it runs for days), and the caller's setting is restored
    # on return.
    import gc

    threshold = gc.get_threshold()
    gc.set_threshold(200_000, 30, 30)
    try:
        return _run(args_list, selected)
    finally:
        gc.set_threshold(*threshold)


def _run(args_list: list[str], selected: str | None) -> int:
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    parser = _build_parser(selected)
    settings: Settings | None = None
    try:
        args = parser.parse_args(args_list)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_INPUT
        import importlib

        from pyward._settings import Settings

        settings = Settings.from_environ(os.environ, cache_dir=getattr(args, "cache_dir", None))
        module = importlib.import_module(COMMANDS[args.command][0])
        from pyward._files import input_limit

        with input_limit(settings.max_input_bytes):
            code = int(module.run(args, settings))
        _flush_stdout()
        return code
    except PywardError as exc:
        _error(str(exc))
        return exc.exit_code
    except _StdoutClosedError as exc:
        from pyward._commands._common import stdout_error

        error = stdout_error(exc)
        _error(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (``pyward audit | head``); not an error of ours.
        import contextlib

        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except Exception as exc:  # a bug: one line, not a traceback, unless asked for
        # Before the settings are resolved (a bug in parsing them), the variable itself.
        if settings.debug if settings is not None else os.environ.get("PYWARD_DEBUG"):
            raise
        _error(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set PYWARD_DEBUG=1 for a traceback, and please report it)"
        )
        return EXIT_INPUT


def _flush_stdout() -> None:
    """Flush what the command printed: a failure is an output error, not a message from
    the interpreter at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        from pyward._commands._common import stdout_error

        raise stdout_error(exc) from None


class _StdoutClosedError(OSError):
    """A write to a closed standard output."""


class _ClosedStdout:
    """Standard output when file descriptor 1 is closed (``pyward ... >&-``; Python then
    sets ``sys.stdout`` to ``None``): writing to it is an output error, but a command
    that writes only to ``--output`` still runs."""

    def __init__(self) -> None:
        self.buffer = self

    def write(self, data: object) -> int:
        import errno

        raise _StdoutClosedError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _error(message: str) -> None:
    from pyward._text import visible

    # Messages quote file names, package names and advisory text: no escape sequence
    # from them reaches the terminal (issue 12, item 8).
    sys.stderr.write(f"pyward: error: {visible(message)}\n")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
