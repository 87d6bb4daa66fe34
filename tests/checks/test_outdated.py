"""The ``outdated`` check: the newest release the project's Python can install, how far
behind the pin is, on the recorded pages and on pages written by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pyward._checks import CheckResult
from pyward._findings import OutdatedDetail, Rating, Reference
from pyward._sources.index._model import ProjectInfo
from tests.checks._status_support import context, file, made, metadata, recorded, run
from tests.index._support import INDEX


def test_a_pin_behind_the_latest_release() -> None:
    result = run("outdated", context(metadata(recorded("requests")), "requests==2.32.0"))
    assert result.warnings == ()
    (finding,) = result.findings
    assert (finding.kind, finding.check) == ("outdated", "outdated")
    assert (finding.id, finding.aliases) == ("outdated:requests@2.32.0", ("outdated:requests",))
    # 2.32.1 is yanked and 2.34.0.dev1 a development release: neither counts.
    assert finding.summary == (
        "requests 2.32.0 is 9 releases behind 2.34.2 (2026-05-14); 2.32.0 was released 2024-05-20"
    )
    assert finding.details == (
        "The newest release of requests that any Python can install is 2.34.2, uploaded "
        "2026-05-14; 2.32.0 is 9 releases behind it."
    )
    assert finding.detail == OutdatedDetail(
        latest="2.34.2",
        releases_behind=9,
        majors_behind=0,
        pinned_released=dt.date(2024, 5, 20),
        latest_released=dt.date(2026, 5, 14),
        python=None,
    )
    assert finding.rating == Rating(level="low", type="check")
    assert finding.references == (Reference(type="PACKAGE", url=f"{INDEX}requests/"),)


def test_the_latest_is_the_newest_the_projects_python_can_install() -> None:
    index = metadata(recorded("requests"), recorded("sampleproject"))
    # requests 2.32.5 and later need Python 3.9; sampleproject 4.0.0 needs 3.9.
    old = run("outdated", context(index, "requests==2.31.0", "sampleproject==3.0.0", python="3.8"))
    assert [f.summary for f in old.findings] == [
        "requests 2.31.0 is 3 releases behind 2.32.4 (2025-06-09); 2.31.0 was released 2023-05-22"
    ]
    assert old.findings[0].detail == OutdatedDetail(
        latest="2.32.4",
        releases_behind=3,
        majors_behind=0,
        pinned_released=dt.date(2023, 5, 22),
        latest_released=dt.date(2025, 6, 9),
        python="3.8",
    )
    new = run("outdated", context(index, "sampleproject==3.0.0", python="3.9"))
    (finding,) = new.findings
    assert finding.summary == (
        "sampleproject 3.0.0 is 1 release and 1 major version behind 4.0.0 (2024-11-06); "
        "3.0.0 was released 2022-12-01"
    )
    assert finding.details == (
        "The newest release of sampleproject that Python 3.9 can install is 4.0.0, uploaded "
        "2024-11-06; 3.0.0 is 1 release behind it, across 1 major version: expect breaking "
        "changes."
    )


def test_major_versions_behind() -> None:
    index = metadata(recorded("sigstore"))
    (finding,) = run("outdated", context(index, "sigstore==0.5.0", python="3.8")).findings
    assert finding.summary == (
        "sigstore 0.5.0 is 27 releases and 3 major versions behind 3.3.0 (2024-09-18); "
        "0.5.0 was released 2022-06-03"
    )


def test_the_latest_release_gives_nothing() -> None:
    index = metadata(recorded("requests"), recorded("six"), recorded("sampleproject"))
    pins = ("requests==2.34.2", "six==1.17.0", "sampleproject==4.0.0")
    result = run("outdated", context(index, *pins))
    assert (result.findings, result.warnings) == ((), ())
    # Newer than anything the index has (a build of its own): nothing either.
    assert run("outdated", context(index, "six==2.0.0.dev0")).findings == ()


def test_yanked_pre_releases_and_releases_without_files_are_not_candidates() -> None:
    page = made(
        "demo",
        [
            file("demo", "1.0"),
            file("demo", "1.1"),
            file("demo", "1.2", yanked="broken"),
            file("demo", "2.0rc1"),
        ],
        versions=["1.0", "1.1", "1.2", "2.0rc1", "3.0"],
    )
    (finding,) = run("outdated", context(metadata(page), "demo==1.0")).findings
    assert finding.detail == OutdatedDetail(
        latest="1.1",
        releases_behind=1,
        majors_behind=0,
        pinned_released=dt.date(2024, 1, 1),
        latest_released=dt.date(2024, 1, 1),
    )
    assert run("outdated", context(metadata(page), "demo==1.1")).findings == ()


def test_files_of_versions_the_list_lacks_are_releases_in_their_place() -> None:
    page = made(
        "demo",
        [file("demo", "3.0"), file("demo", "1.0"), file("demo", "2.0"), file("demo", "2.5")],
        versions=["1.0", "3.0"],
    )
    (finding,) = run("outdated", context(metadata(page), "demo==1.0")).findings
    assert finding.summary == (
        "demo 1.0 is 3 releases and 2 major versions behind 3.0 (2024-01-01); "
        "1.0 was released 2024-01-01"
    )
    (later,) = run("outdated", context(metadata(page), "demo==2.0")).findings
    assert isinstance(later.detail, OutdatedDetail)
    assert (later.detail.latest, later.detail.releases_behind) == ("3.0", 2)


def test_a_pre_release_pin_is_compared_with_pre_releases() -> None:
    page = made(
        "demo",
        [file("demo", "1.0"), file("demo", "2.0b1"), file("demo", "2.0b2"), file("demo", "2.0rc1")],
    )
    (finding,) = run("outdated", context(metadata(page), "demo==2.0b1")).findings
    assert finding.summary == (
        "demo 2.0b1 is 2 releases behind 2.0rc1 (2024-01-01); 2.0b1 was released 2024-01-01"
    )


def test_without_upload_times_the_summary_has_no_dates() -> None:
    page = made("demo", [file("demo", "1.0", uploaded=None), file("demo", "3.1", uploaded=None)])
    (finding,) = run("outdated", context(metadata(page), "demo==1.0")).findings
    # Majors are counted as released: no 2.x was, so 3.1 is one major version ahead.
    assert finding.summary == "demo 1.0 is 1 release and 1 major version behind 3.1"


def test_requires_python_any_file_admits_and_an_unreadable_one_admits() -> None:
    page = made(
        "demo",
        [
            file("demo", "1.0"),
            file("demo", "2.0", requires_python=">=3.12"),
            file("demo", "2.0", sdist=True),
            file("demo", "3.0", requires_python=">=3.13"),
            file("demo", "3.0", sdist=True, requires_python=">=3.13", yanked=True),
            file("demo", "4.0", requires_python="not a specifier"),
        ],
    )
    index = metadata(page)
    (finding,) = run("outdated", context(index, "demo==1.0", python="3.9")).findings
    # 3.0's only file for 3.9 is yanked; 4.0's Requires-Python cannot be read, which an
    # installer passes over.
    assert finding.detail == OutdatedDetail(
        latest="4.0",
        releases_behind=3,
        majors_behind=3,
        pinned_released=dt.date(2024, 1, 1),
        latest_released=dt.date(2024, 1, 1),
        python="3.9",
    )


def test_a_version_that_is_not_pep_440_is_a_warning() -> None:
    result = run("outdated", context(metadata(recorded("six")), "six==latest"))
    assert result.findings == ()
    assert result.warnings == (
        "six latest: not a PEP 440 version; not compared with its index's releases",
    )
    assert run("outdated", context(metadata(recorded("six")), "six==")) == CheckResult()


def _reference(page: ProjectInfo, python: str | None) -> dict[str, tuple[str, int, int]]:
    """The check's answer for every released version of ``page``, worked out the slow way
    with the index model's own methods and ``packaging``."""
    released = page.released_versions()

    def admits(version: str) -> bool:
        return python is None or any(
            not f.yanked
            and (f.requires_python is None or Version(python) in SpecifierSet(f.requires_python))
            for f in page.files_of(version)
        )

    usable = {v: admits(v) for v in released}
    out = {}
    for pinned in released:
        pin = Version(pinned)
        candidates = [
            v
            for v in released
            if Version(v) > pin and (pin.is_prerelease or not Version(v).is_prerelease)
        ]
        newest = [v for v in candidates if usable[v]]
        if newest:
            latest = max(newest, key=Version)
            behind = sum(1 for v in candidates if Version(v) <= Version(latest))
            out[pinned] = (latest, behind, max(0, Version(latest).major - pin.major))
    return out


