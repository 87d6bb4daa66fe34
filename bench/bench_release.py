"""``pyward release-check`` of a synthetic repository: 20 workflows, 300 Python files.

Usage: python bench/bench_release.py [-n RUNS] [--workflows N] [--files N]

The issue 16 target: a repository with 20 workflows and 300 Python files checked in 2 s
or less, Bandit included. The repository is written to a temporary directory (and made
a git work tree, so the lock-file rule asks ``git check-ignore`` as on a real checkout):
each workflow has a build job (checkout, setup-python, an install step, ``python -m
build``) and a publish job, the package (``src/benchpkg``) 300 modules of about 32 lines.
Rows (the first run, then the median of the others):

* ``in process``: :func:`pyward._release._report.check_release` (every installed
  scanner, the gate, the grades) without Bandit's cache, on one CPU and on all of them;
  with a cache directory that is new each run (cold) and one filled before (warm);
* ``JSON render``: the report as JSON;
* ``whole process``: ``pyward release-check REPO -f json`` in a fresh process, its
  modules loaded from byte code (one untimed run first writes it), with a new cache
  directory each run (cold) or a filled one (warm); wall time, and CPU time (user +
  system of the process and its Bandit workers: steadier on a shared machine).

Which scanners ran, and whether any category was not checked, is printed with the
figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

WORKFLOW = """\
name: release-{n}
on:
  push:
    tags: ["v*"]
permissions: {{}}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          persist-credentials: false
      - uses: actions/setup-python@42375524e23c412d93fb67b49958b491fce71c38
        with:
          python-version: "3.12"
      - name: Install
        run: |
          python -m pip install --upgrade pip
          python -m pip install build=={n}.0 twine
      - run: python -m build
      - run: twine check dist/*
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment: release
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc
"""

MODULE = '''\
"""Module {n}."""

import subprocess


def run_{n}(command: list[str]) -> str:
    """Run ``command``."""
    result = subprocess.run(command, capture_output=True, check=False)
    return result.stdout.decode()


class Thing{n}:
    """A thing."""

    def __init__(self, value: int) -> None:
        self.value = value

    def double(self) -> int:
        assert self.value >= 0
        return self.value * 2


def parse_{n}(text: str) -> dict[str, str]:
    """The ``key=value`` lines of ``text``."""
    values: dict[str, str] = {{}}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values
'''


def build_repository(root: Path, workflows: int, files: int) -> None:
    """The synthetic repository under ``root``."""
    (root / ".github" / "workflows").mkdir(parents=True)
    for n in range(workflows):
        (root / ".github" / "workflows" / f"release-{n}.yml").write_text(WORKFLOW.format(n=n))
    package = root / "src" / "benchpkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A synthetic package."""\n')
    for n in range(files):
        (package / f"module_{n}.py").write_text(MODULE.format(n=n))
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "benchpkg"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
    )
    (root / ".github" / "dependabot.yml").write_text(
        "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
    )
    git = shutil.which("git")
    if git is not None:
        subprocess.run([git, "init", "-q", str(root)], check=True)


def _row(label: str, first: float, rest: list[float]) -> None:
    print(f"{label:<40}{first * 1000:>12.1f}{statistics.median(rest or [first]) * 1000:>13.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=11)
    parser.add_argument("--workflows", type=int, default=20)
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args()

    from pyward._release import _bandit, scanner_modules
    from pyward._release._model import Repo
    from pyward._release._render import render
    from pyward._release._report import check_release

    with tempfile.TemporaryDirectory(prefix="bench-release-") as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "repo"
        build_repository(root, args.workflows, args.files)
        lines = sum(p.read_text().count("\n") for p in (root / "src").rglob("*.py"))
        installed = [name for name, module in scanner_modules() if module is not None]

        def in_process(cache: Callable[[int], Path | None]) -> list[float]:
            times = []
            for n in range(args.runs):
                start = time.perf_counter()
                check_release(Repo(root=root, cache_dir=cache(n)))
                times.append(time.perf_counter() - start)
            return times

        cpus = _bandit.available_cpus()
        rows: list[tuple[str, list[float]]] = []
        original = _bandit.available_cpus
        _bandit.available_cpus = lambda: 1  # the serial baseline: one process
        rows.append(("in process, no cache, 1 CPU", in_process(lambda n: None)))
        _bandit.available_cpus = original
        rows.append((f"in process, no cache, {cpus} CPUs", in_process(lambda n: None)))
        rows.append(("in process, cold cache", in_process(lambda n: tmp / f"cold-{n}")))
        in_process(lambda n: tmp / "warm")  # fills the warm cache
        rows.append(("in process, warm cache", in_process(lambda n: tmp / "warm")))
        report = check_release(Repo(root=root))
        render_times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            render(report, "json")
            render_times.append(time.perf_counter() - start)
        rows.append(("JSON render", render_times))

        # Modules load from byte code, as from an installed wheel (see bench/README.md).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"NO_COLOR": "1", "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}
        command = [sys.executable, "-m", "pyward", "release-check", str(root), "-f", "json", "-q"]
        # One untimed run writes the byte code (and fills the warm cache).
        env["PYWARD_CACHE_DIR"] = str(tmp / "process-warm")
        subprocess.run(command, capture_output=True, env=env, check=False)
        for label, cold in (("cold cache", True), ("warm cache", False)):
            walls: list[float] = []
            cpu: list[float] = []
            for n in range(args.runs):
                env["PYWARD_CACHE_DIR"] = str(
                    tmp / (f"process-cold-{n}" if cold else "process-warm")
                )
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = subprocess.run(command, capture_output=True, env=env, check=False)
                walls.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                assert done.returncode in (0, 1), done.stderr
            rows.append((f"whole process, {label}, wall", walls))
            rows.append((f"whole process, {label}, CPU (all processes)", cpu))
        print(
            f"repository: {args.workflows} workflows, {args.files} Python files ({lines} lines); "
            f"{len(report.findings)} findings; {len(report.summary.not_checked)} not checked; "
            f"{cpus} CPUs; scanners: {', '.join(installed)}"
        )
        print(f"{'row':<40}{'first (ms)':>12}{'median (ms)':>13}")
        for label, times in rows:
            _row(label, times[0], times[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
