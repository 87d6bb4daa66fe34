"""``pyward sbom --format html`` in a real browser: the summary loads with no error and
no request, its components table sorts and filters, and a package named ``<script>``
in an input SBOM is shown as text."""

from __future__ import annotations

import json
from pathlib import Path

from pyward._cli import main
from tests.browser.conftest import Watched
from tests.conftest import CORPUS

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


def _input_sbom(tmp_path: Path) -> Path:
    """A CycloneDX SBOM of four components, one named and supplied by HTML."""

    def lib(name: str, version: str, purl: str, licence: str | None = None) -> dict[str, object]:
        item: dict[str, object] = {
            "type": "library",
            "name": name,
            "version": version,
            "bom-ref": purl,
            "purl": purl,
        }
        if licence:
            item["licenses"] = [{"license": {"id": licence}}]
        return item

    evil = lib(HOSTILE, "1.0", "pkg:pypi/evil-pkg@1.0", "MIT")
    evil["supplier"] = {"name": HOSTILE}
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "component": {
                "type": "application",
                "name": "demo-app",
                "version": "1.0",
                "bom-ref": "app",
            }
        },
        "components": [
            evil,
            lib("requests", "2.31.0", "pkg:pypi/requests@2.31.0", "Apache-2.0"),
            lib("urllib3", "2.0.0", "pkg:pypi/urllib3@2.0.0", "MIT"),
            lib("idna", "3.4", "pkg:pypi/idna@3.4"),
        ],
        "dependencies": [
            {"ref": "app", "dependsOn": ["pkg:pypi/requests@2.31.0", "pkg:pypi/evil-pkg@1.0"]},
            {
                "ref": "pkg:pypi/requests@2.31.0",
                "dependsOn": ["pkg:pypi/urllib3@2.0.0", "pkg:pypi/idna@3.4"],
            },
        ],
    }
    path = tmp_path / "bom.cdx.json"
    path.write_text(json.dumps(bom), encoding="utf-8")
    return path


def _write(source: Path, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "sbom.html"
    assert main(["sbom", str(source), "-f", "html", "-o", str(out), "-q", *extra]) == 0
    return out


def _names(w: Watched) -> list[str]:
    cells = w.page.locator("#components tbody tr:not([hidden]) td:nth-child(1)")
    return [t.strip() for t in cells.all_inner_texts()]


def test_hostile_names_are_text(watched: Watched, tmp_path: Path) -> None:
    watched.open(_write(_input_sbom(tmp_path), tmp_path))
    assert watched.page.title() == "SBOM summary: demo-app 1.0"
    assert HOSTILE in _names(watched)
    assert watched.page.locator("img").count() == 0
    assert watched.page.locator("script").count() == 1
    supplier = watched.page.locator("#components tbody tr", has_text="evil-pkg").inner_text()
    assert f"supplier: {HOSTILE}" in supplier
    watched.screenshot("sbom-html-hostile")
    watched.assert_clean()


def test_components_sort_and_filter(watched: Watched, tmp_path: Path) -> None:
    watched.open(_write(_input_sbom(tmp_path), tmp_path))
    assert _names(watched) == [HOSTILE, "idna", "requests", "urllib3"]
    watched.page.locator("#components th:nth-child(1) button").click()
    watched.page.locator("#components th:nth-child(1) button").click()
    assert _names(watched) == ["urllib3", "requests", "idna", HOSTILE]
    watched.page.select_option("select[data-filter=licence]", "MIT")
    assert _names(watched) == ["urllib3", HOSTILE]
    watched.page.select_option("select[data-filter=scope]", "transitive")
    assert _names(watched) == ["urllib3"]
    assert watched.page.locator("[data-count=components]").inner_text() == "1 of 4"
    watched.page.select_option("select[data-filter=licence]", "unknown")
    assert _names(watched) == ["idna"]
    watched.page.select_option("select[data-filter=licence]", "")
    watched.page.select_option("select[data-filter=scope]", "")
    watched.page.fill("input[data-table=components]", "REQ")
    assert _names(watched) == ["requests"]
    watched.page.fill("input[data-table=components]", "")
    # The tree is folded per root; opened, it shows the root's dependencies.
    watched.page.locator("#tree summary", has_text="requests 2.31.0").click()
    assert "urllib3 2.0.0" in watched.page.locator("#tree details[open]").inner_text()
    watched.screenshot("sbom-html-filtered")
    watched.assert_clean()


def test_a_lock_file_summary(watched: Watched, tmp_path: Path) -> None:
    watched.open(_write(CORPUS / "uv" / "flask" / "uv.lock", tmp_path))
    rows = watched.page.locator("#components tbody tr")
    assert rows.count() > 50
    watched.page.locator("#components th:nth-child(6) button").click()  # hashes, numeric
    watched.page.locator("#components th:nth-child(6) button").click()
    counts = [
        int(t) for t in watched.page.locator("#components tbody td:nth-child(6)").all_inner_texts()
    ]
    assert counts == sorted(counts, reverse=True)
    watched.page.emulate_media(color_scheme="dark")
    watched.screenshot("sbom-html-flask-dark")
    watched.page.emulate_media(color_scheme="light", media="print")
    watched.screenshot("sbom-html-flask-print")
    watched.assert_clean()
