"""The ``dependencies`` category: lock-file, unpinned-build-deps, no-dependency-updates,
updates-miss-actions, updates-miss-python; each in a passing and a failing form."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyward._release._dependencies import (
    RULES,
    commands,
    installer_of,
    lock_candidates,
    scan,
    unpinned_installs,
)
from pyward._release._model import Hit, Repo
from pyward.errors import InputError
from tests.release._repos import DEPENDABOT_BOTH, PLAIN_PYPROJECT, fixture, write_tree


def _hits(root: Path) -> list[Hit]:
    return list(scan(Repo(root=root)))


def _where(hits: list[Hit]) -> list[tuple[str, str | None, int | None]]:
    return sorted(((h.rule, h.file, h.line) for h in hits), key=str)


def test_rules_are_the_category_s() -> None:
    assert [r.id for r in RULES] == [
        "lock-file",
        "unpinned-build-deps",
        "no-dependency-updates",
        "updates-miss-actions",
        "updates-miss-python",
    ]
    assert {r.category for r in RULES} == {"dependencies"}


def test_bad_repository_breaks_every_rule_it_can() -> None:
    hits = _hits(fixture("bad"))
    assert _where(hits) == sorted(
        [
            ("lock-file", "pyproject.toml", 13),
            ("no-dependency-updates", None, None),
            # publish.yml (GitHub's starter workflow): pip upgraded, then build, unpinned.
            ("unpinned-build-deps", ".github/workflows/publish.yml", 22),
            ("unpinned-build-deps", ".github/workflows/publish.yml", 23),
            # release.yml (the Packaging Guide's folded run: >-): the first line of text.
            ("unpinned-build-deps", ".github/workflows/release.yml", 20),
        ],
        key=str,
    )
    by_line = {(h.file, h.line): h for h in hits}
    release = by_line[".github/workflows/release.yml", 20]
    assert release.message == (
        "job build builds or uploads the release and runs `python3 -m pip install build "
        "--user`: build is not pinned"
    )
    assert release.subject == "jobs.build.steps[2]"
    lock = by_line["pyproject.toml", 13]
    assert lock.message == (
        "no lock file is committed; the project appears to use Poetry ([tool.poetry] in "
        "pyproject.toml): run `poetry lock` and commit poetry.lock"
    )


def test_ci_job_that_does_not_release_is_not_checked() -> None:
    # ci.yml installs pytest unpinned: a test job, not the release build.
    assert not [h for h in _hits(fixture("bad")) if h.file == ".github/workflows/ci.yml"]


def test_good_repository_passes() -> None:
    assert _hits(fixture("good")) == []


def test_gitlab_job_and_renovate() -> None:
    hits = _hits(fixture("gitlab"))
    assert _where(hits) == sorted(
        [
            ("lock-file", "pyproject.toml", None),
            ("unpinned-build-deps", ".gitlab-ci.yml", 17),
            ("updates-miss-python", "renovate.json", 4),
        ],
        key=str,
    )
    unpinned = next(h for h in hits if h.rule == "unpinned-build-deps")
    assert unpinned.subject == "run.script[0]"
    assert "build, twine are not pinned" in unpinned.message
    lock = next(h for h in hits if h.rule == "lock-file")
    assert "appears to use pip (no other installer's settings)" in lock.message


def test_broken_workflow_is_raised_after_every_other_hit() -> None:
    found: list[Hit] = []
    with pytest.raises(InputError) as info:
        found.extend(scan(Repo(root=fixture("broken"))))
    assert info.value.file == ".github/workflows/broken.yml"
    assert info.value.where == "line 9"
    assert info.value.what.startswith("not valid YAML: ")
    # The well-formed release.yml next to it is still read.
    assert _where(found) == [("unpinned-build-deps", ".github/workflows/release.yml", 7)]


def test_two_broken_files_say_how_many_were_not_read(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PLAIN_PYPROJECT,
            "pylock.toml": 'lock-version = "1.0"\n',
            ".github/dependabot.yml": DEPENDABOT_BOTH,
            ".github/workflows/a.yml": "jobs: [\n",
            ".github/workflows/b.yml": "jobs: {\n",
        },
    )
    with pytest.raises(InputError) as info:
        _hits(tmp_path)
    assert info.value.file == ".github/workflows/a.yml"
    assert info.value.what.endswith("(also not read: .github/workflows/b.yml)")


# -- lock-file --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"uv.lock": "version = 1\n"}, ["uv.lock"]),
        ({"poetry.lock": ""}, ["poetry.lock"]),
        ({"pdm.lock": ""}, ["pdm.lock"]),
        ({"Pipfile.lock": "{}"}, ["Pipfile.lock"]),
        ({"pylock.toml": ""}, ["pylock.toml"]),
        ({"pylock.release.toml": ""}, ["pylock.release.toml"]),
        ({"requirements.txt": "idna==3.10 \\\n    --hash=sha256:aa\n"}, ["requirements.txt"]),
        (
            {"requirements/ci.txt": "# This file was autogenerated by uv via the following\n"},
            ["requirements/ci.txt"],
        ),
        (
            {"requirements-dev.txt": "# autogenerated by pip-compile\n"},
            ["requirements-dev.txt"],
        ),
        # A hand-written requirements file with ranges locks nothing.
        ({"requirements.txt": "idna>=3\n"}, []),
    ],
)
def test_lock_candidates(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    write_tree(tmp_path, {"pyproject.toml": PLAIN_PYPROJECT, **files})
    assert lock_candidates(Repo(root=tmp_path)) == expected
    hits = [h for h in _hits_ignoring_updates(tmp_path) if h.rule == "lock-file"]
    assert bool(hits) == (not expected)


def _hits_ignoring_updates(root: Path) -> list[Hit]:
    return [h for h in _hits(root) if h.rule == "lock-file"]


@pytest.mark.parametrize(
    ("pyproject", "name", "evidence", "line"),
    [
        ('[project]\nname = "x"\n\n[tool.uv]\npackage = true\n', "uv", "[tool.uv]", 4),
        (
            '[build-system]\nbuild-backend = "uv_build"\n',
            "uv",
            "build-backend 'uv_build'",
            2,
        ),
        ('[tool.poetry]\nname = "x"\n', "Poetry", "[tool.poetry]", 1),
        (
            '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n',
            "PDM",
            "build-backend 'pdm.backend'",
            3,
        ),
        ('[tool.pdm.dev-dependencies]\ntest = ["pytest"]\n', "PDM", "[tool.pdm]", 1),
        (
            '[build-system]\nbuild-backend = "hatchling.build"\n',
            "Hatch",
            "build-backend 'hatchling.build'",
            2,
        ),
        (PLAIN_PYPROJECT, "pip", "no other installer's settings", None),
    ],
)
def test_installer_of(
    tmp_path: Path, pyproject: str, name: str, evidence: str, line: int | None
) -> None:
    write_tree(tmp_path, {"pyproject.toml": pyproject})
    found = installer_of(Repo(root=tmp_path))
    assert (found.name, found.line) == (name, line)
    assert found.evidence.startswith(evidence)


def test_installer_pipenv(tmp_path: Path) -> None:
    write_tree(tmp_path, {"setup.py": "", "Pipfile": "[packages]\n"})
    found = installer_of(Repo(root=tmp_path))
    assert (found.name, found.evidence) == ("Pipenv", "a Pipfile")
    (hit,) = _hits_ignoring_updates(tmp_path)
    # No pyproject.toml: a finding about the repository, with no file.
    assert (hit.file, hit.line) == (None, None)
    assert "pipenv lock" in hit.message


def test_not_a_python_project_needs_no_lock(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "docs only\n", ".github/dependabot.yml": DEPENDABOT_BOTH})
    assert _hits(tmp_path) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_lock_file_ignored_by_git_is_not_committed(tmp_path: Path) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {"pyproject.toml": "[tool.uv]\n", "uv.lock": "version = 1\n", ".gitignore": "uv.lock\n"},
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)  # noqa: S607
    (hit,) = _hits_ignoring_updates(repo)
    assert hit.message.startswith(
        "uv.lock is ignored by .gitignore (git check-ignore): no lock file is committed; "
        "the project appears to use uv"
    )
    assert hit.confidence == "high"
    # Once it is committed (tracked), .gitignore no longer applies to it.
    (repo / ".gitignore").write_text("")
    assert _hits_ignoring_updates(repo) == []


def test_without_git_a_present_lock_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(
        tmp_path, {"pyproject.toml": "[tool.uv]\n", "uv.lock": "", ".gitignore": "uv.lock\n"}
    )
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert _hits_ignoring_updates(tmp_path) == []


def test_outside_a_work_tree_a_present_lock_counts(tmp_path: Path) -> None:
    # tmp_path is in no git work tree: git check-ignore exits 128, so git cannot tell.
    write_tree(
        tmp_path, {"pyproject.toml": "[tool.uv]\n", "uv.lock": "", ".gitignore": "uv.lock\n"}
    )
    assert _hits_ignoring_updates(tmp_path) == []


# -- no-dependency-updates, updates-miss-* ---------------------------------------------------

WORKFLOW = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"


def _update_hits(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str | None, int | None]]:
    write_tree(tmp_path, {"pyproject.toml": PLAIN_PYPROJECT, "pylock.toml": "", **files})
    return _where(_hits(tmp_path))


def test_no_update_tool(tmp_path: Path) -> None:
    assert _update_hits(tmp_path, {}) == [("no-dependency-updates", None, None)]


def test_dependabot_for_both_passes(tmp_path: Path) -> None:
    files = {".github/dependabot.yaml": DEPENDABOT_BOTH, ".github/workflows/ci.yml": WORKFLOW}
    assert _update_hits(tmp_path, files) == []


def test_dependabot_for_actions_only(tmp_path: Path) -> None:
    config = "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n"
    files = {".github/dependabot.yml": config, ".github/workflows/ci.yml": WORKFLOW}
    assert _update_hits(tmp_path, files) == [("updates-miss-python", ".github/dependabot.yml", 2)]


@pytest.mark.parametrize("ecosystem", ["pip", "uv", "poetry"])
def test_dependabot_for_python_only(tmp_path: Path, ecosystem: str) -> None:
    config = f"version: 2\nupdates:\n  - package-ecosystem: {ecosystem}\n    directory: /\n"
    files = {".github/dependabot.yml": config, ".github/workflows/ci.yml": WORKFLOW}
    assert _update_hits(tmp_path, files) == [("updates-miss-actions", ".github/dependabot.yml", 2)]


def test_actions_need_no_updates_without_workflows(tmp_path: Path) -> None:
    config = "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
    assert _update_hits(tmp_path, {".github/dependabot.yml": config}) == []


def test_dependabot_without_updates(tmp_path: Path) -> None:
    files = {".github/dependabot.yml": "version: 2\n", ".github/workflows/ci.yml": WORKFLOW}
    assert _update_hits(tmp_path, files) == [
        ("updates-miss-actions", ".github/dependabot.yml", 1),
        ("updates-miss-python", ".github/dependabot.yml", 1),
    ]


def test_dependabot_that_is_not_yaml_is_not_checked(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": PLAIN_PYPROJECT, ".github/dependabot.yml": "updates: [\n"},
    )
    found: list[Hit] = []
    with pytest.raises(InputError) as info:
        found.extend(scan(Repo(root=tmp_path)))
    assert info.value.file == ".github/dependabot.yml"
    # The lock-file hit came first, and no-dependency-updates is not claimed: a file exists.
    assert [h.rule for h in found] == ["lock-file"]


def test_dependabot_updates_not_a_list(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/dependabot.yml": "version: 2\nupdates: weekly\n"})
    with pytest.raises(
        InputError, match=r"^\.github/dependabot\.yml: line 2: updates: must be a list$"
    ):
        _hits(tmp_path)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("{}", []),
        ('{"extends": ["config:recommended"]}', []),
        (
            '{\n  "enabledManagers": ["pep621"]\n}',
            [("updates-miss-actions", "renovate.json", 2)],
        ),
        (
            '{\n  "enabledManagers": ["github-actions"]\n}',
            [("updates-miss-python", "renovate.json", 2)],
        ),
        (
            '{"github-actions": {"enabled": false}}',
            [("updates-miss-actions", "renovate.json", None)],
        ),
    ],
)
def test_renovate(
    tmp_path: Path, config: str, expected: list[tuple[str, str | None, int | None]]
) -> None:
    files = {"renovate.json": config, ".github/workflows/ci.yml": WORKFLOW}
    assert _update_hits(tmp_path, files) == expected


def test_renovate_json5_beyond_json_is_not_checked(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/renovate.json5": "{\n  // comment\n  extends: [],\n}\n"})
    with pytest.raises(InputError) as info:
        _hits(tmp_path)
    assert str(info.value) == (
        ".github/renovate.json5: JSON5 beyond plain JSON is not read: the managers were not checked"
    )


def test_renovate_that_is_not_json(tmp_path: Path) -> None:
    write_tree(tmp_path, {"renovate.json": "[1, 2"})
    with pytest.raises(InputError, match=r"^renovate\.json: not valid JSON: "):
        _hits(tmp_path)


# -- unpinned-build-deps --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "unpinned"),
    [
        ("python -m pip install --upgrade pip build twine", ["pip", "build", "twine"]),
        ("python3.12 -m pip install build", ["build"]),
        ("pip3 install --user build", ["build"]),
        ("uv pip install --system build", ["build"]),
        ("pip install build==1.2.2 twine==6.1.0", []),
        ("pip install -r requirements/release.txt", []),
        ("pip install --requirement=requirements/release.txt", []),
        ("pip install -c constraints.txt build twine", []),
        ("pip install --require-hashes build==1.2.2", []),
        ("PIP_CONSTRAINT=constraints.txt pip install build", []),
        ("FOO=1 pip install build", ["build"]),
        ("pip install dist/*.whl", []),
        ("pip install -e .", []),
        ("pip install ./dist/example-1.0.tar.gz", []),
        ("pip install -i https://index.example.invalid/simple/ build", ["build"]),
        ("uvx twine upload dist/*", ["twine"]),
        ("uvx twine@6.1.0 upload dist/*", []),
        ("uvx --from build==1.2.2 pyproject-build", []),
        ("uv tool run twine check dist/*", ["twine"]),
        ("uv tool install twine", ["twine"]),
        ("pipx run build", ["build"]),
        ("pipx run --spec build==1.2.2 pyproject-build", []),
        ("pipx install twine==6.1.0", []),
        ("python -m build", []),
        ("uv build", []),
        ("echo 'pip install build'", []),
    ],
)
def test_unpinned_installs(command: str, unpinned: list[str]) -> None:
    assert unpinned_installs(command) == unpinned


def test_commands_join_continuations_and_split_lists() -> None:
    text = (
        "python -m pip install \\\n  build twine\npython -m build && twine check dist/*\n# note\n"
    )
    assert list(commands(text)) == [
        (0, "python -m pip install    build twine"),
        (2, "python -m build"),
        (2, "twine check dist/*"),
    ]


def _workflow(run: str, *, env: str = "", uses: str = "") -> dict[str, str]:
    return {
        "pyproject.toml": PLAIN_PYPROJECT,
        "pylock.toml": "",
        ".github/dependabot.yml": DEPENDABOT_BOTH,
        ".github/workflows/release.yml": (
            "on: push\njobs:\n  dist:\n    runs-on: ubuntu-latest\n"
            f"{env}"
            "    steps:\n"
            f"      - run: {run}\n"
            "      - run: python -m build\n"
            f"{uses}"
        ),
    }


def test_job_env_constraint_pins_the_job(tmp_path: Path) -> None:
    env = "    env:\n      PIP_CONSTRAINT: requirements/constraints.txt\n"
    write_tree(tmp_path, _workflow("pip install build", env=env))
    assert _hits(tmp_path) == []


def test_publish_action_makes_a_release_job(tmp_path: Path) -> None:
    files = _workflow("pip install twine")
    files[".github/workflows/release.yml"] = files[".github/workflows/release.yml"].replace(
        "      - run: python -m build\n", "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    write_tree(tmp_path, files)
    assert _where(_hits(tmp_path)) == [("unpinned-build-deps", ".github/workflows/release.yml", 6)]


def test_block_scalar_lines(tmp_path: Path) -> None:
    run = "|\n          echo start\n          pip install \\\n            build\n"
    write_tree(tmp_path, _workflow(run))
    (hit,) = _hits(tmp_path)
    # The run: | is on line 6; its text starts on line 7; pip install is on line 8.
    assert (hit.line, hit.subject) == (8, "jobs.dist.steps[0]")


# -- hostile checkouts: a note, never a crash ---------------------------------------------------


def _broken_workflow(tmp_path: Path) -> tuple[Path, Path]:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PLAIN_PYPROJECT,
            ".github/dependabot.yml": DEPENDABOT_BOTH,
            ".github/workflows/release.yml": "jobs:\n  a:\n    steps:\n"
            "      - run: pip install build\n      - run: python -m build\n",
        },
    )
    return root, root / ".github" / "workflows" / "odd.yml"


def _scan_note(root: Path) -> tuple[list[str], str]:
    found: list[Hit] = []
    with pytest.raises(InputError) as info:
        found.extend(scan(Repo(root=root)))
    assert "\n" not in str(info.value)
    return sorted(h.rule for h in found), str(info.value)


def test_binary_workflow(tmp_path: Path) -> None:
    root, odd = _broken_workflow(tmp_path)
    odd.write_bytes(b"\x00\x01\x02PK\x03\x04")
    rules_found, note = _scan_note(root)
    assert rules_found == ["lock-file", "unpinned-build-deps"]
    assert note == (
        ".github/workflows/odd.yml: line 1: not valid YAML: character #x0000 (control "
        "characters are not allowed)"
    )


def test_symlink_loop_workflow(tmp_path: Path) -> None:
    root, odd = _broken_workflow(tmp_path)
    odd.symlink_to(odd)
    rules_found, note = _scan_note(root)
    assert rules_found == ["lock-file", "unpinned-build-deps"]
    assert note == ".github/workflows/odd.yml: cannot be read: Too many levels of symbolic links"


def test_dangling_link_workflow(tmp_path: Path) -> None:
    root, odd = _broken_workflow(tmp_path)
    odd.symlink_to(tmp_path / "gone.yml")
    assert (
        _scan_note(root)[1] == ".github/workflows/odd.yml: cannot be read: a dangling symbolic link"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_workflow(tmp_path: Path) -> None:
    root, odd = _broken_workflow(tmp_path)
    os.mkfifo(odd)
    assert _scan_note(root)[1] == ".github/workflows/odd.yml: cannot be read: a named pipe"


def test_deeply_nested_workflow(tmp_path: Path) -> None:
    root, odd = _broken_workflow(tmp_path)
    odd.write_text("jobs: " + "[" * 5000 + "]" * 5000 + "\n")
    import yaml

    expected = (
        # libyaml refuses the nesting; the pure-Python parser runs out of recursion.
        "line 1: not valid YAML: exceeded maximum nesting depth"
        if yaml.__with_libyaml__
        else "not valid YAML: nested too deeply"
    )
    assert _scan_note(root)[1] == f".github/workflows/odd.yml: {expected}"


def test_unreadable_workflow_through_the_runner(tmp_path: Path) -> None:
    from pyward._release._report import check_release

    root, odd = _broken_workflow(tmp_path)
    odd.symlink_to(odd)
    report = check_release(Repo(root=root))
    (entry,) = [e for e in report.summary.not_checked if e.file == ".github/workflows/odd.yml"]
    assert entry.reason == "cannot be read: Too many levels of symbolic links"
    # The workflows and dependencies scanners both read it: reported once, for both.
    assert entry.categories == ("publishing", "workflows", "dependencies")
    grades = {g.category: g for g in report.summary.grades}
    assert grades["dependencies"].incomplete
    assert not grades["policy"].incomplete
    assert sorted(f.id for f in report.findings if report.category(f) == "dependencies") == [
        "lock-file",
        "unpinned-build-deps",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("pip install uvx -r==@'\"\\;&|\n#ab.1/*")), max_size=80)
)
def test_any_shell_text_is_read_without_error(text: str) -> None:
    for _, command in commands(text):
        for requirement in unpinned_installs(command):
            # What is reported comes from the command, and is never a pinned one.
            assert requirement
            assert "==" not in requirement
