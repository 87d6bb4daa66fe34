"""The release check's outputs: every format over the fixture repositories, the JSON
schema and the official SARIF 2.1.0 schema, and the documentation of every rule."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pyward._config import IgnoreRule
from pyward._release import rules
from pyward._release._model import Repo
from pyward._release._render import FORMATS, JSON_SCHEMA_VERSION, render, to_json, to_sarif
from pyward._release._report import ReleaseReport, check_release
from tests.conftest import SCHEMAS
from tests.release._repos import fixture

ROOT = Path(__file__).parent.parent.parent
JSON_SCHEMA = ROOT / "docs" / "schemas" / "release-check-1.0.schema.json"
DOC = ROOT / "docs" / "release-check.md"
CASES = ("good", "bad", "gitlab", "broken", "ignored")


def _report(case: str) -> ReleaseReport:
    if case == "ignored":
        ignores = (
            IgnoreRule(id="lock-file", reason="a library", origin="test"),
            IgnoreRule(id="no-dependency-updates", reason="later", origin="test"),
        )
        return check_release(Repo(root=fixture("bad")), ignores=ignores)
    return check_release(Repo(root=fixture(case)))


def _json_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(JSON_SCHEMA.read_text()))


def _sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("case", CASES)
def test_every_format_renders_every_case(fmt: str, case: str) -> None:
    report = _report(case)
    text = render(report, fmt)
    assert text.endswith("\n")
    assert "\x1b" not in text
    assert text == render(_report(case), fmt)  # the same bytes on every run
    if fmt == "json":
        _json_validator().validate(json.loads(text))
    elif fmt == "sarif":
        _sarif_validator().validate(json.loads(text))
    else:
        assert all(line.isprintable() for line in text.splitlines())


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(JSON_SCHEMA.read_text()))


def test_json_schema_rejects_an_unknown_key_and_a_bad_grade() -> None:
    validator = _json_validator()
    data = to_json(_report("bad"))
    data["findings"][0]["extra"] = 1
    data["categories"][0]["grade"] = "E"
    assert sorted(e.message for e in validator.iter_errors(data)) == [
        "'E' is not one of ['A', 'B', 'C', 'D', 'F', 'n/a']",
        "Unevaluated properties are not allowed ('extra' was unexpected)",
    ]


def test_json_of_the_bad_repository() -> None:
    data = to_json(_report("bad"))
    assert data["schema_version"] == JSON_SCHEMA_VERSION
    assert [c["category"] for c in data["categories"]][2] == "dependencies"
    assert data["categories"][2] == {
        "category": "dependencies",
        "grade": "C",
        "counts": {"medium": 5},
        "reason": None,
        "incomplete": False,
    }
    first = next(
        f
        for f in data["findings"]
        if f["rule"] == "unpinned-build-deps" and f["file"] == ".github/workflows/release.yml"
    )
    assert first == {
        "rule": "unpinned-build-deps",
        "category": "dependencies",
        "aliases": [
            "unpinned-build-deps:.github/workflows/release.yml",
            "unpinned-build-deps:.github/workflows/release.yml:jobs.build.steps[2]",
        ],
        "severity": "medium",
        "confidence": "high",
        "summary": "job build builds or uploads the release and runs `python3 -m pip install "
        "build --user`: build is not pinned",
        "rationale": rules()["unpinned-build-deps"].rationale,
        "fix": rules()["unpinned-build-deps"].fix,
        "file": ".github/workflows/release.yml",
        "line": 20,
        "fails": True,
        "docs": "https://github.com/pyward/pyward/blob/main/docs/release-check.md"
        "#unpinned-build-deps",
    }
    assert data["summary"]["failed"] is True


def test_json_of_ignored_findings() -> None:
    data = to_json(_report("ignored"))
    assert [(s["rule"], s["reason"], s["fails"]) for s in data["suppressed"]] == [
        ("lock-file", "a library", False),
        ("no-dependency-updates", "later", False),
    ]
    assert data["suppressed"][0]["ignore"] == "ignore lock-file (test)"


def _run(log: dict[str, Any]) -> dict[str, Any]:
    (run,) = log["runs"]
    assert isinstance(run, dict)
    return run


def test_sarif_rules_carry_help_and_security_severity() -> None:
    run = _run(to_sarif(_report("bad")))
    sarif_rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(sarif_rules) == set(rules())
    rule = sarif_rules["lock-file"]
    source = rules()["lock-file"]
    assert rule["shortDescription"] == {"text": "A lock file is committed"}
    assert rule["help"]["text"].startswith(f"{source.rationale} Fix: {source.fix} See ")
    assert rule["helpUri"].endswith("docs/release-check.md#lock-file")
    assert rule["properties"]["security-severity"] == "4.0"
    assert sarif_rules["updates-miss-actions"]["properties"]["security-severity"] == "0.1"
    assert rule["defaultConfiguration"] == {"level": "warning"}


def test_sarif_results_at_file_and_line() -> None:
    run = _run(to_sarif(_report("bad")))
    located = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
            r["level"],
        )
        for r in run["results"]
    ]
    wf = ".github/workflows/"
    # Report order: category, severity, file, line; below medium a note.
    assert located == [
        ("publish-with-token", f"{wf}publish.yml", 30, "error"),
        ("publish-no-environment", f"{wf}publish.yml", 12, "error"),
        ("publish-not-separate", f"{wf}publish.yml", 24, "error"),
        ("template-injection", f"{wf}ci.yml", 15, "error"),
        ("unpinned-action", f"{wf}release.yml", 50, "error"),
        ("excessive-permissions", f"{wf}ci.yml", 3, "error"),
        ("persist-credentials", f"{wf}ci.yml", 7, "error"),
        ("persist-credentials", f"{wf}publish.yml", 15, "error"),
        ("excessive-permissions", f"{wf}release.yml", 6, "error"),
        ("unpinned-action", f"{wf}ci.yml", 7, "note"),
        ("unpinned-action", f"{wf}ci.yml", 8, "note"),
        ("unpinned-action", f"{wf}publish.yml", 15, "note"),
        ("unpinned-action", f"{wf}publish.yml", 17, "note"),
        ("unpinned-action", f"{wf}release.yml", 11, "note"),
        ("unpinned-action", f"{wf}release.yml", 15, "note"),
        ("unpinned-action", f"{wf}release.yml", 27, "note"),
        ("unpinned-action", f"{wf}release.yml", 45, "note"),
        ("unpinned-build-deps", f"{wf}publish.yml", 22, "error"),
        ("unpinned-build-deps", f"{wf}publish.yml", 23, "error"),
        ("unpinned-build-deps", f"{wf}release.yml", 20, "error"),
        ("lock-file", "pyproject.toml", 13, "error"),
        ("security-policy-no-private-channel", "SECURITY.md", 4, "error"),
        ("bandit", "src/example_bad/__init__.py", 8, "error"),
        ("bandit", "src/example_bad/__init__.py", 3, "note"),
        ("deprecations-not-errors", "pyproject.toml", 17, "error"),
        ("license-files", "pyproject.toml", 5, "note"),
        ("requires-python", "pyproject.toml", 5, "note"),
        ("source-url", "pyproject.toml", 5, "note"),
        ("license-expression", "pyproject.toml", 10, "note"),
    ]
    index = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(index[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    fingerprints = [r["partialFingerprints"]["pywardRelease/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    # No Dependabot at all: about the repository, not a line: a notification of the run.
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["associatedRule"]["id"] == "no-dependency-updates"
    assert note["level"] == "error"
    assert run["properties"]["grades"]["dependencies"] == "C"


def test_sarif_levels_below_the_threshold_and_suppressions() -> None:
    report = check_release(Repo(root=fixture("gitlab")), fail_on="high")
    levels = {r["ruleId"]: r["level"] for r in _run(to_sarif(report))["results"]}
    assert levels == {
        "publish-no-environment": "warning",
        "publish-not-separate": "warning",
        "unpinned-build-deps": "warning",
        "lock-file": "warning",
        "updates-miss-python": "note",
    }
    run = _run(to_sarif(_report("ignored")))
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["lock-file"]
    assert suppressed[0]["suppressions"][0]["justification"] == (
        "ignore lock-file (test): a library"
    )


def test_table_and_markdown_show_grades_and_fixes() -> None:
    report = _report("gitlab")
    table = render(report, "table")
    assert "dependencies  C      2 medium, 1 low" in table
    assert "artifacts     n/a    no --dist DIR given: built artifacts not checked" in table
    assert "  MEDIUM   unpinned-build-deps  .gitlab-ci.yml:17 (fails)" in table
    assert "           Docs: docs/release-check.md#unpinned-build-deps" in table
    markdown = render(report, "markdown")
    assert markdown.startswith("## pyward release-check: FAILED: 4 findings at or above medium\n")
    assert "| dependencies | C | 2 medium, 1 low |" in markdown
    assert (
        "| medium (fails) | [`unpinned-build-deps`](https://github.com/pyward/pyward/blob/main/"
        "docs/release-check.md#unpinned-build-deps) | `.gitlab-ci.yml:17` |"
    ) in markdown


def test_the_table_gives_each_rules_advice_once() -> None:
    """A rule with several findings shows its fix and docs link under the first only."""
    report = _report("bad")
    table = render(report, "table")
    ids = [f.id for f in report.findings]
    repeated = {i for i in ids if ids.count(i) > 1}
    assert repeated, "the bad repository has a rule with several findings"
    for rule_id in repeated:
        assert table.count(f"           Docs: docs/release-check.md#{rule_id}\n") == 1
    assert table.count("           Fix: ") == len(set(ids))


def test_not_checked_in_the_table_and_markdown() -> None:
    report = _report("broken")
    assert "dependencies  C      1 medium (incomplete: a file could not be checked)" in render(
        report, "table"
    )
    assert "- not checked: .github/workflows/broken.yml: line 9: not valid YAML" in render(
        report, "markdown"
    )


def test_every_rule_has_a_documented_section() -> None:
    headings = re.findall(r"^## ([a-z0-9-]+)$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    missing = [rule_id for rule_id in rules() if rule_id not in headings]
    assert missing == []
