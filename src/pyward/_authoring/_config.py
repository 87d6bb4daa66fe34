"""``[tool.pyward.advisory]``: where advisories and cases live, and the ids they get.

Read from ``pyproject.toml`` (``[tool.pyward.advisory]``) or ``pyward.toml``
(``[advisory]``), the file :func:`pyward._config.find_config` finds::

    [tool.pyward.advisory]
    directory = "security/advisories"   # relative to the file; default "advisories"
    prefix = "x_ACME"                   # ids x_ACME-2026-1, x_ACME-2026-2...
    deadline-days = 90                  # disclosure deadline of a new case
    cna-org-id = "00000000-0000-4000-8000-000000000000"  # CVE export: assignerOrgId
    cna-short-name = "ACME"             # CVE export: assignerShortName

The default prefix is :data:`DEFAULT_PREFIX`: the OSV schema accepts an id only with a
registered database prefix (``PYSEC-``, ``GHSA-``...) or one starting with ``x_``, the
form it keeps for databases of their own (docs/advisories.md#publishing).
"""

from __future__ import annotations

import argparse
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyward._config import find_config, unknown_keys
from pyward._wire import MUST, Wire
from pyward.errors import InputError

__all__ = [
    "DEFAULT_DEADLINE_DAYS",
    "DEFAULT_DIRECTORY",
    "DEFAULT_PREFIX",
    "AdvisoryConfig",
    "add_directory_options",
    "check_prefix",
    "find_advisory_config",
    "from_args",
    "load_advisory_config",
]

DEFAULT_DIRECTORY = "advisories"
#: ``x_``: the OSV schema's form of an id prefix no registry lists; ``LOCAL``: this
#: organisation's own database. Set ``prefix`` to name the organisation.
DEFAULT_PREFIX = "x_LOCAL"
#: PEP 811: 90 days between the report and the published advisory.
DEFAULT_DEADLINE_DAYS = 90

_KEYS = ("directory", "prefix", "deadline-days", "cna-org-id", "cna-short-name", "collection-url")
#: Letters, digits and ``_``, in dash-separated parts (``SUSE-SU`` is a registered prefix).
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*")
_NON_EMPTY = "must be a non-empty string"


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvisoryConfig:
    """The advisory settings of a project (file values; options override them)."""

    directory: Path
    """The advisory directory: ``cases/`` and ``vulns/<package>/`` inside it."""
    prefix: str = DEFAULT_PREFIX
    """The id prefix of published records: ``PREFIX-YEAR-N``."""
    deadline_days: int = DEFAULT_DEADLINE_DAYS
    """Days from a report's receipt to its disclosure deadline."""
    cna_org_id: str | None = None
    """The CNA's organisation UUID (CVE ``assignerOrgId``), for the CVE export."""
    cna_short_name: str | None = None
    """The CNA's short name (CVE ``assignerShortName``), for the CVE export."""
    collection_url: str | None = None
    """The package registry's project URL for CVE records' ``collectionURL`` (CVE
    export), when the CNA sets one: configuration, never a built-in host."""
    file: Path | None = None
    """The configuration file read, if any."""
    warnings: tuple[str, ...] = ()
    """Unknown keys."""


def check_prefix(prefix: str, fail: Callable[[str], Exception]) -> str:
    """``prefix`` when it is usable in ``PREFIX-YEAR-N`` ids, else ``fail(message)``
    raised (``fail`` builds the caller's error)."""
    if not _PREFIX.fullmatch(prefix):
        raise fail(f"not an id prefix: {prefix!r} (letters, digits and _, e.g. x_ACME)")
    return prefix


