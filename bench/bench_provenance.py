"""PEP 740 verification speed: the real attestations of ``tests/data``, repeated to N
artifacts (issue 15: 300 artifacts in 3 s or less on the 2-core machine).

Usage::

    python bench/bench_provenance.py [-n 300] [--rounds 5] [--workers 2]

Rows: importing the verifier (the ``provenance`` extra's modules, in a fresh process);
each sample alone (median per artifact over the rounds, warm verifier); N artifacts
serially in one process (the first verification builds the verifier from the bundled
trust root); N artifacts on a thread pool and on a process pool of ``--workers``
(pool start-up included, each worker importing the verifier). Then the whole gather
(:func:`pyward._provenance._gather.gather_provenance`: N locked artifacts of N
packages, their provenance from a loopback index's integrity API through the real
client and cache, verified, pins compared): with a cold cache (every file asked), and
with a warm one (no request) verifying on 1 thread and on ``--workers`` threads. Every
verification must succeed: a failed one aborts the run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "pep740-attestations"
# The loopback index of the tests serves the real provenance files.
sys.path.insert(0, str(ROOT))

#: (artifact, the file holding its provenance or attestation, kind of file).
CASES: tuple[tuple[str, str, str], ...] = (
    ("pypi_attestations-0.0.19.tar.gz", "pypi_attestations-0.0.19.tar.gz.provenance", "p"),
    (
        "gcb_attestation_test-0.0.0.tar.gz",
        "gcb_attestation_test-0.0.0.tar.gz.provenance",
        "p",
    ),
    (
        "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl",
        "circleci_sign_publish_example-0.0.1.dev137-py3-none-any.whl.provenance",
        "p",
    ),
    (
        "gitlab_oidc_project-0.0.3.tar.gz",
        "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",
        "a",
    ),
)

#: One unit of work: artifact name, its SHA-256, the provenance/attestation bytes, kind.
Job = tuple[str, str, bytes, str]


def jobs(count: int) -> list[Job]:
    """The samples, repeated to ``count`` artifacts."""
    loaded = [
        (
            name,
            hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest(),
            (SAMPLES / source).read_bytes(),
            kind,
        )
        for name, source, kind in CASES
    ]
    return [loaded[i % len(loaded)] for i in range(count)]


def verify(job: Job) -> bool:
    """Verify one artifact; whether it verified."""
    from pyward._provenance import verify_attestation, verify_provenance

    name, digest, raw, kind = job
    check = verify_provenance if kind == "p" else verify_attestation
    return check(name, digest, raw).verified


def verify_all(batch: list[Job]) -> int:
    """Verify a batch in this process; how many verified."""
    return sum(verify(job) for job in batch)


#: One timing: wall-clock seconds, and this process's CPU seconds (every thread's).
Timing = tuple[float, float]
#: A table row: label, timings, artifacts per timing, whether the CPU column means
#: anything (not for work done in other processes).
Row = tuple[str, list[Timing], int, bool]


def timed(action: Callable[[], object]) -> Timing:
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def per(timing: Timing, count: int) -> Timing:
    return timing[0] / count, timing[1] / count


def serial(batch: list[Job]) -> None:
    assert verify_all(batch) == len(batch)


def threaded(batch: list[Job], workers: int) -> None:
    with ThreadPoolExecutor(workers) as pool:
        assert sum(pool.map(verify, batch)) == len(batch)


def processes(batch: list[Job], workers: int) -> None:
    size = -(-len(batch) // workers)
    chunks = [batch[i : i + size] for i in range(0, len(batch), size)]
    with ProcessPoolExecutor(workers) as pool:
        assert sum(pool.map(verify_all, chunks)) == len(batch)


def gather_rows(count: int, rounds: int, workers: int) -> list[Row]:
    """The whole gather of ``count`` locked artifacts (the provenance samples, each
    under a package of its own) from a loopback index: cold, then warm on 1 and on
    ``workers`` threads."""
    from tests.index._loopback_index import loopback_index

    from pyward._model import Artifact, Component, Inventory
    from pyward._provenance._gather import gather_provenance
    from pyward._provenance._pins import Pins
    from pyward._sources.index._fetch import ClientOptions

    samples = [job for job in jobs(len(CASES)) if job[3] == "p"]
    components = tuple(
        Component(
            name=f"bench-{i}",
            version="1.0",
            artifacts=(Artifact(filename=sample[0], sha256=sample[1]),),
        )
        for i, sample in enumerate(samples * (count // len(samples) + 1))
        if i < count
    )
    with tempfile.TemporaryDirectory() as tmp:
        inventory = Inventory(source=f"{tmp}/uv.lock", format="uv.lock", components=components)
        subjects = [(inventory, c) for c in components]

        def pins(inv: Inventory) -> Pins:
            return Pins(path=f"{tmp}/attestation-identities.toml")

        def run(cache: Path, threads: int) -> None:
            report = gather_provenance(
                [inventory],
                subjects,
                option=index.simple_url,
                environ={},
                cache_dir=cache,
                client=ClientOptions(concurrency=8),
                pins=pins,
                workers=threads,
            )
            assert report.coverage.artifacts_attested == count, report.packages[0]

        rows: list[Row] = []
        with loopback_index() as index:
            cold: list[Timing] = []
            for r in range(rounds):
                cold.append(timed(lambda: run(Path(tmp) / f"cold-{r}", workers)))  # noqa: B023
            label = f"gather {count} artifacts, cold cache ({workers} threads)"
            rows.append((label, cold, count, True))
            warm = Path(tmp) / "warm"
            run(warm, 1)
            asked = len(index.requests)
            for threads in (1, workers):
                label = f"gather {count} artifacts, warm cache, {threads} thread(s)"
                times = [timed(lambda: run(warm, threads)) for _ in range(rounds)]  # noqa: B023
                rows.append((label, times, count, True))
            assert len(index.requests) == asked, "a warm gather asked the index"
    return rows


def import_time() -> Timing:
    code = (
        "import time; t = time.perf_counter(); c = time.process_time(); "
        "import pyward._provenance._verify; "
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    wall, cpu = out.split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="artifacts per run (300)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each row (5)")
    parser.add_argument("--workers", type=int, default=2, help="pool size (2)")
    args = parser.parse_args()
    batch = jobs(args.n)
    rows: list[Row] = []
    rows.append(("import the verifier (fresh process)", [import_time() for _ in range(3)], 1, True))
    verify_all(batch[: len(CASES)])  # warm: the verifier is built once per process
    for job in jobs(len(CASES)):
        name, kind = job[0], job[3]
        label = f"one artifact: {name[:38]} ({'provenance' if kind == 'p' else 'attestation'})"
        twenty = [job] * 20
        rows.append(
            (label, [per(timed(lambda: serial(twenty)), 20) for _ in range(args.rounds)], 1, True)  # noqa: B023
        )
    rows.append(
        (
            f"{args.n} artifacts, serial",
            [timed(lambda: serial(batch)) for _ in range(args.rounds)],
            args.n,
            True,
        )
    )
    rows.append(
        (
            f"{args.n} artifacts, {args.workers} threads",
            [timed(lambda: threaded(batch, args.workers)) for _ in range(args.rounds)],
            args.n,
            True,
        )
    )
    rows.append(
        (
            f"{args.n} artifacts, {args.workers} processes (start-up included)",
            [timed(lambda: processes(batch, args.workers)) for _ in range(args.rounds)],
            args.n,
            False,
        )
    )
    rows.extend(gather_rows(args.n, args.rounds, args.workers))
    print(f"{'row':<66} {'median':>9} {'min':>9} {'cpu':>9} {'per artifact':>13}")
    for label, times, count, cpu_counts in rows:
        median = statistics.median(t[0] for t in times)
        fastest = min(t[0] for t in times)
        cpu = f"{statistics.median(t[1] for t in times) * 1e3:>7.0f}ms" if cpu_counts else "-"
        print(
            f"{label:<66} {median * 1e3:>7.0f}ms {fastest * 1e3:>7.0f}ms {cpu:>9} "
            f"{median / count * 1e3:>11.2f}ms"
        )
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
