"""``pyward check``: evaluate the usage policy over what a project depends on.

The policy (``[tool.pyward.policy]``, ``pyward.toml``'s ``[policy]`` or ``--policy
FILE|URL``) turns on rules; each rule is a registered check, and the one gate decides
with the policy's thresholds. Every input ``audit`` reads is accepted, and pip's
installation report (``pip install --dry-run --report FILE``). One result per
violation, every output format; exit 0 (pass), 1 (violations, or a rule that could not
be decided), 2 (input or policy error), 3 (no advisory data).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._commands._common import add_cache_dir_option, load_settings
from pyward._commands.audit import (
    add_data_arguments,
    add_input_arguments,
    add_output_arguments,
    check_data_options,
    emit,
    exit_code,
    say_config_warnings,
)
from pyward.errors import PywardError

if TYPE_CHECKING:
    from pyward._config import Config
    from pyward._model import Inventory
    from pyward._policy._model import Policy
    from pyward._report import AuditReport
    from pyward._settings import Settings

__all__ = [
    "add_arguments",
    "add_policy_options",
    "build_report",
    "check_inventories",
    "emit",
    "run",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser)
    add_policy_options(parser)
    policy = parser.add_argument_group("policy")
    policy.add_argument(
        "--explain",
        nargs=2,
        metavar=("RULE", "PACKAGE"),
        default=None,
        help="say why PACKAGE (NAME or NAME==VERSION) passes or breaks RULE, and stop",
    )
    add_cache_dir_option(parser)


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    """The options of a command that checks the policy (``check``, ``install``)."""
    policy = parser.add_argument_group(
        "policy data",
        "The policy's rules use the advisory store (vulnerabilities, malicious packages), "
        "the popularity list (typosquats), the package index (release age, yanked "
        "releases, project status, licences) and the lifecycle data. A rule that cannot be "
        "decided without data it lacks is 'undecided', which fails unless the policy says "
        'undecided = "pass".',
    )
    policy.add_argument(
        "--policy",
        default=None,
        metavar="FILE|URL",
        help="the policy to check (a TOML file or an http(s) URL, which may extend another); "
        "default: the project's [tool.pyward.policy], else the built-in default policy",
    )
    add_data_arguments(policy)
    gate = parser.add_argument_group("gate")
    gate.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="an exception for this finding id (typosquat:NAME, cooldown:NAME@VERSION, an "
        "advisory id...)",
    )
    gate.add_argument(
        "--vex", action="append", default=[], type=Path, metavar="FILE", help="CycloneDX or OpenVEX"
    )
    gate.add_argument(
        "--config", type=Path, default=None, metavar="FILE", help="configuration file"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    check_data_options(args)
    if args.explain is not None:
        from pyward._commands._explain_rule import explain_rule

        return explain_rule(args.explain[0], args.explain[1], args=args, settings=settings)
    report, config = build_report(args, settings)
    emit(report, args, settings, config)
    return exit_code(report)


def build_report(args: argparse.Namespace, settings: Settings) -> tuple[AuditReport, Config]:
    """The policy's verdict on the inputs ``args`` names, and the configuration in force;
    nothing is rendered. ``pyward fleet check`` builds each project's report with this."""
    from pyward._commands.audit import _read_all

    check_data_options(args)
    start = Path(args.targets[0]) if args.targets else Path(".")
    config, policy, notes = load_policy_config(args, settings, start)
    try:
        inventories, errors = _read_all(args, settings)
    except PywardError:
        say_config_warnings(config, args.quiet)
        raise
    report, _ = check_inventories(
        inventories,
        args=args,
        settings=settings,
        start=start,
        errors=errors,
        loaded=(config, policy, notes),
    )
    return report, config


def load_policy_config(
    args: argparse.Namespace, settings: Settings, start: Path
) -> tuple[Config, Policy, list[str]]:
    """The configuration (with the command line's gate options) and the policy in force,
    with notes on how the policy was read."""
    from pyward._commands._sources import offline_of
    from pyward._policy._load import load_policy

    config = load_settings(args, start)
    policy, notes = load_policy(
        config.path, option=args.policy, settings=settings, offline=offline_of(args, settings)
    )
    return config, policy, notes


def check_inventories(
    inventories: Sequence[Inventory],
    *,
    args: argparse.Namespace,
    settings: Settings,
    start: Path,
    errors: Sequence[str] = (),
    loaded: tuple[Config, Policy, list[str]] | None = None,
) -> tuple[AuditReport, int]:
    """The policy's verdict on ``inventories``: the report (every violation and undecided
    rule, the data used and its age) and the exit code (0 pass, 1 violations, 2 an input
    could not be read). ``loaded`` is the configuration and policy when the caller has
    read them already."""
    from pyward._commands._common import load_vex_statements, open_store
    from pyward._commands._sources import gather_sources
    from pyward._commands.audit import exit_code
    from pyward._policy._check import check
    from pyward._policy._verdict import policy_checks

    config, policy, policy_notes = loaded or load_policy_config(args, settings, start)
    statements, vex_warnings = load_vex_statements(config)
    checks = policy_checks(policy)
    needs_advisories = any("advisories" in c.needs for c in checks)
    store = open_store(settings) if needs_advisories else None
    gathered = gather_sources(
        inventories, checks, args=args, config=config, settings=settings, start=start, policy=policy
    )
    report = check(
        inventories,
        store,
        policy=policy,
        config=config,
        sources=gathered.sources,
        vex=statements,
        errors=errors,
        warnings=[*config.warnings, *policy_notes, *vex_warnings, *gathered.notes],
        python=gathered.python,
        options=gathered.options,
    )
    return report, exit_code(report)
