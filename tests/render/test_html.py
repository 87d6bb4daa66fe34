"""``--format html``: what the page says about the real reports, element by element
(parsed with :mod:`html.parser`), that hostile text and URLs stay inert, and that
``pyward audit`` and ``pyward check`` write it."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pyward._findings import CheckId, Reference
from pyward._model import ComponentKey, Location
from pyward._render import render
from pyward._render._common import (
    advisory_link,
    fix_step_text,
    headline,
    policy_text,
    result_text,
    suppression_text,
)
from pyward._render._html_page import CSP
from pyward._render._options import RenderOptions
from pyward._report import AuditReport, PolicySummary, SkippedCheck
from tests.conftest import CORPUS, run_cli, store_of
from tests.render._reports import NOW, empty, litestar, provenance, saleor, status
from tests.render.test_injection import ESC, NOT_UTF8, RAW_CONTROL, hostile

VOID = {"meta", "br", "wbr", "input", "img", "link", "hr", "source"}
#: Elements a reader sees apart from the text around them.
BLOCK = {"br", "p", "li", "summary", "div", "td", "th", "tr"}


@dataclass
class Node:
    """An element of the parsed page."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text content, whitespace collapsed (as a reader sees it)."""
        return " ".join("".join(_texts(self)).split())

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(
                    child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()
                ):
                    found.append(child)
                found.extend(child.find_all(tag, **attrs))
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        (found,) = self.find_all(tag, **attrs)
        return found


