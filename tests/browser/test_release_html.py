"""``pyward release-check --format html`` in a real browser: the page loads with no
error and no request, the findings sort and filter by category and severity, and a
workflow whose file and job names hold HTML shows them as text."""

from __future__ import annotations

from pathlib import Path

from pyward._cli import main
from tests.browser.conftest import Watched
from tests.release._repos import fixture
from tests.release.test_html import HOSTILE, hostile_repository


def _write(root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "release.html"
    assert main(["release-check", str(root), "-f", "html", "-o", str(out), "-q"]) == 1
    return out


def _column(w: Watched, index: int) -> list[str]:
    cells = w.page.locator(f"#findings tbody tr:not([hidden]) td:nth-child({index})")
    return [" ".join(t.split()) for t in cells.all_inner_texts()]


def test_the_bad_repository(watched: Watched, tmp_path: Path) -> None:
    watched.open(_write(fixture("bad"), tmp_path))
    assert watched.page.locator("#grades .card").count() == 8
    total = watched.page.locator("#findings tbody tr").count()
    # By severity, worst first on the second click.
    watched.page.locator("#findings th:nth-child(1) button").click()
    watched.page.locator("#findings th:nth-child(1) button").click()
    severities = [s.split()[0] for s in _column(watched, 1)]
    order = ["critical", "high", "medium", "low", "unknown"]
    assert severities == sorted(severities, key=order.index)
    watched.page.select_option("select[data-filter=category]", "workflows")
    assert set(_column(watched, 3)) == {"workflows"}
    watched.page.select_option("select[data-filter=severity]", "low")
    shown = _column(watched, 2)
    assert shown
    assert set(shown) == {"unpinned-action"}
    assert watched.page.locator("[data-count=findings]").inner_text() == f"{len(shown)} of {total}"
    watched.page.select_option("select[data-filter=category]", "")
    watched.page.select_option("select[data-filter=severity]", "")
    watched.page.fill("input[data-table=findings]", "bandit")
    assert set(_column(watched, 2)) == {"bandit"}
    watched.page.fill("input[data-table=findings]", "")
    # The fix is folded under its finding, and opens.
    first = watched.page.locator("#findings tbody tr").first
    first.locator("summary").click()
    assert "Fix:" in first.inner_text()
    watched.screenshot("release-html-bad")
    watched.page.emulate_media(color_scheme="dark")
    watched.screenshot("release-html-bad-dark")
    watched.assert_clean()


def test_hostile_names_are_text(watched: Watched, tmp_path: Path) -> None:
    watched.open(_write(hostile_repository(tmp_path / "repo"), tmp_path))
    assert watched.page.locator("script").count() == 1
    text = watched.page.locator("table#findings").inner_text()
    assert f"{HOSTILE}\\x9b\\u202e" in text
    assert ".github/workflows/<script>alert(2).yml" in " ".join(_column(watched, 4))
    assert watched.page.title().startswith("pyward release-check: FAILED")
    watched.screenshot("release-html-hostile")
    watched.assert_clean()
