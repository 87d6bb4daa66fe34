"""``pyward release-check`` through ``pyward._cli.main``: exit codes, options, ignores
from ``[tool.pyward.release-check]``, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyward._config import load_config
from pyward._release import rules
from pyward._release._config import load_release_config
from pyward._release._model import Repo
from tests.conftest import run_cli
from tests.release._repos import copy_fixture, fixture, write_tree

ROOT = Path(__file__).parent.parent.parent
DOC = ROOT / "docs" / "release-check.md"


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli(capsys, "release-check", *argv, "--format", "json")
    return code, json.loads(out), err


def test_bad_repository_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "release-check", str(fixture("bad")))
    assert code == 1
    assert err == ""
    assert "dependencies  C      5 medium" in out
    assert out.endswith("FAILED: 17 findings at or above medium\n")


def test_good_repository_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "release-check", str(fixture("good")))
    assert code == 0
    assert "dependencies  A      no findings" in out
    assert out.endswith("PASSED: no finding at or above medium\n")


def test_fail_on_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    gitlab = str(fixture("gitlab"))
    assert run_cli(capsys, "release-check", gitlab, "--fail-on", "high")[0] == 0
    assert run_cli(capsys, "release-check", gitlab, "--fail-on", "medium")[0] == 1
    code, doc, _ = _json(capsys, gitlab, "--fail-on", "low")
    assert code == 1
    assert doc["summary"] == {
        "findings": 5,
        "failing": 5,
        "suppressed": 0,
        "by_severity": {"medium": 4, "low": 1},
        "fail_on": "low",
        "strict": False,
        "failed": True,
    }


def test_default_path_is_the_current_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fixture("good"))
    code, doc, _ = _json(capsys)
    assert (code, doc["repository"]) == (0, ".")


def test_path_not_a_directory_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    code, out, err = run_cli(capsys, "release-check", str(missing))
    assert (code, out) == (2, "")
    assert err == (
        f"pyward: error: {missing}: not a directory (release-check reads a repository checkout)\n"
    )
    code, _, err = run_cli(capsys, "release-check", str(fixture("good")), "--dist", str(missing))
    assert (code, err) == (2, f"pyward: error: --dist {missing}: not a directory\n")


def test_pyproject_that_is_not_toml_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = \n'})
    code, out, err = run_cli(capsys, "release-check", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err == (
        f"pyward: error: {tmp_path / 'pyproject.toml'}: line 3: invalid TOML: string values "
        "must be quoted, expected literal string (column 11)\n"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('fail-on = "severe"', "pyproject.toml: tool.pyward.release-check.fail-on: must be one of "
         "critical, high, medium, low"),
        ('ignore = [{ id = "lock-file" }]', "pyproject.toml: tool.pyward.release-check.ignore[0]."
         "reason: missing"),
        ('ignore = [{ id = "lock-file", reason = "" }]', "pyproject.toml: "
         "tool.pyward.release-check.ignore[0].reason: must be a non-empty string"),
        ('ignore = "lock-file"', "pyproject.toml: tool.pyward.release-check.ignore: must be an "
         "array of tables"),
        ('ignore = [{ id = "lock-file", reason = "r", until = "soon" }]', "pyproject.toml: "
         "tool.pyward.release-check.ignore[0].until: must be a date (2026-12-31) or the string "
         '"until-fixed"'),
    ],
)  # fmt: skip
def test_bad_configuration_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, table: str, message: str
) -> None:
    write_tree(tmp_path, {"pyproject.toml": f"[tool.pyward.release-check]\n{table}\n"})
    code, out, err = run_cli(capsys, "release-check", str(tmp_path))
    assert (code, out, err) == (2, "", f"pyward: error: {tmp_path}/{message}\n")


def _configure(repo: Path, table: str) -> None:
    path = repo / "pyproject.toml"
    path.write_text(path.read_text() + f"\n[tool.pyward.release-check]\n{table}\n")


def test_ignores_with_reasons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_fixture("gitlab", tmp_path)
    monkeypatch.chdir(repo)  # files named as the repository's path "." gives them
    _configure(
        repo,
        "ignore = [\n"
        '  { id = "unpinned-build-deps", path = ".gitlab-ci.yml", reason = "image pins them" },\n'
        '  { id = "lock-file", reason = "a library: users resolve" },\n'
        '  { id = "updates-miss-python", path = "renovate.json", subject = "nothing", '
        'reason = "stale" },\n'
        "]",
    )
    code, doc, err = _json(capsys, ".")
    assert code == 1  # the publishing findings are not ignored
    assert [(s["rule"], s["reason"]) for s in doc["suppressed"]] == [
        ("lock-file", "a library: users resolve"),
        ("unpinned-build-deps", "image pins them"),
    ]
    # The third names a subject no finding has: it matches nothing, and says so.
    warning = (
        "ignore updates-miss-python:renovate.json:nothing (pyproject.toml: "
        "tool.pyward.release-check.ignore[2]) matched no finding; remove it if it is stale"
    )
    assert doc["warnings"] == [warning]
    assert err == f"pyward: warning: {warning}\n"
    assert [f["rule"] for f in doc["findings"]] == [
        "publish-no-environment",
        "publish-not-separate",
        "updates-miss-python",
    ]
    grades = {c["category"]: c["grade"] for c in doc["categories"]}
    assert (grades["publishing"], grades["dependencies"]) == ("C", "B")


def test_ignore_by_subject_and_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = copy_fixture("bad", tmp_path)
    _configure(
        repo,
        'ignore = [{ id = "unpinned-build-deps", path = ".github/workflows/publish.yml", '
        'subject = "jobs.deploy.steps[2]", reason = "pip itself", until = 2999-01-01 }]',
    )
    code, doc, _ = _json(
        capsys,
        str(repo),
        "--ignore",
        "unpinned-build-deps:.github/workflows/release.yml",
        "--ignore",
        "no-dependency-updates",
    )
    assert code == 1
    suppressed = [(s["file"], s["line"]) for s in doc["suppressed"]]
    assert suppressed == [
        (None, None),
        (".github/workflows/publish.yml", 22),
        (".github/workflows/publish.yml", 23),
        (".github/workflows/release.yml", 20),
    ]
    dependencies = [f["rule"] for f in doc["findings"] if f["category"] == "dependencies"]
    assert dependencies == ["lock-file"]


def test_unknown_keys_and_rules_warn(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_fixture("good", tmp_path)
    _configure(repo, 'colour = "red"\nignore = [{ id = "no-such-rule", reason = "r", why = 1 }]')
    monkeypatch.chdir(repo)
    code, doc, _ = _json(capsys)
    assert code == 0
    assert doc["warnings"][:3] == [
        "pyproject.toml: tool.pyward.release-check.colour: unknown key (known: fail-on, ignore); "
        "ignored",
        "pyproject.toml: tool.pyward.release-check.ignore[0].why: unknown key (known: id, path, "
        "subject, reason, until); ignored",
        "pyproject.toml: tool.pyward.release-check.ignore[0].id: 'no-such-rule' is no "
        "release-check rule",
    ]


def test_fail_on_from_the_configuration(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    repo = copy_fixture("gitlab", tmp_path)
    _configure(repo, 'fail-on = "high"')
    assert run_cli(capsys, "release-check", str(repo))[0] == 0
    # The command line wins.
    assert run_cli(capsys, "release-check", str(repo), "--fail-on", "medium")[0] == 1


def test_pyward_toml_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    repo = copy_fixture("gitlab", tmp_path)
    write_tree(repo, {"pyward.toml": '[release-check]\nfail-on = "critical"\n'})
    code, doc, _ = _json(capsys, str(repo))
    assert (code, doc["summary"]["fail_on"]) == (0, "critical")


def test_documented_configuration_loads(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    repo = Repo(root=write_tree(tmp_path, {"pyproject.toml": example}))
    config = load_release_config(repo, frozenset(rules()))
    assert config.fail_on == "high"
    assert config.warnings == ()
    assert [i.id for i in config.ignores] == [
        "unpinned-build-deps:.gitlab-ci.yml",
        "updates-miss-python",
        "unpinned-build-deps:.github/workflows/release.yml:jobs.build.steps[2]",
    ]


def test_audit_configuration_accepts_the_release_check_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.pyward]\nfail-on = "high"\n\n[tool.pyward.release-check]\nfail-on = "low"\n'
    )
    assert load_config(path).warnings == ()


def test_strict_fails_on_a_file_not_checked(capsys: pytest.CaptureFixture[str]) -> None:
    broken = str(fixture("broken"))
    code, doc, err = _json(capsys, broken, "--fail-on", "critical")
    assert code == 0
    (entry,) = doc["not_checked"]
    assert entry["file"] == ".github/workflows/broken.yml"
    assert err.startswith("pyward: warning: not checked: .github/workflows/broken.yml: line 9: ")
    code, doc, _ = _json(capsys, broken, "--fail-on", "critical", "--strict")
    assert code == 1
    assert doc["summary"]["failing"] == 0
    assert doc["warnings"][-1] == "strict: 1 file could not be checked: the run fails"


def test_quiet_and_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "report.sarif"
    code, out, err = run_cli(
        capsys,
        "release-check",
        str(fixture("broken")),
        "--format",
        "sarif",
        "--output",
        str(out_file),
        "--quiet",
    )
    assert (code, out, err) == (1, "", "")
    assert json.loads(out_file.read_text())["version"] == "2.1.0"


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "release-check", "--rules")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["RULE", "CATEGORY", "SEVERITY", "TITLE"]
    for rule in rules().values():
        assert any(line.startswith(f"{rule.id} ") and rule.title in line for line in lines)
    assert lines[-1] == "Each rule's rationale and fix: docs/release-check.md"


def test_help_names_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run_cli(capsys, "release-check", "--help")
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--dist DIR" in out
    assert "{table,json,markdown,sarif,html}" in out
