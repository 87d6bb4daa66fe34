"""Lock-file readers: parse and read times on every lock of the corpus.

Usage: python bench/bench_readers.py [-n RUNS]

Per file: size, packages (components + not audited + project), the stdlib ``tomllib``
parse, the ``rtoml`` parse, a full uncached read (parse + model), and a cached read
(warm entry in a temporary cache directory). Each figure is the median of N runs, in
milliseconds (``--best``: the fastest run, steadier on a busy machine). Pipfile.lock is
JSON: its parse column is ``orjson``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"


def median_ms(fn: Callable[[], object], runs: int) -> float:
    return statistics.median(samples(fn, runs)) * 1000


def best_ms(fn: Callable[[], object], runs: int) -> float:
    return min(samples(fn, runs)) * 1000


def samples(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument(
        "--best", action="store_true", help="report the fastest run instead of the median"
    )
    args = parser.parse_args()
    timing = best_ms if args.best else median_ms
    cache = Path(tempfile.mkdtemp(prefix="pyward-bench-")) / "inventory"

    import orjson
    import rtoml

    from pyward._inventory import _cache, _pdm, _pipfile, _poetry, _pylock, _toml, _uvlock

    readers = {
        "uv.lock": _uvlock.read,
        "poetry.lock": _poetry.read,
        "pdm.lock": _pdm.read,
        "Pipfile.lock": _pipfile.read,
        "pylock.toml": _pylock.read,
    }
    files = sorted(p for name in readers for p in CORPUS.glob(f"*/*/{name}"))
    header = (
        f"{'file':<44} {'KiB':>6} {'pkgs':>5} {'tomllib':>8} {'rtoml':>7} {'read':>7} {'cached':>7}"
    )
    print(f"{'fastest' if args.best else 'median'} of {args.runs} runs, milliseconds")
    print(header)
    print("-" * len(header))
    for path in files:
        read = readers[path.name]
        text = path.read_text()
        inv = read(path)  # warm imports
        packages = len(inv.components) + len(inv.not_audited) + (inv.project is not None)
        if path.name == "Pipfile.lock":
            data = path.read_bytes()
            stdlib = "-"
            fast = f"{timing(partial(orjson.loads, data), args.runs):7.2f}"
        else:
            stdlib = f"{timing(partial(_toml.stdlib_loads, text), args.runs):8.2f}"
            fast = f"{timing(partial(rtoml.loads, text), args.runs):7.2f}"
        full = timing(partial(read, path), args.runs)
        _cache.cached_read(path.name, path, read, directory=cache)
        cached = timing(
            partial(_cache.cached_read, path.name, path, read, directory=cache), args.runs
        )
        size = path.stat().st_size / 1024
        print(
            f"{path.relative_to(CORPUS)!s:<44} {size:6.0f} {packages:5d} {stdlib:>8} {fast:>7} "
            f"{full:7.2f} {cached:7.2f}"
        )


if __name__ == "__main__":
    main()
