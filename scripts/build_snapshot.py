"""Build the built-in advisory snapshot shipped in the wheel.

    python scripts/build_snapshot.py [SOURCE_DIR] [OUT_DIR]

Defaults: the PyPA advisory database in ``tests/data/pypa-advisory-database`` (its
``vulns`` tree) into ``src/pyward/_advisory/data``. The output is deterministic, and
``tests/advisory/test_snapshot.py`` checks that the shipped artifact holds exactly
what this script produces from the data.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "tests" / "data" / "pypa-advisory-database"
DEFAULT_OUT = ROOT / "src" / "pyward" / "_advisory" / "data"


def label_for(db: Path) -> str:
    """``PyPA advisory database 3ccb6125 (2024-10-10)`` from its PROVENANCE.md."""
    provenance = db / "PROVENANCE.md"
    text = provenance.read_text(encoding="utf-8") if provenance.is_file() else ""
    found = re.search(r"commit ([0-9a-f]{7,40}) \((\d{4}-\d{2}-\d{2})\)", text)
    if found is None:
        return "PyPA advisory database"
    return f"PyPA advisory database {found.group(1)} ({found.group(2)})"


def main(argv: list[str]) -> int:
    from pyward._advisory._sync import build_snapshot

    db = Path(argv[0]) if argv else DEFAULT_DB
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    vulns = db / "vulns" if (db / "vulns").is_dir() else db
    manifest = build_snapshot(vulns, out, label=label_for(db))
    for warning in manifest["skipped_records"]:
        sys.stderr.write(f"warning: {warning}\n")
    sys.stdout.write(
        f"{out}: {manifest['record_count']} records, newest {manifest['newest_modified']}, "
        f"{manifest['skipped']} skipped, sha256 {manifest['sha256'][:16]}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
