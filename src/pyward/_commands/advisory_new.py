"""``pyward advisory new``: write a draft OSV record (see :mod:`pyward._authoring._draft`).

The fields come from options, from ``--from FILE.toml``, or, on a terminal, from
prompts for the required ones left out. The affected versions are computed from the
project's release list: ``--versions-from FILE``, else the package index (resolved as
for the status checks: ``--index-url``, ``$PYWARD_INDEX_URL``, the configuration, pip's
and uv's settings; cached, ``--offline`` honoured). Warnings (a bound that is not a
released version) go to stderr; the record goes to ``-o FILE`` or stdout.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pyward.errors import UsageError

if TYPE_CHECKING:
    from pyward._authoring._draft import DraftSpec
    from pyward._authoring._versions import Releases
    from pyward._settings import Settings

#: The options that give a record's fields (not with ``--from``), by destination.
_FIELDS = {
    "id": "--id",
    "package": "--package",
    "ecosystem": "--ecosystem",
    "summary": "--summary",
    "details": "--details",
    "details_file": "--details-file",
    "events": "--introduced/--fixed/--last-affected",
    "cvss": "--cvss",
    "cwe": "--cwe",
    "references": "--reference",
    "aliases": "--alias",
    "credits": "--credit",
}


class _Event(argparse.Action):
    """``--introduced/--fixed/--last-affected``: one list, in command-line order."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        events = list(getattr(namespace, self.dest) or [])
        events.append((self.const, option_string or "", str(values)))
        setattr(namespace, self.dest, events)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-command's options."""
    from pyward._authoring._draft import CREDIT_TYPES, PLACEHOLDER_ID, REFERENCE_TYPES
    from pyward._commands._common import add_cache_dir_option

    record = parser.add_argument_group("the record")
    record.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE.toml",
        help="read the fields from a TOML file (docs/advisories.md#writing-a-draft)",
    )
    record.add_argument(
        "--id",
        metavar="ID",
        help=f"the record's id (default: {PLACEHOLDER_ID}; publish assigns the real one)",
    )
    record.add_argument("--package", metavar="NAME", help="the affected project")
    record.add_argument("--ecosystem", metavar="NAME", help="OSV ecosystem (default: PyPI)")
    for kind, flag, what in (
        ("introduced", "--introduced", "first affected version (0: every version)"),
        ("fixed", "--fixed", "first fixed version"),
        ("last_affected", "--last-affected", "last affected version (no fix released)"),
    ):
        record.add_argument(
            flag,
            dest="events",
            action=_Event,
            const=kind,
            metavar="V",
            help=f"{what}; repeatable, paired in order",
        )
    record.add_argument("--summary", metavar="TEXT", help="one line")
    details = record.add_mutually_exclusive_group()
    details.add_argument("--details", metavar="TEXT", help="the description (Markdown)")
    details.add_argument(
        "--details-file", type=Path, metavar="FILE", help="the description from a file"
    )
    record.add_argument(
        "--cvss", action="append", default=[], metavar="VECTOR", help="CVSS v3.1 or v4.0 vector"
    )
    record.add_argument(
        "--cwe", action="append", default=[], metavar="CWE-N", help="a CWE id (repeatable)"
    )
    record.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="TYPE=URL",
        help=f"a reference; TYPE one of {', '.join(REFERENCE_TYPES)}",
    )
    record.add_argument(
        "--alias", action="append", default=[], metavar="ID", help="another id (CVE, GHSA...)"
    )
    record.add_argument(
        "--credit",
        action="append",
        default=[],
        metavar="TYPE:NAME[:CONTACT,...]",
        help=f"a credit; TYPE one of {', '.join(CREDIT_TYPES)}",
    )
    versions = parser.add_argument_group("affected versions (computed from the release list)")
    source = versions.add_mutually_exclusive_group()
    source.add_argument(
        "--versions-from",
        type=Path,
        metavar="FILE",
        help="the released versions: one a line, or a JSON list (no index asked)",
    )
    source.add_argument(
        "--no-versions",
        action="store_true",
        help="write no versions list (ranges only)",
    )
    versions.add_argument(
        "--index-url",
        metavar="URL",
        help="the package index (PEP 691) to list releases from (default: "
        "$PYWARD_INDEX_URL, the configuration's index-url, else uv's and pip's settings)",
    )
    versions.add_argument(
        "--offline", action="store_true", help="use only the index pages cached before"
    )
    versions.add_argument(
        "--refresh", action="store_true", help="ask the index again, however fresh the cache"
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="write to FILE instead of standard output"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the --output file if it exists"
    )
    add_cache_dir_option(parser)


