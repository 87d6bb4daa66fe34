"""``pyward fleet``: audit, check or status-check many projects in one run.

Thin over the library: discover the projects (:func:`pyward._fleet._discover.discover`),
run them (:func:`pyward._fleet.run_fleet`) on local processes or a Dask cluster, roll
the results up and render the fleet report. Exit codes: 2 when a project could not be
audited or had an input error (after the report is written), else 1 when a project
fails its gate, else 0; 3 when there is no advisory data at all.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._commands._common import add_cache_dir_option
from pyward._fleet._model import COMMANDS, JOB_FILE_OPTIONS
from pyward._fleet._render import FORMATS
from pyward.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, UsageError

if TYPE_CHECKING:
    from pyward._fleet._model import FleetJob, FleetRun
    from pyward._fleet._runner import Runner
    from pyward._settings import Settings


#: Per-project options passed through to each project's command line, by kind:
#: ``flag`` (no value), ``value`` (one), ``append`` (repeatable).
PASSTHROUGH: tuple[tuple[str, str, str], ...] = (
    ("--offline", "flag", "use only the cached package-index metadata"),
    ("--refresh", "flag", "ask the package index again for every project"),
    ("--index-url", "value", "the package index (PEP 691) URL"),
    ("--checks", "value", "the checks to run (as pyward audit --checks)"),
    ("--fail-on", "value", "the severity that fails a project"),
    ("--fail-on-kind", "append", "a kind of finding that fails a project (repeatable)"),
    ("--unknown-severity", "value", "the severity given to findings without one"),
    ("--strict", "flag", "as pyward audit --strict"),
    ("--ignore", "append", "ignore this flaw in every project (any id; repeatable)"),
    ("--vex", "append", "a CycloneDX or OpenVEX document for every project (repeatable)"),
    ("--policy", "value", "check: the usage policy file"),
    ("--config", "value", "the configuration file for every project"),
    ("--no-dev", "flag", "skip development dependencies"),
    ("--only-group", "append", "only this dependency group (repeatable)"),
    ("--extra", "append", "only this extra (repeatable)"),
    ("--python-version", "value", "evaluate markers for this Python"),
    ("--platform", "value", "evaluate markers for this platform"),
)
#: Environment variables a project's run depends on, passed to every worker.
_ENVIRON_PREFIXES = ("PYWARD_",)
_ENVIRON_NAMES = ("SOURCE_DATE_EPOCH", "HOME", "NETRC", "XDG_CACHE_HOME", "NO_COLOR")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "work",
        choices=COMMANDS,
        metavar="{audit,check,status}",
        help="what each project gets: audit (vulnerabilities and status), check (the usage "
        "policy), status (yanked, archived, unmaintained...)",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="directories to search for projects (lock files, manifests, requirements, "
        "SBOMs, virtual environments), or project files",
    )
    parser.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="read paths from FILE, one per line (# comments; relative to FILE's directory)",
    )
    run = parser.add_argument_group("running")
    run.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes on this machine (default: the cores available)",
    )
    run.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="run on an existing Dask cluster (tcp://SCHEDULER:8786; needs pyward[dask])",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="a project that takes longer fails (local processes only)",
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="audit every project again, even those whose inputs did not change",
    )
    out = parser.add_argument_group("output")
    out.add_argument("-f", "--format", choices=FORMATS, default="table", help="report format")
    out.add_argument("-o", "--output", type=Path, default=None, help="write to FILE (atomically)")
    out.add_argument(
        "--pages",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write one HTML report per project into DIR",
    )
    out.add_argument("-q", "--quiet", action="store_true", help="no progress or notices")
    each = parser.add_argument_group(
        "each project", "Passed to every project's command, as on its own command line."
    )
    for flag, kind, help_text in PASSTHROUGH:
        dest = "pass_" + flag.lstrip("-").replace("-", "_")
        if kind == "flag":
            each.add_argument(flag, dest=dest, action="store_true", help=help_text)
        elif kind == "value":
            each.add_argument(flag, dest=dest, default=None, metavar="VALUE", help=help_text)
        else:
            each.add_argument(
                flag, dest=dest, action="append", default=[], metavar="VALUE", help=help_text
            )
    add_cache_dir_option(parser)


def project_argv(args: argparse.Namespace) -> tuple[str, ...]:
    """The per-project options given, as a command line."""
    from pyward._sources._snapshot import is_url

    argv: list[str] = []
    for flag, kind, _ in PASSTHROUGH:
        value = getattr(args, "pass_" + flag.lstrip("-").replace("-", "_"))
        if kind == "flag":
            if value:
                argv.append(flag)
            continue
        values = value if kind == "append" else ([] if value is None else [value])
        for v in values:
            # A URL (--policy https://...) is no path: it goes as given.
            # Files are made absolute: workers may not share our working directory.
            local = flag in JOB_FILE_OPTIONS and not is_url(v)
            argv += [flag, os.path.abspath(v) if local else v]
    return tuple(argv)


def job_environ(settings: Settings) -> tuple[tuple[str, str], ...]:
    """The environment a project's run depends on (with the resolved cache directory)."""
    from pyward._settings import INSTALLER_VARIABLES

    environ = settings.environ
    keep = {
        k: v
        for k, v in environ.items()
        if k.startswith(_ENVIRON_PREFIXES) or k in _ENVIRON_NAMES or k in INSTALLER_VARIABLES
    }
    keep["PYWARD_CACHE_DIR"] = os.path.abspath(settings.cache_dir)
    return tuple(sorted(keep.items()))


