"""Helpers of the serve tests: stores (built as users build them), and a real uvicorn
server on 127.0.0.1 in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import uvicorn


def make_store(records: Any) -> Any:
    """An in-memory store of OSV records (dicts)."""
    from pyward._advisory import AdvisoryStore

    return AdvisoryStore.from_records(list(records))


def db_update(source: Path, cache_dir: Path) -> Any:
    """Fill ``cache_dir`` the way users do (``pyward db update --source``) and open it."""
    from pyward._advisory import AdvisoryStore
    from pyward._cli import main

    assert main(["db", "update", "--source", str(source), "--cache-dir", str(cache_dir)]) == 0
    return AdvisoryStore.open(cache_dir)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def running_server(app: Any, **options: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port; yields the base URL.
    ``options``: more ``uvicorn.Config`` arguments."""
    sock = free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", **options)
    server = uvicorn.Server(config)

    def target() -> None:
        asyncio.run(server.serve(sockets=[sock]))

    thread = threading.Thread(target=target, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def free_port() -> int:
    with free_socket() as sock:
        port: int = sock.getsockname()[1]
    return port


@contextlib.contextmanager
def serve_process(
    args: Sequence[str], env: dict[str, str] | None = None
) -> Iterator[tuple[str, Any]]:
    """``pyward serve ARGS`` as a real process on a free port of 127.0.0.1, once it
    answers ``/health``; yields its URL and the process, and stops it with SIGINT."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyward", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                httpx.get(f"{url}/health", timeout=1, trust_env=False)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.communicate()) from None
                time.sleep(0.05)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=60)  # also closes the pipes
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
