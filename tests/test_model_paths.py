"""``shortest_paths`` (one search for every finding) gives ``Inventory.why``'s paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._inventory import read_inventory
from pyward._model import ComponentKey, shortest_paths
from tests.conftest import CORPUS

LOCKS = sorted([*CORPUS.glob("uv/*/uv.lock"), *CORPUS.glob("poetry/*/poetry.lock")])


def test_the_corpus_has_the_locks() -> None:
    assert len(LOCKS) == 9


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_path_equals_why(lock: Path) -> None:
    inv = read_inventory(lock)
    why = shortest_paths(inv.roots, inv.edges)
    keys = [c.key for c in inv.components]
    assert [why(k) for k in keys] == [inv.why(k) for k in keys]
    assert max(len(why(k)) for k in keys) > 2  # real transitive paths, not only roots
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
