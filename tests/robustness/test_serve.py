"""Hostile requests to ``pyward serve`` (issue 12, items 1 and 2): every one gets an
answer, a 4xx with osv.dev's error body naming the bad field when it is refused, and
never a 500 or an internal error in the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from pyward._advisory import AdvisoryStore
from pyward._serve import create_app
from tests.serve._support import running_server


@pytest.fixture(scope="module")
def client(store: Path) -> Iterator[httpx.Client]:
    with (
        running_server(create_app(AdvisoryStore.open(store))) as url,
        httpx.Client(base_url=url, timeout=60, trust_env=False) as c,
    ):
        yield c


def _query(name: str = "requests", version: str | None = "2.19.0") -> dict[str, object]:
    body: dict[str, object] = {"package": {"name": name, "ecosystem": "PyPI"}}
    if version is not None:
        body["version"] = version
    return body


_LONG = "x" * 257
#: (id, path, body, status, message or None for a 200)
CASES: list[tuple[str, str, object, int, str | None]] = [
    (
        "version-4301-digits",
        "/v1/query",
        _query(version="1" * 4301),
        400,
        "version: too long: 4301 characters (at most 256)",
    ),
    ("version-256-digits", "/v1/query", _query(version="9" * 256), 200, None),
    ("version-128-segments", "/v1/query", _query(version=".".join("9" * 128)), 200, None),
    ("version-not-pep440", "/v1/query", _query(version="1.0-\U0001f40d\x00"), 200, None),
    (
        "name-1mb",
        "/v1/query",
        _query(name="a" * 1_000_000),
        400,
        "package.name: too long: 1000000 characters (at most 256)",
    ),
    ("name-256", "/v1/query", _query(name="a" * 256), 200, None),
    ("name-and-version-absent", "/v1/query", _query(name="a" * 256, version=None), 200, None),
    (
        "purl-long",
        "/v1/query",
        {"package": {"purl": "pkg:pypi/" + "a" * 1100}},
        400,
        "package.purl: too long: 1109 characters (at most 1024)",
    ),
    (
        "purl-long-name",
        "/v1/query",
        {"package": {"purl": "pkg:pypi/" + _LONG}},
        400,
        "package.purl.name: too long: 257 characters (at most 256)",
    ),
    (
        "purl-long-version",
        "/v1/query",
        {"package": {"purl": "pkg:pypi/requests@" + "1" * 4301}},
        400,
        "package.purl: too long: 4319 characters (at most 1024)",
    ),
    (
        "purl-version-over-256",
        "/v1/query",
        {"package": {"purl": "pkg:pypi/requests@" + "1" * 300}},
        400,
        "package.purl.version: too long: 300 characters (at most 256)",
    ),
    (
        "batch-long-name",
        "/v1/querybatch",
        {"queries": [_query(), _query(name=_LONG)]},
        400,
        "queries[1].package.name: too long: 257 characters (at most 256)",
    ),
    (
        "batch-long-version-other-ecosystem",
        "/v1/querybatch",
        {"queries": [{"package": {"name": "a", "ecosystem": "npm"}, "version": "1" * 4301}]},
        400,
        "queries[0].version: too long: 4301 characters (at most 256)",
    ),
    (
        "batch-1000-distinct-names",
        "/v1/querybatch",
        {"queries": [_query(name=f"{i:04d}" + "n" * 252) for i in range(1000)]},
        200,
        None,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_request(
    client: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    case: tuple[str, str, object, int, str | None],
) -> None:
    _, path, body, status, message = case
    caplog.set_level(logging.INFO, logger="pyward")
    r = client.post(path, content=orjson.dumps(body))
    assert r.status_code == status, r.text
    if message is not None:
        assert r.json() == {"code": 3, "message": message}
    else:
        assert isinstance(r.json(), dict)
    assert [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    ("vuln_id", "status", "message"),
    [
        ("X" * 257, 400, "id: too long: 257 characters (at most 256)"),
        ("X" * 256, 404, f"{'X' * 256}: no such record"),
        ("%00", 404, "\x00: no such record"),
    ],
    ids=["257", "256", "nul"],
)
def test_hostile_record_id(client: httpx.Client, vuln_id: str, status: int, message: str) -> None:
    r = client.get(f"/v1/vulns/{vuln_id}")
    assert r.status_code == status, r.text
    assert r.json() == {"code": 3 if status == 400 else 5, "message": message}