def spec_from_args(args: argparse.Namespace) -> DraftSpec:
    """The fields the options give (``--from``: the TOML file's, and no field option)."""
    from pyward._authoring._draft import (
        DraftSpec,
        Given,
        parse_credit,
        parse_reference,
        spec_from_toml,
    )

    if args.from_file is not None:
        for dest, flag in _FIELDS.items():
            if getattr(args, dest, None):
                raise UsageError(f"{flag}: not with --from (the file gives the fields)")
        return spec_from_toml(args.from_file)

    def one(value: str | None, flag: str) -> Given | None:
        return Given(value, flag) if value is not None else None

    details = one(args.details, "--details")
    if args.details_file is not None:
        from pyward._authoring._draft import read_details

        details = Given(read_details(args.details_file), "--details-file")
    return DraftSpec(
        id=one(args.id, "--id"),
        package=one(args.package, "--package"),
        ecosystem=one(args.ecosystem, "--ecosystem"),
        summary=one(args.summary, "--summary"),
        details=details,
        events=tuple((kind, Given(value, flag)) for kind, flag, value in args.events or ()),
        cvss=tuple(Given(v, "--cvss") for v in args.cvss),
        cwe=tuple(Given(v, "--cwe") for v in args.cwe),
        references=tuple(parse_reference(v) for v in args.reference),
        aliases=tuple(Given(v, "--alias") for v in args.alias),
        credits=tuple(parse_credit(v) for v in args.credit),
    )


def _releases(
    args: argparse.Namespace, settings: Settings, spec: DraftSpec, package: str
) -> Releases | None:
    """The release list the versions are computed from (``None``: ``--no-versions``)."""
    from pyward._authoring._versions import index_releases, read_versions_file

    if args.no_versions:
        return None
    source = args.versions_from or spec.versions_from
    if source is not None:
        return read_versions_file(source, package)
    from pyward._commands._sources import _index_args
    from pyward._config import find_config, load_config

    config = load_config(find_config(Path.cwd()))
    return index_releases(package, **_index_args(args, config, settings))


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write the draft; 0 when written (warnings on stderr), 2 for bad input."""
    from pyward._authoring._draft import ask_missing, check_spec, render
    from pyward._commands._common import write_output

    if args.output is not None and args.output.exists() and not args.force:
        raise UsageError(f"--output {args.output}: exists (use --force to overwrite)")
    spec = spec_from_args(args)
    if spec.missing and spec.file is None and sys.stdin.isatty():
        spec = ask_missing(spec, input, lambda line: print(line, file=sys.stderr))
    draft = check_spec(spec)
    releases = _releases(args, settings, spec, draft.package)
    now = settings.source_date_epoch or datetime.now(timezone.utc)
    lines: list[str] = []
    if releases is None:
        versions = None
        lines.append("note: no versions list written (--no-versions)")
    else:
        versions = draft.versions(releases.versions)
        lines.extend(f"note: {n}" for n in releases.notes)
        lines.extend(f"warning: {w}" for w in draft.warnings(releases.versions, releases.origin))
        lines.append(
            f"{draft.id}: {draft.package}: {len(versions)} of {len(releases.versions)} "
            f"released versions affected (from {releases.origin})"
        )
    lines.extend(f"{s.type} {s.vector}: base score {s.score} ({s.rating})" for s in draft.scores)
    write_output(render(draft.record(versions=versions, now=now)), args.output)
    for line in lines:
        print(line, file=sys.stderr)
    return 0
