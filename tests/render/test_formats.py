"""What each format says about the real reports, value by value."""

from __future__ import annotations

import dataclasses
import json
import os
import re

import pytest

from pyward._findings import Level, Rating
from pyward._gate import UnknownPolicy
from pyward._render import render
from pyward._render._common import result_text
from pyward._render._markdown import escape
from pyward._render._sarif import _artifact
from pyward._report import AuditReport
from pyward._settings import Settings
from pyward.errors import UsageError
from tests.conftest import component_of
from tests.render._reports import HTTPBIN, NOW, SALEOR, httpbin, litestar, saleor

BOX_DRAWING = re.compile("[\u2500-\u257f]")


# --- table --------------------------------------------------------------------------


def test_plain_table_has_no_escape_codes_and_no_box_drawing() -> None:
    text = render(saleor(), "table", color=False, now=NOW, width=100)
    assert "\x1b" not in text
    assert not BOX_DRAWING.search(text)
    assert all(line == line.rstrip() for line in text.splitlines())


def test_colour_table_styles_severities() -> None:
    report = saleor()
    first, second, *rest = report.findings
    report = dataclasses.replace(
        report,
        findings=(
            dataclasses.replace(first, rating=Rating(level="critical", score=9.8)),
            dataclasses.replace(second, rating=Rating(level="low", score=3.1)),
            *rest,
        ),
    )
    text = render(report, "table", color=True, now=NOW, width=100)
    assert "\x1b[1;31mcritical 9.8" in text
    assert "\x1b[36mlow 3.1" in text
    assert "\x1b[31mhigh 7.8" in text
    assert "\x1b[35munknown" in text
    assert "\x1b[1;33mEXPOSED: network client\x1b[0m" in text


def test_table_lists_exposed_packages_first() -> None:
    text = render(saleor(), "table", color=False, now=NOW, width=100)
    heads = re.findall(r"^(\S+==\S+)(?:  EXPOSED)?", text, re.MULTILINE)
    assert heads == [
        "urllib3==1.26.2",
        "requests==2.25.0",
        "gitpython==3.1.11",
        "idna==2.10",
        "jinja2==2.11.2",
        "py==1.9.0",
    ]
    assert "Network-facing packages (EXPOSED) are listed first: fix them first." in text
    assert "  via requests==2.25.0 > urllib3==1.26.2\n" in text
    assert f"  in {SALEOR}:2333\n" in text


def test_table_footer_and_sections() -> None:
    text = render(saleor(), "table", color=False, now=NOW, width=100)
    assert "  upgrade idna==2.10 to 3.7 (new major version); fixes PYSEC-2024-60\n" in text
    assert (
        "  py==1.9.0: no release fixes every finding; a later release fixes PYSEC-2020-92; no"
        in text
    )
    assert (
        "  PYSEC-2021-142 in pyyaml==5.3.1: ignore PYSEC-2021-142 (pyproject.toml: "
        "tool.pyward.ignore[0]):\n  only yaml.safe_load is used\n"
        "  PYSEC-2021-19 in lxml==4.6.2: VEX not_affected: vex/saleor.openvex.json "
        "statements[0]\n  (vulnerable_code_not_in_execute_path)\n"
    ) in text
    assert text.endswith(
        "Advisory data: tests/data/pypa-advisory-database/vulns, 2661 records\n"
        "Data age: 21 days old (newest record 2024-10-10T17:22:00.587279Z, "
        "updated 2024-10-11T06:30:00Z)\n"
        "Audited 10 packages: 9 known vulnerabilities (3 high, 1 medium, 5 unknown), "
        "2 suppressed\n"
        "FAILED: 3 findings at or above high; 5 findings of unknown severity (failing because\n"
        "unknown-severity = fail)\n"
    )


def test_table_without_findings() -> None:
    text = render(litestar(), "table", color=False, now=NOW, width=100)
    assert "\nNo known vulnerabilities found in 9 packages\n" in text
    assert "Advisory data: built-in snapshot, 2661 records\n" in text
    assert text.endswith("Passed: no finding at or above medium\n")


# --- json ---------------------------------------------------------------------------


