"""Index metadata for a 325-package lock: cold fetch from a loopback index, warm cache.

Usage: python bench/bench_index.py [-n RUNS] [--lock PATH] [--versions N]
       [--concurrency N] [--servers N] [--instructions]

The loopback index (``--servers`` processes, default 2, sharing one port on 127.0.0.1
with ``SO_REUSEPORT``, so that its CPU is neither the client's interpreter nor one
server's GIL: an index is a CDN) serves **synthetic** PEP 691 pages and JSON API answers
made from the lock: for each package, ``N`` versions (default 54, the median of the
recorded pages in ``tests/data/index/recorded``) including the locked one, a wheel and
an sdist each and a second wheel every other version (about 135 files, the recorded
median 130), upload times a month apart, one yanked version, ETags, and a ten-minute
``Cache-Control`` as a real index sends. Rows:

* cold: ``fetch_metadata`` with an empty cache (every page and JSON API answer asked);
* cold, pages only: the same with ``json_api=False``;
* warm: ``fetch_metadata`` with every entry cached and fresh (no request);
* warm + checks: the same, then the status checks (yanked, project-status, outdated,
  unmaintained) that are registered and importable, on the lock's inventory;
* warm + page questions: the same, then what those checks ask of each page (the
  pinned release's yank and upload time, the newest release, the releases an upgrade
  could pick, the status): a stand-in where the check modules are not there yet.

Each figure is the median of RUNS in milliseconds (wall time), with the targets of
issue 13: cold <= 1500 ms, warm + checks <= 20 ms more than an audit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
LOCK = ROOT / "bench" / "data" / "kitchen-sink" / "uv.lock"
if TYPE_CHECKING:
    from pyward._checks import Check
    from pyward._model import Component

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
T0 = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)


def synthetic(name: str, locked: str, count: int) -> tuple[bytes, bytes]:
    """A PEP 691 page and a JSON API answer for ``name`` with ``count`` versions."""
    versions = [f"{i // 10}.{i % 10}.0" for i in range(count - 1)]
    if locked not in versions:
        versions.append(locked)
    from packaging.version import InvalidVersion, Version

    def order(v: str) -> tuple[int, Version | str]:
        try:
            return (1, Version(v))
        except InvalidVersion:
            return (0, v)

    versions.sort(key=order)
    stem = name.replace("-", "_")
    files = []
    releases: dict[str, list[dict[str, object]]] = {}
    for i, version in enumerate(versions):
        when = (T0 + dt.timedelta(days=30 * i)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        yanked: bool | str = "broken build" if i == len(versions) // 2 else False
        names = [f"{stem}-{version}.tar.gz", f"{stem}-{version}-py3-none-any.whl"]
        if i % 2:
            names.append(f"{stem}-{version}-cp312-cp312-manylinux_2_17_x86_64.whl")
        for filename in names:
            digest = hashlib.sha256(filename.encode()).hexdigest()
            files.append(
                {
                    "filename": filename,
                    "url": f"https://files.index.invalid/packages/{digest[:2]}/{filename}",
                    "hashes": {"sha256": digest},
                    "requires-python": ">=3.8",
                    "core-metadata": {"sha256": digest},
                    "data-dist-info-metadata": {"sha256": digest},
                    "size": 123456,
                    "upload-time": when,
                    "yanked": yanked,
                }
            )
        releases[version] = [{"upload_time_iso_8601": when, "yanked": bool(yanked)}]
    page = {
        "meta": {"api-version": "1.1", "_last-serial": 1000},
        "name": name,
        "versions": versions,
        "files": files,
    }
    info = {
        "name": name,
        "version": versions[-1],
        "summary": f"The {name} project",
        "license": "MIT",
        "project_urls": {"Source": f"https://example.invalid/{name}"},
        "requires_python": ">=3.8",
        "classifiers": ["Development Status :: 5 - Production/Stable"],
    }
    return json.dumps(page).encode(), json.dumps({"info": info, "releases": releases}).encode()


def serve(directory: Path, port: int) -> None:
    """One process of the loopback index (a child): binds ``port`` (0: any) with
    ``SO_REUSEPORT``, so that several processes share it, prints the port and serves
    until stdin closes."""
    import http.server
    import socket
    import threading

    bodies: dict[str, tuple[bytes, str, str]] = {}
    for path in directory.glob("*.simple"):
        body = path.read_bytes()
        bodies[f"/simple/{path.stem}/"] = (body, SIMPLE_JSON, hashlib.md5(body).hexdigest())  # noqa: S324
    for path in directory.glob("*.api"):
        body = path.read_bytes()
        etag = hashlib.md5(body).hexdigest()  # noqa: S324 - an ETag, not a secret
        bodies[f"/pypi/{path.stem}/json"] = (body, "application/json", etag)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle's algorithm holds
        # the body back until the client's delayed ACK of the headers.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            found = bodies.get(self.path)
            if found is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body, ctype, etag = found
            if self.headers.get("If-None-Match") == f'"{etag}"':
                self.send_response(304)
                self.send_header("Cache-Control", "max-age=600, public")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            # Ten minutes, as the index that defined the simple API marks its pages:
            # a client's warm cache may use a page without asking again.
            self.send_header("Cache-Control", "max-age=600, public")
            self.send_header("ETag", f'"{etag}"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def server_bind(self) -> None:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            super().server_bind()

    httpd = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(httpd.server_address[1], flush=True)
    sys.stdin.read()
    httpd.shutdown()


def phase(name: str, index: str, cache: Path, lock: Path, json_api: bool) -> None:
    """One fetch in this process (``--phase``), for callgrind: ``none`` reads the lock
    only (the baseline; ``none-checks`` also imports the status checks), ``fetch``
    fetches its metadata with ``cache``, ``fetch-checks`` then runs the status checks."""
    import dataclasses

    from pyward._checks import CheckContext, Sources, run_checks
    from pyward._inventory import read_inventory
    from pyward._sources.index._fetch import ClientOptions, fetch_metadata

    inventory = read_inventory(lock)
    local = [(inventory, dataclasses.replace(c, index=None)) for c in inventory.components]
    checks = status_checks()[0] if name.endswith("-checks") else []
    if name.startswith("fetch"):
        # Long timeouts: under callgrind every request is fifty times slower.
        options = ClientOptions(timeout=600, total_timeout=1200)
        metadata = fetch_metadata(
            local, option=index, cache_dir=cache, json_api=json_api, client=options
        )
        if checks:
            context = CheckContext(
                subjects=tuple(local),
                sources=Sources(index=metadata),
                path_of=lambda inv, c: (c.key,),
            )
            run_checks(context, checks)


def instructions(args: list[str]) -> int | None:
    """Instructions of one ``--phase`` run under callgrind; ``None`` without valgrind."""
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].strip())
    return None


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Median and best wall time, and median CPU time of this process, in ms; from a
    collected heap (what the rows before left is not this row's garbage)."""
    import gc

    gc.collect()
    times = []
    cpu = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times) * 1000, min(times) * 1000, statistics.median(cpu) * 1000


