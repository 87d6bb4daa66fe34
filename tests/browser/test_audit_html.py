"""``pyward audit --format html`` in a real Chromium: a real audit of a corpus
requirements file (findings, a fix plan, packages not audited) loads with no console
error and no request beyond its file, its findings table sorts and filters, hostile
names stay text, and it reads in dark mode and in print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyward._findings import LEVELS
from pyward._render import render
from tests.browser.conftest import Watched, watch
from tests.conftest import run_cli, store_of
from tests.render._reports import NOW
from tests.render.test_html import HOSTILE_NAME, LOCK, LOCK_PACKAGES, _hostile

PWNED = "document.title='pwned';window.pwned=1"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_of(tmp_path_factory, LOCK_PACKAGES)


@pytest.fixture
def report(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The page ``pyward audit LOCK --format html -o FILE`` writes."""
    out = tmp_path / "report.html"
    code, _, _ = run_cli(
        capsys, "audit", str(LOCK), "-f", "html", "-o", str(out), "-q", "--cache-dir", str(cache)
    )
    assert code == 1
    return out


def _visible(w: Watched, column: int, attr: str | None = None) -> list[str]:
    """The visible rows' cells of ``column`` (1-based): their text, or ``attr``."""
    cells = w.page.locator(f"#findings tbody tr:not([hidden]) td:nth-child({column})")
    if attr is None:
        return [t.strip() for t in cells.all_inner_texts()]
    return [cells.nth(i).get_attribute(attr) or "" for i in range(cells.count())]


def _row_attr(w: Watched, attr: str) -> list[str]:
    rows = w.page.locator("#findings tbody tr:not([hidden])")
    return [rows.nth(i).get_attribute(attr) or "" for i in range(rows.count())]


def test_a_real_report_loads_clean(watched: Watched, report: Path) -> None:
    watched.open(report)
    page = watched.page
    assert page.title() == f"pyward audit of {LOCK} (requirements)"
    assert page.locator("#verdict").inner_text().startswith("FAILED: ")
    assert page.locator("#findings tbody tr").count() > 10
    assert page.locator("#fix-steps li").count() > 0
    assert page.locator("#unaudited tbody tr").count() == 4
    assert page.locator("#data-sources tbody tr").count() >= 1
    watched.screenshot("html-audit-report")
    watched.assert_clean()
    # Nothing but the file itself was asked for.
    assert watched.requests == [report.resolve().as_uri()]


def test_findings_sort_by_severity_rank_and_by_package(watched: Watched, report: Path) -> None:
    watched.open(report)
    page = watched.page
    severity = page.locator("#findings th:nth-child(3) button")
    severity.click()
    levels = _row_attr(watched, "data-severity")
    ranks = [LEVELS.index(level) for level in levels]
    # Ascending: least severe first, by rank (alphabetically "unknown" would be last).
    assert ranks == sorted(ranks, reverse=True)
    assert levels[0] == "unknown"
    assert len(set(levels)) > 2
    severity.click()
    levels = _row_attr(watched, "data-severity")
    assert [LEVELS.index(x) for x in levels] == sorted(LEVELS.index(x) for x in levels)
    assert levels[0] == "high"
    assert page.locator("#findings th:nth-child(3)").get_attribute("aria-sort") == "descending"
    watched.screenshot("html-audit-sorted-by-severity")
    page.locator("#findings th:nth-child(1) button").click()
    names = [k.split(" ")[0] for k in _visible(watched, 1, "data-sort")]
    assert names == sorted(names)
    assert names[0] != names[-1]
    shown = [t.split("\n")[0] for t in _visible(watched, 1)]
    assert shown == names
    watched.assert_clean()


def test_filters_hide_the_right_rows(watched: Watched, report: Path) -> None:
    watched.open(report)
    page = watched.page
    total = page.locator("#findings tbody tr").count()
    eol = page.locator("#findings tbody tr[data-kind=eol]").count()
    assert 0 < eol < total
    page.select_option("select[data-table=findings][data-filter=kind]", "eol")
    assert set(_row_attr(watched, "data-kind")) == {"eol"}
    assert len(_row_attr(watched, "data-kind")) == eol
    assert page.locator("[data-count=findings]").inner_text() == f"{eol} of {total}"
    page.select_option("select[data-table=findings][data-filter=kind]", "")
    high = page.locator("#findings tbody tr[data-severity=high]").count()
    page.select_option("select[data-table=findings][data-filter=severity]", "high")
    assert set(_visible(watched, 3)) <= {"high", *(f"high {s / 10:.1f}" for s in range(101))}
    assert len(_row_attr(watched, "data-severity")) == high
    # Both filters: the high vulnerabilities only.
    page.select_option("select[data-table=findings][data-filter=kind]", "vulnerability")
    both = page.locator("#findings tbody tr[data-severity=high][data-kind=vulnerability]").count()
    assert len(_row_attr(watched, "data-id")) == both < high
    watched.screenshot("html-audit-filtered")
    page.select_option("select[data-table=findings][data-filter=kind]", "")
    page.select_option("select[data-table=findings][data-filter=severity]", "")
    page.fill("input[data-table=findings]", "gitpython")
    assert {n.split("\n")[0] for n in _visible(watched, 1)} == {"gitpython"}
    watched.assert_clean()


