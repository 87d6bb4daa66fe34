"""Lifecycle data and the ``eol`` check: what they add to every audit.

Usage: python bench/bench_lifecycle.py [-n RUNS] [--best]

Rows: importing the lifecycle package (in a fresh interpreter, after ``pyward._checks``,
which an audit imports anyway), loading the built-in snapshot, loading a refreshed copy
from a cache directory, and the ``eol`` check on the components of a corpus lock (guidellm's
``uv.lock``) plus the interpreter. Median of N runs in milliseconds (``--best``: the
fastest run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "tests" / "data" / "corpus" / "uv" / "guidellm" / "uv.lock"


def samples(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def import_ms(runs: int) -> list[float]:
    """Self time of importing the lifecycle package, by ``-X importtime``."""
    code = "import pyward._checks; import pyward._sources.lifecycle"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = []
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        last = [line for line in err.splitlines() if line.endswith("| pyward._sources.lifecycle")]
        out.append(int(last[-1].split("|")[1]) / 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument("--best", action="store_true")
    args = parser.parse_args()
    pick = min if args.best else statistics.median

    from pyward._checks import CheckContext, PythonTarget, Sources
    from pyward._checks._eol import run
    from pyward._inventory import _uvlock
    from pyward._sources.lifecycle import load_lifecycle
    from pyward._sources.lifecycle._convert import dump
    from pyward._sources.lifecycle._load import BUILTIN

    cache = Path(tempfile.mkdtemp(prefix="pyward-bench-"))
    (cache / "lifecycle.json").write_bytes(dump(json.loads(BUILTIN.read_bytes())))
    lifecycle, _ = load_lifecycle(None)
    inv = _uvlock.read(LOCK)
    context = CheckContext(
        subjects=tuple((inv, c) for c in inv.components),
        sources=Sources(lifecycle=lifecycle),
        path_of=lambda i, c: (c.key,),
        today=dt.date(2026, 12, 7),
        python=PythonTarget(version="3.8", origin="bench"),
    )
    rows = [
        ("import pyward._sources.lifecycle", import_ms(min(args.runs, 7))),
        ("load the built-in snapshot", samples(lambda: load_lifecycle(None), args.runs)),
        ("load a refreshed copy", samples(lambda: load_lifecycle(cache), args.runs)),
        (f"eol check, {len(inv.components)} components", samples(lambda: run(context), args.runs)),
    ]
    print(f"{'row':<44} {'ms':>8}")
    for name, times in rows:
        print(f"{name:<44} {pick(times) * 1000:>8.2f}")


if __name__ == "__main__":
    main()
