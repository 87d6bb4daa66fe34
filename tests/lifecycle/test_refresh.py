"""``pyward db update`` refreshes the lifecycle data: from endoflife.date's API v1
answer served by a loopback server (``tests/data/endoflife/api-v1-products-full.json``,
built by ``scripts/lifecycle_snapshot.py --api`` from the real product files), from a
copy of it, or from a directory of product files; a failed refresh keeps the old data
and says why in one line."""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pyward._commands.db import lifecycle_source
from pyward._settings import Settings
from pyward._sources.lifecycle import load_lifecycle
from pyward._sources.lifecycle._refresh import DEFAULT_LIFECYCLE_URL, refresh_lifecycle
from pyward.errors import InputError, NetworkError, UsageError
from tests.conftest import PYPA_VULNS, loopback, run_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "endoflife"
ANSWER = (DATA / "api-v1-products-full.json").read_bytes()
BUILTIN_KEPT = "keeping endoflife.date a70eca3 (built-in snapshot) (2026-08-22)"


class _Handler(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        status, kind, body = self.answers.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.answers = {
        "/api/v1/products/full": (200, "application/json", ANSWER),
        "/broken": (500, "text/plain", b"oops"),
        "/html": (200, "text/html", b"<!doctype html><title>Maintenance</title>"),
        "/truncated": (200, "application/json", ANSWER[: len(ANSWER) // 2]),
    }
    with loopback(_Handler) as base:
        yield base


@pytest.fixture
def advisories(tmp_path: Path) -> Path:
    """A local advisory source: the real records of one package."""
    src = tmp_path / "vulns"
    shutil.copytree(PYPA_VULNS / "jinja2", src / "jinja2")
    return src


def test_refresh_from_the_api(tmp_path: Path, server: str) -> None:
    url = f"{server}/api/v1/products/full"
    done = refresh_lifecycle(tmp_path, url, today=dt.date(2026, 12, 7))
    assert done.summary() == (
        f"lifecycle data: 6 products from {url} (2026-08-22) -> {tmp_path / 'lifecycle.json'}"
    )
    lifecycle, notes = load_lifecycle(tmp_path)
    assert notes == []
    assert (lifecycle.source, lifecycle.updated) == (url, dt.date(2026, 8, 22))
    django = lifecycle.for_package("django")
    assert django is not None
    builtin, _ = load_lifecycle(None)
    assert django == builtin.for_package("django")


def test_refresh_from_a_directory_of_product_files(tmp_path: Path) -> None:
    done = refresh_lifecycle(tmp_path, str(DATA / "products"), today=dt.date(2026, 12, 7))
    assert (done.products, done.updated, done.source) == (
        6,
        dt.date(2026, 12, 7),
        str(DATA / "products"),
    )
    lifecycle, _ = load_lifecycle(tmp_path)
    assert sorted(lifecycle.products) == [
        "ansible",
        "apache-airflow",
        "django",
        "numpy",
        "python",
        "wagtail",
    ]


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/broken", NetworkError, "{url}: HTTP 500 Internal Server Error"),
        ("/missing", NetworkError, "{url}: HTTP 404 Not Found"),
        (
            "/html",
            InputError,
            "{url}: not JSON (unexpected character, expected a JSON value: "
            "line 1 column 1 (char 0))",
        ),
    ],
)
def test_a_failed_refresh_writes_nothing(
    tmp_path: Path, server: str, path: str, error: type[Exception], message: str
) -> None:
    old = tmp_path / "lifecycle.json"
    refresh_lifecycle(tmp_path, f"{server}/api/v1/products/full")
    before = old.read_bytes()
    url = f"{server}{path}"
    with pytest.raises(error) as err:
        refresh_lifecycle(tmp_path, url)
    assert str(err.value) == message.format(url=url)
    assert old.read_bytes() == before


def test_truncated_json(tmp_path: Path, server: str) -> None:
    with pytest.raises(InputError, match=r"/truncated: not JSON \(") as err:
        refresh_lifecycle(tmp_path, f"{server}/truncated")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "lifecycle.json").exists()


def test_a_bad_value_names_its_key_path(tmp_path: Path) -> None:
    answer = json.loads(ANSWER)
    answer["result"][2]["releases"][3]["eolFrom"] = "someday"
    answer["result"][4]["identifiers"] = "pkg:pypi/x"
    copy = tmp_path / "answer.json"
    copy.write_text(json.dumps(answer))
    with pytest.raises(InputError) as err:
        refresh_lifecycle(tmp_path, str(copy))
    assert str(err.value) == f"{copy}: result[2].releases[3].eolFrom: not a date: 'someday'"
    answer["result"][2]["releases"][3]["eolFrom"] = None
    copy.write_text(json.dumps(answer))
    with pytest.raises(InputError) as err:
        refresh_lifecycle(tmp_path, str(copy))
    assert str(err.value) == f"{copy}: result[4].identifiers: expected an array, found a string"
    answer["schema_version"] = "2.0.0"
    copy.write_text(json.dumps(answer))
    with pytest.raises(InputError) as err:
        refresh_lifecycle(tmp_path, str(copy))
    assert (
        str(err.value) == f"{copy}: schema_version: unsupported API version '2.0.0' (expected 1.x)"
    )


