"""The ``publishing`` and ``workflows`` rules of ``pyward release-check``: reading CI
configuration with line numbers, and the rules over it.

Usage::

    python bench/bench_release_workflows.py [-n RUNS] [--copies N]

Rows: every fixture repository of ``tests/data/release/workflows`` scanned in turn (the
size of a real project's ``.github/workflows``: one to three files); a repository of
``--copies`` copies of each fixture workflow (a monorepo, or a fleet's worth of
workflows in one run) loaded only (YAML with places, the job and step model) and
scanned (every rule). Columns: files, lines, hits, median and best wall time over RUNS,
and lines per millisecond for the scan.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyward._release._ci import load_workflows
from pyward._release._model import Repo
from pyward._release._workflows import scan

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "release" / "workflows"


def _repos() -> list[Path]:
    return sorted(
        {path.parents[2] for path in CASES.rglob(".github/workflows/*.yml")}
        | {path.parent for path in CASES.rglob(".gitlab-ci.yml")}
    )


def _timed(runs: int, work: Callable[[], int]) -> tuple[float, float, int]:
    work()  # untimed: imports, caches of compiled patterns
    times = []
    result = 0
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), result


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument("--copies", type=int, default=50)
    args = parser.parse_args()

    repos = _repos()
    files = [path for path in CASES.rglob("*") if path.suffix == ".yml" and path.is_file()]
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)

    rows: list[tuple[str, int, int, int, float, float]] = []
    median, best, hits = _timed(
        args.runs, lambda: sum(len(list(scan(Repo(root=repo)))) for repo in repos)
    )
    rows.append((f"{len(repos)} fixture repositories", len(files), lines, hits, median, best))

    with tempfile.TemporaryDirectory() as temp:
        target = Path(temp) / ".github" / "workflows"
        target.mkdir(parents=True)
        github = [path for path in files if ".github" in path.parts]
        for copy in range(args.copies):
            for index, path in enumerate(github):
                shutil.copyfile(path, target / f"{copy}-{index}-{path.name}")
        count = len(github) * args.copies
        big_lines = (
            sum(len(path.read_text(encoding="utf-8").splitlines()) for path in github) * args.copies
        )
        median, best, _ = _timed(args.runs, lambda: len(load_workflows(Repo(root=Path(temp)))))
        rows.append((f"{count} workflows: load", count, big_lines, 0, median, best))
        median, best, hits = _timed(args.runs, lambda: len(list(scan(Repo(root=Path(temp))))))
        rows.append((f"{count} workflows: scan", count, big_lines, hits, median, best))

    print(
        f"{'row':<32} {'files':>6} {'lines':>7} {'hits':>6} {'median ms':>10} "
        f"{'best ms':>8} {'lines/ms':>9}"
    )
    for name, count, size, found, median, best in rows:
        print(
            f"{name:<32} {count:>6} {size:>7} {found:>6} {median:>10.1f} {best:>8.1f} "
            f"{size / median:>9.0f}"
        )


if __name__ == "__main__":
    main()
