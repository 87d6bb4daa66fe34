"""``pyward sbom``: a CycloneDX 1.6 or SPDX 2.3 SBOM of any inventory, or (``--format
html``) a summary of that SBOM for a person to read."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyward._commands._common import (
    add_cache_dir_option,
    add_gate_options,
    add_inventory_options,
    add_output_options,
    readable_project,
    selection_from,
    write_output,
)
from pyward._commands.audit import add_data_arguments
from pyward._findings import MALICIOUS, VULNERABILITY, CheckId
from pyward._text import visible

if TYPE_CHECKING:
    from pyward._advisory._types import Vulnerability
    from pyward._model import ComponentKey, Inventory
    from pyward._provenance._model import ProvenanceReport
    from pyward._settings import Settings

#: The SBOM formats, then ``html``: a summary of the SBOM, not an SBOM format.
FORMATS = ["cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv", "html"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        nargs="?",
        metavar="TARGET",
        help="project directory (default: .; the current environment when . has nothing "
        "to read), lock, requirements or SBOM file, or virtual environment",
    )
    parser.add_argument("--python", metavar="PATH", help="the environment of this interpreter")
    add_inventory_options(parser)
    add_output_options(
        parser,
        FORMATS,
        "cyclonedx-json",
        help="output format (default: cyclonedx-json); html is a summary of the SBOM for "
        "a person to read (NTIA minimum elements, licences, dependency tree), not an SBOM",
    )
    parser.add_argument(
        "--with-vulnerabilities",
        action="store_true",
        help="add known vulnerabilities from the advisory store (CycloneDX: vulnerabilities; "
        "SPDX: security advisory references)",
    )
    provenance = parser.add_argument_group("provenance")
    provenance.add_argument(
        "--provenance",
        action="store_true",
        help="add each component's verified PEP 740 publisher (CycloneDX: properties and "
        "vcs/build references; the html summary: a table; not SPDX; needs pyward[provenance] "
        "and the package index's integrity API, or its cache)",
    )
    add_data_arguments(provenance)
    add_gate_options(parser, thresholds=False)
    add_cache_dir_option(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pyward._inventory import read_inventory
    from pyward._sbom import SUMMARY_FORMATS, check_provenance_format, write_sbom, write_summary

    selection = selection_from(args)
    target: Path | None = Path(args.target) if args.target is not None else None
    if target is None and args.python is None and readable_project(Path(".")):
        target = Path(".")
    inventory = read_inventory(
        target,
        python=args.python,
        selection=selection,
        environ=settings.environ,
        read_cache=settings.read_cache_dir,
    )
    if args.provenance:
        check_provenance_format(args.format)  # before anything is asked of the index
    vulns = _vulnerabilities(args, settings, inventory) if args.with_vulnerabilities else None
    provenance = _provenance(args, settings, inventory) if args.provenance else None
    if args.format in SUMMARY_FORMATS:
        sbom = write_summary(
            inventory,
            target=target,
            vulnerabilities=vulns,
            source_date_epoch=settings.source_date_epoch,
            provenance=provenance,
        )
    else:
        sbom = write_sbom(
            inventory,
            format=args.format,
            target=target,
            vulnerabilities=vulns,
            source_date_epoch=settings.source_date_epoch,
            provenance=provenance,
        )
    write_output(sbom.data, args.output)
    if not args.quiet:
        for note in sbom.notes:
            sys.stderr.write(f"pyward: note: {visible(note)}\n")
        for na in inventory.not_audited:
            sys.stderr.write(
                f"pyward: note: not in the SBOM: {visible(f'{na.requirement}: {na.reason}')}\n"
            )
    return 0


def _provenance(
    args: argparse.Namespace, settings: Settings, inventory: Inventory
) -> ProvenanceReport | None:
    """Every artifact's verified provenance, gathered as ``pyward provenance`` and the
    ``provenance`` check gather it (the index as configured, cached, offline-aware);
    ``None``, with a note on stderr, when none could be gathered at all."""
    from pyward._checks import CHECKS
    from pyward._commands._common import load_settings
    from pyward._commands._sources import gather_sources
    from pyward._extras import require

    require("provenance", what="provenance in an SBOM (--provenance)")
    start = Path(args.target) if args.target is not None else Path(".")
    config = load_settings(args, start)
    gathered = gather_sources(
        [inventory],
        (CHECKS[CheckId("provenance")],),
        args=args,
        config=config,
        settings=settings,
        start=start,
    )
    report = gathered.sources.provenance
    if not args.quiet:
        for note in (*gathered.notes, *(report.notes if report is not None else ())):
            sys.stderr.write(f"pyward: note: {visible(note)}\n")
        if report is None:
            reason = gathered.sources.unavailable.get("provenance", "none was gathered")
            sys.stderr.write(f"pyward: note: provenance left out: {visible(reason)}\n")
    return report


def _vulnerabilities(
    args: argparse.Namespace, settings: Settings, inventory: Inventory
) -> dict[ComponentKey, list[Vulnerability]]:
    """The flaws the gate keeps: the same audit as ``pyward audit`` (ignore rules and
    VEX statements from the configuration and the options), so an SBOM never lists a
    flaw that the audit suppresses."""
    from pyward._advisory._freshness import freshness_notice
    from pyward._audit import audit
    from pyward._checks import CHECKS
    from pyward._commands._common import load_settings, load_vex_statements, open_store

    start = Path(args.target) if args.target is not None else Path(".")
    config = load_settings(args, start)
    statements, vex_warnings = load_vex_statements(config)
    store = open_store(settings)
    notice = freshness_notice(store.info)
    quiet = args.quiet
    if notice and not quiet:
        sys.stderr.write(f"pyward: {visible(notice)}\n")
    # Only the advisory checks (a malicious release is an OSV record too), and no fix
    # plan: an SBOM lists flaws, not upgrades.
    report = audit(
        [inventory],
        store,
        config=config,
        vex=statements,
        warnings=vex_warnings,
        checks=(CHECKS[CheckId(VULNERABILITY)], CHECKS[CheckId(MALICIOUS)]),
        plan_fixes=False,
    )
    kept: dict[ComponentKey, set[str]] = {}
    for f in report.findings:
        if f.kind in (VULNERABILITY, MALICIOUS) and f.component is not None:
            kept.setdefault(f.component.key, set()).add(f.id)
    if not quiet:
        for w in (*config.warnings, *report.warnings):
            sys.stderr.write(f"pyward: warning: {visible(w)}\n")
        for s in report.suppressed:
            name = s.finding.component.name if s.finding.component else s.finding.id
            sys.stderr.write(
                "pyward: note: not in the SBOM: "
                + visible(f"{s.finding.id} in {name}: {s.rule}: {s.reason}")
                + "\n"
            )
    found: dict[ComponentKey, list[Vulnerability]] = {}
    for c in inventory.components:
        ids = kept.get(c.key)
        if ids and c.version:
            # A malicious finding's id is its MAL record's, which need not be the group's
            # first (PYSEC, GHSA and MAL records of one account takeover are one group).
            found[c.key] = [
                v for v in store.vulnerabilities(c.name, c.version) if ids.intersection(v.ids)
            ]
    return found
