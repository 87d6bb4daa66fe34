"""``pyward audit``: audit dependencies for known vulnerabilities.

Thin over the library: read the configuration, the VEX documents, the store and the
inventories; call :func:`pyward._audit.audit`; render; map the outcome to the exit
code in one place (0 ok, 1 findings at/above the threshold or an expired ignore,
2 usage or input error, 3 no advisory data).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._commands._common import (
    add_cache_dir_option,
    add_gate_options,
    add_inventory_options,
    load_settings,
    load_vex_statements,
    readable_project,
    selection_from,
)
from pyward._findings import MALICIOUS, VULNERABILITY
from pyward._text import visible
from pyward.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, PywardError, UsageError

if TYPE_CHECKING:
    from pyward._advisory._types import AdvisoryData
    from pyward._config import Config
    from pyward._findings import FixStep
    from pyward._model import Inventory
    from pyward._report import AuditReport
    from pyward._settings import Settings
    from pyward._sources.index._metadata import IndexMetadata


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser)
    fix = parser.add_argument_group(
        "fix",
        "Every report holds the fix plan (the smallest upgrade per package). --fix checks "
        "its targets against the package index's releases and prints what applies it: "
        "the pins to edit and the commands to run. --fix --apply also rewrites the "
        "'==' pins in requirements files and pyproject.toml.",
    )
    fix.add_argument(
        "--fix",
        action="store_true",
        help="check the targets against the package index; print the edits and commands "
        "that apply the plan",
    )
    fix.add_argument(
        "--apply",
        action="store_true",
        help="with --fix: rewrite the pins in requirements files and pyproject.toml; "
        "print the commands for lock files and environments",
    )
    checks = parser.add_argument_group(
        "checks",
        "Besides known vulnerabilities, the audit reports each component's status: yanked "
        "releases, archived, deprecated or quarantined projects and outdated or "
        "unmaintained ones (from the package index), and release lines of packages or of "
        "Python past their end of life (from the lifecycle data). See 'pyward rules'.",
    )
    checks.add_argument(
        "--checks",
        default=None,
        metavar="LIST",
        help="the checks to run, comma-separated: check ids or the groups vulnerabilities "
        "(vulnerability, malicious), status (yanked, project-status, unmaintained), policy "
        "(typosquat, cooldown, license, package, source, pinning, provenance), default, all "
        "(default: the configuration's, else default: every check but the policy group and "
        "release-check, which reads a repository checkout: pyward release-check)",
    )
    checks.add_argument(
        "--fail-on-kind",
        dest="fail_on_kinds",
        action="append",
        default=None,
        metavar="KIND",
        help="a kind of finding that fails the run (repeatable, or comma-separated; "
        "project-status:quarantined names one marker; none: no kind fails). Default: "
        "every kind but outdated, unmaintained and archived or deprecated projects",
    )
    add_data_arguments(checks)
    add_gate_options(parser)
    add_cache_dir_option(parser)


def add_data_arguments(group: argparse._ArgumentGroup) -> None:
    """Where the checks' data comes from: the package index, online or not."""
    group.add_argument(
        "--index-url",
        default=None,
        metavar="URL",
        help="the package index (PEP 691) for components whose lock records none (default: "
        "$PYWARD_INDEX_URL, the configuration's index-url, else uv's and pip's settings)",
    )
    group.add_argument(
        "--offline",
        action="store_true",
        help="do not ask the package index: use only the metadata cached under the cache "
        "directory, however old",
    )
    group.add_argument(
        "--refresh",
        action="store_true",
        help="ask the package index again for every project, however fresh the cache",
    )


def check_data_options(args: argparse.Namespace) -> None:
    """Refuse the options of :func:`add_data_arguments` that contradict each other."""
    if args.offline and args.refresh:
        raise UsageError("--offline and --refresh contradict each other: choose one")


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """What ``audit`` and ``check`` read: targets, requirements files, an interpreter's
    environment, and which dependencies to take."""
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="project directory (default: .; the current environment when . has nothing "
        "to read), lock, requirements or SBOM file, or virtual environment",
    )
    parser.add_argument(
        "-r",
        "--requirement",
        dest="requirements",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a requirements file (repeatable)",
    )
    parser.add_argument(
        "--python", metavar="PATH", help="audit the environment of this interpreter"
    )
    add_inventory_options(parser)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """The output options every report command takes: format, file, quiet, advisory links."""
    # The registries, not copies: a new format or level needs no edit here.
    from pyward._render import RENDERERS

    out = parser.add_argument_group("output")
    out.add_argument(
        "-f",
        "--format",
        choices=list(RENDERERS),
        default=None,
        help="output format (default: the configuration's, else table)",
    )
    out.add_argument("-o", "--output", type=Path, default=None, help="write to FILE (atomically)")
    out.add_argument("-q", "--quiet", action="store_true", help="no notices or warnings on stderr")
    out.add_argument(
        "--advisory-url",
        default=None,
        metavar="URL",
        help="advisory page a finding links to when its records name none, with {id} "
        "(default: the configuration's, else $PYWARD_ADVISORY_URL, else OSV's page)",
    )


