"""The shared page (``pyward._render._html_page``) in a real browser: its policy admits its
own style and script, its tables sort and filter, and hostile text stays text."""

from __future__ import annotations

from pathlib import Path

from pyward._render._html_page import Column, Row, badge, esc, page, table
from tests.browser.conftest import Watched, watch

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'


def _page(tmp_path: Path) -> Path:
    rows = [
        Row(
            cells=[esc(name), badge(sev), esc(kind), str(n)],
            attrs={"kind": kind, "severity": sev},
            sort_keys={1: str(rank)},
        )
        for name, sev, rank, kind, n in [
            ("beta", "high", 3, "vulnerability", 10),
            ("alpha", "low", 1, "yanked", 2),
            (HOSTILE, "critical", 4, "malicious", 7),
            ("gamma", "medium", 2, "vulnerability", 100),
        ]
    ]
    body = table(
        "t",
        [
            Column(label="name"),
            Column(label="severity"),
            Column(label="kind"),
            Column(label="count", numeric=True),
        ],
        rows,
        filters=[("kind", "kind"), ("severity", "severity")],
    )
    path = tmp_path / "page.html"
    path.write_text(page(title=f"report {HOSTILE}", body=body), encoding="utf-8")
    return path


def _column(w: Watched, index: int) -> list[str]:
    cells = w.page.locator(f"#t tbody tr:not([hidden]) td:nth-child({index})")
    return [t.strip() for t in cells.all_inner_texts()]


def test_the_page_loads_clean_and_hostile_text_is_text(watched: Watched, tmp_path: Path) -> None:
    watched.open(_page(tmp_path))
    assert watched.page.title() == f"report {HOSTILE}"
    assert HOSTILE in _column(watched, 1)
    assert watched.page.locator("#t img").count() == 0
    watched.screenshot("html-page-base")
    watched.assert_clean()


def test_tables_sort_both_ways_and_by_number(watched: Watched, tmp_path: Path) -> None:
    watched.open(_page(tmp_path))
    watched.page.locator("#t th:nth-child(4) button").click()
    assert _column(watched, 4) == ["2", "7", "10", "100"]
    watched.page.locator("#t th:nth-child(4) button").click()
    assert _column(watched, 4) == ["100", "10", "7", "2"]
    watched.page.locator("#t th:nth-child(2) button").click()  # by the severity's rank
    assert _column(watched, 2) == ["low", "medium", "high", "critical"]
    assert watched.page.locator("#t th:nth-child(2)").get_attribute("aria-sort") == "ascending"
    watched.assert_clean()


def test_filters_and_search(watched: Watched, tmp_path: Path) -> None:
    watched.open(_page(tmp_path))
    watched.page.select_option("select[data-filter=kind]", "vulnerability")
    assert sorted(_column(watched, 1)) == ["beta", "gamma"]
    watched.page.select_option("select[data-filter=severity]", "high")
    assert _column(watched, 1) == ["beta"]
    assert watched.page.locator("[data-count=t]").inner_text() == "1 of 4"
    watched.page.select_option("select[data-filter=kind]", "")
    watched.page.select_option("select[data-filter=severity]", "")
    watched.page.fill("input[data-table=t]", "GAM")
    assert _column(watched, 1) == ["gamma"]
    watched.assert_clean()


def test_dark_mode_and_print(browser: object, tmp_path: Path) -> None:
    with watch(browser, color_scheme="dark") as w:
        w.open(_page(tmp_path))
        p = w.page
        background = p.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)"
        w.screenshot("html-page-dark")
        p.select_option("select[data-filter=kind]", "yanked")
        assert p.locator("#t tbody tr:visible").count() == 1
        p.emulate_media(media="print")
        # Printed, every row shows whatever the filters say.
        assert p.locator("#t tbody tr:visible").count() == 4
        assert p.locator(".controls").is_hidden()
        w.assert_clean()
