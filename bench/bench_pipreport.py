"""pip installation report reader: read times of the recorded reports and of a large one.

Usage: python bench/bench_pipreport.py [-n RUNS]

The large report is the recorded ``index.json`` with its first entry copied N times
(default 300) under new names, each requiring the next two (one under a marker) and an
extra-only package: the shape of a resolution of a large application, as pip writes it.
Each figure is the median of the runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "tests" / "data" / "pip-report"


def median_ms(path: Path, runs: int) -> float:
    from pyward._inventory import _pipreport

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _pipreport.read(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def large_report(directory: Path, size: int) -> Path:
    doc = json.loads((REPORTS / "index.json").read_text())
    entry = doc["install"][0]
    items = []
    for i in range(size):
        item = copy.deepcopy(entry)
        item["metadata"]["name"] = f"pkg{i}"
        item["metadata"]["requires_dist"] = [
            f"pkg{(i + 1) % size}>=1",
            f'pkg{(i + 2) % size}; python_version >= "3.8"',
            'other-package; extra == "docs"',
        ]
        items.append(item)
    doc["install"] = items
    path = directory / "pip-report.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument("--size", type=int, default=300, help="entries of the large report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyward-bench-") as tmp:
        files = [*sorted(REPORTS.glob("*.json")), large_report(Path(tmp), args.size)]
        print(f"{'report':<28} {'entries':>8} {'read ms':>9}")
        for path in files:
            entries = len(json.loads(path.read_text())["install"])
            name = path.name if path.parent == REPORTS else f"synthetic ({args.size})"
            print(f"{name:<28} {entries:>8} {median_ms(path, args.runs):>9.2f}")


if __name__ == "__main__":
    main()
