"""Fix targets are released versions when a package index says which (issue 11 item 1)."""

from __future__ import annotations

import datetime as dt

from pyward._advisory import AdvisoryStore
from pyward._audit import audit
from pyward._audit._fix import Releases, plan
from pyward._model import Component, Inventory
from pyward._sources.index._parse import parse_project_page
from pyward._sources.index._port import StaticIndex
from tests.audit._data import record
from tests.audit._index_pages import project_page

TODAY = dt.date(2024, 11, 1)
INDEX = "https://index.invalid/simple/"
NBCONVERT = {"6.0.7": False, "6.2.0": False, "6.3.0b0": False, "6.3.0": False}


def _index(**projects: dict[str, bool]) -> StaticIndex:
    return StaticIndex(
        parse_project_page(project_page(name, versions), url=f"{INDEX}{name}/", index_url=INDEX)
        for name, versions in projects.items()
    )


def _targets(
    name: str, version: str, advisory: str, releases: dict[str, Releases] | None
) -> list[tuple[str | None, tuple[str, ...], tuple[str, ...], str | None]]:
    data = AdvisoryStore.from_records([record(name, advisory)])
    inv = Inventory(
        source="r.txt", format="requirements", components=(Component(name=name, version=version),)
    )
    report = audit([inv], data, today=TODAY)
    return [
        (s.target, s.fixes, s.unfixed, s.unchecked)
        for s in plan(report.findings, data, releases=releases)
    ]


def test_the_target_is_the_smallest_final_release_not_the_bound() -> None:
    # PYSEC-2022-249 is fixed in 6.3.0a0, which was never released; the index has
    # 6.3.0b0 (a pre-release) and 6.3.0.
    info = _index(nbconvert=NBCONVERT).project("nbconvert")
    releases = {"nbconvert": Releases(versions=info.released_versions())}
    assert _targets("nbconvert", "6.0.7", "PYSEC-2022-249", releases) == [
        ("6.3.0", ("PYSEC-2022-249",), (), None)
    ]
    # Without an index asked, the bound, as before (a plain audit stays offline).
    assert _targets("nbconvert", "6.0.7", "PYSEC-2022-249", None) == [
        ("6.3.0a0", ("PYSEC-2022-249",), (), None)
    ]


def test_a_yanked_release_is_never_the_target() -> None:
    info = _index(nbconvert={**NBCONVERT, "6.3.0": True, "6.4.0": False}).project("nbconvert")
    assert info.released_versions() == ("6.0.7", "6.2.0", "6.3.0b0", "6.4.0")
    releases = {"nbconvert": Releases(versions=info.released_versions())}
    assert _targets("nbconvert", "6.0.7", "PYSEC-2022-249", releases) == [
        ("6.4.0", ("PYSEC-2022-249",), (), None)
    ]


def test_a_pre_release_only_when_no_final_release_fixes() -> None:
    releases = {"nbconvert": Releases(versions=("6.0.7", "6.2.0", "6.3.0b0"))}
    assert _targets("nbconvert", "6.0.7", "PYSEC-2022-249", releases) == [
        ("6.3.0b0", ("PYSEC-2022-249",), (), None)
    ]
    releases = {"nbconvert": Releases(versions=("6.0.7", "6.2.0"))}
    assert _targets("nbconvert", "6.0.7", "PYSEC-2022-249", releases) == [
        (None, (), ("PYSEC-2022-249",), None)
    ]


def test_without_index_data_the_bound_is_marked_unchecked() -> None:
    offline = {"nbconvert": Releases(versions=None, reason="nbconvert: offline and not cached")}
    assert _targets("nbconvert", "6.0.7", "PYSEC-2022-249", offline) == [
        ("6.3.0a0", ("PYSEC-2022-249",), (), "nbconvert: offline and not cached")
    ]
    assert _targets("nbconvert", "6.0.7", "PYSEC-2022-249", {}) == [
        ("6.3.0a0", ("PYSEC-2022-249",), (), "no package index data")
    ]
