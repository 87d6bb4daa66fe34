"""Fixtures of the advisory tests: real PyPA records and a store of all of them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pyward._advisory import AdvisoryStore
from pyward._advisory._osv import load_document, parse_advisory
from tests.conftest import PYPA_VULNS

#: The two real records kept without one range (its ``fixed`` event is not PEP 440),
#: and the note that names it.
NOTED = {
    "PYSEC-2021-371": "binderhub/PYSEC-2021-371.yaml: PYSEC-2021-371: "
    "affected[0].ranges[1].events[1].fixed: not a PEP 440 version: '0.2.0-n653'; "
    "range skipped",
    "PYSEC-2019-125": "steam/PYSEC-2019-125.yaml: PYSEC-2019-125: "
    "affected[0].ranges[0].events[1].fixed: not a PEP 440 version: '2019-09-12'; "
    "range skipped",
}


@cache
def record_path(record_id: str) -> Path:
    (path,) = PYPA_VULNS.glob(f"*/{record_id}.yaml")
    return path


def real_record(record_id: str) -> dict[str, Any]:
    path = record_path(record_id)
    data = load_document(path.name, path.read_bytes())
    assert isinstance(data, dict)
    return data


@cache
def all_real_records() -> tuple[dict[str, Any], ...]:
    out = []
    for path in sorted(PYPA_VULNS.glob("*/*.yaml")):
        data = load_document(path.name, path.read_bytes())
        assert isinstance(data, dict)
        advisory = parse_advisory(data, file=path.name)
        assert bool(advisory.notes) == (data["id"] in NOTED)
        out.append(data)
    return tuple(out)


@pytest.fixture(scope="session")
def real_store() -> AdvisoryStore:
    """Every readable real record, in memory."""
    return AdvisoryStore.from_records(all_real_records(), source="PyPA test data")