@pytest.mark.parametrize("name", ["requests", "six", "sigstore", "sampleproject"])
@pytest.mark.parametrize("python", [None, "2.7", "3.8", "3.12"])
def test_every_recorded_version_agrees_with_the_slow_way(name: str, python: str | None) -> None:
    page = recorded(name)
    pins = [f"{name}=={v}" for v in page.released_versions()]
    result = run("outdated", context(metadata(page), *pins, python=python))
    assert result.warnings == ()
    found = {
        f.component.version: (f.detail.latest, f.detail.releases_behind, f.detail.majors_behind)
        for f in result.findings
        if f.component is not None and isinstance(f.detail, OutdatedDetail)
    }
    assert found == _reference(page, python)
    # Every version but the newest is behind when any Python goes.
    if python is None:
        assert len(found) == len(pins) - 1


def test_major_versions_are_counted_as_released() -> None:
    # Calendar versioning after 1.x (gevent: 1.5 -> 20.9 -> 26.9): two majors released,
    # not 25; an epoch or a pre-release tag is read through PEP 440.
    versions = ("1.3", "1.5", "20.9.0", "26.9.0rc1", "26.9.0")
    page = made("demo", [file("demo", v) for v in versions])
    (finding,) = run("outdated", context(metadata(page), "demo==1.3")).findings
    assert isinstance(finding.detail, OutdatedDetail)
    assert (finding.detail.latest, finding.detail.releases_behind) == ("26.9.0", 3)
    assert finding.detail.majors_behind == 2


def test_a_major_only_pre_released_or_yanked_does_not_count() -> None:
    page = made(
        "demo",
        [
            file("demo", "1.3"),
            file("demo", "2.0rc1"),
            file("demo", "4.0", yanked="broken"),
            file("demo", "5.0"),
        ],
    )
    (finding,) = run("outdated", context(metadata(page), "demo==1.3")).findings
    assert isinstance(finding.detail, OutdatedDetail)
    assert (finding.detail.latest, finding.detail.majors_behind) == ("5.0", 1)
