"""Run the API under uvicorn: one process, or several workers sharing the socket.

Each worker opens the store itself (read-only) and checks for a replaced store file
on its own, so workers, like replicas behind a load balancer, share nothing.
"""

from __future__ import annotations

import copy
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyward.errors import UsageError

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from pyward._serve._app import ServedData


def worker_app(cache_dir: Path | None = None, sources: tuple[Path, ...] = ()) -> FastAPI:
    """The application each worker process builds (``--workers N``), on the store in
    ``cache_dir`` (default: the user cache directory) and the store files of the
    ``--source`` directories, which the parent built."""
    from pyward._advisory import AdvisoryStore
    from pyward._serve._app import create_app
    from pyward._serve._sources import open_sources

    return create_app(open_sources(AdvisoryStore.open(cache_dir), sources))


def check_bind(host: str, port: int) -> None:
    """Fail with a one-line usage error, not uvicorn's log and exit, when the address
    cannot be listened on (port taken, unknown host, no permission)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise UsageError(
                f"--port {port}: cannot listen on {host}:{port}: {exc.strerror}"
            ) from None


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, plus pyward's own logger (store reopened,
    internal errors) through the same handler."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["pyward"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(
    store: ServedData,
    *,
    cache_dir: Path | None,
    sources: tuple[Path, ...] = (),
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    access_log: bool = False,
) -> None:
    """Serve until interrupted. ``store`` is already open (the parent checked that
    there is data); with several workers each opens its own from ``cache_dir`` and
    the ``sources`` store files."""
    import uvicorn

    from pyward._serve._app import create_app
    from pyward._serve._protocol import protocol_class

    check_bind(host, port)
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": access_log,
        "log_config": log_config(),
        "log_level": "info",
        # osv.dev does not name its server software either.
        "server_header": False,
        # A deadline on reading headers, which uvicorn lacks (see the module).
        "http": protocol_class(),
    }
    if workers > 1:
        import functools

        factory = functools.partial(worker_app, cache_dir, sources)
        run_workers(uvicorn.Config(factory, factory=True, workers=workers, **common))
    else:
        uvicorn.run(create_app(store), **common)


def run_workers(config: uvicorn.Config) -> None:
    """``config.workers`` processes sharing one socket: the branch of ``uvicorn.run``
    for workers, which takes the application only as an import string (each worker
    imports it by name), so the cache directory could reach a worker only through the
    environment. Here the application is a factory that can be pickled (a module-level
    function with its argument), handed to each worker in the pickled ``config``.
    """
    import inspect

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    sock = config.bind_socket()
    supervisor: Any = Multiprocess
    # Older uvicorn releases (within our ">=0.29") take the server's run method too.
    if "target" in inspect.signature(Multiprocess).parameters:
        supervisor(config, target=uvicorn.Server(config).run, sockets=[sock]).run()
    else:
        supervisor(config, sockets=[sock]).run()