def validate(job: FleetJob) -> None:
    """Parse the per-project options once, with the command's own parser: a bad option
    is one usage error, not a failure in every project."""
    from pyward._commands.audit import check_data_options
    from pyward._fleet._work import parse_job

    args = parse_job(job, ".")
    check_data_options(args)
    checks = getattr(args, "checks", None)
    if checks is not None:
        from pyward._checks import select_checks

        select_checks(checks.split(","))


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._fleet import advisory_info, run_fleet
    from pyward._fleet._discover import discover
    from pyward._fleet._model import FleetJob

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {args.jobs})")
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds (got {args.timeout:g})")
    if not args.paths and args.from_file is None:
        raise UsageError("name the directories or files to search, or --from FILE")
    pages = os.path.abspath(args.pages) if args.pages is not None else None
    job = FleetJob(
        command=args.work, argv=project_argv(args), environ=job_environ(settings), pages=pages
    )
    validate(job)
    info = advisory_info(job)  # no data at all: exit 3 before any work
    projects, failed = discover(args.paths, from_file=args.from_file)
    if not projects and not failed:
        named = [*args.paths, *([f"--from {args.from_file}"] if args.from_file else [])]
        raise UsageError(f"no projects found in {', '.join(named)}")
    if pages is not None:
        try:
            Path(pages).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{args.pages}: cannot create: {exc.strerror or exc}") from None
    progress = _Progress() if not args.quiet and sys.stderr.isatty() else None
    fleet_run = run_fleet(
        projects,
        job,
        runner=_runner(args),
        cache_dir=None if args.no_cache else settings.cache_dir,
        progress=progress,
        failed=failed,
        info=info,
    )
    if progress is not None:
        progress.finish()
    _emit(fleet_run, args, settings)
    return exit_code(fleet_run)


def _runner(args: argparse.Namespace) -> Runner:
    if args.dask is not None:
        if args.timeout is not None:
            raise UsageError("--timeout works on local processes only, not with --dask")
        from pyward._extras import require

        require("dask", what="pyward fleet --dask")
        import importlib

        # Imported by name: the module needs the ``dask`` extra, checked just above.
        dask_runner = importlib.import_module("pyward._fleet._dask").DaskRunner
        runner: Runner = dask_runner(args.dask)
        return runner
    from pyward._fleet._local import LocalRunner, default_jobs

    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs == 1 and args.timeout is None:
        from pyward._fleet._runner import SerialRunner

        return SerialRunner()
    return LocalRunner(jobs, timeout=args.timeout)


def _emit(fleet_run: FleetRun, args: argparse.Namespace, settings: Settings) -> None:
    from pathlib import PurePath

    from pyward._commands._common import use_color, write_output
    from pyward._fleet._render import render
    from pyward._fleet._rollup import rollup

    to_stdout = args.output is None or str(args.output) == "-"
    pages = ""
    if fleet_run.job.pages is not None:
        # The page links are relative: the report and its pages move together.
        where = os.path.dirname(os.path.abspath(args.output)) if not to_stdout else os.getcwd()
        pages = PurePath(os.path.relpath(fleet_run.job.pages, where)).as_posix()
    text = render(
        rollup(fleet_run),
        args.format,
        now=settings.source_date_epoch,
        color=to_stdout and use_color(settings, sys.stdout),
        pages=pages,
    )
    write_output(text, args.output)


def exit_code(fleet_run: FleetRun) -> int:
    """2 when a project could not be audited or had an input error, else 1 when one
    fails its gate, else 0."""
    results = fleet_run.results
    if any(r.state == "failed" or r.errors for r in results):
        return EXIT_INPUT
    if any(r.failed for r in results):
        return EXIT_FINDINGS
    return EXIT_OK


class _Progress:
    """``fleet: 523/1000 projects, 12 cached, 3 failed`` on one stderr line (a TTY)."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int, cached: int, failed: int) -> None:
        sys.stderr.write(
            f"\rfleet: {done}/{total} projects, {cached} cached, {failed} failed\x1b[K"
        )
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
