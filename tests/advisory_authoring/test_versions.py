"""Affected versions from a release list: the OSV evaluation rules by example (the
audit's own matcher decides them), and the release lists it reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyward._authoring._versions import (
    affected_versions,
    index_releases,
    pep440_sorted,
    read_versions_file,
    released_version,
)
from pyward.errors import InputError, NetworkError, UsageError
from tests.index._loopback_index import LoopbackIndex, loopback_index

RELEASED = ["0.9", "1.0rc1", "1.0", "1.0.1", "1.1.dev0", "1.1", "1.2.post1", "2.0", "2.0+cpu"]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([{"introduced": "0"}, {"fixed": "1.0"}], ["0.9", "1.0rc1"]),
        (
            [{"introduced": "1.0"}],
            ["1.0", "1.0.1", "1.1.dev0", "1.1", "1.2.post1", "2.0", "2.0+cpu"],
        ),
        ([{"introduced": "1.0"}, {"last_affected": "1.1"}], ["1.0", "1.0.1", "1.1.dev0", "1.1"]),
        # Pre- and development releases sort before their release (PEP 440).
        ([{"introduced": "1.0rc1"}, {"fixed": "1.1"}], ["1.0rc1", "1.0", "1.0.1", "1.1.dev0"]),
        # Two intervals in one range; events written out of order are sorted first.
        (
            [{"fixed": "2.0"}, {"introduced": "1.2"}, {"fixed": "1.0"}, {"introduced": "0"}],
            ["0.9", "1.0rc1", "1.2.post1"],
        ),
        # A candidate's local label is ignored against a bound without one.
        ([{"introduced": "2.0"}, {"fixed": "2.0.1"}], ["2.0", "2.0+cpu"]),
        ([{"introduced": "0"}, {"limit": "1.0"}], ["0.9", "1.0rc1"]),
        ([{"introduced": "0"}, {"limit": "*"}], pep440_sorted(RELEASED)),
    ],
)
def test_affected_versions(events: list[dict[str, str]], expected: list[str]) -> None:
    assert affected_versions(events, RELEASED) == expected


def test_affected_versions_skips_versions_that_are_not_pep_440() -> None:
    assert affected_versions([{"introduced": "0"}], ["1.0", "not a version", "0.1"]) == [
        "0.1",
        "1.0",
    ]


def test_affected_versions_refuses_a_bad_bound() -> None:
    with pytest.raises(ValueError, match=r"fixed: not a PEP 440 version: 'x\.y'"):
        affected_versions([{"introduced": "0"}, {"fixed": "x.y"}], RELEASED)
    with pytest.raises(ValueError, match="exactly one of"):
        affected_versions([{"introduced": "0", "fixed": "1"}], RELEASED)


def test_pep440_sorted_keeps_equal_spellings() -> None:
    assert pep440_sorted(["1.0.0", "1.0", "0.10", "0.9", "0.9", "junk"]) == [
        "0.9",
        "0.10",
        "1.0",
        "1.0.0",
    ]


def test_released_version_is_pep_440_equality() -> None:
    assert released_version("1.0.0", ["1.0"])
    assert released_version("1.0", ["1.0"])
    assert not released_version("1.0.2", ["1.0", "1.0.1"])


# -- release lists ---------------------------------------------------------------------


def test_versions_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "versions.txt"
    path.write_text("# released\n1.0\n\n0.9  # the first\n1.0b1\nlatest\n", encoding="utf-8")
    found = read_versions_file(path)
    assert found.versions == ("0.9", "1.0b1", "1.0")
    assert found.origin == str(path)
    assert found.notes == (f"{path}: line 6: not a PEP 440 version: 'latest'; left out",)


def test_versions_file_by_package_is_shared_with_validate(tmp_path: Path) -> None:
    """One reader for ``new`` and ``validate``: a JSON object of lists by package gives
    the drafted package's list; a package it does not list is an error."""
    from pyward._authoring._validate import releases_from_file

    path = tmp_path / "versions.json"
    path.write_text(json.dumps({"Jinja2": ["3.1.4", "3.0.0", "x"], "six": ["1.0"]}))
    found = read_versions_file(path, "jinja2")
    assert found.versions == ("3.0.0", "3.1.4")
    assert found.notes == (f"{path}: Jinja2[2]: not a PEP 440 version: 'x'; left out",)
    assert releases_from_file(path) == {"jinja2": ("3.1.4", "3.0.0", "x"), "six": ("1.0",)}
    with pytest.raises(InputError) as err:
        read_versions_file(path, "requests")
    assert str(err.value) == f"{path}: no versions listed for requests"
    path.write_text(json.dumps({"six": "1.0"}))
    with pytest.raises(InputError) as err:
        read_versions_file(path, "six")
    assert str(err.value) == f"{path}: six: expected a list of version strings"


def test_versions_file_json(tmp_path: Path) -> None:
    path = tmp_path / "versions.json"
    path.write_text(json.dumps(["2.0", "1.0", "1.0"]), encoding="utf-8")
    assert read_versions_file(path).versions == ("1.0", "2.0")
    path.write_text('["1.0", 2]', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_versions_file(path)
    assert str(err.value) == f"{path}: [1]: expected a version string"
    path.write_text("[1.0,", encoding="utf-8")
    with pytest.raises(InputError, match=r"versions\.json"):
        read_versions_file(path)


def test_versions_file_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nothing"):
        read_versions_file(tmp_path / "nothing.txt")


@pytest.fixture
def index(online: None) -> Iterator[LoopbackIndex]:
    with loopback_index() as served:
        yield served


def test_index_releases(index: LoopbackIndex, tmp_path: Path) -> None:
    found = index_releases("Six", option=index.simple_url, cache_dir=tmp_path)
    page = json.loads(
        (Path(__file__).parents[1] / "data/index/recorded/simple/six.json").read_text()
    )
    with_files = {f["filename"].split("-")[1].removesuffix(".tar.gz") for f in page["files"]}
    assert found.versions == tuple(pep440_sorted(found.versions))
    assert set(found.versions) <= set(page["versions"])
    assert "1.16.0" in found.versions
    assert "0.9.0" in found.versions
    assert all(v in with_files for v in found.versions)
    assert found.origin == f"{index.simple_url}six/"
    # Offline, the cached page answers.
    again = index_releases("six", option=index.simple_url, cache_dir=tmp_path, offline=True)
    assert again.versions == found.versions


def test_index_releases_failures(index: LoopbackIndex, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no package index configured"):
        index_releases("six", cache_dir=tmp_path)
    with pytest.raises(NetworkError, match="give --versions-from FILE"):
        index_releases("no-such-project", option=index.simple_url, cache_dir=tmp_path)
    with pytest.raises(NetworkError, match="offline"):
        index_releases("idna", option=index.simple_url, cache_dir=tmp_path, offline=True)
