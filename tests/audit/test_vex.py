"""VEX: CycloneDX and OpenVEX not_affected statements on real findings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pyward._audit import audit
from pyward._checks import select_checks
from pyward._inventory import _requirements
from pyward._vex import Product, load_vex, parse_purl
from pyward.errors import InputError
from tests.audit._data import store
from tests.conftest import CORPUS

#: These tests are about the vulnerability check and the gate: the status checks,
#: whose data the tests do not give, would only add "did not run" warnings.
VULNERABILITY_ONLY = select_checks(["vulnerabilities"])

WAREHOUSE = CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt"
TODAY = dt.date(2024, 11, 1)


def _write(tmp_path: Path, doc: Any, name: str = "vex.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _audit_with(path: Path):  # type: ignore[no-untyped-def]
    statements, warnings = load_vex(path)
    return audit(
        [_requirements.read(WAREHOUSE)],
        store(),
        vex=statements,
        warnings=warnings,
        today=TODAY,
        checks=VULNERABILITY_ONLY,
    )


CDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "components": [
        {
            "bom-ref": "urllib3-ref",
            "type": "library",
            "name": "urllib3",
            "version": "1.26.13",
            "purl": "pkg:pypi/urllib3@1.26.13",
        }
    ],
    "vulnerabilities": [
        {
            "id": "CVE-2023-32681",
            "analysis": {
                "state": "not_affected",
                "justification": "code_not_reachable",
                "detail": "no proxies",
            },
            "affects": [
                {"ref": "pkg:pypi/requests@2.28.1?repository_url=https://example.invalid/simple"}
            ],
        },
        {
            "id": "GHSA-g4mx-q9vg-27p4",
            "references": [{"id": "CVE-2023-45803", "source": {"name": "NVD"}}],
            "analysis": {"state": "false_positive"},
            "affects": [{"ref": "urllib3-ref"}],
        },
        # Another version of the package: does not apply to idna 3.4.
        {
            "id": "CVE-2024-3651",
            "analysis": {"state": "not_affected"},
            "affects": [{"ref": "pkg:pypi/idna@3.6"}],
        },
        # Exploitable: a statement of risk, never a suppression.
        {
            "id": "PYSEC-2023-228",
            "analysis": {"state": "exploitable"},
            "affects": [{"ref": "pkg:pypi/pip@22.3.1"}],
        },
        {
            "id": "CVE-2023-28858",
            "analysis": {"state": "not_affected"},
            "affects": [{"ref": "pkg:npm/redis@4.4.0"}],
        },
    ],
}


def test_cyclonedx_vex(tmp_path: Path) -> None:
    path = _write(tmp_path, CDX)
    report = _audit_with(path)
    assert [
        (
            s.finding.component.name,
            s.finding.id,
            s.rule,
            s.reason,
            s.kind,
            s.state,
            s.justification,
        )
        for s in report.suppressed
    ] == [
        (
            "urllib3",
            "PYSEC-2023-212",
            f"VEX false_positive: {path} vulnerabilities[1]",
            "false_positive",
            "vex",
            "false_positive",
            None,
        ),
        (
            "requests",
            "PYSEC-2023-74",
            f"VEX not_affected: {path} vulnerabilities[0]",
            "not_affected: code_not_reachable: no proxies",
            "vex",
            "not_affected",
            "code_not_reachable",
        ),
    ]
    # The other ten stay: idna 3.4 (a statement for 3.6), pip (exploitable), redis (npm).
    assert [f.id for f in report.findings] == [
        "PYSEC-2023-254", "PYSEC-2023-192", "PYSEC-2023-11", "PYSEC-2024-40", "PYSEC-2024-60",
        "PYSEC-2023-228", "PYSEC-2023-135", "PYSEC-2023-117", "PYSEC-2023-45", "PYSEC-2023-46",
    ]  # fmt: skip
    assert report.warnings == (
        f"{path}: vulnerabilities[4].affects[0].ref: 'pkg:npm/redis@4.4.0' is neither a PyPI purl "
        "nor the bom-ref of a PyPI component of this document; it applies to no package",
    )


def test_openvex(tmp_path: Path) -> None:
    doc = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.invalid/vex/1",
        "author": "security@example.invalid",
        "timestamp": "2024-11-01T00:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2024-3651", "aliases": ["GHSA-jjg7-2v4v-x38h"]},
                "products": [
                    {
                        "@id": "pkg:github/example/app",
                        "subcomponents": [{"@id": "pkg:pypi/idna@3.4"}],
                    }
                ],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
            },
            # No product: applies to every component with this flaw.
            {
                "vulnerability": {"@id": "https://nvd.invalid/vuln/detail/CVE-2023-5752"},
                "status": "fixed",
            },
            {
                "vulnerability": {"name": "CVE-2023-32681"},
                "products": [{"@id": "pkg:pypi/requests@2.31.0"}],
                "status": "not_affected",
            },
            {
                "vulnerability": {"name": "CVE-2023-37920"},
                "products": [{"@id": "pkg:pypi/certifi"}],
                "status": "under_investigation",
            },
        ],
    }
    path = _write(tmp_path, doc)
    report = _audit_with(path)
    assert [
        (s.finding.component.name, s.rule, s.reason, s.kind, s.state, s.justification)
        for s in report.suppressed
    ] == [
        (
            "idna",
            f"VEX not_affected: {path} statements[0]",
            "not_affected: vulnerable_code_not_in_execute_path",
            "vex",
            "not_affected",
            "vulnerable_code_not_in_execute_path",
        ),
        ("pip", f"VEX fixed: {path} statements[1]", "fixed", "vex", "fixed", None),
    ]
    # requests 2.28.1 stays (the statement is for 2.31.0), and certifi (under_investigation).
    assert [f.id for f in report.findings] == [
        "PYSEC-2023-254", "PYSEC-2023-192", "PYSEC-2023-212", "PYSEC-2023-11", "PYSEC-2024-40",
        "PYSEC-2023-74", "PYSEC-2023-135", "PYSEC-2023-117", "PYSEC-2023-45", "PYSEC-2023-46",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"vulnerabilities": [{"analysis": {"state": "not_affected"}}]},
            "vulnerabilities[0].id: must be a non-empty string",
        ),
        (
            {"vulnerabilities": [{"id": "X", "analysis": {"state": "fine"}}]},
            "vulnerabilities[0].analysis.state: unknown state 'fine' (CycloneDX 1.6)",
        ),
        (
            {
                "vulnerabilities": [
                    {"id": "X", "analysis": {"state": "not_affected"}, "affects": [{"ref": 3}]}
                ]
            },
            "vulnerabilities[0].affects[0].ref: must be a non-empty string",
        ),
        ({"vulnerabilities": {"id": "X"}}, "vulnerabilities: must be an array"),
        ({"statements": [{"status": "not_affected"}]}, "statements[0].vulnerability: missing"),
        (
            {"statements": [{"vulnerability": {"name": "X"}, "status": "ok"}]},
            "statements[0].status: "
            "must be one of not_affected, fixed, affected, under_investigation",
        ),
        (
            {
                "statements": [
                    {"vulnerability": {"name": "X"}, "status": "fixed", "products": [{"x": 1}]}
                ]
            },
            "statements[0].products[0]: names no product (@id or identifiers.purl)",
        ),
        (
            {"statements": [{"vulnerability": {}, "status": "fixed"}]},
            "statements[0].vulnerability: names no vulnerability id",
        ),
        (
            {
                "vulnerabilities": [
                    {"id": "X", "analysis": {"state": "not_affected", "justification": 3}}
                ]
            },
            "vulnerabilities[0].analysis.justification: must be a non-empty string",
        ),
        (
            {
                "statements": [
                    {"vulnerability": {"name": "X"}, "status": "fixed", "justification": ""}
                ]
            },
            "statements[0].justification: must be a non-empty string",
        ),
        ({"spdxVersion": "SPDX-2.3"}, "neither a CycloneDX VEX nor an OpenVEX document"),
        ([1, 2], "line 1: must be a JSON object (a CycloneDX or OpenVEX document)"),
    ],
)
def test_malformed_vex_names_the_json_path(tmp_path: Path, doc: Any, message: str) -> None:
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as exc:
        load_vex(path)
    assert str(exc.value) == f"{path}: {message}"


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "vex.json"
    path.write_text('{\n  "statements": [\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_vex(path)
    assert str(exc.value).startswith(f"{path}: line 3: invalid JSON:")


def test_parse_purl() -> None:
    assert parse_purl("pkg:pypi/Django@3.1.4") == Product(name="django", version="3.1.4")
    assert parse_purl("pkg:pypi/zope.interface@5.0%2Blocal?x=1#sub") == Product(
        name="zope-interface", version="5.0+local"
    )
    assert parse_purl("pkg:pypi/requests") == Product(name="requests", version=None)
    assert parse_purl("pkg://pypi/Flask_Login@0.6") == Product(name="flask-login", version="0.6")
    assert parse_purl("pkg:npm/requests@1") is None
    assert parse_purl("requests==1") is None
    assert parse_purl("urllib3-ref") is None  # a bom-ref the document does not resolve
    assert parse_purl("pkg:pypi/@1") is None
