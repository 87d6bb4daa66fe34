"""The index checks (``yanked``, ``project-status``, ``outdated``, ``unmaintained``) over
a 300-package audit: what they add once the index metadata is in memory.

Usage::

    python bench/bench_status.py [-n RUNS] [--packages N] [--python X.Y] [--files]

The pages are the recorded ones of ``tests/data/index/simple`` (requests, six, sigstore,
sampleproject: 7 to 163 versions, 13 to 244 files), read by the real parser before the
timing as ``fetch_metadata`` reads them (version-level facts, no files; ``--files``: with
their files, as an ``IndexClient`` gives them, the checks then computing each page's
facts once per run) and copied under as many new names as it takes to reach
``--packages``, each copy with its own version strings (major numbers moved up), as
different projects have. Each package is pinned at the middle version of its list
(``--pin middle``: the most work for ``outdated``) or at its third newest (``--pin
recent``, nearer a lock kept up to date).

Rows: each check alone and the four together, in a fresh state (every cache of
:mod:`pyward._checks._index` emptied: the first audit of a ``pyward`` process) and
again (the caches of version strings and ``Requires-Python`` kept, the grouped pages
not: a later audit in one process, as a fleet run does, with its own metadata). Columns:
median and best wall time over RUNS, median CPU time, findings. Target (issue 13): the
four together add 20 ms or less to an audit with a warm metadata cache, i.e. the fresh
row, since every CLI run is a new process.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from pyward._checks import CHECKS, CheckContext, CheckOptions, PythonTarget, Sources, _index
from pyward._findings import CheckId
from pyward._model import Component, Inventory
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._model import ProjectInfo
from pyward._sources.index._parse import parse_project_page

ROOT = Path(__file__).resolve().parent.parent

SIMPLE = ROOT / "tests" / "data" / "index" / "simple"
INDEX = "https://index.invalid/simple/"
CHECK_IDS = ("yanked", "project-status", "outdated", "unmaintained")
#: Milliseconds the four checks may add to an audit (issue 13).
TARGET_MS = 20.0


def _pages(count: int, *, files: bool) -> list[ProjectInfo]:
    base = [
        parse_project_page(path.read_bytes(), url=f"{INDEX}{path.stem}/", keep_files=files)
        for path in sorted(SIMPLE.glob("*.json"))
    ]
    pages = []
    for i in range(count):
        page = base[i % len(base)]
        name = f"{page.name}-{i}"

        # Each copy's own version strings (the major number moved up by 100 per copy), as
        # 300 different projects have: the caches of version strings do not favour it.
        def shift(v: str, by: int = 100 * (i // len(base))) -> str:
            return re.sub(r"^\d+", lambda m: str(int(m.group()) + by), v)

        facts = page.facts
        pages.append(
            dataclasses.replace(
                page,
                name=name,
                page_url=f"{INDEX}{name}/",
                versions=tuple(shift(v) for v in page.versions),
                files=tuple(
                    dataclasses.replace(f, version=shift(f.version)) if f.version else f
                    for f in page.files
                ),
                facts=None
                if facts is None
                else dataclasses.replace(facts, versions=[shift(v) for v in facts.versions]),
            )
        )
    return pages


def _context(pages: list[ProjectInfo], python: str | None, pin: str) -> CheckContext:
    components = tuple(
        Component(
            name=p.name,
            version=p.versions[
                len(p.versions) // 2 if pin == "middle" else max(0, len(p.versions) - 3)
            ],
        )
        for p in pages
    )
    inv = Inventory(source="uv.lock", format="uv", components=components)
    return CheckContext(
        subjects=tuple((inv, c) for c in components),
        sources=Sources(index=IndexMetadata(pages={p.name: p for p in pages})),
        path_of=lambda inv, c: (c.key,),
        today=dt.date(2026, 12, 7),
        python=PythonTarget(version=python, origin="bench") if python else None,
        options=CheckOptions(),
    )


def _fresh(*, strings: bool) -> None:
    if not strings:
        return
    for cached in (
        _index.parse_version,
        _index.release_key,
        _index.is_prerelease,
        _index._admits,
        _index._specifier,
    ):
        cached.cache_clear()


def _measure(
    run: Callable[[], int], runs: int, *, fresh: bool
) -> tuple[list[float], list[float], int]:
    walls, cpus, found = [], [], 0
    run()  # imports and first-use costs out of the figures
    for _ in range(runs):
        _fresh(strings=fresh)
        wall, cpu = time.perf_counter(), time.process_time()
        found = run()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument("--packages", type=int, default=300)
    parser.add_argument("--python", default="3.9", help="the target Python ('' for none)")
    parser.add_argument(
        "--pin",
        choices=("middle", "recent"),
        default="middle",
        help="pin each package at the middle of its version list (many releases behind, the "
        "most work for outdated) or at the third newest version",
    )
    parser.add_argument(
        "--files",
        action="store_true",
        help="pages with their files, the checks computing each page's facts once per run "
        "(a page from an IndexClient); by default pages as fetch_metadata gives them, "
        "their facts read without their files",
    )
    args = parser.parse_args(argv)
    context = _context(_pages(args.packages, files=args.files), args.python or None, args.pin)

    def runner(ids: tuple[str, ...]) -> Callable[[], int]:
        def run() -> int:
            return sum(len(CHECKS[CheckId(i)].run(context).findings) for i in ids)

        return run

    rows = [(check, (check,)) for check in CHECK_IDS] + [("all four", CHECK_IDS)]
    print(
        f"{args.packages} packages ({'pages with files' if args.files else 'page facts'}) "
        f"pinned at the {args.pin} version, Python "
        f"{args.python or 'any'}, {args.runs} runs "
        f"(target: all four, fresh, <= {TARGET_MS:g} ms)"
    )
    print(f"{'checks':15} {'state':6} {'median ms':>10} {'best ms':>8} {'CPU ms':>7} {'found':>6}")
    missed = False
    for label, ids in rows:
        for fresh in (True, False):
            walls, cpus, found = _measure(runner(ids), args.runs, fresh=fresh)
            median = statistics.median(walls)
            flag = ""
            if label == "all four" and fresh and median > TARGET_MS:
                flag, missed = "  MISS", True
            print(
                f"{label:15} {'fresh' if fresh else 'again':6} {median:10.1f} "
                f"{min(walls):8.1f} {statistics.median(cpus):7.1f} {found:6}{flag}"
            )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
