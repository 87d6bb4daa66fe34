"""The fleet report's HTML page in a real browser: it loads clean, the project table
sorts by findings, the advisory table filters by severity, and a project id or package
name holding ``<script>`` is text."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from pyward._fleet._render import render
from pyward._fleet._rollup import rollup
from tests.browser.conftest import Watched
from tests.fleet._data import corpus_results, finding, fix, result
from tests.fleet._data import run as fleet_run

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
HOSTILE_ID = 'repos/<script>document.title="pwned"</script>'
HOSTILE_PACKAGE = "pkg<script>alert(1)</script>"


def _page(tmp_path: Path) -> Path:
    hostile = result(
        HOSTILE_ID,
        [finding("PYSEC-9999-1", HOSTILE_PACKAGE, "1.0", level="critical", fix="2.0")],
        [fix(HOSTILE_PACKAGE, "1.0", "2.0", ["PYSEC-9999-1"])],
        page="hostile-page.html",
        data=corpus_results()[0].data,
    )
    report = rollup(fleet_run(*corpus_results(), hostile, runner="1 process (serial)"))
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "hostile-page.html").write_text("<!DOCTYPE html><title>p</title>")
    path = tmp_path / "fleet.html"
    path.write_text(render(report, "html", now=NOW, pages="pages"), encoding="utf-8")
    return path


def _column(w: Watched, table: str, index: int) -> list[str]:
    cells = w.page.locator(f"#{table}-table tbody tr:not([hidden]) td:nth-child({index})")
    return [t.strip() for t in cells.all_inner_texts()]


def test_the_fleet_page_loads_clean_and_hostile_text_is_text(
    watched: Watched, tmp_path: Path
) -> None:
    watched.open(_page(tmp_path))
    assert watched.page.title() == "pyward fleet audit: 26 projects (21 audited, 5 could not be)"
    assert HOSTILE_ID in _column(watched, "projects", 1)
    assert watched.page.locator("#projects-table tbody script").count() == 0
    # The package name is shown as text in the advisory's packages cell.
    assert HOSTILE_PACKAGE in _column(watched, "advisories", 4)
    assert watched.page.locator("body script").count() == 1  # the page's own
    link = watched.page.locator("#projects-table a", has_text="repos/")
    assert link.get_attribute("href") == "pages/hostile-page.html"
    cards = watched.page.locator(".card").all_inner_texts()
    assert "26\nprojects" in cards
    watched.screenshot("fleet-report")
    watched.assert_clean()


def test_the_project_table_sorts_by_findings(watched: Watched, tmp_path: Path) -> None:
    watched.open(_page(tmp_path))
    header = watched.page.locator("#projects-table th:nth-child(3) button")
    header.click()
    ascending = [int(n) for n in _column(watched, "projects", 3)]
    assert ascending == sorted(ascending)
    header.click()
    descending = [int(n) for n in _column(watched, "projects", 3)]
    assert descending == sorted(ascending, reverse=True)
    assert descending[:3] == [69, 27, 11]
    assert _column(watched, "projects", 1)[0] == "poetry/saleor-2020"
    # By worst severity: worse ranks higher on every page, so descending (a second
    # click) puts critical first.
    severity = watched.page.locator("#projects-table th:nth-child(2) button")
    severity.click()
    severity.click()
    assert _column(watched, "projects", 2)[:2] == ["critical", "critical"]
    watched.screenshot("fleet-report-sorted")
    watched.assert_clean()


def test_the_advisory_table_filters_by_severity(watched: Watched, tmp_path: Path) -> None:
    watched.open(_page(tmp_path))
    watched.page.select_option(
        "select[data-table=advisories-table][data-filter=severity]", "critical"
    )
    assert _column(watched, "advisories", 2) == ["critical", "critical"]
    ids = _column(watched, "advisories", 1)
    assert [i.splitlines()[0] for i in ids] == ["PYSEC-2023-241", "PYSEC-9999-1"]
    assert watched.page.locator("[data-count=advisories-table]").inner_text() == "2 of 96"
    watched.page.select_option("select[data-table=advisories-table][data-filter=severity]", "high")
    assert set(_column(watched, "advisories", 2)) == {"high"}
    watched.page.fill("input[data-table=advisories-table]", "idna")
    assert [i.splitlines()[0] for i in _column(watched, "advisories", 1)] == ["PYSEC-2024-60"]
    # The projects table filters by state.
    watched.page.select_option(
        "select[data-table=projects-table][data-filter=state]", "not audited"
    )
    assert len(_column(watched, "projects", 1)) == 5
    watched.screenshot("fleet-report-filtered")
    watched.assert_clean()
