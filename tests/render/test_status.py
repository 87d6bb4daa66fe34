"""The package-status kinds in every format (issue 13): yanked releases, project
statuses, ends of life (a package's and the interpreter's), outdated and unmaintained
components, read together with the vulnerabilities; which findings fail the run and
which only inform; the age of every data source."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from pyward._findings import OutdatedDetail
from pyward._render import RENDERERS, render
from pyward._render._common import result_text
from pyward._report import AuditReport
from tests.render._reports import NOW, PYTHON_VERSION_FILE, status, status_finding
from tests.render.test_render import _validate


def _json(report: AuditReport, fmt: str = "json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report, fmt, color=False, now=NOW))
    return data


def _table(report: AuditReport) -> str:
    return render(report, "table", color=False, now=NOW, width=100)


def _interpreter_without_file() -> AuditReport:
    report = status()
    findings = tuple(
        dataclasses.replace(f, location=None) if f.location == PYTHON_VERSION_FILE else f
        for f in report.findings
    )
    return dataclasses.replace(report, findings=findings)


def _only_outdated() -> AuditReport:
    report = status()
    outdated = tuple(f for f in report.findings if f.kind == "outdated")
    return dataclasses.replace(report, findings=outdated, suppressed=(), failed=False)


# --- table --------------------------------------------------------------------------


def test_table_reads_status_and_vulnerabilities_together() -> None:
    text = _table(status())
    # The component's failing status is a row of its table, beside its advisories.
    django = text[text.index("django==3.1.4  EXPOSED") : text.index("Python 3.8 (interpreter)")]
    assert "eol:django@3.1        high            line 4.2        django 3.1 reached its" in django
    assert "PYSEC-2021-109        unknown         3.1.13, 3.2.5" in django
    # An informing status is named in the header of a component that has findings.
    assert (
        "requests==2.25.0  direct dependency\n"
        "  in tests/data/corpus/poetry/saleor-2020/poetry.lock:2034\n"
        "  also outdated (informs): latest 2.32.3: 13 releases, 0 major versions behind; pinned"
        " release from\n  2020-11-11\n"
    ) in text
    assert "Python 3.8 (interpreter)\n  in .python-version\n" in text


def test_table_lists_informing_findings_in_one_compact_section() -> None:
    text = _table(status())
    section = text[text.index("Informational (") : text.index("Fix plan")]
    # One line per finding, by kind: the id (what an ignore rule names) and the status.
    assert section.splitlines() == [
        "Informational (1 project status, 1 outdated, 1 unmaintained): reported, not failing"
        " the run",
        "ID                                Status",
        "-" * 100,
        "project-status:transifex-client   archived: moved to transifex-cli",
        "outdated:requests@2.25.0          latest 2.32.3: 13 releases, 0 major versions behind;"
        " pinned",
        "                                  release from 2020-11-11",
        "unmaintained:pytimeparse          no release since 2018-05-18 (6.5 years)",
        "",
    ]
    # Nothing that only informs is in a component's table of failing findings.
    main = text[: text.index("Informational (")]
    for fid in ("outdated:requests@2.25.0", "unmaintained:pytimeparse", "project-status:"):
        assert fid not in main


def test_table_footer_names_every_source_and_counts_each_kind() -> None:
    text = _table(status())
    assert text.endswith(
        "Advisory data: tests/data/pypa-advisory-database/vulns, 2661 records\n"
        "Data age: 21 days old (newest record 2024-10-10T17:22:00.587279Z, "
        "updated 2024-10-11T06:30:00Z)\n"
        "Index metadata: https://index.invalid/simple/; updated 2024-10-30T09:15:00Z, 2 days old,"
        " stale\n"
        "Lifecycle data: built-in snapshot (endoflife.date, MIT); updated 2024-10-20T00:00:00Z, 12"
        " days old\n"
        "Audited 6 packages: 2 known vulnerabilities, 1 yanked release, 1 project status, 2 past"
        " end of life,\n"
        "1 outdated, 1 unmaintained (3 high, 1 medium, 2 low, 2 unknown), 1 suppressed\n"
        "FAILED: 3 findings at or above high; 2 findings of unknown severity (failing because\n"
        "unknown-severity = fail); 3 findings only inform (1 project status, 1 outdated, 1"
        " unmaintained)\n"
    )


def test_fail_on_kinds_moves_a_kind_between_the_sections() -> None:
    report = dataclasses.replace(
        status(), fail_on_kinds=frozenset({"vulnerability", "eol", "outdated"})
    )
    text = _table(report)
    main, informational = text.split("Informational (")
    assert "outdated:requests@2.25.0   low             2.32.3" in main
    assert "yanked:regex@2020.11.13" not in main
    assert "yanked:regex@2020.11.13           yanked: Regression in <b>match</b> |" in informational
    data = _json(report)
    assert data["fail_on_kinds"] == ["eol", "outdated", "vulnerability"]
    fails = {f["id"]: f["fails"] for f in data["findings"]}
    # outdated fails by kind now, but it is low: below the threshold (high).
    assert fails["outdated:requests@2.25.0"] is False
    assert fails["yanked:regex@2020.11.13"] is False
    assert fails["eol:django@3.1"] is True


def test_an_informing_finding_is_never_called_a_failure() -> None:
    report = _only_outdated()
    assert result_text(report) == (
        "Passed: no failing finding at or above high; 1 finding only informs (1 outdated)"
    )
    failing = dataclasses.replace(report, fail_on=None, fail_on_kinds=frozenset({"outdated"}))
    failing = dataclasses.replace(failing, failed=True)
    assert result_text(failing) == "FAILED: 1 finding"
    markdown = render(report, "markdown", color=False, now=NOW)
    assert "**Passed: no failing finding at or above high; 1 finding only informs" in markdown
    assert "| Package | Version | ID | Severity |" not in markdown


# --- json ---------------------------------------------------------------------------


def test_json_detail_of_each_kind() -> None:
    data = _json(status())
    by_id = {f["id"]: f for f in data["findings"]}
    assert {f["kind"] for f in data["findings"]} == {
        "vulnerability", "yanked", "project-status", "eol", "outdated", "unmaintained",
    }  # fmt: skip
    assert by_id["yanked:regex@2020.11.13"]["detail"] == {
        "reason": "Regression in <b>match</b> | see the changelog",
        "index": "https://index.invalid/simple/",
    }
    assert by_id["yanked:regex@2020.11.13"]["aliases"] == ["yanked:regex"]
    assert by_id["project-status:transifex-client"]["detail"] == {
        "status": "archived",
        "reason": "moved to transifex-cli",
        "index": "https://index.invalid/simple/",
    }
    assert by_id["outdated:requests@2.25.0"]["detail"] == {
        "latest": "2.32.3",
        "releases_behind": 13,
        "majors_behind": 0,
        "pinned_released": "2020-11-11",
        "latest_released": "2024-05-29",
        "python": "3.8",
    }
    assert by_id["unmaintained:pytimeparse"]["detail"] == {
        "last_release": "2018-05-18",
        "years": 6.46,
        "inactive": False,
    }
    interpreter = by_id["eol:python@3.8"]
    assert (interpreter["name"], interpreter["version"], interpreter["purl"]) == (None,) * 3
    assert interpreter["path"] == []
    assert interpreter["location"] == {"file": ".python-version", "line": 1}
    assert interpreter["detail"] == {
        "subject": "interpreter",
        "product": "python",
        "cycle": "3.8",
        "eol": "2024-10-07",
        "supported": ["3.9", "3.10", "3.11", "3.12", "3.13"],
        "latest": "3.8.20",
        "source": "built-in snapshot (endoflife.date, MIT), 2024-10-20",
    }
    for f in data["findings"]:
        if f["kind"] == "vulnerability":
            assert "detail" not in f
        else:
            assert "fixed_in" not in f
            assert f["severity"]["type"] == "check"


def test_json_fails_sources_and_summary() -> None:
    data = _json(status())
    assert [(f["id"], f["fails"]) for f in data["findings"]] == [
        ("eol:django@3.1", True),
        ("PYSEC-2021-109", True),
        ("eol:python@3.8", True),
        ("yanked:regex@2020.11.13", True),
        ("project-status:transifex-client", False),
        ("unmaintained:pytimeparse", False),
        ("outdated:requests@2.25.0", False),
        ("PYSEC-2023-74", True),
    ]
    assert [(s["id"], s["fails"], s["detail"]["latest"]) for s in data["suppressed"]] == [
        ("outdated:six@1.15.0", False, "1.16.0")
    ]
    assert data["sources"] == [
        {
            "name": "index metadata",
            "origin": "https://index.invalid/simple/",
            "updated": "2024-10-30T09:15:00Z",
            "age_days": 2.11,
            "stale": True,
        },
        {
            "name": "lifecycle data",
            "origin": "built-in snapshot (endoflife.date, MIT)",
            "updated": "2024-10-20T00:00:00Z",
            "age_days": 12.5,
            "stale": False,
        },
    ]
    assert data["fail_on_kinds"] is None
    summary = data["summary"]
    assert (summary["findings"], summary["failing"]) == (8, 5)
    assert summary["by_kind"] == {
        "vulnerability": 2,
        "yanked": 1,
        "project-status": 1,
        "eol": 2,
        "outdated": 1,
        "unmaintained": 1,
    }


def test_json_names_the_skipped_checks() -> None:
    from tests.render._reports import litestar

    data = _json(litestar())
    assert [s["check"] for s in data["skipped_checks"]] == [
        "yanked", "project-status", "outdated", "unmaintained",
    ]  # fmt: skip
    assert data["skipped_checks"][0]["reason"] == (
        "needs package-index metadata (the index port, online or cached): "
        "--offline and nothing cached"
    )
    assert data["warnings"][0] == f"check yanked did not run: {data['skipped_checks'][0]['reason']}"


def test_json_schema_rejects_a_detail_of_the_wrong_kind() -> None:
    import jsonschema

    from tests.render.test_render import JSON_SCHEMA

    validator = jsonschema.Draft202012Validator(json.loads(JSON_SCHEMA.read_text()))
    data = _json(status())
    yanked = next(f for f in data["findings"] if f["kind"] == "yanked")
    yanked["detail"] = {"latest": "1.0"}
    outdated = next(f for f in data["findings"] if f["kind"] == "outdated")
    del outdated["fails"]
    messages = {e.message for e in validator.iter_errors(data)}
    assert {
        "'fails' is a required property",
        "'index' is a required property",
        "'reason' is a required property",
        "Additional properties are not allowed ('latest' was unexpected)",
    } <= messages
    data = _json(status())
    interpreter = next(f for f in data["findings"] if f["id"] == "eol:python@3.8")
    interpreter["name"] = "python"
    assert "'python' is not of type 'null'" in {e.message for e in validator.iter_errors(data)}


# --- markdown -----------------------------------------------------------------------


def test_markdown_status_rows_and_informational_table() -> None:
    lines = render(status(), "markdown", color=False, now=NOW).splitlines()
    docs = "https://github.com/pyward/pyward/blob/main/docs/checks.md"
    assert (
        f"| Python 3.8 (interpreter) |  | [eol:python@3.8]({docs}#eol)<br>eol:python | **high** "
        "| line 3.9 |  | Python 3.8 reached its end of life on 2024-10-07; upgrade to 3.9 or "
        "later |"
    ) in lines
    assert (
        f"| regex | 2020.11.13 | [yanked:regex@2020.11.13]({docs}#yanked)<br>yanked:regex | "
        "**high** | - | regex==2020.11.13 | regex 2020.11.13 was yanked: Regression in "
        "&lt;b&gt;match&lt;/b&gt; \\| see the changelog |"
    ) in lines
    start = lines.index("<details>", lines.index("| Package | Version | ID | Kind | Status |") - 3)
    assert lines[start : start + 10] == [
        "<details>",
        "<summary>Informational (1 project status, 1 outdated, 1 unmaintained): reported, not "
        "failing the run</summary>",
        "",
        "| Package | Version | ID | Kind | Status |",
        "|---|---|---|---|---|",
        f"| transifex-client | 0.14.2 | [project-status:transifex-client]({docs}#project-status)"
        " | project-status | archived: moved to transifex-cli |",
        f"| requests | 2.25.0 | [outdated:requests@2.25.0]({docs}#outdated) | outdated | latest "
        "2.32.3: 13 releases, 0 major versions behind; pinned release from 2020-11-11 |",
        f"| pytimeparse | 1.1.8 | [unmaintained:pytimeparse]({docs}#unmaintained) | unmaintained "
        "| no release since 2018-05-18 (6.5 years) |",
        "",
        "</details>",
    ]
    assert lines[-1].startswith("<sub>Advisory data: ")
    assert (
        "Index metadata: https://index.invalid/simple/; updated 2024-10-30T09:15:00Z, 2 days "
        "old, stale. Lifecycle data: built-in snapshot (endoflife.date, MIT); updated "
        "2024-10-20T00:00:00Z, 12 days old. 6 packages audited"
    ) in lines[-1]


# --- sarif --------------------------------------------------------------------------


def test_sarif_one_rule_per_status_check() -> None:
    run = _json(status(), "sarif")["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {
        "eol", "PYSEC-2021-109", "yanked", "project-status", "unmaintained", "outdated",
        "PYSEC-2023-74",
    }  # fmt: skip
    yanked = rules["yanked"]
    assert yanked["helpUri"] == "https://github.com/pyward/pyward/blob/main/docs/checks.md#yanked"
    assert yanked["shortDescription"]["text"] == (
        "A pinned release that its index has yanked (PEP 592), with the reason."
    )
    assert yanked["properties"]["security-severity"] == "7.0"
    assert yanked["properties"]["tags"] == ["security", "yanked"]
    outdated = rules["outdated"]
    assert outdated["defaultConfiguration"] == {"level": "note"}
    assert outdated["properties"]["tags"] == ["maintenance", "outdated"]
    # An informing kind is not a security alert.
    assert "security-severity" not in outdated["properties"]
    assert outdated["fullDescription"]["text"].endswith(
        "Findings of this kind inform; they do not fail the run unless fail-on-kinds names it."
    )


def test_sarif_levels_follow_the_gate_for_every_kind() -> None:
    run = _json(status(), "sarif")["runs"][0]
    levels = [(r["properties"]["id"], r["ruleId"], r["level"]) for r in run["results"]]
    assert levels == [
        ("eol:django@3.1", "eol", "error"),
        ("PYSEC-2021-109", "PYSEC-2021-109", "error"),
        ("eol:python@3.8", "eol", "error"),
        ("yanked:regex@2020.11.13", "yanked", "error"),
        ("project-status:transifex-client", "project-status", "note"),
        ("unmaintained:pytimeparse", "unmaintained", "note"),
        ("outdated:requests@2.25.0", "outdated", "note"),
        ("PYSEC-2023-74", "PYSEC-2023-74", "error"),
        ("outdated:six@1.15.0", "outdated", "note"),
    ]
    informing = next(r for r in run["results"] if r["ruleId"] == "unmaintained")
    assert informing["message"]["text"].endswith(" This finding informs; it does not fail the run.")
    assert informing["properties"]["fails"] is False
    assert informing["properties"]["detail"] == {
        "last_release": "2018-05-18",
        "years": 6.46,
        "inactive": False,
    }
    assert run["properties"]["sources"][0]["stale"] is True
    assert run["properties"]["failOnKinds"] is None


def test_sarif_interpreter_result_with_and_without_a_file() -> None:
    run = _json(status(), "sarif")["runs"][0]
    (located,) = [r for r in run["results"] if r["properties"]["id"] == "eol:python@3.8"]
    assert located["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": ".python-version", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1},
            },
            "logicalLocations": [{"name": "Python 3.8 (interpreter)", "kind": "resource"}],
        }
    ]
    data = _json(_interpreter_without_file(), "sarif")
    _validate("sarif", data)
    run = data["runs"][0]
    # No file to point at: not a result (GitHub rejects a SARIF file with a result
    # without locations) but a notification of the run, with its rule and level.
    assert all(r["properties"]["id"] != "eol:python@3.8" for r in run["results"])
    assert all("locations" in r for r in run["results"])
    (note,) = [
        n for n in run["invocations"][0]["toolExecutionNotifications"] if "associatedRule" in n
    ]
    rules = run["tool"]["driver"]["rules"]
    assert rules[note["associatedRule"]["index"]]["id"] == note["associatedRule"]["id"] == "eol"
    assert note["level"] == "error"
    assert note["message"]["text"] == (
        "Python 3.8 (interpreter): eol:python@3.8 (eol:python): Python 3.8 reached its end of "
        "life on 2024-10-07; upgrade to 3.9 or later (python 3.8 end of life 2024-10-07; "
        "oldest supported line 3.9)."
    )
    assert note["properties"]["detail"]["subject"] == "interpreter"
    assert note["properties"]["fails"] is True


# --- cyclonedx-vex ------------------------------------------------------------------


def test_cyclonedx_status_properties_on_components() -> None:
    bom = _json(status(), "cyclonedx-vex")
    props = {c["name"]: c.get("properties", []) for c in bom["components"]}
    assert props["regex"] == [
        {
            "name": "pyward:status:yanked",
            "value": "yanked:regex@2020.11.13 (high, fails the run): yanked: Regression in "
            "<b>match</b> | see the changelog",
        }
    ]
    assert props["django"] == [
        {"name": "cdx:lifecycle:milestone:endOfSupport", "value": "2021-12-07"},
        {
            "name": "pyward:status:eol",
            "value": "eol:django@3.1 (high, fails the run): django 3.1 end of life 2021-12-07; "
            "oldest supported line 4.2",
        },
    ]
    assert props["requests"] == [
        {
            "name": "pyward:status:outdated",
            "value": "outdated:requests@2.25.0 (low, informs): latest 2.32.3: 13 releases, 0 "
            "major versions behind; pinned release from 2020-11-11",
        }
    ]
    assert props["six"] == []  # its outdated pin is suppressed: a document property
    # Vulnerabilities stay vulnerabilities; no status finding is one.
    assert [v["id"] for v in bom["vulnerabilities"]] == ["PYSEC-2021-109", "PYSEC-2023-74"]


def test_cyclonedx_document_properties() -> None:
    bom = _json(status(), "cyclonedx-vex")
    props = {p["name"]: p["value"] for p in bom["metadata"]["properties"]}
    assert props["pyward:status:eol"] == (
        "eol:python@3.8 (high, fails the run): Python 3.8 (interpreter): python 3.8 end of life "
        "2024-10-07; oldest supported line 3.9"
    )
    # The interpreter's end of life is not the document's.
    assert "cdx:lifecycle:milestone:endOfSupport" not in props
    assert props["pyward:source:index-metadata"] == (
        "https://index.invalid/simple/; updated 2024-10-30T09:15:00Z, 2 days old, stale"
    )
    assert props["pyward:source:lifecycle-data"] == (
        "built-in snapshot (endoflife.date, MIT); updated 2024-10-20T00:00:00Z, 12 days old"
    )
    assert props["pyward:suppressed:outdated"] == (
        "outdated:six@1.15.0 six==1.15.0: ignore outdated:six (pyproject.toml: "
        "tool.pyward.ignore[0]): pinned by graphene 2"
    )


# --- every format ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_every_format_names_every_status_finding(fmt: str) -> None:
    report = _interpreter_without_file()
    text = render(report, fmt, color=False, now=NOW, width=100)
    if RENDERERS[fmt].media_type.endswith("json"):
        _validate(fmt, json.loads(text))
    for f in report.findings:
        assert f.id in text, (fmt, f.id)


def test_an_outdated_pin_alone_reads_in_the_informational_section() -> None:
    report = status()
    requests = next(c for c in report.components if c.name == "requests")
    bare = status_finding(
        requests,
        "outdated",
        OutdatedDetail(latest="2.32.3", releases_behind=1, majors_behind=1),
        "requests 2.25.0: a newer major version",
        level="low",
        name="requests",
        version="2.25.0",
    )
    text = _table(dataclasses.replace(report, findings=(bare,), suppressed=(), failed=False))
    assert "outdated:requests@2.25.0   latest 2.32.3: 1 release, 1 major version behind\n" in text


def test_a_source_of_unknown_age_and_one_hours_old() -> None:
    from datetime import timedelta

    from pyward._report import DataSource

    report = dataclasses.replace(
        status(),
        sources=(
            DataSource(
                name="index metadata",
                origin="https://index.invalid/simple/",
                updated=NOW - timedelta(hours=3, minutes=50),
            ),
            DataSource(name="lifecycle data", origin="https://lifecycle.invalid/all.json"),
        ),
    )
    text = _table(report)
    assert (
        "Index metadata: https://index.invalid/simple/; updated 2024-11-01T08:10:00Z, 3 hours old\n"
        "Lifecycle data: https://lifecycle.invalid/all.json; age unknown\n"
    ) in text
    data = _json(report)
    _validate("json", data)
    assert [(s["updated"], s["age_days"]) for s in data["sources"]] == [
        ("2024-11-01T08:10:00Z", 0.16),
        (None, None),
    ]
