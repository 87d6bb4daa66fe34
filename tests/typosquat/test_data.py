"""The popularity list: the built-in snapshot, the file format and its errors, and the
refreshed copy taking over from the snapshot."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import orjson
import pytest

from pyward._sources.popularity._convert import document, dump, from_csv, from_json
from pyward._sources.popularity._load import BUILTIN, CACHE_NAME, load_popularity, parse_popularity
from pyward.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "top-pypi-packages"
TOP_300 = (DATA / "top-300.csv").read_text(encoding="utf-8")


def test_the_builtin_snapshot() -> None:
    popularity, notes = load_popularity(None)
    assert notes == []
    assert popularity.origin == "hugovk/top-pypi-packages 5501c5c (built-in snapshot)"
    assert popularity.updated == dt.date(2026, 4, 6)
    assert len(popularity.downloads) == 15_000
    first = list(popularity.downloads.items())[:3]
    assert first == [("boto3", 1880218825), ("packaging", 1577819710), ("setuptools", 1426110393)]
    source = popularity.data_source()
    assert (source.name, source.origin) == ("popularity list", popularity.origin)
    assert source.updated == dt.datetime(2026, 4, 6, tzinfo=dt.timezone.utc)
    # Attribution ships beside the data.
    assert "hugovk/top-pypi-packages" in (BUILTIN.parent / "NOTICE").read_text()


def test_the_snapshot_is_the_upstream_csv_converted() -> None:
    # The first 300 rows of the same CSV give the first 300 entries of the snapshot.
    popularity, _ = load_popularity(None)
    doc = from_csv(TOP_300, source="x", fetched=dt.date(2026, 4, 6))
    top = list(popularity.downloads.items())[:300]
    assert list(zip(doc["names"], doc["downloads"], strict=True)) == top
    assert dump(doc) == dump(doc)  # no time stamp: the same bytes every time


def test_names_are_normalised_and_a_duplicate_keeps_its_larger_count() -> None:
    text = "download_count,project\n5,Foo_Bar\n7,foo.bar\n9,Zope.Interface\n"
    doc = from_csv(text, source="s", fetched=dt.date(2026, 1, 2))
    assert doc == {
        "format": "1.0",
        "source": "s",
        "updated": "2026-01-02",
        "names": ["zope-interface", "foo-bar"],
        "downloads": [9, 7],
    }


def _doc(**changes: object) -> bytes:
    base = document({"requests": 10, "urllib3": 5}, source="test", updated=dt.date(2026, 1, 1))
    base.update(changes)
    return gzip.compress(orjson.dumps(base))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x1f\x8bnot gzip at all", "F: not gzip ("),
        (b"{", "F: not JSON ("),
        (b"[]", "F: expected a JSON object, found list"),
        (_doc(format="2.0"), "F: format: unsupported format '2.0' (this pyward reads 1.0)"),
        (_doc(format=1), "F: format: expected a string, found 1"),
        (_doc(names="requests"), "F: names: expected an array, found str"),
        (_doc(names=["requests", 3]), "F: names[1]: expected a name, found 3"),
        (
            _doc(downloads=[10, -1]),
            "F: downloads[1]: expected a count of downloads (an integer >= 0), found -1",
        ),
        (_doc(downloads=[10]), "F: downloads: 2 names but 1 download counts"),
        (_doc(source=""), "F: source: expected a string, found ''"),
        (_doc(updated="April"), "F: updated: not a date (YYYY-MM-DD): 'April'"),
    ],
)
def test_a_bad_popularity_file_is_one_line_naming_the_place(raw: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_popularity(raw, "F")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_a_newer_minor_format_is_read_with_a_note() -> None:
    popularity, notes = parse_popularity(_doc(format="1.3", extra=1), "F")
    assert popularity.downloads == {"requests": 10, "urllib3": 5}
    assert notes == ["F: format 1.3 is newer than 1.0; unknown keys are ignored"]


def test_a_plain_json_file_reads_too() -> None:
    raw = orjson.dumps(document({"a-b": 1}, source="s", updated=None))
    popularity, _ = parse_popularity(raw, "F")
    assert (popularity.downloads, popularity.updated) == ({"a-b": 1}, None)


def test_the_refreshed_copy_serves_and_a_bad_one_falls_back_with_a_note(tmp_path: Path) -> None:
    (tmp_path / CACHE_NAME).write_bytes(_doc())
    popularity, notes = load_popularity(tmp_path)
    assert (popularity.origin, notes) == ("test", [])
    (tmp_path / CACHE_NAME).write_bytes(_doc(downloads=[1]))
    popularity, notes = load_popularity(tmp_path)
    assert popularity.origin.endswith("(built-in snapshot)")
    assert notes == [
        f"{tmp_path / CACHE_NAME}: downloads: 2 names but 1 download counts; "
        "using the built-in snapshot"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "S: empty: expected a download_count,project header"),
        (
            "count,name\n1,a\n",
            "S: line 1: expected a download_count,project header, found 'count,name'",
        ),
        (
            "download_count,project\n12,requests\nmany,urllib3\n",
            "S: line 3: download_count: not a count: 'many'",
        ),
        ("download_count,project\n12\n", "S: line 2: expected 2 columns, found 1"),
        ("download_count,project\n12, \n", "S: line 2: project: empty"),
        ("download_count,project\n", "S: no projects"),
        (
            "download_count,project\n3,req\ufffduests\n",
            "S: line 2: project: not a project name: 'req\ufffduests'",
        ),
    ],
)
def test_bad_csv_is_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        from_csv(text, source="S", fetched=dt.date(2026, 1, 1))
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"rows": [{"download_count": "1", "project": "a"}]},
            "S: rows[0].download_count: expected an integer, found a string",
        ),
        ({"rows": [{"download_count": 1}]}, "S: rows[0].project: missing"),
        (
            {"rows": [{"download_count": -4, "project": "a"}]},
            "S: rows[0].download_count: expected a count >= 0, found -4",
        ),
        ({"rows": []}, "S: rows: no projects"),
        (
            {"rows": [{"download_count": 1, "project": "a b"}]},
            "S: rows[0].project: not a project name: 'a b'",
        ),
        (
            {"rows": [{"download_count": 1, "project": "a"}], "last_update": "soon"},
            "S: last_update: not a date: 'soon'",
        ),
        ([1, 2], "S: expected a table, found an array"),
    ],
)
def test_bad_json_is_one_line(data: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        from_json(data, source="S", fetched=dt.date(2026, 1, 1))
    assert str(info.value) == message
