"""Reading PEP 691 pages: the recorded real ones, a synthetic one with the newer
fields (PEP 714, 740, 792), and every kind of bad input."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest

from pyward._sources.index._model import ProjectFile, ProjectStatus
from pyward._sources.index._parse import parse_project_page
from pyward._sources.index._port import StaticIndex
from pyward._wire import parse_timestamp
from pyward.errors import InputError
from tests.index._support import INDEX, INDEX_DATA, SIMPLE, SYNTHETIC, page

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def recorded() -> StaticIndex:
    return StaticIndex.from_directory(SIMPLE, index_url=INDEX)


def test_recorded_counts(recorded: StaticIndex) -> None:
    counts = {
        n: (len(p.versions), len(p.files), p.last_serial, p.api_version, p.notes)
        for n in ("six", "requests", "sampleproject", "sigstore")
        for p in [recorded.project(n)]
    }
    assert counts == {
        "six": (29, 48, 26356948, "1.1", ()),
        # Its one egg is kept without a version, and without a note: no installer takes it.
        "requests": (163, 244, 37059094, "1.1", ()),
        "sampleproject": (7, 13, 25862117, "1.1", ()),
        "sigstore": (67, 134, 42497426, "1.1", ()),
    }


def test_an_unreadable_file_name_is_a_note_and_a_legacy_format_is_not() -> None:
    from pyward._sources.index._parse import parse_project_page

    page = {
        "meta": {"api-version": "1.1"},
        "name": "demo",
        "files": [
            {"filename": name, "url": name, "hashes": {}}
            for name in (
                "demo-1.0.tar.gz",
                "demo-0.9.tar.bz2",
                "demo-1.0-py2.7.egg",
                "demo-1.0.win32.exe",
                "demo.whl",
            )
        ],
    }
    info = parse_project_page(page, url="https://index.invalid/simple/demo/")
    assert [(f.filename, f.version, f.kind) for f in info.files] == [
        ("demo-1.0.tar.gz", "1.0", "sdist"),
        ("demo-0.9.tar.bz2", "0.9", "sdist"),  # an sdist of before PEP 625
        ("demo-1.0-py2.7.egg", None, "other"),
        ("demo-1.0.win32.exe", None, "other"),
        ("demo.whl", None, "wheel"),
    ]
    assert [n for n in info.notes if "cannot be read" in n] == [
        "https://index.invalid/simple/demo/: 1 file(s) whose version cannot be read from "
        "the filename (not a wheel or sdist name), e.g. 'demo.whl'"
    ]


def test_recorded_requests_file_and_yank(recorded: StaticIndex) -> None:
    requests = recorded.project("requests")
    assert requests.name == "requests"
    assert requests.index_url == INDEX
    assert requests.page_url == INDEX + "requests/"
    assert requests.versions[:3] == ("0.0.1", "0.2.0", "0.2.1")
    assert requests.versions[-3:] == ("2.34.0", "2.34.1", "2.34.2")
    assert requests.status == ProjectStatus(status="active", reason=None)
    (wheel,) = (f for f in requests.files if f.filename == "requests-2.32.0-py3-none-any.whl")
    assert wheel == ProjectFile(
        filename="requests-2.32.0-py3-none-any.whl",
        url="https://files.index.invalid/packages/24/e8/"
        "09e8d662a9675a4e4f5dd7a8e6127b463a091d2703ed931a64aa66d00065/"
        "requests-2.32.0-py3-none-any.whl",
        hashes={"sha256": "f2c3881dddb70d056c5bd7600a4fae312b2a300e39be6a118d30b90bd27262b5"},
        requires_python=">=3.8",
        yanked=True,
        yanked_reason="Yanked due to conflicts with CVE-2024-35195 mitigation",
        upload_time=dt.datetime(2024, 5, 20, 16, 8, 19, 530618, tzinfo=UTC),
        size=63695,
        version="2.32.0",
        kind="wheel",
    )
    assert requests.yanked("2.32.0") == "Yanked due to conflicts with CVE-2024-35195 mitigation"
    # The index's reason for 2.32.1 ends with a space; the version's reason is stripped.
    assert requests.yanked("2.32.1") == "Yanked due to conflicts with CVE-2024-35195 mitigation"
    assert requests.yanked("2.31.0") is None
    assert requests.upload_time("2.31.0") == dt.datetime(
        2023, 5, 22, 15, 12, 42, 313790, tzinfo=UTC
    )
    assert requests.latest() == "2.34.2"
    assert len(requests.released_versions()) == 158
    assert "2.32.0" not in requests.released_versions()
    assert [v for v, files in requests.releases().items() if not files] == [
        "0.0.1",
        "0.12.01",
        "2.15.0",
    ]
    kinds = [f.kind for f in requests.files]
    assert (kinds.count("wheel"), kinds.count("sdist"), kinds.count("other")) == (83, 160, 1)


def test_recorded_sigstore_yanked_prereleases(recorded: StaticIndex) -> None:
    sigstore = recorded.project("sigstore")
    yanked = [v for v in sigstore.versions if sigstore.yanked(v) is not None]
    assert yanked[:4] == ["0.0.1rc1", "0.0.1rc2", "0.0.1rc3", "0.1.0"]
    assert sigstore.yanked("0.0.1rc1") == "Incompatible w/ latest Sigstore APIs"
    assert sigstore.latest() == "4.5.1"


def test_recorded_sampleproject(recorded: StaticIndex) -> None:
    sample = recorded.project("sampleproject")
    assert sample.versions == ("1.0", "1.2.0", "1.3.0", "1.3.1", "2.0.0", "3.0.0", "4.0.0")
    assert sample.releases()["4.0.0"][0].hashes == {
        "sha256": "c23e447ea90d796d1e645c35c4b2de125040add12a845825546f91c93f391b6b"
    }
    assert sample.releases()["1.0"] == ()
    assert sample.released_versions() == ("1.2.0", "1.3.0", "1.3.1", "2.0.0", "3.0.0", "4.0.0")


def test_synthetic_newer_fields() -> None:
    info = parse_project_page(
        page("demo-archived"), url="https://index.invalid/simple/demo-archived/"
    )
    assert info.name == "demo-archived"
    assert info.index_url == "https://index.invalid/simple/"
    assert info.api_version == "1.4"
    assert info.last_serial == 4242
    assert info.status == ProjectStatus(status="archived", reason="superseded by demo-two")
    assert info.notes == ()
    wheel, sdist, rc, _, yanked_wheel = info.files
    # A relative URL resolves against the page's URL.
    assert wheel.url == "https://index.invalid/files/demo_archived-1.0.0-py3-none-any.whl"
    assert wheel.hashes == {"sha256": "aaaa" + "0" * 59 + "1"}
    assert wheel.core_metadata == {"sha256": "bbbb" + "0" * 59 + "2"}
    assert wheel.provenance == (
        "https://index.invalid/integrity/demo-archived/1.0.0/"
        "demo_archived-1.0.0-py3-none-any.whl/provenance"
    )
    assert wheel.upload_time == dt.datetime(2024, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert (sdist.core_metadata, sdist.provenance) == (False, None)
    assert rc.upload_time == dt.datetime(2024, 3, 31, 22, 0, tzinfo=UTC)
    assert (yanked_wheel.yanked, yanked_wheel.yanked_reason) == (True, "broken wheel")
    assert info.yanked("2.0.0") == "broken wheel"
    assert info.upload_time("1.0.0") == dt.datetime(2024, 3, 1, 9, 59, tzinfo=UTC)
    assert info.latest() == "1.0.0"
    assert info.latest(include_prereleases=True) == "1.1.0rc1"
    assert info.released_versions() == ("1.0.0", "1.1.0rc1")
    assert StaticIndex.from_directory(SYNTHETIC).project("Demo.Archived").name == "demo-archived"


def demo() -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(page("demo-archived"))
    return copy.deepcopy(data)


URL = "https://index.invalid/simple/demo-archived/"


def parse(data: dict[str, Any]) -> Any:
    return parse_project_page(orjson.dumps(data), url=URL, name="demo-archived")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("upload-time", "yesterday", "files[3].upload-time: not a date: 'yesterday'"),
        (
            "upload-time",
            "2024-05-01T00:00:00",
            "files[3].upload-time: no time zone: '2024-05-01T00:00:00'",
        ),
        (
            "upload-time",
            "2024-02-30T00:00:00Z",
            "files[3].upload-time: not a date: '2024-02-30T00:00:00Z'",
        ),
        ("size", -1, "files[3].size: not a size in bytes: -1"),
        ("hashes", {"sha256": "xyz"}, "files[3].hashes.sha256: not a hex digest: 'xyz'"),
        ("yanked", 3, "files[3].yanked: expected a boolean or a string"),
        ("filename", 7, "files[3].filename: expected a string, found a number"),
    ],
)
def test_bad_file_entry_skipped_with_a_note(key: str, value: object, message: str) -> None:
    data = demo()
    data["files"][3][key] = value
    info = parse(data)
    assert [f.filename for f in info.files] == [
        "demo_archived-1.0.0-py3-none-any.whl",
        "demo_archived-1.0.0.tar.gz",
        "demo_archived-1.1.0rc1.tar.gz",
        "demo_archived-2.0.0-py3-none-any.whl",
    ]
    assert info.notes == (f"{URL}: {message}; file skipped",)
    # Its sibling alone is left: 2.0.0 is still yanked, by the wheel's reason.
    assert info.yanked("2.0.0") == "broken wheel"


def test_missing_hashes_and_not_an_object() -> None:
    data = demo()
    del data["files"][0]["hashes"]
    data["files"][1] = ["not", "a", "table"]
    assert parse(data).notes == (
        f"{URL}: files[0].hashes: missing; file skipped",
        f"{URL}: files[1]: expected a table, found an array; file skipped",
    )


def test_unknown_keys_versions_and_status_are_notes() -> None:
    data = demo()
    data["meta"]["api-version"] = "1.7"
    data["meta"]["shiny"] = 1
    data["future"] = {}
    data["_private"] = 1
    data["files"][0]["sparkle"] = True
    data["files"][1]["sparkle"] = True
    data["versions"].append("not a version")
    data["project-status"] = {"status": "haunted"}
    data["meta"]["_last-serial"] = "\u00b2"
    info = parse(data)
    assert info.invalid_versions == ("not a version",)
    assert info.versions == ("0.9", "1.0.0", "1.1.0rc1", "2.0.0")
    assert info.status == ProjectStatus(status="haunted", reason=None)
    assert not info.status.known
    assert info.last_serial is None
    assert info.notes == (
        f"{URL}: meta.api-version: 1.7 is newer than this pyward knows (1.4); "
        "read with the fields 1.4 defines",
        f"{URL}: meta._last-serial: not a serial number: '\u00b2' (ignored)",
        f"{URL}: meta.shiny: unknown key (ignored)",
        f"{URL}: future: unknown key (ignored)",
        f"{URL}: files[*].sparkle: unknown key in 2 file(s) (ignored)",
        f"{URL}: versions[4]: not a PEP 440 version: 'not a version' (kept apart)",
        f"{URL}: project-status.status: unknown status 'haunted' "
        "(PEP 792 defines active, archived, quarantined, deprecated)",
    )


def test_old_api_without_versions_lists_the_files_versions() -> None:
    data = demo()
    data["meta"]["api-version"] = "1.0"
    del data["versions"]
    info = parse(data)
    assert info.versions == ("1.0.0", "1.1.0rc1", "2.0.0")
    assert info.notes == ()
    data["meta"]["api-version"] = "1.1"
    assert parse(data).notes == (f"{URL}: versions: missing; listed the files' versions",)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["meta"].update({"api-version": "2.0"}),
            f"{URL}: meta.api-version: unsupported simple API version 2.0 (this pyward reads 1.x)",
        ),
        (
            lambda d: d["meta"].update({"api-version": "one"}),
            f"{URL}: meta.api-version: not a version: 'one'",
        ),
        (
            # str.isdigit() holds for a superscript two; int() refuses it.
            lambda d: d["meta"].update({"api-version": "\u00b2"}),
            f"{URL}: meta.api-version: not a version: '\u00b2'",
        ),
        (lambda d: d.pop("meta"), f"{URL}: meta: missing (not a PEP 691 project page)"),
        (lambda d: d.pop("files"), f"{URL}: files: missing"),
        (
            lambda d: d.update({"name": "other"}),
            f"{URL}: name: the page is for 'other', not 'demo-archived'",
        ),
        (
            lambda d: d.update({"versions": "1.0"}),
            f"{URL}: versions: expected an array, found a string",
        ),
    ],
)
def test_page_errors_name_the_url_and_key(mutate: Any, message: str) -> None:
    data = demo()
    mutate(data)
    with pytest.raises(InputError) as exc:
        parse(data)
    assert str(exc.value) == message


def test_not_json_and_not_an_object() -> None:
    with pytest.raises(InputError) as exc:
        parse_project_page(b"<html></html>", url=URL)
    assert (
        str(exc.value)
        == f"{URL}: line 1: invalid JSON: unexpected character, expected a JSON value (column 1)"
    )
    with pytest.raises(InputError) as exc:
        parse_project_page(b"[1]", url=URL)
    assert str(exc.value) == f"{URL}: expected a table, found an array"


def test_credentials_never_reach_the_model() -> None:
    data = demo()
    info = parse_project_page(
        orjson.dumps(data), url="https://user:s3cret@index.invalid/simple/demo-archived/"
    )
    assert info.index_url == "https://***@index.invalid/simple/"
    assert info.page_url == "https://***@index.invalid/simple/demo-archived/"
    assert (
        info.files[0].url == "https://***@index.invalid/files/demo_archived-1.0.0-py3-none-any.whl"
    )
    assert "s3cret" not in repr(info)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-01-22T05:08:17.091441Z", dt.datetime(2012, 1, 22, 5, 8, 17, 91441, tzinfo=UTC)),
        ("2012-01-22T05:08:17Z", dt.datetime(2012, 1, 22, 5, 8, 17, tzinfo=UTC)),
        (
            "2012-01-22T05:08:17.1234567+00:00",
            dt.datetime(2012, 1, 22, 5, 8, 17, 123456, tzinfo=UTC),
        ),
        ("2012-01-22 05:08:17-01:30", dt.datetime(2012, 1, 22, 6, 38, 17, tzinfo=UTC)),
    ],
)
def test_timestamps(text: str, expected: dt.datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "path",
    sorted((INDEX_DATA / "recorded" / "simple").glob("*.json"))
    + sorted(SIMPLE.glob("*.json"))
    + sorted(SYNTHETIC.glob("*.json")),
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_the_fast_path_reads_each_file_as_the_checked_path_does(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyward._sources.index import _parse

    body = path.read_bytes()
    url = f"https://index.invalid/simple/{path.stem}/"
    fast = parse_project_page(body, url=url)
    monkeypatch.setattr(_parse, "_fast_file", lambda entry, page_url: None)
    checked = parse_project_page(body, url=url)
    assert fast == checked


@pytest.mark.parametrize(
    "path",
    sorted((INDEX_DATA / "recorded" / "simple").glob("*.json"))
    + sorted(SIMPLE.glob("*.json"))
    + sorted(SYNTHETIC.glob("*.json")),
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_a_page_read_without_its_files_has_the_same_facts_and_notes(path: Path) -> None:
    body = path.read_bytes()
    url = f"https://index.invalid/simple/{path.stem}/"
    whole = parse_project_page(body, url=url)
    light = parse_project_page(body, url=url, keep_files=False)
    assert (light.files, light.summary) == ((), True)
    assert light.version_facts() == whole.version_facts()
    assert light == dataclasses.replace(whole, files=(), summary=True, facts=light.facts)


def test_a_bad_entry_is_noted_alike_without_the_files() -> None:
    data = demo()
    data["files"][0]["upload-time"] = "yesterday"
    data["files"][1]["hashes"] = {"sha256": "not hex"}
    data["files"].append({**data["files"][2], "size": "big", "yanked": "bad upload"})
    # Read by the checked path, and kept: an unknown key is a note.
    data["files"][2]["x-custom"] = 1
    whole = parse(data)
    light = parse_project_page(orjson.dumps(data), url=URL, keep_files=False)
    assert light.notes == whole.notes
    assert [n for n in whole.notes if n.endswith("file skipped")] == [
        f"{URL}: files[0].upload-time: not a date: 'yesterday'; file skipped",
        f"{URL}: files[1].hashes.sha256: not a hex digest: 'not hex'; file skipped",
        f"{URL}: files[{len(data['files']) - 1}].size: not a size in bytes: 'big'; file skipped",
    ]
    assert f"{URL}: files[*].x-custom: unknown key in 1 file(s) (ignored)" in whole.notes
    assert light.version_facts() == whole.version_facts()
