"""``pyward release-check``'s policy/tests/metadata, code (Bandit) and artifacts scanners
on a synthetic repository.

Usage: python bench/bench_release_project.py [-n RUNS] [--files 300] [--lines 100]

The repository has FILES Python modules of about LINES lines each under ``src/pkg``
(functions, a class, string formatting, a ``subprocess`` call Bandit reports), a
``pyproject.toml``, a ``SECURITY.md`` and a pytest configuration; ``dist/`` holds a wheel
of those modules (with its RECORD) and an sdist. Rows: each scanner's median wall time
and CPU time (Bandit's worker processes included) of RUNS runs, in milliseconds, and
Bandit's cost per source line. No cache: every run scans every file. Issue 16's target
is the whole release-check of 20 workflows and 300 files in 2 s, Bandit included.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import resource
import statistics
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pyward._release import _code, _dist, _project  # noqa: E402
from pyward._release._model import Hit, Repo  # noqa: E402
from pyward.errors import InputError  # noqa: E402

PYPROJECT = """\
[project]
name = "pkg"
version = "1.0"
requires-python = ">=3.10"
license = "MIT"
license-files = ["LICENSE"]
urls = { Source = "https://git.example.invalid/pkg" }

[tool.pytest.ini_options]
filterwarnings = ["error"]
"""
FUNCTION = '''

def step_{n}(items: list[str], limit: int = 10) -> dict[str, int]:
    """Count the items that fit the limit ({n})."""
    counts: dict[str, int] = {{}}
    for item in items:
        if len(item) > limit:
            continue
        counts[item] = counts.get(item, 0) + 1
    message = "step {n}: %d items" % len(counts)
    if not counts:
        raise ValueError(message)
    return counts
'''
HEAD = '''"""Module {n} of a synthetic package."""

from __future__ import annotations

import subprocess


class Runner{n}:
    """Run a command."""

    def __init__(self, command: list[str]) -> None:
        self.command = command

    def run(self) -> int:
        return subprocess.call(self.command)
'''


def module(n: int, lines: int) -> str:
    text = HEAD.format(n=n)
    k = 0
    while text.count("\n") < lines:
        text += FUNCTION.format(n=f"{n}_{k}")
        k += 1
    return text


def _hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def build(root: Path, files: int, lines: int) -> Repo:
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "dist").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    (root / "SECURITY.md").write_text("Report to security@pkg.example.invalid.\n", "utf-8")
    members = {"pkg/__init__.py": b""}
    for n in range(files):
        members[f"pkg/mod_{n}.py"] = module(n, lines).encode()
    for name, data in members.items():
        (root / "src" / name).write_bytes(data)
    metadata = b"Metadata-Version: 2.4\nName: pkg\nVersion: 1.0\nRequires-Python: >=3.10\n"
    members["pkg-1.0.dist-info/METADATA"] = metadata
    record = [f"{name},{_hash(data)},{len(data)}" for name, data in members.items()]
    members["pkg-1.0.dist-info/RECORD"] = (
        "\n".join([*record, "pkg-1.0.dist-info/RECORD,,"]) + "\n"
    ).encode()
    with zipfile.ZipFile(
        root / "dist" / "pkg-1.0-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED
    ) as wheel:
        for name, data in members.items():
            wheel.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
    with tarfile.open(root / "dist" / "pkg-1.0.tar.gz", "w:gz") as sdist:
        for name, data in {"PKG-INFO": metadata, **members}.items():
            info = tarfile.TarInfo(f"pkg-1.0/{name}")
            info.size, info.mtime = len(data), 1_700_000_000
            sdist.addfile(info, io.BytesIO(data))
    return Repo(root=root, dist=root / "dist")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU time in ms; the CPU time includes the worker processes
    Bandit's scan may start (waited for before it returns)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu + _children_cpu() - children)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="runs per row (median)")
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--lines", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp), args.files, args.lines)
        total_lines = sum(
            p.read_text(encoding="utf-8").count("\n") for p in (repo.root / "src").rglob("*.py")
        )

        def run(scanner: Callable[[Repo], Iterable[Hit]]) -> Callable[[], object]:
            def once() -> object:
                fresh = Repo(root=repo.root, dist=repo.dist)  # no texts cached across runs
                try:
                    return list(scanner(fresh))
                except InputError as exc:  # pragma: no cover - a bench of a valid tree
                    raise SystemExit(f"unexpected: {exc}") from None

            return once

        print(f"{args.files} modules, {total_lines} lines; median of {args.n} runs")
        print(f"{'scanner':<32} {'wall ms':>9} {'CPU ms':>9}")
        rows: list[tuple[str, Callable[[Repo], Iterable[Hit]]]] = [
            ("policy, tests, metadata", _project.scan),
            ("code (Bandit)", _code.scan),
            ("artifacts (wheel + sdist)", _dist.scan),
        ]
        for label, scanner in rows:
            wall, cpu = measure(run(scanner), args.n)
            print(f"{label:<32} {wall:>9.1f} {cpu:>9.1f}")
            if scanner is _code.scan:
                print(
                    f"{'  Bandit CPU per 1000 lines':<32} {'':>9} {cpu / total_lines * 1000:>9.1f}"
                )


if __name__ == "__main__":
    main()
