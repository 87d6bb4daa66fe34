"""Build the built-in popularity snapshot shipped in the wheel.

    python scripts/popularity_snapshot.py CSV [OUT_FILE]

CSV is hugovk/top-pypi-packages' ``top-pypi-packages.csv`` (``download_count,project``)
at the commit named in ``SOURCE``; the default output is
``src/pyward/_sources/popularity/data/snapshot.json.gz``. Names are PEP 503 normalised
and sorted most downloaded first; the output is deterministic (gzip without a time
stamp), so the same CSV always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pyward._sources.popularity._convert import dump, from_csv  # noqa: E402
from pyward._sources.popularity._load import parse_popularity  # noqa: E402

DEFAULT_OUT = ROOT / "src" / "pyward" / "_sources" / "popularity" / "data" / "snapshot.json.gz"

#: The upstream commit and its date (the counts are of the month before: March 2026).
SOURCE = "hugovk/top-pypi-packages 5501c5c (built-in snapshot)"
UPDATED = dt.date(2026, 4, 6)


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    csv_file = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    doc = from_csv(csv_file.read_text(encoding="utf-8"), source=SOURCE, fetched=UPDATED)
    data = dump(doc)
    popularity, _ = parse_popularity(data, out)
    out.write_bytes(data)
    print(f"{out}: {len(popularity.downloads)} projects, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
