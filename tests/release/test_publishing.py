"""The ``publishing`` rules: Trusted Publishing, a separate publishing job, the OIDC
permission where it is used, a deployment environment, attestations."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyward._release._model import Repo
from pyward._release._workflows import RULES, scan
from pyward.errors import InputError

from ._ci_cases import found, hits


def test_publish_with_token_every_tool() -> None:
    assert found("publish-with-token/bad", "publish-with-token") == [
        # TWINE_PASSWORD in the job's env: its line.
        ("release.yml", 15, "high", "job twine step 2"),
        # `-p` on a continued line of the script: the script's first line.
        ("release.yml", 24, "high", "job twine-option step 2"),
        ("release.yml", 32, "high", "job uv step 2"),
        # UV_PUBLISH_TOKEN in the step's env.
        ("release.yml", 35, "high", "job uv step 3"),
        # `poetry config pypi-token.pypi` before `poetry publish`.
        ("release.yml", 41, "high", "job poetry step 2"),
        ("release.yml", 53, "high", "job action step 2"),
    ]


def test_publish_with_token_messages_say_what_carries_it() -> None:
    messages = [hit.message for hit in hits("publish-with-token/bad")]
    assert (
        "twine upload in job twine publishes with TWINE_PASSWORD, a long-lived secret, "
        "instead of Trusted Publishing"
    ) in messages
    assert any("the '--token' option" in message for message in messages)
    assert any("the 'password' input" in message for message in messages)


def test_trusted_publishing_is_recognised() -> None:
    # The PyPA action without a password, `uv publish --trusted-publishing always`,
    # plain `uv publish` with id-token: write, and a dry run: nothing to report at all.
    assert hits("publish-with-token/good") == []


def test_publish_not_separate() -> None:
    assert found("publish-not-separate/bad", "publish-not-separate") == [
        ("release.yml", 20, "medium", "job release"),  # the `uv build` step
        ("release.yml", 33, "medium", "job pdm"),  # `pdm publish` builds unless --no-build
    ]
    messages = [hit.message for hit in hits("publish-not-separate/bad")]
    assert messages[0] == (
        "job release publishes and also builds (uv build in step 3): build in a job "
        "without publishing rights and pass the files on as artifacts"
    )
    assert hits("publish-not-separate/good") == []


def test_id_token_too_broad() -> None:
    assert found("id-token-too-broad/bad", "id-token-too-broad") == [
        ("release.yml", 9, "medium", "workflow"),  # the top-level `id-token: write`
        ("release.yml", 18, "medium", "job lint"),
    ]
    workflow_hit = hits("id-token-too-broad/bad")[0]
    # `publish` inherits it and needs it; `lint` has its own block.
    assert workflow_hit.message.endswith("get it too (test)")
    # Attestations use the OIDC token too: not too broad.
    assert hits("id-token-too-broad/good") == []


def test_publish_no_environment() -> None:
    assert found("publish-no-environment/bad", "publish-no-environment") == [
        ("release.yml", 6, "medium", "job publish")
    ]
    assert hits("publish-no-environment/good") == []


def test_attestations_disabled() -> None:
    assert found("attestations-disabled/bad", "attestations-disabled") == [
        ("release.yml", 17, "medium", "job publish step 2")
    ]
    assert hits("attestations-disabled/good") == []


def test_the_old_starter_workflow() -> None:
    """GitHub's former python-publish.yml: a token, build and upload in one job."""
    case = "pypa-guide-bad"
    assert found(case, "publish-with-token") == [
        ("python-publish.yml", 30, "high", "job deploy step 5")
    ]
    assert found(case, "publish-not-separate") == [
        ("python-publish.yml", 24, "medium", "job deploy")
    ]
    assert found(case, "publish-no-environment") == [
        ("python-publish.yml", 11, "medium", "job deploy")
    ]
    assert found(case, "id-token-too-broad") == []
    assert found(case, "attestations-disabled") == []


def test_the_pypa_guide_workflow_is_clean() -> None:
    assert hits("pypa-guide-good") == []


