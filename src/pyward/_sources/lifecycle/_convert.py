"""From endoflife.date's data to pyward's lifecycle file (the format :mod:`._load` reads).

Two upstream shapes are read:

* the product files of the endoflife.date repository (``products/*.md``: YAML front
  matter with ``releases[]`` and ``identifiers[]``), which the built-in snapshot is
  built from (``scripts/lifecycle_snapshot.py``) and which ``db update
  --lifecycle-from DIR`` reads;
* the answer of its API v1 "all products, full" endpoint (``/api/v1/products/full``:
  ``{"schema_version", "generated_at", "result": [product...]}``, each product with
  ``identifiers[{type, id}]`` and ``releases[{name, releaseDate, isLts, eoasFrom,
  isEol, eolFrom, latest{name}}]``), which ``db update`` downloads.

Only the interpreter (``python``) and the products that name a PyPI project
(``pkg:pypi/NAME``) are kept. The result is a plain document; :func:`dump` writes it
the same way every time, so a rebuilt snapshot is byte-for-byte the shipped one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pyward._model import canonical_name
from pyward._sources.lifecycle._load import FORMAT
from pyward._wire import FOUND, Table, Wire
from pyward.errors import InputError

__all__ = ["FORMAT", "PYTHON", "dump", "from_api", "from_product_files", "product_file"]

#: The interpreter's product id, kept whatever its identifiers.
PYTHON = "python"

_PURL = re.compile(r"pkg:pypi/([^@?#/]+)", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)


def _pypi(purl: str) -> str | None:
    m = _PURL.fullmatch(purl.strip().split("@", 1)[0].split("?", 1)[0].split("#", 1)[0])
    return canonical_name(m.group(1)) if m else None


def _day(value: object) -> str | None:
    """A date of the data as ``YYYY-MM-DD`` (YAML gives ``date`` objects, JSON strings)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None


def _cycle_name(t: Table, key: str) -> str:
    # YAML reads an unquoted ``releaseCycle: 9`` as a number; endoflife.date quotes
    # ``"3.10"`` because a float would lose the zero, so a float is refused.
    value = t.data.get(key)
    if type(value) is int:
        return str(value)
    return t.string(key).strip()


def _cycle(name: str, **values: object) -> dict[str, Any]:
    """One cycle entry, its absent values left out (the file stays small)."""
    out: dict[str, Any] = {"name": name}
    out.update((k, v) for k, v in values.items() if v is not None and v is not False)
    return out


def _flag_or_day(t: Table, key: str) -> str | bool | None:
    """``eol``: a date, or a boolean when no date is known."""
    value = t.data.get(key)
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    day = _day(value)
    if day is None:
        raise t.error(key, f"expected a date or a boolean, found {value!r}")
    return day


def product_file(path: Path) -> dict[str, Any] | None:
    """The product of one endoflife.date ``products/*.md`` file, or ``None`` when it is
    neither the interpreter nor a PyPI project. Raises :class:`InputError` naming the
    file and the key path."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    m = _FRONT_MATTER.match(text)
    if m is None:
        raise InputError(path, "no YAML front matter (--- ... ---)")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(m.group(1), Loader=loader)  # noqa: S506 # nosec B506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}" if mark is not None else None
        raise InputError(path, f"not YAML: {getattr(exc, 'problem', None) or exc}", where) from None
    w = Wire(path, FOUND)
    doc = w.table(data, "")
    name = path.stem
    packages = sorted(
        {p for t in doc.tables("identifiers") if (p := _pypi(t.opt_string("purl") or ""))}
    )
    if name != PYTHON and not packages:
        return None
    cycles = []
    for r in doc.tables("releases"):
        lts = r.data.get("lts")
        cycles.append(
            _cycle(
                _cycle_name(r, "releaseCycle"),
                released=_day(r.data.get("releaseDate")),
                eoas=_day(r.data.get("eoas")),
                eol=_flag_or_day(r, "eol"),
                latest=None if r.data.get("latest") is None else str(r.data["latest"]),
                lts=bool(lts) if isinstance(lts, bool) else lts is not None,
            )
        )
    return {
        "name": name,
        "label": doc.opt_string("title") or name,
        "packages": packages,
        "cycles": cycles,
    }


def from_product_files(directory: Path, *, source: str, updated: str) -> dict[str, Any]:
    """The lifecycle document of a directory of endoflife.date product files."""
    if not directory.is_dir():
        raise InputError(directory, "not a directory of endoflife.date product files")
    products = [p for f in sorted(directory.glob("*.md")) if (p := product_file(f)) is not None]
    if not any(p["name"] == PYTHON for p in products):
        raise InputError(directory, "no python.md (the interpreter's schedule)")
    return {"format": FORMAT, "source": source, "updated": updated, "products": products}


def from_api(data: object, *, source: str, fetched: dt.date) -> dict[str, Any]:
    """The lifecycle document of an API v1 ``products/full`` answer (parsed JSON).
    Raises :class:`InputError` naming ``source`` and the key path of a bad value."""
    w = Wire(source, FOUND)
    doc = w.table(data, "")
    version = doc.opt_string("schema_version") or ""
    if version.split(".", 1)[0] != "1":
        raise doc.error("schema_version", f"unsupported API version {version!r} (expected 1.x)")
    products: list[dict[str, Any]] = []
    for p in doc.tables("result"):
        name = p.string("name")
        packages = sorted(
            {
                pkg
                for t in p.tables("identifiers")
                if t.opt_string("type") == "purl" and (pkg := _pypi(t.opt_string("id") or ""))
            }
        )
        if name != PYTHON and not packages:
            continue
        cycles = []
        for r in p.tables("releases"):
            eol_from = r.opt_string("eolFrom")
            eol: str | bool | None = r.opt_bool("isEol")
            if eol_from is not None:
                eol = _day(eol_from)
                if eol is None:
                    raise r.error("eolFrom", f"not a date: {eol_from!r}")
            latest = r.sub("latest")
            cycles.append(
                _cycle(
                    _cycle_name(r, "name"),
                    released=_day(r.opt_string("releaseDate")),
                    eoas=_day(r.opt_string("eoasFrom")),
                    eol=eol,
                    latest=None if latest is None else latest.opt_string("name"),
                    lts=bool(r.opt_bool("isLts")),
                )
            )
        products.append(
            {
                "name": name,
                "label": p.opt_string("label") or name,
                "packages": packages,
                "cycles": cycles,
            }
        )
    if not any(p["name"] == PYTHON for p in products):
        raise InputError(source, "no product 'python' (the interpreter's schedule)", "result")
    products.sort(key=lambda p: p["name"])
    generated = _day(doc.opt_string("generated_at")) or fetched.isoformat()
    return {"format": FORMAT, "source": source, "updated": generated, "products": products}


def dump(document: dict[str, Any]) -> bytes:
    """The document as the lifecycle file holds it: JSON, one product per line."""
    import json

    head = {k: v for k, v in document.items() if k != "products"}
    lines = [json.dumps(head, sort_keys=True)[:-1] + ', "products": [']
    products = document["products"]
    for i, product in enumerate(products):
        sep = "," if i < len(products) - 1 else ""
        lines.append(json.dumps(product, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append("]}")
    return ("\n".join(lines) + "\n").encode("utf-8")
