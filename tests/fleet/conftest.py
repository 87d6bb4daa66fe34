"""One advisory cache directory per test module: the built-in snapshot is unpacked
into it once, not by every test's workers."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def _fleet_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("fleet-cache"))


@pytest.fixture(autouse=True)
def _shared_cache(_fleet_cache: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYWARD_CACHE_DIR", _fleet_cache)