def status_checks() -> tuple[list[Check], list[str]]:
    """The registered status checks whose module imports (the others are named)."""
    import importlib

    from pyward._checks import CHECKS

    ready: list[Check] = []
    missing: list[str] = []
    for check_id in ("yanked", "project-status", "outdated", "unmaintained"):
        check = CHECKS[check_id]  # type: ignore[index]  # a CheckId
        try:
            importlib.import_module(check.module)
        except ImportError:
            missing.append(check_id)
            continue
        ready.append(check)
    return ready, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=7)
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--versions", type=int, default=54)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument(
        "--servers", type=int, default=2, help="processes of the loopback index (one port)"
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions of each fetch under callgrind (slow)",
    )
    parser.add_argument(
        "--phase", choices=("none", "none-checks", "fetch", "fetch-checks"), help=argparse.SUPPRESS
    )
    parser.add_argument("--index", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-json-api", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    if args.phase:
        phase(args.phase, args.index, args.cache, args.lock, not args.no_json_api)
        return

    from pyward._checks import CheckContext, Sources, run_checks
    from pyward._inventory import read_inventory
    from pyward._model import canonical_name
    from pyward._sources.index._fetch import ClientOptions, fetch_metadata
    from pyward._sources.index._metadata import IndexMetadata
    from pyward._sources.index._model import ProjectInfo

    inventory = read_inventory(args.lock)
    subjects = [(inventory, c) for c in inventory.components]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        size = 0
        for c in inventory.components:
            page, api = synthetic(canonical_name(c.name), c.version or "1.0", args.versions)
            (pages / f"{canonical_name(c.name)}.simple").write_bytes(page)
            (pages / f"{canonical_name(c.name)}.api").write_bytes(api)
            size += len(page)
        servers: list[subprocess.Popen[str]] = []
        port = 0
        try:
            for _ in range(max(1, args.servers)):
                server = subprocess.Popen(
                    [sys.executable, __file__, "--serve", str(pages), "--port", str(port)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                servers.append(server)
                assert server.stdout is not None
                port = int(server.stdout.readline().strip())
            index = f"http://127.0.0.1:{port}/simple/"
            # A lock records its index; here every component is asked of the loopback one.
            local = [(inv, _without_index(c)) for inv, c in subjects]
            options = ClientOptions(concurrency=args.concurrency)
            counter = iter(range(10**6))

            def cold(json_api: bool) -> Callable[[], object]:
                def run() -> object:
                    cache = Path(tmp) / f"cold-{next(counter)}"
                    return fetch_metadata(local, option=index, cache_dir=cache, json_api=json_api)

                return run

            warm_dir = Path(tmp) / "warm"
            first = fetch_metadata(local, option=index, cache_dir=warm_dir, client=options)
            failed = [k for k, v in first.pages.items() if not hasattr(v, "versions")]
            assert not failed, failed
            # A real audit holds no other run's pages: the 44,000 file records of this
            # cold fetch would otherwise be walked by every garbage collection timed below.
            del first

            def warm() -> IndexMetadata:
                return fetch_metadata(local, option=index, cache_dir=warm_dir, client=options)

            checks, missing = status_checks()

            def warm_and_checks() -> object:
                metadata = warm()
                context = CheckContext(
                    subjects=tuple(local),
                    sources=Sources(index=metadata),
                    path_of=lambda inv, c: (c.key,),
                )
                return run_checks(context, checks)

            def warm_and_questions() -> object:
                # What the status checks ask of each page, when they are not importable
                # here: the pinned release's yank and upload time, the newest release,
                # the releases an upgrade could pick, the project's status.
                metadata = warm()
                answers = []
                for _, c in local:
                    page = metadata.page(c.name)
                    if isinstance(page, ProjectInfo):
                        answers.append(
                            (
                                page.yanked(c.version or ""),
                                page.upload_time(c.version or ""),
                                page.latest(),
                                len(page.released_versions()),
                                page.status.status,
                            )
                        )
                return answers

            counts: dict[str, float | None] = {}
            if args.instructions:
                common = ["--lock", str(args.lock), "--index", index]
                base = instructions(["--phase", "none", *common, "--cache", tmp])
                runs = {
                    "cold: pages + JSON API": ("fetch", [f"{tmp}/ir-cold"]),
                    "cold: pages only": ("fetch", [f"{tmp}/ir-cold-pages", "--no-json-api"]),
                    "warm cache: pages + JSON API": ("fetch", [str(warm_dir)]),
                    "warm cache + status checks": ("fetch-checks", [str(warm_dir)]),
                }
                # The checks' row less a baseline that imports them too: what they add.
                base_checks = instructions(["--phase", "none-checks", *common, "--cache", tmp])
                for label, (name, extra) in runs.items():
                    total = instructions(["--phase", name, *common, "--cache", *extra])
                    zero = base_checks if name == "fetch-checks" else base
                    counts[label] = (total - zero) / 1e6 if total is not None and zero else None
            rows = [
                ("cold: pages + JSON API", *median_ms(cold(True), args.runs), 1500.0),
                ("cold: pages only", *median_ms(cold(False), args.runs), 1500.0),
                ("warm cache: pages + JSON API", *median_ms(warm, args.runs), None),
                ("warm cache + status checks", *median_ms(warm_and_checks, args.runs), 20.0),
                ("warm cache + page questions", *median_ms(warm_and_questions, args.runs), 20.0),
            ]
        finally:
            for server in servers:
                if server.stdin:
                    server.stdin.close()
                server.wait(timeout=10)

    print(
        f"{len(subjects)} packages from {args.lock.relative_to(ROOT)}; synthetic pages: "
        f"{args.versions} versions each, {size / len(subjects) / 1000:.0f} kB a page on "
        f"average; loopback index: {args.servers} processes on one port; "
        f"{args.concurrency} requests in flight; "
        f"median and best of {args.runs} runs"
    )
    if missing:
        print(f"status checks not importable here (not timed): {', '.join(missing)}")
    print(
        f"| {'measure':<30} | {'median ms':>9} | {'best ms':>8} | {'CPU ms':>7} "
        f"| {'M instr.':>8} | target |"
    )
    print(f"|{'-' * 32}|{'-' * 10}:|{'-' * 9}:|{'-' * 8}:|{'-' * 9}:|--------|")
    for label, median, best, cpu, target in rows:
        verdict = "" if target is None else ("ok" if median <= target else "MISSED")
        goal = "" if target is None else f"<= {target:g} {verdict}"
        count = counts.get(label)
        shown = f"{count:>8.0f}" if count is not None else f"{'':>8}"
        print(f"| {label:<30} | {median:>9.1f} | {best:>8.1f} | {cpu:>7.1f} | {shown} | {goal} |")
    if counts:
        print(
            "M instr.: millions of instructions of one fetch under callgrind (the client "
            "process, all its threads), less those of reading the lock alone (and, for "
            "the checks' row, of importing them)"
        )


def _without_index(component: Component) -> Component:
    import dataclasses

    return dataclasses.replace(component, index=None)


if __name__ == "__main__":
    main()
