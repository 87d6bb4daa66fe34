"""Typed suppressions, references and exposure, from real records through the audit to
every renderer (issue 4: renderers read fields, never parse the rule string)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pyward._advisory import AdvisoryStore
from pyward._audit import audit
from pyward._findings import Reference
from pyward._inventory import _requirements
from pyward._model import Component, Inventory
from pyward._render import render
from pyward._report import AuditReport
from pyward._vex import load_vex
from tests.audit._data import record, store
from tests.conftest import CORPUS, component_of
from tests.render._reports import NOW

WAREHOUSE = CORPUS / "requirements-hashes" / "warehouse-2022" / "main.txt"
TODAY = dt.date(2024, 11, 1)


def _one(package: str, version: str, *records: tuple[str, str]) -> AuditReport:
    data = AdvisoryStore.from_records([record(p, i) for p, i in records])
    comp = Component(name=package, version=version, purl=f"pkg:pypi/{package}@{version}")
    inv = Inventory(source="requirements.txt", format="requirements", components=(comp,))
    return audit([inv], data, today=TODAY)


def _json(report: AuditReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report, "json", color=False, now=NOW))
    return data


def _cdx_vulns(report: AuditReport) -> dict[str, dict[str, Any]]:
    bom = json.loads(render(report, "cyclonedx-vex", color=False, now=NOW))
    return {v["id"]: v for v in bom["vulnerabilities"]}


def test_advisory_reference_is_the_link() -> None:
    # PYSEC-2022-253 lists a Red Hat page naming the CVE (WEB) before the GHSA advisory
    # (ADVISORY): the advisory is the link.
    report = _one("ansible-runner", "1.4.9", ("ansible-runner", "PYSEC-2022-253"))
    (finding,) = _json(report)["findings"]
    assert finding["url"] == "https://github.com/advisories/GHSA-6j58-grhv-2769"
    assert finding["references"] == [
        {"type": "REPORT", "url": "https://bugzilla.redhat.com/show_bug.cgi?id=2028074"},
        {"type": "WEB", "url": "https://access.redhat.com/security/cve/CVE-2021-4041"},
        {
            "type": "FIX",
            "url": "https://github.com/ansible/ansible-runner/commit/"
            "3533f265f4349a3f2a0283158cd01b59a6bbc7bd",
        },
        {"type": "ADVISORY", "url": "https://github.com/advisories/GHSA-6j58-grhv-2769"},
    ]
    markdown = render(report, "markdown", color=False, now=NOW)
    assert "[PYSEC-2022-253](https://github.com/advisories/GHSA-6j58-grhv-2769)" in markdown
    sarif = json.loads(render(report, "sarif", color=False, now=NOW))
    (rule,) = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rule["helpUri"] == "https://github.com/advisories/GHSA-6j58-grhv-2769"


def test_package_reference_is_never_the_advisory() -> None:
    # PYSEC-2022-216 has a PACKAGE page, an issue and a plain-http page, and no advisory.
    report = _one("perdido", "0.0.2", ("perdido", "PYSEC-2022-216"))
    (finding,) = report.findings
    assert finding.references == (
        Reference(type="PACKAGE", url="https://pypi.invalid/project/perdido/"),
        Reference(type="REPORT", url="https://github.com/ludovicmoncla/perdido/issues/1"),
        Reference(type="WEB", url="http://pypi-mirror.invalid/simple/request"),
    )
    (entry,) = _json(report)["findings"]
    assert entry["url"] == "https://osv.dev/vulnerability/PYSEC-2022-216"
    vuln = _cdx_vulns(report)["PYSEC-2022-216"]
    assert vuln["advisories"] == [
        {"url": "http://pypi-mirror.invalid/simple/request"},
        {"url": "https://github.com/ludovicmoncla/perdido/issues/1"},
    ]


def test_one_reference_per_url_typed_advisory_when_any_record_says_so() -> None:
    # PYSEC-2023-192 lists the GHSA page twice: as FIX, then as ADVISORY.
    report = audit([_requirements.read(WAREHOUSE)], store(), today=TODAY)
    finding = next(f for f in report.findings if f.id == "PYSEC-2023-192")
    ghsa = "https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f"
    assert [r for r in finding.references if r.url == ghsa] == [
        Reference(type="ADVISORY", url=ghsa)
    ]
    assert len({r.url for r in finding.references}) == len(finding.references)


def test_exposure_category_in_table_json_and_sarif() -> None:
    report = audit([_requirements.read(WAREHOUSE)], store(), today=TODAY)
    by_name = {component_of(f).name: f for f in report.findings}
    assert (by_name["requests"].exposure, by_name["requests"].exposed) == ("network client", True)
    assert (by_name["orjson"].exposure, by_name["orjson"].exposed) == (
        "untrusted-input parser",
        True,
    )
    assert (by_name["pip"].exposure, by_name["pip"].exposed) == (None, False)
    table = render(report, "table", color=False, now=NOW, width=120)
    assert "\nrequests==2.28.1  EXPOSED: network client  direct dependency\n" in table
    assert "\norjson==3.8.3  EXPOSED: untrusted-input parser  direct dependency\n" in table
    assert "\npip==22.3.1\n" in table
    data = _json(report)
    assert {(f["name"], f["exposed"], f["exposure"]) for f in data["findings"]} >= {
        ("requests", True, "network client"),
        ("orjson", True, "untrusted-input parser"),
        ("pip", False, None),
    }
    sarif = json.loads(render(report, "sarif", color=False, now=NOW))
    props = {r["properties"]["package"]: r["properties"] for r in sarif["runs"][0]["results"]}
    assert props["urllib3"]["exposure"] == "network client"


def test_vex_state_and_justification_reach_every_renderer(tmp_path: Path) -> None:
    doc = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.invalid/vex/1",
        "author": "security@example.invalid",
        "timestamp": "2024-11-01T00:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2024-3651"},
                "products": [{"@id": "pkg:pypi/idna@3.4"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
                "impact_statement": "idna.encode is never given user input",
            },
            {
                "vulnerability": {"name": "CVE-2023-5752"},
                "products": [{"@id": "pkg:pypi/pip@22.3.1"}],
                "status": "fixed",
            },
        ],
    }
    path = tmp_path / "app.openvex.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    statements, warnings = load_vex(path)
    report = audit(
        [_requirements.read(WAREHOUSE)], store(), vex=statements, warnings=warnings, today=TODAY
    )
    assert [(s.finding.id, s.kind, s.state, s.justification) for s in report.suppressed] == [
        ("PYSEC-2024-60", "vex", "not_affected", "vulnerable_code_not_in_execute_path"),
        ("PYSEC-2023-228", "vex", "fixed", None),
    ]
    vulns = _cdx_vulns(report)
    # The OpenVEX justification in CycloneDX's vocabulary; OpenVEX "fixed" is "resolved".
    assert vulns["PYSEC-2024-60"]["analysis"] == {
        "state": "not_affected",
        "justification": "code_not_reachable",
        "detail": f"VEX not_affected: {path} statements[0]: not_affected: "
        "vulnerable_code_not_in_execute_path: idna.encode is never given user input",
    }
    assert vulns["PYSEC-2023-228"]["analysis"] == {
        "state": "resolved",
        "detail": f"VEX fixed: {path} statements[1]: fixed",
    }
    data = _json(report)
    assert [(s["suppressed_by"], s["state"], s["justification"]) for s in data["suppressed"]] == [
        ("vex", "not_affected", "vulnerable_code_not_in_execute_path"),
        ("vex", "fixed", None),
    ]
    table = render(report, "table", color=False, now=NOW, width=200)
    assert (
        f"  PYSEC-2024-60 in idna==3.4: VEX not_affected: {path} statements[0] "
        "(vulnerable_code_not_in_execute_path)\n"
    ) in table
    assert f"  PYSEC-2023-228 in pip==22.3.1: VEX fixed: {path} statements[1]\n" in table


def test_ignore_is_in_triage_with_its_reason() -> None:
    from pyward._config import Config, IgnoreRule

    rule = IgnoreRule(
        id="CVE-2023-32681", reason="no proxies", origin="pyproject.toml: tool.pyward.ignore[0]"
    )
    report = audit(
        [_requirements.read(WAREHOUSE)], store(), config=Config(ignores=(rule,)), today=TODAY
    )
    (s,) = report.suppressed
    assert (s.kind, s.state, s.justification) == ("ignore", None, None)
    assert _cdx_vulns(report)["PYSEC-2023-74"]["analysis"] == {
        "state": "in_triage",
        "response": ["will_not_fix"],
        "detail": "ignore CVE-2023-32681 (pyproject.toml: tool.pyward.ignore[0]): no proxies",
    }
    (entry,) = _json(report)["suppressed"]
    assert (entry["suppressed_by"], entry["state"], entry["justification"]) == (
        "ignore",
        None,
        None,
    )
    table = render(report, "table", color=False, now=NOW, width=200)
    assert (
        "  PYSEC-2023-74 in requests==2.28.1: ignore CVE-2023-32681 "
        "(pyproject.toml: tool.pyward.ignore[0]): no proxies\n"
    ) in table
