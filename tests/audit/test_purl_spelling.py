"""VEX statements match a component whichever way the purl spells a dotted name: the
purl spec keeps dots (``pkg:pypi/zope.interface``), PEP 503 tools write dashes
(``pkg:pypi/zope-interface``); names are compared PEP 503-normalised."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pyward._advisory import AdvisoryStore
from pyward._audit import audit
from pyward._inventory import _requirements
from pyward._report import AuditReport
from pyward._vex import Product, load_vex, parse_purl
from tests.audit._data import record
from tests.conftest import component_of

TODAY = dt.date(2024, 11, 1)


def zope_record() -> dict[str, Any]:
    """The real jw.util record, moved to zope.interface 5.0 (the test data holds no
    advisory of zope.interface)."""
    rec = copy.deepcopy(record("jw.util", "PYSEC-2020-341"))
    rec["affected"][0]["package"] = {
        "name": "zope.interface",
        "ecosystem": "PyPI",
        "purl": "pkg:pypi/zope.interface",
    }
    rec["affected"][0]["versions"] = ["5.0"]
    rec["affected"][0]["ranges"] = []
    return rec


def _audit(tmp_path: Path, requirement: str, data: AdvisoryStore, ref: str) -> AuditReport:
    req = tmp_path / "requirements.txt"
    req.write_text(requirement + "\n", encoding="utf-8")
    vex = tmp_path / "vex.cdx.json"
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "vulnerabilities": [
            {
                "id": "CVE-2020-13388",
                "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                "affects": [{"ref": ref}],
            }
        ],
    }
    vex.write_text(json.dumps(doc), encoding="utf-8")
    statements, warnings = load_vex(vex)
    assert warnings == []
    return audit([_requirements.read(req)], data, vex=statements, today=TODAY)


def test_parse_purl_normalises_both_spellings() -> None:
    expected = Product(name="zope-interface", version="5.0")
    assert parse_purl("pkg:pypi/zope.interface@5.0") == expected
    assert parse_purl("pkg:pypi/zope-interface@5.0") == expected
    assert parse_purl("pkg:pypi/Zope_Interface@5.0") == expected


@pytest.mark.parametrize("ref", ["pkg:pypi/zope.interface@5.0", "pkg:pypi/zope-interface@5.0"])
@pytest.mark.parametrize("requirement", ["zope.interface==5.0", "zope-interface==5.0"])
def test_vex_matches_zope_interface_either_way(tmp_path: Path, ref: str, requirement: str) -> None:
    report = _audit(tmp_path, requirement, AdvisoryStore.from_records([zope_record()]), ref)
    assert report.findings == ()
    (s,) = report.suppressed
    assert (s.finding.id, component_of(s.finding).name, s.state, s.justification) == (
        "PYSEC-2020-341",
        "zope-interface",
        "not_affected",
        "code_not_reachable",
    )


@pytest.mark.parametrize("ref", ["pkg:pypi/jw.util@2.2", "pkg:pypi/jw-util@2.2"])
def test_vex_matches_a_real_dotted_package_either_way(tmp_path: Path, ref: str) -> None:
    data = AdvisoryStore.from_records([record("jw.util", "PYSEC-2020-341")])
    report = _audit(tmp_path, "jw.util==2.2", data, ref)
    assert [(s.finding.id, component_of(s.finding).purl) for s in report.suppressed] == [
        ("PYSEC-2020-341", "pkg:pypi/jw.util@2.2")
    ]
    other_version = _audit(tmp_path, "jw.util==2.1", data, ref)
    assert [f.id for f in other_version.findings] == ["PYSEC-2020-341"]
    assert other_version.suppressed == ()
