"""``pyward advisory export``: an OSV record (JSON or YAML) as a CVE JSON 5 record.

The CNA that publishes it comes from the options, else from the configuration file's
``[tool.pyward.advisory]`` table (``pyward.toml``: ``[advisory]``)::

    [tool.pyward.advisory]
    cna-org-id = "8254265b-2729-46b6-b9e3-3dfca2d5bfca"   # the CNA's organisation UUID
    cna-short-name = "example-cna"
    collection-url = "https://index.example.invalid"        # collectionURL of products

A full record needs the organisation id; ``--container-only`` (the CNA container,
what CVE Services accepts for publication) needs neither. See
:mod:`pyward._authoring._cve` for the field map.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pyward.errors import InputError, UsageError

if TYPE_CHECKING:
    from pyward._authoring._cve import CnaSettings
    from pyward._settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-command's options."""
    from pyward._authoring._cve import DISCOVERY

    parser.add_argument("file", type=Path, metavar="FILE", help="the OSV record (JSON or YAML)")
    parser.add_argument(
        "-f", "--format", choices=["cve"], default="cve", help="output format (default: cve)"
    )
    parser.add_argument(
        "--container-only",
        action="store_true",
        help="write only the CNA container (what CVE Services accepts for publication)",
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="write to FILE instead of standard output"
    )
    parser.add_argument(
        "--cve-id", metavar="CVE-YYYY-N", help="the CVE id (default: the record's id or CVE alias)"
    )
    parser.add_argument(
        "--assigner-org-id", metavar="UUID", help="the CNA's organisation UUID (cna-org-id)"
    )
    parser.add_argument(
        "--assigner-short-name", metavar="NAME", help="the CNA's short name (cna-short-name)"
    )
    parser.add_argument(
        "--collection-url",
        metavar="URL",
        help="the package collection's URL for collectionURL (collection-url; default: none)",
    )
    parser.add_argument(
        "--discovery",
        choices=DISCOVERY,
        default="UNKNOWN",
        help="source.discovery: who found the flaw (default: UNKNOWN)",
    )
    parser.add_argument(
        "--config", type=Path, default=None, metavar="FILE", help="configuration file"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Read the record, export it, validate the result, write it."""
    import sys

    from pyward._advisory._osv import load_document
    from pyward._authoring._cve import cna_container, cve_record, validate
    from pyward._commands._common import write_output
    from pyward._files import read_capped
    from pyward._render._common import json_text
    from pyward._text import visible

    cna = _cna_settings(args)
    if not args.container_only and cna.org_id is None:
        raise UsageError(
            "a full CVE record needs the CNA's organisation id: give --assigner-org-id "
            "(and --assigner-short-name) or set cna-org-id (and cna-short-name) in "
            "[tool.pyward.advisory]; --container-only needs neither"
        )
    name = str(args.file)
    try:
        payload = read_capped(args.file)
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    record = load_document(args.file.name, payload, file=name)
    if not isinstance(record, Mapping):
        raise InputError(name, "not an OSV record (not an object)")
    notes: list[str] = []
    if args.container_only:
        document = cna_container(record, cna, file=name, notes=notes)
    else:
        document = cve_record(record, cna, cve_id=args.cve_id, file=name, notes=notes)
    validate(document, container_only=args.container_only, file=name)
    for note in notes:
        sys.stderr.write(f"pyward: warning: {visible(f'{name}: {note}')}\n")
    write_output(json_text(document), args.output)
    return 0


def _cna_settings(args: argparse.Namespace) -> CnaSettings:
    """The options over the configuration file's ``[tool.pyward.advisory]`` (read by
    :func:`pyward._authoring._config.find_advisory_config`, as every advisory
    sub-command reads it)."""
    from pyward._authoring._config import find_advisory_config
    from pyward._authoring._cve import CnaSettings

    if args.config is not None and not args.config.is_file():
        raise UsageError(f"--config {args.config}: no such file")
    config = find_advisory_config(Path.cwd(), args.config)
    url = args.collection_url if args.collection_url is not None else config.collection_url
    if url is not None and not url.startswith(("https://", "http://")):
        raise UsageError(f"--collection-url: must be an http(s) URL, got {url!r}")
    return CnaSettings(
        org_id=args.assigner_org_id or config.cna_org_id,
        short_name=args.assigner_short_name or config.cna_short_name,
        collection_url=url,
        discovery=args.discovery,
    )
