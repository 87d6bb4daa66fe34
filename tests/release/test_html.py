"""``pyward release-check --format html``: the structure of the page, its escaping of
what the checked repository writes, and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyward._cli import main
from pyward._release._html import GRADE_CLASS
from pyward._release._model import CATEGORIES, Repo
from pyward._release._render import docs_url, render
from pyward._release._report import ReleaseReport, check_release
from tests._html import parse
from tests.release._repos import fixture
from tests.release.test_outputs import _report

HOSTILE = "<script>alert(1)</script>"


def hostile_repository(root: Path) -> Path:
    """A checkout whose workflow file name, job name and command hold HTML, a C1
    control and a bidi override (YAML escapes: YAML refuses them raw)."""
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "<script>alert(2).yml").write_text(
        "jobs:\n"
        f'  "{HOSTILE}\\x9b\\u202e":\n'
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    return root


def test_the_page_of_the_bad_repository() -> None:
    report = _report("ignored")
    text = render(report, "html")
    page = parse(text)
    assert page.scripts == 1
    ids = re.findall(r' id="([^"]*)"', text)
    assert len(ids) == len(set(ids))  # a filter finds its table by id
    # One card per category, in report order, coloured by grade.
    cards = re.findall(
        r'<div class="card" data-category="([a-z]+)"><span class="muted">[a-z]+</span>'
        r'<b class="sev-([a-z]+)" title="grade ([A-F]|n/a)">',
        text,
    )
    assert [c for c, _, _ in cards] == list(CATEGORIES)
    assert [(c, g) for c, g, _ in cards] == [
        (g.category, GRADE_CLASS[g.grade]) for g in report.summary.grades
    ]
    rows = page.tables["findings"]
    assert len(rows) == len(report.findings)
    failing = {id(f) for f in report.failing}
    for (data, cells), f in zip(rows, report.findings, strict=True):
        assert data == {
            "category": report.category(f),
            "severity": f.rating.level,
            "fails": str(id(f) in failing).lower(),
        }
        assert cells[1] == f.id
        assert cells[3] == (
            f"{f.location.file}:{f.location.line}"
            if f.location is not None and f.location.line
            else (f.location.file if f.location is not None else "(repository)")
        )
        assert cells[4].startswith(" ".join(f.summary.split()))
    # Each rule links to its section of the docs; the rationale and fix are folded.
    assert set(page.hrefs) == {docs_url(f.id) for f in (*report.findings,)} | {
        docs_url(s.finding.id) for s in report.suppressed
    }
    assert text.count("<summary>why, and how to fix</summary>") == len(report.findings)
    assert "<strong>Fix:</strong>" in text
    # The rules' code spans are code (pyward's own text, escaped first).
    assert "<code>environment: release</code>" in text
    folded = re.findall(r"<summary>why, and how to fix</summary>(.*?)</details>", text, re.S)
    assert len(folded) == len(report.findings)
    assert [block for block in folded if "`" in block] == []
    # A fenced snippet keeps its lines.
    assert (
        "<pre><code>publish:\n  environment: release\n  permissions:\n    id-token: write\n" in text
    )
    assert [cells[4] for _, cells in page.tables["ignored"]] == ["a library", "later"]
    assert '<section id="not-applicable"><h2>Not applicable</h2>' in text
    assert "<strong>artifacts</strong>: no --dist DIR given: built artifacts not checked" in text
    assert '<span class="verdict-fail">FAILED: ' in text


def test_files_not_checked_and_a_passing_run() -> None:
    text = render(_report("broken"), "html")
    assert '<section id="not-checked"><h2>Not checked</h2>' in text
    assert "incomplete)</span></li>" in text
    good = render(_report("good"), "html")
    assert '<span class="verdict-pass">PASSED: no finding at or above medium</span>' in good
    assert "fails on medium and above" in good
    anything = check_release(Repo(root=fixture("good")), fail_on=None)
    assert "any finding fails" in render(anything, "html")


def test_every_text_of_the_repository_is_escaped(tmp_path: Path) -> None:
    report: ReleaseReport = check_release(Repo(root=hostile_repository(tmp_path / "repo")))
    text = render(report, "html")
    assert text == render(report, "html")  # the same bytes every time
    assert parse(text).scripts == 1
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x9b\\u202e" in text
    assert "&lt;script&gt;alert(2).yml" in text
    assert re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text) == []
    assert all(h.startswith("https://") for h in parse(text).hrefs)


def test_cli_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = hostile_repository(tmp_path / "repo")
    out = tmp_path / "release.html"
    assert main(["release-check", str(root), "-f", "html", "-o", str(out), "-q"]) == 1
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>\n")
    assert len(parse(text).tables["findings"]) >= 2
    assert capsys.readouterr().out == ""
