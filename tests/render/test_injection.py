"""Hostile text in a report reaches no output raw (issue 12, items 8-10).

Escape sequences in names, ids, summaries, file names and messages; file names that
are not valid UTF-8 (lone surrogates, PEP 383); crafted reference URLs. Every
registered renderer gets the same hostile report.
"""

from __future__ import annotations

import dataclasses
import json
import re
from xml.dom.minidom import parseString

import pytest

from pyward._findings import Reference
from pyward._model import Location
from pyward._render import RENDERERS, render
from pyward._report import AuditReport
from tests.render._reports import NOW, httpbin, status
from tests.render.test_render import _validate

#: A title change, a screen clear, a bell, a C1 CSI, a bidirectional override.
ESC = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"
#: A byte that is not UTF-8, as Python decodes a file name (PEP 383).
NOT_UTF8 = "\udcff"
#: A crafted "advisory" URL: closes the link, ends the table cell, adds a heading and HTML.
BAD_URL = "https://evil.invalid/x)|\n# Injected <img src=x onerror=alert(1)>"
#: A URL without whitespace that still breaks Markdown and SARIF unless encoded.
ODD_URL = "https://evil.invalid/GHSA-x)|<b>](javascript:alert(1))"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e]")


def hostile() -> AuditReport:
    """httpbin's report with hostile text in its first finding (werkzeug's), its
    component, its warnings, errors and data source."""
    report = httpbin()
    first = report.findings[0]
    old = first.component
    assert old is not None
    assert old.name == "werkzeug"
    component = dataclasses.replace(
        old,
        name=f"werkzeug{ESC}",
        location=Location(file=f"dir{NOT_UTF8}{ESC}/Pipfile.lock", line=3),
    )
    finding = dataclasses.replace(
        first,
        id=f"GHSA-x{ESC}",
        aliases=(f"CVE-{ESC}{NOT_UTF8}",),
        summary=f"summary {ESC} {NOT_UTF8} end",
        references=(
            Reference(type="ADVISORY", url=BAD_URL),
            Reference(type="ADVISORY", url=ODD_URL),
        ),
    )
    findings = tuple(
        dataclasses.replace(f, component=component) if f.component is old else f
        for f in (finding, *report.findings[1:])
    )
    return dataclasses.replace(
        report,
        components=tuple(component if c is old else c for c in report.components),
        findings=findings,
        warnings=(f"warning {ESC}{NOT_UTF8}",),
        errors=(f"error {ESC}{NOT_UTF8}",),
        database=dataclasses.replace(report.database, source=f"mirror{ESC}"),
    )


#: How each human format shows ``"werkzeug" + ESC``.
SHOWN = {
    "table": "werkzeug\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202e",
    "markdown": "werkzeug\\\\x1b\\]0;owned\\\\x07\\\\x1b\\[2J\\\\x9b31m\\\\u202e",
}


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_human_formats_show_control_characters_escaped(fmt: str, color: bool) -> None:
    text = render(hostile(), fmt, color=color, now=NOW, width=200)
    if color:
        # rich's own colour codes are CSI SGR sequences; nothing else may appear.
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert RAW_CONTROL.findall(text) == []
    text.encode()  # no lone surrogate
    assert SHOWN[fmt] in text
    assert ("dir\\udcff" if fmt == "table" else "warning \\\\x1b") in text


def test_markdown_link_is_validated_and_encoded() -> None:
    text = render(hostile(), "markdown", color=False, now=NOW, width=200)
    # BAD_URL (whitespace) is refused; ODD_URL is the advisory, percent-encoded.
    assert "evil.invalid/x)" not in text
    assert "\n# Injected" not in text
    assert "<img" not in text
    (row,) = [line for line in text.splitlines() if "GHSA-x" in line]
    assert "(https://evil.invalid/GHSA-x%29%7C%3Cb%3E%5D%28javascript:alert%281%29%29)" in row
    # The row still has the table's seven cells.
    assert len(re.findall(r"(?<!\\)\|", row)) == 8


def test_json_keeps_control_characters_exact() -> None:
    text = render(hostile(), "json", color=False, now=NOW)
    # Escaped in the JSON text, so that printing the document is safe too.
    assert RAW_CONTROL.findall(text) == []
    doc = json.loads(text)
    finding = doc["findings"][0]
    assert finding["id"] == f"GHSA-x{ESC}"
    assert finding["aliases"] == [f"CVE-{ESC}\\udcff"]
    assert finding["summary"] == f"summary {ESC} \\udcff end"
    assert (
        finding["url"] == "https://evil.invalid/GHSA-x%29%7C%3Cb%3E%5D%28javascript:alert%281%29%29"
    )
    # The references as the record has them: JSON is exact.
    assert finding["references"] == [
        {"type": "ADVISORY", "url": BAD_URL},
        {"type": "ADVISORY", "url": ODD_URL},
    ]
    assert doc["warnings"] == [f"warning {ESC}\\udcff"]


