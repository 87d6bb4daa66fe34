"""``pyward provenance``: verify the PEP 740 attestations of every artifact the inputs
record, and notice a project whose publisher changed.

Thin over the library: read the inputs (any that ``audit`` reads), gather and verify
every artifact's provenance
(:func:`~pyward._provenance._gather.gather_provenance`, through
:func:`~pyward._commands._sources.gather_sources`), run the ``provenance`` check alone
with the policy's ``provenance`` rule through the one gate, render, and map the verdict
to the exit code as ``pyward check`` does: 0 pass, 1 a failed verification, a publisher
change or a required package not attested, 2 an input error or a missing ``provenance``
extra. ``--pin`` then records each project's verified publisher (trust on first use).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward._commands._common import add_cache_dir_option
from pyward._commands.audit import (
    add_data_arguments,
    add_input_arguments,
    add_output_arguments,
    check_data_options,
    emit,
    exit_code,
    say_config_warnings,
)
from pyward._text import visible
from pyward.errors import PywardError, UsageError

if TYPE_CHECKING:
    from pyward._config import Config
    from pyward._model import Inventory
    from pyward._policy._model import Policy
    from pyward._provenance._model import IdentityRecord, PackageProvenance, ProvenanceReport
    from pyward._report import AuditReport
    from pyward._settings import Settings

__all__ = ["add_arguments", "only_provenance", "pin_records", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser)
    verify = parser.add_argument_group(
        "verification",
        "Each artifact's provenance comes from its index's integrity API (or the URL its "
        "project page gives), cached like the index's pages; every attestation is verified "
        "offline against the artifact's SHA-256 and Sigstore's trust root (the one "
        "bundled with sigstore, unless --trust-root names another).",
    )
    verify.add_argument(
        "--trust-root",
        type=Path,
        default=None,
        metavar="FILE",
        help="a Sigstore trusted_root.json to verify against instead of the bundled one",
    )
    verify.add_argument(
        "--staging",
        action="store_true",
        help="verify against Sigstore's staging instance (for testing attestations made "
        "there; nothing an index serves is signed through it)",
    )
    verify.add_argument(
        "--require-attestations",
        action="store_true",
        help="fail unless every package has verified provenance for every artifact (as "
        "the policy's provenance rule with require = true)",
    )
    add_data_arguments(verify)
    pins = parser.add_argument_group(
        "pins",
        "Trust on first use: --pin records each project's verified publisher in the "
        "pylock.toml's attestation-identities (or attestation-identities.toml beside "
        "another input); later runs flag a project whose publisher is not the pinned one.",
    )
    pins.add_argument(
        "--pin",
        action="store_true",
        help="after verifying, pin the verified publisher of every project not pinned yet",
    )
    pins.add_argument(
        "--repin",
        action="append",
        default=[],
        metavar="NAME",
        help="with --pin: replace the pins of this project by its verified publisher "
        "(accept a publisher change; repeatable)",
    )
    gate = parser.add_argument_group("gate")
    gate.add_argument(
        "--policy",
        default=None,
        metavar="FILE|URL",
        help="the policy whose provenance rule applies (default: the project's "
        "[tool.pyward.policy])",
    )
    gate.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="an exception for this finding id (provenance:NAME or provenance:NAME@VERSION)",
    )
    gate.add_argument(
        "--config", type=Path, default=None, metavar="FILE", help="configuration file"
    )
    parser.set_defaults(vex=[])
    add_cache_dir_option(parser)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._extras import require

    check_data_options(args)
    if args.repin and not args.pin:
        raise UsageError("--repin needs --pin")
    require("provenance", what="pyward provenance")
    start = Path(args.targets[0]) if args.targets else Path(".")
    from pyward._commands.audit import _read_all
    from pyward._commands.check import load_policy_config

    config, policy, notes = load_policy_config(args, settings, start)
    try:
        inventories, errors = _read_all(args, settings)
    except PywardError:
        say_config_warnings(config, args.quiet)
        raise
    report = verify_inventories(
        inventories,
        args=args,
        settings=settings,
        start=start,
        errors=errors,
        loaded=(config, only_provenance(policy, require=args.require_attestations), notes),
    )
    if args.pin and report.provenance is not None:
        report = _pin(report, report.provenance, inventories, args)
    emit(report, args, settings, config)
    return exit_code(report)


def only_provenance(policy: Policy, *, require: bool = False) -> Policy:
    """The policy with its ``provenance`` rule alone (on with its defaults when the
    policy leaves it off), ``require = true`` with ``require``; its other rules are
    off, so the gate and the report speak of provenance only."""
    from pyward._policy._model import Policy, ProvenanceRule

    rule = policy.provenance or ProvenanceRule()
    if require:
        rule = dataclasses.replace(rule, require=True)
    # Every rule field but this one, generically: a rule added later is off here too.
    off: dict[str, Any] = {
        f.name: None
        for f in dataclasses.fields(Policy)
        if f.name not in ("provenance", "undecided", "origins")
    }
    return dataclasses.replace(policy, **off, provenance=rule)


def verify_inventories(
    inventories: Sequence[Inventory],
    *,
    args: argparse.Namespace,
    settings: Settings,
    start: Path,
    errors: Sequence[str] = (),
    loaded: tuple[Config, Policy, list[str]],
) -> AuditReport:
    """The ``provenance`` check's verdict on ``inventories`` under the policy of
    ``loaded`` (the configuration, a provenance-only policy, notes on reading it), with
    the provenance report in :attr:`~pyward._report.AuditReport.provenance`."""
    from pyward._audit import audit
    from pyward._checks import CHECKS
    from pyward._commands._sources import gather_sources
    from pyward._findings import CheckId

    config, policy, policy_notes = loaded
    checks = (CHECKS[CheckId("provenance")],)
    gathered = gather_sources(
        inventories, checks, args=args, config=config, settings=settings, start=start, policy=policy
    )
    report = audit(
        inventories,
        None,
        config=config,
        errors=errors,
        warnings=[*config.warnings, *policy_notes, *gathered.notes],
        plan_fixes=False,
        sources=gathered.sources,
        checks=checks,
        python=gathered.python,
        options=gathered.options,
    )
    return dataclasses.replace(report, provenance=gathered.sources.provenance)


def pin_records(
    packages: Sequence[PackageProvenance], inventory: Inventory
) -> dict[str, tuple[IdentityRecord, ...]]:
    """What ``--pin`` records for ``inventory``: each of its projects whose artifacts
    verified (none failed) -> the distinct publisher records they verified for. A
    project with a failed artifact is not pinned."""
    from pyward._model import canonical_name

    keys = {c.key for c in inventory.components}
    out: dict[str, tuple[IdentityRecord, ...]] = {}
    for package in packages:
        if package.component.key not in keys:
            continue
        if any(a.status == "failed" for a in package.artifacts):
            continue
        records: dict[tuple[tuple[str, str], ...], IdentityRecord] = {}
        for publisher in package.publishers:
            if publisher.record is not None:
                records.setdefault(tuple(sorted(publisher.record.items())), publisher.record)
        if records:
            name = canonical_name(package.component.name)
            out[name] = (*out.get(name, ()), *records.values())
    return out


def _pin(
    report: AuditReport,
    provenance: ProvenanceReport,
    inventories: Sequence[Inventory],
    args: argparse.Namespace,
) -> AuditReport:
    """Write the pins of every input; say on stderr what was pinned; the report with
    :attr:`~pyward._provenance._model.ProvenanceReport.pinned` filled in."""
    from pyward._model import canonical_name
    from pyward._provenance._pins import write_pins

    repin = frozenset(canonical_name(n) for n in args.repin)
    done: dict[str, str] = {}
    for inventory in inventories:
        verified = pin_records(provenance.packages, inventory)
        wrote = write_pins(inventory, verified, replace=repin)
        text = _pinned_text(wrote.added, wrote.kept)
        done[wrote.path] = text
        if not args.quiet:
            sys.stderr.write(f"pyward: {visible(f'{wrote.path}: {text}')}\n")
    pinned = {**provenance.pinned, **done}
    return dataclasses.replace(report, provenance=dataclasses.replace(provenance, pinned=pinned))


def _pinned_text(added: Sequence[str], kept: Sequence[str]) -> str:
    """``2 projects pinned (a, b), 1 already pinned``."""
    parts = [f"{len(added)} project(s) pinned" + (f" ({', '.join(added)})" if added else "")]
    if kept:
        parts.append(f"{len(kept)} already pinned")
    return ", ".join(parts)