def say_config_warnings(config: Config, quiet: bool) -> None:
    """The configuration's warnings, before an error: no report will carry them."""
    for w in config.warnings:
        _notice(f"warning: {w}", quiet)


def _notice(message: str, quiet: bool) -> None:
    if not quiet:
        sys.stderr.write(f"pyward: {visible(message)}\n")


def _read_all(args: argparse.Namespace, settings: Settings) -> tuple[list[Inventory], list[str]]:
    """Every input; an input that cannot be read is an error in the report, unless
    nothing at all could be read (then the first error is raised)."""
    from pyward._inventory import read_inventory

    selection = selection_from(args)
    jobs: list[tuple[str | None, str | None]] = [(t, None) for t in args.targets]
    jobs += [(str(r), "requirements") for r in args.requirements]
    # ``--python`` is an input of its own, next to the targets: it never makes ``.``
    # (the default target) an environment directory given with it.
    if args.python is not None:
        jobs.append((None, None))
    if not jobs:
        jobs = [(".", None) if readable_project(Path(".")) else (None, None)]
    inventories: list[Inventory] = []
    errors: list[PywardError] = []
    for target, fmt in jobs:
        try:
            inventories.append(
                read_inventory(
                    Path(target) if target is not None else None,
                    python=args.python if target is None else None,
                    selection=selection,
                    format=fmt,
                    environ=settings.environ,
                    read_cache=settings.read_cache_dir,
                )
            )
        except PywardError as exc:
            errors.append(exc)
    if not inventories:
        raise errors[0]
    return inventories, [str(e) for e in errors]


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.apply and not args.fix:
        raise UsageError("--apply needs --fix")
    report, inventories, config = build_report(args, settings)
    to_stdout = emit(report, args, settings, config)
    if args.fix:
        _print_fix(report, inventories, apply=args.apply, to_stdout=to_stdout)
    return exit_code(report)


def build_report(
    args: argparse.Namespace, settings: Settings
) -> tuple[AuditReport, list[Inventory], Config]:
    """The audit of the inputs ``args`` names (the command's arguments), with the
    inventories it read and the configuration in force; nothing is rendered. ``pyward
    fleet`` builds each project's report with this too."""
    check_data_options(args)
    quiet = args.quiet
    start = Path(args.targets[0]) if args.targets else Path(".")
    config = load_settings(args, start)
    from pyward._checks import select_checks

    names = args.checks.split(",") if args.checks is not None else config.checks
    selected = select_checks(names) if names is not None else None
    try:
        statements, vex_warnings = load_vex_statements(config)

        from pyward._commands._common import open_store

        store = open_store(settings)
        inventories, errors = _read_all(args, settings)
    except PywardError:
        say_config_warnings(config, quiet)
        raise
    if (
        not args.targets
        and not args.requirements
        and args.python is None
        and inventories[0].format == "environment"
    ):
        _notice(
            f"nothing to read in .; auditing the current environment ({inventories[0].source})",
            quiet,
        )
    total = sum(len(i.components) for i in inventories)
    if total > 2000 and sys.stderr.isatty() and not quiet:
        _notice(f"auditing {total} components from {len(inventories)} input(s)...", quiet)

    from pyward._audit import audit
    from pyward._commands._sources import gather_sources

    gathered = gather_sources(
        inventories, selected, args=args, config=config, settings=settings, start=start
    )
    report = audit(
        inventories,
        store,
        config=config,
        vex=statements,
        errors=errors,
        # Configuration warnings (an unknown key such as ``fial-on``) belong in the report
        # like any other, so that JSON and SARIF readers see them (issue 11, item 15).
        warnings=[*config.warnings, *vex_warnings, *gathered.notes],
        # With --fix the plan is made once, from the index's releases (_check_targets).
        plan_fixes=not args.fix,
        sources=gathered.sources,
        checks=selected,
        python=gathered.python,
        options=gathered.options,
    )
    if args.fix:
        report = _check_targets(
            report,
            store,
            inventories,
            args,
            settings,
            config=config,
            metadata=gathered.sources.index,
        )
    return report, inventories, config