def test_sarif_help_uri_is_a_valid_uri_and_help_markdown_is_escaped() -> None:
    doc = json.loads(render(hostile(), "sarif", color=False, now=NOW))
    rule = doc["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == (
        "https://evil.invalid/GHSA-x%29%7C%3Cb%3E%5D%28javascript:alert%281%29%29"
    )
    assert rule["help"]["markdown"].startswith(
        "**`GHSA-x\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202e`, `CVE-\\x1b]0;owned\\x07"
    )
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in doc["runs"][0]["results"]
        for loc in result["locations"]
    }
    assert "dir%FF%1B%5D0%3Bowned%07%1B%5B2J%C2%9B31m%E2%80%AE/Pipfile.lock" in uris


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_every_renderer_writes_any_name(fmt: str) -> None:
    text = render(hostile(), fmt, color=False, now=NOW, width=120)
    text.encode()
    if RENDERERS[fmt].media_type.endswith("json"):
        json.loads(text)


def test_cyclonedx_xml_sbom_of_a_hostile_name() -> None:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component

    from pyward._sbom._cyclonedx import _output

    bom = Bom()
    bom.components.add(Component(name=f"x{ESC}{NOT_UTF8}", version="1"))
    text = _output(bom, xml=True)
    parseString(text.encode())  # noqa: S318 - our own output
    # XML 1.0 cannot hold ESC or BEL: visible escapes; C1 and bidirectional controls
    # are character references (the value exact, no raw control in the text).
    assert "<name>x\\x1b]0;owned\\x07\\x1b[2J&#x9b;31m&#x202e;\\udcff</name>" in text


#: A reason as an index may write it: controls, a lone surrogate, a cell break, HTML,
#: a link and a heading on a new line.
HOSTILE_REASON = f"bad {ESC}{NOT_UTF8} | <img src=x onerror=alert(1)> [l](javascript:x)\n# head"


def hostile_status() -> AuditReport:
    """The status report with hostile text in a yanked release's reason, an archived
    project's reason (both in the detail and the check's summary) and a data source."""
    from pyward._findings import ProjectStatusDetail, YankedDetail

    report = status()
    findings = []
    for f in report.findings:
        if isinstance(f.detail, YankedDetail | ProjectStatusDetail):
            word = "yanked" if isinstance(f.detail, YankedDetail) else "archived"
            findings.append(
                dataclasses.replace(
                    f,
                    detail=dataclasses.replace(f.detail, reason=HOSTILE_REASON),
                    summary=f"{word}: {HOSTILE_REASON}",
                )
            )
        else:
            findings.append(f)
    first, *rest = report.sources
    return dataclasses.replace(
        report,
        findings=tuple(findings),
        sources=(dataclasses.replace(first, origin=f"https://index.invalid/{ESC}/"), *rest),
    )


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_status_reasons_reach_human_formats_escaped(fmt: str, color: bool) -> None:
    text = render(hostile_status(), fmt, color=color, now=NOW, width=200)
    if color:
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert RAW_CONTROL.findall(text) == []
    text.encode()
    assert "\n# head" not in text
    if fmt == "table":
        assert "yanked: bad \\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202e\\udcff | <img" in text
        assert "Index metadata: https://index.invalid/\\x1b]0;owned" in text
        return
    assert "<img" not in text
    assert not re.search(r"(?<!\\)\]\(javascript", text)
    rows = [line for line in text.splitlines() if "yanked:regex@" in line or "transifex" in line]
    assert len(rows) == 2
    for row in rows:
        # Every bar of the reason is escaped: the rows keep their cells (7 and 5).
        assert len(re.findall(r"(?<!\\)\|", row)) in (6, 8)
        assert "\\| &lt;img src=x onerror=alert(1)&gt; \\[l\\](javascript:x) # head" in row


def test_status_reasons_stay_exact_in_json() -> None:
    text = render(hostile_status(), "json", color=False, now=NOW)
    assert RAW_CONTROL.findall(text) == []
    doc = json.loads(text)
    exact = HOSTILE_REASON.replace(NOT_UTF8, "\\udcff")
    details = {f["kind"]: f["detail"] for f in doc["findings"] if f["kind"] != "vulnerability"}
    assert details["yanked"]["reason"] == exact
    assert details["project-status"]["reason"] == exact
    assert doc["sources"][0]["origin"] == f"https://index.invalid/{ESC}/"


@pytest.mark.parametrize("fmt", ["sarif", "cyclonedx-vex"])
def test_status_reasons_give_valid_documents(fmt: str) -> None:
    text = render(hostile_status(), fmt, color=False, now=NOW)
    assert RAW_CONTROL.findall(text) == []
    doc = json.loads(text)
    _validate(fmt, doc)
    if fmt == "sarif":
        (result,) = [
            r for r in doc["runs"][0]["results"] if r["properties"]["id"].startswith("yanked:")
        ]
        assert result["properties"]["detail"]["reason"] == HOSTILE_REASON.replace(
            NOT_UTF8, "\\udcff"
        )
    else:
        (regex,) = [c for c in doc["components"] if c["name"] == "regex"]
        assert regex["properties"][0]["value"].startswith(
            f"yanked:regex@2020.11.13 (high, fails the run): yanked: bad {ESC}\\udcff | <img"
        )