def test_a_hostile_sbom_name_is_text(
    watched: Watched, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CycloneDX SBOM whose components are named like scripts: shown, never run."""
    hostile = f"<script>{PWNED}</script>"
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [
            {"type": "library", "name": f"requests{hostile}", "version": "2.22.0",
             "purl": "pkg:pypi/requests@2.22.0"},
            {"type": "library", "name": hostile, "version": "1.0"},
            {"type": "library", "name": f"<img src=x onerror=\"{PWNED}\">", "version": "2.0"},
        ],
    }  # fmt: skip
    path = tmp_path / "bom.cdx.json"
    path.write_text(json.dumps(bom), encoding="utf-8")
    out = tmp_path / "bom.html"
    code, _, _ = run_cli(
        capsys, "audit", str(path), "-f", "html", "-o", str(out), "-q", "--cache-dir", str(cache)
    )
    assert code == 1
    watched.open(out)
    page = watched.page
    requirements = page.locator("#unaudited tbody td:nth-child(1)").all_inner_texts()
    assert f"{hostile}==1.0" in requirements
    assert f'<img src=x onerror="{PWNED}">==2.0' in requirements
    assert page.locator("body img").count() == 0
    assert page.locator("script").count() == 1
    assert page.evaluate("window.pwned") is None
    assert page.title().startswith("pyward audit of ")
    watched.screenshot("html-audit-hostile-sbom")
    watched.assert_clean()


def test_a_hostile_package_name_in_the_findings_is_text(watched: Watched, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(render(_hostile(), "html", color=False, now=NOW), encoding="utf-8")
    watched.open(path)
    page = watched.page
    names = [n.split("\n")[0] for n in _visible(watched, 1)]
    assert HOSTILE_NAME in names
    assert page.locator("body img").count() == 0
    assert page.locator("script").count() == 1
    assert page.locator("#findings a[href^=javascript]").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    watched.screenshot("html-audit-hostile-report")
    watched.assert_clean()


def test_dark_mode_and_print(browser: Any, report: Path) -> None:
    with watch(browser, color_scheme="dark") as w:
        w.open(report)
        page = w.page
        style = "getComputedStyle(document.querySelector(%r)).%s"
        assert page.evaluate(style % ("body", "backgroundColor")) == "rgb(13, 17, 23)"
        assert page.evaluate(style % ("body", "color")) == "rgb(230, 237, 243)"
        # The table's header, its links and the failing verdict are light on dark.
        assert page.evaluate(style % ("#findings th", "backgroundColor")) == "rgb(22, 27, 34)"
        assert page.evaluate(style % ("#findings a", "color")) == "rgb(88, 166, 255)"
        assert page.evaluate(style % ("#verdict", "color")) == "rgb(255, 161, 152)"
        w.screenshot("html-audit-dark")
        total = page.locator("#findings tbody tr").count()
        folded = page.locator("#findings details p").first
        assert folded.is_hidden()
        page.select_option("select[data-table=findings][data-filter=kind]", "eol")
        assert page.locator("#findings tbody tr:visible").count() < total
        page.emulate_media(media="print")
        # Printed, every row shows whatever the filters say, and no control does.
        assert page.locator("#findings tbody tr:visible").count() == total
        assert page.locator(".controls").first.is_hidden()
        assert page.evaluate(style % ("body", "backgroundColor")) == "rgb(255, 255, 255)"
        # Printed, a folded description is shown too.
        assert folded.is_visible()
        # Printed from a dark screen, the page is still black on white.
        assert page.evaluate(style % ("#findings th", "backgroundColor")) == "rgb(238, 238, 238)"
        assert page.evaluate(style % ("#verdict", "color")) == "rgb(0, 0, 0)"
        assert page.evaluate(style % ("#gate", "color")) == "rgb(68, 68, 68)"
        w.screenshot("html-audit-print")
        w.assert_clean()