def load_advisory_config(path: Path | None, *, cwd: Path | None = None) -> AdvisoryConfig:
    """The ``advisory`` table of the configuration file ``path`` (``None``: the
    defaults, the directory relative to ``cwd``). A value of the wrong type is an
    :class:`InputError` naming the file and the key path."""
    base = cwd if cwd is not None else Path.cwd()
    if path is None:
        return AdvisoryConfig(directory=base / DEFAULT_DIRECTORY)
    from pyward._inventory._toml import loads, read_text

    data: Mapping[str, Any] = loads(read_text(path), path)
    if path.name == "pyward.toml":
        table: object = data.get("advisory")
        prefix = "advisory"
    else:
        tool = data.get("tool")
        pyward = tool.get("pyward") if isinstance(tool, Mapping) else None
        table = pyward.get("advisory") if isinstance(pyward, Mapping) else None
        prefix = "tool.pyward.advisory"
    directory = path.parent / DEFAULT_DIRECTORY
    if table is None:
        return AdvisoryConfig(directory=directory, file=path)
    w = Wire(path, MUST)
    t = w.table(table, prefix, what="must be a table")
    warnings = unknown_keys(t.data, _KEYS, path, f"{prefix}.")
    if "directory" in t.data:
        directory = path.parent / w.text(
            t.data["directory"], prefix, "directory", what=_NON_EMPTY, empty=_NON_EMPTY
        )
    id_prefix = DEFAULT_PREFIX
    if "prefix" in t.data:
        text = w.text(t.data["prefix"], prefix, "prefix", what=_NON_EMPTY, empty=_NON_EMPTY)
        id_prefix = check_prefix(
            text, lambda what: InputError(path, what, where=f"{prefix}.prefix")
        )
    days = DEFAULT_DEADLINE_DAYS
    if "deadline-days" in t.data:
        value = t.data["deadline-days"]
        if type(value) is not int or value < 1:
            raise InputError(
                path, "must be a positive whole number of days", where=f"{prefix}.deadline-days"
            )
        days = value
    org_id: str | None = None
    if "cna-org-id" in t.data:
        org_id = w.text(t.data["cna-org-id"], prefix, "cna-org-id", what=_NON_EMPTY)
        try:
            uuid.UUID(org_id)
        except ValueError:
            raise InputError(
                path, f"not a UUID: {org_id!r}", where=f"{prefix}.cna-org-id"
            ) from None
    short: str | None = None
    if "cna-short-name" in t.data:
        short = w.text(t.data["cna-short-name"], prefix, "cna-short-name", what=_NON_EMPTY)
        # The CVE record schema's shortName: 2 to 32 characters.
        if not 2 <= len(short) <= 32:
            raise InputError(path, "must be 2 to 32 characters", where=f"{prefix}.cna-short-name")
    url: str | None = None
    if "collection-url" in t.data:
        url = w.text(t.data["collection-url"], prefix, "collection-url", what=_NON_EMPTY)
        if not url.startswith(("https://", "http://")):
            raise InputError(path, f"not an http(s) URL: {url!r}", where=f"{prefix}.collection-url")
    return AdvisoryConfig(
        directory=directory,
        prefix=id_prefix,
        deadline_days=days,
        cna_org_id=org_id,
        cna_short_name=short,
        collection_url=url,
        file=path,
        warnings=tuple(warnings),
    )


def find_advisory_config(start: Path, config: Path | None = None) -> AdvisoryConfig:
    """The advisory settings for work in ``start``: of ``config`` when given, else of
    the configuration file nearest to ``start``, else the defaults."""
    path = config if config is not None else find_config(start)
    return load_advisory_config(path, cwd=start)


def add_directory_options(parser: argparse.ArgumentParser) -> None:
    """``--dir`` and ``--config``, shared by the case, cases and publish commands."""
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the advisory directory (default: [tool.pyward.advisory] directory, "
        f"else ./{DEFAULT_DIRECTORY})",
    )
    parser.add_argument(
        "--config", type=Path, default=None, metavar="FILE", help="configuration file"
    )


def from_args(args: argparse.Namespace) -> AdvisoryConfig:
    """The advisory settings of a command: its configuration file, its ``--dir``; the
    file's warnings go to stderr."""
    import sys
    from dataclasses import replace

    config = find_advisory_config(Path.cwd(), args.config)
    for line in config.warnings:
        sys.stderr.write(f"pyward: warning: {line}\n")
    if args.dir is not None:
        config = replace(config, directory=args.dir)
    return config