def test_json_findings_fix_and_order() -> None:
    data = json.loads(render(saleor(), "json", color=False, now=NOW))
    assert list(data) == [
        "schema_version", "tool", "database", "sources", "inventories", "components",
        "not_audited", "findings", "suppressed", "fix_plan", "warnings", "errors",
        "skipped_checks", "fail_on_kinds", "policy", "provenance", "summary",
    ]  # fmt: skip
    assert [(f["id"], f["fix"]) for f in data["findings"]] == [
        ("PYSEC-2023-192", "1.26.18"),
        ("PYSEC-2023-212", "1.26.18"),
        ("PYSEC-2021-108", "1.26.18"),
        ("PYSEC-2023-74", "2.31.0"),
        ("PYSEC-2023-161", "3.1.33"),
        ("PYSEC-2024-60", "3.7"),
        ("PYSEC-2021-66", "2.11.3"),
        ("PYSEC-2020-92", None),
        ("PYSEC-2022-42969", None),
    ]
    first = data["findings"][0]
    assert first["severity"] == {
        "level": "high",
        "score": 8.1,
        "vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N",
        "type": "CVSS_V3",
        "scores": [
            {
                "type": "CVSS_V3",
                "vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N",
                "score": 8.1,
                "level": "high",
            }
        ],
    }
    assert first["path"] == ["requests==2.25.0", "urllib3==1.26.2"]
    assert first["location"] == {"file": SALEOR, "line": 2333}
    assert (
        first["url"] == "https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f"
    )
    assert data["summary"] == {
        "components": 10,
        "not_audited": 0,
        "findings": 9,
        "failing": 8,
        "suppressed": 2,
        "by_severity": {"critical": 0, "high": 3, "medium": 1, "low": 0, "unknown": 5},
        "by_kind": {"vulnerability": 9},
        "fail_on": "high",
        "failed": True,
    }
    # PYSEC-2023-212 is medium, below the threshold: it does not fail the run.
    assert [f["id"] for f in data["findings"] if not f["fails"]] == ["PYSEC-2023-212"]
    assert all(s["fails"] is False for s in data["suppressed"])
    assert data["database"]["age_days"] == 21.78
    assert [
        (s["id"], s["rule"], s["suppressed_by"], s["state"], s["justification"])
        for s in data["suppressed"]
    ] == [
        (
            "PYSEC-2021-142",
            "ignore PYSEC-2021-142 (pyproject.toml: tool.pyward.ignore[0])",
            "ignore",
            None,
            None,
        ),
        (
            "PYSEC-2021-19",
            "VEX not_affected: vex/saleor.openvex.json statements[0]",
            "vex",
            "not_affected",
            "vulnerable_code_not_in_execute_path",
        ),
    ]


def test_advisory_url_falls_back_to_a_configurable_osv_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # PYSEC-2024-60's references name no id of the flaw (a commit and a bounty page).
    def url() -> str:
        configured = Settings.from_environ(os.environ).advisory_url
        data = json.loads(render(saleor(), "json", color=False, now=NOW, advisory_url=configured))
        found: str = next(f["url"] for f in data["findings"] if f["id"] == "PYSEC-2024-60")
        return found

    assert url() == "https://osv.dev/vulnerability/PYSEC-2024-60"
    monkeypatch.setenv("PYWARD_ADVISORY_URL", "https://osv.mirror.invalid/vuln/")
    assert url() == "https://osv.mirror.invalid/vuln/PYSEC-2024-60"
    monkeypatch.setenv("PYWARD_ADVISORY_URL", "ftp://x")
    with pytest.raises(UsageError) as err:
        url()
    assert str(err.value) == "advisory URL must be an http(s) URL with {id}: 'ftp://x/{id}'"


