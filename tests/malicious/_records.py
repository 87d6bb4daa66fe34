"""The real MAL records of ``tests/data/malicious-packages`` and the few records made up
beside them (marked so), for the malicious tests."""

from __future__ import annotations

import copy
import json
from typing import Any

from pyward._advisory import AdvisoryStore
from tests.conftest import DATA

#: A copy of ossf/malicious-packages' layout with four real PyPI records (see its NOTICE).
MALICIOUS_PACKAGES = DATA / "malicious-packages"

#: Each real record's file, by id.
REAL = {
    "MAL-2026-15859": "osv/malicious/pypi/0requests/MAL-2026-15859.json",
    "MAL-2024-10238": "osv/malicious/pypi/123bla/MAL-2024-10238.json",
    "MAL-2025-6794": "osv/malicious/pypi/num2words/MAL-2025-6794.json",
    "MAL-2026-4750": "osv/withdrawn/pypi/fastapi/MAL-2026-4750.json",
}


def real(advisory_id: str) -> dict[str, Any]:
    """A real record, parsed afresh (a test may change its copy)."""
    data: dict[str, Any] = json.loads((MALICIOUS_PACKAGES / REAL[advisory_id]).read_text())
    return data


def real_store(*extra: dict[str, Any]) -> AdvisoryStore:
    """An in-memory store of the four real records, and ``extra``."""
    return AdvisoryStore.from_records([*(real(i) for i in REAL), *extra])


def num2words_aliases() -> list[dict[str, Any]]:
    """Made-up stand-ins for PYSEC-2025-72 and GHSA-jxr6-qrxx-2ph2, which the shared data
    does not hold: the ids, aliases and versions MAL-2025-6794 gives them, a GHSA-style
    summary and CVSS vector. Only their links to the MAL record matter to the tests."""
    pysec = {
        "id": "PYSEC-2025-72",
        "modified": "2025-08-01T00:00:00Z",
        "published": "2025-07-29T00:00:00Z",
        "aliases": ["GHSA-jxr6-qrxx-2ph2", "MAL-2025-6794"],
        "summary": "num2words releases uploaded from a compromised maintainer account",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "num2words"},
                "versions": ["0.5.15", "0.5.16"],
            }
        ],
        "references": [
            {"type": "ADVISORY", "url": "https://advisories.example.invalid/PYSEC-2025-72"}
        ],
    }
    ghsa = copy.deepcopy(pysec)
    ghsa["id"] = "GHSA-jxr6-qrxx-2ph2"
    ghsa["aliases"] = ["PYSEC-2025-72"]
    ghsa["severity"] = [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}
    ]
    ghsa["references"] = [
        {"type": "ADVISORY", "url": "https://advisories.example.invalid/GHSA-jxr6-qrxx-2ph2"}
    ]
    return [pysec, ghsa]


def other_ecosystem(advisory_id: str = "MAL-2099-1") -> dict[str, Any]:
    """A made-up MAL record of an npm package (the shared data holds PyPI ones only)."""
    data = real("MAL-2024-10238")
    data["id"] = advisory_id
    data["summary"] = "Malicious code in left-pad-evil (npm)"
    data["affected"][0]["package"] = {"ecosystem": "npm", "name": "left-pad-evil"}
    return data
