"""``pyward sbom --format html``: the summary of the SBOM, built from the document the
CycloneDX and SPDX writers render, escaped, deterministic."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pyward._cli import main
from pyward._inventory import read_inventory
from pyward._model import Component, ComponentKey, Inventory
from pyward._render._provenance import publisher_text
from pyward._sbom import write_sbom, write_summary
from pyward._sbom._html import TREE_DEPTH, licence_text
from pyward._sbom._licenses import License
from tests._html import parse
from tests.conftest import CORPUS
from tests.sbom.test_sbom import HTTPBIN, HTTPBIN_FLAWS, _store_for

EPOCH = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
HOSTILE = "<script>alert(1)</script>"
FLASK = CORPUS / "uv" / "flask" / "uv.lock"


def _c(name: str, version: str | None, **kw: Any) -> Component:
    purl = f"pkg:pypi/{name}@{version}" if version else ""
    return Component(name=name, version=version, purl=kw.pop("purl", purl), **kw)


def _inventory() -> Inventory:
    """A project with a direct and a transitive dependency in a cycle, one with a named
    licence, one with none and no supplier, and one whose metadata is hostile."""
    app = _c("app", "1.0", source="virtual")
    a = _c(
        "alpha",
        "1.0",
        direct=True,
        license_expression="MIT",
        metadata={"author": "Ann", "home_page": "https://alpha.invalid/"},
    )
    b = _c(
        "beta",
        "2.0",
        metadata={
            "maintainer": "Bea",
            "license": "My own licence\nwith text",
            "home_page": "javascript:alert(1)",
        },
    )
    c = _c("gamma", None, direct=True)
    hostile = _c(
        "evil",
        "6.6",
        display_name=HOSTILE,
        direct=True,
        license_expression="Apache-2.0 OR MIT",
        metadata={"supplier": f"Mallory\x9b31m\u202e{HOSTILE}"},
    )
    key = {x.name: x.key for x in (a, b, c, hostile)}
    return Inventory(
        source="uv.lock",
        format="uv.lock",
        components=(a, b, c, hostile),
        edges={
            key["alpha"]: (key["beta"],),
            key["beta"]: (key["alpha"],),
            key["evil"]: (key["alpha"],),
        },
        roots=(key["alpha"], key["gamma"], key["evil"]),
        project=app,
    )


def _summary(inv: Inventory, **kw: Any) -> str:
    return write_summary(inv, source_date_epoch=EPOCH, **kw).data.decode("utf-8")


def test_licence_text_joins_as_spdx_does() -> None:
    mit = License(expression="MIT", origin="classifier")
    either = License(expression="Apache-2.0 OR MIT", origin="License")
    named = License(name="My licence", origin="License")
    assert licence_text(()) == ""
    assert licence_text((either,)) == "Apache-2.0 OR MIT"
    assert licence_text((mit, either, named)) == "MIT AND (Apache-2.0 OR MIT) AND My licence"


def test_components_licences_and_coverage() -> None:
    text = _summary(_inventory())
    ids = re.findall(r' id="([^"]*)"', text)
    assert len(ids) == len(set(ids))  # a filter finds its table by id
    page = parse(text)
    components = page.tables["components"]
    assert [(data, cells) for data, cells in components] == [
        (
            {"licence": "MIT", "scope": "direct"},
            ["alpha", "1.0", "pkg:pypi/alpha@1.0", "MIT", "supplier: Ann", "0", "yes"],
        ),
        (
            {"licence": "My own licence", "scope": "transitive"},
            [
                "beta",
                "2.0",
                "pkg:pypi/beta@2.0",
                "My own licence (not SPDX)",
                "supplier: Bea",
                "0",
                "no",
            ],
        ),
        (
            {"licence": "Apache-2.0 OR MIT", "scope": "direct"},
            [
                HOSTILE,
                "6.6",
                "pkg:pypi/evil@6.6",
                "Apache-2.0 OR MIT",
                "supplier: Mallory\\x9b31m\\u202e" + HOSTILE,
                "0",
                "yes",
            ],
        ),
        (
            {"licence": "unknown", "scope": "direct"},
            ["gamma", "", "none", "unknown", "unknown", "0", "yes"],
        ),
    ]
    assert [cells for _, cells in page.tables["licences"]] == [
        ["Apache-2.0 OR MIT", "1", "SPDX expression"],
        ["MIT", "1", "SPDX expression"],
        ["My own licence", "1", "named, not an SPDX expression"],
        ["unknown", "1", "unknown: the metadata names no licence"],
    ]
    assert [cells[:3] for _, cells in page.tables["ntia"]] == [
        ["supplier", "3 of 4", "75%"],
        ["name", "4 of 4", "100%"],
        ["version", "3 of 4", "75%"],
        ["unique identifier (purl)", "3 of 4", "75%"],
        ["dependency relationship", "4 of 4", "100%"],
    ]
    # Which component lacks the supplier: gamma, named in the folded list.
    assert page.tables["ntia"][0][1][3] == "1 component lacks it gamma"


def test_hostile_text_is_text_and_only_http_links_are_links() -> None:
    text = _summary(_inventory())
    page = parse(text)
    assert page.scripts == 1  # the page's own
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # C1 and bidi controls shown as escapes, never raw.
    assert re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text) == []
    assert "Mallory\\x9b31m\\u202e" in text
    assert "javascript:" not in "".join(page.hrefs)
    assert "https://alpha.invalid/" in page.hrefs


def test_the_tree_marks_cycles_and_is_bounded() -> None:
    text = _summary(_inventory())
    tree = text[text.index('id="tree"') : text.index("</section>", text.index('id="tree"'))]
    assert "alpha 1.0 (1 dependency)" in tree
    assert 'alpha 1.0 <span class="badge sev-high">cycle</span>' in tree
    assert "gamma</p>" in tree.replace(" (0 dependencies)", "")
    # A chain longer than the depth limit stops, saying so.
    chain = [_c(f"p{i}", "1") for i in range(TREE_DEPTH + 4)]
    deep = Inventory(
        source="x",
        format="uv.lock",
        components=tuple(chain),
        edges={chain[i].key: (chain[i + 1].key,) for i in range(len(chain) - 1)},
        roots=(chain[0].key,),
    )
    text = _summary(deep)
    tree = text[text.index('id="tree"') : text.index("</section>", text.index('id="tree"'))]
    assert "1 more, deeper: not shown" in tree
    assert f"p{TREE_DEPTH} 1" in tree
    assert f"p{TREE_DEPTH + 1} 1" not in tree


def test_deterministic_and_dated_by_source_date_epoch() -> None:
    inv = _inventory()
    first = _summary(inv)
    assert first == _summary(inv)
    assert "2023-11-14T22:13:20+00:00" in first
    later = write_summary(inv, source_date_epoch=datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert later.data.decode() != first


def test_the_summary_and_the_sbom_list_the_same_components() -> None:
    inv = read_inventory(FLASK)
    bom = json.loads(write_sbom(inv, format="cyclonedx-json", target=FLASK).data)
    page = parse(write_summary(inv, target=FLASK).data.decode())
    in_page = sorted((cells[0], cells[1], cells[2]) for _, cells in page.tables["components"])
    in_bom = sorted((c["name"], c.get("version", ""), c.get("purl", "")) for c in bom["components"])
    assert in_page == in_bom
    title = f"{bom['metadata']['component']['name']} {bom['metadata']['component']['version']}"
    assert f"<h1>SBOM summary: {title}</h1>" in write_summary(inv, target=FLASK).data.decode()


def test_vulnerabilities_section() -> None:
    inv = read_inventory(HTTPBIN)
    store = _store_for("flask", "werkzeug")
    by_key: dict[str, Component] = {c.key: c for c in inv.components}
    vulns = {
        ComponentKey(k): store.vulnerabilities(by_key[k].name, by_key[k].version or "")
        for k in HTTPBIN_FLAWS
    }
    page = parse(_summary(inv, target=HTTPBIN, vulnerabilities=vulns))
    rows = page.tables["vulnerabilities"]
    assert sorted(cells[0].split()[0] for _, cells in rows) == sorted(
        i for ids in HTTPBIN_FLAWS.values() for i in ids
    )
    # Rated as the CycloneDX writer rates them.
    assert {cells[0].split()[0]: data["severity"] for data, cells in rows} == {
        i: "high" if i == "PYSEC-2023-221" else "unknown"
        for ids in HTTPBIN_FLAWS.values()
        for i in ids
    }
    assert "https://osv.dev/vulnerability/PYSEC-2023-62" in page.hrefs
    # Asked for and none found: the section says so; not asked: no section.
    assert "No known vulnerability" in _summary(inv, target=HTTPBIN, vulnerabilities={})
    assert 'id="vulns"' not in _summary(inv, target=HTTPBIN)


def test_cli_writes_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sbom.html"
    assert main(["sbom", str(FLASK), "-f", "html", "-o", str(out), "-q"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>\n")
    assert "This page is not an SBOM format" in text
    assert len(parse(text).tables["components"]) == len(read_inventory(FLASK).components)


def test_cli_help_says_html_is_not_an_sbom(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sbom", "--help"])
    assert "not an SBOM" in " ".join(capsys.readouterr().out.split())


def test_an_empty_inventory() -> None:
    text = _summary(Inventory(source="x", format="requirements"))
    assert "The inventory has no component." in text


def test_what_the_sbom_cannot_list_is_named() -> None:
    from pyward._model import NotAudited

    inv = Inventory(
        source="requirements.txt",
        format="requirements",
        not_audited=(NotAudited(name="flask", requirement="flask>=2", reason="not pinned"),),
    )
    text = _summary(inv)
    assert '<section id="left-out"><h2>Not in the SBOM</h2>' in text
    assert "<li>flask&gt;=2: not pinned</li>" in text


def test_provenance_as_the_cyclonedx_document_carries_it() -> None:
    from tests.provenance.test_sbom_provenance import _flask_report

    inv = read_inventory(FLASK)
    report = _flask_report(inv)
    stray = dataclasses.replace(report.packages[0], component=_c("not-in-the-lock", "1.0"))
    report = dataclasses.replace(report, packages=(*report.packages, stray))
    out = write_summary(inv, target=FLASK, provenance=report)
    page = parse(out.data.decode())
    rows = page.tables["provenance"]
    names = {p.component.name for p in report.packages[:3]}
    assert [data for data, _ in rows] == [{"status": "verified"}] * 3
    assert {cells[0].split()[0] for _, cells in rows} == names
    assert {cells[2] for _, cells in rows} == {publisher_text(report.packages[0])}
    assert {cells[3] for _, cells in rows} == {"1 of 1"}
    assert "3 of 3 packages attested (3 of 3 artifacts)" in out.data.decode()
    # As add_provenance says of a package the document does not list.
    assert "provenance of not-in-the-lock==1.0: no such component in the SBOM" in out.notes
    assert 'id="provenance-section"' not in _summary(inv)


def test_provenance_statuses_in_the_audit_pages_words_worst_first() -> None:
    """``publisher changed`` and ``no artifacts`` as the audit's page says them (not
    the model's ``changed``, ``no-artifacts``), the worst first."""
    from pyward._render._provenance import STATUS_WORDS
    from tests.provenance.test_sbom_provenance import _flask_report
    from tests.render._reports import artifact

    inv = read_inventory(FLASK)
    report = _flask_report(inv)
    first, second, third = report.packages
    failed = artifact(second.component, "x-1.tar.gz", "failed", reason="bad signature")
    report = dataclasses.replace(
        report,
        packages=(
            first,
            dataclasses.replace(second, artifacts=(failed,)),
            dataclasses.replace(third, artifacts=()),
        ),
    )
    rows = parse(write_summary(inv, target=FLASK, provenance=report).data.decode()).tables[
        "provenance"
    ]
    words = [STATUS_WORDS[s] for s in ("failed", "no-artifacts", "verified")]
    assert [data["status"] for data, _ in rows] == words
    assert [cells[1] for _, cells in rows] == words


def test_cli_provenance_in_the_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyward._commands._sources as sources
    from pyward._checks import Sources
    from pyward._commands._sources import Gathered
    from tests.provenance.test_sbom_provenance import _flask_report

    def gather(inventories: list[Inventory], selected: Any, **kwargs: Any) -> Gathered:
        return Gathered(sources=Sources(provenance=_flask_report(inventories[0])))

    monkeypatch.setattr(sources, "gather_sources", gather)
    assert main(["sbom", str(FLASK), "-f", "html", "--provenance", "--offline", "-q"]) == 0
    page = parse(capsys.readouterr().out)
    assert [data for data, _ in page.tables["provenance"]] == [{"status": "verified"}] * 3