def _texts(node: Node) -> list[str]:
    out: list[str] = []
    for child in node.children:
        out.extend([child] if isinstance(child, str) else _texts(child))
    return out


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node(tag="#root", attrs={})
        self.stack = [self.root]
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag=tag, attrs={k: v or "" for k, v in attrs})
        self.tags.append((tag, node.attrs))
        self.stack[-1].children.append(node)
        if tag == "br":
            self.stack[-1].children.append(" ")
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, (self.stack[-1].tag, tag)
        self.stack.pop()
        if tag in BLOCK:
            self.stack[-1].children.append(" ")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> tuple[Node, list[tuple[str, dict[str, str]]]]:
    """The page's tree (every element closed where it opened) and every start tag."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    assert builder.stack == [builder.root], "an element is not closed"
    return builder.root, builder.tags


def _html(report: AuditReport) -> str:
    return render(report, "html", color=False, now=NOW)


def _rows(root: Node, table: str) -> list[Node]:
    return root.one("table", id=table).one("tbody").find_all("tr")


# --- what the page says --------------------------------------------------------------


def test_title_verdict_gate_and_cards() -> None:
    report = saleor()
    root, _ = parse(_html(report))
    assert root.one("title").text == f"pyward audit of {report.inventories[0].source} (poetry.lock)"
    assert root.one("h1").text == "pyward audit"
    verdict = root.one("p", id="verdict")
    assert verdict.attrs["class"] == "verdict-fail"
    assert verdict.text == result_text(report)
    assert root.one("p", id="headline").text == headline(report)
    assert root.one("p", id="gate").text == (
        "Fails on findings at or above high; unknown severity: fail; kinds that fail the run: "
        "every kind but outdated, project-status:archived, project-status:deprecated, "
        "unmaintained"
    )
    assert root.find_all("p", id="policy") == []
    cards = {
        d.attrs["data-card"]: d.one("b").text
        for d in root.find_all("div")
        if "data-card" in d.attrs
    }
    assert cards == {
        "packages": "10",
        "findings": "9",
        "fail the run": "8",
        "critical": "0",
        "high": "3",
        "medium": "1",
        "low": "0",
        "unknown": "5",
        "suppressed": "2",
        "not audited": "0",
    }


def test_findings_table_rows_cells_and_sort_keys() -> None:
    report = saleor()
    root, _ = parse(_html(report))
    heads = [th.text for th in root.one("table", id="findings").one("thead").find_all("th")]
    assert heads == [
        "Package",
        "ID",
        "Severity",
        "Kind",
        "Summary",
        "Fixed in / fix target",
        "Path / location",
        "Run",
    ]
    rows = _rows(root, "findings")
    # The order every format lists them in: exposed first, then worst first.
    assert [r.attrs["data-id"] for r in rows] == [f.id for f in report.findings]
    first = rows[0]
    assert (first.attrs["data-kind"], first.attrs["data-severity"], first.attrs["data-run"]) == (
        "vulnerability",
        "high",
        "fails",
    )
    cells = first.find_all("td")
    assert [c.text for c in cells[:4]] == [
        "urllib3 1.26.2 exposed: network client",
        "PYSEC-2023-192 CVE-2023-43804 GHSA-v845-jxx5-vc9f",
        "high 8.1",
        "vulnerability",
    ]
    assert cells[4].text.startswith("urllib3 doesn't treat the `Cookie` HTTP header special")
    assert cells[5].text == "1.26.17, 2.0.6 plan: 1.26.18"
    # One input: its location is the line alone (the header names the file).
    assert cells[6].text == "requests==2.25.0 > urllib3==1.26.2 line 2333"
    assert cells[7].text == "fails the run"
    link = cells[1].one("a")
    assert link.attrs["href"] == advisory_link(
        report.findings[0], RenderOptions.resolve(color=False)
    )
    assert link.attrs["rel"] == "noopener noreferrer"
    # Below the threshold: a medium finding passes; no fix yet reads so.
    by_id = {r.attrs["data-id"]: r for r in rows}
    assert by_id["PYSEC-2023-212"].attrs["data-run"] == "passes"
    assert by_id["PYSEC-2023-212"].find_all("td")[7].text == "passes (below the threshold)"
    assert by_id["PYSEC-2022-42969"].find_all("td")[5].text == "no fix yet"
    assert by_id["PYSEC-2021-66"].find_all("td")[0].text == "jinja2 2.11.2 direct"
    # Severity sorts by rank then score (worst highest), never by its spelling.
    keys = {r.attrs["data-id"]: r.find_all("td")[2].attrs["data-sort"] for r in rows}
    assert keys["PYSEC-2023-192"] == "4081"  # high 8.1
    assert keys["PYSEC-2024-60"] == "4075"  # high 7.5
    assert keys["PYSEC-2023-212"] == "3042"  # medium 4.2
    assert keys["PYSEC-2021-108"] == "1000"  # unknown
    # The package column sorts by name, then version.
    assert rows[0].find_all("td")[0].attrs["data-sort"] == "urllib3 1.26.2"
    # Filters offer the values the rows carry.
    options = {
        s.attrs["data-filter"]: [o.attrs["value"] for o in s.find_all("option")]
        for s in root.find_all("select", data_table="findings")
    }
    assert options == {
        "kind": ["", "vulnerability"],
        "severity": ["", "high", "medium", "unknown"],
        "run": ["", "fails", "passes"],
    }


def test_long_descriptions_are_folded_and_cut() -> None:
    report = saleor()
    long = "First paragraph.\n\n" + "word " * 600
    first = dataclasses.replace(report.findings[0], details=long)
    root, _ = parse(_html(dataclasses.replace(report, findings=(first, *report.findings[1:]))))
    (folded,) = _rows(root, "findings")[0].find_all("details")
    assert folded.one("summary").text == "details"
    paragraphs = [p.text for p in folded.find_all("p")]
    assert paragraphs[0] == "First paragraph."
    assert paragraphs[1].endswith("word...")
    assert len(paragraphs[1]) < 1500


def test_a_long_dependency_path_is_folded_under_its_length() -> None:
    report = saleor()
    first = report.findings[0]
    path = tuple(
        ComponentKey(k)
        for k in (
            "django==3.1.4",
            "celery==5.0",
            "kombu==5.0",
            "requests==2.25.0",
            "urllib3==1.26.2",
        )
    )
    long = dataclasses.replace(first, path=path)
    root, _ = parse(_html(dataclasses.replace(report, findings=(long, *report.findings[1:]))))
    where = _rows(root, "findings")[0].find_all("td")[6]
    folded = where.one("details")
    assert folded.one("summary").text == "via 4 packages"
    assert folded.text == "via 4 packages " + " > ".join(path)
    # A short one is not folded.
    assert _rows(root, "findings")[1].find_all("td")[6].find_all("details") == []


def test_fix_plan_suppressed_warnings_and_sources() -> None:
    report = saleor()
    root, _ = parse(_html(report))
    steps = root.one("ol", id="fix-steps").find_all("li")
    assert [s.text for s in steps] == [fix_step_text(s) for s in report.fix_plan]
    suppressed = _rows(root, "suppressions")
    assert [[td.text for td in r.find_all("td")] for r in suppressed] == [
        [s.finding.id, f"{s.finding.component.name}=={s.finding.component.version}", s.kind,
         suppression_text(s)]
        for s in report.suppressed
        if s.finding.component is not None
    ]  # fmt: skip
    warnings = root.one("section", id="warnings")
    assert warnings.one("h2").text == "Warnings (1)"
    assert [li.text for li in warnings.find_all("li")] == list(report.warnings)
    assert root.find_all("section", id="errors") == []
    (advisory,) = _rows(root, "data-sources")
    assert [td.text for td in advisory.find_all("td")] == [
        "advisory data",
        "tests/data/pypa-advisory-database/vulns",
        "2661 records",
        "2024-10-11T06:30:00Z (newest record 2024-10-10T17:22:00.587279Z)",
        "21 days old",
        "current",
    ]
    assert root.one("footer").text == (
        "10 packages audited by pyward 0.1.0: 9 known vulnerabilities. "
        "Generated 2024-11-01T12:00:00Z."
    )


def test_status_sources_informing_findings_and_stale_data() -> None:
    report = status()
    root, _ = parse(_html(report))
    rows = {r.attrs["data-id"]: r for r in _rows(root, "findings")}
    assert len(rows) == len(report.findings)
    outdated = rows["outdated:requests@2.25.0"]
    assert outdated.attrs["data-run"] == "informs"
    # An informing finding says what the other formats' informational section says.
    assert "latest 2.32.3: 13 releases, 0 major versions behind" in outdated.text
    sources = [[td.text for td in r.find_all("td")] for r in _rows(root, "data-sources")]
    assert sources[1] == [
        "index metadata",
        "https://index.invalid/simple/",
        "-",
        "2024-10-30T09:15:00Z",
        "2 days old",
        "stale",
    ]
    assert _rows(root, "data-sources")[1].attrs["data-state"] == "stale"
    assert sources[2][0] == "lifecycle data"
    assert sources[2][-1] == "current"


def test_not_audited_skipped_checks_and_errors() -> None:
    report = dataclasses.replace(
        litestar(),
        skipped=(
            SkippedCheck(check=CheckId("yanked"), reason="offline: no package index metadata"),
        ),
        errors=("extra.txt: line 3: not a requirement",),
    )
    root, _ = parse(_html(report))
    rows = [[td.text for td in r.find_all("td")] for r in _rows(root, "unaudited")]
    assert len(rows) == len(report.not_audited) > 0
    for row, n in zip(rows, report.not_audited, strict=True):
        assert row[:2] == [n.requirement, n.reason]
    skipped = root.one("ul", id="skipped-checks")
    assert [li.text for li in skipped.find_all("li")] == [
        f"{s.check}: {s.reason}" for s in report.skipped
    ]
    assert [li.text for li in root.one("section", id="errors").find_all("li")] == [
        "extra.txt: line 3: not a requirement"
    ]


def test_a_policy_check_names_its_policy() -> None:
    report = dataclasses.replace(
        status(),
        policy=PolicySummary(
            origins=("pyproject.toml: tool.pyward.policy",),
            rules=("vulnerabilities", "yanked"),
            settings={"vulnerabilities": {"severity": "high"}},
        ),
        kind_fail_on={"vulnerability": "high"},
    )
    root, _ = parse(_html(report))
    assert root.one("h1").text == "pyward check"
    assert root.one("p", id="policy").text == policy_text(report)
    assert root.one("p", id="gate").text.startswith(
        "Fails on every policy violation; vulnerability: at or above high; unknown severity: fail"
    )
    assert root.one("footer").text.startswith("6 packages checked by pyward")


def test_provenance_section() -> None:
    report = provenance()
    assert report.provenance is not None
    root, _ = parse(_html(report))
    section = root.one("section", id="provenance")
    assert section.one("p", id="coverage").text == (
        "3 of 7 packages attested (4 of 8 artifacts); not attested: direct deps "
        "pypi-attestation-models==0.0.4a2."
    )
    rows = _rows(root, "provenance-packages")
    assert len(rows) == len(report.provenance.packages)
    assert [r.attrs["data-status"] for r in rows][:2] == ["publisher changed", "failed"]
    assert rows[0].find_all("td")[2].attrs["data-sort"] == "0"


def test_an_empty_report_reads_well() -> None:
    root, _ = parse(_html(empty()))
    assert root.one("p", id="verdict").attrs["class"] == "verdict-pass"
    assert root.one("p", id="verdict").text == "Passed: no finding of any severity"
    assert root.one("p", id="no-findings").text == "No known vulnerabilities found in 0 packages."
    assert root.find_all("table", id="findings") == []
    for absent in ("fix-plan", "not-audited", "suppressed", "skipped", "warnings", "errors"):
        assert root.find_all("section", id=absent) == []


def test_output_is_reproducible_with_a_fixed_clock() -> None:
    report = saleor()
    first = render(report, "html", color=False, now=NOW)
    assert first == render(report, "html", color=False, now=NOW)
    later = render(report, "html", color=False, now=NOW + timedelta(days=2))
    changed = [
        (a, b) for a, b in zip(first.splitlines(), later.splitlines(), strict=True) if a != b
    ]
    # Only the data's age and the generation time move with the clock.
    assert len(changed) == 2
    assert "21 days old" in changed[0][0]
    assert "23 days old" in changed[0][1]
    assert "Generated 2024-11-03T12:00:00Z" in changed[1][1]


# --- hostile input -------------------------------------------------------------------


HOSTILE_NAME = '<script>alert("name")</script><img src=x onerror=alert(1)>'


def _hostile() -> AuditReport:
    """The injection tests' report, plus a package named like a script, a finding whose
    only references are ``javascript:``/``data:`` URLs, and a hostile path and
    suppression reason."""
    report = hostile()
    second = report.findings[1]
    assert second.component is not None
    component = dataclasses.replace(second.component, name=HOSTILE_NAME)
    second = dataclasses.replace(
        second,
        component=component,
        summary=f"</td></tr></table>{HOSTILE_NAME}",
        details=f"</details><script>x()</script>\n\n{ESC}",
        references=(
            Reference(type="ADVISORY", url="javascript:alert(document.domain)"),
            Reference(type="WEB", url="data:text/html,<script>alert(1)</script>"),
        ),
        path=(ComponentKey(f"{HOSTILE_NAME}==1"), ComponentKey(f"{HOSTILE_NAME}==2")),
        location=Location(file=f'"><script>y()</script>{ESC}', line=1),
    )
    return dataclasses.replace(report, findings=(report.findings[0], second, *report.findings[2:]))


def test_every_text_is_escaped_and_nothing_runs() -> None:
    text = _html(_hostile())
    root, tags = parse(text)  # well formed: every element closed where it opened
    assert RAW_CONTROL.findall(text) == []
    text.encode()  # no lone surrogate
    # The page's own script is the only one; no image, frame, object or style link.
    assert [t for t, _ in tags if t in {"script", "img", "iframe", "object", "embed", "link"}] == [
        "script"
    ]
    assert root.one("script").text.startswith('"use strict";')
    # The hostile name is text in its cell, the path and the title of nothing else.
    rows = _rows(root, "findings")
    (row,) = [r for r in rows if HOSTILE_NAME in r.find_all("td")[0].text]
    assert row.find_all("td")[0].text.startswith(HOSTILE_NAME)
    assert row.find_all("td")[4].text.startswith(f"</td></tr></table>{HOSTILE_NAME}")
    assert f"{HOSTILE_NAME}==1 > {HOSTILE_NAME}==2" in row.find_all("td")[6].text
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in text


def test_control_characters_and_bidi_show_as_escapes() -> None:
    root, _ = parse(_html(_hostile()))
    shown = "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202e"
    rows = _rows(root, "findings")
    assert rows[0].find_all("td")[0].text.startswith(f"werkzeug{shown}")
    assert rows[0].attrs["data-id"] == f"GHSA-x{shown}"
    assert f"CVE-{shown}\\udcff" in rows[0].find_all("td")[1].text
    assert f"summary {shown} \\udcff end" in rows[0].find_all("td")[4].text
    assert root.one("section", id="warnings").text == f"Warnings (1) warning {shown}\\udcff"
    assert f"mirror{shown}" in root.one("table", id="data-sources").text
    assert NOT_UTF8 not in root.text


def test_only_safe_links_and_no_resource_or_handler() -> None:
    report = _hostile()
    text = _html(report)
    _, tags = parse(text)
    hrefs = []
    for tag, attrs in tags:
        # No inline event handler, no style attribute, no resource of any element.
        assert not [a for a in attrs if a.startswith("on") or a == "style"], (tag, attrs)
        assert "src" not in attrs, tag
        if "href" in attrs:
            assert tag == "a", tag
            hrefs.append(attrs["href"])
    assert hrefs
    assert all(re.match(r"https?://[^\s\"'<>]+$", h) for h in hrefs), hrefs
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    assert not any("document.domain" in h for h in hrefs)
    # The finding whose references are all unsafe links to the configured advisory page.
    second = report.findings[1]
    assert f"https://osv.dev/vulnerability/{second.id}" in hrefs
    # The crafted URL with whitespace is not linked; the odd one is, percent-encoded.
    assert not any("Injected" in h for h in hrefs)
    assert "https://evil.invalid/GHSA-x%29%7C%3Cb%3E%5D%28javascript:alert%281%29%29" in hrefs
    # The policy: the page's own style and script, nothing else.
    (meta,) = [a for t, a in tags if t == "meta" and a.get("http-equiv")]
    assert meta == {"http-equiv": "Content-Security-Policy", "content": CSP}
    assert CSP.startswith("default-src 'none'; ")
    assert "unsafe-inline" not in CSP


# --- the command line ----------------------------------------------------------------


LOCK = CORPUS / "requirements" / "readthedocs-2019" / "testing.txt"
#: The packages the lock's findings are about.
LOCK_PACKAGES = (
    "django", "requests", "pyyaml", "gitpython", "pip", "pygments", "orjson", "urllib3",
)  # fmt: skip


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the real records of the packages the lock's findings are about."""
    return store_of(tmp_path_factory, LOCK_PACKAGES)


def test_audit_writes_an_html_file(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    code, stdout, _ = run_cli(
        capsys, "audit", str(LOCK), "--format", "html", "-o", str(out), "-q",
        "--cache-dir", str(cache),
    )  # fmt: skip
    assert (code, stdout) == (1, "")
    root, _ = parse(out.read_text(encoding="utf-8"))
    assert root.one("p", id="verdict").text.startswith("FAILED: ")
    rows = _rows(root, "findings")
    assert len(rows) > 10
    assert {r.attrs["data-kind"] for r in rows} == {"vulnerability", "eol"}
    assert root.one("ol", id="fix-steps").find_all("li")
    assert len(_rows(root, "unaudited")) == 4
    assert all(td.text == "VCS requirement" for r in _rows(root, "unaudited") for td in
               r.find_all("td")[1:2])  # fmt: skip


def test_the_configured_format_may_be_html(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.22.0\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.pyward]\nformat = "html"\n', encoding="utf-8"
    )
    code, out, _ = run_cli(capsys, "audit", str(tmp_path), "-q", "--cache-dir", str(cache))
    assert code == 1
    root, _ = parse(out)
    assert [r.attrs["data-id"] for r in _rows(root, "findings")] == ["PYSEC-2023-74"]
