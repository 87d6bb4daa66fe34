"""``pyward fleet audit`` over N projects built from the corpus locks, against a shell
loop of ``pyward audit`` (issue 18: 1,000 projects in 30 s or less on this 2-core
machine, and at least 10 times faster than the loop; memory bounded).

Usage::

    python bench/bench_fleet.py [--projects 1000] [--sample 50] [--jobs 2] [--dask]
                                [--keep DIR]

The projects: N directories, each holding one lock, requirements file or SBOM of
``tests/data/corpus`` (every format, taken round-robin), each copy made different from
the others (a comment line naming the project; JSON files, which have no comments, a
distinct run of trailing blanks) so that no two projects have the same content hash
and every one is read and audited. Requirements files whose content is in another
file (``-r``) are left out, and the corpus's CycloneDX ``.json.bin`` (not a name any
tool searches for).

Rows, each a fresh ``pyward`` process as a user runs it, with the same advisory data (a
store built once by ``pyward db update --source`` from the PyPA database in
``tests/data``, copied into a fresh cache directory for each cold run):

* fleet, cold: ``pyward fleet audit ROOT --offline --jobs J``, nothing cached;
* fleet, warm: the same again, every project's result cached;
* fleet, one changed: the same after one project's lock changed (incremental);
* the shell loop, ``for p in ...; do pyward audit --offline $p; done``, over a sample of
  the projects (every S-th), its time extrapolated to N (said so in the table);
* with ``--dask``: ``pyward fleet audit --dask ADDRESS`` on a ``LocalCluster`` of J
  worker processes, one thread each, started by this script on 127.0.0.1.

Memory: the fleet run is a parent process and its pool's worker processes, so one
process's peak RSS (what ``/usr/bin/time -v`` reports) says little. The process tree is
sampled every 200 ms (``/proc``, Linux): the peak of the sum of RSS (shared pages counted once
per process: an upper bound) and of the sum of PSS (shared pages divided among the
processes sharing them: the memory the run really holds). For the Dask row, the tree
is this script's process: the client, the scheduler, the nannies and the workers (and
this script itself).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
VULNS = ROOT / "tests" / "data" / "pypa-advisory-database" / "vulns"
BIN = Path(sys.executable).parent
PYWARD = str(BIN / "pyward")
#: Seconds for 1,000 projects, and the speed-up over the shell loop (issue 18).
TARGET_S_PER_1000 = 30.0
TARGET_SPEEDUP = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A corpus file and the name its copies get in a project."""

    path: Path
    """The corpus file."""
    name: str
    """Its name in a project directory (one the reader searches for)."""

    @property
    def json(self) -> bool:
        """A JSON file: no comment line can be added."""
        return is_json(self.name)


def is_json(name: str) -> bool:
    """A file name of a JSON input (no comment line can be added to it)."""
    return name.endswith(".json") or name == "Pipfile.lock"


def sources() -> list[Source]:
    """Every corpus input a project can hold, named as a project would name it."""
    found: list[Source] = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.name == "SOURCES.md" or path.suffix == ".bin":
            continue
        fmt = path.relative_to(CORPUS).parts[0]
        if fmt.startswith("requirements"):
            text = path.read_text(encoding="utf-8")
            if any(
                line.lstrip().startswith(("-r", "-c", "--requirement"))
                for line in text.splitlines()
            ):
                continue
            found.append(Source(path=path, name="requirements.txt"))
        else:
            found.append(Source(path=path, name=path.name))
    return found


def _variant(data: bytes, index: int, json: bool) -> bytes:
    """``data`` made unique to project ``index``, still parseable."""
    if not json:
        return data + f"# fleet bench project {index}\n".encode()
    # Trailing blanks are insignificant in JSON: the index in binary, space and tab.
    return data + format(index, "b").replace("0", " ").replace("1", "\t").encode() + b"\n"


