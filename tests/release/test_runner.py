"""The runner: the scanner registry, hits as general findings, files not checked,
grades, and the gate's ignores."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pyward._release as release
from pyward._config import IgnoreRule
from pyward._findings import LEVELS, Level
from pyward._model import Location
from pyward._release import (
    CHECK,
    KIND,
    SCANNERS,
    grade_of,
    release_check,
    rules,
    scanner_modules,
    summarize,
    to_finding,
)
from pyward._release._model import CATEGORIES, Hit, Repo, Rule
from pyward._release._report import ReleaseReport, check_release
from pyward.errors import InputError
from tests.release._repos import copy_fixture, fixture

#: Every category module is in this build.
PRESENT = frozenset(SCANNERS)


@pytest.mark.parametrize("name", SCANNERS)
def test_every_scanner_module_imports(name: str) -> None:
    module = importlib.import_module(name)
    assert callable(module.scan)
    assert isinstance(module.RULES, tuple)
    assert module.RULES
    assert all(isinstance(r, Rule) for r in module.RULES)


def test_scanner_modules_reports_the_missing_ones() -> None:
    found = dict(scanner_modules())
    assert list(found) == list(SCANNERS)
    assert {name for name, module in found.items() if module is not None} >= PRESENT


def test_rule_ids_are_unique_across_modules() -> None:
    every = [r.id for _, m in scanner_modules() if m is not None for r in m.RULES]
    duplicates = sorted({i for i in every if every.count(i) > 1})
    assert duplicates == []
    assert list(rules()) == every


def test_every_rule_is_complete() -> None:
    for rule in rules().values():
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.category in CATEGORIES
        assert rule.severity in LEVELS
        assert rule.title
        assert rule.title == rule.title.strip()
        assert rule.rationale.endswith(".")
        assert rule.fix.endswith(".")


RULE = Rule(
    id="demo-rule",
    category="policy",
    severity="high",
    title="a rule for the tests",
    rationale="Because.",
    fix="Do it.",
)


def test_hit_becomes_a_general_finding() -> None:
    hit = Hit(
        rule="demo-rule",
        message="demo broken here",
        file=".github/workflows/ci.yml",
        line=12,
        confidence="medium",
        subject="jobs.build.steps[1]",
    )
    finding = to_finding(hit, {"demo-rule": RULE})
    assert (finding.kind, finding.check, finding.id) == (KIND, CHECK, "demo-rule")
    assert finding.aliases == (
        "demo-rule:.github/workflows/ci.yml",
        "demo-rule:.github/workflows/ci.yml:jobs.build.steps[1]",
    )
    assert finding.summary == "demo broken here"
    assert finding.details == "Because.\nFix: Do it."
    assert (finding.rating.level, finding.rating.type) == ("high", "check")
    assert finding.confidence == "medium"
    assert finding.location == Location(file=".github/workflows/ci.yml", line=12)
    assert finding.component is None


def test_hit_without_file_and_with_own_severity() -> None:
    finding = to_finding(
        Hit(rule="demo-rule", message="m", severity="low", subject="B101"), {"demo-rule": RULE}
    )
    assert finding.location is None
    assert finding.aliases == ("demo-rule::B101",)
    assert finding.rating.level == "low"


def test_hit_of_an_undeclared_rule_is_a_bug() -> None:
    with pytest.raises(ValueError, match="a hit names rule 'other', which its module"):
        to_finding(Hit(rule="other", message="m"), {"demo-rule": RULE})


@pytest.mark.parametrize(
    ("levels", "grade"),
    [
        ((), "A"),
        (("low", "low"), "B"),
        (("low", "medium"), "C"),
        (("unknown",), "C"),
        (("medium", "high", "low"), "D"),
        (("critical", "low"), "F"),
    ],
)
def test_grade_of(levels: tuple[Level, ...], grade: str) -> None:
    assert grade_of(levels) == grade


# -- the runner with made-up scanners ---------------------------------------------------------


def _module(name: str, rule_list: tuple[Rule, ...], scan: object, **extra: object) -> ModuleType:
    module = ModuleType(name)
    module.RULES = rule_list  # type: ignore[attr-defined]
    module.scan = scan  # type: ignore[attr-defined]
    for key, value in extra.items():
        setattr(module, key, value)
    return module


@pytest.fixture
def fake_scanners(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three scanners: one that breaks on a bad file after one hit, one that finds a
    high hit in another category, and one whose categories do not apply."""
    policy = Rule(
        id="demo-policy", category="policy", severity="medium", title="t", rationale="r.", fix="f."
    )
    code = Rule(
        id="demo-code", category="code", severity="high", title="t", rationale="r.", fix="f."
    )
    tests = Rule(
        id="demo-tests", category="tests", severity="low", title="t", rationale="r.", fix="f."
    )

    def breaks(repo: Repo) -> Iterator[Hit]:
        yield Hit(rule="demo-policy", message="first", file="SECURITY.md", line=1)
        raise InputError(
            repo.root / ".github" / "workflows" / "bad.yml", "not YAML", where="line 3"
        )

    def finds(repo: Repo) -> Iterator[Hit]:
        yield Hit(rule="demo-code", message="assert used", file="src/x.py", line=4, subject="B101")

    def never(repo: Repo) -> Iterator[Hit]:
        raise AssertionError("a scanner that does not apply must not run")

    modules = {
        "tests.release.fake_breaks": _module("fake_breaks", (policy,), breaks),
        "tests.release.fake_finds": _module("fake_finds", (code,), finds),
        "tests.release.fake_skips": _module(
            "fake_skips", (tests,), never, not_applicable=lambda repo: "no tests here"
        ),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(release, "SCANNERS", (*modules, "tests.release.fake_missing_module"))


@pytest.mark.usefixtures("fake_scanners")
def test_bad_file_is_not_checked_and_the_others_go_on(tmp_path: Path) -> None:
    result = release_check(Repo(root=tmp_path))
    assert [f.summary for f in result.findings] == ["first", "assert used"]
    (entry,) = result.not_checked
    assert (entry.file, entry.reason, entry.scanner, entry.categories) == (
        ".github/workflows/bad.yml",
        "line 3: not YAML",
        "tests.release.fake_breaks",
        ("policy",),
    )
    assert result.missing == ("tests.release.fake_missing_module",)
    assert result.not_applicable == {
        "tests": "no tests here",
        "artifacts": "no --dist DIR given: built artifacts not checked",
    }


@pytest.mark.usefixtures("fake_scanners")
def test_grades_per_category(tmp_path: Path) -> None:
    result = release_check(Repo(root=tmp_path))
    summary = summarize(result, result.findings)
    grades = {g.category: g for g in summary.grades}
    assert [g.category for g in summary.grades] == list(CATEGORIES)
    assert (grades["policy"].grade, grades["policy"].incomplete) == ("C", True)
    assert dict(grades["policy"].counts) == {"medium": 1}
    assert (grades["code"].grade, grades["code"].incomplete) == ("D", False)
    assert (grades["tests"].grade, grades["tests"].reason) == ("n/a", "no tests here")
    assert grades["artifacts"].grade == "n/a"
    assert grades["workflows"].reason == "no scanner for this category in this build"
    assert dict(summary.counts) == {"high": 1, "medium": 1}
    # What the gate removed does not lower a grade.
    kept = [f for f in result.findings if f.id != "demo-code"]
    assert {g.category: g.grade for g in summarize(result, kept).grades}["code"] == "A"


@pytest.mark.usefixtures("fake_scanners")
def test_dist_makes_artifacts_apply(tmp_path: Path) -> None:
    result = release_check(Repo(root=tmp_path, dist=tmp_path))
    assert "artifacts" not in result.not_applicable


@pytest.mark.usefixtures("fake_scanners")
def test_two_scanners_on_one_broken_file_report_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Rule(
        id="demo-wf", category="workflows", severity="low", title="t", rationale="r.", fix="f."
    )

    def breaks_too(repo: Repo) -> Iterator[Hit]:
        # A scanner may raise before its first hit.
        yield from ()
        raise InputError(".github/workflows/bad.yml", "not YAML", where="line 3")

    monkeypatch.setitem(sys.modules, "tests.release.fake_too", _module("t", (other,), breaks_too))
    monkeypatch.setattr(release, "SCANNERS", (*release.SCANNERS, "tests.release.fake_too"))
    (entry,) = release_check(Repo(root=tmp_path)).not_checked
    assert entry.categories == ("policy", "workflows")


@pytest.mark.usefixtures("fake_scanners")
def test_ignores_strict_and_threshold(tmp_path: Path) -> None:
    repo = Repo(root=tmp_path)
    report = check_release(repo, fail_on="high")
    assert report.failed
    assert [f.id for f in report.failing] == ["demo-code"]
    assert "not checked: .github/workflows/bad.yml: line 3: not YAML" in report.warnings

    ignores = (
        IgnoreRule(id="demo-code:src/x.py:B101", reason="test-only helper", origin="test"),
        IgnoreRule(id="demo-code:other.py", reason="stale", origin="test"),
    )
    report = check_release(repo, fail_on="high", ignores=ignores)
    assert not report.failed
    assert [s.finding.id for s in report.suppressed] == ["demo-code"]
    assert report.suppressed[0].reason == "test-only helper"
    assert "ignore demo-code:other.py (test) matched no finding; remove it if it is stale" in (
        report.warnings
    )
    assert {g.category: g.grade for g in report.summary.grades}["code"] == "A"

    strict = check_release(repo, fail_on="critical", strict=True)
    assert strict.failed
    assert strict.failing == ()
    assert strict.warnings[-1] == "strict: 1 file could not be checked: the run fails"

    expired = (
        IgnoreRule(id="demo-code", reason="later", until=dt.date(2020, 1, 1), origin="test"),
    )
    report = check_release(repo, fail_on="critical", ignores=expired, today=dt.date(2026, 1, 1))
    assert report.failed
    assert [f.id for f in report.findings][-1] == "demo-code"


# -- the runner on the fixture repositories ---------------------------------------------------


def _found(report: ReleaseReport) -> set[tuple[str | None, str, str | None, int | None, str]]:
    """Each kept finding as (category, rule, file, line, severity)."""
    return {
        (
            report.category(f),
            f.id,
            f.location.file if f.location else None,
            f.location.line if f.location else None,
            f.rating.level,
        )
        for f in report.findings
    }


WF = ".github/workflows/"


def test_runner_on_the_bad_repository() -> None:
    report = check_release(Repo(root=fixture("bad")))
    assert _found(report) == {
        ("publishing", "publish-with-token", f"{WF}publish.yml", 30, "high"),
        ("publishing", "publish-no-environment", f"{WF}publish.yml", 12, "medium"),
        ("publishing", "publish-not-separate", f"{WF}publish.yml", 24, "medium"),
        ("workflows", "template-injection", f"{WF}ci.yml", 15, "high"),
        ("workflows", "unpinned-action", f"{WF}release.yml", 50, "high"),
        ("workflows", "excessive-permissions", f"{WF}ci.yml", 3, "medium"),
        ("workflows", "excessive-permissions", f"{WF}release.yml", 6, "medium"),
        ("workflows", "persist-credentials", f"{WF}ci.yml", 7, "medium"),
        ("workflows", "persist-credentials", f"{WF}publish.yml", 15, "medium"),
        ("workflows", "unpinned-action", f"{WF}ci.yml", 7, "low"),
        ("workflows", "unpinned-action", f"{WF}ci.yml", 8, "low"),
        ("workflows", "unpinned-action", f"{WF}publish.yml", 15, "low"),
        ("workflows", "unpinned-action", f"{WF}publish.yml", 17, "low"),
        ("workflows", "unpinned-action", f"{WF}release.yml", 11, "low"),
        ("workflows", "unpinned-action", f"{WF}release.yml", 15, "low"),
        ("workflows", "unpinned-action", f"{WF}release.yml", 27, "low"),
        ("workflows", "unpinned-action", f"{WF}release.yml", 45, "low"),
        ("dependencies", "lock-file", "pyproject.toml", 13, "medium"),
        ("dependencies", "no-dependency-updates", None, None, "medium"),
        ("dependencies", "unpinned-build-deps", f"{WF}publish.yml", 22, "medium"),
        ("dependencies", "unpinned-build-deps", f"{WF}publish.yml", 23, "medium"),
        ("dependencies", "unpinned-build-deps", f"{WF}release.yml", 20, "medium"),
        ("policy", "security-policy-no-private-channel", "SECURITY.md", 4, "medium"),
        ("code", "bandit", "src/example_bad/__init__.py", 8, "high"),
        ("code", "bandit", "src/example_bad/__init__.py", 3, "low"),
        ("tests", "deprecations-not-errors", "pyproject.toml", 17, "medium"),
        ("metadata", "license-expression", "pyproject.toml", 10, "low"),
        ("metadata", "license-files", "pyproject.toml", 5, "low"),
        ("metadata", "requires-python", "pyproject.toml", 5, "low"),
        ("metadata", "source-url", "pyproject.toml", 5, "low"),
    }
    assert len(report.findings) == len(_found(report))
    assert {g.category: g.grade for g in report.summary.grades} == {
        "publishing": "D",
        "workflows": "D",
        "dependencies": "C",
        "policy": "C",
        "code": "D",
        "tests": "C",
        "metadata": "B",
        "artifacts": "n/a",
    }
    assert report.summary.not_checked == ()
    assert report.failed
    assert len(report.failing) == 17  # 4 high, 13 medium


def test_runner_on_the_good_repository() -> None:
    report = check_release(Repo(root=fixture("good")))
    grades = {g.category: g for g in report.summary.grades}
    assert {c: g.grade for c, g in grades.items()} == {
        **dict.fromkeys(CATEGORIES, "A"),
        "artifacts": "n/a",
    }
    assert not any(g.incomplete for g in grades.values())
    assert report.findings == ()
    assert report.summary.not_checked == ()
    assert not report.failed


def test_runner_on_the_gitlab_repository() -> None:
    report = check_release(Repo(root=fixture("gitlab")))
    assert _found(report) == {
        ("publishing", "publish-no-environment", ".gitlab-ci.yml", 14, "medium"),
        ("publishing", "publish-not-separate", ".gitlab-ci.yml", 18, "medium"),
        ("dependencies", "unpinned-build-deps", ".gitlab-ci.yml", 17, "medium"),
        ("dependencies", "lock-file", "pyproject.toml", None, "medium"),
        ("dependencies", "updates-miss-python", "renovate.json", 4, "low"),
    }
    assert report.summary.not_checked == ()


def test_runner_on_the_broken_repository() -> None:
    report = check_release(Repo(root=fixture("broken")))
    (entry,) = report.summary.not_checked
    assert entry.file == ".github/workflows/broken.yml"
    assert entry.reason.startswith("line 9: not valid YAML: ")
    # Both the workflows and the dependencies scanners read it: one entry for both.
    assert entry.categories == ("publishing", "workflows", "dependencies")
    grades = {g.category: g for g in report.summary.grades}
    assert {c for c, g in grades.items() if g.incomplete} == set(entry.categories)
    assert (grades["dependencies"].grade, grades["dependencies"].incomplete) == ("C", True)
    assert _found(report) == {
        ("workflows", "excessive-permissions", f"{WF}release.yml", 3, "medium"),
        ("dependencies", "unpinned-build-deps", f"{WF}release.yml", 7, "medium"),
    }


def test_dynamic_licence_leaves_only_metadata_incomplete(tmp_path: Path) -> None:
    root = copy_fixture("good", tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('license = "MIT"\n', 'dynamic = ["license"]\n')
    )
    report = check_release(Repo(root=root))
    (entry,) = report.summary.not_checked
    assert (entry.file, entry.reason, entry.categories) == (
        "pyproject.toml",
        "license not checked: dynamic metadata",
        ("metadata",),
    )
    incomplete = [g.category for g in report.summary.grades if g.incomplete]
    assert incomplete == ["metadata"]
    assert report.findings == ()


def test_bad_pytest_ini_and_dynamic_metadata_leave_tests_and_metadata_incomplete(
    tmp_path: Path,
) -> None:
    root = copy_fixture("good", tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('license = "MIT"\n', 'dynamic = ["license"]\n')
    )
    (root / "pytest.ini").write_text("[pytest\nfilterwarnings = error\n")
    (entry,) = check_release(Repo(root=root)).summary.not_checked
    assert entry.file == "pytest.ini"
    assert entry.categories == ("tests", "metadata")
    assert entry.reason.endswith(
        "(also not checked: pyproject.toml: license not checked: dynamic metadata)"
    )


@given(st.lists(st.sampled_from(LEVELS)))
def test_grade_is_the_worst_level_s_whatever_the_order(levels: list[Level]) -> None:
    grade = grade_of(levels)
    assert grade == grade_of(reversed(levels))
    assert all(grade_of([level]) <= grade for level in levels)  # "A" < "B" < ... < "F"
    assert (grade == "A") == (not levels)
