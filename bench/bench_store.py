"""Advisory store figures: import, open, lookups. Prints a table; decides nothing.

    python bench/bench_store.py

Data: the real PyPA advisory database in tests/data (2,662 files), and the name/version
pairs of two real lock files from tests/data/corpus (a 2020 Poetry lock with old,
vulnerable pins and a 2024 uv lock) as a ~400-package audit.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VULNS = ROOT / "tests" / "data" / "pypa-advisory-database" / "vulns"
LOCKS = [
    ROOT / "tests" / "data" / "corpus" / "poetry" / "saleor-2020" / "poetry.lock",
    ROOT / "tests" / "data" / "corpus" / "uv" / "litestar-2024" / "uv.lock",
]


def lock_pairs() -> list[tuple[str, str]]:
    pairs = []
    for lock in LOCKS:
        import rtoml

        data = rtoml.loads(lock.read_text(encoding="utf-8"))
        pairs += [(p["name"], p["version"]) for p in data.get("package", []) if "version" in p]
    return pairs


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time in seconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def main() -> int:
    from pyward._advisory import AdvisoryStore
    from pyward._advisory._store import STORE_FILE
    from pyward._advisory._sync import update

    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        start = time.perf_counter()
        result = update(str(VULNS), cache)
        rows.append(
            ("db update, full import (dir)", fmt(time.perf_counter() - start), "budget < 3 s")
        )
        start = time.perf_counter()
        again = update(str(VULNS), cache)
        rows.append(
            (
                "db update, nothing changed",
                fmt(time.perf_counter() - start),
                f"{again.unchanged} unchanged",
            )
        )
        size = (cache / STORE_FILE).stat().st_size
        rows.append(("store file size", f"{size / 1e6:.1f} MB", f"{result.added} records"))

        rows.append(("open (store file)", fmt(timed(lambda: AdvisoryStore.open(cache), 20)), ""))
        snap = Path(tmp) / "snap"
        start = time.perf_counter()
        AdvisoryStore.open(snap)
        rows.append(("open snapshot, first (unpack)", fmt(time.perf_counter() - start), ""))
        rows.append(("open snapshot, later", fmt(timed(lambda: AdvisoryStore.open(snap), 20)), ""))

        pairs = lock_pairs()

        def audit() -> int:
            store = AdvisoryStore.open(cache)
            return sum(len(store.matches(n, v)) for n, v in pairs)

        found = audit()
        rows.append(
            (
                f"open + matches() x {len(pairs)} (cold)",
                fmt(timed(audit, 7)),
                f"{found} matches",
            )
        )
        store = AdvisoryStore.open(cache)
        store.matches("django", "2.2")
        per = timed(lambda: [store.matches("django", "2.2") for _ in range(1000)], 5) / 1000
        rows.append(
            (
                "matches('django', '2.2') warm",
                fmt(per),
                f"{len(store.matches('django', '2.2'))} hits",
            )
        )
        per = timed(lambda: [store.matches("not-there", "1.0") for _ in range(1000)], 5) / 1000
        rows.append(("matches(unknown name)", fmt(per), ""))
        fresh = AdvisoryStore.open(cache)
        start = time.perf_counter()
        fresh.matches("django", "2.2")
        rows.append(
            (
                "matches('django') first call",
                fmt(time.perf_counter() - start),
                "compiles ~120 records",
            )
        )
        per = timed(lambda: [store.vulnerabilities("django", "2.2") for _ in range(100)], 3) / 100
        rows.append(("vulnerabilities('django', '2.2')", fmt(per), "alias merge"))

    code = (
        "import time; t = time.perf_counter(); import pyward._advisory._store; "
        "print(time.perf_counter() - t)"
    )
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    rows.append(
        ("import pyward._advisory._store", fmt(statistics.median(imports)), "fresh process")
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'time':>10}  note")
    print(f"{'-' * width}  {'-' * 10}  ----")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
