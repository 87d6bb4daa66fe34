"""The index's newest upload time of each version survives the facts cache: a run
offline, from the cache alone, ages a release as the run that fetched it did."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from pyward._model import Component, Inventory
from pyward._sources.index._facts import FACTS_FORMAT
from pyward._sources.index._fetch import ClientOptions, fetch_metadata
from pyward._sources.index._model import ProjectInfo
from tests.index._loopback_index import loopback_index

FAST = ClientOptions(timeout=5.0, retries=2, backoff=0.01, max_retry_after=0.05)
#: six 1.17.0: the wheel uploaded 17:35:26.475808, the sdist 17:35:28.174320.
FIRST = dt.datetime(2024, 12, 4, 17, 35, 26, 475808, tzinfo=dt.timezone.utc)
LAST = dt.datetime(2024, 12, 4, 17, 35, 28, 174320, tzinfo=dt.timezone.utc)


def _six(tmp_path: Path) -> list[tuple[Inventory, Component]]:
    inv = Inventory(
        source=str(tmp_path / "requirements.txt"),
        format="requirements",
        components=(Component(name="six", version="1.17.0"),),
    )
    return [(inv, c) for c in inv.components]


def test_the_newest_upload_time_is_kept_in_the_facts_cache(online: None, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with loopback_index() as index:
        fetched = fetch_metadata(
            _six(tmp_path), option=index.simple_url, cache_dir=cache, client=FAST
        ).page("six")
        again = fetch_metadata(
            _six(tmp_path), option=index.simple_url, cache_dir=cache, offline=True
        ).page("six")
    assert isinstance(fetched, ProjectInfo)
    assert isinstance(again, ProjectInfo)
    assert (again.from_cache, again.summary) == (True, True)
    for page in (fetched, again):
        assert page.upload_time("1.17.0") == FIRST
        assert page.last_upload_time("1.17.0") == LAST
        assert page.last_upload_time("99.0") is None
    db = sqlite3.connect(cache / "index" / "facts.sqlite3")
    try:
        assert {row[0] for row in db.execute("SELECT format FROM facts")} == {FACTS_FORMAT}
    finally:
        db.close()


def test_a_row_of_the_format_before_is_a_miss(online: None, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with loopback_index() as index:
        fetch_metadata(_six(tmp_path), option=index.simple_url, cache_dir=cache, client=FAST)
    with sqlite3.connect(cache / "index" / "facts.sqlite3") as db:
        db.execute("UPDATE facts SET format = ?", (FACTS_FORMAT - 1,))
    db.close()
    with loopback_index() as index:
        page = fetch_metadata(
            _six(tmp_path), option=index.simple_url, cache_dir=cache, client=FAST
        ).page("six")
        # The stale-format row was passed over: the page was asked of the index again.
        assert index.asked("/simple/six/") == 1
    assert isinstance(page, ProjectInfo)
    assert page.last_upload_time("1.17.0") == LAST