def test_unknown_format_and_bad_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError) as err:
        render(saleor(), "pdf", color=False)
    assert str(err.value) == (
        "unknown output format 'pdf' "
        "(choose from table, json, markdown, sarif, cyclonedx-vex, html)"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    # Parsed once for every command, where the settings are resolved; the message is
    # the SBOM writer's, which also covers integers out of range.
    with pytest.raises(UsageError) as err:
        Settings.from_environ(os.environ)
    assert str(err.value) == "SOURCE_DATE_EPOCH: not a Unix timestamp: 'yesterday'"


# --- markdown -----------------------------------------------------------------------


def test_markdown_escapes_untrusted_text() -> None:
    assert escape("a | b <script>*x*</script> [l](u) `c` ~s~ _e_ &amp;") == (
        r"a \| b &lt;script&gt;\*x\*&lt;/script&gt; \[l\](u) \`c\` \~s\~ \_e\_ &amp;amp;"
    )
    assert escape("1. one") == r"1\. one"
    assert escape("# title") == r"\# title"
    assert escape("1.26.2") == "1.26.2"
    report = saleor()
    hostile = dataclasses.replace(report.findings[0], summary="pipe | in <b>summary</b>\nnext")
    report = dataclasses.replace(report, findings=(hostile, *report.findings[1:]))
    text = render(report, "markdown", color=False, now=NOW)
    row = next(line for line in text.splitlines() if "PYSEC-2023-192" in line)
    assert len(re.split(r"(?<!\\)\|", row)) == 9  # 7 cells between 8 bars
    assert row.endswith(r"| pipe \| in &lt;b&gt;summary&lt;/b&gt; next |")


def test_markdown_table_and_details() -> None:
    text = render(httpbin(), "markdown", color=False, now=NOW)
    assert text.startswith(
        "### pyward: 6 known vulnerabilities in 4 of 5 packages (1 high, 5 unknown)\n\n"
        "**FAILED: 1 finding; 5 findings of unknown severity (failing because "
        "unknown-severity = fail)**\n"
    )
    assert (
        "| werkzeug **(exposed: web framework)** | 0.14.1 | [PYSEC-2023-221](https://github.com/pallets/werkzeug/"
        "security/advisories/GHSA-hrfv-mqp8-q5rw)<br>CVE-2023-46136, GHSA-hrfv-mqp8-q5rw | "
        "**high** 7.5 | 2.3.8, 3.0.1 | flask==1.0.2 &gt; werkzeug==0.14.1 |"
    ) in text
    assert "<details>\n<summary>Not audited (1)</summary>\n\n- `pyyaml @ git+" in text
    assert "pypi" not in text.lower()


# --- sarif --------------------------------------------------------------------------


def test_sarif_results_rules_and_locations() -> None:
    run = json.loads(render(saleor(), "sarif", color=False, now=NOW))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert len(rules) == 11  # 9 findings + 2 suppressed, all distinct ids
    assert rules["PYSEC-2023-192"]["properties"]["security-severity"] == "8.1"
    assert "security-severity" not in rules["PYSEC-2021-108"]["properties"]
    assert rules["PYSEC-2023-192"]["help"]["text"] == (
        "PYSEC-2023-192, CVE-2023-43804, GHSA-v845-jxx5-vc9f. Upgrade urllib3 to a fixed "
        "version: 1.26.17 or 2.0.6. See "
        "https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f"
    )
    levels = [(r["ruleId"], r["level"]) for r in run["results"]]
    assert levels[:3] == [
        ("PYSEC-2023-192", "error"),
        ("PYSEC-2023-212", "warning"),
        # Unknown severity fails this run (unknown-severity = fail): an error, as the
        # gate says, not a note (issue 11, item 13).
        ("PYSEC-2021-108", "error"),
    ]
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": SALEOR, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2333},
    }
    assert first["message"]["text"].startswith(
        "urllib3==1.26.2 is affected by PYSEC-2023-192 (CVE-2023-43804, GHSA-v845-jxx5-vc9f): "
    )
    assert first["message"]["text"].endswith(
        " Fixed in 1.26.17, 2.0.6. Path: requests==2.25.0 > urllib3==1.26.2."
    )
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [s["suppressions"][0] for s in suppressed] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "ignore PYSEC-2021-142 (pyproject.toml: tool.pyward.ignore[0]): "
            "only yaml.safe_load is used",
            "properties": {"kind": "ignore"},
        },
        {
            "kind": "external",
            "status": "accepted",
            "justification": "VEX not_affected: vex/saleor.openvex.json statements[0]: "
            "not_affected: vulnerable_code_not_in_execute_path",
            "properties": {
                "kind": "vex",
                "state": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
            },
        },
    ]
    assert run["properties"]["database"]["recordCount"] == 2661


