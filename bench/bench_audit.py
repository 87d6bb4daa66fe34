"""Whole-process timings of the ``pyward`` command: start-up and audits of real locks.

Usage::

    python bench/bench_audit.py [-n RUNS] [--lock NAME ...] [--instructions] [--src DIR]

Every figure is a fresh ``pyward`` process, as a user or CI runs it: ``pyward
--version``; ``pyward audit LOCK --format json`` with a cold read cache (emptied before
each run) and warm; ``--format table`` and ``sarif`` warm; and the first run on a
machine with no store (the built-in snapshot is unpacked, the read cache is empty).
Data: a store built once by ``pyward db update --source`` from the PyPA advisory
database in ``tests/data`` (the same data ``bench/compare.py`` gives the peers).
Offline (``PYWARD_OFFLINE=1``): the index checks find nothing cached and are skipped;
``compare.py`` times them against a loopback index.

Rows run in turn, round after round (a busy machine slows every row alike). Columns:
median and p90 wall time over N runs, median CPU time (user + system of the
process, steadier than wall time on a busy machine), peak RSS; with
``--instructions``, instructions executed in one run under ``valgrind --tool=callgrind``
(exact and repeatable: use it to compare two versions of the code). Rows with a target
(issue 4: ``--version`` under 50 ms; a ~300-package lock audited to JSON under 100 ms)
are flagged ``MISS`` when the median wall time exceeds it.

Byte code: the process runs with ``PYTHONDONTWRITEBYTECODE`` removed and
``PYTHONPYCACHEPREFIX`` in the temporary directory, so modules load from ``.pyc`` as
in an installed wheel (a development shell with ``PYTHONDONTWRITEBYTECODE=1`` would
otherwise compile every pyward module on every run, +60 ms).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VULNS = ROOT / "tests" / "data" / "pypa-advisory-database" / "vulns"
CORPUS = ROOT / "tests" / "data" / "corpus"
#: Locks made for the benchmarks (see ``bench/data/README.md``).
BENCH_DATA = ROOT / "bench" / "data"
BIN = Path(sys.executable).parent
PYWARD = str(BIN / "pyward")

#: The locks of issue 4: guidellm (1.15 MB, 177 entries), fastapi, litestar-2024, and
#: kitchen-sink (325 packages, 50 findings: the issue's "300-package uv.lock").
DEFAULT_LOCKS = ("guidellm", "fastapi", "litestar-2024", "kitchen-sink")


def lock_path(name: str) -> Path:
    """``bench/data/NAME/uv.lock`` when it exists, else the corpus's ``uv/NAME/uv.lock``."""
    own = BENCH_DATA / name / "uv.lock"
    return own if own.is_file() else CORPUS / "uv" / name / "uv.lock"


