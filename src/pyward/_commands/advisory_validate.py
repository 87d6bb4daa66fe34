"""``pyward advisory validate``: see :mod:`pyward._commands.advisory`.

Exit codes: 0 no error (warnings allowed), 1 errors found, 2 bad input (a path that
does not exist, a file that is not JSON/YAML: one line naming the file and line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward._commands._common import add_output_options, write_output
from pyward._text import encodable_tree, json_invisible, visible
from pyward.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from pyward._authoring._validate import Releases, ValidationReport
    from pyward._settings import Settings
    from pyward._sources.index._client import IndexClient

#: ``--format json``'s version: a new major version for a change that breaks readers.
JSON_FORMAT_VERSION = "1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-command's options."""
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="FILE|DIR",
        help="OSV records (.json, .yaml, .yml); a directory is read recursively, a PyPA "
        "advisory database clone from its vulns/ folder",
    )
    parser.add_argument(
        "--prefix",
        action="append",
        default=[],
        metavar="PREFIX",
        help="an organisation's own id prefix (ACME for ACME-2026-1); repeatable",
    )
    parser.add_argument(
        "--require-summary",
        action="store_true",
        help="a record without a summary is an error (rule summary-missing)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULE",
        help="do not report this rule (docs/advisories.md lists them); repeatable",
    )
    versions = parser.add_argument_group("released versions")
    versions.add_argument(
        "--versions-from",
        type=Path,
        default=None,
        metavar="FILE",
        help="the released versions: one a line, a JSON list (one package), or a JSON "
        "object of lists by package name",
    )
    versions.add_argument(
        "--index-url",
        default=None,
        metavar="URL",
        help="ask this package index (PEP 691) for each package's released versions",
    )
    versions.add_argument(
        "--offline",
        action="store_true",
        help="with --index-url: use only the index pages cached under the cache directory",
    )
    add_output_options(parser, ["table", "json"], "table")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Validate, print the problems, and return the exit code."""
    from pyward._authoring._validate import RULES, ValidationOptions, validate_paths

    unknown = [r for r in args.ignore if r not in RULES]
    if unknown:
        raise UsageError(f"--ignore {unknown[0]}: no such rule (one of: {', '.join(RULES)})")
    prefixes = tuple(args.prefix)
    for prefix in prefixes:
        if not prefix.isascii() or not prefix.isalnum() or not prefix[0].isalpha():
            raise UsageError(f"--prefix {prefix!r}: letters and digits, starting with a letter")
    if args.versions_from is not None and args.index_url is not None:
        raise UsageError("--versions-from and --index-url: give one source of versions")
    client = _index_client(args, settings) if args.index_url is not None else None
    try:
        releases = _releases(args, client)
        report = validate_paths(
            args.paths,
            ValidationOptions(
                prefixes=prefixes,
                require_summary=args.require_summary,
                ignore=frozenset(args.ignore),
                releases=releases,
            ),
        )
    finally:
        if client is not None:
            client.close()
    if args.format == "json":
        write_output(render_json(report), args.output)
    else:
        # A record's id and a file's name are the record's words: shown, never obeyed.
        text = "".join(visible(p.line()) + "\n" for p in report.problems)
        write_output(text, args.output)
    for note in report.notes:
        print(f"note: {visible(note)}", file=sys.stderr)
    print(_summary(report), file=sys.stderr)
    return EXIT_FINDINGS if report.errors else EXIT_OK


def _summary(report: ValidationReport) -> str:
    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    return (
        f"{count(report.files, 'record')}: {count(report.errors, 'error')}, "
        f"{count(report.warnings, 'warning')}"
    )


def render_json(report: ValidationReport) -> str:
    """The ``--format json`` document (docs/advisories.md, "Validating records")."""
    import json

    document: dict[str, Any] = {
        "version": JSON_FORMAT_VERSION,
        "files": report.files,
        "errors": report.errors,
        "warnings": report.warnings,
        "problems": [
            {
                "file": p.file,
                "id": p.record,
                "rule": p.rule,
                "level": p.level,
                "path": p.path,
                "message": p.message,
            }
            for p in report.problems
        ],
        "notes": list(report.notes),
    }
    # Controls a terminal could act on are \u escapes (the same JSON document); a file
    # name that is not UTF-8 is its visible escape.
    text = json.dumps(encodable_tree(document), indent=2, ensure_ascii=False)
    return json_invisible(text) + "\n"


def _index_client(args: argparse.Namespace, settings: Settings) -> IndexClient:
    from pyward._sources.index._client import DEFAULT_MAX_AGE
    from pyward._sources.index._fetch import ClientOptions
    from pyward._sources.index._resolve import index_base

    base = index_base(args.index_url)
    if base is None:
        raise UsageError(f"--index-url {args.index_url!r}: not an http(s) URL")
    return ClientOptions(netrc=settings.netrc).index_client(
        base,
        cache_dir=settings.cache_dir,
        offline=args.offline or settings.offline,
        refresh=False,
        max_age=DEFAULT_MAX_AGE,
    )


def _releases(args: argparse.Namespace, client: IndexClient | None) -> Releases | None:
    """Where released versions come from: the index, the file, or nowhere (``None``)."""
    if client is not None:
        from pyward._sources.index._port import IndexLookupError

        def from_index(name: str) -> Sequence[str] | str:
            try:
                return client.project(name, keep_files=False).versions
            except IndexLookupError as exc:
                return exc.failure.reason.removeprefix(f"{name}: ")

        return from_index
    if args.versions_from is None:
        return None
    from pyward._authoring._validate import releases_from_file

    given = releases_from_file(args.versions_from)
    if isinstance(given, Mapping):
        table = given

        def from_table(name: str) -> Sequence[str] | str:
            return table.get(name, f"not in --versions-from {args.versions_from}")

        return from_table
    versions = given
    asked: list[str] = []

    def from_list(name: str) -> Sequence[str] | str:
        # A plain list is one package's versions: the first package asked.
        if not asked:
            asked.append(name)
        if name != asked[0]:
            return (
                f"--versions-from {args.versions_from} lists the versions of one package "
                f"({asked[0]}); give a JSON object of lists by package name for several"
            )
        return versions

    return from_list
