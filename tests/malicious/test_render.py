"""A malicious finding in every renderer: its summary, its ids, its references, that it
fails the run, and the advice to remove it (never "upgrade")."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pyward._audit import audit
from pyward._model import Component, Inventory, Location
from pyward._render import RENDERERS, render
from pyward._report import AuditReport
from tests.conftest import SCHEMAS
from tests.malicious._records import num2words_aliases, real_store

ROOT = Path(__file__).parent.parent.parent
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
ADVICE = "Remove num2words, or pin a release its malicious records do not name."


@cache
def report() -> AuditReport:
    """num2words 0.5.15 (the MAL record and, made up, its PYSEC and GHSA aliases),
    0requests 0.0.1, and fastapi 0.136.3 (withdrawn: no finding)."""
    pins = (("num2words", "0.5.15"), ("0requests", "0.0.1"), ("fastapi", "0.136.3"))
    inv = Inventory(
        source="requirements.txt",
        format="requirements",
        components=tuple(
            Component(
                name=n,
                version=v,
                purl=f"pkg:pypi/{n}@{v}",
                direct=True,
                location=Location(file="requirements.txt", line=i),
            )
            for i, (n, v) in enumerate(pins, start=1)
        ),
    )
    from pyward._checks import CHECKS

    checks = (CHECKS["vulnerability"], CHECKS["malicious"])  # type: ignore[index]
    return audit([inv], real_store(*num2words_aliases()), checks=checks)


def _text(fmt: str) -> str:
    return render(report(), fmt, color=False, now=NOW, width=120)


def test_the_report_holds_two_failing_malicious_findings() -> None:
    r = report()
    assert [(f.kind, f.id) for f in r.findings] == [
        ("malicious", "MAL-2026-15859"),
        ("malicious", "MAL-2025-6794"),
    ]
    assert r.failed is True
    assert [f.id for f in r.failing] == ["MAL-2026-15859", "MAL-2025-6794"]


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_every_renderer_names_the_ids_and_no_upgrade(fmt: str) -> None:
    text = _text(fmt)
    for advisory_id in ("MAL-2025-6794", "PYSEC-2025-72", "GHSA-jxr6-qrxx-2ph2", "MAL-2026-15859"):
        assert advisory_id in text, (fmt, advisory_id)
    assert "Malicious code in num2words (PyPI)" in text
    assert "upgrade" not in text.lower()


def test_table() -> None:
    text = _text("table")
    assert "2 malicious packages in 3 packages; no known vulnerabilities" in text
    rows = [line.split() for line in text.splitlines() if line.startswith("MAL-")]
    assert [row[:3] for row in rows] == [
        ["MAL-2026-15859", "critical", "remove"],
        ["MAL-2025-6794", "critical", "remove"],
    ]
    assert "remove num2words==0.5.15: malicious (MAL-2025-6794)" in text
    assert "FAILED: 2 findings" in text


def test_markdown() -> None:
    text = _text("markdown")
    assert text.startswith(
        "### pyward: 2 malicious packages in 3 packages; no known vulnerabilities (2 critical)"
    )
    row = next(line for line in text.splitlines() if line.startswith("| num2words "))
    assert row.split(" | ")[2:5] == [
        # The advisory link: an ADVISORY reference that names one of the group's ids.
        "[MAL-2025-6794](https://advisories.example.invalid/PYSEC-2025-72)<br>PYSEC-2025-72, "
        "GHSA-jxr6-qrxx-2ph2, malicious:num2words@0.5.15, malicious:num2words",
        "**critical**",
        "**remove**",
    ]
    assert "- remove num2words==0.5.15: malicious (MAL-2025-6794)" in text


def test_sarif() -> None:
    data = json.loads(_text("sarif"))
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(data)
    run = data["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "MAL-2025-6794")
    assert ADVICE in rule["help"]["text"]
    assert rule["helpUri"] == "https://advisories.example.invalid/PYSEC-2025-72"
    assert rule["properties"]["tags"] == ["security", "malicious", "dependency", "critical"]
    assert rule["properties"]["security-severity"] == "9.0"
    result = next(r for r in run["results"] if r["ruleId"] == "MAL-2025-6794")
    assert result["level"] == "error"
    assert result["properties"]["fails"] is True
    assert result["message"]["text"].startswith(
        "num2words==0.5.15: MAL-2025-6794 (PYSEC-2025-72, GHSA-jxr6-qrxx-2ph2, "
        "malicious:num2words@0.5.15, malicious:num2words): Malicious code in num2words "
        f"(PyPI) {ADVICE} (malicious release (OSV MAL record); reported by "
        "google-open-source-security)."
    )


def test_cyclonedx_vex() -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = _text("cyclonedx-vex")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    data: dict[str, Any] = json.loads(text)
    vulns = {v["id"]: v for v in data["vulnerabilities"]}
    assert sorted(vulns) == ["MAL-2025-6794", "MAL-2026-15859"]
    v = vulns["MAL-2025-6794"]
    assert v["cwes"] == [506]
    assert v["recommendation"] == ADVICE
    assert v["ratings"] == [
        {
            "severity": "critical",
            "source": {
                "name": "OpenSSF Malicious Packages",
                "url": "https://osv.dev/vulnerability/MAL-2025-6794",
            },
        }
    ]
    # Advisory ids only: the ignore ids (``malicious:NAME``) are not other databases' ids.
    assert sorted(r["id"] for r in v["references"]) == ["GHSA-jxr6-qrxx-2ph2", "PYSEC-2025-72"]
    assert v["affects"] == [
        {
            "ref": "pkg:pypi/num2words@0.5.15",
            "versions": [{"status": "affected", "version": "0.5.15"}],
        }
    ]
    assert (v["published"], v["updated"]) == (
        "2025-07-29T00:00:00+00:00",
        "2025-08-06T01:01:03+00:00",
    )
    properties = data["metadata"].get("properties", [])
    assert not [p for p in properties if p["name"].startswith("pyward:finding:")]


def test_json() -> None:
    data = json.loads(_text("json"))
    schema = json.loads((ROOT / "docs" / "schemas" / "audit-report-4.2.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert [(f["id"], f["fails"], f["detail"]["origins"]) for f in data["findings"]] == [
        ("MAL-2026-15859", True, ["kam193", "amazon-inspector"]),
        ("MAL-2025-6794", True, ["google-open-source-security"]),
    ]
    assert data["summary"]["failed"] is True
