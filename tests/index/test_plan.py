"""Which index each project of a run is asked of, decided before any is asked
(:meth:`IndexResolver.plan`): a recorded index resolved once per project directory,
recorded URL and input file, with the same answers and notes, in the same order, as
resolving each component on its own."""

from __future__ import annotations

from pathlib import Path

from pyward._model import Component, Inventory, Location
from pyward._sources.index._resolve import (
    NO_INDEX_REASON,
    IndexPlan,
    IndexResolver,
    NoIndex,
    ResolvedIndex,
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