def test_sarif_location_without_line_or_without_location() -> None:
    run = json.loads(render(httpbin(), "sarif", color=False, now=NOW))["runs"][0]
    by_rule = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in run["results"]}
    # werkzeug has no location: the inventory's file, no region.
    assert by_rule["PYSEC-2023-221"] == {
        "artifactLocation": {"uri": HTTPBIN, "uriBaseId": "%SRCROOT%"}
    }
    # flask is in a JSON lock the reader has no lines for.
    assert by_rule["PYSEC-2023-62"] == {
        "artifactLocation": {"uri": HTTPBIN, "uriBaseId": "%SRCROOT%"}
    }
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["warning", "error"]
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_fingerprint_ignores_path_and_line() -> None:
    report = saleor()
    moved = dataclasses.replace(
        report,
        findings=tuple(
            dataclasses.replace(f, path=(component_of(f).key,)) for f in report.findings
        ),
    )

    def prints(r: object) -> list[str]:
        run = json.loads(render(r, "sarif", color=False, now=NOW))["runs"][0]  # type: ignore[arg-type]
        return [x["partialFingerprints"]["pywardFinding/v1"] for x in run["results"]]

    assert prints(report) == prints(moved)
    assert len(set(prints(report))) == 11


def test_sarif_artifact_uris() -> None:
    assert _artifact("sub\\dir\\uv.lock") == {"uri": "sub/dir/uv.lock", "uriBaseId": "%SRCROOT%"}
    assert _artifact("my project/uv.lock") == {
        "uri": "my%20project/uv.lock",
        "uriBaseId": "%SRCROOT%",
    }
    assert _artifact("/elsewhere/uv.lock") == {"uri": "file:///elsewhere/uv.lock"}


# --- cyclonedx-vex ------------------------------------------------------------------


def test_cyclonedx_vulnerabilities_and_analysis() -> None:
    bom = json.loads(render(saleor(), "cyclonedx-vex", color=False, now=NOW))
    assert bom["specVersion"] == "1.6"
    assert bom["metadata"]["timestamp"] == "2024-11-01T12:00:00+00:00"
    assert bom["metadata"]["tools"]["components"][0]["name"] == "pyward"
    vulns = {v["bom-ref"]: v for v in bom["vulnerabilities"]}
    urllib3 = vulns["PYSEC-2023-192/pkg:pypi/urllib3@1.26.2"]
    assert urllib3["ratings"] == [
        {
            "method": "CVSSv31",
            "score": 8.1,
            "severity": "high",
            "source": {
                "name": "PyPA Advisory Database",
                "url": "https://osv.dev/vulnerability/PYSEC-2023-192",
            },
            "vector": "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N",
        }
    ]
    assert urllib3["recommendation"] == "Upgrade urllib3 to 1.26.18."
    assert urllib3["affects"] == [
        {
            "ref": "pkg:pypi/urllib3@1.26.2",
            # cyclonedx-python-lib keeps versions in a sorted set (text order).
            "versions": [
                {"status": "unaffected", "version": "1.26.17"},
                {"status": "affected", "version": "1.26.2"},
                {"status": "unaffected", "version": "2.0.6"},
            ],
        }
    ]
    assert [r["id"] for r in urllib3["references"]] == ["CVE-2023-43804", "GHSA-v845-jxx5-vc9f"]
    assert "analysis" not in urllib3
    assert (
        vulns["PYSEC-2022-42969/pkg:pypi/py@1.9.0"]["recommendation"]
        == "No fixed version is known."
    )
    assert vulns["PYSEC-2021-142/pkg:pypi/pyyaml@5.3.1"]["analysis"] == {
        "detail": (
            "ignore PYSEC-2021-142 (pyproject.toml: tool.pyward.ignore[0]): "
            "only yaml.safe_load is used"
        ),
        "response": ["will_not_fix"],
        "state": "in_triage",
    }
    assert vulns["PYSEC-2021-19/pkg:pypi/lxml@4.6.2"]["analysis"] == {
        "detail": "VEX not_affected: vex/saleor.openvex.json statements[0]: "
        "not_affected: vulnerable_code_not_in_execute_path",
        "justification": "code_not_reachable",
        "state": "not_affected",
    }
    refs = {c["bom-ref"] for c in bom["components"]}
    assert all(t["ref"] in refs for v in bom["vulnerabilities"] for t in v["affects"])