def test_gitlab_publishing() -> None:
    case = "gitlab-bad"
    # The job's script comes from a template through a `<<` merge: the template's lines.
    assert found(case, "publish-with-token") == [
        (".gitlab-ci.yml", 24, "high", "job publish step 3")
    ]
    assert found(case, "publish-not-separate") == [(".gitlab-ci.yml", 23, "medium", "job publish")]
    assert found(case, "publish-no-environment") == [
        (".gitlab-ci.yml", 33, "medium", "job publish")
    ]
    # `default: id_tokens:` reaches the test job, which publishes nothing.
    assert found(case, "id-token-too-broad") == [(".gitlab-ci.yml", 12, "medium", "job test")]


def test_gitlab_trusted_publishing_and_the_job_token_are_clean() -> None:
    assert hits("gitlab-good") == []


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # No ID token and no visible credential: it comes from a CI/CD variable.
        ("twine upload dist/*", "low"),
        ("uv publish", "low"),
        ("twine upload -u __token__ -p $PYPI_TOKEN dist/*", "high"),
        ("TWINE_PASSWORD=$PYPI_TOKEN twine upload dist/*", "high"),
        ("TWINE_PASSWORD=$CI_JOB_TOKEN twine upload dist/*", None),
        # A variable the script sets, in a job that cannot mint an OIDC token: a secret.
        ('T=$(cat token); twine upload -p "$T" dist/*', "high"),
        ("python -m build", None),
    ],
)
def test_gitlab_publish_confidence(tmp_path: Path, script: str, expected: str | None) -> None:
    root = tmp_path
    (root / ".gitlab-ci.yml").write_text(
        f"publish:\n  environment: release\n  script:\n    - {script}\n", encoding="utf-8"
    )
    confidences = [
        hit.confidence for hit in scan(Repo(root=root)) if hit.rule == "publish-with-token"
    ]
    assert confidences == ([] if expected is None else [expected])


def test_a_minted_token_needs_an_id_token(tmp_path: Path) -> None:
    # The manual exchange passes a shell variable as the password; it is only a minted
    # token when the job has an ID token to exchange.
    script = (
        "  script:\n"
        "    - api_token=$(python -m id PYPI)\n"
        '    - twine upload --password "${api_token}" dist/*\n'
    )
    job = "publish:\n  environment: r\n"
    oidc = "  id_tokens:\n    T:\n      aud: pypi\n"
    (tmp_path / ".gitlab-ci.yml").write_text(job + oidc + script, encoding="utf-8")
    assert list(scan(Repo(root=tmp_path))) == []
    (tmp_path / ".gitlab-ci.yml").write_text(job + script, "utf-8")
    assert [(hit.rule, hit.line) for hit in scan(Repo(root=tmp_path))] == [
        ("publish-with-token", 5)
    ]


def test_publishing_rules_are_declared() -> None:
    publishing = [rule.id for rule in RULES if rule.category == "publishing"]
    assert publishing == [
        "publish-with-token",
        "publish-not-separate",
        "id-token-too-broad",
        "publish-no-environment",
        "attestations-disabled",
        "no-publish-workflow",
    ]


def test_no_publish_workflow() -> None:
    (hit,) = hits("no-publish-workflow/bad")
    assert (hit.rule, hit.file, hit.line, hit.confidence) == (
        "no-publish-workflow",
        None,
        None,
        "medium",
    )
    # A reusable workflow may publish out of sight.
    assert hits("no-publish-workflow/good") == []
    # Not a Python project (the other fixtures have no pyproject.toml): nothing to publish.
    assert found("excessive-permissions/good", "no-publish-workflow") == []
    # A project that publishes: the PyPA guide shape, with a pyproject.toml.
    assert found("pypa-guide-good", "no-publish-workflow") == []


def test_no_publish_workflow_not_claimed_when_a_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / ".gitlab-ci.yml").write_text("a: [\n", encoding="utf-8")
    gen = iter(scan(Repo(root=tmp_path)))
    with pytest.raises(InputError):
        next(gen)