TARGET_VERSION_MS = 50.0
TARGET_AUDIT_MS = 100.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One process run."""

    wall: float
    """Seconds from spawn to exit."""
    cpu: float
    """User + system CPU seconds of the process (and its children)."""
    rss_kb: int
    """Peak resident set size, KiB."""


#: GNU time: the peak RSS of a process is only right when a small process starts it
#: (a child forked from this Python starts with this process's pages counted).
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


def with_rss(cmd: Sequence[str], rss_file: Path) -> list[str]:
    """``cmd`` run under GNU time writing the peak RSS (KiB) to ``rss_file``."""
    if GNU_TIME is None:
        return list(cmd)
    return [GNU_TIME, "-f", "%M", "-o", str(rss_file), *cmd]


def peak_rss_kb(rss_file: Path, fallback: int) -> int:
    """What :func:`with_rss` wrote, else ``wait4``'s figure (an upper bound)."""
    try:
        return int(rss_file.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return fallback


def run_once(
    cmd: Sequence[str],
    env: dict[str, str],
    *,
    cwd: Path | None = None,
    ok: tuple[int, ...] = (0, 1),
    stdout: int | None = subprocess.DEVNULL,
) -> Sample:
    """Run ``cmd`` once: wall time, CPU time (``wait4``), peak RSS (:func:`with_rss`)."""
    fd, rss_name = tempfile.mkstemp(prefix="pyward-bench-rss-")
    os.close(fd)
    rss_file = Path(rss_name)
    start = time.perf_counter()
    proc = subprocess.Popen(
        with_rss(cmd, rss_file),
        env=env,
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in ok:
        raise SystemExit(
            f"{' '.join(cmd)}: exit {proc.returncode}\n{err.decode(errors='replace')[-2000:]}"
        )
    rss = peak_rss_kb(rss_file, usage.ru_maxrss)
    rss_file.unlink(missing_ok=True)
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_kb=rss)


def p90(values: Sequence[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def instructions(cmd: Sequence[str], env: dict[str, str]) -> int | None:
    """Instructions of one run under callgrind; ``None`` without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].strip())
    return None


def bench_env(tmp: Path, cache_dir: Path) -> dict[str, str]:
    """The environment of every timed pyward process (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
        PYWARD_CACHE_DIR=str(cache_dir),
        NO_COLOR="1",
    )
    env.pop("PYWARD_NO_CACHE", None)
    return env


def build_store(cache_dir: Path, env: dict[str, str]) -> float:
    """``pyward db update --source`` over the PyPA database; returns the wall time."""
    sample = run_once(
        [PYWARD, "db", "update", "--source", str(VULNS), "--cache-dir", str(cache_dir)],
        env,
        ok=(0,),
    )
    return sample.wall


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One line of the table."""

    label: str
    samples: list[Sample]
    target_ms: float | None = None
    instructions: int | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(s.wall for s in self.samples) * 1000

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        word = "ok" if self.median_ms <= self.target_ms else "MISS"
        return f"{word} (< {self.target_ms:.0f} ms)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Spec:
    """One row to measure."""

    label: str
    cmd: list[str]
    env: dict[str, str]
    target_ms: float | None = None
    before: Callable[[], None] | None = None
    """Run before every run of the row (e.g. empty the read cache)."""


def measure(specs: Sequence[Spec], runs: int, *, instructions_too: bool) -> list[Row]:
    """Every row once untimed (byte code, page cache), then ``runs`` rounds of every row
    in turn: a busy machine slows all rows alike rather than the ones that ran then."""
    samples: list[list[Sample]] = [[] for _ in specs]
    for round_ in range(runs + 1):
        for spec, out in zip(specs, samples, strict=True):
            if spec.before is not None:
                spec.before()
            sample = run_once(spec.cmd, spec.env)
            if round_:
                out.append(sample)
    rows = []
    for spec, out in zip(specs, samples, strict=True):
        ir = None
        if instructions_too:
            if spec.before is not None:
                spec.before()
            ir = instructions(spec.cmd, spec.env)
        rows.append(Row(label=spec.label, samples=out, target_ms=spec.target_ms, instructions=ir))
    return rows


def print_table(rows: Sequence[Row]) -> None:
    with_ir = any(r.instructions is not None for r in rows)
    head = ["measure", "median ms", "p90 ms", "cpu ms", "max RSS MB"]
    if with_ir:
        head.append("instr. (M)")
    head.append("target")
    lines = []
    for r in rows:
        walls = [s.wall * 1000 for s in r.samples]
        cells = [
            r.label,
            f"{r.median_ms:.1f}",
            f"{p90(walls):.1f}",
            f"{statistics.median(s.cpu for s in r.samples) * 1000:.1f}",
            f"{max(s.rss_kb for s in r.samples) / 1024:.1f}",
        ]
        if with_ir:
            cells.append(f"{r.instructions / 1e6:.0f}" if r.instructions else "-")
        cells.append(r.verdict)
        lines.append(cells)
    widths = [max(len(x) for x in col) for col in zip(head, *lines, strict=False)]

    def fmt(cells: Sequence[str]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        rest = [f"{c:>{w}}" for c, w in zip(cells[1:-1], widths[1:-1], strict=True)]
        return "  ".join([first, *rest, cells[-1]]).rstrip()

    print(fmt(head))
    print(fmt(["-" * w for w in widths]))
    for cells in lines:
        print(fmt(cells))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=21, help="runs per row (default 21)")
    parser.add_argument(
        "--lock",
        action="append",
        metavar="NAME",
        help="uv project: bench/data/NAME or tests/data/corpus/uv/NAME "
        f"(default: {', '.join(DEFAULT_LOCKS)})",
    )
    parser.add_argument(
        "--src",
        type=Path,
        metavar="DIR",
        help="run the pyward package found in DIR (a checkout's src/, put first on "
        "PYTHONPATH) instead of the installed one: figures of another version of the code",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions of one run of each row under valgrind (slow)",
    )
    args = parser.parse_args(argv)
    locks = [lock_path(name) for name in (args.lock or DEFAULT_LOCKS)]
    for lock in locks:
        if not lock.is_file():
            parser.error(f"no such lock: {lock}")
    runs = max(args.runs, 1)

    with tempfile.TemporaryDirectory(prefix="pyward-bench-") as tmp_name:
        tmp = Path(tmp_name)
        cache = tmp / "cache"
        # No network: a lock that records a real index (guidellm's PyTorch wheels) would
        # otherwise time a connection that cannot be made here; offline, the index checks
        # say that nothing is cached and skip, as for a lock whose index is unknown.
        env = {**bench_env(tmp, cache), "PYWARD_OFFLINE": "1"}
        if args.src is not None:
            env["PYTHONPATH"] = str(args.src.resolve())
        update_s = build_store(cache, env)
        inventory_cache = cache / "inventory"

        def drop_read_cache() -> None:
            shutil.rmtree(inventory_cache, ignore_errors=True)

        specs: list[Spec] = []

        def add(
            label: str,
            cmd: list[str],
            *,
            target: float | None = None,
            before: Callable[[], None] | None = None,
            run_env: dict[str, str] | None = None,
        ) -> None:
            specs.append(
                Spec(label=label, cmd=cmd, target_ms=target, before=before, env=run_env or env)
            )

        python = str(BIN / "python")
        add("python -c pass (interpreter start)", [python, "-c", "pass"])
        add("pyward --version", [PYWARD, "--version"], target=TARGET_VERSION_MS)
        for lock in locks:
            name = lock.parent.name
            base = [PYWARD, "audit", str(lock), "-q"]
            add(
                f"audit {name} json, cold read cache", [*base, "-f", "json"], before=drop_read_cache
            )
            add(f"audit {name} json, warm", [*base, "-f", "json"], target=TARGET_AUDIT_MS)
            add(f"audit {name} table, warm", [*base, "-f", "table"])
            add(f"audit {name} sarif, warm", [*base, "-f", "sarif"])

        # A machine with no store yet: the built-in snapshot is unpacked into the cache
        # directory on the first run, then opened like a store.
        fresh = tmp / "fresh"
        fresh_env = {**env, "PYWARD_CACHE_DIR": str(fresh)}
        lock = locks[0]
        name = lock.parent.name

        def drop_all() -> None:
            shutil.rmtree(fresh, ignore_errors=True)

        snap = [PYWARD, "audit", str(lock), "-q", "-f", "json"]
        add(
            f"audit {name} json, no store (snapshot unpack)",
            snap,
            before=drop_all,
            run_env=fresh_env,
        )
        add(f"audit {name} json, snapshot, warm", snap, run_env=fresh_env)

        rows = measure(specs, runs, instructions_too=args.instructions)

    print(f"pyward audit, whole process; {runs} runs per row; Python {sys.version.split()[0]}")
    if args.src is not None:
        print(f"code: {args.src}")
    print(f"store: pyward db update --source tests/data/... ({update_s:.2f} s)")
    print()
    print_table(rows)
    missed = [r.label for r in rows if r.verdict.startswith("MISS")]
    if missed:
        print(f"\n{len(missed)} row(s) miss their target: {'; '.join(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
