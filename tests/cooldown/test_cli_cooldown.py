"""``pyward audit --checks cooldown`` end to end: the lock's upload times where it has
them, else the index's, asked of a real HTTP server on 127.0.0.1 serving the recorded
pages; offline without a cache, the check says what it could not decide."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import run_cli
from tests.index._loopback_index import LoopbackIndex, loopback_index

#: An hour before the test runs: inside any cooldown, whatever the day.
FRESH = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fresh_page() -> bytes:
    name = "fresh-demo"
    files = [
        {
            "filename": f"fresh_demo-{v}-py3-none-any.whl",
            "url": f"https://files.index.invalid/fresh_demo-{v}-py3-none-any.whl",
            "hashes": {"sha256": "ab" * 32},
            "upload-time": when,
        }
        for v, when in (("1.0", "2020-01-01T00:00:00Z"), ("2.0", FRESH))
    ]
    page = {
        "meta": {"api-version": "1.1"},
        "name": name,
        "files": files,
        "versions": ["1.0", "2.0"],
    }
    return orjson.dumps(page)


@pytest.fixture
def index(online: None) -> Iterator[LoopbackIndex]:
    with loopback_index(pages={"fresh-demo": _fresh_page()}) as served:
        yield served


def audit(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(capsys, "audit", "--checks", "cooldown", "-f", "json", *options)
    return code, json.loads(out), err


def test_a_requirements_file_is_checked_against_the_index(
    index: LoopbackIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("fresh-demo==2.0\nsix==1.16.0\n", encoding="utf-8")
    code, report, _ = audit(capsys, "-r", str(reqs), "--index-url", index.simple_url)
    (finding,) = report["findings"]
    assert finding["id"] == "cooldown:fresh-demo@2.0"
    assert finding["kind"] == "cooldown"
    assert finding["detail"]["origin"] == "the index"
    assert finding["summary"].startswith("fresh-demo 2.0 was uploaded 0.0 days ago (")
    assert finding["summary"].endswith("), within the 7-day cooldown")
    # The index was asked for each project's page, and not its JSON API (the cooldown
    # reads only the pages).
    assert sorted(path for path, _ in index.requests) == ["/simple/fresh-demo/", "/simple/six/"]
    # The audit's gate fails on a finding of a check the run selected.
    assert code == 1


def test_a_lock_with_upload_times_needs_no_index(
    index: LoopbackIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(
        'version = 1\nrevision = 3\nrequires-python = ">=3.10"\n\n'
        "[[package]]\n"
        'name = "six"\nversion = "1.17.0"\n'
        f'source = {{ registry = "{index.simple_url}" }}\n'
        f'sdist = {{ url = "https://files.index.invalid/six-1.17.0.tar.gz", '
        f'hash = "sha256:{"ab" * 32}", upload-time = "{FRESH}" }}\n',
        encoding="utf-8",
    )
    code, report, _ = audit(capsys, str(lock), "--index-url", index.simple_url)
    assert [f["id"] for f in report["findings"]] == ["cooldown:six@1.17.0"]
    assert report["findings"][0]["detail"]["origin"] == "uv.lock upload-time"
    assert index.requests == []
    assert code == 1


def test_offline_without_a_cache_the_audit_says_what_it_could_not_decide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("six==1.16.0\n", encoding="utf-8")
    code, report, _ = audit(
        capsys, "-r", str(reqs), "--offline", "--index-url", "https://index.example.invalid/simple"
    )
    assert report["findings"] == []
    (warning,) = [w for w in report["warnings"] if w.startswith("cooldown")]
    assert warning == (
        "cooldown not checked for 1 component (six 1.16.0): requirements records no upload "
        "time, and the index was not asked (--offline, and no index metadata is cached for "
        "these projects)"
    )
    assert code == 0