def build_projects(root: Path, count: int) -> list[Path]:
    """``count`` project directories under ``root``, the corpus inputs round-robin; the
    targets ``pyward audit`` is given for them (the directory, or an SBOM itself: a
    directory is searched for lock and requirements files only)."""
    pool = sources()
    targets = []
    for i in range(count):
        source = pool[i % len(pool)]
        directory = root / f"project-{i:05d}"
        directory.mkdir(parents=True)
        path = directory / source.name
        path.write_bytes(_variant(source.path.read_bytes(), i, source.json))
        targets.append(path if source.name.endswith(".json") else directory)
    return targets


def bench_env(tmp: Path, cache_dir: Path) -> dict[str, str]:
    """The environment of every timed pyward process: this checkout's code, byte code
    cached as an installed wheel's is, its own cache directory and home."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
        PYWARD_CACHE_DIR=str(cache_dir),
        HOME=str(tmp / "home"),
        NO_COLOR="1",
    )
    env.pop("PYWARD_NO_CACHE", None)
    return env


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    """One timed process (and its children)."""

    wall: float
    """Seconds."""
    rss: int
    """Peak of the sum of the tree's RSS, bytes."""
    pss: int
    """Peak of the sum of the tree's PSS, bytes."""
    code: int
    """Exit status."""