def test_offline_downloads_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        refresh_lifecycle(tmp_path, "https://user:secret@eol.invalid/api", offline=True)
    assert str(err.value) == (
        "https://***@eol.invalid/api: not downloaded (--offline); give --lifecycle-from FILE|DIR"
    )


def _args(**values: Any) -> argparse.Namespace:
    return argparse.Namespace(
        **{"source": None, "lifecycle_from": None, "offline": False, **values}
    )


def test_which_source_db_update_refreshes_from() -> None:
    plain = Settings()
    mirror = Settings(lifecycle_url="https://eol.invalid/full")
    assert lifecycle_source(_args(), plain) == (DEFAULT_LIFECYCLE_URL, False)
    assert lifecycle_source(_args(source="vulns"), plain) == (None, False)
    assert lifecycle_source(_args(offline=True), plain) == (None, False)
    assert lifecycle_source(_args(source="vulns"), mirror) == ("https://eol.invalid/full", True)
    assert lifecycle_source(_args(lifecycle_from="d", source="v"), mirror) == ("d", True)


# -- the command ---------------------------------------------------------------------


def test_db_update_refreshes_both(
    tmp_path: Path, server: str, advisories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    url = f"{server}/api/v1/products/full"
    code, out, err = run_cli(
        capsys, "db", "update", "--source", str(advisories), "--lifecycle-from", url,
        "--cache-dir", str(cache),
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 2
    assert (
        lines[1]
        == f"lifecycle data: 6 products from {url} (2026-08-22) -> {cache / 'lifecycle.json'}"
    )
    assert load_lifecycle(cache)[0].source == url


def test_a_named_source_that_fails_is_an_error_after_the_advisory_update(
    tmp_path: Path,
    server: str,
    advisories: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    url = f"{server}/broken"
    monkeypatch.setenv("PYWARD_LIFECYCLE_URL", url)
    code, out, err = run_cli(
        capsys, "db", "update", "--source", str(advisories), "--cache-dir", str(cache)
    )
    assert code == 2
    # The advisory update is done and reported all the same.
    assert out.startswith(f"5 records from {advisories}: 5 added, 0 changed")
    assert err == (
        f"pyward: error: lifecycle data not refreshed: {url}: HTTP 500 Internal Server Error; "
        f"{BUILTIN_KEPT}\n"
    )
    assert not (cache / "lifecycle.json").exists()


def test_the_default_source_that_fails_is_a_warning(
    tmp_path: Path,
    server: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No --source: both defaults, here two loopback URLs; the advisory download fails
    # too, and its error decides the exit code after the lifecycle warning.
    monkeypatch.setattr(
        "pyward._sources.lifecycle._refresh.DEFAULT_LIFECYCLE_URL", f"{server}/html"
    )
    monkeypatch.setenv("PYWARD_OSV_URL", f"{server}/missing")
    code, out, err = run_cli(capsys, "db", "update", "--cache-dir", str(tmp_path))
    assert (code, out) == (2, "")
    warning, error = err.splitlines()
    assert warning == (
        f"pyward: warning: lifecycle data not refreshed: {server}/html: not JSON "
        f"(unexpected character, expected a JSON value: line 1 column 1 (char 0)); {BUILTIN_KEPT}"
    )
    assert error == f"pyward: error: {server}/missing: HTTP 404 Not Found"


def test_db_update_offline(
    tmp_path: Path, advisories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "db", "update", "--offline", "--cache-dir", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        "pyward: error: db update --offline: give --source PATH (a zip or a directory of OSV "
        "records); the advisories' default source is a download\n"
    )
    code, out, err = run_cli(
        capsys,
        "db",
        "update",
        "--offline",
        "--source",
        str(advisories),
        "--cache-dir",
        str(tmp_path),
    )
    assert code == 0
    assert err == (
        "pyward: lifecycle data not refreshed "
        "(--offline; --lifecycle-from FILE|DIR imports a copy)\n"
    )
    code, out, err = run_cli(
        capsys, "db", "update", "--offline", "--source", str(advisories),
        "--lifecycle-from", str(DATA / "products"), "--cache-dir", str(tmp_path),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith(f"lifecycle data: 6 products from {DATA / 'products'} (")
