"""A small real advisory store shared by the sweep (opening the built-in snapshot costs
~35 ms a run; a store of a few real records, under 1 ms)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pyward._advisory._sync import update
from tests.conftest import PYPA_VULNS

#: Packages of the real records in the store: what the corpus files lock most.
PACKAGES = ("flask", "jinja2", "pyyaml", "requests", "urllib3", "werkzeug")


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = tmp_path_factory.mktemp("records")
    for name in PACKAGES:
        shutil.copytree(PYPA_VULNS / name, records / name)
    cache = tmp_path_factory.mktemp("store")
    result = update(str(records), cache)
    assert (result.added, result.skipped) == (35, 0)
    return cache
