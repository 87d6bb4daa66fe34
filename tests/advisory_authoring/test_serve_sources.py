"""``pyward serve --source DIR``: the store and an organisation's own advisories behind
one API, tested on the ASGI application in process."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from pyward._authoring._publish import publish
from pyward._serve import create_app
from pyward._serve._sources import MergedData, build_sources, open_sources
from pyward.errors import InputError
from tests.advisory_authoring.test_publish import draft
from tests.conftest import PYPA_VULNS
from tests.serve._support import db_update

NOW = dt.datetime(2026, 5, 4, 3, 2, 1, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def main_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    source = tmp_path_factory.mktemp("mirror")
    shutil.copytree(PYPA_VULNS / "requests", source / "requests")
    return db_update(source, tmp_path_factory.mktemp("cache"))


@pytest.fixture
def own(tmp_path: Path) -> Path:
    """An advisory directory with one published record, for a package the mirror has too."""
    publish(draft("requests"), tmp_path / "own", prefix="x_ACME", now=NOW)
    publish(draft("foo-bar"), tmp_path / "own", prefix="x_ACME", now=NOW)
    return tmp_path / "own"


def ask(app: Any, method: str, url: str, body: Any = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, url, json=body)

    return asyncio.run(go())


@pytest.fixture
def merged(main_store: Any, own: Path, tmp_path: Path) -> MergedData:
    files = build_sources([own], tmp_path / "work")
    data = open_sources(main_store, files)
    assert isinstance(data, MergedData)
    return data


def test_both_sources_answer_one_query(merged: MergedData) -> None:
    app = create_app(merged)
    r = ask(
        app,
        "POST",
        "/v1/query",
        {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "1.1.0"},
    )
    mirror = [m.advisory_id for m in merged.main.matches("requests", "1.1.0")]
    assert mirror  # the mirror's own records, then the organisation's
    assert [v["id"] for v in r.json()["vulns"]] == [*mirror, "x_ACME-2026-1"]
    r = ask(
        app,
        "POST",
        "/v1/querybatch",
        {
            "queries": [
                {"package": {"name": "foo_bar", "ecosystem": "PyPI"}, "version": "1.0"},
                {"package": {"name": "foo-bar", "ecosystem": "PyPI"}, "version": "1.2.0"},
            ]
        },
    )
    assert r.json() == {
        "results": [
            {"vulns": [{"id": "x_ACME-2026-2", "modified": "2026-05-04T03:02:01Z"}]},
            {},
        ]
    }
    r = ask(app, "GET", "/v1/vulns/x_ACME-2026-2")
    assert r.json()["credits"] == [{"name": "Jane Doe", "type": "FINDER"}]
    assert ask(app, "GET", "/v1/vulns/PYSEC-2023-74").status_code == 200


def test_health_names_every_source_and_the_mirror_freshness(merged: MergedData, own: Path) -> None:
    health = ask(create_app(merged), "GET", "/health").json()
    main = merged.main.info
    assert health["source"] == f"{main.source} + {own.resolve()}"
    assert health["record_count"] == main.record_count + 2
    assert health["newest_modified"] == main.newest_modified  # not the fresher own records


def test_an_id_in_two_sources_is_served_from_the_first(main_store: Any, tmp_path: Path) -> None:
    clash = tmp_path / "clash" / "vulns" / "requests"
    clash.mkdir(parents=True)
    text = (PYPA_VULNS / "requests" / "PYSEC-2023-74.yaml").read_text()
    # The same id, said to affect every version: must not match where the mirror's does not.
    clash.joinpath("PYSEC-2023-74.yaml").write_text(
        text.replace("- introduced: 2.3.0", '- introduced: "0"')
    )
    data = open_sources(main_store, build_sources([tmp_path / "clash"], tmp_path / "w"))
    ids = [m.advisory_id for m in data.matches("requests", "2.0.0")]
    assert "PYSEC-2023-74" not in ids
    assert [str(a) for a in data.ids_for_package("requests")].count("PYSEC-2023-74") == 1
    assert data.record("PYSEC-2023-74") == main_store.record("PYSEC-2023-74")


def test_db_update_of_the_main_store_is_still_picked_up(tmp_path: Path, own: Path) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(PYPA_VULNS / "requests", mirror / "requests")
    store = db_update(mirror, tmp_path / "cache")
    data = open_sources(store, build_sources([own], tmp_path / "w"))
    assert isinstance(data, MergedData)
    assert data.refresh() is False
    shutil.copytree(PYPA_VULNS / "flask", mirror / "flask")
    db_update(mirror, tmp_path / "cache")
    assert data.refresh() is True
    assert data.ids_for_package("flask")


def test_no_sources_serves_the_store_itself(main_store: Any) -> None:
    assert open_sources(main_store, []) is main_store


def test_a_source_without_records_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "empty" / "cases").mkdir(parents=True)
    with pytest.raises(InputError, match="no OSV records"):
        build_sources([tmp_path / "empty"], tmp_path / "w")


def test_serve_command_rejects_a_missing_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], main_store: Any
) -> None:
    from tests.conftest import run_cli

    cache = Path(main_store.info.path).parent
    code, _, err = run_cli(
        capsys,
        "serve",
        "--cache-dir",
        str(cache),
        "--port",
        "0",
        "--source",
        str(tmp_path / "nope"),
    )
    assert code == 2
    assert err == f"pyward: error: {tmp_path / 'nope'}: no such file or directory\n"


def test_serve_process_with_a_source(tmp_path: Path, own: Path, main_store: Any) -> None:
    from tests.serve._support import serve_process

    cache = Path(main_store.info.path).parent
    with serve_process(["--cache-dir", str(cache), "--source", str(own), "--workers", "2"]) as (
        url,
        proc,
    ):
        for _ in range(6):
            r = httpx.get(f"{url}/v1/vulns/x_ACME-2026-1", trust_env=False)
            assert r.status_code == 200
            assert r.json()["affected"][0]["package"]["name"] == "requests"
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    assert "pyward: serving also 2 records from" in err
