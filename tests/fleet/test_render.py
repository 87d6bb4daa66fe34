"""The fleet report's outputs: the JSON against its schema and equal whatever the runner,
the table, Markdown and HTML with their exact lines, and hostile text escaped in every
format."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pyward._fleet._render import FORMATS, render, to_dict
from pyward._fleet._rollup import FleetReport, rollup
from pyward.errors import UsageError
from tests.fleet._data import corpus_results, corpus_run, failed, finding, fix, result, run

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "schemas" / "fleet-1.0.schema.json"
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)

#: A project id, package, version and summary an attacker could write (a directory
#: name, a lock file, an advisory mirror): a terminal escape (CSI and OSC), a bidi
#: override, a C1 control, HTML and Markdown table syntax.
HOSTILE_ID = "repos/\x1b[2J\u202eevil<script>alert(1)</script>|x\x85"
HOSTILE_PACKAGE = "pkg<img src=x onerror=alert(2)>|\x9b"
HOSTILE_SUMMARY = "**bold** [link](javascript:alert(3)) | pipe \x1b]0;title\x07 `code`"
HOSTILE_ERROR = "bad\x1b[31m lock <b>here</b> | \u2066x\u2069"


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker()
    )


def _hostile() -> FleetReport:
    return rollup(
        run(
            result(
                HOSTILE_ID,
                [
                    finding(
                        "PYSEC-1|<x>",
                        HOSTILE_PACKAGE,
                        "1.0\u202e",
                        aliases=["GHSA-\x1b[1m"],
                        fix="2.0",
                        summary=HOSTILE_SUMMARY,
                    )
                ],
                [fix(HOSTILE_PACKAGE, "1.0\u202e", "2.0", ["PYSEC-1|<x>"])],
                not_audited=[("req<script>", "not pinned: req<script>; lock the project first")],
                errors=[HOSTILE_ERROR],
                page="//evil.invalid/<script>.html",
                data="store\x1b[5m (2024-10-10T00:00:00Z)",
            ),
            failed("failed/\u202e<script>", HOSTILE_ERROR),
        )
    )


def _edge_reports() -> list[FleetReport]:
    return [
        rollup(run()),
        rollup(run(result("clean"), failed("broken", "broken: unreadable"))),
        rollup(
            run(
                result(
                    "a",
                    [finding("MAL-1", "evil", "1.0", kind="malicious", level="critical")],
                    [fix("evil", "1.0", None, ["MAL-1"], action="remove")],
                    data="store A (2024-10-10T00:00:00Z)",
                ),
                result(
                    "b",
                    [finding("eol:python@3.8", None, None, kind="eol", aliases=["eol:python"])],
                    data="store B (no time)",
                ),
            )
        ),
        _hostile(),
    ]


# -- json -------------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA.read_text()))


def test_json_of_the_corpus_and_the_edge_cases_follows_the_schema() -> None:
    validator = _validator()
    for report in [rollup(corpus_run(cached=["uv/flask"], runner="1 process")), *_edge_reports()]:
        document = json.loads(render(report, "json", now=NOW))
        validator.validate(document)


def test_json_of_the_corpus() -> None:
    run_ = corpus_run(cached=["uv/flask"], runner="1 process (serial)")
    document = json.loads(render(rollup(run_), "json", now=NOW))
    assert list(document) == [
        "schema_version",
        "tool",
        "run",
        "totals",
        "data",
        "advisories",
        "upgrades",
        "unfixable",
        "projects",
        "not_audited",
    ]
    assert document["schema_version"] == "1.0"
    assert document["run"] == {
        "runner": "1 process (serial)",
        "command": "audit",
        "options": ["--checks", "vulnerabilities"],
        "generated": "2025-01-01T00:00:00Z",
        "cached": ["uv/flask"],
    }
    assert document["totals"] == {
        "projects": 25,
        "audited": 20,
        "failed": 5,
        "failing": 13,
        "components": 2098,
        "findings": 128,
        "advisories": 95,
        "suppressed": 0,
        "not_audited": 46,
        "by_level": {"critical": 1, "high": 16, "medium": 5, "low": 0, "unknown": 106},
        "by_kind": {"vulnerability": 128},
    }
    assert document["data"]["sets"][0]["newest"] == "2024-10-10T17:22:00Z"
    assert document["data"]["warnings"] == []
    top = document["advisories"][0]
    assert {k: v for k, v in top.items() if k != "summary"} == {
        "id": "PYSEC-2024-60",
        "aliases": ["CVE-2024-3651"],
        "kind": "vulnerability",
        "level": "high",
        "projects": 4,
        "packages": ["idna"],
        "fixed_in": ["3.7"],
        "affected": [
            {
                "project": project,
                "id": "PYSEC-2024-60",
                "package": "idna",
                "version": version,
                "level": "high",
                "fix": "3.7",
                "fails": True,
                "direct": False,
            }
            for project, version in [
                ("pdm/pydantic-2023", "3.4"),
                ("poetry/saleor-2020", "2.10"),
                ("poetry/wemake-python-styleguide-2019", "2.8"),
                ("pylock/pdm-demo-fixture", "2.7"),
            ]
        ],
    }
    assert document["advisories"][1]["fixed_in"] == ["1.26.18", "2.0.7"]
    assert document["upgrades"][1] == {
        "package": "urllib3",
        "action": "upgrade",
        "target": "2.0.7",
        "versions": ["1.25.6", "1.26.2", "2.0.3"],
        "findings": 11,
        "advisories": [
            "PYSEC-2020-148",
            "PYSEC-2020-149",
            "PYSEC-2021-59",
            "PYSEC-2021-108",
            "PYSEC-2023-192",
            "PYSEC-2023-212",
        ],
        "projects": [
            "pdm/pydantic-2023",
            "poetry/saleor-2020",
            "poetry/wemake-python-styleguide-2019",
        ],
        "direct": 0,
    }
    # Every project's whole result, by id.
    projects = document["projects"]
    assert [p["project"] for p in projects] == sorted(p["project"] for p in projects)
    ctfd = next(p for p in projects if p["project"] == "requirements/ctfd-2019")
    assert (ctfd["worst"], ctfd["counts"]["high"], ctfd["failing"], ctfd["exit_code"]) == (
        "high",
        1,
        True,
        1,
    )
    assert [f["package"] for f in ctfd["findings"]].count("werkzeug") == 4
    assert ctfd["fixes"][0] == {
        "package": "werkzeug",
        "version": "0.16.0",
        "target": "2.3.8",
        "action": "upgrade",
        "fixes": ["PYSEC-2023-221", "PYSEC-2022-203", "PYSEC-2023-57", "PYSEC-2023-58"],
        "unfixed": [],
    }
    assert document["not_audited"]["requirements"][0]["reason"] == (
        "not pinned; lock the project first"
    )
    assert len(document["not_audited"]["failed"]) == 5


def _without_run(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "run"}


def test_a_local_and_a_dask_run_give_equal_json_but_for_the_run() -> None:
    """Two runners finish projects in different orders, cache different projects and
    describe themselves differently: every section but ``run`` is equal."""
    results = corpus_results()
    local = corpus_run(cached=["uv/flask", "pdm/pdm"], runner="2 local processes")
    dask = corpus_run(runner="Dask at tcp://127.0.0.1:8786 (2 workers)")
    dask = type(dask)(job=dask.job, results=results[::-1], cached=dask.cached, runner=dask.runner)
    a = to_dict(rollup(local), now=NOW)
    b = to_dict(rollup(dask), now=datetime(2025, 6, 1, tzinfo=timezone.utc))
    assert a["run"] != b["run"]
    assert _without_run(a) == _without_run(b)
    assert render(rollup(local), "json", now=NOW) == render(
        rollup(corpus_run(cached=["pdm/pdm", "uv/flask"], runner="2 local processes")),
        "json",
        now=NOW,
    )


def test_json_options_hide_a_urls_password() -> None:
    job = corpus_run().job
    report = rollup(
        type(corpus_run())(
            job=type(job)(
                command="audit",
                argv=("--index-url", "https://user:secret@index.invalid/simple/", "--offline"),
            ),
            results=(),
        )
    )
    assert to_dict(report, now=NOW)["run"]["options"] == [
        "--index-url",
        "https://***@index.invalid/simple/",
        "--offline",
    ]


# -- table ------------------------------------------------------------------------------


def test_table_of_the_corpus() -> None:
    text = render(rollup(corpus_run(runner="1 process (serial)")), "table", now=NOW, width=120)
    lines = text.splitlines()
    assert lines[:4] == [
        "pyward fleet audit: 25 projects (20 audited, 5 could not be)",
        "1 process (serial)",
        "",
        "128 findings in 8 of 25 projects (1 critical, 16 high, 5 medium, 106 unknown); 13 projects"
        " failing (5 could not be",
    ]
    assert lines[4] == "audited)"
    assert "Advisories (top 10 of 95)" in lines
    assert "Upgrades, by findings cleared (top 10 of 35)" in lines
    assert "Projects, worst first (top 20 of 25)" in lines
    row = next(line for line in lines if line.startswith("upgrade urllib3"))
    assert re.split(r"\s{2,}", row) == [
        "upgrade urllib3 (1.25.6, 1.26.2, 2.0.3) to 2.0.7",
        "11",
        "6",
        "3",
        "0",
    ]
    row = next(line for line in lines if line.startswith("PYSEC-2024-60"))
    assert re.split(r"\s{2,}", row)[:5] == ["PYSEC-2024-60", "high", "4", "idna", "3.7"]
    row = next(line for line in lines if line.startswith("poetry/saleor-2020"))
    assert re.split(r"\s{2,}", row) == [
        "poetry/saleor-2020",
        "high",
        "69",
        "4 high, 2 medium, 63 unknown",
        "207",
        "FAILED",
    ]
    assert (
        "... and 5 more projects (0 failing): every project is in --format json and html" in lines
    )
    assert "  py: PYSEC-2022-42969 (3 projects)" in lines
    assert "  17 requirements: not pinned; lock the project first (2 projects)" in lines
    assert " ".join(lines[-3:-1]).endswith(
        "(2024-10-10T17:22:00.587279Z), 82 days old (20 projects)"
    )
    assert lines[-1] == "FAILED: 13 of 25 projects failing"
    assert "\x1b" not in text


def test_table_in_colour_and_a_clean_fleet() -> None:
    report = rollup(run(result("a"), result("b")))
    plain = render(report, "table", now=NOW, width=80)
    assert plain.splitlines()[2:3] == ["0 findings in 0 of 2 projects; 0 projects failing"]
    assert plain.splitlines()[-1] == "Passed: no project failing (2 projects)"
    assert "Advisories" not in plain
    coloured = render(report, "table", now=NOW, width=80, color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured).replace(" \n", "\n") != ""


# -- markdown ---------------------------------------------------------------------------


def test_markdown_of_the_corpus() -> None:
    text = render(rollup(corpus_run()), "markdown", now=NOW)
    lines = text.splitlines()
    assert lines[0] == "### pyward fleet audit: 25 projects (20 audited, 5 could not be)"
    assert (
        "| PYSEC-2024-60<br>CVE-2024-3651 | **high** | 4 | idna | 3.7 | A vulnerability was"
        " identified in the kjd/idna library, specifically within the \\`idna.encode()\\`"
        " function, affecting... |"
    ) in lines
    assert "| upgrade urllib3 (1.25.6, 1.26.2, 2.0.3) to 2.0.7 | 11 | 6 | 3 | 0 |" in lines
    assert (
        "| `poetry/saleor-2020` | high | 69 | 4 high, 2 medium, 63 unknown | **FAILED** |" in lines
    )
    assert "... and 5 more projects (0 failing)." in lines
    assert "**FAILED: 13 of 25 projects failing**" in lines
    assert lines[-1].startswith("<sub>Advisory data: built-in snapshot")


def test_markdown_removal_first_and_the_data_warning() -> None:
    text = render(_edge_reports()[2], "markdown", now=NOW)
    lines = text.splitlines()
    upgrades = lines.index("| Change | Findings | Advisories | Projects | Direct |")
    assert lines[upgrades + 2] == "| **remove evil 1.0** | 1 | 1 | 1 | 0 |"
    assert "| MAL-1 | **critical** | 1 | evil | remove | MAL-1 summary |" in lines
    assert any(
        line.startswith("> **Warning:** projects were audited with 2 different advisory data")
        for line in lines
    )


# -- html -------------------------------------------------------------------------------


def test_html_links_each_projects_page_relatively() -> None:
    report = rollup(run(result("api", page="api-0123456789.html"), result("web")))
    text = render(report, "html", now=NOW, pages="pages")
    assert '<a href="pages/api-0123456789.html">api</a>' in text
    assert '<a href="pages/' in text
    assert text.count("<a href=") == 1
    same_dir = render(report, "html", now=NOW)
    assert '<a href="api-0123456789.html">api</a>' in same_dir


def test_html_sections_and_cards() -> None:
    text = render(rollup(corpus_run()), "html", now=NOW)
    for anchor in ("advisories", "upgrades", "unfixable", "projects", "not-audited", "data"):
        assert f'<section id="{anchor}">' in text
    assert '<div class="card" data-card="projects"><b>25</b>projects</div>' in text
    assert "<strong>82 days old</strong>" in text
    assert text.count("<tr data-") == 95 + 35 + 25
    # Unique ids: the page's script finds each table by its id.
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    assert {"advisories-table", "upgrades-table", "projects-table"} <= set(ids)


# -- every format -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_report(fmt: str) -> None:
    for report in [rollup(corpus_run()), *_edge_reports()]:
        text = render(report, fmt, now=NOW, width=100)
        assert text.endswith("\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_is_escaped(fmt: str) -> None:
    text = render(_hostile(), fmt, now=NOW, width=100)
    # No control character, C1 control or bidi override reaches the output raw.
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    if fmt == "json":
        document = json.loads(text)
        _validator().validate(document)
        assert document["projects"][1]["project"] == HOSTILE_ID  # exact, once decoded
        assert document["advisories"][0]["affected"][0]["package"] == HOSTILE_PACKAGE
        return
    if fmt == "markdown":
        # Project ids are code spans, which GitHub shows as they are: no HTML.
        assert not re.search("<(script|img)", re.sub(r"`[^`]*`", "", text))
    if fmt == "html":
        assert "<script>alert" not in text
        assert "<img" not in text
    assert "\\x1b[2J" in text  # shown, not obeyed
    assert "\\u202e" in text
    if fmt == "markdown":
        # (NEL, U+0085, is whitespace to a code span: dropped at the end.)
        assert "`repos/\\x1b[2J\\u202eevil<script>alert(1)</script>\\|x`" in text
        assert "pkg&lt;img src=x onerror=alert(2)&gt;\\|\\\\x9b" in text
        assert "\\*\\*bold\\*\\* \\[link\\](javascript:alert(3)) \\| pipe" in text
    if fmt == "html":
        assert text.count("<script>") == 1  # the page's own
        assert "evil&lt;script&gt;alert(1)&lt;/script&gt;|x\\x85" in text
        # The page name from a cached result cannot leave for another host.
        assert 'href="evil.invalid/%3Cscript%3E.html"' in text
        assert "//evil.invalid" not in text


def test_unknown_format() -> None:
    with pytest.raises(UsageError, match="unknown fleet report format 'xml'"):
        render(rollup(run()), "xml")


def test_the_docs_name_every_key_of_the_schema() -> None:
    """docs/fleet-report.md documents every top-level key and every key of each
    section the schema defines, in the order the JSON writes them."""
    docs = (ROOT / "docs" / "fleet-report.md").read_text()
    schema = json.loads(SCHEMA.read_text())
    document = to_dict(_edge_reports()[2], now=NOW)
    assert list(document) == list(schema["properties"]) == schema["required"]
    for key, spec in schema["properties"].items():
        assert f"`{key}`" in docs, key
        if spec.get("type") == "object":
            assert list(document[key]) == list(spec["properties"]), key
            for sub in spec["properties"]:
                assert f"`{sub}`" in docs, f"{key}.{sub}"
        items = spec.get("items", {})
        if "properties" in items and document[key]:
            assert list(document[key][0]) == list(items["properties"]), key
            for sub in items["properties"]:
                assert f"`{sub}`" in docs, f"{key}[].{sub}"
