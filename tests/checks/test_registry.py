"""The check registry: every registered check is complete, documented, listed by
``pyward rules``, and skipped with its reason when its data is missing."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from pyward._advisory import AdvisoryStore
from pyward._audit import audit
from pyward._checks import CHECKS, DOCS, NEEDS, Check, CheckContext, Sources, run_checks
from pyward._cli import main
from pyward._findings import KIND_PATTERN, LEVELS
from pyward._model import Component, Inventory
from pyward._report import SkippedCheck

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("check", list(CHECKS.values()), ids=list(CHECKS))
def test_every_check_is_complete_and_documented(check: Check) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9-]*", check.id)
    assert re.fullmatch(KIND_PATTERN, check.kind)
    kinds = re.findall(r"^\| `([a-z-]+)` \|", (ROOT / DOCS).read_text(), re.MULTILINE)
    assert check.kind in kinds
    assert check.severity in LEVELS
    assert check.description
    assert "\n" not in check.description
    assert check.needs <= set(NEEDS)
    assert callable(importlib.import_module(check.module).run)
    headings = re.findall(r"^## (\S+)$", (ROOT / DOCS).read_text(), re.MULTILINE)
    # The section is the check's id: docs_url's anchor lands on it.
    assert check.docs_url.split("#") == [DOCS, check.id]
    assert check.id in headings


def test_the_registry_holds_the_vulnerability_and_status_checks() -> None:
    assert {c.id: sorted(c.needs) for c in CHECKS.values()} == {
        "vulnerability": ["advisories"],
        "yanked": ["index"],
        "project-status": ["index"],
        "eol": ["lifecycle"],
        "outdated": ["index"],
        "unmaintained": ["index"],
        "malicious": ["advisories"],
        "typosquat": ["popularity"],
        "cooldown": [],
        "license": [],
        "package": [],
        "source": [],
        "pinning": [],
        "provenance": ["provenance"],
        "release-check": ["repository"],
    }
    # The policy checks mean something only with a policy's settings: an audit runs
    # them when --checks names them.
    assert [c.id for c in CHECKS.values() if not c.default] == [
        "typosquat",
        "cooldown",
        "license",
        "package",
        "source",
        "pinning",
        "provenance",
        "release-check",
    ]


def test_checks_are_selected_by_id_or_group() -> None:
    from pyward._checks import select_checks
    from pyward.errors import UsageError

    assert [c.id for c in select_checks(["vulnerabilities", "status"])] == [
        "vulnerability",
        "yanked",
        "project-status",
        "unmaintained",
        "malicious",
    ]
    assert [c.id for c in select_checks(["default"])] == [
        c.id for c in CHECKS.values() if c.default
    ]
    assert [c.id for c in select_checks(["outdated", " eol", ""])] == ["eol", "outdated"]
    assert [c.id for c in select_checks(["all"])] == list(CHECKS)
    with pytest.raises(UsageError) as info:
        select_checks(["licences"])
    assert str(info.value) == (
        "--checks: unknown check 'licences' (known: vulnerability, yanked, project-status, "
        "eol, outdated, unmaintained, malicious, typosquat, cooldown, license, package, "
        "source, pinning, provenance, release-check, vulnerabilities, status, policy, default, "
        "all)"
    )
    with pytest.raises(UsageError, match="--checks: no check named"):
        select_checks([" "])


def test_a_check_without_its_data_is_skipped_with_the_reason() -> None:
    check = CHECKS["vulnerability"]  # type: ignore[index]
    assert check.skip_reason(Sources()) == (
        "needs advisory data (the local store or the built-in snapshot)"
    )
    offline = Sources(unavailable={"advisories": "no store and no snapshot"})
    assert check.skip_reason(offline) == (
        "needs advisory data (the local store or the built-in snapshot): no store and no snapshot"
    )
    context = CheckContext(subjects=(), sources=offline, path_of=lambda inv, c: (c.key,))
    result, skipped = run_checks(context, [check])
    assert result.findings == ()
    assert skipped == (
        SkippedCheck(
            check=check.id,
            reason="needs advisory data (the local store or the built-in snapshot): "
            "no store and no snapshot",
        ),
    )


def test_an_audit_without_advisory_data_says_the_check_did_not_run() -> None:
    inv = Inventory(
        source="r.txt",
        format="requirements",
        components=(Component(name="requests", version="2.0.0", purl="pkg:pypi/requests@2.0.0"),),
    )
    report = audit([inv], None)
    assert report.findings == ()
    index = "needs package-index metadata (the index port, online or cached)"
    assert report.skipped == (
        SkippedCheck(
            check=CHECKS["vulnerability"].id,  # type: ignore[index]
            reason="needs advisory data (the local store or the built-in snapshot)",
        ),
        *(SkippedCheck(check=c, reason=index) for c in ("yanked", "project-status")),  # type: ignore[arg-type]
        SkippedCheck(check="eol", reason="needs end-of-life and lifecycle data"),  # type: ignore[arg-type]
        *(SkippedCheck(check=c, reason=index) for c in ("outdated", "unmaintained")),  # type: ignore[arg-type]
        SkippedCheck(
            check="malicious",  # type: ignore[arg-type]
            reason="needs advisory data (the local store or the built-in snapshot)",
        ),
    )
    # One line per reason: the four index checks are one warning.
    assert report.warnings == (
        "checks vulnerability, malicious did not run: needs advisory data (the local store "
        "or the built-in snapshot)",
        f"checks yanked, project-status, outdated, unmaintained did not run: {index}",
        "check eol did not run: needs end-of-life and lifecycle data",
    )
    assert report.failed is False


def test_an_audit_runs_only_the_checks_asked_for() -> None:
    inv = Inventory(
        source="r.txt",
        format="requirements",
        components=(Component(name="requests", version="2.0.0", purl="pkg:pypi/requests@2.0.0"),),
    )
    store = AdvisoryStore.from_records([])
    report = audit([inv], store, checks=())
    assert (report.findings, report.skipped, report.warnings) == ((), (), ())


def test_rules_lists_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0] == {
        "id": "vulnerability",
        "kind": "vulnerability",
        "severity": "unknown",
        "description": "a component version that a known advisory (OSV: PYSEC, GHSA, CVE) affects",
        "needs": ["advisories"],
        "docs": "docs/checks.md#vulnerability",
        "default_gate": "fails",
    }
    assert [c["id"] for c in listed] == list(CHECKS)
    assert {c["id"]: c["default_gate"] for c in listed} == {
        "vulnerability": "fails",
        "yanked": "fails",
        "project-status": "fails; archived, deprecated inform",
        "eol": "fails",
        "outdated": "informs",
        "unmaintained": "informs",
        "malicious": "fails",
        "typosquat": "fails",
        "cooldown": "fails",
        "license": "fails",
        "package": "fails",
        "source": "fails",
        "pinning": "fails",
        "provenance": "fails",
        "release-check": "fails",
    }


def test_rules_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [c.strip() for c in lines[1].split("|")[1:-1]] == [
        "ID",
        "Kind",
        "Severity",
        "Needs",
        "Default gate",
        "Description",
    ]
    assert lines[3].startswith("| vulnerability  | vulnerability  | unknown  | advisories | fails ")
    assert lines[-8:] == [
        "Each check's section in docs/checks.md: docs/checks.md#ID",
        "Needs:",
        "  advisories: advisory data (the local store or the built-in snapshot)",
        "  index: package-index metadata (the index port, online or cached)",
        "  lifecycle: end-of-life and lifecycle data",
        "  popularity: the popularity list (download counts of the most used projects)",
        "  provenance: the artifacts' verified PEP 740 provenance (pyward provenance: the "
        "index's integrity API and Sigstore)",
        "  repository: a repository checkout",
    ]
    out = tmp_path / "rules.txt"
    assert main(["rules", "-o", str(out)]) == 0
    assert out.read_text().splitlines()[3] == lines[3]
