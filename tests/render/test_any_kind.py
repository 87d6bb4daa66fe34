"""Every renderer renders findings of every kind, not only vulnerabilities: a finding
about a component of another kind (``status``), and one about a file of a repository
(``release``, no component). The output is valid in each format and says what each
finding is, where and how severe."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pyward._findings import CheckId, Finding, FindingKind, Rating, Reference, Suppressed
from pyward._model import Location
from pyward._render import RENDERERS, render
from pyward._report import AuditReport
from tests.render._reports import NOW, httpbin
from tests.render.test_render import _validate

YANKED = "yanked-release"
TOKEN = "publish-with-api-token"  # noqa: S105 - a rule id, not a password


def _report() -> AuditReport:
    base = httpbin()
    gunicorn = next(c for c in base.components if c.name == "gunicorn")
    status = Finding(
        kind=FindingKind("status"),
        check=CheckId("status"),
        id=YANKED,
        summary="gunicorn 19.9.0 was yanked: <b>broken</b> release",
        rating=Rating(level="medium", type="check"),
        confidence="high",
        component=gunicorn,
        path=(gunicorn.key,),
        references=(Reference(type="WEB", url="https://index.invalid/project/gunicorn/"),),
    )
    release = Finding(
        kind=FindingKind("release"),
        check=CheckId("publishing"),
        id=TOKEN,
        summary="the publish job uploads with a long-lived API token",
        details="Use Trusted Publishing.",
        rating=Rating(level="high", type="check"),
        confidence="medium",
        location=Location(file=".github/workflows/release.yml", line=42),
    )
    return dataclasses.replace(base, findings=(*base.findings, status, release))


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_every_renderer_renders_every_kind(fmt: str) -> None:
    text = render(_report(), fmt, color=False, now=NOW, width=120)
    if RENDERERS[fmt].media_type.endswith("json"):
        _validate(fmt, json.loads(text))
    assert YANKED in text
    assert TOKEN in text
    assert ".github/workflows/release.yml" in text


def test_json_says_the_kind_and_keeps_kind_specific_keys_apart() -> None:
    data = json.loads(render(_report(), "json", color=False, now=NOW))
    by_id = {f["id"]: f for f in data["findings"]}
    assert by_id[TOKEN] == {
        "kind": "release",
        "name": None,
        "version": None,
        "purl": None,
        "id": TOKEN,
        "aliases": [],
        "summary": "the publish job uploads with a long-lived API token",
        "details": "Use Trusted Publishing.",
        "severity": {"level": "high", "score": None, "vector": None, "type": "check", "scores": []},
        "fails": True,
        "check": "publishing",
        "confidence": "medium",
        "detail": None,
        "path": [],
        "exposed": False,
        "exposure": None,
        "location": {"file": ".github/workflows/release.yml", "line": 42},
        "url": "https://github.com/pyward/pyward/blob/main/docs/checks.md#publishing",
        "references": [],
    }
    assert by_id[YANKED]["url"] == "https://index.invalid/project/gunicorn/"
    assert by_id[YANKED]["name"] == "gunicorn"
    assert "fixed_in" not in by_id[YANKED]
    assert {f["kind"] for f in data["findings"]} == {"vulnerability", "status", "release"}


def test_table_and_markdown_count_other_kinds_apart() -> None:
    table = render(_report(), "table", color=False, now=NOW, width=120)
    assert "6 known vulnerabilities in 4 of 5 packages; 2 other findings" in table
    assert "(project)" in table
    markdown = render(_report(), "markdown", color=False, now=NOW)
    assert (
        "| gunicorn | 19.9.0 | [yanked-release](https://index.invalid/project/gunicorn/) | "
        "medium | - | gunicorn==19.9.0 | gunicorn 19.9.0 was yanked: &lt;b&gt;broken&lt;/b&gt; "
        "release |"
    ) in markdown.splitlines()


def test_sarif_locates_a_file_finding_at_its_line() -> None:
    data = json.loads(render(_report(), "sarif", color=False, now=NOW))
    (result,) = [r for r in data["runs"][0]["results"] if r["ruleId"] == TOKEN]
    location = result["locations"][0]
    assert location["physicalLocation"]["region"] == {"startLine": 42}
    assert location["physicalLocation"]["artifactLocation"]["uri"] == (
        ".github/workflows/release.yml"
    )
    assert location["logicalLocations"] == [
        {"name": ".github/workflows/release.yml:42", "kind": "resource"}
    ]


def test_cyclonedx_vex_keeps_other_kinds_as_properties() -> None:
    data = json.loads(render(_report(), "cyclonedx-vex", color=False, now=NOW))
    assert {v["id"] for v in data["vulnerabilities"]} == {f.id for f in httpbin().findings}
    props = {p["name"]: p["value"] for p in data["metadata"]["properties"]}
    assert props["pyward:finding:publishing"] == (
        f"{TOKEN} (high) .github/workflows/release.yml:42: "
        "the publish job uploads with a long-lived API token"
    )
    assert props["pyward:finding:status"].startswith(f"{YANKED} (medium) gunicorn==19.9.0: ")


def test_cyclonedx_vex_keeps_a_suppressed_finding_of_another_kind() -> None:
    report = _report()
    release = report.findings[-1]
    suppressed = Suppressed(
        finding=release,
        rule="ignore publish-with-api-token (command line)",
        reason="migrating",
        kind="ignore",
    )
    moved = dataclasses.replace(
        report, findings=report.findings[:-1], suppressed=(*report.suppressed, suppressed)
    )
    data = json.loads(render(moved, "cyclonedx-vex", color=False, now=NOW))
    props = {p["name"]: p["value"] for p in data["metadata"]["properties"]}
    assert "pyward:finding:publishing" not in props
    assert props["pyward:suppressed:publishing"] == (
        f"{TOKEN} .github/workflows/release.yml:42: "
        "ignore publish-with-api-token (command line): migrating"
    )
