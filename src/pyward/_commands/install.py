"""``pyward install ARGS...``: the pre-install gate.

The installer (pip by default, uv with ``--installer uv``) resolves ARGS without
installing anything; the policy is checked on that exact resolution (``pyward check``'s
:func:`~pyward._commands.check.check_inventories`); only when it passes is precisely
that set installed, pinned with the resolved hashes and without resolving again
(:mod:`pyward._install`). On violations the report is shown, nothing is installed and
the exit code is 1; an input or policy error is 2, and the policy is read before pip
runs at all, so a policy that cannot be read installs nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._commands._common import add_cache_dir_option
from pyward._text import visible
from pyward.errors import EXIT_OK, UsageError

#: What a refusal says, after the report.
REFUSED = "refused: the resolution does not pass the policy; nothing was installed"

if TYPE_CHECKING:
    from pyward._install import InstallPlan, PipArguments
    from pyward._model import Inventory
    from pyward._settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pyward._commands.audit import add_output_arguments
    from pyward._commands.check import add_policy_options
    from pyward._install import INSTALLERS

    parser.usage = "pyward install [OPTIONS] [--] ARGS..."
    parser.add_argument(
        "pip_args",
        nargs=argparse.REMAINDER,
        metavar="ARGS",
        help="what pip install takes: requirements, -r FILE, -e REF, and pip's index, "
        "target and binary options (after the first requirement, or after --)",
    )
    given = parser.add_argument_group(
        "requirements",
        "pip's own, accepted before ARGS too (pyward install -r requirements.txt)",
    )
    for short, long, dest, metavar in (
        ("-r", "--requirement", "pip_requirements", "FILE"),
        ("-c", "--constraint", "pip_constraints", "FILE"),
        ("-e", "--editable", "pip_editables", "REF"),
    ):
        given.add_argument(
            short, long, dest=dest, action="append", default=[], metavar=metavar, help=long[2:]
        )
    gate = parser.add_argument_group("install")
    gate.add_argument(
        "--installer",
        choices=INSTALLERS,
        default="pip",
        help="what resolves ARGS: pip (pip install --dry-run --report) or uv (uv pip "
        "compile --generate-hashes; uv from PATH). pip installs in both cases",
    )
    gate.add_argument(
        "--python",
        metavar="PATH",
        help="the interpreter (or virtual environment) to install into (default: the "
        "active virtual environment's, else the one running pyward)",
    )
    gate.add_argument(
        "--dry-run",
        action="store_true",
        help="resolve and check only: say what would be installed, install nothing",
    )
    add_output_arguments(parser)
    add_policy_options(parser)
    add_cache_dir_option(parser)
    # What the checks' data sources read off a ``check`` command line: no Python version
    # is given (the resolution's environment says it).
    parser.set_defaults(python_version=None, targets=[], requirements=[])


def run(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses
    import tempfile

    from pyward._commands.audit import check_data_options
    from pyward._commands.check import check_inventories, emit, load_policy_config
    from pyward._install import split_arguments, target_python

    check_data_options(args)
    pip_args = split_arguments(_pip_arguments(args))
    if not pip_args.requirements and not any(a.startswith("--group") for a in pip_args.given):
        raise UsageError(
            "pyward install: name what to install (a requirement, -r FILE or -e REF): "
            "pyward install [OPTIONS] ARGS..."
        )
    if args.index_url is None and pip_args.index_url is not None:
        # The checks ask the index the installer resolves from.
        args = argparse.Namespace(**{**vars(args), "index_url": pip_args.index_url})
    start = Path(".")
    # Before the installer runs: a policy that cannot be read installs nothing.
    loaded = load_policy_config(args, settings, start)
    python = target_python(args.python, settings.virtual_env, sys.executable)
    with tempfile.TemporaryDirectory(prefix="pyward-install-") as tmp:
        directory = Path(tmp)
        inventory = _resolve(args, pip_args, python, directory)
        from pyward._install import install, plan_install

        plan = plan_install(inventory)
        report, code = check_inventories(
            [inventory], args=args, settings=settings, start=start, loaded=loaded
        )
        emit(report, args, settings, loaded[0])
        if code != EXIT_OK:
            # Said even with --quiet: it is the outcome, not a notice.
            sys.stderr.write(f"pyward: {REFUSED}\n")
            return code
        if plan.empty:
            _say("nothing to install: every requirement is already satisfied", args)
            return EXIT_OK
        if args.dry_run:
            _describe(plan, "would install", args)
            return EXIT_OK
        _describe(plan, "installing", args)
        if args.quiet:
            # pip's progress is a notice too; its warnings and errors still show.
            pip_args = dataclasses.replace(pip_args, install=(*pip_args.install, "--quiet"))
        install(python, plan, pip_args, directory)
        where = _where(pip_args, python)
        _say(f"installed {len(plan.names)} checked package(s) into {where}", args)
    return EXIT_OK


def _pip_arguments(args: argparse.Namespace) -> list[str]:
    """The installer's arguments: ``-r``/``-c``/``-e`` given before ARGS, pyward's
    ``--index-url`` when ARGS name no index (the gate resolves, checks and installs from
    one index), then ARGS."""
    rest: list[str] = list(args.pip_args)
    if rest[:1] == ["--"]:
        rest = rest[1:]
    front: list[str] = []
    for option, values in (
        ("-r", args.pip_requirements),
        ("-c", args.pip_constraints),
        ("-e", args.pip_editables),
    ):
        for value in values:
            front += [option, value]
    if args.index_url is not None and not any(
        a in ("-i", "--index-url") or a.startswith(("--index-url=", "-i")) for a in rest
    ):
        front += ["--index-url", args.index_url]
    return [*front, *rest]


def _resolve(
    args: argparse.Namespace, pip_args: PipArguments, python: str, directory: Path
) -> Inventory:
    """The installer's resolution of ``pip_args``, read, named after the command."""
    import dataclasses

    from pyward._install import resolve_with_pip, resolve_with_uv
    from pyward._inventory import read_inventory

    if args.installer == "uv":
        import shutil

        uv = shutil.which("uv")
        if uv is None:
            raise UsageError("--installer uv: no uv on PATH")
        path = resolve_with_uv(uv, python, pip_args, directory)
        inventory = read_inventory(path, format="requirements")
        label = "uv pip compile " + " ".join(pip_args.given)
    else:
        path = resolve_with_pip(python, pip_args, directory)
        inventory = read_inventory(path, format="pip-report")
        label = "pip install " + " ".join(pip_args.given)
    # The report's file is temporary: findings name the command that resolved instead,
    # without the credentials an index URL may carry.
    from pyward._model import Location
    from pyward._text import redact_text

    label = redact_text(label)
    where = Location(file=label)
    return dataclasses.replace(
        inventory,
        source=label,
        components=tuple(dataclasses.replace(c, location=where) for c in inventory.components),
        not_audited=tuple(dataclasses.replace(n, location=where) for n in inventory.not_audited),
        notes=tuple(n.replace(str(path), label) for n in inventory.notes),
    )


def _where(pip_args: PipArguments, python: str) -> str:
    return pip_args.target if pip_args.target is not None else f"the environment of {python}"


def _describe(plan: InstallPlan, verb: str, args: argparse.Namespace) -> None:
    if plan.pinned_names:
        names = ", ".join(plan.pinned_names)
        _say(f"{verb} {names}: pinned with their checked hashes", args)
    for ref in plan.direct:
        _say(f"{verb} {ref} by its exact reference (no hash to require)", args)


def _say(message: str, args: argparse.Namespace) -> None:
    if not args.quiet:
        sys.stderr.write(f"pyward: {visible(message)}\n")
