"""``shortest_paths`` (one search for every finding, also behind ``Inventory.why``)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from pyward._inventory import read_inventory
from pyward._model import ComponentKey, Inventory, shortest_paths
from tests.conftest import CORPUS

LOCKS = sorted([*CORPUS.glob("uv/*/uv.lock"), *CORPUS.glob("poetry/*/poetry.lock")])


def _depths(inv: Inventory) -> dict[ComponentKey, int]:
    """Distance from the nearest root, level by level (not the code under test)."""
    depth = dict.fromkeys(inv.roots, 0)
    level, n = set(inv.roots), 0
    while level:
        n += 1
        level = {b for a in level for b in inv.edges.get(a, ()) if b not in depth}
        depth.update(dict.fromkeys(level, n))
    return depth


def test_the_corpus_has_the_locks() -> None:
    assert len(LOCKS) == 9


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_path_is_a_shortest_path_of_the_graph(lock: Path) -> None:
    inv = read_inventory(lock)
    why = shortest_paths(inv.roots, inv.edges)
    depths = _depths(inv)
    for c in inv.components:
        path = why(c.key)
        assert path[-1] == c.key
        if c.key not in depths:
            assert path == (c.key,)
            continue
        assert path[0] in inv.roots
        assert all(b in inv.edges.get(a, ()) for a, b in pairwise(path))
        assert len(path) == depths[c.key] + 1
        assert inv.why(c.key) == path
    assert max(len(why(c.key)) for c in inv.components) > 2  # real transitive paths
    missing = ComponentKey("not-in-the-lock==1.0")
    assert why(missing) == inv.why(missing) == (missing,)


def test_a_known_path() -> None:
    inv = read_inventory(CORPUS / "poetry" / "saleor-2020" / "poetry.lock")
    why = shortest_paths(inv.roots, inv.edges)
    assert why(ComponentKey("pyasn1==0.4.8")) == (
        "django-storages==1.10.1",
        "google-cloud-storage==1.33.0",
        "google-auth==1.23.0",
        "pyasn1-modules==0.2.8",
        "pyasn1==0.4.8",
    )
    assert inv.why(ComponentKey("pyasn1==0.4.8")) == why(ComponentKey("pyasn1==0.4.8"))
