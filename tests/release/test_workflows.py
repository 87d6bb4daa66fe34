"""The ``workflows`` rules, the CI model they read (:func:`load_workflows`), and the
readers of expressions and shell commands inside a workflow's strings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyward._release._ci import commands, expression_contexts, expressions, load_workflows
from pyward._release._model import CATEGORIES, Repo
from pyward._release._workflows import RULES, scan
from pyward.errors import InputError

from ._ci_cases import CASES, found, hits

DOCS = Path(__file__).parent.parent.parent / "docs" / "release-check.md"


# -- the rules ---------------------------------------------------------------------------


def test_unpinned_action() -> None:
    assert found("unpinned-action/bad", "unpinned-action") == [
        ("ci.yml", 10, "low", "job test step 1"),  # actions/checkout@v4: first-party
        ("ci.yml", 13, "high", "job test step 2"),  # astral-sh/setup-uv@v6
        ("ci.yml", 16, "medium", "job test step 3"),  # docker://alpine:3.20
        ("ci.yml", 19, "high", "job shared"),  # a reusable workflow @main
    ]
    first = hits("unpinned-action/bad")[0]
    assert first.message == (
        "actions/checkout@v4 is not pinned to a full commit SHA (a tag or branch can be "
        "moved); first-party action: low severity"
    )
    assert (first.line, first.column) == (10, 9)
    assert hits("unpinned-action/good") == []


def test_unpinned_gitlab_includes() -> None:
    assert found("gitlab-bad", "unpinned-action") == [
        (".gitlab-ci.yml", 4, "high", "include 1"),  # remote, no integrity
        (".gitlab-ci.yml", 5, "high", "include 2"),  # project, no ref
        (".gitlab-ci.yml", 7, "high", "include 3"),  # component @~latest
    ]


def test_excessive_permissions() -> None:
    assert found("excessive-permissions/bad", "excessive-permissions") == [
        ("all.yml", 3, "high", "workflow"),
        ("broad.yml", 5, "medium", "workflow contents"),
        ("broad.yml", 6, "medium", "workflow pull-requests"),
        ("broad.yml", 19, "high", "job label"),
        ("none.yml", 4, "medium", "workflow"),  # the `jobs:` line
    ]
    none = [
        hit for hit in hits("excessive-permissions/bad") if (hit.file or "").endswith("none.yml")
    ]
    # `docs` declares its own permissions; only `test` runs with the defaults.
    assert none[0].message == (
        "no top-level permissions: block, and jobs without their own (test) run with the "
        "repository's default token permissions"
    )
    # Narrow per job, a single job with a workflow-level grant (zizmorcore/zizmor#336),
    # every job with its own block.
    assert hits("excessive-permissions/good") == []


def test_dangerous_trigger() -> None:
    assert found("dangerous-trigger/bad", "dangerous-trigger") == [
        ("after-ci.yml", 2, "medium", "trigger workflow_run"),
        ("pr-target.yml", 5, "high", "trigger pull_request_target"),
    ]
    high = hits("dangerous-trigger/bad")[-1]
    assert high.confidence == "high"
    assert high.message.endswith("and checks out the untrusted head (job test step 1)")
    assert hits("dangerous-trigger/good") == []


def test_template_injection() -> None:
    assert found("template-injection/bad", "template-injection") == [
        # Lines inside the `run: |` block.
        ("triage.yml", 21, "high", "job check step 1 github.event.issue.title"),
        ("triage.yml", 22, "high", "job check step 1 github.event.commits.*.message"),
        ("triage.yml", 22, "high", "job check step 1 github.head_ref"),
        # actions/github-script's script.
        ("triage.yml", 26, "high", "job check step 2 github.event.pull_request.body"),
        # A workflow_dispatch input: low.
        ("triage.yml", 27, "low", "job check step 3 inputs.note"),
    ]
    # Environment variables, a ternary of literals, a step outcome, commit SHAs,
    # comparisons and contains(): no false positive.
    assert hits("template-injection/good") == []


def test_template_injection_on_gitlab_is_unquoted_use_only() -> None:
    assert found("gitlab-bad", "template-injection") == [
        (".gitlab-ci.yml", 29, "low", "job test step 1 CI_COMMIT_MESSAGE")
    ]


def test_persist_credentials() -> None:
    assert found("persist-credentials/bad", "persist-credentials") == [
        ("ci.yml", 8, "medium", "job test step 1"),
        ("ci.yml", 9, "low", "job test step 2"),  # v6 keeps it under $RUNNER_TEMP
    ]
    # `false`, or `true` written deliberately for a job that pushes.
    assert hits("persist-credentials/good") == []


def test_cache_in_release() -> None:
    assert found("cache-in-release/bad", "cache-in-release") == [
        ("release.yml", 28, "high", "job publish step 1"),
        ("release.yml", 15, "high", "job build step 2"),  # setup-uv: on by default
    ]
    confidences = [hit.confidence for hit in hits("cache-in-release/bad")]
    assert confidences == ["high", "medium"]
    # Off explicitly, off for tags by an expression, or in a job the release does not
    # need.
    assert hits("cache-in-release/good") == []


def test_the_old_starter_workflow() -> None:
    case = "pypa-guide-bad"
    assert found(case, "unpinned-action") == [
        ("python-publish.yml", 14, "low", "job deploy step 1"),
        ("python-publish.yml", 16, "low", "job deploy step 2"),
        ("python-publish.yml", 27, "high", "job deploy step 5"),
    ]
    assert found(case, "excessive-permissions") == [
        ("python-publish.yml", 10, "medium", "workflow")
    ]
    assert found(case, "persist-credentials") == [
        ("python-publish.yml", 14, "medium", "job deploy step 1")
    ]
    assert found(case, "cache-in-release") == [
        ("python-publish.yml", 19, "high", "job deploy step 2")  # setup-python `cache: pip`
    ]


def test_every_good_fixture_is_clean() -> None:
    good = sorted(
        path for path in CASES.rglob("*") if path.name == "good" or path.name.endswith("-good")
    )
    assert len(good) == 14
    for case in good:
        assert hits(str(case.relative_to(CASES))) == [], case


def test_every_rule_has_a_bad_fixture_that_hits_it() -> None:
    for rule in RULES:
        assert found(f"{rule.id}/bad", rule.id), rule.id


def test_rules_are_well_formed_and_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    ids = [rule.id for rule in RULES]
    assert len(set(ids)) == len(ids)
    for rule in RULES:
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule.id)
        assert rule.category in {"publishing", "workflows"}
        assert rule.category in CATEGORIES
        assert rule.title
        assert rule.rationale.endswith((".", ")"))
        assert rule.fix
        assert f"\n## {rule.id}\n" in docs, rule.id


def test_no_workflows_no_hits(tmp_path: Path) -> None:
    assert list(scan(Repo(root=tmp_path))) == []
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "empty.yml").write_text("", encoding="utf-8")
    (tmp_path / ".github" / "workflows" / "notes.txt").write_text("x", encoding="utf-8")
    assert list(scan(Repo(root=tmp_path))) == []


# -- the model ---------------------------------------------------------------------------


def test_load_workflows_reads_jobs_and_steps() -> None:
    (workflow,) = load_workflows(Repo(root=CASES / "pypa-guide-good"))
    assert workflow.platform == "github"
    assert workflow.file == ".github/workflows/release.yml"
    assert list(workflow.triggers) == ["push"]
    assert workflow.permissions == {"contents": "read"}
    assert [job.id for job in workflow.jobs] == ["build", "publish", "github-release"]
    publish = workflow.jobs[1]
    assert publish.needs == ("build",)
    assert publish.environment == "pypi"
    assert publish.permissions == {"id-token": "write"}
    assert [step.action for step in publish.steps] == [
        "actions/download-artifact",
        "pypa/gh-action-pypi-publish",
    ]
    assert publish.steps[1].ref == "76f52bc884231f62b9a034ebfe128415bbaabdfc"
    assert workflow.line(*publish.steps[1].path) == 47
    build = workflow.jobs[0]
    assert build.steps[2].run == "python -m pip install build\npython -m build\n"
    assert build.steps[0].with_ == {"persist-credentials": False}


def test_load_workflows_reads_gitlab_inheritance(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text(
        """\
