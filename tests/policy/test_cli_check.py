"""``pyward check`` end to end: the policy from pyproject.toml or --policy, one result
per violation, undecided rules, every format, exit codes, --explain (issue 14)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import run_cli
from tests.index._loopback_index import LoopbackIndex, loopback_index

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "audit-report-4.2.schema.json").read_text())

#: Recorded index pages say requests 2.32.0 is yanked; demo-quarantined is quarantined;
#: urllib3 1.26.0 has known vulnerabilities of high and medium severity.
PINS = "requests==2.32.0\nsix==1.11.0\ndemo-quarantined==1.0.0\nurllib3==1.26.0\n"

#: A policy of the rules this module's data can decide (the others have their own tests).
POLICY = """
[tool.pyward.policy]
malicious = false
typosquat = false
cooldown = false
vulnerabilities = { severity = "high" }
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text(PINS, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    return tmp_path


@pytest.fixture
def index(online: None) -> Iterator[LoopbackIndex]:
    with loopback_index() as served:
        yield served


def check(
    capsys: pytest.CaptureFixture[str], project: Path, *options: str
) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(
        capsys,
        "check",
        str(project / "requirements.txt"),
        "--config",
        str(project / "pyproject.toml"),
        "--cache-dir",
        str(project / "cache"),
        "-f",
        "json",
        *options,
    )
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    return code, report, err


def results(report: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return sorted((f["kind"], f["id"], f["fails"]) for f in report["findings"])


def test_violations_of_the_policy_fail_the_check(
    index: LoopbackIndex, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = check(capsys, project, "--index-url", index.simple_url)
    assert code == 1
    found = results(report)
    assert ("yanked", "yanked:requests@2.32.0", True) in found
    assert ("project-status", "project-status:demo-quarantined", True) in found
    # Only the rules in force ran: no outdated or unmaintained finding.
    assert {k for k, _, _ in found} <= {"vulnerability", "yanked", "project-status"}
    # A vulnerability below the policy's severity is reported but is no violation.
    vulns = [f for f in report["findings"] if f["kind"] == "vulnerability"]
    assert vulns
    for f in vulns:
        assert f["fails"] == (f["severity"]["level"] in ("high", "critical", "unknown"))
    policy = report["policy"]
    assert policy["origins"] == [f"{project / 'pyproject.toml'}: tool.pyward.policy"]
    assert list(policy["rules"]) == ["vulnerabilities", "yanked", "project-status"]
    assert policy["rules"]["vulnerabilities"] == {"severity": "high"}
    assert policy["kind_fail_on"] == {"vulnerability": "high"}
    assert [s["name"] for s in report["sources"]] == ["index metadata"]


def test_a_rule_that_cannot_be_decided_fails_unless_the_policy_lets_it_pass(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Offline with no cached index metadata: yanked and project-status are undecided.
    (project / "requirements.txt").write_text("six==1.16.0\n", encoding="utf-8")
    code, report, err = check(capsys, project)
    assert code == 1
    assert results(report) == [
        ("undecided", "undecided:project-status", True),
        ("undecided", "undecided:yanked", True),
    ]
    undecided = report["findings"][0]
    assert undecided["detail"]["rule"] in ("yanked", "project-status")
    assert "needs package-index metadata" in undecided["detail"]["reason"]
    assert "did not run" not in err  # said once, as the findings
    (project / "pyproject.toml").write_text(
        POLICY.replace("[tool.pyward.policy]\n", '[tool.pyward.policy]\nundecided = "pass"\n'),
        encoding="utf-8",
    )
    code, report, _ = check(capsys, project)
    assert code == 0
    assert all(not f["fails"] for f in report["findings"])
    assert report["policy"]["undecided"] == "pass"


def test_an_exception_is_an_ignore_rule_with_a_reason(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "requirements.txt").write_text("six==1.16.0\n", encoding="utf-8")
    code, report, _ = check(
        capsys, project, "--ignore", "undecided:yanked", "--ignore", "undecided:project-status"
    )
    assert code == 0
    assert {s["id"] for s in report["suppressed"]} == {
        "undecided:yanked",
        "undecided:project-status",
    }


def test_a_clean_set_passes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "requirements.txt").write_text("six==1.16.0\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        "[tool.pyward.policy]\nmalicious = false\ntyposquat = false\ncooldown = false\n"
        "yanked = false\nproject-status = false\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli(
        capsys,
        "check",
        str(project / "requirements.txt"),
        "--config",
        str(project / "pyproject.toml"),
        "--cache-dir",
        str(project / "cache"),
    )
    assert code == 0
    assert out.startswith("pyward check of ")
    assert "No policy violation in 1 package" in out
    assert "Policy: " in out
    assert "Checked 1 package" in out


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "sarif", "cyclonedx-vex", "html"])
def test_every_format_names_the_policy_and_its_violations(
    index: LoopbackIndex, project: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    code, out, _ = run_cli(
        capsys,
        "check",
        str(project / "requirements.txt"),
        "--config",
        str(project / "pyproject.toml"),
        "--cache-dir",
        str(project / "cache"),
        "--index-url",
        index.simple_url,
        "-f",
        fmt,
    )
    assert code == 1
    assert "yanked:requests@2.32.0" in out
    if fmt in ("table", "markdown", "html"):
        assert "Policy: " in out
        assert "policy violation" in out
    if fmt == "sarif":
        props = json.loads(out)["runs"][0]["properties"]
        assert props["policy"]["rules"] == ["vulnerabilities", "yanked", "project-status"]


def test_a_bad_policy_is_exit_2_and_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.pyward.policy]\ncooldown = { days = 'soon' }\n", encoding="utf-8"
    )
    code, out, err = run_cli(
        capsys,
        "check",
        str(project / "requirements.txt"),
        "--config",
        str(project / "pyproject.toml"),
    )
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "tool.pyward.policy.cooldown.days: must be a number of days" in err
    assert "Traceback" not in err


