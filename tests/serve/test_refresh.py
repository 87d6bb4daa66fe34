"""``pyward db update`` while the server answers: picked up without a restart, and no
request in flight fails."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx

from pyward._serve import create_app
from tests.conftest import PYPA_VULNS
from tests.serve._support import db_update, running_server

REQUESTS_Q = {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.19.0"}
FLASK_Q = {"package": {"name": "flask", "ecosystem": "PyPI"}, "version": "0.12"}
FLASK_IDS = ["PYSEC-2018-66", "PYSEC-2019-179", "PYSEC-2023-62"]


def test_db_update_is_served_without_restart_or_failed_requests(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for package in ("requests", "jinja2"):
        shutil.copytree(PYPA_VULNS / package, source / package)
    cache = tmp_path / "cache"
    store = db_update(source, cache)
    assert store.info.record_count == 10

    failures: list[str] = []
    # Per thread: what each successive batch answered for flask.
    seen: list[list[list[str]]] = [[], []]
    stop = threading.Event()

    def done() -> int:
        return sum(len(s) for s in seen)

    def wait_for(answers: int) -> None:
        # Bounded: a server that stops answering fails the test instead of hanging it.
        deadline = time.monotonic() + 30
        while done() < answers:
            if time.monotonic() > deadline:
                stop.set()
                raise AssertionError(f"{done()} answers of {answers}: {failures[:3]}")
            time.sleep(0.01)

    def hammer(url: str, seen_flask: list[list[str]]) -> None:
        with httpx.Client(base_url=url, timeout=10, trust_env=False) as client:
            while not stop.is_set():
                try:
                    r = client.post("/v1/query", json=REQUESTS_Q)
                    ids = [v["id"] for v in r.json().get("vulns", [])]
                    if r.status_code != 200 or ids != ["PYSEC-2018-28", "PYSEC-2023-74"]:
                        failures.append(f"{r.status_code} {r.text[:200]}")
                    r = client.post("/v1/querybatch", json={"queries": [FLASK_Q, REQUESTS_Q]})
                    if r.status_code != 200:
                        failures.append(f"{r.status_code} {r.text[:200]}")
                    else:
                        first = r.json()["results"][0]
                        seen_flask.append([v["id"] for v in first.get("vulns", [])])
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))

    with running_server(create_app(store, refresh_interval=0)) as url:
        threads = [threading.Thread(target=hammer, args=(url, s)) for s in seen]
        for t in threads:
            t.start()
        wait_for(50)
        # The update adds records while both threads keep asking.
        shutil.copytree(PYPA_VULNS / "flask", source / "flask")
        db_update(source, cache)
        deadline = time.monotonic() + 10
        while any(s[-1:] != [FLASK_IDS] for s in seen) and time.monotonic() < deadline:
            time.sleep(0.01)
        wait_for(done() + 50)
        stop.set()
        for t in threads:
            t.join(timeout=10)
        health = httpx.get(f"{url}/health", trust_env=False).json()

    assert failures == []
    for seen_flask in seen:
        assert seen_flask[0] == []  # flask was not in the store at first
        assert seen_flask[-1] == FLASK_IDS  # and is served after the update, same process
        # Once served, never lost again; never anything but the old or the new answer.
        first_new = seen_flask.index(FLASK_IDS)
        assert all(ids == FLASK_IDS for ids in seen_flask[first_new:])
        assert all(ids == [] for ids in seen_flask[:first_new])
    assert health["record_count"] == 13
