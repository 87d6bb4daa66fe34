"""The popularity list and the ``typosquat`` check: storage, load, index and look-up.

Usage: python bench/bench_typosquat.py [-n RUNS] [--best]

Rows: the snapshot's size and load time in three encodings (the upstream CSV parsed and
normalised; JSON rows; the shipped gzip JSON of two arrays); importing the detector (in
a fresh interpreter, ``-X importtime``); building the index; one name against the whole
list (a typosquat, a popular name, a name with no neighbour, a long name), and the same
names by a naive scan that tries every technique on each of the 15,000 names (the peer
baseline: how GuardDog-style checks compare a name with a top list); the check on the
325 components of the kitchen-sink lock. Median of N runs (``--best``: the fastest).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "bench" / "data" / "kitchen-sink" / "uv.lock"
NAMES = ("reqeusts", "numpy", "my-private-thing", "opentelemetry-instrumentation-flaskk")


def samples(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def import_ms(runs: int) -> list[float]:
    """Self plus children time of importing the detector, by ``-X importtime``."""
    code = "import pyward._checks; import pyward._sources.popularity._squat"
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
        last = [ln for ln in err.splitlines() if ln.endswith("| pyward._sources.popularity._squat")]
        out.append(int(last[-1].split("|")[1]) / 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument("--best", action="store_true")
    args = parser.parse_args()
    pick = min if args.best else statistics.median

    from pyward._checks import CheckContext, Sources
    from pyward._checks._typosquat import run
    from pyward._inventory import _uvlock
    from pyward._model import canonical_name
    from pyward._sources.popularity._load import BUILTIN, load_popularity
    from pyward._sources.popularity._squat import SquatIndex, _Parts, _technique

    popularity, _ = load_popularity(None)
    names = list(popularity.downloads)
    counts = list(popularity.downloads.values())
    csv_text = "download_count,project\n" + "".join(
        f'{c},"{n}"\n' for n, c in zip(names, counts, strict=True)
    )
    rows_json = orjson.dumps(
        {"rows": [{"download_count": c, "project": n} for n, c in zip(names, counts, strict=True)]}
    )
    shipped = BUILTIN.read_bytes()

    def load_csv() -> dict[str, int]:
        reader = csv.reader(io.StringIO(csv_text))
        next(reader)
        return {canonical_name(n): int(c) for c, n in reader}

    def load_rows() -> dict[str, int]:
        return {r["project"]: r["download_count"] for r in orjson.loads(rows_json)["rows"]}

    print(f"{'encoding of the 15,000 names':<44} {'bytes':>10} {'load ms':>8}")
    for label, size, fn in (
        ("upstream CSV, parsed and normalised", len(csv_text), load_csv),
        ("JSON rows (upstream shape)", len(rows_json), load_rows),
        ("JSON rows, gzip", len(gzip.compress(rows_json, 9)), None),
        ("shipped: gzip JSON of two arrays", len(shipped), lambda: load_popularity(None)),
    ):
        ms = f"{pick(samples(fn, args.runs)) * 1000:>8.2f}" if fn else f"{'-':>8}"
        print(f"{label:<44} {size:>10,} {ms}")
    print()

    index = SquatIndex(popularity.downloads)
    rows: list[tuple[str, list[float], str]] = [
        ("import the detector", import_ms(min(args.runs, 7)), "ms"),
        ("build the index", samples(lambda: SquatIndex(popularity.downloads), args.runs), "ms"),
    ]

    def naive(name: str) -> list[str]:
        parts = _Parts.of(canonical_name(name))
        return [n for n in names if n != parts.name and _technique(parts, n) is not None]

    for name in NAMES:
        assert {m.target for m in index.matches(name)} >= set(naive(name)), name
        rows.append(
            (
                f"one name, indexed: {name}",
                samples(partial(index.matches, name), args.runs * 10),
                "us",
            )
        )
    for name in NAMES[:2]:
        rows.append(
            (
                f"one name, naive scan: {name}",
                samples(partial(naive, name), min(args.runs, 5)),
                "ms",
            )
        )
    inv = _uvlock.read(LOCK)
    context = CheckContext(
        subjects=tuple((inv, c) for c in inv.components),
        sources=Sources(popularity=popularity),
        path_of=lambda i, c: (c.key,),
    )
    rows.append(
        (
            f"typosquat check, {len(inv.components)} components",
            samples(lambda: run(context), args.runs),
            "ms",
        )
    )
    print(f"{'row':<60} {'time':>10}")
    for label, times, unit in rows:
        value = pick(times) * (1e6 if unit == "us" else 1e3)
        print(f"{label:<60} {value:>7.2f} {unit}")


if __name__ == "__main__":
    main()
