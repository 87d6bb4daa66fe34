"""The ``malicious`` check and the import of ossf/malicious-packages records (issue 14).

Usage::

    python bench/bench_malicious.py [-n RUNS] [--best]

Rows:

* ``db update`` of ``tests/data/malicious-packages`` (ossf/malicious-packages' layout,
  4 records), and of the PyPA database's records with them (2,663), into a new cache
  directory each run (a full import);
* the advisory checks over the kitchen-sink ``uv.lock`` (325 packages) with that store:
  ``vulnerability`` alone, ``malicious`` alone, and both (as every audit runs them). They
  share the matching code, not its results: each matches every component, so the row
  with both shows what the second check adds. "fresh": a store just opened (the first
  audit of a process, every CLI run); "warm": the same store again (its compiled entries
  kept, as in ``pyward serve`` or a fleet run).

Columns: median (``--best``: best) wall time over RUNS in milliseconds, findings.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyward._advisory import AdvisoryStore
    from pyward._model import Component, ComponentKey, Inventory

ROOT = Path(__file__).resolve().parent.parent
MALICIOUS = ROOT / "tests" / "data" / "malicious-packages"
PYPA = ROOT / "tests" / "data" / "pypa-advisory-database" / "vulns"
LOCK = ROOT / "bench" / "data" / "kitchen-sink" / "uv.lock"


def _time(fn: Callable[[], int], runs: int) -> tuple[list[float], int]:
    times = []
    out = 0
    for _ in range(runs):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, out


def _checked(
    cache: Path,
    subjects: tuple[tuple[Inventory, Component], ...],
    chosen: tuple[str, ...],
    warm: AdvisoryStore | None,
) -> Callable[[], int]:
    """One run of the ``chosen`` checks over ``subjects``: on ``warm`` (a store kept
    between runs), or on a store opened afresh when ``warm`` is ``None``."""
    from pyward._advisory import AdvisoryStore
    from pyward._checks import CHECKS, CheckContext, Sources, run_checks
    from pyward._findings import CheckId

    checks = [CHECKS[CheckId(c)] for c in chosen]

    def path_of(inv: Inventory, comp: Component) -> tuple[ComponentKey, ...]:
        return (comp.key,)

    def run() -> int:
        store = warm if warm is not None else AdvisoryStore.open(cache)
        context = CheckContext(
            subjects=subjects, sources=Sources(advisories=store), path_of=path_of
        )
        result, _ = run_checks(context, checks)
        return len(result.findings)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=11, help="runs per row (default 11)")
    parser.add_argument("--best", action="store_true", help="best run, not the median")
    args = parser.parse_args(argv)
    pick = min if args.best else statistics.median

    from pyward._advisory import AdvisoryStore
    from pyward._advisory._sync import update
    from pyward._inventory import _uvlock

    work = Path(tempfile.mkdtemp(prefix="pyward-bench-malicious-"))
    both = work / "both"
    shutil.copytree(PYPA, both / "pypa")
    shutil.copytree(MALICIOUS, both / "ossf")
    rows: list[tuple[str, float, int]] = []
    try:
        for label, source in (
            ("db update: ossf layout", MALICIOUS),
            ("db update: PyPA + ossf", both),
        ):
            n = 0

            def imported(source: Path = source) -> int:
                nonlocal n
                n += 1
                result = update(str(source), work / f"cache-{n}")
                return result.info.record_count if result.info else 0

            times, count = _time(imported, args.n)
            rows.append((label, pick(times), count))

        cache = work / "cache-1"
        update(str(both), cache)
        inv = _uvlock.read(LOCK)
        subjects = tuple((inv, c) for c in inv.components)
        runs = {
            "vulnerability": ("vulnerability",),
            "malicious": ("malicious",),
            "both": ("vulnerability", "malicious"),
        }
        for name, chosen in runs.items():
            for state in ("fresh", "warm"):
                warm = AdvisoryStore.open(cache) if state == "warm" else None
                times, found = _time(_checked(cache, subjects, chosen, warm), args.n)
                rows.append((f"{name} ({len(subjects)} packages, {state})", pick(times), found))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'row':48} {'ms':>9} {'count':>7}")
    for label, ms, count in rows:
        print(f"{label:48} {ms:9.2f} {count:7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