def _children(pid: int) -> list[int]:
    """``pid``'s children (Linux: ``/proc/PID/task/TID/children``)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                found += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return found


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of ``pid`` in bytes, from ``/proc/PID/smaps_rollup`` (0 once gone)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def measure(
    cmd: Sequence[str], env: dict[str, str], *, ok: Sequence[int] = (0, 1), root: int | None = None
) -> Measure:
    """Run ``cmd``, sampling its process tree's memory (or ``root``'s, which holds it);
    fails unless it exits in ``ok``."""
    peak = {"rss": 0, "pss": 0}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        # Reads of a few small procfs files, a few times a second: the sampler must not
        # take CPU from the run it measures on a 2-core machine (psutil's process scan
        # did, noticeably).
        while not done.is_set():
            tree, todo = [], [proc.pid if root is None else root]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += _children(pid)
            sizes = [_memory(pid) for pid in tree]
            peak["rss"] = max(peak["rss"], sum(r for r, _ in sizes))
            peak["pss"] = max(peak["pss"], sum(p for _, p in sizes))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {err.decode()[-2000:]}")
    return Measure(wall=wall, rss=peak["rss"], pss=peak["pss"], code=proc.returncode)


def shell_loop(projects: Sequence[Path], env: dict[str, str]) -> Measure:
    """``pyward audit --offline`` once per project, as a shell loop runs it."""
    # Exit 1 (findings) is a project audited; 2 or more is one that could not be.
    script = (
        f'bad=0; for p in "$@"; do "{PYWARD}" audit --offline -q "$p" --format json '
        ">/dev/null; [ $? -ge 2 ] && bad=$((bad + 1)); done; exit $((bad > 0))"
    )
    return measure(["bash", "-c", script, "loop", *map(str, projects)], env, ok=(0,))


def start_cluster(workers: int, env: dict[str, str]) -> Any:
    """A ``LocalCluster`` of ``workers`` processes, one thread each, on 127.0.0.1,
    whose workers run with ``env`` (their store: the same data as the fleet's)."""
    import distributed

    cluster: Any = distributed.LocalCluster  # the library ships no type information
    return cluster(
        n_workers=workers,
        processes=True,
        threads_per_worker=1,
        dashboard_address="127.0.0.1:0",
        host="127.0.0.1",
        env=env,
    )


def say(what: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    print(f"... {what}", file=sys.stderr, flush=True)


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000, help="projects to build")
    parser.add_argument("--sample", type=int, default=50, help="projects of the shell loop")
    parser.add_argument("--jobs", type=int, default=2, help="pyward fleet --jobs")
    parser.add_argument("--dask", action="store_true", help="also on a LocalCluster")
    parser.add_argument("--keep", type=Path, default=None, help="build in DIR and keep it")
    args = parser.parse_args(argv)

    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pyward-bench-fleet-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        run(args, tmp)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    (tmp / "home").mkdir(exist_ok=True)
    root = tmp / "fleet"
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    projects = build_projects(root, args.projects)
    built = time.perf_counter() - t0
    data = tmp / "data"
    shutil.rmtree(data, ignore_errors=True)
    env = bench_env(tmp, data)
    measure([PYWARD, "db", "update", "--source", str(VULNS)], env, ok=(0,))
    n = len(projects)
    print(
        f"{n} projects from {len(sources())} corpus inputs (built in {built:.1f} s), "
        f"--jobs {args.jobs}, {os.cpu_count()} CPUs; data: PyPA database of tests/data\n"
    )

    # A first, untimed run compiles the byte code every later process loads.
    shell_loop(projects[:1], env)

    rows: list[tuple[str, Measure, int]] = []
    cache = tmp / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(data, cache)
    fleet_env = bench_env(tmp, cache)
    report = tmp / "fleet.json"
    fleet = [PYWARD, "fleet", "audit", str(root), "--offline", "--jobs", str(args.jobs)]
    fleet += ["--format", "json", "-o", str(report)]
    say("fleet, cold")
    rows.append(("fleet, cold (nothing cached)", measure(fleet, fleet_env), n))
    say("fleet, warm")
    rows.append(("fleet, warm (every result cached)", measure(fleet, fleet_env), n))
    changed = projects[len(projects) // 2]
    lock = changed if changed.is_file() else next(p for p in changed.iterdir() if p.is_file())
    lock.write_bytes(_variant(lock.read_bytes(), n + 1, is_json(lock.name)))
    say("fleet, one changed")
    rows.append(("fleet, one project changed (incremental)", measure(fleet, fleet_env), n))

    if args.dask:
        dask_cache = tmp / "cache-dask"
        shutil.rmtree(dask_cache, ignore_errors=True)
        shutil.copytree(data, dask_cache)
        worker_env = {"PYWARD_CACHE_DIR": str(dask_cache), "HOME": str(tmp / "home")}
        cluster = start_cluster(args.jobs, worker_env)
        try:
            address = cluster.scheduler_address
            cmd = [*fleet[:3], str(root), "--offline", "--dask", address]
            cmd += ["--format", "json", "-o", str(tmp / "fleet-dask.json")]
            say("fleet --dask")
            rows.append(
                (
                    f"fleet --dask, cold (LocalCluster, {args.jobs} workers)",
                    measure(cmd, bench_env(tmp, dask_cache), root=os.getpid()),
                    n,
                )
            )
        finally:
            cluster.close()

    step = max(1, n // args.sample)
    sample = projects[::step][: args.sample]
    say(f"shell loop over {len(sample)} projects")
    loop = shell_loop(sample, env)

    width = 46
    print(
        f"| {'run':<{width}} | projects | wall s | ms per project (= s per 1,000) "
        "| peak RSS MB (sum) | peak PSS MB (sum) |"
    )
    print(f"|{'-' * (width + 2)}|---:|---:|---:|---:|---:|")
    for label, m, count in rows:
        print(
            f"| {label:<{width}} | {count} | {m.wall:.1f} | {1000 * m.wall / count:.1f} "
            f"| {_mb(m.rss)} | {_mb(m.pss)} |"
        )
    per = loop.wall / len(sample)
    label = f"shell loop, {len(sample)} projects, x{n / len(sample):.0f} (extrapolated)"
    print(
        f"| {label:<{width}} | {n} | {per * n:.1f} | {1000 * per:.1f} "
        f"| {_mb(loop.rss)} | {_mb(loop.pss)} |"
    )
    cold = rows[0][1].wall
    speedup = per * n / cold
    per_1000 = cold * 1000 / n
    print()
    print(
        f"cold fleet: {per_1000:.1f} s per 1,000 projects (target <= {TARGET_S_PER_1000:.0f} s: "
        f"{'ok' if per_1000 <= TARGET_S_PER_1000 else 'MISS'}); "
        f"speed-up over the shell loop: {speedup:.1f}x (target >= {TARGET_SPEEDUP:.0f}x: "
        f"{'ok' if speedup >= TARGET_SPEEDUP else 'MISS'})"
    )


if __name__ == "__main__":
    main()
