"""Load figures of ``pyward serve`` on loopback; prints a table (not a test).

The server runs in its own process (``pyward serve``) over the store that
``pyward db update`` builds from the PyPA advisory database copy in tests/data; the
load comes from another process: ``wrk`` when installed (single queries), an httpx
client otherwise, and an httpx client for the 1000-query batches (timed one at a time).

    python bench/bench_serve.py [--workers N] [--seconds S] [--connections C]

Targets (issue 5): a 1000-query batch answered in <= 30 ms at the median; single
queries at >= 1000 requests/s with p99 <= 20 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VULNS = ROOT / "tests/data/pypa-advisory-database/vulns"
CORPUS = ROOT / "tests/data/corpus"
LOCKS = [
    "poetry/saleor-2020/poetry.lock",
    "uv/litestar-2024/uv.lock",
    "uv/fastapi/uv.lock",
    "pipenv/paperless-ngx-2025/Pipfile.lock",
    "requirements-hashes/warehouse-2022/main.txt",
    "uv/guidellm/uv.lock",
    "uv/pydantic/uv.lock",
]


def corpus_queries(limit: int = 1000) -> list[dict[str, object]]:
    """Real (name, version) pairs from corpus lock files, as OSV queries."""
    from pyward._inventory import read_inventory

    out: list[dict[str, object]] = []
    for rel in LOCKS:
        inv = read_inventory(CORPUS / rel)
        for c in inv.components:
            if c.version:
                out.append({"package": {"name": c.name, "ecosystem": "PyPI"}, "version": c.version})
    while len(out) < limit:  # repeat the corpus if it is short
        out.extend(out[: limit - len(out)])
    return out[:limit]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(cache: Path, workers: int, plain: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    if plain:
        # The same worker factory and supervisor `pyward serve --workers` uses, on the
        # pure-Python stack.
        code = (
            "import functools, pathlib, sys, uvicorn\n"
            "from pyward._serve._runner import run_workers, worker_app\n"
            "cache, port, workers = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])\n"
            "run_workers(uvicorn.Config(functools.partial(worker_app, cache), factory=True,\n"
            "    loop='asyncio', http='h11', access_log=False, port=port, workers=workers))\n"
        )
        cmd = [sys.executable, "-c", code, str(cache), str(port), str(workers)]
    else:
        cmd = [
            sys.executable,
            "-m",
            "pyward",
            "serve",
            "--port",
            str(port),
            "--cache-dir",
            str(cache),
            "--workers",
            str(workers),
        ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            httpx.get(f"{url}/health", timeout=1, trust_env=False)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_batch(url: str, queries: list[dict[str, object]], rounds: int) -> dict[str, float]:
    body = json.dumps({"queries": queries}).encode()
    times = []
    fresh = []
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
        first = time.perf_counter()
        r = client.post("/v1/querybatch", content=body)
        cold = time.perf_counter() - first
        assert r.status_code == 200
        assert len(r.json()["results"]) == len(queries)
        for _ in range(rounds):
            t = time.perf_counter()
            r = client.post("/v1/querybatch", content=body)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200
        # Versions never asked before (X.postK): every query goes through the
        # store's matcher instead of the server's (name, version) memo.
        for k in range(rounds):
            other = [{**q, "version": f"{q['version']}.post{k + 1}"} for q in queries]
            data = json.dumps({"queries": other}).encode()
            t = time.perf_counter()
            r2 = client.post("/v1/querybatch", content=data)
            fresh.append(time.perf_counter() - t)
            assert r2.status_code == 200
    return {
        "fresh_median_ms": statistics.median(fresh) * 1000,
        "fresh_p90_ms": pct(fresh, 0.9) * 1000,
        "cold_ms": cold * 1000,
        "median_ms": statistics.median(times) * 1000,
        "p90_ms": pct(times, 0.9) * 1000,
        "max_ms": max(times) * 1000,
        "hits": sum(1 for x in r.json()["results"] if x),
    }


_WRK_SCRIPT = """
local bodies = {}
for line in io.lines("%s") do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, "/v1/query", nil, bodies[i])
end
"""


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    assert m, text
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def bench_single_wrk(
    url: str, queries: list[dict[str, object]], seconds: int, conns: int
) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp())
    lines = tmp / "bodies.txt"
    lines.write_text("\n".join(json.dumps(q) for q in queries) + "\n")
    script = tmp / "post.lua"
    script.write_text(_WRK_SCRIPT % lines)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    shutil.rmtree(tmp)
    return {
        "rps": rps,
        "p50_ms": _ms(lat["50"]),
        "p90_ms": _ms(lat["90"]),
        "p99_ms": _ms(lat["99"]),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",  # type: ignore[dict-item]
    }


def bench_single_httpx(
    url: str, queries: list[dict[str, object]], seconds: int, conns: int
) -> dict[str, float]:
    bodies = [json.dumps(q).encode() for q in queries]

    async def run() -> list[float]:
        lat: list[float] = []
        stop = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
        async with httpx.AsyncClient(base_url=url, trust_env=False, limits=limits) as client:

            async def worker(k: int) -> None:
                i = k
                while time.perf_counter() < stop:
                    t = time.perf_counter()
                    r = await client.post("/v1/query", content=bodies[i % len(bodies)])
                    lat.append(time.perf_counter() - t)
                    assert r.status_code == 200
                    i += conns

            await asyncio.gather(*(worker(k) for k in range(conns)))
        return lat

    t0 = time.perf_counter()
    lat = asyncio.run(run())
    elapsed = time.perf_counter() - t0
    return {
        "rps": len(lat) / elapsed,
        "p50_ms": pct(lat, 0.5) * 1000,
        "p90_ms": pct(lat, 0.9) * 1000,
        "p99_ms": pct(lat, 0.99) * 1000,
        "non_2xx": 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=50, help="1000-query batches to time")
    ap.add_argument(
        "--plain", action="store_true", help="asyncio + h11 instead of uvloop + httptools"
    )
    ap.add_argument(
        "--cache-dir", type=Path, default=None, help="an existing store (default: build one)"
    )
    args = ap.parse_args()

    cache = args.cache_dir
    if cache is None:
        cache = Path(tempfile.mkdtemp()) / "cache"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pyward",
                "db",
                "update",
                "--source",
                str(VULNS),
                "--cache-dir",
                str(cache),
            ],
            check=True,
            capture_output=True,
        )
    queries = corpus_queries()
    proc, url = start_server(cache, args.workers, args.plain)
    try:
        batch = bench_batch(url, queries, args.rounds)
        use_wrk = shutil.which("wrk") is not None
        single = (bench_single_wrk if use_wrk else bench_single_httpx)(
            url, queries, args.seconds, args.connections
        )
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)

    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401

        stack = "uvicorn + uvloop + httptools"
    except ImportError:
        stack = "uvicorn (asyncio + h11)"
    if args.plain:
        stack = "uvicorn (asyncio + h11)"
    gen = f"wrk -t2 -c{args.connections}" if use_wrk else f"httpx async -c{args.connections}"
    rows = [
        ("1000-query batch, first (cold caches) ms", f"{batch['cold_ms']:.1f}", ""),
        ("1000-query batch, median ms", f"{batch['median_ms']:.1f}", "<= 30"),
        ("1000-query batch, p90 ms", f"{batch['p90_ms']:.1f}", ""),
        ("1000-query batch, max ms", f"{batch['max_ms']:.1f}", ""),
        ("1000-query batch, new versions, median ms", f"{batch['fresh_median_ms']:.1f}", "<= 30"),
        ("1000-query batch, new versions, p90 ms", f"{batch['fresh_p90_ms']:.1f}", ""),
        ("  queries with findings per batch", f"{batch['hits']}", ""),
        (f"single /v1/query ({gen}) req/s", f"{single['rps']:.0f}", ">= 1000"),
        ("single /v1/query, p50 ms", f"{single['p50_ms']:.2f}", ""),
        ("single /v1/query, p90 ms", f"{single['p90_ms']:.2f}", ""),
        ("single /v1/query, p99 ms", f"{single['p99_ms']:.2f}", "<= 20"),
        ("single /v1/query, non-2xx answers", f"{single['non_2xx']:.0f}", "0"),
    ]
    print(f"pyward serve bench: {os.cpu_count()} CPUs, {stack}, workers={args.workers}")
    print(f"store: {cache}; {len(queries)} real (name, version) pairs from {len(LOCKS)} locks")
    print()
    print(f"{'measure':<46} {'value':>10}  target")
    print(f"{'-' * 46} {'-' * 10}  {'-' * 7}")
    for label, value, target in rows:
        print(f"{label:<46} {value:>10}  {target}")


if __name__ == "__main__":
    main()
