"""``fetch_metadata`` through the real client against the loopback index (recorded
pages, real HTTP on 127.0.0.1): every fault, the cache, the breaker, the JSON API."""

from __future__ import annotations

import datetime as dt
import json
import socket
from dataclasses import replace
from pathlib import Path

import pytest

from pyward._model import Component, Inventory
from pyward._sources.index._fetch import PROBES, ClientOptions, fetch_metadata, json_api_base
from pyward._sources.index._metadata import IndexMetadata
from pyward._sources.index._model import ProjectInfo, ReleaseInfo
from pyward._sources.index._parse import parse_project_page
from pyward._sources.index._port import IndexFailure
from pyward._sources.index._versions import release_key
from tests.index._loopback_index import (
    RECORDED,
    SYNTHETIC,
    LoopbackIndex,
    loopback_index,
    recorded_names,
)

NO_INDEX = "no package index configured: set --index-url or PYWARD_INDEX_URL, or configure pip/uv"
#: Small timeouts and backoff: the faults cost fractions of a second.
FAST = ClientOptions(timeout=0.5, retries=2, backoff=0.01, max_retry_after=0.05)
QUARANTINED_JSON = json.dumps({"info": {"name": "demo-quarantined"}, "releases": {}}).encode()
ARCHIVED_JSON = json.dumps({"info": {"name": "Demo_Archived"}, "releases": {}}).encode()


def subjects(
    tmp_path: Path, *names: str, index: str | None = None
) -> list[tuple[Inventory, Component]]:
    inventory = Inventory(
        source=str(tmp_path / "uv.lock"),
        format="uv.lock",
        components=tuple(Component(name=n, version="1.0", index=index) for n in names),
    )
    return [(inventory, c) for c in inventory.components]