def emit(report: AuditReport, args: argparse.Namespace, settings: Settings, config: Config) -> bool:
    """Render ``report`` in the chosen format to ``--output`` or stdout, and say on stderr
    what the output does not show (stale data, warnings, input errors). Whether the
    table went to stdout (it then holds every warning)."""
    from pyward._advisory._freshness import freshness_notice
    from pyward._audit import NOTHING_AUDITED
    from pyward._commands._common import use_color, write_output
    from pyward._render import DEFAULT_FORMAT, render

    quiet = args.quiet
    notice = freshness_notice(report.database)
    if notice:
        _notice(notice, quiet)
    fmt = args.format or config.format or DEFAULT_FORMAT
    text = render(
        report,
        fmt,
        color=args.output is None and use_color(settings, sys.stdout),
        advisory_url=config.advisory_url or settings.advisory_url,
        now=settings.source_date_epoch,
    )
    write_output(text, args.output)
    to_stdout = fmt == "table" and args.output is None
    for w in report.warnings:
        # The table shows every warning; one that says the run checked nothing goes to
        # stderr as well, where a redirected table cannot hide it.
        if not to_stdout or w.startswith(NOTHING_AUDITED):
            _notice(f"warning: {w}", quiet)
    if not to_stdout:
        for e in report.errors:
            sys.stderr.write(f"pyward: error: {visible(e)}\n")
    return to_stdout


def exit_code(report: AuditReport) -> int:
    """2 when an input could not be read (the audit is incomplete), else 1 when the run
    fails (findings at/above the threshold, or an expired ignore), else 0."""
    if report.errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if report.failed else EXIT_OK


def _check_targets(
    report: AuditReport,
    data: AdvisoryData,
    inventories: list[Inventory],
    args: argparse.Namespace,
    settings: Settings,
    *,
    config: Config,
    metadata: IndexMetadata | None,
) -> AuditReport:
    """The report with its fix plan, planned from the package index's releases (issue
    11 item 1): from the pages the status checks fetched, else fetched here."""
    import dataclasses

    from pyward._audit._fix import Releases, plan
    from pyward._commands._sources import fetch_index
    from pyward._model import Inventory
    from pyward._sources.index._port import IndexFailure

    # The components the plan will upgrade (those with a vulnerability) or remove (a
    # malicious release, which may have releases its records do not name).
    components = {
        f.component.key: f.component
        for f in report.findings
        if f.component is not None and f.kind in (VULNERABILITY, MALICIOUS)
    }
    if metadata is None or any(c.name not in metadata.pages for c in components.values()):
        subjects = []
        for comp in components.values():
            inv = next((i for i in inventories if comp in i.components), None)
            subjects.append((inv or Inventory(source=".", format="unknown"), comp))
        # Released versions are all the plan needs: the JSON API is not asked.
        metadata = fetch_index(
            subjects, args=args, config=config, settings=settings, json_api=False
        )
        for note in metadata.notes:
            _notice(f"note: {note}", args.quiet)
    releases: dict[str, Releases] = {}
    for comp in components.values():
        page = metadata.page(comp.name)
        if isinstance(page, IndexFailure):
            reason = metadata.unasked.get(page.name, page.reason)
            releases[comp.name] = Releases(versions=None, reason=reason)
        else:
            releases[comp.name] = Releases(versions=page.released_versions())
    return dataclasses.replace(report, fix_plan=plan(report.findings, data, releases=releases))


def _print_fix(
    report: AuditReport, inventories: list[Inventory], *, apply: bool, to_stdout: bool
) -> None:
    from pyward._audit._fix import apply as apply_plan

    stream = sys.stdout if to_stdout else sys.stderr
    lines: list[str] = []
    if to_stdout:
        pass  # the table has a "Fix plan" section already: the edits and commands follow
    elif not report.fix_plan:
        lines.append("Fix plan: nothing to upgrade")
    else:
        lines.append("Fix plan:")
        lines.extend("  " + fix_line(step) for step in report.fix_plan)
    applied = apply_plan(inventories, report.fix_plan, write=apply)
    if applied.changed:
        lines.append("Rewritten:" if apply else "To apply, edit (--fix --apply does it):")
        lines.extend(f"  {c}" for c in applied.changed)
    if applied.commands:
        lines.append("Then run:" if applied.changed else "To apply, run:")
        lines.extend(f"  {c}" for c in applied.commands)
    lines.extend(f"pyward: warning: {w}" for w in applied.warnings)
    for step in report.fix_plan:
        if step.unchecked is not None and step.target is not None and step.action == "upgrade":
            name = step.component.display_name or step.component.name
            lines.append(
                f"Unchecked: {name} {step.target} is an advisory's bound, not checked "
                f"against the package index's releases ({step.unchecked})"
            )
    if lines:
        stream.write("\n".join(visible(line) for line in lines) + "\n")
        stream.flush()


def fix_line(step: FixStep) -> str:
    comp = step.component
    name = comp.display_name or comp.name
    if step.action == "remove":
        text = f"{name} {comp.version}: malicious, remove it ({', '.join(step.fixes)})"
        if step.target is not None:
            text += f"; or move to {step.target}, a release its records do not name"
        return text
    if step.target is None:
        return f"{name} {comp.version}: no known release fixes {', '.join(step.unfixed)}"
    text = f"{name} {comp.version} -> {step.target} (fixes {', '.join(step.fixes)})"
    if not step.same_major:
        text += "; a new major version"
    if step.unfixed:
        text += f"; still unfixed: {', '.join(step.unfixed)}"
    return text
