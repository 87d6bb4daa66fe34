"""The real OSV clients, unchanged, against ``pyward serve`` on 127.0.0.1: each must
report exactly the findings ``pyward audit`` reports on the same file.

Every client is kept off the internet: its OSV URL points at the local server, any
other host goes through a proxy at 127.0.0.1:9 where nothing listens (connection
refused), and index lookups are disabled (``uv --no-index``; pip-audit
``--no-deps --disable-pip``; pysentry-rs ``--no-maintenance-check``).

Ids: the PyPA database holds ``PYSEC-*`` records with CVE/GHSA ids as aliases only,
and every client reports the matched record's own id (pip-audit, uv and pysentry-rs
all print ``id`` and list aliases apart), so findings compare as
(normalised package, version, record id) with no alias mapping needed; the alias
lists are compared too where the client reports them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pyward._cli import main
from pyward._model import canonical_name
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
Finding = tuple[str, str, str]

#: Where every non-local request goes: nothing listens there.
DEAD_PROXY = "http://127.0.0.1:9"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "PYSENTRY", "HTTP", "ALL_PROXY", "NO_PROXY"))
        and k.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    }
    home = tmp_path / "home"
    home.mkdir()
    return {
        **clean,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "HTTP_PROXY": DEAD_PROXY,
        "HTTPS_PROXY": DEAD_PROXY,
        "ALL_PROXY": DEAD_PROXY,
        "http_proxy": DEAD_PROXY,
        "https_proxy": DEAD_PROXY,
        "all_proxy": DEAD_PROXY,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "UV_NO_CONFIG": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "NO_COLOR": "1",
    }


@dataclass(frozen=True)
class Ctx:
    server_url: str
    store: Any
    env: dict[str, str]
    tmp: Path


@pytest.fixture
def ctx(server_url: str, pypa_store: Any, env: dict[str, str], tmp_path: Path) -> Ctx:
    return Ctx(server_url=server_url, store=pypa_store, env=env, tmp=tmp_path)


def pyward_findings(target: Path, store: Any, tmp_path: Path) -> dict[Finding, list[str]]:
    """``pyward audit --format json`` on the same file and the same store."""
    out = tmp_path / "pyward.json"
    cache_dir = str(Path(store.info.path).parent)
    # The peers report known vulnerabilities only: the same check, for the comparison.
    code = main([
        "audit", str(target), "--cache-dir", cache_dir, "-f", "json", "-o", str(out),
        "--checks", "vulnerabilities",
    ])  # fmt: skip
    report = json.loads(out.read_text())
    found = {
        (canonical_name(f["name"]), f["version"], f["id"]): sorted(f["aliases"])
        for f in report["findings"]
    }
    assert code == (1 if found else 0)
    return found


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False
    )


def test_pip_audit(server_url: str, pypa_store: Any, env: dict[str, str], tmp_path: Path) -> None:
    target = CORPUS / "requirements-hashes/warehouse-2022/main.txt"
    done = _run(
        [
            str(BIN / "pip-audit"),
            "--no-deps",
            "--disable-pip",
            "-r",
            str(target),
            "-s",
            "osv",
            "--osv-url",
            f"{server_url}/v1/query",
            "-f",
            "json",
            "--progress-spinner",
            "off",
            "--cache-dir",
            str(tmp_path / "pip-audit-cache"),
        ],
        env,
        tmp_path,
    )
    assert done.returncode == 1, done.stderr  # 1: vulnerabilities found
    report = json.loads(done.stdout)
    assert len(report["dependencies"]) == 141
    got = {
        (canonical_name(d["name"]), d["version"], v["id"]): sorted(v["aliases"])
        for d in report["dependencies"]
        for v in d["vulns"]
    }
    expected = pyward_findings(target, pypa_store, tmp_path)
    assert got == expected
    assert len(got) == 12
    assert ("urllib3", "1.26.13", "PYSEC-2023-192") in got


def _uv_project(name: str, version: str | None, lock: Path, tmp_path: Path) -> Path:
    """A project directory around a corpus ``uv.lock``: the minimal pyproject.toml that
    names the lock's root package (``--frozen`` audits the lock as it is)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(lock, project / "uv.lock")
    lines = ["[project]", f'name = "{name}"']
    lines.append(f'version = "{version}"' if version else 'dynamic = ["version"]')
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return project


@pytest.mark.parametrize(
    ("corpus", "project", "expected"),
    [
        # (root package name, version or None for dynamic), (findings, audited packages)
        ("uv/litestar-2024", ("litestar", "2.13.0"), (1, 213)),
        ("uv/fastapi", ("fastapi", None), (0, 204)),
    ],
)
def test_uv_audit(
    ctx: Ctx, corpus: str, project: tuple[str, str | None], expected: tuple[int, int]
) -> None:
    name, version = project
    count, audited = expected
    lock = CORPUS / corpus / "uv.lock"
    directory = _uv_project(name, version, lock, ctx.tmp)
    done = _run(
        [
            str(BIN / "uv"),
            "audit",
            "--frozen",
            # Without an index uv skips the per-package project-status (PEP 792)
            # lookups it would send to the index recorded in the lock.
            "--no-index",
            "--service-url",
            ctx.server_url,
            "--output-format",
            "json",
        ],
        ctx.env,
        directory,
    )
    assert done.returncode == (1 if count else 0), done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["audited_packages"] == audited
    got = {
        (canonical_name(v["dependency"]["name"]), v["dependency"]["version"], v["id"]): sorted(
            v["aliases"]
        )
        for v in report["vulnerabilities"]
    }
    findings = pyward_findings(lock, ctx.store, ctx.tmp)
    assert got == findings
    assert len(got) == count


@pytest.mark.parametrize(
    ("corpus", "count"),
    [("poetry/saleor-2020", 69), ("poetry/wemake-python-styleguide-2019", 27)],
)
def test_pysentry_rs(
    ctx: Ctx,
    corpus: str,
    count: int,
) -> None:
    lock = CORPUS / corpus / "poetry.lock"
    project = ctx.tmp / "project"
    project.mkdir()
    shutil.copy(lock, project / "poetry.lock")
    out = ctx.tmp / "pysentry.json"
    done = _run(
        [
            str(BIN / "pysentry-rs"),
            str(project),
            "--sources",
            "osv",
            # pysentry-rs takes the API's base URL, `/v1` included.
            "--service-url",
            f"{ctx.server_url}/v1",
            "--format",
            "json",
            "--no-maintenance-check",
            "--no-config",
            "--cache-dir",
            str(ctx.tmp / "pysentry-cache"),
            "-o",
            str(out),
        ],
        ctx.env,
        ctx.tmp,
    )
    assert done.returncode == 1, done.stderr  # 1: vulnerabilities at/above medium
    report = json.loads(out.read_text())
    # pysentry-rs reports no aliases: compare (package, version, id).
    got = {
        (canonical_name(v["package_name"]), v["installed_version"], v["id"])
        for v in report["vulnerabilities"]
    }
    expected = set(pyward_findings(lock, ctx.store, ctx.tmp))
    assert got == expected
    assert len(got) == count
