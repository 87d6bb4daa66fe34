"""Build the built-in lifecycle snapshot shipped in the wheel.

    python scripts/lifecycle_snapshot.py [PRODUCTS_DIR] [OUT_FILE]
    python scripts/lifecycle_snapshot.py --api [PRODUCTS_DIR] [OUT_FILE]

Defaults: endoflife.date's product files in ``tests/data/endoflife/products`` into
``src/pyward/_sources/lifecycle/data/snapshot.json``; the commit and date of the data
come from ``tests/data/endoflife/PROVENANCE.md``. Only python and the products with a
``pkg:pypi/`` identifier are kept. The output is deterministic, and
``tests/lifecycle/test_snapshot.py`` checks that the shipped file is exactly what this
script produces.

``--api`` writes the same products in the shape of endoflife.date's API v1
``products/full`` answer instead (``tests/data/endoflife/api-v1-products-full.json``,
which the refresh tests serve), with ``isEol`` decided on the data's date.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "endoflife"
DEFAULT_PRODUCTS = DATA / "products"
DEFAULT_OUT = ROOT / "src" / "pyward" / "_sources" / "lifecycle" / "data" / "snapshot.json"
DEFAULT_API_OUT = DATA / "api-v1-products-full.json"


def provenance(products: Path) -> tuple[str, str]:
    """(source label, date) from the PROVENANCE.md beside the products directory."""
    file = products.parent / "PROVENANCE.md"
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    found = re.search(r"commit\s+([0-9a-f]{7,40})\s+\((\d{4}-\d{2}-\d{2})\)", text)
    if found is None:
        raise SystemExit(f"{file}: no 'commit HASH (YYYY-MM-DD)' line")
    return f"endoflife.date {found.group(1)} (built-in snapshot)", found.group(2)


def api_answer(document: dict[str, Any]) -> dict[str, Any]:
    """The API v1 ``products/full`` answer for a lifecycle document."""
    day = dt.date.fromisoformat(document["updated"])
    result = []
    for p in document["products"]:
        releases = []
        for c in p["cycles"]:
            eol = c.get("eol", False)
            is_eol = eol if isinstance(eol, bool) else dt.date.fromisoformat(eol) <= day
            releases.append(
                {
                    "name": c["name"],
                    "codename": None,
                    "label": c["name"],
                    "releaseDate": c.get("released"),
                    "isLts": c.get("lts", False),
                    "ltsFrom": None,
                    "isEoas": c["eoas"] <= document["updated"] if "eoas" in c else is_eol,
                    "eoasFrom": c.get("eoas"),
                    "isEol": is_eol,
                    "eolFrom": None if isinstance(eol, bool) else eol,
                    "isMaintained": not is_eol,
                    "latest": {"name": c["latest"], "date": None, "link": None}
                    if "latest" in c
                    else None,
                }
            )
        identifiers = [{"type": "purl", "id": f"pkg:pypi/{name}"} for name in p["packages"]]
        result.append(
            {
                "name": p["name"],
                "aliases": [],
                "label": p["label"],
                "category": "lang" if p["name"] == "python" else "framework",
                "tags": [],
                "versionCommand": None,
                "identifiers": identifiers,
                "labels": {"eoas": None, "discontinued": None, "eol": None, "eoes": None},
                "links": {
                    "icon": None,
                    "html": f"https://endoflife.date/{p['name']}",
                    "releasePolicy": None,
                },
                "releases": releases,
            }
        )
    return {
        "schema_version": "1.2.1",
        "generated_at": f"{document['updated']}T00:00:00+00:00",
        "total": len(result),
        "result": result,
    }


def main(argv: list[str]) -> int:
    from pyward._sources.lifecycle._convert import dump, from_product_files
    from pyward.errors import PywardError

    api = "--api" in argv
    args = [a for a in argv if a != "--api"]
    products = Path(args[0]) if args else DEFAULT_PRODUCTS
    out = Path(args[1]) if len(args) > 1 else (DEFAULT_API_OUT if api else DEFAULT_OUT)
    source, day = provenance(products)
    try:
        document = from_product_files(products, source=source, updated=day)
    except PywardError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    data = (json.dumps(api_answer(document), indent=1) + "\n").encode() if api else dump(document)
    out.write_bytes(data)
    names = ", ".join(p["name"] for p in document["products"])
    sys.stdout.write(f"wrote {out} ({len(data)} bytes): {names}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
