"""Publish a draft: the next id of a prefix, written into a directory laid out like the
PyPA advisory database (``DIR/vulns/<package>/<ID>.yaml``), which ``pyward db update
--source DIR`` reads.

Ids are ``PREFIX-YEAR-N``, ``N`` one more than the largest ``N`` of that prefix and
year among the directory's records. Two people publishing at once cannot get the same
id: the id is chosen under the directory's lock (:mod:`._lock`), and the record file is
created only if its name is free (else the next ``N`` is tried), which also guards
against a run that does not take the lock.

A draft's id is a placeholder: ``<PREFIX>-0000-<anything>``, the PyPA advisory
database's convention for a new entry (``PYSEC-0000-...``). The record is written as
YAML in the key order of the database's newer records (OSV's field order), multi-line
text as literal blocks, and checked with the store's own reader before it is written,
so that what ``publish`` writes is what ``db update`` reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyward._authoring._lock import create_new, directory_lock
from pyward._wire import format_rfc3339
from pyward.errors import InputError, UsageError

__all__ = [
    "VULNS_DIR",
    "Published",
    "dump_yaml",
    "is_placeholder",
    "next_number",
    "publish",
]

VULNS_DIR = "vulns"
_STR = "tag:yaml.org,2002:str"
_PLACEHOLDER = re.compile(r"[A-Za-z][A-Za-z0-9_-]*-0000-.+")
#: The order of the PyPA database's newer records (OSV's own field order); keys not
#: listed follow in the draft's order.
KEY_ORDER = (
    "schema_version",
    "id",
    "modified",
    "published",
    "withdrawn",
    "aliases",
    "upstream",
    "related",
    "summary",
    "details",
    "affected",
    "severity",
    "references",
    "credits",
    "database_specific",
)
#: A PEP 508 project name: nothing that could name a path outside ``vulns/``.
_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Published:
    """What :func:`publish` wrote."""

    id: str
    """The id assigned."""
    path: Path
    """The record's file."""
    record: Mapping[str, Any]
    """The record as written."""


def is_placeholder(record_id: object) -> bool:
    """Whether ``record_id`` is a draft's placeholder (``PREFIX-0000-...``)."""
    return isinstance(record_id, str) and _PLACEHOLDER.fullmatch(record_id) is not None


def load_draft(path: Path) -> dict[str, Any]:
    """The draft record of ``path`` (OSV JSON, or YAML by its suffix), its shape
    checked: a placeholder id and an affected package with a usable name."""
    from pyward._advisory._osv import load_document

    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    data = load_document(path.name, payload, file=str(path))  # RecordError: an InputError
    if not isinstance(data, dict):
        raise InputError(path, "not an OSV record (expected a JSON object)")
    rid = data.get("id")
    if not is_placeholder(rid):
        raise InputError(
            path,
            f"{rid!r} is not a draft's placeholder id (PREFIX-0000-...): publish assigns "
            "the id, once",
            where="id",
        )
    affected = data.get("affected")
    if not isinstance(affected, list) or not affected:
        raise InputError(path, "missing: a record names at least one package", where="affected")
    package = affected[0].get("package") if isinstance(affected[0], dict) else None
    name = package.get("name") if isinstance(package, dict) else None
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(
            path,
            "missing" if name is None else f"not a package name: {name!r}",
            where="affected[0].package.name",
        )
    return data


def next_number(directory: Path, prefix: str, year: int) -> int:
    """One more than the largest ``N`` of ``PREFIX-YEAR-N`` among the record files
    under ``DIR/vulns``."""
    pattern = re.compile(re.escape(f"{prefix}-{year}-") + r"(\d+)\.(?:ya?ml|json)")
    root = directory / VULNS_DIR
    found = [
        int(m[1])
        for p in (root.glob(f"*/{prefix}-{year}-*") if root.is_dir() else ())
        if (m := pattern.fullmatch(p.name))
    ]
    return max(found, default=0) + 1


def _package_dir(directory: Path, name: str) -> Path:
    """``DIR/vulns/<name>``: the folder of the package already there under any spelling
    of its name, else its PEP 503 name."""
    from pyward._model import canonical_name

    root = directory / VULNS_DIR
    canon = canonical_name(name)
    if root.is_dir():
        for child in root.iterdir():
            if child.is_dir() and canonical_name(child.name) == canon:
                return child
    return root / canon


def ordered(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with its keys in :data:`KEY_ORDER`, the others after them."""
    out = {k: record[k] for k in KEY_ORDER if k in record}
    out.update((k, v) for k, v in record.items() if k not in out)
    return out


def dump_yaml(record: Mapping[str, Any]) -> str:
    """The record as the PyPA advisory database writes it: block style, sequences not
    indented under their key, multi-line text as literal blocks, lines never folded."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style: str | None = None
        if "\n" in value:
            style = "|"
        elif (
            not value
            or dumper.resolve(yaml.ScalarNode, value, (True, False)) != _STR  # type: ignore[no-untyped-call]
            or not dumper.analyze_scalar(value).allow_block_plain
        ):
            style = '"'  # what needs quotes is double-quoted ("0", timestamps)
        return dumper.represent_scalar(_STR, value, style=style)

    Dumper.add_representer(str, text)
    out: str = yaml.dump(
        dict(record),
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1 << 30,
    )
    return out


def publish(
    draft: Mapping[str, Any],
    directory: Path,
    *,
    prefix: str,
    now: dt.datetime,
    case: str | None = None,
    draft_name: str = "draft",
) -> Published:
    """Assign the next id of ``prefix`` to ``draft`` (shape checked by
    :func:`load_draft`), set ``published`` and ``modified`` to ``now`` and write it to
    ``DIR/vulns/<package>/<ID>.yaml``. With ``case``, the case (which must be
    ``fix-ready``, for the same package) is marked published with the id, under the
    same lock."""
    from pyward._advisory._osv import parse_advisory
    from pyward._authoring import _cases
    from pyward._model import canonical_name

    stamp = format_rfc3339(now)
    name = draft["affected"][0]["package"]["name"]
    year = now.astimezone(dt.timezone.utc).year
    # What `db update` will read, checked by its own reader (a RecordError names the
    # draft and the key path) before an id is spent on it.
    parse_advisory({**draft, "modified": stamp, "published": stamp}, file=draft_name)
    with directory_lock(directory):
        linked = None
        if case is not None:
            linked = _cases.load_case(directory, case)
            _cases.check_move(linked, "published")
            if canonical_name(linked.package) != canonical_name(name):
                raise UsageError(
                    f"{draft_name}: affected[0].package.name {name!r} is not the package "
                    f"of {case} ({linked.package!r})"
                )
        folder = _package_dir(directory, name)
        number = next_number(directory, prefix, year)
        while True:
            record_id = f"{prefix}-{year}-{number}"
            record = ordered({**draft, "id": record_id, "modified": stamp, "published": stamp})
            path = folder / f"{record_id}.yaml"
            if create_new(path, dump_yaml(record).encode("utf-8")):
                break
            number += 1  # written by a run that does not take the lock
        if linked is not None:
            done = _cases.moved(linked, "published", now=now, advisory=record_id)
            _cases.write_case(directory, done)
    return Published(id=record_id, path=path, record=record)
