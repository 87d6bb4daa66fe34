"""Hostile inputs that used to take superlinear time (issue 12, item 7).

Usage: python bench/bench_hostile.py [--max-pins N] [--max-depth D]

Prints two tables of (n, seconds): a requirements file of n pins (``pkgN==1.0``), and
an include DAG of depth n (``r{i}.txt`` includes ``r{i+1}.txt`` twice, 2**n paths to
the last file). Both grow linearly: the time per pin and per level stays flat. The
tests count operations instead (``tests/inventory/test_requirements_hostile.py``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pyward._inventory import read_inventory


def _pins(directory: Path, n: int) -> Path:
    path = directory / f"pins-{n}.txt"
    path.write_text("".join(f"pkg{i}==1.0\n" for i in range(n)))
    return path


def _dag(directory: Path, depth: int) -> Path:
    root = directory / f"dag-{depth}"
    root.mkdir()
    for i in range(depth):
        (root / f"r{i}.txt").write_text(f"-r r{i + 1}.txt\n-r ./r{i + 1}.txt\n")
    (root / f"r{depth}.txt").write_text("six==1.16.0\n")
    return root / "r0.txt"


def _seconds(path: Path) -> float:
    start = time.perf_counter()
    read_inventory(path, format="requirements")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-pins", type=int, default=160_000)
    parser.add_argument("--max-depth", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print(f"{'pins':>8}  {'seconds':>8}  {'us/pin':>7}")
        n = 10_000
        while n <= args.max_pins:
            s = _seconds(_pins(directory, n))
            print(f"{n:>8}  {s:>8.3f}  {s / n * 1e6:>7.1f}")
            n *= 2
        print()
        print(f"{'depth':>8}  {'seconds':>8}")
        for depth in range(5, args.max_depth + 1, 5):
            print(f"{depth:>8}  {_seconds(_dag(directory, depth)):>8.4f}")


if __name__ == "__main__":
    main()