def test_cyclonedx_is_reproducible_with_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1730462400")
    epoch = Settings.from_environ(os.environ).source_date_epoch
    first = render(saleor(), "cyclonedx-vex", color=False, now=epoch)
    second = render(saleor(), "cyclonedx-vex", color=False, now=epoch)
    assert first == second
    bom = json.loads(first)
    assert bom["metadata"]["timestamp"] == "2024-11-01T12:00:00+00:00"
    assert (
        bom["serialNumber"]
        == json.loads(render(saleor(), "cyclonedx-vex", color=False, now=NOW))["serialNumber"]
    )
    other = json.loads(render(httpbin(), "cyclonedx-vex", color=False, now=epoch))
    assert other["serialNumber"] != bom["serialNumber"]


def _first_summary(text: str) -> list[str]:
    """The summary cell of the first finding of a plain table, line by line."""
    lines = text.split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("ID "))
    column = lines[head].index("Summary")
    cell = []
    for line in lines[head + 2 :]:
        if not line:
            break
        cell.append(line[column:])
    return cell


@pytest.mark.parametrize(
    ("width", "cell"),
    [
        (
            80,
            ["If an upload of a file that", "starts with CR or LF and", "then is followed by..."],
        ),
        (
            120,
            [
                "If an upload of a file that starts with CR or LF and then is",
                "followed by megabytes of data without these characters: all of",
                "these bytes are appended chunk by chunk into internal bytearray...",
            ],
        ),
        (
            200,
            [
                "If an upload of a file that starts with CR or LF and then is followed by"
                " megabytes of data without these characters: all of these bytes are",
                "appended chunk by chunk into internal bytearray and lookup for boundary is"
                " performed on growing buffer.",
                "",  # the third alias's line
            ],
        ),
    ],
)
def test_table_summary_fits_the_width_in_three_lines(width: int, cell: list[str]) -> None:
    # Issue 11, item 12: the summary fills the terminal's room, not a fixed 160 characters.
    text = render(httpbin(), "table", color=False, now=NOW, width=width)
    assert _first_summary(text) == cell


# --- the verdict in words and levels (issue 11, item 13) -----------------------------


def _unknown_only(fail_on: Level, unknown_severity: UnknownPolicy) -> AuditReport:
    report = httpbin()
    unknown = tuple(f for f in report.findings if f.rating.level == "unknown")
    failing = unknown_severity == "fail"
    return dataclasses.replace(
        report,
        findings=unknown,
        fail_on=fail_on,
        unknown_severity=unknown_severity,
        failed=failing,
    )


def test_unknown_severity_failure_says_why() -> None:
    report = _unknown_only("critical", "fail")
    assert result_text(report) == (
        "FAILED: 5 findings of unknown severity (failing because unknown-severity = fail)"
    )


def test_unknown_severity_pass_says_so() -> None:
    report = _unknown_only("critical", "pass")
    assert result_text(report) == (
        "Passed: no finding at or above critical (5 findings of unknown severity passing "
        "because unknown-severity = pass)"
    )


def test_sarif_level_follows_the_gate() -> None:
    # --fail-on critical: the high finding does not fail the run (warning, not error);
    # unknown-severity = pass: unknown findings are notes; = fail: errors.
    cases: tuple[tuple[UnknownPolicy, str], ...] = (("pass", "note"), ("fail", "error"))
    for policy, unknown_level in cases:
        report = dataclasses.replace(
            httpbin(), fail_on="critical", unknown_severity=policy, failed=policy == "fail"
        )
        run = json.loads(render(report, "sarif", color=False, now=NOW))["runs"][0]
        levels = {(r["ruleId"], r["level"]) for r in run["results"]}
        assert levels == {
            ("PYSEC-2023-221", "warning"),
            ("PYSEC-2019-140", unknown_level),
            ("PYSEC-2023-62", unknown_level),
            ("PYSEC-2019-217", unknown_level),
            ("PYSEC-2021-66", unknown_level),
            ("PYSEC-2018-100", unknown_level),
        }
        rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
        assert rules["PYSEC-2019-140"]["defaultConfiguration"] == {"level": unknown_level}
        assert rules["PYSEC-2023-221"]["properties"]["problem.severity"] == "warning"
