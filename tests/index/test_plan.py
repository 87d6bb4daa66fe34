"""Which index each project of a run is asked of, decided before any is asked
(:meth:`IndexResolver.plan`): a recorded index resolved once per project directory,
recorded URL and input file, with the same answers and notes, in the same order, as
resolving each component on its own."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from pyward._model import Component, Inventory, Location
from pyward._sources.index._resolve import (
    NO_INDEX_REASON,
    IndexPlan,
    IndexResolver,
    NoIndex,
    ResolvedIndex,
    configured_index,
    resolve_index,
)

#: Hosts that are asked are on 127.0.0.1 (nothing is asked here); one under ``.invalid``
#: is a recorded index blanked out.
CONFIGURED = "http://127.0.0.1:8001/simple/"


def inventory(directory: Path, *components: Component, name: str = "uv.lock") -> Inventory:
    directory.mkdir(parents=True, exist_ok=True)
    return Inventory(source=str(directory / name), format="uv.lock", components=components)


def locked(name: str, index: str | None, file: str = "uv.lock") -> Component:
    return Component(name=name, version="1.0", index=index, location=Location(file=file))


def blanked_note(origin: str) -> str:
    return (
        f"{origin}: the recorded index https://pypi.invalid/simple/ is under .invalid, a "
        "name that never resolves (RFC 2606); the configured index is asked instead"
    )


def test_a_recorded_index_is_resolved_once_and_answers_as_resolve_index(tmp_path: Path) -> None:
    recorded = "http://127.0.0.1:8002/simple"
    inv = inventory(tmp_path, locked("six", recorded), locked("Click", recorded + "/"))
    resolver = IndexResolver(environ={})
    six, click = (resolver.for_metadata(inv, c) for c in inv.components)
    assert six == resolve_index(inv.components[0], environ={}, project_dir=tmp_path)
    assert six == ResolvedIndex(url="http://127.0.0.1:8002/simple/", origin="uv.lock")
    # Another recorded string (a final slash) is another key, with the same answer.
    assert click == six
    again = resolver.for_metadata(inv, locked("idna", recorded))
    assert again is six
    assert resolver.plan((inv, c) for c in inv.components) == IndexPlan(
        projects={"http://127.0.0.1:8002/simple/": ("six", "click")}
    )


def test_a_blanked_out_index_is_replaced_by_the_configured_one_with_one_note(
    tmp_path: Path,
) -> None:
    first = inventory(
        tmp_path / "a",
        locked("six", "https://pypi.invalid/simple", "a/uv.lock"),
        locked("idna", "https://pypi.invalid/simple", "a/uv.lock"),
        locked("local", None, "a/uv.lock"),
    )
    second = inventory(
        tmp_path / "b",
        locked("certifi", "https://pypi.invalid/simple", "b/uv.lock"),
        locked("six", "https://pypi.invalid/simple", "b/uv.lock"),
    )
    resolver = IndexResolver(option=CONFIGURED)
    subjects = [(inv, c) for inv in (first, second) for c in inv.components]
    plan = resolver.plan(subjects)
    assert plan.projects == {CONFIGURED: ("six", "idna", "local", "certifi")}
    assert plan.unasked == {}
    # One note per input file, in the order the run met them.
    assert plan.notes == (blanked_note("a/uv.lock"), blanked_note("b/uv.lock"))
    assert "8001" not in repr(plan)  # URLs may hold credentials


def test_with_no_index_configured_nothing_is_asked(tmp_path: Path) -> None:
    inv = inventory(
        tmp_path,
        locked("six", "https://pypi.invalid/simple"),
        locked("Click", None),
    )
    plan = IndexResolver(environ={}).plan((inv, c) for c in inv.components)
    assert plan.projects == {}
    assert plan.unasked == {"six": NO_INDEX_REASON, "click": NO_INDEX_REASON}
    # The configured index is not there to be asked instead: no note about it.
    assert plan.notes == ()
    assert isinstance(IndexResolver(environ={}).for_metadata(inv, inv.components[0]), NoIndex)


def test_a_recorded_index_that_is_not_http_is_noted_for_each_component(tmp_path: Path) -> None:
    inv = inventory(
        tmp_path,
        locked("six", "/srv/wheels"),
        locked("idna", "/srv/wheels"),
    )
    resolver = IndexResolver(option=CONFIGURED)
    answers = [resolver.for_metadata(inv, c) for c in inv.components]
    assert answers == [
        resolve_index(c, option=CONFIGURED, project_dir=tmp_path) for c in inv.components
    ]
    plan = resolver.plan((inv, c) for c in inv.components)
    assert plan.projects == {CONFIGURED: ("six", "idna")}
    assert plan.notes == tuple(
        f"uv.lock: {name}: the recorded index '/srv/wheels' is not an http(s) URL; passed over"
        for name in ("six", "idna")
    )


def test_a_project_met_again_with_another_index_is_asked_of_the_first(tmp_path: Path) -> None:
    inv = inventory(
        tmp_path,
        locked("six", "http://127.0.0.1:8003/simple"),
        locked("six", None),
        locked("idna", None),
    )
    plan = IndexResolver(option=CONFIGURED).plan((inv, c) for c in inv.components)
    assert plan.projects == {
        "http://127.0.0.1:8003/simple/": ("six",),
        CONFIGURED: ("idna",),
    }
    assert plan.notes == (
        "six: recorded with two indexes; asked http://127.0.0.1:8003/simple/ only, "
        f"not {CONFIGURED}",
    )


def test_one_run_reads_each_projects_settings_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``source`` check and the index metadata share the run's resolver: each
    project's configured index is read once, and both see the same one."""
    from pyward._checks import CHECKS
    from pyward._commands._sources import gather_sources
    from pyward._config import Config
    from pyward._findings import CheckId
    from pyward._policy._model import Policy, SourcesRule
    from pyward._settings import Settings
    from pyward._sources.index import _resolve

    read: list[Path | None] = []

    def counted(**kwargs: Any) -> ResolvedIndex | NoIndex:
        read.append(kwargs["project_dir"])
        return configured_index(**kwargs)

    monkeypatch.setattr(_resolve, "configured_index", counted)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "uv.toml").write_text(f'index-url = "{CONFIGURED}"\n', encoding="utf-8")
    lock = inventory(tmp_path / "a", locked("six", None), locked("idna", None))
    other = inventory(tmp_path / "b", locked("certifi", None), name="requirements.txt")
    args = argparse.Namespace(
        index_url=None, offline=True, refresh=False, python_version=None, quiet=True
    )
    gathered = gather_sources(
        [lock, other],
        [CHECKS[CheckId("source")], CHECKS[CheckId("yanked")]],
        args=args,
        config=Config(),
        settings=Settings(cache_dir=tmp_path / "cache"),
        start=tmp_path,
        policy=Policy(sources=SourcesRule(indexes=(CONFIGURED,))),
    )
    assert sorted(map(str, read)) == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert gathered.sources.configured_indexes == {lock.source: CONFIGURED}
    # The configured index was asked (offline, with nothing cached).
    assert gathered.sources.index is None
    assert gathered.sources.unavailable == {
        "index": "--offline, and no index metadata is cached for these projects"
    }
