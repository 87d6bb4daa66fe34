"""``pyward db update --popularity-from`` and ``$PYWARD_POPULARITY_URL`` refresh the
popularity list from hugovk/top-pypi-packages' JSON or CSV, here served by a loopback
server (the real first 300 rows, ``tests/data/top-pypi-packages``); a failed refresh
keeps the list in use and says why in one line."""

from __future__ import annotations

import csv
import datetime as dt
import http.server
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest

from pyward._sources.popularity._load import CACHE_NAME, load_popularity
from pyward._sources.popularity._refresh import refresh_popularity
from pyward.errors import InputError, NetworkError, UsageError
from tests.conftest import PYPA_VULNS, loopback, run_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "top-pypi-packages"
CSV = (DATA / "top-300.csv").read_bytes()
ROWS = [
    {"download_count": int(count), "project": name}
    for count, name in list(csv.reader(CSV.decode().splitlines()))[1:]
]
# The shape the project publishes (``top-pypi-packages.min.json``).
JSON = orjson.dumps({"last_update": "2026-04-01 07:50:33", "query": {}, "rows": ROWS})
KEPT = "keeping hugovk/top-pypi-packages 5501c5c (built-in snapshot) (2026-04-06)"


class _Handler(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        status, body = self.answers.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.answers = {
        "/top.json": (200, JSON),
        "/top.csv": (200, CSV),
        "/broken": (503, b"busy"),
        "/html": (200, b"<!doctype html><title>Maintenance</title>"),
        "/truncated": (200, JSON[: len(JSON) // 2]),
    }
    with loopback(_Handler) as base:
        yield base


def test_refresh_from_the_json(tmp_path: Path, server: str) -> None:
    url = f"{server}/top.json"
    done = refresh_popularity(tmp_path, url, today=dt.date(2026, 12, 7))
    target = tmp_path / CACHE_NAME
    assert done.summary() == f"popularity list: 300 projects from {url} (2026-04-01) -> {target}"
    popularity, notes = load_popularity(tmp_path)
    assert notes == []
    assert (popularity.origin, popularity.updated) == (url, dt.date(2026, 4, 1))
    builtin, _ = load_popularity(None)
    assert popularity.downloads == dict(list(builtin.downloads.items())[:300])


def test_refresh_from_the_csv_takes_the_refresh_date(tmp_path: Path, server: str) -> None:
    done = refresh_popularity(tmp_path, f"{server}/top.csv", today=dt.date(2026, 12, 7))
    assert (done.projects, done.updated) == (300, dt.date(2026, 12, 7))


def test_refresh_from_a_file(tmp_path: Path) -> None:
    copy = tmp_path / "top.json"
    copy.write_bytes(JSON)
    done = refresh_popularity(tmp_path / "cache", str(copy))
    assert (done.source, done.projects) == (str(copy), 300)


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/broken", NetworkError, "{url}: HTTP 503 Service Unavailable"),
        ("/missing", NetworkError, "{url}: HTTP 404 Not Found"),
        (
            "/html",
            InputError,
            "{url}: line 1: expected a download_count,project header, found "
            "'<!doctype html><title>Maintenance</title>'",
        ),
    ],
)
def test_a_failed_refresh_writes_nothing(
    tmp_path: Path, server: str, path: str, error: type[Exception], message: str
) -> None:
    refresh_popularity(tmp_path, f"{server}/top.csv")
    before = (tmp_path / CACHE_NAME).read_bytes()
    url = f"{server}{path}"
    with pytest.raises(error) as err:
        refresh_popularity(tmp_path, url)
    assert str(err.value) == message.format(url=url)
    assert (tmp_path / CACHE_NAME).read_bytes() == before


def test_truncated_json_is_one_line(tmp_path: Path, server: str) -> None:
    with pytest.raises(InputError, match=r"/truncated: not JSON \(") as err:
        refresh_popularity(tmp_path, f"{server}/truncated")
    assert "\n" not in str(err.value)
    assert not (tmp_path / CACHE_NAME).exists()


def test_offline_downloads_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        refresh_popularity(tmp_path, "https://user:secret@top.invalid/top.json", offline=True)
    assert str(err.value) == (
        "https://***@top.invalid/top.json: not downloaded (--offline); give --popularity-from FILE"
    )


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        refresh_popularity(tmp_path, str(tmp_path / "nope.csv"))
    assert str(err.value) == f"{tmp_path / 'nope.csv'}: cannot read: No such file or directory"


# -- the command ---------------------------------------------------------------------


@pytest.fixture
def advisories(tmp_path: Path) -> Path:
    """A local advisory source: the real records of one package."""
    src = tmp_path / "vulns"
    shutil.copytree(PYPA_VULNS / "jinja2", src / "jinja2")
    return src


def test_db_update_popularity_from(
    tmp_path: Path, server: str, advisories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    url = f"{server}/top.json"
    code, out, err = run_cli(
        capsys, "db", "update", "--source", str(advisories), "--popularity-from", url,
        "--cache-dir", str(cache),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        f"popularity list: 300 projects from {url} (2026-04-01) -> {cache / CACHE_NAME}"
    )
    assert load_popularity(cache)[0].origin == url


def test_the_environment_names_the_source_and_a_failure_is_an_error(
    tmp_path: Path,
    server: str,
    advisories: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    url = f"{server}/broken"
    monkeypatch.setenv("PYWARD_POPULARITY_URL", url)
    code, out, err = run_cli(
        capsys, "db", "update", "--source", str(advisories), "--cache-dir", str(cache)
    )
    assert code == 2
    assert out.startswith(f"5 records from {advisories}: 5 added, 0 changed")
    assert err == (
        f"pyward: error: popularity list not refreshed: {url}: HTTP 503 Service Unavailable; "
        f"{KEPT}\n"
    )
    assert not (cache / CACHE_NAME).exists()
    monkeypatch.setenv("PYWARD_POPULARITY_URL", f"{server}/top.csv")
    code, out, err = run_cli(
        capsys, "db", "update", "--source", str(advisories), "--cache-dir", str(cache)
    )
    assert (code, err) == (0, "")
    assert load_popularity(cache)[0].origin == f"{server}/top.csv"


def test_no_source_named_no_refresh(
    tmp_path: Path, advisories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    code, out, err = run_cli(
        capsys, "db", "update", "--source", str(advisories), "--cache-dir", str(cache)
    )
    assert (code, err) == (0, "")
    assert "popularity" not in out
    assert not (cache / CACHE_NAME).exists()