def fetch(index: LoopbackIndex, tmp_path: Path, *names: str, **kwargs: object) -> IndexMetadata:
    options = kwargs.pop("client", FAST)
    return fetch_metadata(
        subjects(tmp_path, *names),
        option=index.simple_url,
        client=options,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def failure(metadata: IndexMetadata, name: str) -> IndexFailure:
    page = metadata.pages[name]
    assert isinstance(page, IndexFailure), page
    return page


def test_each_fault_names_the_package_and_the_cause_and_the_rest_comes_through(
    tmp_path: Path,
) -> None:
    faults = {
        "requests": "retry-after",
        "click": "error",
        "urllib3": "hang",
        "idna": "html",
        "certifi": "truncated",
    }
    names = ("six", *faults, "acme-private", "demo-quarantined", "demo-archived")
    seen: list[tuple[int, int]] = []
    releases = {"demo-quarantined": QUARANTINED_JSON, "demo-archived": ARCHIVED_JSON}
    with loopback_index(faults=faults, releases=releases) as index:  # type: ignore[arg-type]
        metadata = fetch(
            index, tmp_path, *names, progress=lambda done, total: seen.append((done, total))
        )
        url = index.simple_url

    assert list(metadata.pages) == list(names)
    assert seen == [(i, len(names)) for i in range(len(names) + 1)]
    assert metadata.indexes == (url,)
    assert failure(metadata, "acme-private") == IndexFailure(
        name="acme-private",
        reason=f"acme-private: not on this index ({url}): HTTP 404",
        kind="not-found",
        url=f"{url}acme-private/",
    )
    assert failure(metadata, "click").reason == (
        f"{url}click/: HTTP 500 Internal Server Error (after 3 attempts)"
    )
    timed_out = failure(metadata, "urllib3")
    assert (timed_out.kind, timed_out.reason) == (
        "network",
        f"{url}urllib3/: ReadTimeout: timed out (after 3 attempts)",
    )
    html = failure(metadata, "idna")
    assert (html.kind, html.reason) == (
        "unsupported",
        f"{url}idna/: the index answered text/html, not PEP 691 JSON: it does not speak "
        "PEP 691 (the JSON simple API)",
    )
    truncated = failure(metadata, "certifi")
    assert truncated.kind == "invalid"
    assert truncated.reason.startswith(f"{url}certifi/: line 1: invalid JSON: ")

    # 429 with Retry-After, then the page: no failure, asked twice (page and JSON API).
    requests = metadata.pages["requests"]
    assert isinstance(requests, ProjectInfo)
    assert requests.yanked("2.32.0") == "Yanked due to conflicts with CVE-2024-35195 mitigation"
    assert index.asked("/simple/requests/") == 2
    assert index.asked("/pypi/requests/json") == 2
    assert isinstance(metadata.release_info("requests"), ReleaseInfo)

    six = metadata.pages["six"]
    assert isinstance(six, ProjectInfo)
    assert ("1.16.0" in six.versions, six.status.status) == (True, "active")
    quarantined = metadata.pages["demo-quarantined"]
    assert isinstance(quarantined, ProjectInfo)
    assert (quarantined.status.status, quarantined.status.reason) == (
        "quarantined",
        "malware reported; under review",
    )
    archived = metadata.pages["demo-archived"]
    assert isinstance(archived, ProjectInfo)
    assert archived.status.status == "archived"
    # The JSON API answered for every page; a failed page asks it nothing.
    assert set(metadata.releases) == {"six", "requests", "demo-quarantined", "demo-archived"}
    assert all(isinstance(r, ReleaseInfo) for r in metadata.releases.values())
    assert index.asked("/pypi/click/json") == 0


def test_once_the_json_api_answered_a_404_is_that_projects_failure(tmp_path: Path) -> None:
    one_at_a_time = ClientOptions(concurrency=1, timeout=5, retries=0)
    with loopback_index() as index:
        metadata = fetch(index, tmp_path, "six", "demo-archived", client=one_at_a_time)
        url = index.json_api_url
    assert isinstance(metadata.releases["six"], ReleaseInfo)
    assert metadata.releases["demo-archived"] == IndexFailure(
        name="demo-archived",
        reason=f"demo-archived: not on this index ({index.simple_url}): HTTP 404",
        kind="not-found",
        url=f"{url}/demo-archived/json",
    )
    assert metadata.release_info("demo-archived") is None
    assert metadata.notes == ()


def test_recorded_pages_and_json_api_of_every_project(tmp_path: Path) -> None:
    names = recorded_names()
    with loopback_index() as index:
        metadata = fetch(index, tmp_path, *names)
    assert all(isinstance(p, ProjectInfo) for p in metadata.pages.values())
    assert all(isinstance(r, ReleaseInfo) for r in metadata.releases.values())
    assert list(metadata.releases) == names
    click = metadata.release_info("click")
    assert click is not None
    assert "Development Status :: 5 - Production/Stable" in click.classifiers
    page = metadata.pages["click"]
    assert isinstance(page, ProjectInfo)
    assert page.yanked("8.2.2") == "Unintended change in behavior of boolean options and None"


def test_an_index_without_a_json_api_is_probed_a_few_times(tmp_path: Path) -> None:
    with loopback_index(json_api=False) as index:
        metadata = fetch(index, tmp_path, "six", "click", "idna", "attrs", "certifi")
        url = index.simple_url
        asked = [path for path, _ in index.requests if path.startswith("/pypi/")]
    # One project missing from a JSON API says nothing of the others: PROBES in a row do.
    assert len(asked) == PROBES
    assert metadata.releases == {}
    assert all(isinstance(p, ProjectInfo) for p in metadata.pages.values())
    name = asked[-1].split("/")[2]
    assert metadata.notes == (
        f"{url}: no JSON API at {index.json_api_url} ({name}: not on this index "
        f"({url}): HTTP 404); its projects were read from the simple API alone",
    )


def test_a_json_api_answering_html_is_passed_over(tmp_path: Path) -> None:
    with loopback_index(faults={"six": "json-api-html"}) as index:
        metadata = fetch(index, tmp_path, "six")
    assert isinstance(metadata.pages["six"], ProjectInfo)
    assert metadata.releases == {}
    assert metadata.notes == (
        f"{index.simple_url}: no JSON API at {index.json_api_url} "
        f"({index.json_api_url}/six/json: unexpected content type 'text/html'); "
        "its projects were read from the simple API alone",
    )


def test_json_api_off(tmp_path: Path) -> None:
    with loopback_index() as index:
        metadata = fetch(index, tmp_path, "six", "click", json_api=False)
        assert sorted(index.requests) == [("/simple/click/", 200), ("/simple/six/", 200)]
    assert metadata.releases == {}


def test_json_api_base() -> None:
    assert json_api_base("https://index.invalid/simple/") == "https://index.invalid/pypi"
    assert json_api_base("https://u:p@index.invalid/a/simple") == "https://u:p@index.invalid/a/pypi"
    assert json_api_base("https://index.invalid/root/pypi/+simple/") is None


def test_cache_ttl_refresh_and_offline(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with loopback_index() as index:
        first = fetch(index, tmp_path, "six", "click", cache_dir=cache)
        assert sorted(s for _, s in index.requests) == [200, 200, 200, 200]
        assert not any(p.from_cache for p in first.pages.values() if isinstance(p, ProjectInfo))

        index.requests.clear()
        again = fetch(index, tmp_path, "six", "click", cache_dir=cache)
        assert index.requests == []  # younger than the TTL: not asked
        six = again.pages["six"]
        assert isinstance(six, ProjectInfo)
        assert (six.from_cache, six.stale) == (True, False)
        assert isinstance(again.release_info("six"), ReleaseInfo)

        refreshed = fetch(index, tmp_path, "six", "click", cache_dir=cache, refresh=True)
        assert sorted(s for _, s in index.requests) == [304, 304, 304, 304]
        assert all(isinstance(p, ProjectInfo) for p in refreshed.pages.values())

        index.requests.clear()
        fetch(index, tmp_path, "six", cache_dir=cache, max_age=dt.timedelta(0))
        assert sorted(index.requests) == [("/pypi/six/json", 304), ("/simple/six/", 304)]

        index.requests.clear()
        offline = fetch(index, tmp_path, "six", "attrs", cache_dir=cache, offline=True)
        assert index.requests == []
    assert isinstance(offline.pages["six"], ProjectInfo)
    assert failure(offline, "attrs") == IndexFailure(
        name="attrs",
        reason=f"{index.simple_url}attrs/: offline and not cached",
        kind="offline",
        url=f"{index.simple_url}attrs/",
    )


def test_the_breaker_fails_the_rest_fast(tmp_path: Path) -> None:
    names = ("six", "click", "idna", "attrs", "certifi", "packaging")
    one_at_a_time = ClientOptions(
        concurrency=1, timeout=5, retries=1, backoff=0.01, max_retry_after=0.05
    )
    with loopback_index() as index:
        index.down = True
        metadata = fetch(index, tmp_path, *names, client=one_at_a_time)
        url = index.simple_url
    assert len(index.requests) == 3 * 2  # three projects, two attempts each
    cause = (
        "RemoteProtocolError: Server disconnected without sending a response. (after 2 attempts)"
    )
    for name in names[:3]:
        assert failure(metadata, name).reason == f"{url}{name}/: {cause}"
    tripped = f"the index {url} was unreachable for 3 projects in a row ({cause})"
    for name in names[3:]:
        assert failure(metadata, name) == IndexFailure(
            name=name,
            reason=f"{url}{name}/: not asked: {tripped}",
            kind="network",
            url=f"{url}{name}/",
        )
    assert metadata.notes == (f"{tripped}: its other projects were not asked",)


def test_the_breaker_on_a_refused_connection(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/simple/"
    options = ClientOptions(concurrency=1, retries=0, breaker=2)
    metadata = fetch_metadata(subjects(tmp_path, "a", "b", "c", "d"), option=url, client=options)
    reasons = [failure(metadata, n).reason for n in "abcd"]
    assert all("ConnectError" in r for r in reasons), reasons
    assert [": not asked: the index " in r for r in reasons] == [False, False, True, True]


def test_a_success_resets_the_breaker(tmp_path: Path) -> None:
    one_at_a_time = ClientOptions(concurrency=1, timeout=0.5, retries=0, breaker=2)
    with loopback_index(faults={"six": "hang", "idna": "hang"}, hang=3.0) as index:
        metadata = fetch(index, tmp_path, "six", "click", "idna", "attrs", client=one_at_a_time)
    assert [type(metadata.pages[n]).__name__ for n in ("six", "click", "idna", "attrs")] == [
        "IndexFailure",
        "ProjectInfo",
        "IndexFailure",
        "ProjectInfo",
    ]


def test_the_index_a_lock_records_comes_first(tmp_path: Path) -> None:
    with loopback_index() as index, loopback_index(json_api=False) as other:
        pairs = subjects(tmp_path, "six", index=index.simple_url) + subjects(
            tmp_path, "click", "six"
        )
        metadata = fetch_metadata(pairs, option=other.simple_url, client=FAST)
        assert index.asked("/simple/six/") == 1
        assert other.asked("/simple/click/") == 1
        assert other.asked("/simple/six/") == 0
    assert metadata.indexes == (index.simple_url, other.simple_url)
    assert metadata.notes == (
        f"six: recorded with two indexes; asked {index.simple_url} only, not {other.simple_url}",
        f"{other.simple_url}: no JSON API at {other.json_api_url} (click: not on this index "
        f"({other.simple_url}): HTTP 404); its projects were read from the simple API alone",
    )


def test_no_index_configured(tmp_path: Path) -> None:
    metadata = fetch_metadata(subjects(tmp_path, "six", "Click"), environ={})
    assert metadata.pages == {}
    assert metadata.unasked == {"six": NO_INDEX, "click": NO_INDEX}
    assert metadata.page("six") == IndexFailure(
        name="six", reason=f"six: {NO_INDEX}", kind="not-asked"
    )


def test_a_recorded_index_that_is_not_http_is_noted(tmp_path: Path) -> None:
    metadata = fetch_metadata(subjects(tmp_path, "six", index="file:///srv/wheels"))
    assert metadata.unasked == {"six": NO_INDEX}
    assert metadata.notes == (
        "lock file: six: the recorded index 'file:///srv/wheels' is not an "
        "http(s) URL; passed over",
    )


@pytest.mark.parametrize("environ_var", ["PYWARD_INDEX_URL", "PIP_INDEX_URL"])
def test_the_index_from_the_environment(tmp_path: Path, environ_var: str) -> None:
    with loopback_index() as index:
        metadata = fetch_metadata(
            subjects(tmp_path, "six"),
            environ={environ_var: index.simple_url},
            client=FAST,
            json_api=False,
        )
    assert isinstance(metadata.pages["six"], ProjectInfo)


def _truth(page: ProjectInfo, version: str) -> tuple[object, ...]:
    """What the page's own files say of ``version`` (PEP 440 equality), computed here
    without :mod:`pyward._sources.index._versions`: the oracle of the facts."""
    files = page.files_of(version)
    usable = [f for f in files if not f.yanked]
    times = [f.upload_time for f in files if f.upload_time is not None]
    reasons = [r.strip() for f in files if (r := f.yanked_reason) and r.strip()]
    return (
        min(times) if times else None,
        bool(files) and not usable,
        reasons[0] if files and not usable and reasons else None,
        {f.requires_python for f in usable},
        bool(files),
    )


def _findings(metadata: IndexMetadata, names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The four status checks' findings and warnings, every project pinned at each of a
    few of its versions (oldest, middle, newest), for Python 3.9 and for any Python."""
    from pyward._checks import CHECKS, CheckContext, CheckOptions, PythonTarget, Sources
    from pyward._findings import CheckId

    pins = []
    for name in names:
        page = metadata.pages[name]
        assert isinstance(page, ProjectInfo)
        for version in dict.fromkeys(
            (page.versions[0], page.versions[len(page.versions) // 2], page.versions[-1])
        ):
            pins.append(Component(name=name, version=version))
    inventory = Inventory(source="uv.lock", format="uv.lock", components=tuple(pins))
    out = []
    for python in ("3.9", None):
        context = CheckContext(
            subjects=tuple((inventory, c) for c in pins),
            sources=Sources(index=metadata),
            path_of=lambda inv, c: (c.key,),
            today=dt.date(2026, 12, 7),
            python=PythonTarget(version=python, origin="test") if python else None,
            options=CheckOptions(),
        )
        for check in ("yanked", "project-status", "outdated", "unmaintained"):
            result = CHECKS[CheckId(check)].run(context)
            out += [(check, f.id, f.summary + (f.details or "")) for f in result.findings]
            out += [(check, "warning", w) for w in result.warnings]
    return out


def _served(name: str) -> bytes:
    """The page the loopback index serves for ``name``."""
    for path in (RECORDED / "simple" / f"{name}.json", SYNTHETIC / f"{name}.json"):
        if path.is_file():
            return path.read_bytes()
    raise FileNotFoundError(name)


def test_the_facts_answer_as_the_whole_page_does(tmp_path: Path) -> None:
    # Every recorded page three ways: parsed whole (with its files: the oracle), fetched
    # cold (its files read and checked but not kept), and read from the facts cache.
    cache = tmp_path / "cache"
    names = (*recorded_names(), "demo-archived")
    with loopback_index(releases={"demo-archived": ARCHIVED_JSON}) as index:
        cold = fetch(index, tmp_path, *names, cache_dir=cache)
        index.requests.clear()
        warm = fetch(index, tmp_path, *names, cache_dir=cache)
        assert index.requests == []
    assert (cache / "index" / "facts.sqlite3").is_file()
    assert warm.notes == cold.notes
    whole_pages: dict[str, ProjectInfo | IndexFailure] = {}
    for name in names:
        page, summary = cold.pages[name], warm.pages[name]
        assert isinstance(page, ProjectInfo)
        assert isinstance(summary, ProjectInfo)
        whole = parse_project_page(
            _served(name),
            url=page.page_url,
            fetched_at=page.fetched_at,
            notes=[n for n in page.notes if not n.startswith(f"{page.page_url}: ")],
        )
        whole_pages[name] = whole
        assert (whole.summary, page.summary, summary.summary) == (False, True, True)
        assert (page.from_cache, summary.from_cache) == (False, True)
        assert (len(whole.files) > 0, page.files, summary.files) == (True, (), ())
        assert whole.facts == page.facts  # computed from its files when it was made
        assert (page.notes, page.invalid_versions) == (whole.notes, whole.invalid_versions)
        for view in (page, summary):
            assert (view.versions, view.status, view.fetched_at) == (
                whole.versions,
                whole.status,
                whole.fetched_at,
            )
        facts = summary.version_facts()
        assert facts == page.version_facts() == whole.version_facts()
        assert facts.newest_upload == max(f.upload_time for f in whole.files if f.upload_time)
        for view in (page, summary):
            assert view.released_versions() == whole.released_versions()
            assert view.latest() == whole.latest()
            assert view.latest(include_prereleases=True) == whole.latest(include_prereleases=True)
        for version in whole.versions:
            at = facts.position(version)
            assert at is not None
            row = facts[at]
            # One row per release: ``0.12.01`` is the row of the listed ``0.12.1``.
            assert release_key(row.version) == release_key(version)
            assert (
                row.upload_time,
                row.yanked,
                row.yanked_reason,
                set(row.requires_python),
                row.has_files,
            ) == _truth(whole, version), (name, version)
            for view in (page, summary):
                assert view.yanked(version) == whole.yanked(version), (name, version)
                assert view.upload_time(version) == whole.upload_time(version), (name, version)
        assert warm.release_info(name) == cold.release_info(name)
    findings = _findings(cold, names)
    assert {kind for kind, _, _ in findings} >= {"yanked", "outdated", "unmaintained"}
    assert _findings(warm, names) == findings
    assert _findings(replace(cold, pages=whole_pages), names) == findings


def test_a_facts_row_whose_columns_disagree_is_a_miss(tmp_path: Path) -> None:
    import sqlite3

    import orjson

    cache = tmp_path / "cache"
    with loopback_index() as index:
        first = fetch(index, tmp_path, "six", cache_dir=cache, json_api=False)
        db = sqlite3.connect(cache / "index" / "facts.sqlite3")
        with db:
            (data,) = db.execute("SELECT data FROM facts").fetchone()
            row = orjson.loads(data)
            row["yanked"] = row["yanked"][1:]
            db.execute("UPDATE facts SET data = ?", (orjson.dumps(row),))
        db.close()
        index.requests.clear()
        again = fetch(index, tmp_path, "six", cache_dir=cache, json_api=False)
        # Read again from the page cache (fresh: no request), not from the bad row.
        assert index.requests == []
    page, before = again.pages["six"], first.pages["six"]
    assert isinstance(page, ProjectInfo)
    assert isinstance(before, ProjectInfo)
    assert (page.summary, page.from_cache, page.files) == (True, True, ())
    assert page.version_facts() == before.version_facts()
    # The page was read from the page cache and its facts written again.
    db = sqlite3.connect(cache / "index" / "facts.sqlite3")
    (data,) = db.execute("SELECT data FROM facts").fetchone()
    db.close()
    row = orjson.loads(data)
    assert len(row["yanked"]) == len(row["versions"]) == len(before.version_facts())


def test_offline_with_old_facts_says_how_old(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with loopback_index() as index:
        fetch(index, tmp_path, "six", cache_dir=cache, json_api=False)
        index.requests.clear()
        offline = fetch(
            index, tmp_path, "six", cache_dir=cache, offline=True, max_age=dt.timedelta(0)
        )
        assert index.requests == []
    six = offline.pages["six"]
    assert isinstance(six, ProjectInfo)
    assert six.fetched_at is not None
    assert (six.stale, six.summary) == (True, True)
    when = six.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert six.notes[0] == f"offline: used the copy of {index.simple_url}six/ cached at {when}"