default:
  before_script:
    - pip install twine
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
variables:
  A: global
.upload:
  variables:
    A: template
  script:
    - twine upload dist/*
.setup:
  script:
    - echo setup
publish:
  extends: .upload
  environment:
    name: release
  needs: [build]
lint:
  script:
    - !reference [.setup, script]
    - ruff check
""",
        encoding="utf-8",
    )
    (workflow,) = load_workflows(Repo(root=tmp_path))
    publish, lint = workflow.jobs
    assert [step.run for step in publish.steps] == ["pip install twine", "twine upload dist/*"]
    assert [workflow.line(*step.path) for step in publish.steps] == [3, 13]
    assert publish.env == {"A": "template"}
    assert publish.environment == "release"
    assert publish.needs == ("build",)
    assert publish.id_tokens == {"PYPI_ID_TOKEN": {"aud": "pypi"}}
    assert [step.run for step in lint.steps] == ["pip install twine", "echo setup", "ruff check"]
    assert [workflow.line(*step.path) for step in lint.steps] == [3, 16, 25]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "on: push\njobs:\n  build:\n    steps: [a\n",
            ".github/workflows/ci.yml: line 5: not valid YAML: did not find expected ',' or ']'",
        ),
        ("- a\n", ".github/workflows/ci.yml: line 1: the document must be a mapping"),
        ("on: push\njobs: [a]\n", ".github/workflows/ci.yml: line 2: jobs must be a mapping"),
        (
            "on: push\njobs:\n  a:\n    steps: run\n",
            ".github/workflows/ci.yml: line 4: 'steps' must be a list",
        ),
        (
            "on: push\njobs:\n  a:\n    steps:\n      - echo\n",
            ".github/workflows/ci.yml: line 5: jobs.a.steps[0] must be a mapping",
        ),
        ("on: 3\n", ".github/workflows/ci.yml: line 1: 'on' must be an event, a list or a mapping"),
    ],
)
def test_bad_workflows_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(scan(Repo(root=tmp_path)))
    assert str(caught.value) == message


# -- inside strings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "contexts"),
    [
        ("github.event.issue.title", ["github.event.issue.title"]),
        ("github.event.commits[0].message", ["github.event.commits.*.message"]),
        ("github.event['issue'].title", ["github.event.issue.title"]),
        ("toJSON(github.event)", ["github.event"]),
        ("format('{0}', github.head_ref)", ["github.head_ref"]),
        ("inputs.debug && '--debug' || ''", []),
        ("a && (b || c)", ["b", "c"]),
        ("github.event.issue.title == 'x'", []),
        ("!github.event.issue.title", []),
        ("contains(github.event.issue.body, 'y')", []),
        ("steps.x.outputs.y || 'default'", ["steps.x.outputs.y"]),
        ("true", []),
        ("format('{0}', a && b)", ["a", "b"]),  # inside a call: every path counts
        ("(" * 2000 + "a" + ")" * 2000, ["a"]),
        ("(a || " * 500 + "b" + ")" * 500, ["a"] * 500 + ["b"]),
    ],
)
def test_expression_contexts(expression: str, contexts: list[str]) -> None:
    assert expression_contexts(expression) == contexts


def test_expressions_in_text() -> None:
    text = "a ${{ x }} b ${{ format('}}', y) }} c ${{ unterminated"
    assert list(expressions(text)) == [(2, "x"), (13, "format('}}', y)")]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("python -m twine upload dist/*", [("twine", ("upload", "dist/*"), {})]),
        ("TWINE_PASSWORD=x twine upload a", [("twine", ("upload", "a"), {"TWINE_PASSWORD": "x"})]),
        ("uvx --from twine==6 twine upload", [("twine", ("upload",), {})]),
        ("pipx run twine check dist/*", [("twine", ("check", "dist/*"), {})]),
        ("uv run --with build python -m build", [("build", (), {})]),
        (
            "cd x && uv build; echo 'a;b' | tee f",
            [
                ("cd", ("x",), {}),
                ("uv", ("build",), {}),
                ("echo", ("a;b",), {}),
                ("tee", ("f",), {}),
            ],
        ),
        ("twine upload \\\n  -p x", [("twine", ("upload", "-p", "x"), {})]),
        ("echo 'unclosed", [("echo", ("'unclosed",), {})]),
        ("# a comment\nA=1", []),
    ],
)
def test_commands(script: str, expected: list[tuple[str, tuple[str, ...], dict[str, str]]]) -> None:
    assert [(c.program, c.args, dict(c.assignments)) for c in commands(script)] == expected


def test_command_lines_count_from_the_script_start() -> None:
    found_lines = [command.line for command in commands("a\nb \\\n  c\nd\n")]
    assert found_lines == [0, 1, 3]


@settings(deadline=None)  # timing never decides a test (STYLE.md)
@given(st.text(max_size=120))
def test_string_readers_never_fail(text: str) -> None:
    # Scripts and expressions are whatever a workflow holds: never an exception.
    for command in commands(text):
        assert command.program
    for _, expression in expressions(text):
        expression_contexts(expression)
    expression_contexts(text)


def test_unreadable_files_are_reported_after_the_others(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "a-binary.yml").write_bytes(b"\x00\x01\x02 not yaml")
    (workflows / "b-loop.yml").symlink_to(workflows / "b-loop.yml")
    (workflows / "c-dangling.yaml").symlink_to(tmp_path / "missing.yml")
    (workflows / "d-good.yml").write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    gen = iter(scan(Repo(root=tmp_path)))
    # The readable workflow's hits come first.
    assert [next(gen).rule, next(gen).rule] == ["unpinned-action", "persist-credentials"]
    with pytest.raises(InputError) as caught:
        next(gen)
    assert str(caught.value) == (
        ".github/workflows/a-binary.yml: line 1: not valid YAML: character #x0000 "
        "(control characters are not allowed) (and 2 more files not read)"
    )
    errors: list[InputError] = []
    assert [w.file for w in load_workflows(Repo(root=tmp_path), errors)] == [
        ".github/workflows/d-good.yml"
    ]
    assert [str(error) for error in errors][1:] == [
        ".github/workflows/b-loop.yml: cannot be read: Too many levels of symbolic links",
        ".github/workflows/c-dangling.yaml: cannot be read: a dangling symbolic link",
    ]


def test_a_pipe_is_not_waited_for(tmp_path: Path) -> None:
    import os

    (tmp_path / ".gitlab-ci.yml").parent.mkdir(exist_ok=True)
    os.mkfifo(tmp_path / ".gitlab-ci.yml")
    with pytest.raises(InputError) as caught:
        load_workflows(Repo(root=tmp_path))
    assert str(caught.value) == ".gitlab-ci.yml: cannot be read: a named pipe"


# -- compared with zizmor ------------------------------------------------------------

#: zizmor's audit -> the rule here that covers the same ground. Permissions are one
#: family: zizmor's excessive-permissions also reports what id-token-too-broad does.
_ZIZMOR = {
    "use-trusted-publishing": "publish-with-token",
    "unpinned-uses": "unpinned-action",
    "excessive-permissions": "permissions",
    "dangerous-triggers": "dangerous-trigger",
    "template-injection": "template-injection",
    "artipacked": "persist-credentials",
    "cache-poisoning": "cache-in-release",
}
_FAMILY = {"excessive-permissions": "permissions", "id-token-too-broad": "permissions"}

#: Where the two differ on the fixtures, and why (docs/release-check.md, "Compared with
#: zizmor"): workflow file -> (reported here only, reported by zizmor only).
ZIZMOR_DIFFERENCES: dict[str, tuple[set[str], set[str]]] = {
    # zizmor reports caches in every job of a workflow with a release-like trigger and
    # an expression that turns the cache off for tags; here only jobs on the way to
    # publishing count, and the expression is the remedy zizmor's documentation gives.
    "cache-in-release/good/.github/workflows/release.yml": (set(), {"cache-in-release"}),
    # zizmor does not report `permissions: write-all` in a single-job workflow.
    "excessive-permissions/bad/.github/workflows/all.yml": ({"permissions"}, set()),
    # zizmor asks for a SHA on the SLSA generator, whose reusable workflows refuse one
    # (slsa-framework/slsa-github-generator#722, google/go-containerregistry#2390).
    "unpinned-action/good/.github/workflows/ci.yml": (set(), {"unpinned-action"}),
}


def _zizmor() -> str | None:
    import shutil
    import sys

    return shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")


@pytest.mark.slow
def test_differences_with_zizmor_are_the_documented_ones() -> None:
    import json
    import subprocess

    zizmor = _zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor)")
    differences: dict[str, tuple[set[str], set[str]]] = {}
    for workflow in sorted(CASES.rglob(".github/workflows/*.yml")):
        repo = workflow.parents[2]
        relative = workflow.relative_to(repo).as_posix()
        ours = {
            _FAMILY.get(hit.rule, hit.rule) for hit in scan(Repo(root=repo)) if hit.file == relative
        } & set(_ZIZMOR.values())
        run = subprocess.run(
            [zizmor, "--offline", "--no-config", "--format", "json", str(workflow)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        theirs = {_ZIZMOR[f["ident"]] for f in json.loads(run.stdout) if f["ident"] in _ZIZMOR}
        if ours != theirs:
            differences[workflow.relative_to(CASES).as_posix()] = (ours - theirs, theirs - ours)
    assert differences == ZIZMOR_DIFFERENCES
