"""``pyward serve`` as users run it: a real process on 127.0.0.1."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import PYPA_VULNS
from tests.serve._support import db_update, free_socket, serve_process


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve-cache")
    db_update(PYPA_VULNS, path)
    return path


def test_serve_the_local_store_with_access_log(cache_dir: Path) -> None:
    with serve_process(["--cache-dir", str(cache_dir), "--access-log"]) as (url, proc):
        r = httpx.post(
            f"{url}/v1/query",
            json={"package": {"purl": "pkg:pypi/requests@2.19.0"}},
            trust_env=False,
        )
        assert [v["id"] for v in r.json()["vulns"]] == ["PYSEC-2018-28", "PYSEC-2023-74"]
        health = httpx.get(f"{url}/health", trust_env=False).json()
        assert health["record_count"] == 2661
        assert health["source"] == str(PYPA_VULNS)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "notice" not in err
    assert '"POST /v1/query HTTP/1.1" 200' in out  # uvicorn's access log: stdout
    assert '"GET /health HTTP/1.1" 200' in out


def test_serve_without_access_log_logs_no_requests(cache_dir: Path) -> None:
    with serve_process(["--cache-dir", str(cache_dir)]) as (url, proc):
        assert httpx.get(f"{url}/v1/vulns/PYSEC-2023-74", trust_env=False).status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert "/v1/vulns" not in out + err
    assert "Uvicorn running on" in err


def test_serve_with_workers(cache_dir: Path) -> None:
    with serve_process(["--cache-dir", str(cache_dir), "--workers", "2"]) as (url, _):
        for _ in range(20):
            # A new connection each time, so that both workers answer some.
            r = httpx.get(f"{url}/v1/vulns/PYSEC-2018-28", trust_env=False)
            assert r.json()["aliases"] == ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"]


def test_serve_falls_back_to_the_snapshot_with_a_notice(tmp_path: Path) -> None:
    with serve_process(["--cache-dir", str(tmp_path)]) as (url, proc):
        health = httpx.get(f"{url}/health", trust_env=False).json()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert health["snapshot"] is True
    assert health["source"] == "built-in snapshot: PyPA advisory database 3ccb6125 (2024-10-10)"
    assert (health["record_count"], health["newest_modified"]) == (
        2661,
        "2024-10-10T17:22:00.587279Z",
    )
    assert (
        "pyward: notice: serving the built-in snapshot (2661 records, "
        "newest 2024-10-10T17:22:00.587279Z, "
    ) in err


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyward", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_port_in_use_is_a_usage_error(cache_dir: Path) -> None:
    with free_socket() as sock:
        sock.listen()
        port = sock.getsockname()[1]
        done = _run("--port", str(port), "--cache-dir", str(cache_dir))
    assert done.returncode == 2
    assert done.stderr == (
        f"pyward: error: --port {port}: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


def test_bad_options(cache_dir: Path) -> None:
    done = _run("--port", "70000", "--cache-dir", str(cache_dir))
    assert (done.returncode, done.stderr) == (
        2,
        "pyward: error: --port 70000: not a port number (0-65535)\n",
    )
    done = _run("--workers", "0")
    assert done.returncode == 2
    assert done.stderr.endswith("argument --workers: must be at least 1, got 0\n")
