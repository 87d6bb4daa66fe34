"""pyward against its peers on the same lock files and the same advisory data.

Usage::

    python bench/compare.py [-n RUNS] [--input NAME ...]

Tools, all from the test environment (``pip install -e '.[test]'``):

* ``pyward audit --format json``: offline (``PYWARD_OFFLINE``), on its own store;
* ``uv audit --frozen --no-index --service-url URL``, in a project directory holding
  the lock and a minimal ``pyproject.toml`` naming the lock's root package;
* with a package index on 127.0.0.1 as well (uv.lock inputs; issue 19 compares these
  rows): ``uv audit --service-url URL`` in its default configuration, which also asks
  the index for every locked project's page (PEP 792 status), and ``pyward audit`` whose
  index checks (yanked, project status, outdated, unmaintained) ask the same index;
  the lock's recorded index is rewritten to the loopback one, which serves **synthetic**
  pages (``bench_index.synthetic``: 54 versions a project). ``uv audit`` runs without
  ``--frozen`` where the project's ``pyproject.toml`` sits beside the lock (the
  kitchen-sink lock, with the ``exclude-newer`` it was locked with) and with it
  elsewhere (the corpus keeps locks only);
* ``pysentry-rs DIR --sources osv --service-url URL/v1 --no-maintenance-check``;
* ``pip-audit --no-deps --disable-pip -r REQS -s osv --osv-url URL/v1/query``, on the
  pinned ``name==version ; marker`` list pyward's reader produces from the lock (or on
  the requirements file itself); pip-audit keeps the lines whose marker holds for the
  Python running it, so it may audit fewer packages than the lock holds.

Data: one store built by ``pyward db update --source`` from the PyPA advisory database
in ``tests/data``; the clients query it through ``pyward serve`` on 127.0.0.1 (the
same records, served as the OSV API). Nothing leaves the machine: every proxy variable
points at 127.0.0.1:9, where nothing listens, except for 127.0.0.1 itself; index look-ups
are disabled; each client's HOME and cache are in a temporary directory.

Rows of one input run in turn, round after round (a busy machine slows every tool
alike). Each timed run starts the client with an empty cache (uv and pysentry-rs keep the OSV
answers they fetched; pip-audit its HTTP cache), so every run asks the server; the
"warm cache" rows reuse the cache of the previous run. pyward's rows use its read cache
(warm) and none (cold, emptied before each run). The server's own CPU and memory are not
in the clients' figures. Times: median and p90 of N runs of the whole process, after one
untimed run; memory: peak RSS of the process (GNU ``time``'s ``%M``).

Findings are compared as (package, version, flaw), where two findings are the same flaw
when any of their ids or aliases agree; every flaw that one tool reports and another
does not is listed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import rtoml
from bench_audit import (
    BIN,
    CORPUS,
    PYWARD,
    Sample,
    bench_env,
    build_store,
    p90,
    run_once,
)
from bench_index import synthetic

#: Every request to another host goes there, and fails: nothing listens on port 9.
DEAD_PROXY = "http://127.0.0.1:9"
#: ``uv audit`` is this many times slower than ``pyward audit`` or more (issue 19; issue
#: 4's 5x was withdrawn: a CPython process cannot start in the time it asked for).
TARGET_RATIO = 2.0
#: Versions of each project on the loopback index's synthetic pages (the median of the
#: recorded real pages, as ``bench_index.py`` uses).
INDEX_VERSIONS = 54

Finding = tuple[str, str, frozenset[str]]
#: The time ratios printed under the table: (their row, our row, issue 19's target holds).
#: The target is ``uv audit`` in its default configuration, which asks the index.
RATIOS = (
    ("uv audit", "pyward", False),
    ("uv audit + index", "pyward + index", True),
    ("uv audit + index (warm cache)", "pyward + index (warm cache)", True),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Input:
    """One lock or requirements file, and which tools can read it."""

    name: str
    """``uv/guidellm``: the corpus directory."""
    path: Path
    """The file."""
    kind: str
    """``uv.lock``, ``poetry.lock`` or ``requirements``."""

    @property
    def tools(self) -> tuple[str, ...]:
        if self.kind == "uv.lock":
            return ("pyward", "uv", "pysentry-rs", "pip-audit")
        if self.kind == "poetry.lock":
            return ("pyward", "pysentry-rs", "pip-audit")
        return ("pyward", "pip-audit")


INPUTS: tuple[Input, ...] = (
    Input(
        name="uv/kitchen-sink",
        path=Path(__file__).resolve().parent / "data/kitchen-sink/uv.lock",
        kind="uv.lock",
    ),
    Input(name="uv/guidellm", path=CORPUS / "uv/guidellm/uv.lock", kind="uv.lock"),
    Input(name="uv/fastapi", path=CORPUS / "uv/fastapi/uv.lock", kind="uv.lock"),
    Input(name="uv/litestar-2024", path=CORPUS / "uv/litestar-2024/uv.lock", kind="uv.lock"),
    Input(name="uv/flask", path=CORPUS / "uv/flask/uv.lock", kind="uv.lock"),
    Input(
        name="poetry/saleor-2020",
        path=CORPUS / "poetry/saleor-2020/poetry.lock",
        kind="poetry.lock",
    ),
    Input(
        name="requirements/warehouse-2022",
        path=CORPUS / "requirements-hashes/warehouse-2022/main.txt",
        kind="requirements",
    ),
)


@dataclass(slots=True, kw_only=True)
class Result:
    """What one tool did on one input."""

    tool: str
    """Row label: ``pyward``, ``uv audit``..."""
    input: Input
    data: str
    """Where the advisories came from: ``own store`` or ``server``."""
    samples: list[Sample] = field(default_factory=list)
    packages: int | None = None
    """Packages the tool says it audited."""
    findings: set[Finding] = field(default_factory=set)
    note: str = ""


# -- processes -----------------------------------------------------------------------------


def run(
    cmd: Sequence[str], env: dict[str, str], *, cwd: Path, out: Path, ok: tuple[int, ...] = (0, 1)
) -> Sample:
    """Run once with stdout to ``out``: wall time, CPU time, peak RSS (under GNU time)."""
    with out.open("wb") as fout:
        return run_once(cmd, env, cwd=cwd, ok=ok, stdout=fout.fileno())


def client_env(home: Path) -> dict[str, str]:
    """The environment of the OSV clients: no proxy but a dead one, no index, no
    configuration of the user's (as ``tests/serve/test_clients.py`` runs them)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "PYSENTRY", "HTTP", "ALL_PROXY", "NO_PROXY"))
        and k.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    }
    home.mkdir(parents=True, exist_ok=True)
    proxies = dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"), DEAD_PROXY)
    proxies.update({k.lower(): v for k, v in proxies.items()})
    return {
        **clean,
        **proxies,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "UV_NO_CONFIG": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "NO_COLOR": "1",
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(cache_dir: Path, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """``pyward serve`` on 127.0.0.1; yields its base URL and process id."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [PYWARD, "serve", "--cache-dir", str(cache_dir), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                with opener.open(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"pyward serve did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


# -- the tools -----------------------------------------------------------------------------


def canonical(name: str) -> str:
    from pyward._model import canonical_name

    return canonical_name(name)


def finding(name: str, version: str, ident: str, aliases: Sequence[str]) -> Finding:
    return (canonical(name), version, frozenset([ident, *aliases]))


def parse_pyward(out: Path) -> tuple[int, set[Finding]]:
    report = json.loads(out.read_text())
    # Schema 4.0 lists the package-status kinds too; the other tools report flaws only.
    found = {
        finding(f["name"], f["version"], f["id"], f["aliases"])
        for f in report["findings"]
        if f["kind"] == "vulnerability"
    }
    return report["summary"]["components"], found


def parse_uv(out: Path) -> tuple[int, set[Finding]]:
    report = json.loads(out.read_text())
    found = {
        finding(v["dependency"]["name"], v["dependency"]["version"], v["id"], v.get("aliases", []))
        for v in report["vulnerabilities"]
    }
    return report["summary"]["audited_packages"], found


def parse_pysentry(out: Path) -> tuple[int, set[Finding]]:
    report = json.loads(out.read_text())
    found = {
        finding(v["package_name"], v["installed_version"], v["id"], v.get("aliases") or [])
        for v in report["vulnerabilities"]
    }
    return report["total_packages"], found


def parse_pip_audit(out: Path) -> tuple[int, set[Finding]]:
    report = json.loads(out.read_text())
    found = {
        finding(d["name"], d["version"], v["id"], v.get("aliases", []))
        for d in report["dependencies"]
        for v in d.get("vulns", [])
    }
    return len(report["dependencies"]), found


def uv_project(inp: Input, directory: Path) -> Path:
    """A project directory around a uv.lock: the lock and a ``pyproject.toml`` naming
    the lock's root package (what ``uv audit --frozen`` needs to find the lock)."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(inp.path, directory / inp.path.name)
    if inp.kind != "uv.lock":
        return directory
    lock = rtoml.loads(inp.path.read_text(encoding="utf-8"))
    root = next(
        p
        for p in lock["package"]
        if p.get("source", {}).get("editable") == "." or p.get("source", {}).get("virtual") == "."
    )
    lines = ["[project]", f'name = "{root["name"]}"']
    version = root.get("version")
    lines.append(f'version = "{version}"' if version else 'dynamic = ["version"]')
    (directory / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


@contextmanager
def index_server(pages: Path, log: Path) -> Iterator[str]:
    """The loopback index of ``bench_index.py`` serving the pages in ``pages``; yields its
    simple API's URL."""
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "bench_index.py"), "--serve", str(pages)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        if not port.isdigit():
            raise SystemExit(f"the loopback index did not start:\n{log.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}/simple/"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexedProject:
    """A uv.lock input set up to be audited with its index on 127.0.0.1."""

    directory: Path
    """The project directory: the rewritten lock and a ``pyproject.toml``."""
    lock: Path
    """The rewritten lock."""
    frozen: bool
    """``uv audit`` needs ``--frozen``: no ``pyproject.toml`` of the project's own."""
    uv_env: dict[str, str]
    """Settings the project was locked with (``UV_EXCLUDE_NEWER``)."""


def index_pages(inp: Input, pages: Path) -> None:
    """A synthetic page (and JSON API answer) in ``pages`` for each registry package of
    the lock: the loopback index reads them when it starts."""
    lock = rtoml.loads(inp.path.read_text(encoding="utf-8"))
    pages.mkdir(parents=True, exist_ok=True)
    for package in lock["package"]:
        if "registry" not in package.get("source", {}):
            continue
        name = canonical(package["name"])
        page, api = synthetic(name, package["version"], INDEX_VERSIONS)
        (pages / f"{name}.simple").write_bytes(page)
        (pages / f"{name}.api").write_bytes(api)


def indexed_project(inp: Input, directory: Path, index_url: str) -> IndexedProject:
    """The lock with every registry source pointed at ``index_url``, and the project's
    ``pyproject.toml`` when it has one beside the lock (else the minimal one of
    :func:`uv_project`)."""
    text = inp.path.read_text(encoding="utf-8")
    uv_project(inp, directory)
    rewritten = re.sub(r'registry = "[^"]*"', f'registry = "{index_url}"', text)
    (directory / inp.path.name).write_text(rewritten, encoding="utf-8")
    own = inp.path.parent / "pyproject.toml"
    if own.is_file():
        shutil.copy(own, directory / "pyproject.toml")
    uv_env = {"UV_DEFAULT_INDEX": index_url}
    exclude_newer = rtoml.loads(text).get("options", {}).get("exclude-newer")
    if exclude_newer:
        uv_env["UV_EXCLUDE_NEWER"] = exclude_newer
    return IndexedProject(
        directory=directory,
        lock=directory / inp.path.name,
        frozen=not own.is_file(),
        uv_env=uv_env,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """How to run one tool on one input."""

    tool: str
    data: str
    cmd: Callable[[Path], list[str]]
    """The command, given a fresh scratch directory for this run's cache and output."""
    output: Callable[[Path], Path]
    """Where the JSON report lands, given the same directory."""
    parse: Callable[[Path], tuple[int, set[Finding]]]
    cwd: Path
    env: dict[str, str]
    before: Callable[[], None] | None = None
    fresh_cache: bool = True
    """Start every run with an empty client cache (``False``: reuse one)."""


def plans(
    inp: Input,
    url: str,
    work: Path,
    pyward_env: dict[str, str],
    env: dict[str, str],
    *,
    indexed: IndexedProject | None = None,
) -> list[Plan]:
    out: list[Plan] = []
    project = uv_project(inp, work / "project")
    stdout = lambda d: d / "out.json"  # noqa: E731
    read_cache = Path(pyward_env["PYWARD_CACHE_DIR"]) / "inventory"
    pyward = [PYWARD, "audit", str(inp.path), "-f", "json", "-q"]
    for cold in (False, True):
        out.append(
            Plan(
                tool="pyward (cold read cache)" if cold else "pyward",
                data="own store",
                cmd=lambda d: pyward,
                output=stdout,
                parse=parse_pyward,
                cwd=work,
                # As the peers with --no-index: no index asked (a lock may record a real
                # one, which cannot be reached here); the index checks are skipped.
                env={**pyward_env, "PYWARD_OFFLINE": "1"},
                before=(lambda: shutil.rmtree(read_cache, ignore_errors=True)) if cold else None,
                fresh_cache=cold,
            )
        )
    if "uv" in inp.tools:
        uv = [str(BIN / "uv"), "audit", "--frozen", "--no-index", "--service-url", url]
        uv += ["--output-format", "json"]
        for fresh in (True, False):
            out.append(
                Plan(
                    tool="uv audit" if fresh else "uv audit (warm cache)",
                    data="server",
                    cmd=lambda d: [*uv, "--cache-dir", str(d / "uv-cache")],
                    output=stdout,
                    parse=parse_uv,
                    cwd=project,
                    env=env,
                    fresh_cache=fresh,
                )
            )
    if indexed is not None:
        out += indexed_plans(indexed, url, pyward_env, env)
    if "pysentry-rs" in inp.tools:
        for fresh in (True, False):
            out.append(
                Plan(
                    tool="pysentry-rs" if fresh else "pysentry-rs (warm cache)",
                    data="server",
                    cmd=lambda d: [
                        str(BIN / "pysentry-rs"),
                        str(project),
                        "--sources",
                        "osv",
                        "--service-url",
                        f"{url}/v1",
                        "--format",
                        "json",
                        "--no-maintenance-check",
                        "--no-config",
                        "--cache-dir",
                        str(d / "pysentry-cache"),
                        "-o",
                        str(d / "report.json"),
                    ],
                    output=lambda d: d / "report.json",
                    parse=parse_pysentry,
                    cwd=project,
                    env=env,
                    fresh_cache=fresh,
                )
            )
    if "pip-audit" in inp.tools:
        reqs = (
            inp.path if inp.kind == "requirements" else pinned_requirements(inp, work, pyward_env)
        )
        out.append(
            Plan(
                tool="pip-audit",
                data="server",
                cmd=lambda d: [
                    str(BIN / "pip-audit"),
                    "--no-deps",
                    "--disable-pip",
                    "-r",
                    str(reqs),
                    "-s",
                    "osv",
                    "--osv-url",
                    f"{url}/v1/query",
                    "-f",
                    "json",
                    "--progress-spinner",
                    "off",
                    "--cache-dir",
                    str(d / "pip-audit-cache"),
                ],
                output=stdout,
                parse=parse_pip_audit,
                cwd=work,
                env=env,
            )
        )
    return out


def indexed_plans(
    indexed: IndexedProject, url: str, pyward_env: dict[str, str], env: dict[str, str]
) -> list[Plan]:
    """``pyward audit`` and ``uv audit`` in their default configuration with the index on
    127.0.0.1: each with an empty cache every run, and with the cache of the run before."""
    stdout = lambda d: d / "out.json"  # noqa: E731
    index_cache = Path(pyward_env["PYWARD_CACHE_DIR"]) / "index"
    pyward = [PYWARD, "audit", str(indexed.lock), "-f", "json", "-q"]
    uv = [str(BIN / "uv"), "audit", "--service-url", url, "--output-format", "json"]
    if indexed.frozen:
        uv.append("--frozen")
    out = []
    for cold in (True, False):
        out.append(
            Plan(
                tool="pyward + index" + ("" if cold else " (warm cache)"),
                data="own store",
                cmd=lambda d: pyward,
                output=stdout,
                parse=parse_pyward,
                cwd=indexed.directory,
                env=pyward_env,
                before=(lambda: shutil.rmtree(index_cache, ignore_errors=True)) if cold else None,
            )
        )
        out.append(
            Plan(
                tool="uv audit + index" + ("" if cold else " (warm cache)"),
                data="server",
                cmd=lambda d: [*uv, "--cache-dir", str(d / "uv-cache")],
                output=stdout,
                parse=parse_uv,
                cwd=indexed.directory,
                env={**env, **indexed.uv_env},
                fresh_cache=cold,
            )
        )
    return out


def pinned_requirements(inp: Input, work: Path, pyward_env: dict[str, str]) -> Path:
    """``name==version ; marker`` of every component pyward reads from the lock (what
    pip-audit with ``--no-deps`` needs: every requirement pinned; the markers keep
    apart a name locked at two versions, as ``uv export`` does, and pip-audit audits
    those that hold for the Python running it)."""
    out = work / "components.json"
    run([PYWARD, "audit", str(inp.path), "-f", "json", "-q"], pyward_env, cwd=work, out=out)
    components = json.loads(out.read_text())["components"]
    reqs = work / "requirements.txt"
    lines = []
    for c in components:
        marker = f" ; {c['markers']}" if c["markers"] else ""
        lines.append(f"{c['name']}=={c['version']}{marker}\n")
    reqs.write_text("".join(lines))
    return reqs


def measure(plans: Sequence[Plan], inp: Input, runs: int, work: Path) -> list[Result]:
    """Every plan once untimed (page cache, byte code; its report gives the findings),
    then ``runs`` rounds of every plan in turn, so that a busy machine slows every tool
    alike."""
    results = [Result(tool=p.tool, input=inp, data=p.data) for p in plans]
    scratch = [work / p.tool.replace(" ", "-").replace("(", "").replace(")", "") for p in plans]
    for round_ in range(runs + 1):
        for plan, result, base in zip(plans, results, scratch, strict=True):
            d = base / f"run{round_}" if plan.fresh_cache else base / "shared"
            d.mkdir(parents=True, exist_ok=True)
            if plan.before is not None:
                plan.before()
            sample = run(plan.cmd(d), plan.env, cwd=plan.cwd, out=d / "out.json")
            if round_ == 0:
                result.packages, result.findings = plan.parse(plan.output(d))
            else:
                result.samples.append(sample)
            if plan.fresh_cache:
                shutil.rmtree(d, ignore_errors=True)
    return results


# -- report --------------------------------------------------------------------------------


def flaws(results: Sequence[Result]) -> list[tuple[str, str, frozenset[str], set[str]]]:
    """Every flaw any tool reports on one input: (package, version, ids, tools)."""
    merged: list[tuple[str, str, set[str], set[str]]] = []
    for r in results:
        base = r.tool.split(" (")[0]
        for name, version, ids in r.findings:
            for mname, mversion, mids, tools in merged:
                if (mname, mversion) == (name, version) and mids & ids:
                    mids.update(ids)
                    tools.add(base)
                    break
            else:
                merged.append((name, version, set(ids), {base}))
    return [(n, v, frozenset(i), t) for n, v, i, t in sorted(merged, key=lambda m: m[:2])]


def primary(ids: frozenset[str]) -> str:
    rank = {"PYSEC": 0, "GHSA": 1}
    return min(ids, key=lambda i: (rank.get(i.split("-")[0], 2), i))


def print_report(results: Sequence[Result], runs: int, server_rss: float | None) -> None:
    head = ["input", "tool", "data", "packages", "median ms", "p90 ms", "max RSS MB", "findings"]
    head.append("vs pyward")
    lines: list[list[str]] = []
    by_input: dict[str, list[Result]] = {}
    for r in results:
        by_input.setdefault(r.input.name, []).append(r)
    for name, group in by_input.items():
        ours = next(r for r in group if r.tool == "pyward")
        for r in group:
            walls = [s.wall * 1000 for s in r.samples]
            same = {(n, v, primary(i)) for n, v, i in r.findings}
            base = {(n, v, primary(i)) for n, v, i in ours.findings}
            ratio = statistics.median(walls) / statistics.median(
                s.wall * 1000 for s in ours.samples
            )
            lines.append(
                [
                    name,
                    r.tool,
                    r.data,
                    str(r.packages) if r.packages is not None else "-",
                    f"{statistics.median(walls):.1f}",
                    f"{p90(walls):.1f}",
                    f"{max(s.rss_kb for s in r.samples) / 1024:.1f}",
                    str(len(r.findings)),
                    ("same" if same == base else "differs")
                    + (f", {ratio:.1f}x time" if r is not ours else ""),
                ]
            )
    widths = [max(len(x) for x in col) for col in zip(head, *lines, strict=False)]
    right = {3, 4, 5, 6, 7}

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            f"{c:>{w}}" if i in right else f"{c:<{w}}"
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(f"{runs} timed runs per row (median, p90 of wall time); Python {sys.version.split()[0]}")
    if server_rss is not None:
        print(
            f"pyward serve (the clients' OSV API) peak RSS: {server_rss:.1f} MB, not counted above"
        )
    print()
    print(fmt(head))
    print(fmt(["-" * w for w in widths]))
    for cells in lines:
        print(fmt(cells))

    print()
    for name, group in by_input.items():
        by_tool = {r.tool: r for r in group}
        for theirs, ours_label, target in RATIOS:
            them, us = by_tool.get(theirs), by_tool.get(ours_label)
            if them is None or us is None:
                continue
            ratio = statistics.median(s.wall for s in them.samples) / statistics.median(
                s.wall for s in us.samples
            )
            goal = ""
            if target:
                verdict = "ok" if ratio >= TARGET_RATIO else "MISS"
                goal = f" ({verdict}, target >= {TARGET_RATIO:.0f})"
            print(f"{name}: {theirs} / {ours_label} = {ratio:.2f}{goal}")

    print("\nDifferences in findings (package version flaw: who reports it):")
    any_diff = False
    for name, group in by_input.items():
        tools = sorted({r.tool.split(" (")[0] for r in group})
        for pkg, version, ids, found_by in flaws(group):
            if found_by == set(tools):
                continue
            any_diff = True
            missing = ", ".join(t for t in tools if t not in found_by)
            print(
                f"  {name}: {pkg} {version} {primary(ids)}: "
                f"reported by {', '.join(sorted(found_by))}; not by {missing}"
            )
    if not any_diff:
        print("  none: every tool reports the same flaws on every input")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=7, help="timed runs per row (default 7)")
    parser.add_argument(
        "--input",
        action="append",
        choices=[i.name for i in INPUTS],
        help="only these inputs (repeatable; default: all)",
    )
    parser.add_argument(
        "--no-index",
        dest="index",
        action="store_false",
        help="leave out the rows with a package index on 127.0.0.1",
    )
    args = parser.parse_args(argv)
    inputs = [i for i in INPUTS if args.input is None or i.name in args.input]
    runs = max(args.runs, 1)

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="pyward-compare-") as tmp_name:
        tmp = Path(tmp_name)
        store = tmp / "store"
        pyward_env = bench_env(tmp, store)
        build_store(store, pyward_env)
        env = client_env(tmp / "home")
        with server(store, pyward_env, tmp / "serve.log") as (url, pid):
            for inp in inputs:
                work = tmp / "work" / inp.name.replace("/", "-")
                work.mkdir(parents=True)
                with ExitStack() as stack:
                    indexed = None
                    if inp.kind == "uv.lock" and args.index:
                        pages = work / "index-pages"
                        index_pages(inp, pages)
                        index_url = stack.enter_context(index_server(pages, work / "index.log"))
                        indexed = indexed_project(inp, work / "project-index", index_url)
                    todo = plans(inp, url, work, pyward_env, env, indexed=indexed)
                    results += measure(todo, inp, runs, work)
                sys.stderr.write(f"  {inp.name}: done\n")
            server_rss = peak_rss_mb(pid)
    print_report(results, runs, server_rss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