def test_an_unreachable_policy_url_is_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys,
        "check",
        str(project / "requirements.txt"),
        "--cache-dir",
        str(project / "cache"),
        "--policy",
        "https://policies.example.invalid/python.toml",
    )
    assert code == 2
    assert "--policy: policy https://policies.example.invalid/python.toml could not be read" in err
    assert "Traceback" not in err


def _explain_base(project: Path) -> list[str]:
    """``check`` with the project's configuration and cache, for ``--explain``."""
    return [
        "check",
        "--config",
        str(project / "pyproject.toml"),
        "--cache-dir",
        str(project / "cache"),
    ]


def test_explain_says_why_a_package_breaks_or_passes_a_rule(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _explain_base(project)
    code, out, _ = run_cli(capsys, *base, "--explain", "vulnerabilities", "requests==2.19.0")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("rule vulnerabilities: A release with a known vulnerability")
    assert "settings: severity=high" in out
    assert "requests==2.19.0: breaks vulnerabilities: " in out
    assert "data: advisories from built-in snapshot" in out
    code, out, _ = run_cli(capsys, *base, "--explain", "vulnerabilities", "six==1.16.0")
    assert code == 0
    assert "six==1.16.0: passes vulnerabilities" in out
    # A rule the policy leaves off is explained with its defaults, and says so.
    code, out, _ = run_cli(capsys, *base, "--explain", "eol", "django==1.11")
    assert "note: the policy leaves eol off; explained with its defaults" in out
    code, _, err = run_cli(capsys, *base, "--explain", "licences", "six")
    assert code == 2
    assert "unknown rule 'licences'" in err
    code, _, err = run_cli(capsys, *base, "--explain", "cooldown", "six")
    assert code == 2
    assert "give the package as NAME==VERSION" in err


def test_rules_lists_the_policy_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rules", "--policy", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [
        "vulnerabilities",
        "malicious",
        "typosquat",
        "cooldown",
        "yanked",
        "project-status",
        "eol",
        "unmaintained",
        "licenses",
        "packages",
        "sources",
        "pinning",
        "provenance",
    ]
    assert {r["id"]: r["default"] for r in rows}["licenses"] == "off"
    assert {r["id"]: r["check"] for r in rows}["licenses"] == "license"
    assert all(r["rationale"].endswith(".") for r in rows)
    docs = (ROOT / "docs" / "policy.md").read_text()
    for r in rows:
        assert f"\n## {r['id']}\n" in docs, r["id"]


def test_explain_refuses_pinning_and_names_the_command_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _explain_base(project)
    code, _, err = run_cli(capsys, *base, "--explain", "pinning", "six==1.16.0")
    assert code == 2
    assert "the rule is about requirement files" in err
    code, out, _ = run_cli(capsys, *base, "--explain", "cooldown", "six==1.16.0")
    assert code == 1
    assert "six==1.16.0: undecided: no upload time: the command line records no upload time" in out
    assert "settings: days=7; exceptions=(none)" in out
