"""Advisory stores built from the real PyPA records in tests/data, for the audit tests."""

from __future__ import annotations

import functools
from typing import Any

from pyward._advisory import AdvisoryStore
from pyward._advisory._osv import load_document
from tests.conftest import PYPA_VULNS


def records(*packages: str) -> list[dict[str, Any]]:
    """Every record of these packages' directories, in file-name order."""
    out: list[dict[str, Any]] = []
    for package in packages:
        for path in sorted((PYPA_VULNS / package).glob("*.yaml")):
            doc = load_document(path.name, path.read_bytes(), file=str(path))
            assert isinstance(doc, dict)
            out.append(doc)
    return out


def record(package: str, advisory_id: str) -> dict[str, Any]:
    path = PYPA_VULNS / package / f"{advisory_id}.yaml"
    doc = load_document(path.name, path.read_bytes(), file=str(path))
    assert isinstance(doc, dict)
    return doc


#: The packages of the requirements corpus files the tests audit.
PACKAGES = (
    "certifi",
    "cryptography",
    "django",
    "idna",
    "jinja2",
    "orjson",
    "pillow",
    "pip",
    "pygments",
    "redis",
    "requests",
    "urllib3",
    "werkzeug",
)


@functools.lru_cache(maxsize=1)
def store() -> AdvisoryStore:
    """One in-memory store of the real records of :data:`PACKAGES` (built once)."""
    return AdvisoryStore.from_records(records(*PACKAGES))
